#!/bin/sh
# Starts slapd on port 1389 and, on the first start, adds the base entries, Herald's service
# account (password: the ldap-bind-password secret) and the demo agents and groups. The
# seed goes through ldapadd, not slapadd, so the memberof overlay writes memberOf.
set -eu
STATE=/var/lib/herald-ldap
ROOT_PW=$(cat /run/secrets/ldap-root-password)
BIND_PW=$(cat /run/secrets/ldap-bind-password)
[ -n "$ROOT_PW" ] && [ -n "$BIND_PW" ] || { echo "herald-ldap: empty ldap-root-password or ldap-bind-password secret" >&2; exit 1; }
mkdir -p "$STATE/data"
printf 'rootpw %s\n' "$(slappasswd -s "$ROOT_PW")" > "$STATE/rootpw.conf"
chown -R openldap:openldap "$STATE"
chmod 0600 "$STATE/rootpw.conf"

slapd -d 0 -u openldap -g openldap -f /etc/herald-ldap/slapd.conf -h "ldap://0.0.0.0:1389/" &
pid=$!
trap 'kill -TERM "$pid"; wait "$pid"' TERM INT
i=0
until ldapsearch -x -H ldap://127.0.0.1:1389 -b "" -s base namingContexts >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 100 ] || { echo "herald-ldap: slapd did not start" >&2; exit 1; }
  sleep 0.1
done
if [ ! -f "$STATE/seeded" ]; then
  ldapadd -x -H ldap://127.0.0.1:1389 -D "cn=admin,dc=acme,dc=test" -w "$ROOT_PW" >/dev/null <<LDIF
dn: dc=acme,dc=test
objectClass: dcObject
objectClass: organization
dc: acme
o: Acme

dn: ou=agents,dc=acme,dc=test
objectClass: organizationalUnit
ou: agents

dn: ou=groups,dc=acme,dc=test
objectClass: organizationalUnit
ou: groups

dn: ou=services,dc=acme,dc=test
objectClass: organizationalUnit
ou: services

dn: uid=herald,ou=services,dc=acme,dc=test
objectClass: account
objectClass: simpleSecurityObject
uid: herald
userPassword: $BIND_PW
LDIF
  ldapadd -x -H ldap://127.0.0.1:1389 -D "cn=admin,dc=acme,dc=test" -w "$ROOT_PW" -f /etc/herald-ldap/seed.ldif >/dev/null
  touch "$STATE/seeded"
fi
wait "$pid"
