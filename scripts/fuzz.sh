#!/usr/bin/env bash
# scripts/fuzz.sh — `make fuzz-parsers` (part of `make fuzz`): libFuzzer over Herald's
# hand-written parsers, a bounded run per target.
#
#   1. builds Fuzz/ (the herald-fuzz driver and the Herald package it depends on) in release
#      with -sanitize=fuzzer,address in its own scratch path (.build-fuzz; the first build
#      takes ~10-15 min on 2 cores, later ones only rebuild what changed)
#   2. runs each target for FUZZ_SECONDS from its corpus Fuzz/corpus/<target>/ (with a
#      dictionary from Fuzz/dictionaries/: json, realm, form or ldap), with a per-input time
#      limit (a hang is a finding) and a memory limit (so is a blow-up)
#   3. minimises corpus + new inputs to a set that keeps every covered edge
#      (-set_cover_merge=1 -use_counters=0) and writes it back to Fuzz/corpus/<target>/: the
#      named seed files always stay, libFuzzer's hash-named files are replaced
#   4. writes bench/results/fuzz-<UTC stamp>.md (and fuzz-latest.md): per target executions,
#      exec/s, coverage (cov = edges, ft = features), corpus size before/after, findings
#
# A finding (crash, trap, broken property, hang, out-of-memory) is saved under
# Fuzz/findings/<target>/ (not committed); fix the parser, then copy the input to
# Fuzz/crashes/<target>/ so the replay test in `make test` keeps it fixed.
#
# Environment (all optional):
#   FUZZ_SECONDS=75        run time per target (10 targets: ~15 min in all, plus the build)
#   FUZZ_TARGETS="jcs …"   the targets to run (default: all; see FuzzTarget.all)
#   FUZZ_TIMEOUT=10        seconds one input may take before it counts as a hang
#   FUZZ_RSS_MB=2048       memory limit of the fuzzing process
#   FUZZ_MAX_LEN=16384     longest input libFuzzer generates
#   FUZZ_MERGE=1           0 = do not merge new inputs into Fuzz/corpus
#
# Exit status: 0 = no finding; 1 = a target found something (see the results file);
# 2 = the build or a run failed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
FUZZ_SECONDS=${FUZZ_SECONDS:-75}
FUZZ_TARGETS=${FUZZ_TARGETS:-jcs base64url jws jwk mcps form realm ldap bundle statuslist}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-16384}
FUZZ_MERGE=${FUZZ_MERGE:-1}
SCRATCH=$REPO/.build-fuzz
SWIFT=${SWIFT:-swift}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$REPO/bench/results
WORK=$(mktemp -d /tmp/herald-fuzz.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The fuzz package resolves the same dependency versions as Herald (Package.resolved is
# not committed; without a copy, SwiftPM would resolve afresh).
[ -f Package.resolved ] && cp Package.resolved Fuzz/Package.resolved

echo "== building the fuzz driver (release, -sanitize=fuzzer,address, $SCRATCH)"
set +e
$SWIFT build -c release --package-path Fuzz --scratch-path "$SCRATCH" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product herald-fuzz >"$WORK/build.log" 2>&1
built=$?
set -e
grep -E 'error:|Build complete' "$WORK/build.log" | sort -u | head -20 || true
[ "$built" -eq 0 ] || { tail -40 "$WORK/build.log" >&2; echo "fuzz: the driver did not build" >&2; exit 2; }
BIN=$SCRATCH/release/herald-fuzz
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

bytes_in() { find "$1" -type f -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }'; }

# Replaces the libFuzzer-named files (40 hex digits) of corpus $2 by a minimal set of all
# of $2 and $3 that keeps every covered edge (-set_cover_merge with hit counts ignored,
# which keeps the committed corpus to a few hundred KB); the named seed files stay.
minimise() {
    local target=$1 corpus=$2 new=$3 min=$WORK/$1-min seeds=$WORK/$1-seeds
    mkdir -p "$min"
    if ! HERALD_FUZZ_TARGET=$target "$BIN" -set_cover_merge=1 -use_counters=0 -timeout="$FUZZ_TIMEOUT" \
            -rss_limit_mb="$FUZZ_RSS_MB" -max_len="$FUZZ_MAX_LEN" -detect_leaks=0 "$min" "$corpus" "$new" \
            >"$WORK/$target.merge.log" 2>&1; then
        echo "   merge failed; the corpus is unchanged:"; tail -3 "$WORK/$target.merge.log" | sed 's/^/   /'
        return
    fi
    find "$corpus" -type f -regextype posix-extended ! -regex '.*/[0-9a-f]{40}' -exec sha1sum {} + | cut -d' ' -f1 >"$seeds"
    find "$corpus" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
    for file in "$min"/*; do
        [ -e "$file" ] || continue
        grep -qx "$(basename "$file")" "$seeds" || cp "$file" "$corpus/"
    done
    tail -1 "$WORK/$target.merge.log" | sed 's/^/   /'
}

# libFuzzer prints the stack of a finding itself; Swift's own backtracer would then fight
# AddressSanitizer over the crashed process (and can stall it).
export SWIFT_BACKTRACE=enable=no

findings=0
: >"$WORK/rows"
for target in $FUZZ_TARGETS; do
    corpus=Fuzz/corpus/$target
    new=$WORK/$target-new
    artifacts=$REPO/Fuzz/findings/$target/
    mkdir -p "$corpus" "$new" "$artifacts"
    before_files=$(find "$corpus" -type f | wc -l)
    before_bytes=$(bytes_in "$corpus")
    case $target in
        realm | form | ldap) dictionary=Fuzz/dictionaries/$target.dict ;;
        base64url) dictionary= ;;
        *) dictionary=Fuzz/dictionaries/json.dict ;;
    esac
    dict=()
    [ -n "$dictionary" ] && dict=(-dict="$dictionary")
    echo "== $target: ${FUZZ_SECONDS}s from $before_files corpus files"
    status=0
    # Leak checking is off: Swift's runtime keeps metadata caches that LeakSanitizer
    # reports, and a leak in a parse is not what this looks for (crashes, hangs, blow-ups).
    HERALD_FUZZ_TARGET=$target "$BIN" "$new" "$corpus" "${dict[@]}" \
        -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb="$FUZZ_RSS_MB" \
        -max_len="$FUZZ_MAX_LEN" -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$artifacts" \
        >"$WORK/$target.log" 2>&1 || status=$?
    found=$(grep -Eo "(crash|timeout|oom|leak|slow-unit)-[0-9a-f]+" "$WORK/$target.log" | sort -u | tr '\n' ' ' || true)
    if [ "$status" -ne 0 ] || [ -n "$found" ]; then
        findings=$((findings + 1))
        echo "   FINDING (exit $status): ${found:-see log}"
        grep -E "ERROR|Fatal error|property broken|SUMMARY|deadly signal|Test unit written" "$WORK/$target.log" \
            | head -8 | sed 's/^/   /'
        cp "$WORK/$target.log" "$artifacts/$STAMP.log"
    fi
    if [ "$FUZZ_MERGE" = 1 ] && [ "$(find "$new" -type f | wc -l)" -gt 0 ]; then
        minimise "$target" "$corpus" "$new"
    fi
    after_files=$(find "$corpus" -type f | wc -l)
    after_bytes=$(bytes_in "$corpus")
    # The last status line: "#N DONE cov: C ft: F corp: …", else the last "cov:" line.
    line=$(grep -E '^#[0-9]+.*cov: ' "$WORK/$target.log" | tail -1 || true)
    execs=$(grep -Eo 'stat::number_of_executed_units:[[:space:]]+[0-9]+' "$WORK/$target.log" | grep -Eo '[0-9]+$' || true)
    rate=$(grep -Eo 'stat::average_exec_per_sec:[[:space:]]+[0-9]+' "$WORK/$target.log" | grep -Eo '[0-9]+$' || true)
    rss=$(grep -Eo 'stat::peak_rss_mb:[[:space:]]+[0-9]+' "$WORK/$target.log" | grep -Eo '[0-9]+$' || true)
    cov=$(grep -Eo 'cov: [0-9]+' <<<"$line" | grep -Eo '[0-9]+' || true)
    ft=$(grep -Eo 'ft: [0-9]+' <<<"$line" | grep -Eo '[0-9]+' || true)
    printf '| %s | %s | %s | %s | %s | %s | %s → %s (%s → %s B) | %s | %s |\n' \
        "$target" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${rss:-?}" \
        "$before_files" "$after_files" "$before_bytes" "$after_bytes" \
        "$([ "$status" -eq 0 ] && [ -z "$found" ] && echo 0 || echo "${found:-exit $status}")" \
        "$([ "$status" -eq 0 ] && echo "ran ${FUZZ_SECONDS}s" || echo "stopped at the finding")" >>"$WORK/rows"
    echo "   ${execs:-?} execs, ${rate:-?}/s, cov ${cov:-?}, ft ${ft:-?}, corpus $before_files → $after_files"
done

mkdir -p "$RESULTS"
{
    echo "# make fuzz — parsers (libFuzzer) $STAMP"
    echo
    echo "git $COMMIT; $(swift --version 2>/dev/null | head -1); libFuzzer + AddressSanitizer (release build);"
    echo "$(nproc) cores; FUZZ_SECONDS=$FUZZ_SECONDS per target, -timeout=$FUZZ_TIMEOUT s per input,"
    echo "-rss_limit_mb=$FUZZ_RSS_MB, -max_len=$FUZZ_MAX_LEN. cov = covered edges, ft = libFuzzer features,"
    echo "both over the instrumented Swift code (Herald and its Swift dependencies; C code such as libyaml and"
    echo "zlib is not instrumented). Corpus: Fuzz/corpus/<target>/ before → after the minimising merge."
    echo
    echo "| target | execs | exec/s | cov | ft | peak RSS MB | corpus files (bytes) | findings | run |"
    echo "|---|---:|---:|---:|---:|---:|---|---|---|"
    cat "$WORK/rows"
    echo
    echo "What each target feeds and checks (besides: no crash, no trap, no hang, no blow-up):"
    echo
    HERALD_FUZZ_TARGET=describe "$BIN" 2>/dev/null | while IFS=$'\t' read -r name summary; do
        case " $FUZZ_TARGETS " in *" $name "*) echo "- **$name**: $summary" ;; esac
    done
} >"$RESULTS/fuzz-$STAMP.md"
cp "$RESULTS/fuzz-$STAMP.md" "$RESULTS/fuzz-latest.md"
echo "== results: bench/results/fuzz-$STAMP.md"
cat "$RESULTS/fuzz-$STAMP.md"
[ "$findings" -eq 0 ] || { echo "fuzz: $findings target(s) found something; inputs in Fuzz/findings/" >&2; exit 1; }
