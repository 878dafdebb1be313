#!/usr/bin/env bash
# Tests of scripts/install-deps.sh in a clean clone of the repository (make test-setup).
#
# 1. The real thing, as far as this machine allows: --test in a fresh clone builds .venv with
#    every module the tests import, leaves the clone clean for git, runs again in well under
#    2 s without touching pip, updates in place when a requirements file changes, and no
#    system slapd is left running.
# 2. The apt paths, with fakes beside the real run (this machine already has every package and
#    the tests must not uninstall them): fake dpkg-query reports chosen packages missing, fake
#    apt-get records its call and asks the policy-rc.d whether slapd may start, fake sudo records
#    and runs. Root installs directly; another user goes through sudo; another user without
#    sudo gets a clear error naming the apt-get line, and apt-get is never called.
#
# The files under test (the install scripts, requirements, Tests/setup) are copied from the
# working tree over the clone, so uncommitted edits are what is tested.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/herald-setup-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
chmod 0755 "$WORK"   # the non-root cases run as nobody

failures=0
pass() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s\n' "$1"; [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/     /'; failures=$((failures + 1)); }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "${detail:-}"; fi; detail=; }
detail=

# --- a clean clone ----------------------------------------------------------------------------
CLONE=$WORK/clone
git clone -q --depth 1 "file://$REPO" "$CLONE" || { echo "FAIL git clone $REPO"; exit 1; }
for f in scripts/install-deps.sh scripts/check-test-imports.py deploy/requirements-check.txt \
         Tests/interop/requirements.txt .gitignore Makefile; do
  install -D -m "$(stat -c %a "$REPO/$f")" "$REPO/$f" "$CLONE/$f"
done
cp "$REPO"/Tests/interop/*.py "$CLONE/Tests/interop/"
mkdir -p "$CLONE/Tests/setup" && cp -r "$REPO"/Tests/setup/. "$CLONE/Tests/setup/"
git -C "$CLONE" add -A && git -C "$CLONE" -c user.name=t -c user.email=t@t commit -q -m overlay --allow-empty

# Processes of a system slapd: Debian's runs with -F /etc/ldap/slapd.d (or from its pid file);
# the test fixtures run with -f DIR/slapd.conf and are left alone.
system_slapd() {
  local out
  out=$(pgrep -a -x slapd | grep -v -- ' -f [^ ]*/slapd.conf' || true)
  if [[ -r /run/slapd/slapd.pid ]] && kill -0 "$(cat /run/slapd/slapd.pid)" 2>/dev/null; then
    out+=" pid-file /run/slapd/slapd.pid"
  fi
  if [[ -d /run/systemd/system ]] && systemctl is-active --quiet slapd 2>/dev/null; then out+=" systemd unit active"; fi
  printf '%s' "$out"
}

# --- 1. the real run --------------------------------------------------------------------------
out=$(cd "$CLONE" && scripts/install-deps.sh --test 2>&1); rc=$?
detail=$out check "install-deps.sh --test succeeds in a clean clone" test "$rc" = 0
check "it created .venv/bin/python (a venv, not the system Python)" \
  test -x "$CLONE/.venv/bin/python" -a -f "$CLONE/.venv/pyvenv.cfg"
check "it wrote the requirements stamp" test -s "$CLONE/.venv/.herald-requirements.sha256"
check "no half-built venv is left beside it" test -z "$(ls -d "$CLONE"/.venv.new-* "$CLONE"/.venv.old-* 2>/dev/null)"
out=$("$CLONE/.venv/bin/python" "$CLONE/scripts/check-test-imports.py" "$CLONE/Tests/interop" "$CLONE/Tests/setup" "$CLONE/bench" "$CLONE/scripts" 2>&1); rc=$?
detail=$out check "every third-party module the tests, bench and scripts import loads in the venv" test "$rc" = 0
mkdir -p "$WORK/imports" && printf 'import json\nimport herald_no_such_module\n' > "$WORK/imports/test_x.py"
out=$("$CLONE/.venv/bin/python" "$CLONE/scripts/check-test-imports.py" "$WORK/imports" 2>&1); rc=$?
detail=$out check "...and the import check names a module that does not load" \
  test "$rc" = 1 -a -n "$(grep 'herald_no_such_module (imported by .*test_x.py)' <<<"$out")"
out=$(head -1 "$CLONE/.venv/bin/pytest")
detail=$out check "the venv's scripts name the venv's own interpreter" test "$out" = "#!$CLONE/.venv/bin/python"
out=$(git -C "$CLONE" status --porcelain)
detail=$out check "git sees nothing new in the clone (.venv is ignored)" test -z "$out"
out=$(make -s -C "$CLONE" -n test-interop 2>&1)
detail=$out check "make test-interop runs pytest with .venv/bin/python" grep -q "$CLONE/.venv/bin/python -m pytest" <<<"$out"

start=$(date +%s%N)
out=$(cd "$CLONE" && scripts/install-deps.sh --test 2>&1); rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
detail="rc=$rc, ${ms} ms: $out" check "a second run is silent and takes under 2 s (${ms} ms)" \
  test "$rc" = 0 -a -z "$out" -a "$ms" -lt 2000

echo "# a comment changes the stamp" >> "$CLONE/deploy/requirements-check.txt"
out=$(cd "$CLONE" && scripts/install-deps.sh --test 2>&1); rc=$?
detail=$out check "a changed requirements file updates the venv in place" \
  test "$rc" = 0 -a -n "$(grep 'updating' <<<"$out")"
out=$(cd "$CLONE" && scripts/install-deps.sh --test 2>&1)
detail=$out check "...and the run after that is silent again" test -z "$out"

out=$(system_slapd)
detail=$out check "no system slapd is running" test -z "$out"

out=$(cd "$CLONE" && scripts/install-deps.sh --bogus 2>&1); rc=$?
detail=$out check "an unknown option is refused with what to use" \
  test "$rc" != 0 -a -n "$(grep -e '--test' <<<"$out")"

# --- the package names ------------------------------------------------------------------------
build_pkgs=$("$CLONE/scripts/install-deps.sh" --print-packages | tr '\n' ' ')
test_pkgs=$("$CLONE/scripts/install-deps.sh" --test --print-packages | tr '\n' ' ')
out=$(apt-get install -s -qq $test_pkgs 2>&1); rc=$?
detail=$out check "every package it names exists for apt here ($test_pkgs)" test "$rc" = 0
readme=$(sed -n '/^What the first run installs/,/^As another user/p' "$REPO/README.md")
missing_in_readme=
for pkg in $test_pkgs; do grep -q -F "\`$pkg\`" <<<"$readme" || missing_in_readme+=" $pkg"; done
detail="README.md does not name:$missing_in_readme" check "the README's Quick start names every package it installs" \
  test -z "$missing_in_readme"
detail="build: $build_pkgs" check "the build set is part of the test set" \
  test -z "$(comm -23 <(tr ' ' '\n' <<<"$build_pkgs" | sort) <(tr ' ' '\n' <<<"$test_pkgs" | sort) | tr -d '\n')"

# --- 2. the apt paths, with fakes -------------------------------------------------------------
FAKE=$WORK/fakebin; mkdir -p "$FAKE"
LOGS=$WORK/logs; mkdir -p "$LOGS"; chmod 0777 "$LOGS"
cat > "$FAKE/dpkg-query" <<'EOF'
#!/bin/sh
# Fake: the packages in $FAKE_MISSING are not installed; the rest asks the real dpkg-query.
for last; do :; done
for pkg in $FAKE_MISSING; do [ "$pkg" = "$last" ] && exit 1; done
exec /usr/bin/dpkg-query "$@"
EOF
cat > "$FAKE/apt-get" <<'EOF'
#!/bin/sh
# Fake: records the call, and whether the policy-rc.d would let slapd start (101 = no).
if [ -x "$HERALD_POLICY_RC_D" ]; then "$HERALD_POLICY_RC_D" slapd start; policy=$?; else policy=none; fi
echo "uid=$(id -u) DEBIAN_FRONTEND=${DEBIAN_FRONTEND:-} policy=$policy $*" >> "$FAKE_LOGS/apt-get"
EOF
mkdir -p "$FAKE/with-sudo"
cat > "$FAKE/with-sudo/sudo" <<'EOF'
#!/bin/sh
# Fake: records the call and runs it as the same user.
echo "$*" >> "$FAKE_LOGS/sudo"
[ "$1" = -n ] && [ "$2" = true ] && exit 0
exec "$@"
EOF
cat > "$FAKE/systemctl" <<'EOF'
#!/bin/sh
# Fake: records the call.
echo "$*" >> "$FAKE_LOGS/systemctl"
EOF
mkdir -p "$FAKE/starts-slapd"
cat > "$FAKE/starts-slapd/apt-get" <<'EOF'
#!/bin/sh
# Fake of a maintainer script that starts the daemon anyway: a stand-in "slapd" (sleep) and
# its pid file where Debian's slapd writes it.
echo "$*" >> "$FAKE_LOGS/apt-get"
case "$*" in *install*)
  sleep 300 </dev/null >/dev/null 2>&1 &
  echo $! > "$HERALD_SLAPD_PIDFILE" ;;
esac
EOF
mkdir -p "$FAKE/sudo-needs-password"
cat > "$FAKE/sudo-needs-password/sudo" <<'EOF'
#!/bin/sh
# Fake: a sudo that wants a password (sudo -n fails), and records any other call.
[ "$1" = -n ] && { echo "sudo: a password is required" >&2; exit 1; }
echo "$*" >> "$FAKE_LOGS/sudo"
exit 1
EOF
chmod 0755 "$FAKE"/dpkg-query "$FAKE"/apt-get "$FAKE"/with-sudo/sudo "$FAKE"/systemctl "$FAKE"/starts-slapd/apt-get \
  "$FAKE"/sudo-needs-password/sudo
# A PATH without sudo: every command of /usr/bin and /bin except sudo, plus swift.
NOSUDO=$WORK/nosudo; mkdir -p "$NOSUDO"
for f in /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
  name=${f##*/}; [[ $name == sudo || -e $NOSUDO/$name ]] || ln -s "$f" "$NOSUDO/$name"
done
ln -sf "$(command -v swift)" "$NOSUDO/swift"

# run_deps USER PATH-PREFIX MISSING [ARGS...]: the script in the clone with the fakes.
run_deps() {
  local user=$1 prefix=$2 missing=$3; shift 3
  rm -f "$LOGS"/*
  local cmd=(env -i "PATH=$prefix:$NOSUDO" "HOME=$WORK" "FAKE_MISSING=$missing" "FAKE_LOGS=$LOGS"
             "HERALD_POLICY_RC_D=$POLICY" "HERALD_SYSTEMD_DIR=${SYSTEMD_DIR:-$WORK/no-systemd}"
             "HERALD_SLAPD_PIDFILE=$WORK/slapd.pid" bash "$CLONE/scripts/install-deps.sh" "$@")
  if [[ $user == root ]]; then "${cmd[@]}" </dev/null 2>&1
  elif [[ $(id -u) == 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups "${cmd[@]}" </dev/null 2>&1
  else "${cmd[@]}" </dev/null 2>&1
  fi
}
POLICY=$WORK/policy/policy-rc.d; mkdir -p "$WORK/policy"; chmod 0777 "$WORK/policy"

if [[ $(id -u) == 0 ]]; then
  out=$(run_deps root "$FAKE" "" --test); rc=$?
  detail=$out check "as root with everything installed: apt-get is not called" \
    test "$rc" = 0 -a ! -e "$LOGS/apt-get"

  out=$(run_deps root "$FAKE" "slapd python3-venv" --test); rc=$?
  log=$(cat "$LOGS/apt-get" 2>/dev/null)
  detail="$out
$log" check "as root, missing slapd and python3-venv: apt-get update, then install of exactly those" \
    test "$rc" = 0 -a "$(grep -c . <<<"$log")" = 2 -a -n "$(grep -E 'update' <<<"$log")" \
         -a -n "$(grep -E 'install .* slapd python3-venv$' <<<"$log")"
  detail=$log check "...non-interactive, even when the caller's environment does not say so" \
    test -z "$(grep -v 'DEBIAN_FRONTEND=noninteractive' <<<"$log")"
  detail=$log check "...and while apt-get runs, policy-rc.d forbids starting slapd (101)" \
    test -n "$(grep 'policy=101 install ' <<<"$log")"
  check "...and the policy-rc.d it wrote is removed afterwards" test ! -e "$POLICY"
  detail=$out check "...and it did not use sudo" test ! -e "$LOGS/sudo"

  printf '#!/bin/sh\nexit 101\n# the administrator'"'"'s own\n' > "$POLICY"; chmod 0755 "$POLICY"
  before=$(sha256sum < "$POLICY")
  out=$(run_deps root "$FAKE" "slapd" --test); rc=$?
  detail=$out check "an existing policy-rc.d is used and left as it was" \
    test "$rc" = 0 -a -e "$POLICY" -a "$(sha256sum < "$POLICY")" = "$before"
  rm -f "$POLICY"

  mkdir -p "$WORK/systemd"
  out=$(SYSTEMD_DIR=$WORK/systemd run_deps root "$FAKE" "slapd" --test); rc=$?
  detail="$out
$(cat "$LOGS/systemctl" 2>/dev/null)" check "under systemd, the slapd it installed is stopped and disabled" \
    test "$rc" = 0 -a "$(cat "$LOGS/systemctl" 2>/dev/null)" = "disable --now slapd.service"
  out=$(SYSTEMD_DIR=$WORK/systemd run_deps root "$FAKE" "" --test)
  check "...and a slapd that was there before is left alone" test ! -e "$LOGS/systemctl"

  out=$(run_deps root "$FAKE/starts-slapd:$FAKE" "slapd" --test); rc=$?
  pid=$(cat "$WORK/slapd.pid" 2>/dev/null)
  detail=$out check "a system slapd that starts anyway during the install is stopped" \
    test "$rc" = 0 -a -n "$pid" -a -n "$(grep 'stopping the system slapd' <<<"$out")"
  sleep 0.2
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then fail "...and it is gone (pid $pid still runs)"; kill "$pid"
  else pass "...and it is gone"; fi
fi

out=$(run_deps nobody "$FAKE" "slapd ldap-utils" --test); rc=$?
detail=$out check "not root and no sudo: it stops (exit $rc) before apt-get" \
  test "$rc" != 0 -a ! -e "$LOGS/apt-get"
detail=$out check "...saying it needs root and which apt-get line to run" \
  test -n "$(grep 'needs root' <<<"$out")" -a -n "$(grep -F 'apt-get install -y slapd ldap-utils' <<<"$out")"

out=$(run_deps nobody "$FAKE" "" --test); rc=$?
detail=$out check "not root and no sudo, nothing missing: it succeeds without root" test "$rc" = 0

out=$(run_deps nobody "$FAKE:$FAKE/with-sudo" "libldap2-dev"); rc=$?
log=$(cat "$LOGS/sudo" 2>/dev/null)
detail="$out
sudo: $log" check "not root, with sudo: apt-get runs through sudo" \
  test "$rc" = 0 -a -n "$(grep -E '^env DEBIAN_FRONTEND=noninteractive apt-get install .*libldap2-dev' <<<"$log")" \
       -a -n "$(grep -E 'uid=[1-9].* install ' "$LOGS/apt-get" 2>/dev/null)"

out=$(run_deps nobody "$FAKE:$FAKE/sudo-needs-password" "libldap2-dev"); rc=$?
detail=$out check "not root, sudo wants a password and there is no terminal: a clear error, no apt-get" \
  test "$rc" != 0 -a ! -e "$LOGS/apt-get" -a ! -e "$LOGS/sudo" -a -n "$(grep -F 'apt-get install -y libldap2-dev' <<<"$out")"

if (( failures )); then echo "$failures check(s) failed"; exit 1; fi
echo "all install-deps checks passed"
