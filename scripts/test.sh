#!/usr/bin/env bash
# Sets up a fresh machine, builds everything and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build} bash scripts/build.sh -DTRACKERD_WERROR=ON
bash scripts/check-layers.sh  # the one-way rule of the layout (README "Layout")
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j "$(nproc)"
