#!/bin/sh
# Writes the secrets of deploy/compose.yaml once, into deploy/compose/secrets/ (ignored by
# git): the 32-byte master key (base64) and random passwords. An existing file is kept: the
# master key seals the keys in the database, and a new one would make them unreadable.
# The directory is 0700 (only you enter it); the files are 0644 because compose mounts them
# with their host modes into containers whose users (herald 10001, postgres 999) must read them.
set -eu
cd "$(dirname "$0")"
mkdir -p secrets
chmod 0700 secrets
write() {  # $1 = name; the value on standard input
  if [ -s "secrets/$1" ]; then echo "kept secrets/$1"; cat >/dev/null; return; fi
  cat >"secrets/$1.new"
  chmod 0644 "secrets/$1.new"
  mv "secrets/$1.new" "secrets/$1"
  echo "wrote secrets/$1"
}
password() { head -c 24 /dev/urandom | base64 | tr -d '/+=\n'; }
head -c 32 /dev/urandom | base64 | write master-key
for name in postgres-password ldap-root-password ldap-bind-password treasury-bot-secret; do
  password | write "$name"
done
