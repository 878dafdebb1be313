#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for Herald's tests: its own data directory, its own port,
# listening on 127.0.0.1 only (password auth, SCRAM) and on a socket in its own directory.
#
#   scripts/postgres.sh start    start (initialising on first use); prints the URL
#   scripts/postgres.sh stop     stop the cluster (its data stays)
#   scripts/postgres.sh url      print the URL: postgres://herald:PASSWORD@127.0.0.1:PORT/herald
#
# Idempotent: start on a running cluster only prints the URL. The role `herald` may create
# databases (the tests make one per test and drop it). PostgreSQL refuses to run as root, so
# as root the server runs as the Debian `postgres` user (runuser); as another user, as that user.
#
# Environment: HERALD_POSTGRES_DIR (default ${TMPDIR:-/tmp}/herald-postgres-$UID),
# HERALD_POSTGRES_PORT (default 55432), PGBIN (default the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

die() { printf 'postgres.sh: %s\n' "$*" >&2; exit 1; }

DIR=${HERALD_POSTGRES_DIR:-${TMPDIR:-/tmp}/herald-postgres-$(id -u)}
PORT=${HERALD_POSTGRES_PORT:-55432}
ROLE=herald
DATABASE=herald
# A test-only cluster on loopback: the password guards against other local users, not attackers.
PASSWORD=herald-test-password
URL="postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DATABASE"

if [[ -z ${PGBIN:-} ]]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
fi
[[ -n $PGBIN && -x $PGBIN/pg_ctl ]] \
  || die "PostgreSQL is not installed (no pg_ctl under /usr/lib/postgresql/*/bin): run scripts/install-deps.sh --test (apt-get install postgresql-15)"

# Runs a server tool as the cluster's owner: `postgres` when we are root.
as_owner() {
  if [[ $(id -u) == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user (the postgresql-15 package creates it)"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

running() { as_owner "$PGBIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; }

psql_admin() { as_owner "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres -d postgres "$@"; }

initialise() {
  mkdir -p "$DIR"
  chmod 0700 "$DIR"
  [[ $(id -u) == 0 ]] && chown postgres: "$DIR"
  as_owner "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$DIR/initdb.log" 2>&1 \
    || die "initdb failed: see $DIR/initdb.log"
  # The socket lives in DIR (owner-only), so `trust` on it admits only the owner and root.
  printf 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n' | as_owner tee "$DIR/data/pg_hba.conf" >/dev/null
  printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nfsync = on\nmax_connections = 200\n" \
    "$PORT" "$DIR" | as_owner tee -a "$DIR/data/postgresql.conf" >/dev/null
}

start() {
  [[ -f $DIR/data/PG_VERSION ]] || initialise
  if ! running; then
    as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 start >/dev/null \
      || die "the server did not start on 127.0.0.1:$PORT: see $DIR/server.log (is the port taken? set HERALD_POSTGRES_PORT)"
  fi
  if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'") ]]; then
    psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'"
  fi
  if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'") ]]; then
    psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
  fi
  printf '%s\n' "$URL"
}

stop() {
  if [[ -f $DIR/data/PG_VERSION ]] && running; then
    as_owner "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || die "the server in $DIR did not stop"
  fi
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  url) printf '%s\n' "$URL" ;;
  *) die "usage: scripts/postgres.sh start|stop|url" ;;
esac
