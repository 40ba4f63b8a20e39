#!/usr/bin/env bash
# Builds trackerd's Debian package: build-package/trackerd_<version>_<arch>.deb (prints its path).
# Same compiler flags as scripts/build.sh, so ccache reuses that build; tests are not built.
# Needs dpkg-dev (dpkg-shlibdeps computes Depends) — scripts/install-deps.sh installs it.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-package}
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DTRACKERD_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=OFF "${launcher[@]}" >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target trackerd trackerctl >&2
rm -f "$BUILD_DIR"/trackerd_*.deb
(cd "$BUILD_DIR" && cpack -G DEB >&2)
deb=$(ls "$BUILD_DIR"/trackerd_*.deb)
echo "$deb"
