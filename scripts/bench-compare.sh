#!/usr/bin/env bash
# scripts/bench-compare.sh [OLD.json] [NEW.json] — the regression gate of `make bench` (issue 12):
# compares every ratio (Herald against the peer's best configuration, or against Herald itself)
# and the machine-independent figures (RSS, token size) of two bench results, prints old → new
# for each and lists what got worse by more than BENCH_COMPARE_THRESHOLD percent (default 15).
#
#   OLD  default: bench/results/latest.json as last COMMITTED (git show HEAD:bench/results/latest.json)
#   NEW  default: bench/results/latest.json in the working copy (what the last `make bench` wrote)
#
# Exit status: 0 no regression (or no committed result to compare with: said so), 1 at least one
# regression, 2 a file is missing or not a bench result. The logic is bench/compare.py.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REL=bench/results/latest.json
THRESHOLD=${BENCH_COMPARE_THRESHOLD:-15}
PY=python3; [[ -x $REPO/.venv/bin/python ]] && PY=$REPO/.venv/bin/python

if (( $# > 2 )); then echo "usage: scripts/bench-compare.sh [OLD.json] [NEW.json]" >&2; exit 2; fi
tmp=''
trap '[[ -n $tmp ]] && rm -f "$tmp"' EXIT
if (( $# >= 1 )); then
  old=$1 old_name=$1
else
  old_name="HEAD:$REL ($(git -C "$REPO" log -1 --format=%h -- "$REL" 2>/dev/null || echo '?'))"
  tmp=$(mktemp /tmp/bench-compare.XXXXXX.json)
  if ! git -C "$REPO" show "HEAD:$REL" > "$tmp" 2>/dev/null; then
    echo "bench-compare: no committed $REL yet (HEAD has none): nothing to compare with." >&2
    echo "bench-compare: commit the result of a \`make bench\` run to make it the baseline." >&2
    exit 0
  fi
  old=$tmp
fi
new=${2:-$REPO/$REL}
new_name=${2:-$REL (working copy)}
[[ -f $new ]] || { echo "bench-compare: $new does not exist: run \`make bench\` first, or name the file" >&2; exit 2; }
exec "$PY" "$REPO/bench/compare.py" "$old" "$new" --threshold "$THRESHOLD" --old-name "$old_name" --new-name "$new_name"
