#!/usr/bin/env bash
# Two `herald serve` replicas on one PostgreSQL database behind nginx, from Debian's packages:
# the topology of deploy/compose.yaml without a container engine (docs/operations.md,
# "Running several replicas"). Tests/interop/test_replicas.py runs on it.
#
#   scripts/replicas.sh start    start what is not running (first start: a database of its own,
#                                a master key, free ports); prints the URLs as NAME=VALUE lines
#   scripts/replicas.sh stop     stop nginx and both replicas (SIGTERM, then SIGKILL after 15 s);
#                                the database, master key and ports stay for the next start
#   scripts/replicas.sh stop --purge
#                                also drop the database it created and remove its directory
#   scripts/replicas.sh status   each piece, its pid and whether it is ready; exit 1 unless all run
#
# The pieces, all on 127.0.0.1 and all under DIR:
#   PostgreSQL  scripts/postgres.sh's cluster (127.0.0.1:55432), database herald_replicas
#               (created here, dropped by --purge); or HERALD_REPLICAS_STORE as given
#   replica a   herald serve --store postgres://… --data DIR/a/data, log DIR/a/herald.log
#   replica b   the same store, master key and realm files, --data DIR/b/data
#   nginx       DIR/nginx (config, pid, logs, temp files; as root: a directory of its own in the
#               temp dir, nginx running as nobody), deploy/nginx/herald.conf with these ports:
#               round robin over a and b, passive health checks
# Both replicas use nginx's URL as --public-url, so a token from either has the same issuer.
# Replica a starts first and creates the master realm; its admin credentials are copied to
# DIR/admin-credentials (they log in at either replica: the client is in the database).
#
# Output of start (and status), one per line: lb=URL a=URL b=URL store=URL dir=DIR nginx_dir=DIR
# admin_credentials=FILE master_key=FILE a_pid=PID b_pid=PID nginx_pid=PID.
#
# Environment (all optional):
#   HERALD_BIN                     the herald binary (default .build/debug/herald)
#   HERALD_REPLICAS_DIR            DIR (default ${TMPDIR:-/tmp}/herald-replicas-$UID)
#   HERALD_REPLICAS_DATABASE       database created on scripts/postgres.sh's cluster (herald_replicas)
#   HERALD_REPLICAS_STORE          a postgres:// URL to use instead (its database must exist; never dropped)
#   HERALD_REPLICAS_REALMS         realm files (default the demo realms/)
#   HERALD_REPLICAS_DEFAULT_REALM  --default-realm (default acme)
#   HERALD_REPLICAS_SERVE_ARGS     more `herald serve` flags for both, split on spaces
#   HERALD_REPLICAS_LDAP=1         also a slapd (scripts/slapd-fixture.sh, seeded with the LDAP demo)
#                                  and the realm acme-ldap over it, beside the realm files
# These are read by the first start and kept in DIR/state; later commands use the kept values.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

die() { printf 'replicas.sh: %s\n' "$*" >&2; exit 1; }
log() { printf '[replicas] %s\n' "$*" >&2; }

DIR=${HERALD_REPLICAS_DIR:-${TMPDIR:-/tmp}/herald-replicas-$(id -u)}
STATE=$DIR/state
READY_TIMEOUT=60
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# The pid in FILE if that process is alive and runs PROGRAM (a reused pid is not ours).
live_pid() {  # $1 = pid file, $2 = program name
  local pid
  [[ -r $1 ]] || return 1
  pid=$(<"$1")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$2" || return 1
  printf '%s' "$pid"
}

# HTTP status of URL, or 000 when nothing answers.
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

wait_ready() {  # $1 = base URL, $2 = what, $3 = log file, $4 = pid file, $5 = program
  local deadline=$((SECONDS + READY_TIMEOUT)) code
  while :; do
    code=$(http_status "$1/health/ready")
    [[ $code == 200 ]] && return 0
    live_pid "$4" "$5" >/dev/null || die "$2 exited before it was ready: see $3 (tail below)
$(tail -n 20 "$3" 2>/dev/null)"
    (( SECONDS < deadline )) || die "$2 not ready after ${READY_TIMEOUT}s (last /health/ready: HTTP $code): see $3"
    sleep 0.2
  done
}

# --- first start: ports, store, master key, realm files -------------------------------------
psql_url() { PGOPTIONS="-c client_min_messages=warning" "${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

initialise() {
  mkdir -p "$DIR"
  chmod 0700 "$DIR"
  local store own_db=0 database admin_url realms
  if [[ -n ${HERALD_REPLICAS_STORE:-} ]]; then
    store=$HERALD_REPLICAS_STORE
  else
    database=${HERALD_REPLICAS_DATABASE:-herald_replicas}
    [[ $database =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "HERALD_REPLICAS_DATABASE '$database': use lower-case letters, digits and _"
    admin_url=$(scripts/postgres.sh start)
    # A new topology gets an empty database: a kept one holds keys sealed with another master key.
    psql_url "$admin_url" -c "DROP DATABASE IF EXISTS $database" -c "CREATE DATABASE $database" >/dev/null \
      || die "could not create the database $database on $admin_url"
    store=${admin_url%/*}/$database
    own_db=1
  fi
  # The shared master key: every replica must seal and open keys and digests with the same one.
  (umask 077; head -c 32 /dev/urandom | base64 >"$DIR/master.key")
  realms=${HERALD_REPLICAS_REALMS:-$REPO/realms}
  [[ -d $realms ]] || die "HERALD_REPLICAS_REALMS '$realms' is not a directory of realm files"
  realms=$(cd "$realms" && pwd)
  if [[ ${HERALD_REPLICAS_LDAP:-} == 1 ]]; then
    # The realm files, plus the LDAP demo realm pointed at a slapd of our own.
    scripts/slapd-fixture.sh start "$DIR/slapd" --seed realms/ldap/acme-ldap.ldif >/dev/null
    mkdir -p "$DIR/realms/secrets"
    cp -R "$realms"/. "$DIR/realms/"
    cp realms/ldap/secrets/treasury-bot "$DIR/realms/secrets/treasury-bot"
    cp "$DIR/slapd/bind-password" "$DIR/realms/secrets/ldap-bind"
    sed "s#ldap://127.0.0.1:3389#$(<"$DIR/slapd/url")#" realms/ldap/acme-ldap.yaml >"$DIR/realms/acme-ldap.yaml"
    realms=$DIR/realms
  fi
  {
    printf 'PORT_A=%q\nPORT_B=%q\nPORT_LB=%q\n' "$(free_port)" "$(free_port)" "$(free_port)"
    printf 'STORE=%q\nOWN_DB=%q\nDATABASE=%q\n' "$store" "$own_db" "${database:-}"
    printf 'REALMS=%q\nDEFAULT_REALM=%q\n' "$realms" "${HERALD_REPLICAS_DEFAULT_REALM:-acme}"
    printf 'SERVE_ARGS=%q\nLDAP=%q\n' "${HERALD_REPLICAS_SERVE_ARGS:-}" "${HERALD_REPLICAS_LDAP:-0}"
    printf 'HERALD=%q\n' "$(realpath "${HERALD_BIN:-$REPO/.build/debug/herald}")"
    # As root nginx runs as nobody, who may not be able to reach DIR (pytest's temp dirs are
    # 0700): its directory is then one of its own in the temp dir, which only nobody writes.
    if [[ $(id -u) == 0 ]]; then printf 'NGINX_DIR=%q\n' "$(mktemp -d "${TMPDIR:-/tmp}/herald-replicas-nginx-XXXXXX")"
    else printf 'NGINX_DIR=%q\n' "$DIR/nginx"; fi
  } >"$STATE.new"
  chmod 0600 "$STATE.new"
  mv "$STATE.new" "$STATE"
}

load_state() {
  [[ -r $STATE ]] || return 1
  # shellcheck disable=SC1090
  source "$STATE"
  LB=http://127.0.0.1:$PORT_LB
}

# --- the pieces ------------------------------------------------------------------------------
port_of() { if [[ $1 == a ]]; then printf '%s' "$PORT_A"; else printf '%s' "$PORT_B"; fi; }

start_replica() {  # $1 = a or b
  local r=$1 port
  port=$(port_of "$r")
  live_pid "$DIR/$r/pid" herald >/dev/null && return 0
  [[ -x $HERALD ]] || die "no herald binary at $HERALD: swift build --product herald, or set HERALD_BIN (on the first start)"
  [[ $(http_status "http://127.0.0.1:$port/health/live") == 000 ]] \
    || die "port $port of replica $r is taken by another process: stop it, or stop --purge and start again (new ports)"
  mkdir -p "$DIR/$r/data"
  # shellcheck disable=SC2086  # SERVE_ARGS is a list of flags, split on purpose
  HERALD_MASTER_KEY_FILE=$DIR/master.key setsid "$HERALD" serve \
    --store "$STORE" --data "$DIR/$r/data" --realms "$REALMS" --default-realm "$DEFAULT_REALM" \
    --listen "127.0.0.1:$port" --public-url "$LB" --trusted-proxy 127.0.0.1 --log-format text \
    $SERVE_ARGS >>"$DIR/$r/herald.log" 2>&1 </dev/null &
  echo $! >"$DIR/$r/pid"
  wait_ready "http://127.0.0.1:$port" "replica $r" "$DIR/$r/herald.log" "$DIR/$r/pid" herald
  if [[ -f $DIR/$r/data/admin-credentials && ! -f $DIR/admin-credentials ]]; then
    (umask 077; cp "$DIR/$r/data/admin-credentials" "$DIR/admin-credentials")
  fi
}

start_nginx() {
  local d=$NGINX_DIR
  live_pid "$d/nginx.pid" nginx >/dev/null && return 0
  [[ -x $NGINX ]] || die "nginx is not installed: run scripts/install-deps.sh --test (apt-get install nginx)"
  mkdir -p "$d/tmp" "$d/logs"
  # deploy/nginx/herald.conf with this topology's addresses.
  sed -e "s#server herald-a:8080 #server 127.0.0.1:$PORT_A #" -e "s#server herald-b:8080 #server 127.0.0.1:$PORT_B #" \
    -e "s#listen 8080;#listen 127.0.0.1:$PORT_LB;#" deploy/nginx/herald.conf >"$d/herald.conf"
  grep -q "127.0.0.1:$PORT_A " "$d/herald.conf" && grep -q "127.0.0.1:$PORT_B " "$d/herald.conf" \
    && grep -q "listen 127.0.0.1:$PORT_LB;" "$d/herald.conf" \
    || die "deploy/nginx/herald.conf no longer has the lines 'server herald-a:8080 …', 'server herald-b:8080 …' and 'listen 8080;' that this script rewrites"
  cat >"$d/nginx.conf" <<EOF
# Written by scripts/replicas.sh: everything nginx writes stays under $d.
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log notice;
events { worker_connections 1024; }
http {
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    include $d/herald.conf;
}
EOF
  # nginx never runs as root here: as root, it runs as nobody, which owns only its directory.
  local as_user=()
  if [[ $(id -u) == 0 ]]; then
    id nobody >/dev/null 2>&1 || die "running as root needs the 'nobody' user to run nginx as"
    chmod 0755 "$d"
    chown -R nobody: "$d"
    as_user=(runuser -u nobody --)
  fi
  "${as_user[@]}" "$NGINX" -q -p "$d" -c "$d/nginx.conf" -t 2>"$DIR/nginx-check.log" \
    || die "nginx refuses $d/nginx.conf: $(cat "$DIR/nginx-check.log")"
  "${as_user[@]}" "$NGINX" -q -p "$d" -c "$d/nginx.conf" 2>>"$DIR/nginx-check.log" </dev/null \
    || die "nginx did not start: see $d/logs/error.log and $DIR/nginx-check.log"
  local deadline=$((SECONDS + 10))
  until live_pid "$d/nginx.pid" nginx >/dev/null; do
    (( SECONDS < deadline )) || die "nginx wrote no pid file: see $d/logs/error.log"
    sleep 0.1
  done
  wait_ready "$LB" "nginx" "$d/logs/error.log" "$d/nginx.pid" nginx
}

print_urls() {
  printf 'lb=%s\na=http://127.0.0.1:%s\nb=http://127.0.0.1:%s\nstore=%s\ndir=%s\nnginx_dir=%s\n' \
    "$LB" "$PORT_A" "$PORT_B" "$STORE" "$DIR" "$NGINX_DIR"
  printf 'admin_credentials=%s\nmaster_key=%s\n' "$DIR/admin-credentials" "$DIR/master.key"
  printf 'a_pid=%s\nb_pid=%s\nnginx_pid=%s\n' "$(live_pid "$DIR/a/pid" herald || true)" \
    "$(live_pid "$DIR/b/pid" herald || true)" "$(live_pid "$NGINX_DIR/nginx.pid" nginx || true)"
}

# --- commands --------------------------------------------------------------------------------
start() {
  load_state || { initialise; load_state; }
  if [[ $LDAP == 1 && -d $DIR/slapd ]]; then scripts/slapd-fixture.sh start "$DIR/slapd" >/dev/null; fi
  if [[ $OWN_DB == 1 ]]; then scripts/postgres.sh start >/dev/null; fi
  start_replica a
  start_replica b
  start_nginx
  print_urls
}

stop_pid() {  # $1 = pid file, $2 = program, $3 = what
  local pid
  pid=$(live_pid "$1" "$2") || { rm -f "$1"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  if [[ -d /proc/$pid ]]; then
    log "$3 (pid $pid) ignored SIGTERM for 15 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  fi
  [[ ! -d /proc/$pid ]] || die "$3 (pid $pid) does not stop"
  rm -f "$1"
}

stop() {
  local purge=0
  [[ ${1:-} == --purge ]] && purge=1
  [[ -n ${1:-} && $purge == 0 ]] && die "stop takes no option but --purge"
  load_state || { (( purge )) && rm -rf "$DIR"; return 0; }
  stop_pid "$NGINX_DIR/nginx.pid" nginx nginx
  stop_pid "$DIR/a/pid" herald "replica a"
  stop_pid "$DIR/b/pid" herald "replica b"
  if [[ $LDAP == 1 && -d $DIR/slapd ]]; then scripts/slapd-fixture.sh stop "$DIR/slapd" >/dev/null || true; fi
  if (( purge )); then
    if [[ $OWN_DB == 1 ]]; then
      psql_url "$(scripts/postgres.sh start)" -c "DROP DATABASE IF EXISTS $DATABASE" >/dev/null \
        || die "could not drop the database $DATABASE: drop it by hand"
    fi
    rm -rf "$DIR" "$NGINX_DIR"
  fi
}

status() {
  load_state || { printf 'no topology in %s: scripts/replicas.sh start\n' "$DIR"; return 1; }
  local all=0 pid
  for piece in a b nginx; do
    case $piece in
      a) pid=$(live_pid "$DIR/a/pid" herald || true); url=http://127.0.0.1:$PORT_A ;;
      b) pid=$(live_pid "$DIR/b/pid" herald || true); url=http://127.0.0.1:$PORT_B ;;
      nginx) pid=$(live_pid "$NGINX_DIR/nginx.pid" nginx || true); url=$LB ;;
    esac
    if [[ -n $pid ]]; then
      printf '%-6s running  pid %-8s %s  /health/ready: HTTP %s\n' "$piece" "$pid" "$url" "$(http_status "$url/health/ready")"
    else
      printf '%-6s stopped\n' "$piece"; all=1
    fi
  done
  print_urls
  return $all
}

case ${1:-} in
  start) start ;;
  stop) shift; stop "$@" ;;
  status) status ;;
  *) die "usage: scripts/replicas.sh start | stop [--purge] | status" ;;
esac
