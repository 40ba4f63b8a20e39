#!/usr/bin/env bash
# The packaging check (CI): builds the .deb (scripts/package.sh), installs it with apt as on a
# fresh machine, checks what it installed (user, modes, unit with systemd-analyze verify), then
# starts the installed trackerd with the installed config as the unit would — as the trackerd
# user, or through systemctl when systemd runs the machine — and checks /healthz, /readyz and
# /metrics. Purges the package at the end (KEEP=1 keeps it). Debian 12, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - started )) s)"; }
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "run as root (apt-get install, runuser)"

export DEBIAN_FRONTEND=noninteractive
need=()
for tool in systemd-analyze:systemd curl:curl dpkg-shlibdeps:dpkg-dev; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

step "build the package"
deb=$(bash scripts/package.sh)
[ -f "$deb" ] || fail "no package built"
dpkg-deb -I "$deb" | sed -n 's/^ Depends:/Depends:/p'

step "install $deb with apt"
if dpkg -s trackerd >/dev/null 2>&1; then apt-get purge -y -qq trackerd >/dev/null; fi
apt-get install -y -qq "$(realpath "$deb")" >/dev/null
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  if [ "${KEEP:-0}" != 1 ]; then apt-get purge -y -qq trackerd >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step "check what it installed"
/usr/bin/trackerd --version
/usr/bin/trackerctl --version
getent passwd trackerd >/dev/null || fail "no trackerd user"
[ "$(stat -c '%U %a' /etc/trackerd/trackerd.json)" = "trackerd 600" ] ||
  fail "/etc/trackerd/trackerd.json is $(stat -c '%U %a' /etc/trackerd/trackerd.json), want trackerd 600"
[ "$(stat -c '%U %a' /var/lib/trackerd)" = "trackerd 750" ] || fail "/var/lib/trackerd is $(stat -c '%U %a' /var/lib/trackerd)"
unit=/usr/lib/systemd/system/trackerd.service
[ -f "$unit" ] || fail "no unit at $unit"
runuser -u trackerd -- /usr/bin/trackerctl --config /etc/trackerd/trackerd.json check

step "systemd-analyze verify"
out=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $out"
# verify exits 0 on some warnings: any line naming the unit is a finding.
if grep -q "trackerd.service" <<<"$out"; then fail "systemd-analyze verify: $out"; fi
echo "verify: clean"

listen=$(sed -n 's/^ *"listen": *"\([^"]*\)".*/\1/p' /etc/trackerd/trackerd.json)
base="http://$listen"
step "start the installed trackerd ($base)"
if [ -d /run/systemd/system ]; then
  systemctl restart trackerd.service
else
  # systemd is not PID 1 here: run it as the unit would (user, working dir, umask, config).
  # setpriv execs trackerd itself (no su-style parent), so SIGTERM reaches it and its exit code is ours.
  (cd /var/lib/trackerd && umask 0077 &&
    exec setpriv --reuid=trackerd --regid=trackerd --init-groups --no-new-privs \
      /usr/bin/trackerd --config /etc/trackerd/trackerd.json) >/tmp/trackerd-package-test.log 2>&1 &
  pid=$!
fi
for _ in $(seq 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
health=$(curl -fsS "$base/healthz") || { cat /tmp/trackerd-package-test.log 2>/dev/null; fail "/healthz does not answer"; }
echo "healthz: $health"
grep -q '"status":"ok"' <<<"$health" || fail "/healthz: $health"
ready=$(curl -sS -w ' %{http_code}' "$base/readyz")
echo "readyz: $ready"
[ "${ready##* }" = 200 ] || fail "/readyz: $ready"
curl -fsS "$base/metrics" | grep -q '^trackerd_build_info{version=' || fail "/metrics has no trackerd_build_info"
[ "$(stat -c %U /var/lib/trackerd/trackerd.db)" = trackerd ] || fail "the database is not the trackerd user's"

step "stop"
if [ -n "${pid:-}" ]; then
  kill -TERM "$pid"
  wait "$pid" || fail "trackerd exited $? on SIGTERM"
  pid=
else
  systemctl stop trackerd.service
fi
step "package test passed"
