#!/usr/bin/env bash
# scripts/sanitize.sh [address|thread|all]   (default all)
# address: the test executables below built with AddressSanitizer + UndefinedBehaviorSanitizer
#          (any report fails the test that caused it) in ./build-asan.
# thread:  the concurrent parts — HTTP handlers end to end, the outbox worker, the scheduler, the
#          inbound write path — built with ThreadSanitizer in ./build-tsan.
# Run scripts/install-deps.sh first (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
# -O1 -g1 (line tables): what the sanitizers' documentation recommends, and half the compile time
# of RelWithDebInfo's -O2 -g (ws_client.cpp under ASan: 110 s instead of 215 s) — these builds
# are the longest part of CI on a fresh machine. Reports still carry file:line.
sanitizer_flags=(-DCMAKE_BUILD_TYPE=None "-DCMAKE_CXX_FLAGS=-O1 -g1 -DNDEBUG")
which=${1:-all}
jobs=$(nproc)
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

# The test executables that run threads against each other (TSan builds only these): HTTP
# handlers end to end on all three platforms and the long connections, the outbox worker, the
# scheduler, group commit, the limiter. The SEGV at pc 0 once seen in the DingTalk end to end
# under TSan was not TSan's: that (local) build dir linked an adapters/dingtalk/dingtalk_render.cpp.o
# compiled while core/message.h was being edited (Markup gained `escape`), so it built a
# 0x48-byte Markup where every other object expected 0x68, and Markup::literal called the
# garbage `escape` (null invoker). Ninja 1.11 keeps such an object for ever (its mtime is newer
# than the header's). A clean build passes; CI builds from a fresh checkout.
tsan_targets=(bot_tests command_limiter_tests dispatcher_tests group_commit_tests scheduler_tests
              ops_tests faulty_platform_tests integration_tests dingtalk_integration_tests
              feishu_integration_tests socket_mode_tests hostile_input_tests team_setup_tests directory_tests
              reload_tests cluster_tests secrets_never_logged)

# Every test executable, ASan+UBSan (a report aborts the test: abort_on_error, halt_on_error,
# LeakSanitizer at exit). crash_tests runs the trackerd binary of this build dir, so the daemon
# itself also runs instrumented there (it must exit 0 after SIGTERM: a leak or report fails it).
asan_targets=(adapters_common_tests adapters_dingtalk_tests adapters_feishu_tests adapters_slack_tests
              config_tests core_grammar_tests core_rules_tests core_table_tests core_web_tests
              core_report_tests store_tests dispatcher_tests bot_tests command_limiter_tests
              group_commit_tests scheduler_tests ops_tests report_tests integration_tests
              dingtalk_integration_tests feishu_integration_tests socket_mode_tests web_view_tests
              hostile_input_tests faulty_platform_tests crash_tests team_setup_tests directory_tests
              trackerctl_tests trackerctl_copy_tests reload_tests pg_cluster_tests pg_connection_tests cluster_tests
              secrets_never_logged)

if [[ $which == address || $which == all ]]; then
  cmake -S . -B build-asan -G Ninja "${sanitizer_flags[@]}" -DTRACKERD_WERROR=ON \
    -DTRACKERD_SANITIZE=address "${launcher[@]}" >/dev/null
  cmake --build build-asan -j "$jobs" --target "${asan_targets[@]}"
  regex=$(IFS='|'; echo "${asan_targets[*]}")
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L "^($regex)\$"
fi

if [[ $which == thread || $which == all ]]; then
  cmake -S . -B build-tsan -G Ninja "${sanitizer_flags[@]}" -DTRACKERD_WERROR=ON \
    -DTRACKERD_SANITIZE=thread "${launcher[@]}" >/dev/null
  cmake --build build-tsan -j "$jobs" --target "${tsan_targets[@]}"
  regex=$(IFS='|'; echo "${tsan_targets[*]}")
  # Only the executables built above: ctest labels each discovered test with its executable.
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp" \
    ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L "^($regex)\$"
fi
