#!/usr/bin/env bash
# scripts/bench-gate.sh — `make bench-gate` (issue 12 item 5): the MCP trust gate
# (POST {issuer}/mcp/verify) and the MCPS revocation check (GET {issuer}/api/verify/{passport})
# with 10 000 and 1 000 000 agents in the lifecycle book and the store, on the same machine with
# the same wrk settings. Target: the 1 000 000-agent gate rate >= 50 % of the 10 000-agent rate.
#
# For each size N (GATE_AGENTS), on a fresh data directory:
#   1. herald starts once and stops (it creates the store and imports realms/, so acme exists)
#   2. herald-bench-seed writes N agents (INTAKE lifecycle records) and one passport each through
#      SQLiteStore's own calls (see Sources/HeraldBenchSeed/main.swift), under eatmydata
#   3. herald starts on that store (it loads the whole lifecycle book: "start s"), RSS idle
#   4. wrk: gate decisions for agent-treasury (a directory agent, ALLOW, each decision audited),
#      then /api/verify for passports picked at random among the N (bench/wrk-verify.lua);
#      herald's VmRSS every 0.5 s across both runs
#   5. the gate again while one outcome report a second (POST {issuer}/agents/agent-treasury/events)
#      changes a lifecycle record (store, then the book): the reports' latency is what a
#      lifecycle change costs with N agents in the book, the gate's rate whether requests wait
# Prints key=value lines (gate_<N>_...) that scripts/bench.sh records, and gate_ratio /
# verify_ratio (1 000 000 / 10 000).
#
# Environment: HERALD_BIN (default: build release), SEED_BIN (default: herald-bench-seed beside
# HERALD_BIN, else the release build's), GATE_AGENTS="10000 1000000", THREADS=2 CONNS=32
# DURATION=10 WARMUP=2, KEEP_WORK=0 (1 = keep the data directories and logs), GATE_SEED_CACHE=
# (a directory: keep each seeded data directory there and start from a copy of it next time,
# skipping the seeding; for trying a change, not for recorded results: the copy was seeded by
# whatever herald-bench-seed ran then).
# Exit status 0 = valid run; 1 = a server did not start, or answered non-2xx under load.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
BENCH=$REPO/bench
THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION=${DURATION:-10} WARMUP=${WARMUP:-2}
GATE_AGENTS=${GATE_AGENTS:-10000 1000000}
KEEP_WORK=${KEEP_WORK:-0}
REALM=acme CALLER=procurement-bot CALLER_SECRET_FILE=$REPO/realms/secrets/procurement-bot GATE_AGENT=agent-treasury
WORK=$(mktemp -d /tmp/herald-bench-gate.XXXXXX)
HZ=$(getconf CLK_TCK)
HERALD_PID='' SAMPLER_PID='' FAILED=0

log() { printf '[bench-gate] %s\n' "$*" >&2; }
fail() { FAILED=1; log "FAILURE: $*"; }
out() { printf '%s=%s\n' "$1" "$2"; }
cpu_s() { awk -v hz="$HZ" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '$1=="VmRSS:"{print $2}' "/proc/$1/status" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

stop_herald() {
  [[ -n $HERALD_PID ]] || return 0
  kill -TERM "$HERALD_PID" 2>/dev/null || true
  local i; for i in $(seq 1 100); do [[ -d /proc/$HERALD_PID ]] || break; sleep 0.1; done
  [[ -d /proc/$HERALD_PID ]] && kill -KILL "$HERALD_PID" 2>/dev/null
  wait "$HERALD_PID" 2>/dev/null || true
  HERALD_PID=''
}
stop_sampler() {
  [[ -n $SAMPLER_PID ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=''
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_sampler; stop_herald
  if [[ $KEEP_WORK == 1 || $rc != 0 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log interrupted; exit 130' INT
trap 'log terminated; exit 143' TERM

# start_herald DATA: herald on a free loopback port; sets HERALD_PID, URL, ISSUER, START_S
start_herald() {
  local data=$1 port i code t0
  port=$(free_port); URL=http://127.0.0.1:$port; ISSUER=$URL/realms/$REALM
  t0=$(date +%s.%N)
  env -u HERALD_MASTER_KEY_FILE -u HERALD_OVERRIDE_REALMS -u HERALD_DEFAULT_REALM -u HERALD_LOG_FORMAT \
    "$HERALD_BIN" serve --realms realms --data "$data" --listen "127.0.0.1:$port" --public-url "$URL" \
    --log-level warning >> "$data.log" 2>&1 &
  HERALD_PID=$!
  for i in $(seq 1 3000); do   # up to 300 s: a big lifecycle book takes a while to load
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$URL/health/ready" 2>/dev/null || true)
    [[ $code == 200 ]] && break
    [[ -d /proc/$HERALD_PID ]] || { HERALD_PID=''; fail "herald exited during start-up: $(tail -3 "$data.log")"; return 1; }
    sleep 0.1
  done
  [[ $code == 200 ]] || { fail "herald not ready after 300 s"; return 1; }
  START_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
}

# run_wrk OUT SECONDS URL [args]: one bounded wrk run
run_wrk() {
  local o=$1 secs=$2 url=$3; shift 3
  [[ $url == http://127.0.0.1:* ]] || { log "refusing non-loopback target $url"; return 1; }
  timeout --foreground -k 5 $((secs + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s --latency "$@" "$url" \
    > "$o" 2>&1 || echo "wrk exit status $?" >> "$o"
}
# wrk_out PREFIX FILE: rps, p99, non-2xx (wrk's and the Lua script's, the larger)
wrk_out() {
  local p=$1 f=$2 a b
  out "${p}_rps" "$(awk '/^Requests\/sec:/{print $2}' "$f")"
  out "${p}_p99" "$(awk '$1=="99%"{print $2}' "$f")"
  a=$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$f"); a=${a:-0}
  b=$(sed -n 's/^lua: non-200 responses=\([0-9]*\), 200-without-expected=\([0-9]*\).*/\1 \2/p' "$f" | awk '{print $1+$2}'); b=${b:-0}
  out "${p}_non2xx" "$(( a > b ? a : b ))"
  if (( a > 0 || b > 0 )) || ! grep -q '^Requests/sec:' "$f"; then
    fail "$p: non-2xx or unexpected answers, or no result: $(grep -E '^lua: first|wrk exit' "$f" | head -2 | cut -c1-300)"
  fi
}

find_bins() {
  if [[ -z ${HERALD_BIN:-} ]]; then
    log "swift build -c release --product herald"; swift build -c release --product herald >&2
    HERALD_BIN=$REPO/.build/release/herald
  fi
  [[ -x $HERALD_BIN ]] || { log "HERALD_BIN=$HERALD_BIN is not executable"; exit 1; }
  if [[ -z ${SEED_BIN:-} ]]; then
    SEED_BIN=$(dirname "$HERALD_BIN")/herald-bench-seed
    if [[ ! -x $SEED_BIN ]]; then
      log "swift build -c release --product herald-bench-seed"; swift build -c release --product herald-bench-seed >&2
      SEED_BIN=$REPO/.build/release/herald-bench-seed
    fi
  fi
  [[ -x $SEED_BIN ]] || { log "SEED_BIN=$SEED_BIN is not executable"; exit 1; }
  command -v wrk >/dev/null || { log "wrk is required (apt-get install wrk)"; exit 1; }
  EATMYDATA=$(command -v eatmydata || true)
  [[ -n $EATMYDATA ]] || log "eatmydata not found (apt-get install eatmydata): seeding waits for every fsync"
}

# bench_size N: one agent count, on its own data directory
bench_size() {
  local n=$1 p="gate_$1" data=$WORK/data-$1 seed c0 c1
  out "${p}_agents" "$n"
  mkdir -p "$data"
  local cached=${GATE_SEED_CACHE:+$GATE_SEED_CACHE/data-$n}
  if [[ -n $cached && -f $cached/.seeded ]]; then
    log "N=$n: copying the seeded store from $cached (GATE_SEED_CACHE)"
    cp -a "$cached/." "$data/"
    out "${p}_seed_cached" 1
  else
    log "N=$n: creating the store"
    start_herald "$data" || return 0
    stop_herald
    log "N=$n: seeding $n agents and passports ($SEED_BIN)"
    seed=$(${EATMYDATA:+"$EATMYDATA"} "$SEED_BIN" --store "$data/herald.sqlite" --realm "$REALM" --agents "$n" 2>&1) \
      || { fail "herald-bench-seed failed: $seed"; return 0; }
    log "N=$n: $seed"
    out "${p}_seed_seconds" "$(sed -n 's/.*seed_seconds=\([0-9.]*\).*/\1/p' <<<"$seed")"
    if [[ -n $cached ]]; then
      rm -rf "$cached"; mkdir -p "$cached"; cp -a "$data/." "$cached/"; touch "$cached/.seeded"
    fi
  fi
  out "${p}_store_mib" "$(du -sm "$data" | cut -f1)"
  start_herald "$data" || return 0
  out "${p}_start_seconds" "$START_S"
  log "N=$n: herald ready after $START_S s (pid $HERALD_PID)"
  local auth; auth="Basic $(printf '%s:%s' "$CALLER" "$(tr -d '\r\n' < "$CALLER_SECRET_FILE")" | base64 -w0)"
  curl -s -o /dev/null -H "Authorization: $auth" -H 'Content-Type: application/json' \
    -d "{\"agent_id\":\"$GATE_AGENT\",\"mcp_server_id\":\"payments-mcp\",\"tool_name\":\"charge\"}" "$ISSUER/mcp/verify" || true
  curl -s -o /dev/null "$ISSUER/api/verify/asp_$(printf '%032x' 0)" || true
  out "${p}_rss_idle_kib" "$(rss_kib "$HERALD_PID")"
  ( while [[ -d /proc/$HERALD_PID ]]; do rss_kib "$HERALD_PID"; sleep 0.5; done ) > "$WORK/rss-$n.txt" 2>/dev/null &
  SAMPLER_PID=$!

  export AUTH_HEADER=$auth EXPECT='"decision":"ALLOW"'
  export BODY="{\"agent_id\":\"$GATE_AGENT\",\"mcp_server_id\":\"payments-mcp\",\"tool_name\":\"charge\"}"
  (( WARMUP > 0 )) && run_wrk "$WORK/gate-warm-$n.txt" "$WARMUP" "$ISSUER/mcp/verify" -s "$BENCH/wrk-json.lua"
  c0=$(cpu_s "$HERALD_PID")
  run_wrk "$WORK/gate-$n.txt" "$DURATION" "$ISSUER/mcp/verify" -s "$BENCH/wrk-json.lua"
  c1=$(cpu_s "$HERALD_PID")
  wrk_out "${p}_gate" "$WORK/gate-$n.txt"
  out "${p}_gate_cpu_s" "$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.2f", b-a}')"

  export VERIFY_BASE="/realms/$REALM/api/verify/" PASSPORTS=$n EXPECT='"status":"VALID"'
  run_wrk "$WORK/verify-$n.txt" "$DURATION" "$URL/realms/$REALM/api/verify/" -s "$BENCH/wrk-verify.lua"
  wrk_out "${p}_verify" "$WORK/verify-$n.txt"

  # The gate again while the lifecycle changes once a second: an outcome report about
  # agent-treasury (stored, then put in the book), as agents registering or being reported on
  # do in production. The reports' own latency is what one lifecycle change costs with N
  # agents in the book; the gate's rate and p99 show whether requests wait for it.
  export AUTH_HEADER=$auth EXPECT='"decision":"ALLOW"'
  export BODY="{\"agent_id\":\"$GATE_AGENT\",\"mcp_server_id\":\"payments-mcp\",\"tool_name\":\"charge\"}"
  local reporter
  ( for i in $(seq 1 $((DURATION - 1))); do   # the realm allows 60 reports a minute per caller
      sleep 1
      curl -s -o "$WORK/event-$n.json" -w '%{http_code} %{time_total}\n' -m 30 -H "Authorization: $auth" \
        -H 'Content-Type: application/json' -d "{\"outcome\":\"success\",\"reference\":\"bench-$i\"}" \
        "$ISSUER/agents/$GATE_AGENT/events" || echo "000 0"
    done ) > "$WORK/events-$n.txt" &
  reporter=$!
  run_wrk "$WORK/gate-changing-$n.txt" "$DURATION" "$ISSUER/mcp/verify" -s "$BENCH/wrk-json.lua"
  wait "$reporter" || true
  wrk_out "${p}_gate_changing" "$WORK/gate-changing-$n.txt"
  if grep -qv '^202 ' "$WORK/events-$n.txt"; then
    fail "outcome report answered $(grep -v '^202 ' "$WORK/events-$n.txt" | head -1): $(head -c 300 "$WORK/event-$n.json")"
  fi
  out "${p}_events" "$(wc -l < "$WORK/events-$n.txt")"
  out "${p}_event_ms" "$(awk '{print $2 * 1000}' "$WORK/events-$n.txt" | sort -n | awk '{a[NR]=$1} END{if (NR) printf "%.1f", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')"
  out "${p}_event_ms_max" "$(awk '{print $2 * 1000}' "$WORK/events-$n.txt" | sort -n | tail -1)"
  stop_sampler
  out "${p}_rss_max_kib" "$(sort -n "$WORK/rss-$n.txt" | tail -1)"
  out "${p}_hwm_kib" "$(awk '$1=="VmHWM:"{print $2}' "/proc/$HERALD_PID/status")"
  stop_herald
  [[ $KEEP_WORK == 1 ]] || rm -rf "$data"
}

main() {
  find_bins
  log "THREADS=$THREADS CONNS=$CONNS DURATION=${DURATION}s; agents: $GATE_AGENTS; work dir $WORK"
  local n results=$WORK/results.txt
  for n in $GATE_AGENTS; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 ]] || { log "GATE_AGENTS must be whole numbers (got '$n')"; exit 1; }
    bench_size "$n" > "$WORK/out-$n.txt"   # not a pipe: bench_size must run in this shell (HERALD_PID, FAILED)
    cat "$WORK/out-$n.txt"; cat "$WORK/out-$n.txt" >> "$results"
  done
  local g10 g1m v10 v1m c10 c1m
  g10=$(sed -n 's/^gate_10000_gate_rps=//p' "$results"); g1m=$(sed -n 's/^gate_1000000_gate_rps=//p' "$results")
  v10=$(sed -n 's/^gate_10000_verify_rps=//p' "$results"); v1m=$(sed -n 's/^gate_1000000_verify_rps=//p' "$results")
  [[ -n $g10 && -n $g1m ]] && out gate_ratio "$(awk -v a="$g1m" -v b="$g10" 'BEGIN{printf "%.3f", a/b}')"
  [[ -n $v10 && -n $v1m ]] && out verify_ratio "$(awk -v a="$v1m" -v b="$v10" 'BEGIN{printf "%.3f", a/b}')"
  c10=$(sed -n 's/^gate_10000_gate_changing_rps=//p' "$results"); c1m=$(sed -n 's/^gate_1000000_gate_changing_rps=//p' "$results")
  [[ -n $c10 && -n $c1m ]] && out gate_changing_ratio "$(awk -v a="$c1m" -v b="$c10" 'BEGIN{printf "%.3f", a/b}')"
  (( FAILED == 0 )) || exit 1
}

main "$@"
