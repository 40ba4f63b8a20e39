#!/usr/bin/env bash
# Installs what trackerd needs to build, run and test, from Debian's packages (root or sudo).
# scripts/install-deps.sh [--checks | --bench]
set -euo pipefail
packages=(build-essential cmake ninja-build pkg-config git tzdata ca-certificates
          libsqlitecpp-dev libsqlite3-dev nlohmann-json3-dev libspdlog-dev libgtest-dev libgmock-dev
          libcpp-httplib-dev libssl-dev libhowardhinnant-date-dev libcli11-dev libboost-dev
          chromium fonts-noto-cjk)  # headless Chromium + CJK fonts: the web view test and its screenshot
# The Excel export (libxlsxwriter) and its test: unzip reads the workbook's XML, LibreOffice
# (headless Calc, ~80 MB) converts it back to CSV to compare with the store.
packages+=(libxlsxwriter-dev unzip libreoffice-calc-nogui)
# The Excel import (bot/xlsx): minizip unpacks the workbook (the zip library libxlsxwriter itself
# links), pugixml parses its XML.
packages+=(libminizip-dev libpugixml-dev)
# PostgreSQL, the second database engine: libpq to build against, and the server (initdb, pg_ctl
# in /usr/lib/postgresql/<version>/bin) for the tests, which start throw-away clusters of their own
# (tests/support/pg_cluster.h; Debian's main cluster that the package sets up is not used).
packages+=(libpq-dev postgresql)
# dpkg-dev: the .deb's dependencies (dpkg-shlibdeps); ccache: rebuilds of the same sources share objects.
packages+=(dpkg-dev ccache)
# --checks: also what .ci/run's extra checks need (clang and its runtimes for libFuzzer).
if [[ ${1:-} == --checks ]]; then
  packages+=(clang libclang-rt-14-dev)
fi
# --bench: also what scripts/bench.sh needs (load generator, CLI for the durability count, profilers),
# and what its peer needs (ONLY=peer: the Bolt app of shared/bench-peer; python3 runs its harness,
# make and g++ build better-sqlite3 from source in npm ci). The peer wants Node.js 20 or later.
if [[ ${1:-} == --bench ]]; then
  packages+=(wrk sqlite3 curl linux-perf valgrind nodejs python3 make g++)
  # Some nodejs packages carry npm themselves (NodeSource's, on these machines: it Provides and
  # Conflicts with Debian's npm, so asking for npm would fail): Debian's npm only without one.
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
