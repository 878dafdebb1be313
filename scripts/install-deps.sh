#!/usr/bin/env bash
# Installs what building and testing Herald needs and is missing; does nothing otherwise.
#   scripts/install-deps.sh          system packages for the build (libsqlite3-dev, libldap2-dev)
#   scripts/install-deps.sh --test   also slapd and ldap-utils (LDAP tests) and the Python
#                                    packages of the interop tests
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[deps] %s\n' "$*" >&2; }

command -v swift >/dev/null || { log "swift is not on PATH: install Swift 6 (see README)"; exit 1; }

packages=(libsqlite3-dev libldap2-dev zlib1g-dev curl)
# The LDAP tests start their own slapd (scripts/slapd-fixture.sh) and seed it with ldapadd.
[[ ${1:-} == --test ]] && packages+=(slapd ldap-utils openssl)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  SUDO=; [[ $(id -u) == 0 ]] || SUDO=sudo
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ${1:-} == --test ]]; then
  if ! python3 -c 'import pytest, requests, jwt, joserfc, authlib, cryptography, yaml, mcp_secure, openapi_spec_validator, schemathesis' 2>/dev/null; then
    log "pip install -r Tests/interop/requirements.txt"
    python3 -m pip install -q -r Tests/interop/requirements.txt
  fi
fi
