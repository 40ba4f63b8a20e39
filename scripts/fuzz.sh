#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 20)
# Configures and builds the libFuzzer targets (clang, ASan+UBSan; tests/fuzz/) into ./build-fuzz
# (or $BUILD_DIR), then runs each for SECONDS_PER_TARGET over a temporary copy of its seeds in
# tests/fuzz/corpus/<target>/, so the repository is not modified. Fails if any target finds a
# crash, a sanitizer report, a broken invariant, a leak or a slow input; the reproducer is kept
# in $BUILD_DIR/fuzz-artifacts/<target>/ (replay: $BUILD_DIR/tests/fuzz/<target>_fuzz <file>).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
targets=(grammar slack feishu feishu_frame dingtalk config csv)

CC=clang CXX=clang++ cmake -S . -B "$BUILD_DIR" -G Ninja -DTRACKERD_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-$(nproc)}" --target "${targets[@]/%/_fuzz}"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target" "$BUILD_DIR/fuzz-artifacts/$target"
  cp tests/fuzz/corpus/"$target"/* "$work/$target/"
  log="$work/$target.log"
  if "$BUILD_DIR/tests/fuzz/${target}_fuzz" -max_total_time="$seconds" -timeout=25 \
      -artifact_prefix="$BUILD_DIR/fuzz-artifacts/$target/" "$work/$target" >"$log" 2>&1; then
    echo "fuzz $target: ok ($(grep -o "Done [0-9]* runs" "$log" | grep -o "[0-9]*") runs," \
         "$(ls "$work/$target" | wc -l) inputs in corpus)"
  else
    echo "fuzz $target: FAILED" >&2
    tail -n 60 "$log" >&2
    failed+=("$target")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz: failures in: ${failed[*]} (reproducers in $BUILD_DIR/fuzz-artifacts/)" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets ran ${seconds}s each without findings"
