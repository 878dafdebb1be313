#!/usr/bin/env bash
# scripts/bench-upstream.sh — upstream IdP token exchanges/s vs local client_credentials
# tokens/s, in the same run against one Herald (issue 11 target: ratio >= 0.70).
#
#   1. builds herald (release) unless HERALD_BIN is given; starts it on a free 127.0.0.1 port
#      with a throw-away data directory and a realm `bench` with one upstream IdP whose JWKS
#      (one RS256 key, Keycloak shape) a loopback Python server publishes with Cache-Control
#   2. mints one Keycloak-shaped RS256 access token (joserfc), checks that one exchange gives
#      the mapped level, then measures with wrk, one after the other, same settings:
#        client_credentials  (client_secret_basic)              -> cc_rps
#        token exchange of the upstream token (same client auth) -> exchange_rps
#   3. prints key=value lines, the last one `upstream_exchange_ratio=<exchange_rps/cc_rps>`
#
# Environment (all optional):
#   THREADS=2 CONNS=32 DURATION=10 WARMUP=2   wrk settings, identical for both runs
#   HERALD_BIN=path     use this binary, don't build (a debug build gives a ratio, not rates)
#   KEEP_WORK=0         1 = keep the work directory (herald log, wrk output)
#   STRICT=0            1 = exit 2 when the ratio is below 0.70
#   HERALD_BUILD=       release|debug: what HERALD_BIN is, when it is a copy outside .build
#
# Besides the rates it prints herald's CPU time per request of each run (utime+stime from
# /proc, over wrk's request count) and their ratio `cpu_ratio`: on a shared, noisy machine
# the rates swing with the other load, the CPU cost of a request much less.
#
# Exit status: 0 = valid run; 1 = failed run (a server did not start, a non-200 under load,
# the exchanged token had the wrong level); 2 = STRICT and the target was missed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
THREADS=${THREADS:-2} CONNS=${CONNS:-32} DURATION=${DURATION:-10} WARMUP=${WARMUP:-2}
KEEP_WORK=${KEEP_WORK:-0} STRICT=${STRICT:-0}
PY=python3; [[ -x $REPO/.venv/bin/python ]] && PY=$REPO/.venv/bin/python
WORK=$(mktemp -d /tmp/herald-bench-upstream.XXXXXX)
HERALD_PID='' JWKS_PID=''

log() { printf '[bench-upstream] %s\n' "$*" >&2; }
fail() { log "FAILURE: $*"; exit 1; }
free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cleanup() {
  # Only the processes this script started, by their pids.
  [[ -n $HERALD_PID ]] && kill "$HERALD_PID" 2>/dev/null && wait "$HERALD_PID" 2>/dev/null || true
  [[ -n $JWKS_PID ]] && kill "$JWKS_PID" 2>/dev/null && wait "$JWKS_PID" 2>/dev/null || true
  if [[ $KEEP_WORK == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

command -v wrk >/dev/null || fail "wrk is not installed (apt-get install wrk)"
"$PY" -c 'import joserfc' 2>/dev/null || fail "$PY lacks joserfc (make venv, or pip install joserfc)"

if [[ -n ${HERALD_BIN:-} ]]; then
  [[ -x $HERALD_BIN ]] || fail "HERALD_BIN=$HERALD_BIN is not executable"
else
  log "swift build -c release --product herald"
  swift build -c release --product herald >&2
  HERALD_BIN=$REPO/.build/release/herald
fi
case $HERALD_BIN in */release/*) BUILD=release ;; */debug/*) BUILD=debug ;; *) BUILD=unknown ;; esac
if [[ -n ${HERALD_BUILD:-} ]]; then BUILD=$HERALD_BUILD
elif [[ $BUILD == unknown ]]; then  # a copy taken out of .build: the build it is identical to
  for candidate in release debug; do
    cmp -s "$HERALD_BIN" "$REPO/.build/$candidate/herald" 2>/dev/null && { BUILD=$candidate; break; }
  done
fi

# -------------------------------------------------------------- the upstream IdP's key and token
JWKS_PORT=$(free_port) HERALD_PORT=$(free_port)
IDP_ISS=http://127.0.0.1:$JWKS_PORT/realms/upstream
mkdir -p "$WORK/jwks" "$WORK/realms" "$WORK/data"
"$PY" - "$WORK" "$IDP_ISS" <<'PY'
import json, sys, time, uuid
from joserfc import jwk, jwt
work, iss = sys.argv[1], sys.argv[2]
key = jwk.RSAKey.generate_key(2048, parameters={"kid": "bench-rs256", "use": "sig", "alg": "RS256"})
open(f"{work}/jwks/certs", "w").write(json.dumps({"keys": [key.as_dict(private=False)]}))
now = int(time.time())
claims = {"iss": iss, "sub": str(uuid.uuid4()), "aud": ["herald", "account"], "typ": "Bearer", "azp": "web",
          "exp": now + 3600, "iat": now, "jti": str(uuid.uuid4()), "preferred_username": "bench-user",
          "realm_access": {"roles": ["agent-operators", "offline_access"]}, "scope": "openid profile"}
open(f"{work}/upstream.jwt", "w").write(jwt.encode({"alg": "RS256", "typ": "JWT", "kid": "bench-rs256"}, claims, key))
PY
cat > "$WORK/jwks_server.py" <<'PY'
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
class Handler(SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Cache-Control", "public, max-age=300")
        super().end_headers()
    def log_message(self, *args):
        pass
    def guess_type(self, path):
        return "application/json"
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), lambda *a: Handler(*a, directory=sys.argv[2])).serve_forever()
PY
"$PY" "$WORK/jwks_server.py" "$JWKS_PORT" "$WORK/jwks" & JWKS_PID=$!

SECRET=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
cat > "$WORK/realms/bench.yaml" <<EOF
realm: bench
directory:
  static:
    agents: [{id: agent-orchestrator, roles: [mcps-l3]}]
clients:
  - {client_id: orchestrator, subject: agent-orchestrator, auth: client_secret_basic, secret: "$SECRET"}
upstream_idps:
  - issuer: $IDP_ISS
    jwks_uri: http://127.0.0.1:$JWKS_PORT/certs
    audience: herald
    roles_claim: realm_access.roles
    role_mappings: {agent-operators: mcps-l3}
    may_act: [orchestrator]
EOF

# -------------------------------------------------------------- herald
BASE=http://127.0.0.1:$HERALD_PORT
"$HERALD_BIN" serve --realms "$WORK/realms" --data "$WORK/data" --listen "127.0.0.1:$HERALD_PORT" \
  --public-url "$BASE" --default-realm bench --log-format text --log-level warning > "$WORK/herald.log" 2>&1 &
HERALD_PID=$!
for _ in $(seq 1 600); do
  curl -s -o /dev/null -w '%{http_code}' "$BASE/health/ready" 2>/dev/null | grep -q 200 && break
  kill -0 "$HERALD_PID" 2>/dev/null || { tail -20 "$WORK/herald.log" >&2; fail "herald exited"; }
  sleep 0.1
done
curl -s -o /dev/null -w '%{http_code}' "$BASE/health/ready" | grep -q 200 || fail "herald not ready in 60 s"
TOKEN_URL=$BASE/realms/bench/protocol/openid-connect/token
SUBJECT=$(cat "$WORK/upstream.jwt")
EXCHANGE_BODY="grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&subject_token=$SUBJECT&subject_token_type=urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token"

# One exchange, checked: the level the role maps to, the idp claim.
curl -s -u "orchestrator:$SECRET" -d "$EXCHANGE_BODY" "$TOKEN_URL" > "$WORK/one.json"
"$PY" - "$WORK/one.json" "$IDP_ISS" <<'PY' || fail "the exchanged token is not as expected: $(cat "$WORK/one.json")"
import base64, json, sys
body = json.load(open(sys.argv[1]))
part = body["access_token"].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
assert claims["mcps"]["trust_level"] == 3 and claims["idp"] == sys.argv[2], claims
PY

# -------------------------------------------------------------- load
cat > "$WORK/post.lua" <<'LUA'
-- POST BODY_FILE's contents with HTTP Basic AUTH; count non-200 answers.
local f = assert(io.open(os.getenv("BODY_FILE"), "rb")); local body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("AUTH")
non200, first_bad = 0, ""
function response(status, headers, b)
  if status ~= 200 then non200 = non200 + 1; if first_bad == "" then first_bad = status .. " " .. b:sub(1, 200) end end
end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done()
  local bad, first = 0, ""
  for _, t in ipairs(threads) do bad = bad + (t:get("non200") or 0); if first == "" then first = t:get("first_bad") or "" end end
  io.write(string.format("lua: non-200 responses=%d %s\n", bad, first))
end
LUA
printf '%s' "grant_type=client_credentials" > "$WORK/cc.body"
printf '%s' "$EXCHANGE_BODY" > "$WORK/exchange.body"
AUTH=$(printf '%s' "orchestrator:$SECRET" | base64 -w0); export AUTH

cpu_ticks() { awk '{print $14 + $15}' "/proc/$HERALD_PID/stat"; }  # herald's utime+stime
run() {  # run NAME SECONDS -> prints requests/s; writes herald's CPU µs per request to NAME.cpu
  local name=$1 seconds=$2 before after
  before=$(cpu_ticks)
  BODY_FILE=$WORK/$name.body timeout $((seconds + 20)) wrk -t"$THREADS" -c"$CONNS" -d"${seconds}s" \
    -s "$WORK/post.lua" "$TOKEN_URL" > "$WORK/$name.wrk" 2>&1 || fail "wrk $name failed: $(tail -5 "$WORK/$name.wrk")"
  after=$(cpu_ticks)
  grep -q 'lua: non-200 responses=0 ' "$WORK/$name.wrk" || fail "$name: $(grep 'lua:' "$WORK/$name.wrk")"
  awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '/ requests in /{printf "%.0f", t / hz * 1e6 / $1}' \
    "$WORK/$name.wrk" > "$WORK/$name.cpu"
  awk '/^Requests\/sec:/{print $2}' "$WORK/$name.wrk"
}
log "warm-up ${WARMUP}s each, then ${DURATION}s each: $THREADS threads, $CONNS connections ($BUILD build)"
run cc "$WARMUP" >/dev/null; run exchange "$WARMUP" >/dev/null
CC=$(run cc "$DURATION")
EX=$(run exchange "$DURATION")
RATIO=$(awk -v a="$EX" -v b="$CC" 'BEGIN{printf "%.2f", a / b}')
echo "herald_build=$BUILD"
echo "wrk=threads:$THREADS,conns:$CONNS,duration:${DURATION}s"
echo "client_credentials_rps=$CC"
echo "upstream_exchange_rps=$EX"
echo "client_credentials_cpu_us_per_request=$(cat "$WORK/cc.cpu")"
echo "upstream_exchange_cpu_us_per_request=$(cat "$WORK/exchange.cpu")"
echo "cpu_ratio=$(awk -v a="$(cat "$WORK/cc.cpu")" -v b="$(cat "$WORK/exchange.cpu")" 'BEGIN{printf "%.2f", a / b}')"
echo "upstream_exchange_ratio=$RATIO"
if [[ $STRICT == 1 ]] && awk -v r="$RATIO" 'BEGIN{exit !(r < 0.70)}'; then exit 2; fi
