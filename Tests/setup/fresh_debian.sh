#!/usr/bin/env bash
# The fresh-machine check (make test-fresh; root, debootstrap and the network; about 2 minutes):
# a new Debian 12 minbase system in a chroot, where nothing of Herald's is installed (no
# python3, no sudo, no slapd), then scripts/install-deps.sh --test in a clone of the repository:
#
# - as a user without root or sudo: stops with the apt-get line to run, installs nothing;
# - as root: installs the packages for real (apt-get, slapd's maintainer scripts), leaves no
#   slapd running and no policy-rc.d behind, builds .venv with Debian's python3 and leaves the
#   system Python without the test packages (PEP 668); a second run is instant;
# - the built herald and the slapd fixture then pass interop tests and the deploy checks there.
#
# Not in `make test`: it needs root, debootstrap and a Debian mirror. The chroot has no Swift
# toolchain (a full build would take 20 minutes): a stand-in `swift` on PATH satisfies the
# script's check, and the host's Swift runtime libraries run the host-built herald.
#   HERALD_BIN       the herald binary to run in the chroot (default .build/debug/herald)
#   DEBIAN_MIRROR    default http://deb.debian.org/debian
#   KEEP_FRESH=1     keep the chroot (its path is printed) instead of deleting it
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERALD_BIN=${HERALD_BIN:-$REPO/.build/debug/herald}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() { printf 'fresh_debian: %s\n' "$*" >&2; exit 2; }
[[ $(id -u) == 0 ]] || die "needs root (debootstrap and chroot): run it as root"
command -v debootstrap >/dev/null || die "needs debootstrap: apt-get install debootstrap"
[[ -x $HERALD_BIN ]] || die "no herald binary at $HERALD_BIN: swift build --product herald (or set HERALD_BIN)"

WORK=$(mktemp -d /tmp/herald-fresh.XXXXXX)
ROOT=$WORK/root
cleanup() {
  mountpoint -q "$ROOT/proc" && umount "$ROOT/proc"
  if findmnt -R "$ROOT" >/dev/null 2>&1; then
    echo "fresh_debian: something is still mounted under $ROOT; not deleting it" >&2
  elif [[ ${KEEP_FRESH:-} == 1 ]]; then
    echo "fresh_debian: kept $ROOT"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | tail -20 | sed 's/^/     /'; failures=$((failures + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "${detail:-}"; fi; detail=; }
detail=

echo "debootstrap bookworm (minbase) from $MIRROR ..."
debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
  || { tail -20 "$WORK/debootstrap.log"; die "debootstrap failed"; }
mount -t proc proc "$ROOT/proc"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# The host's trust store, for pip behind the same network (a TLS-inspecting proxy, say).
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/host-ca.crt" 2>/dev/null || true

# The repository: a clone with the working tree's set-up files over it (what is being tested).
git clone -q --depth 1 "file://$REPO" "$ROOT/src/herald" || die "git clone failed"
for f in scripts/install-deps.sh scripts/check-test-imports.py deploy/requirements-check.txt \
         Tests/interop/requirements.txt .gitignore Makefile; do
  install -D -m "$(stat -c %a "$REPO/$f")" "$REPO/$f" "$ROOT/src/herald/$f"
done
cp "$REPO"/Tests/interop/*.py "$ROOT/src/herald/Tests/interop/"
cp -r "$REPO"/Tests/setup/. "$ROOT/src/herald/Tests/setup/"
install -D -m 0755 "$HERALD_BIN" "$ROOT/src/herald/.build/debug/herald"
# The stand-in toolchain: `swift` for the script's check, the runtime libraries for herald.
printf '#!/bin/sh\necho "stand-in swift of Tests/setup/fresh_debian.sh" >&2\nexit 1\n' > "$ROOT/usr/local/bin/swift"
chmod 0755 "$ROOT/usr/local/bin/swift"
swift_libs=$(ldd "$HERALD_BIN" | awk '/=> \/.*\/swift\// {print $3}')
for lib in $swift_libs; do install -D -m 0644 "$lib" "$ROOT$lib"; done

in_root() {  # in_root USER COMMAND...: a clean environment in the chroot, in the clone
  local user=$1; shift
  local home=/root; [[ $user == root ]] || home=/home/$user
  chroot --userspec="$user:$user" "$ROOT" /usr/bin/env -i HOME="$home" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_CERT=/etc/host-ca.crt SSL_CERT_FILE=/etc/host-ca.crt \
    /bin/bash -c "cd /src/herald && $*" </dev/null 2>&1
}
chroot "$ROOT" useradd -m dev
chroot "$ROOT" chown -R dev:dev /src/herald

out=$(in_root root 'command -v python3 sudo slapd; true')
detail=$out check "the fresh system has no python3, sudo or slapd" test -z "$out"

out=$(in_root dev scripts/install-deps.sh --test); rc=$?
detail=$out check "as a user without root or sudo: it stops (exit $rc)" test "$rc" != 0
detail=$out check "...with the apt-get line to run as root" \
  test -n "$(grep -F 'apt-get install -y libsqlite3-dev' <<<"$out")" -a -n "$(grep 'python3-venv' <<<"$out")"
out=$(in_root root 'dpkg-query -W -f="\${Status}" slapd python3 2>/dev/null; true')
detail=$out check "...and installs nothing" test -z "$(grep 'install ok installed' <<<"$out")"

chroot "$ROOT" chown -R root:root /src/herald
out=$(in_root root scripts/install-deps.sh --test); rc=$?
detail=$out check "as root: install-deps --test succeeds on the fresh system" test "$rc" = 0
out=$(in_root root 'for p in slapd ldap-utils python3 python3-venv libldap2-dev libsqlite3-dev; do dpkg-query -W -f="\${Status}\n" $p; done')
detail=$out check "...the packages are installed" test "$(grep -c 'install ok installed' <<<"$out")" = 6
running=""
for pid in $(pgrep -x slapd); do
  [[ $(readlink "/proc/$pid/root") == "$ROOT" ]] && running+=" $pid"
done
detail="slapd pids in the chroot:$running" check "...no slapd runs (the package's service never started)" test -z "$running"
check "...no policy-rc.d is left behind" test ! -e "$ROOT/usr/sbin/policy-rc.d"
out=$(in_root root 'readlink -f .venv/bin/python')
detail=$out check "...the venv runs Debian's python3" test "$out" = /usr/bin/python3.11
out=$(in_root root 'python3 -c "import requests" 2>&1; python3 -m pip --version 2>&1; true')
detail=$out check "...and the system Python got none of the test packages" \
  test -n "$(grep 'No module named' <<<"$out")"
start=$(date +%s%N)
out=$(in_root root scripts/install-deps.sh --test); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
detail=$out check "a second run is silent and instant (${ms} ms)" test "$rc" = 0 -a -z "$out" -a "$ms" -lt 2000

out=$(in_root root 'PATH=$PWD/.venv/bin:$PATH .venv/bin/python -m pytest -p no:cacheprovider -q Tests/interop/test_tokens.py Tests/interop/test_ldap.py Tests/interop/test_discovery_jwks.py'); rc=$?
detail=$out check "interop tests (tokens, LDAP over the slapd fixture, discovery) pass there" test "$rc" = 0
out=$(in_root root 'PATH=$PWD/.venv/bin:$PATH .venv/bin/python -m pytest -p no:cacheprovider -q Tests/setup/test_deploy.py'); rc=$?
detail=$out check "the deploy checks pass there" test "$rc" = 0

if (( failures )); then echo "$failures check(s) failed"; exit 1; fi
echo "all fresh-machine checks passed"
