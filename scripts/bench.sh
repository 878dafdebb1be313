#!/usr/bin/env bash
# scripts/bench.sh — `make bench`: Herald vs the Glewlwyd peer, side by side on loopback.
#
#   1. builds herald (release) unless HERALD_BIN is given, starts it on a free 127.0.0.1 port
#      with a throw-away data directory, verifies one token per client-auth method
#   2. measures with wrk: client_credentials tokens/s (client_secret_basic, private_key_jwt with
#      pre-generated single-use assertions), JWKS GETs/s; RSS idle and sampled under load
#   3. starts the peer (../shared/bench/peer) in each configuration and runs its own bench.sh
#      with the same THREADS/CONNS/DURATION/WARMUP, sampling its RSS the same way
#   4. measures the issued token's size per claim (bench/token_size.py) and, with GATE_SCALE=1,
#      the MCP gate and /api/verify at 10 000 and 1 000 000 agents (scripts/bench-gate.sh)
#   5. writes the markdown table to stdout, bench/results/<UTC stamp>.md and bench/results/latest.md,
#      the same figures as JSON (<UTC stamp>.json, latest.json), and compares latest.json with
#      the last committed one (scripts/bench-compare.sh: what fell by more than 15 %)
#
# Environment (all optional):
#   THREADS=2 CONNS=32 DURATION=10 WARMUP=2   wrk settings, identical for herald and peer
#   ROUNDS=1                   run everything (herald, then the peer) this many times; with >= 3 the
#                              report shows the median and the JSON min/median/max of every figure
#   BENCH_POSTGRES=1           0 = skip the client_secret_basic run on the PostgreSQL store
#   GATE_SCALE=0               1 = also run scripts/bench-gate.sh (10 000 and 1 000 000 agents, ~8 min)
#   HERALD_BIN=path            use this binary, don't build
#   PEER_CONFIGS="packaged wal nofsync"       peer configurations to measure ("" = skip the peer)
#   PEER_KEEP=0                1 = leave the peer running at the end
#   ASSERTION_RATE=25000       assertions generated per second of run (private_key_jwt)
#   HERALD_SCOPE=              optional scope parameter for herald token requests
#   HERALD_READY_TIMEOUT=60    seconds to wait for /health/ready
#   KEEP_WORK=0                1 = keep the work directory (logs, raw wrk output, herald data)
#   STRICT=0                   1 = exit non-zero when a target is missed (not only on failures)
#
# Exit status: 0 = valid run (targets may be missed, see the table); 1 = failed run (herald
# answered non-2xx under load, a token did not verify, a server did not start, ...).
#
# Adding a measurement: write a function measure_<thing> that calls `record key value`, call it
# from main, and add a row for the key in bench/report.py (ROWS).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
PEER_DIR=$(cd "$REPO/../shared/bench/peer" 2>/dev/null && pwd || echo "$REPO/../shared/bench/peer")
BENCH=$REPO/bench
RESULTS=$BENCH/results

THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION=${DURATION:-10} WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-1} GATE_SCALE=${GATE_SCALE:-0}
PEER_CONFIGS=${PEER_CONFIGS-packaged wal nofsync}
PEER_KEEP=${PEER_KEEP:-0}
PEER_STATE=${PEER_STATE:-/tmp/herald-peer}; export PEER_STATE
ASSERTION_RATE=${ASSERTION_RATE:-25000}
HERALD_SCOPE=${HERALD_SCOPE:-}
HERALD_READY_TIMEOUT=${HERALD_READY_TIMEOUT:-60}
KEEP_WORK=${KEEP_WORK:-0}
STRICT=${STRICT:-0}

REALM=acme
BASIC_CLIENT=procurement-bot BASIC_SUBJECT=agent-procurement BASIC_SECRET_FILE=$REPO/realms/secrets/procurement-bot
PKJWT_CLIENT=ledger-agent PKJWT_SUBJECT=agent-ledger PKJWT_KEY=$REPO/realms/demo-keys/ledger-agent.DEMO-ONLY.key.pem

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
WORK=$(mktemp -d /tmp/herald-bench.XXXXXX)
METRICS=$WORK/metrics-1.txt   # one file per round (bench/report.py takes the median over them)
HZ=$(getconf CLK_TCK)
HERALD_PID='' SAMPLER_PID='' PEER_TOUCHED=0
FAILURES=()

# ------------------------------------------------------------------------------ helpers
log()  { printf '[bench] %s\n' "$*" >&2; }
loud() {  # a failure of the bench run: printed so it can't be missed, and listed in the report
  FAILURES+=("$*")
  printf '\n[bench] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '[bench] !!! FAILURE: %s\n' "$*" >&2
  printf '[bench] !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}
record() { printf '%s=%s\n' "$1" "$2" >> "$METRICS"; }
load1() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_s() { awk -v hz="$HZ" '{printf "%.2f", ($14+$15)/hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
status_kib() { awk -v k="$2:" '$1==k{print $2}' "/proc/$1/status" 2>/dev/null; }
# busiest: machine CPU use over 1 s and the 3 busiest processes (to judge noise from other work)
busiest() {
  top -b -n 2 -d 1 -w 200 2>/dev/null | awk '
    /^top -/ {n++}
    n==2 && /^%Cpu/ {for (i=1;i<=NF;i++) if ($i ~ /^id,?$/) idle=$(i-1); printf "machine CPU %.0f%% busy", 100-idle}
    n==2 && /^ *[0-9]+ / && k<3 && $9>0 {printf "%s %s %s%%", (k? ",": ";"), $12, $9; k++}' || echo '?'
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# sampler PID OUT: VmRSS and thread count of PID every 0.5 s until stopped (bounded: 2 h)
start_sampler() {
  local pid=$1 out=$2
  ( for _ in $(seq 1 14400); do
      [[ -d /proc/$pid ]] || break
      awk '$1=="VmRSS:"{r=$2} $1=="Threads:"{t=$2} END{if (r) print r, t}' "/proc/$pid/status" 2>/dev/null || true
      sleep 0.5
    done ) > "$out" &
  SAMPLER_PID=$!
}
stop_sampler() {
  if [[ -n $SAMPLER_PID ]]; then kill "$SAMPLER_PID" 2>/dev/null || true; wait "$SAMPLER_PID" 2>/dev/null || true; fi
  SAMPLER_PID=''
}
sample_max() { awk -v c="${2:-1}" 'BEGIN{m=0} $c>m{m=$c} END{print m}' "$1"; }

# run_wrk OUT SECONDS URL [wrk args...]: one bounded load run (wrk -d plus an outer timeout)
run_wrk() {
  local out=$1 secs=$2 url=$3; shift 3
  [[ $url == http://127.0.0.1:* ]] || { log "refusing non-loopback target $url"; return 1; }
  local rc=0
  timeout --foreground -k 5 $((secs + 20)) \
    wrk -t"$THREADS" -c"$CONNS" -d"${secs}s" --timeout 5s --latency "$@" "$url" > "$out" 2>&1 || rc=$?
  (( rc == 0 )) || echo "wrk exit status $rc" >> "$out"
  return $rc
}

# wrk_stats FILE PREFIX: record PREFIX_{rps,requests,p50,p99,non2xx,no_token,sockerr}
wrk_stats() {
  local f=$1 p=$2 non2xx lua_bad
  record "${p}_rps" "$(awk '/^Requests\/sec:/{print $2}' "$f")"
  record "${p}_requests" "$(awk '/requests in/{print $1}' "$f")"
  record "${p}_p50" "$(awk '$1=="50%"{print $2}' "$f")"
  record "${p}_p99" "$(awk '$1=="99%"{print $2}' "$f")"
  non2xx=$(awk '/Non-2xx or 3xx responses:/{print $NF}' "$f"); non2xx=${non2xx:-0}
  lua_bad=$(sed -n 's/^lua: non-200 responses=\([0-9]*\).*/\1/p' "$f"); lua_bad=${lua_bad:-0}
  record "${p}_non2xx" "$(( non2xx > lua_bad ? non2xx : lua_bad ))"
  record "${p}_no_token" "$(sed -n 's/.*200-without-\(access_token\|expected\)=\([0-9]*\).*/\2/p' "$f")"
  record "${p}_sockerr" "$(sed -n 's/^ *Socket errors: *//p' "$f" | tr -s ' ')"
}
metric() { awk -F= -v k="$1" '$1==k{v=substr($0, length(k)+2)} END{print v}' "$METRICS"; }

# check_herald_run PREFIX NAME: a herald run must have no non-2xx and no 200 without a token
check_herald_run() {
  local p=$1 name=$2 n t
  n=$(metric "${p}_non2xx"); t=$(metric "${p}_no_token")
  if [[ -z $(metric "${p}_rps") ]]; then loud "herald $name: wrk produced no result (see $WORK)"; fi
  if (( ${n:-0} > 0 )); then
    loud "herald $name: $n non-2xx responses (first: $(sed -n -E 's/^lua: first (non-200|bad) response: //p' "$WORK/$p.txt" | cut -c1-200))"
  fi
  if (( ${t:-0} > 0 )); then loud "herald $name: $t 200 responses without the expected member"; fi
  if [[ -n $(metric "${p}_sockerr") ]]; then log "WARNING herald $name: socket errors: $(metric "${p}_sockerr")"; fi
}

# ------------------------------------------------------------------------------ cleanup
stop_herald() {
  [[ -n $HERALD_PID ]] || return 0
  local t0 rc=0 i
  if [[ -d /proc/$HERALD_PID ]]; then
    t0=$(date +%s.%N)
    kill -TERM "$HERALD_PID" 2>/dev/null || true
    for i in $(seq 1 100); do [[ -d /proc/$HERALD_PID ]] || break; sleep 0.1; done
    if [[ -d /proc/$HERALD_PID ]]; then
      log "herald pid $HERALD_PID ignored SIGTERM for 10 s: SIGKILL"; kill -KILL "$HERALD_PID" 2>/dev/null || true
      record herald_stop "did not exit within 10 s of SIGTERM, killed"
    fi
    wait "$HERALD_PID" 2>/dev/null || rc=$?
    if ! grep -q '^herald_stop=' "$METRICS" 2>/dev/null; then
      record herald_stop "SIGTERM -> exit status $rc after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}') s"
    fi
  fi
  HERALD_PID=''
}
stop_peer() {
  if (( PEER_TOUCHED )) && [[ $PEER_KEEP != 1 ]]; then
    "$PEER_DIR/stop-peer.sh" >&2 || true
    PEER_TOUCHED=0
  fi
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_sampler
  stop_herald
  stop_peer
  if [[ $KEEP_WORK == 1 || $rc == 1 ]]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# ------------------------------------------------------------------------------ preflight
preflight() {
  command -v wrk >/dev/null || {
    log "wrk missing: installing it with the peer's packages (apt)"
    command -v apt-get >/dev/null && { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }
  }
  command -v wrk >/dev/null || { log "wrk is required (apt-get install wrk)"; exit 1; }
  python3 -c 'import cryptography' 2>/dev/null || python3 -m pip install -q cryptography
  python3 -c 'import joserfc' 2>/dev/null || python3 -c 'import jwt' 2>/dev/null || python3 -m pip install -q joserfc
  for v in THREADS CONNS DURATION WARMUP ASSERTION_RATE ROUNDS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { log "$v must be a whole number (got '${!v}')"; exit 1; }
  done
  (( DURATION > 0 && CONNS >= THREADS && THREADS > 0 && ROUNDS > 0 )) || { log "need DURATION > 0, CONNS >= THREADS > 0 and ROUNDS > 0"; exit 1; }
  (( DURATION + WARMUP < 240 )) || log "WARNING: DURATION+WARMUP >= 240 s; assertions expire 290 s after generation"

  record stamp "$STAMP"
  record threads "$THREADS"; record conns "$CONNS"; record duration "$DURATION"; record warmup "$WARMUP"
  record wrk_version "$(wrk -v 2>&1 | awk 'NR==1{print $2}')"
  record git_rev "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$REPO" status --porcelain 2>/dev/null | grep -q . && echo '+dirty')"
  record nproc "$(nproc)"
  record cpu_model "$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  record load_start "$(load1)"
  local top; top=$(busiest)
  record top_start "$top"
  # busy = other work uses > 25 % of the machine's CPU right now (loadavg lags by minutes)
  if [[ $top =~ CPU\ ([0-9]+)%\ busy ]] && (( BASH_REMATCH[1] > 25 )); then record machine_busy 1; fi
  record peer_configs "$PEER_CONFIGS"
}

# ------------------------------------------------------------------------------ herald
build_herald() {
  if [[ -n ${HERALD_BIN:-} ]]; then
    [[ -x $HERALD_BIN ]] || { log "HERALD_BIN=$HERALD_BIN is not executable"; exit 1; }
    HERALD_BIN=$(cd "$(dirname "$HERALD_BIN")" && pwd)/$(basename "$HERALD_BIN")
  else
    log "swift build -c release --product herald"
    swift build -c release --product herald >&2
    HERALD_BIN=$REPO/.build/release/herald
  fi
  record herald_bin "${HERALD_BIN#"$REPO"/}"
  case $HERALD_BIN in */release/*) record herald_build release ;; */debug/*) record herald_build debug ;; *) record herald_build unknown ;; esac
}

start_herald() {
  HERALD_PORT=$(free_port)
  HERALD_URL=http://127.0.0.1:$HERALD_PORT
  ISSUER=$HERALD_URL/realms/$REALM
  HERALD_TOKEN_URL=$ISSUER/protocol/openid-connect/token
  HERALD_JWKS_URL=$ISSUER/.well-known/agent-trust-keys
  mkdir -p "$WORK/herald-data"
  log "starting herald on $HERALD_URL (data $WORK/herald-data)"
  # flags only: no HERALD_* environment fallbacks from the caller's shell (a master key file, ...)
  env -u HERALD_MASTER_KEY_FILE -u HERALD_OVERRIDE_REALMS -u HERALD_DEFAULT_REALM -u HERALD_LOG_FORMAT \
  "$HERALD_BIN" serve --realms realms --data "$WORK/herald-data" --listen "127.0.0.1:$HERALD_PORT" \
    --public-url "$HERALD_URL" --log-level warning ${HERALD_EXTRA_ARGS:-} > "$WORK/herald.log" 2>&1 &
  HERALD_PID=$!
  local i code
  for i in $(seq 1 $((HERALD_READY_TIMEOUT * 5))); do
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$HERALD_URL/health/ready" 2>/dev/null || true)
    [[ $code == 200 ]] && break
    if [[ ! -d /proc/$HERALD_PID ]]; then
      loud "herald exited during start-up"; tail -n 30 "$WORK/herald.log" >&2; HERALD_PID=''; return 1
    fi
    sleep 0.2
  done
  if [[ $code != 200 ]]; then
    loud "herald not ready after ${HERALD_READY_TIMEOUT}s (GET /health/ready -> $code)"; tail -n 30 "$WORK/herald.log" >&2; return 1
  fi
  log "herald ready (pid $HERALD_PID) after ~$((i / 5)) s"
}

# verify_herald_tokens: one token per client-auth method, checked against the JWKS
verify_herald_tokens() {
  local out
  out=$(python3 "$BENCH/verify_token.py" --label herald-client_secret_basic --token-url "$HERALD_TOKEN_URL" \
        --jwks-url "$HERALD_JWKS_URL" --issuer "$ISSUER" --client-id "$BASIC_CLIENT" --secret-file "$BASIC_SECRET_FILE" \
        --expect-sub "$BASIC_SUBJECT" --scope "$HERALD_SCOPE" --token-out "$WORK/token-basic.jwt" 2>&1) \
    || loud "herald client_secret_basic token did not verify: $out"
  log "$out"; record herald_verify_basic "$(tail -1 <<<"$out")"
  out=$(python3 "$BENCH/verify_token.py" --label herald-private_key_jwt --token-url "$HERALD_TOKEN_URL" \
        --jwks-url "$HERALD_JWKS_URL" --issuer "$ISSUER" --client-id "$PKJWT_CLIENT" --assertion-key "$PKJWT_KEY" \
        --expect-sub "$PKJWT_SUBJECT" --scope "$HERALD_SCOPE" --token-out "$WORK/token-pkjwt.jwt" 2>&1) \
    || loud "herald private_key_jwt token did not verify: $out"
  log "$out"; record herald_verify_pkjwt "$(tail -1 <<<"$out")"
  measure_token_size basic
  measure_token_size pkjwt
}

# measure_token_size basic|pkjwt: the verified token's bytes per part and per claim (issue 12 item 2)
measure_token_size() {
  local f=$WORK/token-$1.jwt
  [[ -s $f ]] || return 0
  python3 "$BENCH/token_size.py" "token_$1" "$f" >> "$METRICS" 2> "$WORK/token-$1.claims" \
    || { loud "bench/token_size.py failed on the $1 token: $(tail -1 "$WORK/token-$1.claims")"; return 0; }
  log "token ($1): $(metric "token_$1_bytes") bytes; $(tail -1 "$WORK/token-$1.claims" | cut -c1-400)"
  rm -f "$f"
}

measure_herald_rss_idle() {
  local i
  for i in 1 2 3; do
    curl -s -o /dev/null -u "$BASIC_CLIENT:$(tr -d '\r\n' < "$BASIC_SECRET_FILE")" -d grant_type=client_credentials "$HERALD_TOKEN_URL" || true
    curl -s -o /dev/null "$HERALD_JWKS_URL" || true
  done
  sleep 1
  record herald_rss_idle_kib "$(status_kib "$HERALD_PID" VmRSS)"
  log "herald RSS idle: $(metric herald_rss_idle_kib) KiB"
}

# herald_run PREFIX NAME SECONDS URL [wrk args]: one herald load run with CPU accounting
herald_run() {
  local p=$1 name=$2 secs=$3 url=$4 c0; shift 4
  record "${p}_load" "$(load1)"
  c0=$(cpu_s "$HERALD_PID")
  log "herald $name: wrk ${secs}s"
  run_wrk "$WORK/$p.txt" "$secs" "$url" "$@" || true
  record "${p}_cpu_s" "$(awk -v a="$c0" -v b="$(cpu_s "$HERALD_PID")" 'BEGIN{printf "%.2f", b-a}')"
  wrk_stats "$WORK/$p.txt" "$p"
  check_herald_run "$p" "$name"
  [[ -d /proc/$HERALD_PID ]] || loud "herald died during $name"
  log "herald $name: $(metric "${p}_rps") req/s, non-2xx $(metric "${p}_non2xx")"
}

measure_herald_tokens_basic() {
  export BASIC_AUTH SCOPE=$HERALD_SCOPE
  BASIC_AUTH=$(printf '%s:%s' "$BASIC_CLIENT" "$(tr -d '\r\n' < "$BASIC_SECRET_FILE")" | base64 -w0)
  if (( WARMUP > 0 )); then
    herald_run herald_tok_basic_warm "client_secret_basic warm-up" "$WARMUP" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
  fi
  herald_run herald_tok_basic "client_secret_basic tokens" "$DURATION" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
  cat "$WORK/herald_tok_basic.txt" >&2
}

# gen_assertions SECONDS OUT: enough single-use assertions for SECONDS at ASSERTION_RATE
gen_assertions() {
  local n=$(( ASSERTION_RATE * $1 + 1000 ))
  python3 "$BENCH/gen_assertions.py" "$n" "$2" --key "$PKJWT_KEY" --client-id "$PKJWT_CLIENT" --aud "$HERALD_TOKEN_URL" >&2
}

measure_herald_tokens_pkjwt() {
  export WRK_THREADS=$THREADS ASSERTION_CLIENT_ID=$PKJWT_CLIENT SCOPE=$HERALD_SCOPE ASSERTIONS_FILE
  if (( WARMUP > 0 )); then
    ASSERTIONS_FILE=$WORK/assertions-warmup.txt; gen_assertions "$WARMUP" "$ASSERTIONS_FILE"
    herald_run herald_tok_pkjwt_warm "private_key_jwt warm-up" "$WARMUP" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-assertion.lua"
    rm -f "$ASSERTIONS_FILE"
  fi
  ASSERTIONS_FILE=$WORK/assertions.txt; gen_assertions "$DURATION" "$ASSERTIONS_FILE"
  herald_run herald_tok_pkjwt "private_key_jwt tokens" "$DURATION" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-assertion.lua"
  cat "$WORK/herald_tok_pkjwt.txt" >&2
  local f=$WORK/herald_tok_pkjwt.txt
  record herald_tok_pkjwt_loaded "$(sed -n 's/.*assertions loaded=\([0-9]*\).*/\1/p' "$f")"
  record herald_tok_pkjwt_sent "$(sed -n 's/.* sent=\([0-9]*\).*/\1/p' "$f")"
  record herald_tok_pkjwt_exhausted "$(sed -n 's/.*threads_exhausted=\([0-9]*\).*/\1/p' "$f")"
  local ex; ex=$(metric herald_tok_pkjwt_exhausted)
  if (( ${ex:-0} > 0 )); then
    log "WARNING: wrk threads ran out of assertions; the private_key_jwt rate is a lower bound (raise ASSERTION_RATE)"
  fi
  rm -f "$ASSERTIONS_FILE"
}

measure_herald_jwks() {
  herald_run herald_jwks "JWKS GET" "$DURATION" "$HERALD_JWKS_URL"
  cat "$WORK/herald_jwks.txt" >&2
}

# Passport issuance (MCPS format: JCS + ES256 + a stored record + an audit entry per passport),
# asked for by the agent with its own access token.
measure_herald_passports() {
  local access
  access=$(curl -s -u "$BASIC_CLIENT:$(tr -d '\r\n' < "$BASIC_SECRET_FILE")" -d grant_type=client_credentials \
    "$HERALD_TOKEN_URL" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  export AUTH_HEADER="Bearer $access" EXPECT='"passport_id"'
  export BODY='{"public_key":{"kty":"EC","crv":"P-256","x":"YP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7Y","y":"eQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk"}}'
  herald_run herald_passport "MCPS passport issuance" "$DURATION" \
    "$ISSUER/agents/$BASIC_SUBJECT/passport?format=mcps" -s "$BENCH/wrk-json.lua"
  cat "$WORK/herald_passport.txt" >&2
}

# MCP trust-gate decisions (each one audited), asked by a registered client with HTTP Basic.
measure_herald_gate() {
  export AUTH_HEADER="Basic $(printf '%s:%s' "$BASIC_CLIENT" "$(tr -d '\r\n' < "$BASIC_SECRET_FILE")" | base64 -w0)"
  export EXPECT='"decision":"ALLOW"'
  export BODY='{"agent_id":"agent-treasury","mcp_server_id":"payments-mcp","tool_name":"charge"}'
  herald_run herald_gate "MCP gate decisions" "$DURATION" "$ISSUER/mcp/verify" -s "$BENCH/wrk-json.lua"
  cat "$WORK/herald_gate.txt" >&2
}

# Offline passport verification against raw ES256 verification, in one process (CPU only).
measure_passport_verify() {
  local out
  out=$("$HERALD_BIN" passport bench --seconds 2 --output json 2>&1) || { loud "herald passport bench failed: $out"; return 0; }
  record verify_raw_es256_per_s "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["raw_es256_per_s"])' "$out")"
  record verify_jwt_passport_per_s "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["jwt_passport_per_s"])' "$out")"
  record verify_mcps_passport_per_s "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["mcps_passport_per_s"])' "$out")"
  log "passport verify: $out"
}

# Federation trust bundles of 100 000 agents (issue 6): build+sign and verify+apply under 1 s
# each, the full bundle's size and a 1 %-changed delta's size (CPU only, one process).
measure_federation_bundle() {
  local out
  out=$("$HERALD_BIN" federation bench --agents 100000 --output json 2>&1) || { loud "herald federation bench failed: $out"; return 0; }
  local key
  for key in build_sign_seconds verify_apply_seconds full_bytes delta_bytes; do
    record "federation_$key" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "$key")"
  done
  log "federation bundle: $out"
}

bench_herald() {
  rm -rf "$WORK/herald-data"   # each round starts from an empty data directory
  build_herald
  start_herald || return 0
  verify_herald_tokens
  measure_herald_rss_idle
  start_sampler "$HERALD_PID" "$WORK/herald-rss.txt"
  measure_herald_tokens_basic
  measure_herald_tokens_pkjwt
  measure_herald_jwks
  measure_herald_passports
  measure_herald_gate
  stop_sampler
  record herald_rss_max_kib "$(sample_max "$WORK/herald-rss.txt" 1)"
  record herald_threads_max "$(sample_max "$WORK/herald-rss.txt" 2)"
  record herald_hwm_kib "$(status_kib "$HERALD_PID" VmHWM)"
  stop_herald
  measure_passport_verify
  measure_federation_bundle
  measure_upstream_exchange
  measure_agent_signature
  measure_herald_audit_off
  measure_herald_postgres
  measure_gate_scale
}

# The MCP gate and /api/verify at 10 000 and 1 000 000 agents (issue 12 item 5), a herald of its
# own per size (scripts/bench-gate.sh, which seeds the store). Only with GATE_SCALE=1: it takes
# about 8 minutes, 6 of them seeding 1 000 000 agents; `make bench-gate` runs it alone.
measure_gate_scale() {
  [[ $GATE_SCALE == 1 ]] || return 0
  local out=$WORK/bench-gate.txt
  if ! HERALD_BIN=$HERALD_BIN THREADS=$THREADS CONNS=$CONNS DURATION=$DURATION \
      bash "$REPO/scripts/bench-gate.sh" > "$out" 2> "$WORK/bench-gate.log"; then
    loud "scripts/bench-gate.sh failed: $(tail -3 "$WORK/bench-gate.log")"; return 0
  fi
  grep -E '^gate_[A-Za-z0-9_]+=' "$out" >> "$METRICS"
  log "gate scale: $(tr '\n' ' ' < "$out")"
}

# The same client_secret_basic run against a herald with the audit log off, on a fresh data
# directory: what the durable audit log costs (target, issue 12: on ≥ 85% of off).
# kv_from FILE KEY: the value of a `KEY=value` line that a sub-bench printed.
kv_from() { sed -n "s/^$2=//p" "$1" | tail -1; }

# Upstream IdP token exchange (issue 11) against local client_credentials, one herald of its
# own (scripts/bench-upstream.sh: a Keycloak-shaped RS256 token from a loopback JWKS), same wrk
# settings: the ratio is the target, not the rates (that herald runs beside nothing else).
measure_upstream_exchange() {
  local out=$WORK/bench-upstream.txt
  if ! HERALD_BIN=$HERALD_BIN THREADS=$THREADS CONNS=$CONNS DURATION=$DURATION WARMUP=$WARMUP \
      bash "$REPO/scripts/bench-upstream.sh" > "$out" 2> "$WORK/bench-upstream.log"; then
    loud "scripts/bench-upstream.sh failed: $(tail -3 "$WORK/bench-upstream.log")"; return 0
  fi
  record upstream_cc_rps "$(kv_from "$out" client_credentials_rps)"
  record upstream_exchange_rps "$(kv_from "$out" upstream_exchange_rps)"
  log "upstream exchange: $(tr '\n' ' ' < "$out")"
}

# Agent-Signature verification through HeraldVerifier's AgentTrustMiddleware against raw ES256
# verification in the same process (scripts/bench-verifier.sh, release build, CPU only).
measure_agent_signature() {
  local out=$WORK/bench-verifier.txt
  if ! bash "$REPO/scripts/bench-verifier.sh" > "$out" 2> "$WORK/bench-verifier.log"; then
    loud "scripts/bench-verifier.sh failed: $(tail -3 "$WORK/bench-verifier.log")"; return 0
  fi
  record agent_signature_middleware_per_s "$(kv_from "$out" middleware_agent_signature_per_sec)"
  record agent_signature_raw_es256_per_s "$(kv_from "$out" raw_es256_verify_per_sec)"
  log "agent signature: $(tr '\n' ' ' < "$out")"
}

measure_herald_audit_off() {
  rm -rf "$WORK/herald-data"
  HERALD_EXTRA_ARGS="--audit-log off" start_herald || return 0
  if (( WARMUP > 0 )); then
    herald_run herald_tok_noaudit_warm "client_secret_basic warm-up, audit off" "$WARMUP" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
  fi
  herald_run herald_tok_noaudit "client_secret_basic tokens, audit off" "$DURATION" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
  stop_herald
}

# The same client_secret_basic run on the PostgreSQL store: one replica, `--store postgres://…`
# on scripts/postgres.sh's cluster in a database of its own (created empty, dropped after),
# against the SQLite run of the same round (target: ≥ 70 % of it). BENCH_POSTGRES=0 skips it;
# without PostgreSQL installed it is skipped with a warning (scripts/install-deps.sh --test).
pg_psql() { PGOPTIONS="-c client_min_messages=warning" "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
measure_herald_postgres() {
  [[ ${BENCH_POSTGRES:-1} == 1 ]] || { record postgres_skipped "BENCH_POSTGRES=0"; return 0; }
  if ! compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; then
    log "WARNING: PostgreSQL is not installed: the PostgreSQL store run is skipped (scripts/install-deps.sh --test)"
    record postgres_skipped "PostgreSQL not installed"; return 0
  fi
  local admin_url db="herald_bench_$$"
  admin_url=$("$REPO/scripts/postgres.sh" start 2> "$WORK/postgres-start.log") \
    || { loud "scripts/postgres.sh start failed: $(tail -1 "$WORK/postgres-start.log")"; return 0; }
  pg_psql "$admin_url" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" > "$WORK/postgres-db.log" 2>&1 \
    || { loud "could not create the database $db: $(tail -1 "$WORK/postgres-db.log")"; return 0; }
  rm -rf "$WORK/herald-data"
  if HERALD_EXTRA_ARGS="--store ${admin_url%/*}/$db" start_herald; then
    if (( WARMUP > 0 )); then
      herald_run herald_tok_pg_warm "client_secret_basic warm-up, PostgreSQL store" "$WARMUP" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
    fi
    herald_run herald_tok_pg "client_secret_basic tokens, PostgreSQL store" "$DURATION" "$HERALD_TOKEN_URL" -s "$BENCH/wrk-basic.lua"
    stop_herald
  fi
  pg_psql "$admin_url" -c "DROP DATABASE IF EXISTS $db" >> "$WORK/postgres-db.log" 2>&1 || log "WARNING: could not drop $db"
}

# ------------------------------------------------------------------------------ peer
peer_env() {  # peer_env CONFIG -> env assignments for start-peer.sh
  case $1 in
    packaged) echo "SQLITE_JOURNAL=delete PEER_NOFSYNC=0" ;;
    wal)      echo "SQLITE_JOURNAL=wal PEER_NOFSYNC=0" ;;
    nofsync)  echo "SQLITE_JOURNAL=delete PEER_NOFSYNC=1" ;;
    *) return 1 ;;
  esac
}

start_peer() {  # start_peer CONFIG: (re)start the peer in CONFIG; PEER_RESET=1 only as a retry
  local cfg=$1 envs
  envs=$(peer_env "$cfg") || { log "unknown peer configuration '$cfg' (packaged | wal | nofsync)"; return 1; }
  PEER_TOUCHED=1
  log "starting peer: $cfg ($envs)"
  # shellcheck disable=SC2086
  if ! env $envs "$PEER_DIR/start-peer.sh" > "$WORK/peer-$cfg-start.log" 2>&1; then
    log "start-peer.sh failed ($(tail -1 "$WORK/peer-$cfg-start.log")); retrying once with PEER_RESET=1"
    # shellcheck disable=SC2086
    env $envs PEER_RESET=1 "$PEER_DIR/start-peer.sh" > "$WORK/peer-$cfg-start.log" 2>&1 || {
      tail -n 20 "$WORK/peer-$cfg-start.log" >&2; return 1; }
  fi
  record peer_version "$(sed -n 's/^PEER=\(glewlwyd [^ ]*\).*/\1/p' "$WORK/peer-$cfg-start.log")"
}

measure_peer_config() {  # measure_peer_config CONFIG: the peer's own bench.sh + our RSS sampler
  local cfg=$1 p="peer_$1" out pid dir=$WORK/peer-$1
  start_peer "$cfg" || { record "${p}_error" "start-peer.sh failed"; loud "peer ($cfg) did not start"; return 0; }
  pid=$(cat "$PEER_STATE/glewlwyd/run/glewlwyd.pid")
  mkdir -p "$dir"
  record "${p}_load" "$(load1)"
  start_sampler "$pid" "$WORK/peer-$cfg-rss.txt"
  log "peer $cfg: running $PEER_DIR/bench.sh (pid $pid)"
  THREADS=$THREADS CONNS=$CONNS DURATION=$DURATION WARMUP=$WARMUP OUTDIR=$dir BENCH_ALG=ES256 \
    timeout --foreground -k 5 $(( 3 * (DURATION + 20) + WARMUP + 120 )) "$PEER_DIR/bench.sh" > "$WORK/peer-$cfg.log" 2>&1 \
    || log "peer bench.sh ($cfg) exited non-zero (see $WORK/peer-$cfg.log)"
  stop_sampler
  local tokfile; tokfile=$(find "$dir" -maxdepth 1 -name '*-token.txt' | head -1)
  if [[ -z $tokfile ]]; then
    record "${p}_error" "bench.sh produced no result"; loud "peer ($cfg): bench.sh produced no result"; tail -n 20 "$WORK/peer-$cfg.log" >&2; return 0
  fi
  wrk_stats "$tokfile" "${p}_tok"
  record "${p}_tokens_rps" "$(sed -n 's/^tokens_per_s=//p' "$WORK/peer-$cfg.log" | tail -1)"
  record "${p}_jwks_rps" "$(sed -n 's/^jwks_gets_per_s=//p' "$WORK/peer-$cfg.log" | tail -1)"
  record "${p}_rss_idle_kib" "$(sed -n 's/.*peer_rss_kib_idle_before=\([0-9]*\).*/\1/p' "$WORK/peer-$cfg.log" | tail -1)"
  record "${p}_rss_max_kib" "$(sample_max "$WORK/peer-$cfg-rss.txt" 1)"
  record "${p}_hwm_kib" "$(sed -n 's/.*peer_peak_rss_kib=\([0-9]*\).*/\1/p' "$WORK/peer-$cfg.log" | tail -1)"
  # our own check of one peer token (same verifier as herald's), besides the peer's verify_token.py
  # shellcheck disable=SC1091
  if out=$(set -a; . "$PEER_STATE/peer.env"; set +a
            python3 "$BENCH/verify_token.py" --label "peer-$cfg" --token-url "$TOKEN_URL" --jwks-url "$JWKS_URL" \
              --issuer "$ISSUER" --client-id "$CLIENT_ID" --secret-env CLIENT_SECRET --scope "$SCOPE" 2>&1); then
    record "${p}_verify" PASS
  else
    record "${p}_verify" FAIL; loud "peer ($cfg) token did not verify: $out"
  fi
  log "$out"
  log "peer $cfg: $(metric "${p}_tokens_rps") tokens/s, $(metric "${p}_jwks_rps") JWKS GETs/s"
}

bench_peer() {
  local cfg
  [[ -n ${PEER_CONFIGS// /} ]] || { log "PEER_CONFIGS is empty: peer not measured"; return 0; }
  [[ -x $PEER_DIR/start-peer.sh ]] || { loud "peer scripts not found in $PEER_DIR"; return 0; }
  for cfg in $PEER_CONFIGS; do measure_peer_config "$cfg"; done
  stop_peer
}

# ------------------------------------------------------------------------------ report
report() {
  record load_end "$(load1)"
  record top_end "$(busiest)"
  record failures "$(IFS=';'; echo "${FAILURES[*]:-}")"
  mkdir -p "$RESULTS"
  python3 "$BENCH/report.py" --json "$WORK/report.json" "$WORK"/metrics-*.txt > "$WORK/report.md"
  cp "$WORK/report.md" "$RESULTS/$STAMP.md"
  cp "$WORK/report.md" "$RESULTS/latest.md"
  cp "$WORK/report.json" "$RESULTS/$STAMP.json"
  cp "$WORK/report.json" "$RESULTS/latest.json"
  echo
  cat "$WORK/report.md"
  echo
  log "written: bench/results/$STAMP.{md,json} and bench/results/latest.{md,json}"
  # The regression gate: against the last committed latest.json (prints, does not fail the run
  # unless STRICT=1).
  echo
  "$REPO/scripts/bench-compare.sh" || REGRESSED=$?
}

main() {
  preflight
  log "THREADS=$THREADS CONNS=$CONNS DURATION=${DURATION}s WARMUP=${WARMUP}s ROUNDS=$ROUNDS; loadavg $(load1); work dir $WORK"
  local round
  for round in $(seq 1 "$ROUNDS"); do
    METRICS=$WORK/metrics-$round.txt
    record round "$round"
    (( ROUNDS == 1 )) || log "round $round of $ROUNDS"
    bench_herald
    bench_peer
  done
  report
  if (( ${#FAILURES[@]} )); then
    log "BENCH RUN FAILED: ${#FAILURES[@]} failure(s):"; printf '[bench]   - %s\n' "${FAILURES[@]}" >&2
    exit 1
  fi
  if [[ $STRICT == 1 ]] && grep -q 'RESULT failures=0 misses=[1-9]' "$WORK/report.md"; then
    log "STRICT=1 and a target was missed"; exit 2
  fi
  if [[ $STRICT == 1 && ${REGRESSED:-0} == 1 ]]; then
    log "STRICT=1 and a figure fell by more than 15 % against the committed bench/results/latest.json"; exit 2
  fi
}

main "$@"
