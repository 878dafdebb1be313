#!/usr/bin/env bash
# Installs what building and testing Herald needs and is missing; does nothing otherwise.
#   scripts/install-deps.sh          Debian packages for the build (libsqlite3-dev, libldap2-dev,
#                                    zlib1g-dev, git) and the README's walkthrough (curl, python3)
#   scripts/install-deps.sh --test   also slapd, ldap-utils and openssl (LDAP tests), python3-venv,
#                                    and the project venv .venv/ with the Python packages of the
#                                    interop and deploy tests
#   ... --print-packages             only print the Debian packages it would check, one a line
#
# Debian 12 (or another apt system). Packages are installed as root, or through sudo when run
# as another user; without either the script stops and prints the apt-get line to run as root.
# Installing slapd never leaves the system's slapd running: the tests start their own
# (scripts/slapd-fixture.sh). The venv is rebuilt only when a requirements file or the base
# Python changed (a stamp in .venv/), so a second run takes well under a second.
#
# Environment (all optional):
#   HERALD_PYTHON        base interpreter of the venv (default /usr/bin/python3, else python3)
#   HERALD_VENV          venv directory (default .venv in the repository)
#   HERALD_POLICY_RC_D   policy-rc.d that keeps services from starting while apt installs
#                        (default /usr/sbin/policy-rc.d; the set-up tests point it elsewhere)
#   HERALD_SYSTEMD_DIR, HERALD_SLAPD_PIDFILE
#                        how it tells that systemd runs (/run/systemd/system) and where the
#                        system slapd's pid is (/run/slapd/slapd.pid); for the set-up tests
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

log() { printf '[deps] %s\n' "$*" >&2; }
die() { printf '[deps] error: %s\n' "$*" >&2; exit 1; }

mode=build print=0
for arg in "$@"; do
  case $arg in
    --test) mode="test" ;;
    --print-packages) print=1 ;;
    *) die "unknown option ${arg}: use no option (build packages), --test (also test packages and .venv), --print-packages" ;;
  esac
done

packages=(libsqlite3-dev libldap2-dev zlib1g-dev git curl python3)
# The LDAP tests start their own slapd (scripts/slapd-fixture.sh) and seed it with ldapadd;
# the interop tests run in a venv of the Debian python3; systemd brings systemd-analyze, which
# checks deploy/herald.service (Tests/setup/test_deploy.py). The PostgreSQL store tests start
# their own cluster (scripts/postgres.sh); the replica tests put nginx in front of two servers
# (scripts/replicas.sh, its own config and pid under a temp dir).
[[ $mode == test ]] && packages+=(slapd ldap-utils openssl python3-venv systemd postgresql-15 nginx)
if (( print )); then printf '%s\n' "${packages[@]}"; exit 0; fi

command -v swift >/dev/null || die "swift is not on PATH: install Swift 6 from https://www.swift.org/install/linux/ (README: Quick start)"

# --- Debian packages -----------------------------------------------------------------------
missing=()
if command -v dpkg-query >/dev/null; then
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
else
  log "no dpkg-query: not a Debian system; make sure these (or their equivalents) are installed: ${packages[*]}"
fi

# Prints the command prefix that runs as root ("" or "sudo"), or stops with what to run instead.
root_prefix() {
  if [[ $(id -u) == 0 ]]; then
    printf ''
  elif command -v sudo >/dev/null; then
    # A password prompt needs a terminal; without one, sudo must work without a password.
    if [[ -t 0 ]] || sudo -n true 2>/dev/null; then printf 'sudo'; return; fi
    die "installing ${missing[*]} needs root, and sudo -n does not work for $(id -un) (it needs a password, or $(id -un) may not use sudo) and there is no terminal to ask. Run as root:
    apt-get update && apt-get install -y ${missing[*]}
then run this again."
  else
    die "installing ${missing[*]} needs root, and this user ($(id -un)) is not root and there is no sudo. Run as root:
    apt-get update && apt-get install -y ${missing[*]}
then run this again (or install sudo and give $(id -un) the right to use it)."
  fi
}

# slapd's maintainer script would start the system slapd (and enable it at boot). A
# policy-rc.d that answers 101 keeps invoke-rc.d from starting it; systemd is told separately.
policy_rc_d=${HERALD_POLICY_RC_D:-/usr/sbin/policy-rc.d}
policy_created=0
remove_policy() {
  if (( policy_created )); then $SUDO rm -f "$policy_rc_d" || log "could not remove $policy_rc_d: remove it by hand"; fi
}

# The system slapd is running if its pid file (Debian: /run/slapd/slapd.pid) names a live process.
system_slapd_pid() {
  local pidfile=${HERALD_SLAPD_PIDFILE:-/run/slapd/slapd.pid} pid
  [[ -r $pidfile ]] || return 1
  pid=$(<"$pidfile")
  # /proc, not kill -0: a user going through sudo may not signal the openldap user's process.
  [[ $pid =~ ^[0-9]+$ && -d /proc/$pid ]] && printf '%s' "$pid"
}

if (( ${#missing[@]} )); then
  command -v apt-get >/dev/null || die "missing ${missing[*]} and there is no apt-get: install them with your package manager"
  SUDO=$(root_prefix)
  installing_slapd=0
  installing_postgres=0
  for pkg in "${missing[@]}"; do [[ $pkg == slapd ]] && installing_slapd=1; done
  # postgresql-15's maintainer script would start the system cluster on 5432: the same policy.
  # nginx's would start the system nginx on port 80: the same policy too.
  for pkg in "${missing[@]}"; do [[ $pkg == postgresql-15 || $pkg == nginx ]] && installing_postgres=1; done
  if (( installing_slapd || installing_postgres )) && [[ ! -e $policy_rc_d ]]; then
    printf '#!/bin/sh\n# scripts/install-deps.sh: no service starts while Herald'"'"'s test packages install.\nexit 101\n' \
      | $SUDO tee "$policy_rc_d" >/dev/null
    $SUDO chmod 0755 "$policy_rc_d"
    policy_created=1
    trap remove_policy EXIT
  fi
  log "apt-get install ${missing[*]}${SUDO:+ (through sudo)}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
  remove_policy; policy_created=0
  if (( installing_slapd )); then
    # Stop and disable the system slapd we just installed (not one that was there before).
    if [[ -d ${HERALD_SYSTEMD_DIR:-/run/systemd/system} ]]; then
      $SUDO systemctl disable --now slapd.service >/dev/null 2>&1 || log "systemctl disable --now slapd failed"
    elif command -v update-rc.d >/dev/null; then
      $SUDO update-rc.d slapd disable >/dev/null 2>&1 || true
    fi
    if pid=$(system_slapd_pid); then
      log "stopping the system slapd (pid $pid) that the slapd package started"
      $SUDO kill "$pid"
      for _ in $(seq 1 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
      [[ ! -d /proc/$pid ]] || die "the system slapd (pid $pid) still runs: stop it (systemctl disable --now slapd)"
    fi
  fi
fi

[[ $mode == test ]] || exit 0

# --- the project venv ----------------------------------------------------------------------
venv=${HERALD_VENV:-$REPO/.venv}
[[ $venv == /* ]] || venv=$REPO/$venv
requirements=(Tests/interop/requirements.txt deploy/requirements-check.txt)
base=${HERALD_PYTHON:-}
if [[ -z $base ]]; then
  if [[ -x /usr/bin/python3 ]]; then base=/usr/bin/python3; else base=$(command -v python3 || true); fi
fi
[[ -n $base ]] && "$base" -c 'import sys' 2>/dev/null \
  || die "no python3 to build the venv with: apt-get install python3 python3-venv (or set HERALD_PYTHON)"
"$base" -c 'import venv, ensurepip' 2>/dev/null \
  || die "$base cannot create a venv (no ensurepip): apt-get install python3-venv (or set HERALD_PYTHON)"

# The stamp: the base interpreter, its version and every requirements file, hashed.
stamp_of() {
  { printf '%s\n' "$base"; "$base" -c 'import sys; print(sys.version)'; cat "${requirements[@]}"; } | sha256sum | cut -d' ' -f1
}
want=$(stamp_of)
stamp_file=$venv/.herald-requirements.sha256
venv_ok() { [[ -x $venv/bin/python ]] && "$venv/bin/python" -c 'import sys' 2>/dev/null; }
if venv_ok && [[ -f $stamp_file && $(<"$stamp_file") == "$want" ]]; then
  exit 0
fi

# One install at a time (two `make test`s in one tree); the winner's work may satisfy the other.
exec 9>"$venv.lock"
flock 9
if venv_ok && [[ -f $stamp_file && $(<"$stamp_file") == "$want" ]]; then exit 0; fi

requirement_args=()
for file in "${requirements[@]}"; do requirement_args+=(-r "$file"); done
pip_install() {  # $1 = venv
  "$1/bin/python" -m pip install -q --disable-pip-version-check "${requirement_args[@]}" \
    || die "pip install into $1 failed (see above); the network or a pinned version may be the cause"
}
check_imports() {  # $1 = venv: every module the interop and set-up tests import must load
  "$1/bin/python" scripts/check-test-imports.py Tests/interop Tests/setup bench scripts >&2 \
    || die "the venv $1 lacks modules that tests or scripts import (above): add them to Tests/interop/requirements.txt"
}

if venv_ok && [[ $("$venv/bin/python" -c 'import sys; print(sys.version)') == "$("$base" -c 'import sys; print(sys.version)')" ]]; then
  # Same interpreter, new requirements: update in place (a running test keeps its modules).
  log "updating $venv (requirements changed)"
  pip_install "$venv"
  check_imports "$venv"
else
  # A new venv is built beside the old one and renamed into place, so nobody ever sees a
  # half-filled .venv. Scripts in bin/ name their interpreter by absolute path: rewritten.
  staging=$venv.new-$$
  trap 'rm -rf "$staging"' EXIT
  log "creating $venv with $base ($("$base" -c 'import sys; print(sys.version.split()[0])')) and installing ${requirements[*]}"
  "$base" -m venv "$staging"
  pip_install "$staging"
  check_imports "$staging"
  grep -rlI --null -F "$staging" "$staging/bin" "$staging/pyvenv.cfg" | xargs -0 -r sed -i "s#$staging#$venv#g"
  if [[ -e $venv ]]; then mv "$venv" "$venv.old-$$"; fi
  mv "$staging" "$venv"
  rm -rf "$venv.old-$$"
  trap - EXIT
fi
printf '%s\n' "$want" > "$stamp_file"
log "$venv is ready ($venv/bin/python)"
