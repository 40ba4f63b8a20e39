#!/usr/bin/env bash
# Sets up a fresh machine, builds, loads the demo campaign into data/trackerd.db (SQLite, the
# embedded default), placed around today, and runs trackerd in the foreground on 127.0.0.1:8080 (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
mkdir -p data
if ! ./build/bot/trackerctl --db data/trackerd.db export --project P1 >/dev/null 2>&1; then
  # The campaign is dated 2024: moved (every date by the same days) so that today it is in progress.
  ./build/bot/trackerctl --db data/trackerd.db import demo/new-product-launch.csv --shift-to today
fi
exec ./build/bot/trackerd ${TRACKERD_CONFIG:+--config "$TRACKERD_CONFIG"}
