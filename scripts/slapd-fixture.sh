#!/usr/bin/env bash
# A throw-away OpenLDAP server for tests and the demo: slapd on 127.0.0.1, a free port,
# mdb backend, memberof overlay, a size limit below 2000 (paged searches are unlimited).
#
#   scripts/slapd-fixture.sh start DIR [--tls] [--port N] [--seed FILE.ldif]
#                                                                   start (or restart) in DIR
#   scripts/slapd-fixture.sh stop DIR                               stop by pid (data stays)
#   scripts/slapd-fixture.sh add DIR FILE.ldif                      ldapadd as the root DN
#   scripts/slapd-fixture.sh modify DIR FILE.ldif                   ldapmodify as the root DN
#
# On start it writes DIR/url (ldap://127.0.0.1:PORT), DIR/port and, with --tls, DIR/ldaps-url
# and DIR/ca.pem (a CA generated here; the server's certificate names 127.0.0.1 and localhost).
# Starting a DIR again reuses its configuration, data and ports (a restart after stop).
# Suffix dc=acme,dc=test; root DN cn=admin,dc=acme,dc=test; Herald's service account
# uid=herald,ou=services,dc=acme,dc=test with password in DIR/bind-password.
set -euo pipefail

SUFFIX="dc=acme,dc=test"
ROOT_DN="cn=admin,$SUFFIX"
ROOT_PW="fixture-root-password"
BIND_PW="herald-bind-password-0123"
SIZE_LIMIT=500

die() { printf 'slapd-fixture: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || [[ -x "$1" ]] || die "$1 not found: install slapd and ldap-utils (scripts/install-deps.sh --test)"; }

SLAPD=${SLAPD:-$(command -v slapd || echo /usr/sbin/slapd)}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

write_tls() {
  local dir=$1
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Herald Test CA" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
  chmod 600 "$dir/server.key" "$dir/ca.key"
}

write_config() {
  local dir=$1 tls=$2
  mkdir -p "$dir/data"
  {
    printf 'include /etc/ldap/schema/core.schema\ninclude /etc/ldap/schema/cosine.schema\n'
    printf 'include /etc/ldap/schema/inetorgperson.schema\ninclude /etc/ldap/schema/nis.schema\n'
    printf 'modulepath /usr/lib/ldap\nmoduleload back_mdb\nmoduleload memberof\n'
    printf 'pidfile %s/slapd.pid\nargsfile %s/slapd.args\n' "$dir" "$dir"
    # Plain searches stop at SIZE_LIMIT entries; paged searches (RFC 2696) may return all.
    printf 'sizelimit size.soft=%s size.hard=%s size.prtotal=unlimited\n' "$SIZE_LIMIT" "$SIZE_LIMIT"
    if [[ $tls == 1 ]]; then
      printf 'TLSCACertificateFile %s/ca.pem\nTLSCertificateFile %s/server.pem\nTLSCertificateKeyFile %s/server.key\n' \
        "$dir" "$dir" "$dir"
    fi
    printf 'database mdb\nmaxsize 268435456\nsuffix "%s"\nrootdn "%s"\nrootpw %s\ndirectory %s/data\n' \
      "$SUFFIX" "$ROOT_DN" "$ROOT_PW" "$dir"
    printf 'index objectClass eq\nindex uid eq\nindex cn eq\nindex member eq\nindex uniqueMember eq\nindex memberUid eq\n'
    printf 'access to attrs=userPassword by self write by anonymous auth by * none\n'
    printf 'access to * by * read\n'
    printf 'overlay memberof\nmemberof-refint TRUE\n'
  } > "$dir/slapd.conf"
}

wait_up() {
  local dir=$1 url
  url=$(cat "$dir/url")
  for _ in $(seq 1 100); do
    ldapsearch -x -H "$url" -b "" -s base -LLL namingContexts >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "slapd did not answer on $url (see $dir/slapd.log)"
}

seed_base() {
  local dir=$1
  ldapadd -x -H "$(cat "$dir/url")" -D "$ROOT_DN" -w "$ROOT_PW" >/dev/null <<LDIF
dn: $SUFFIX
objectClass: dcObject
objectClass: organization
dc: acme
o: Acme

dn: ou=agents,$SUFFIX
objectClass: organizationalUnit
ou: agents

dn: ou=groups,$SUFFIX
objectClass: organizationalUnit
ou: groups

dn: ou=services,$SUFFIX
objectClass: organizationalUnit
ou: services

dn: uid=herald,ou=services,$SUFFIX
objectClass: account
objectClass: simpleSecurityObject
uid: herald
userPassword: $BIND_PW
LDIF
}

cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || die "usage: $0 start|stop|add|modify DIR [...]"
shift 2
case $cmd in
  start)
    need "$SLAPD"; need ldapadd; need ldapsearch
    tls=0; seed=; port=
    while (( $# )); do
      case $1 in
        --tls) tls=1 ;;
        --port) port=$2; shift ;;
        --seed) seed=$2; shift ;;
        *) die "unknown option $1" ;;
      esac
      shift
    done
    mkdir -p "$dir"; dir=$(cd "$dir" && pwd)
    fresh=0
    if [[ ! -f $dir/slapd.conf ]]; then
      fresh=1
      [[ $tls == 1 ]] && { need openssl; write_tls "$dir"; }
      write_config "$dir" "$tls"
      if [[ -n $port ]]; then echo "$port" > "$dir/port"; else free_port > "$dir/port"; fi
      printf 'ldap://127.0.0.1:%s' "$(cat "$dir/port")" > "$dir/url"
      if [[ $tls == 1 ]]; then
        free_port > "$dir/ldaps-port"
        printf 'ldaps://127.0.0.1:%s' "$(cat "$dir/ldaps-port")" > "$dir/ldaps-url"
      fi
      printf '%s' "$BIND_PW" > "$dir/bind-password"
      chmod 600 "$dir/bind-password"
    fi
    listen="$(cat "$dir/url")/"
    [[ -f $dir/ldaps-url ]] && listen="$listen $(cat "$dir/ldaps-url")/"
    # Close every inherited descriptor above stderr: a caller that waits for EOF on a pipe or
    # socket it gave us (Foundation's Process does) would otherwise wait for slapd to exit.
    (
      for fd in /proc/$BASHPID/fd/*; do
        fd=${fd##*/}
        (( fd > 2 )) && eval "exec $fd>&-"
      done
      exec "$SLAPD" -f "$dir/slapd.conf" -h "$listen" -d 0
    ) </dev/null >"$dir/slapd.log" 2>&1 &
    wait_up "$dir"
    if [[ $fresh == 1 ]]; then
      seed_base "$dir"
      [[ -n $seed ]] && ldapadd -x -H "$(cat "$dir/url")" -D "$ROOT_DN" -w "$ROOT_PW" -f "$seed" >/dev/null
    fi
    cat "$dir/url"; echo
    ;;
  stop)
    if [[ -f $dir/slapd.pid ]]; then
      pid=$(cat "$dir/slapd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/slapd.pid"
    fi
    ;;
  add|modify)
    file=${1:?LDIF file}
    tool=ldapadd; [[ $cmd == modify ]] && tool=ldapmodify
    "$tool" -x -H "$(cat "$dir/url")" -D "$ROOT_DN" -w "$ROOT_PW" -f "$file" >/dev/null
    ;;
  *) die "unknown command $cmd" ;;
esac
