// Linked into every test binary (tests/CMakeLists.txt, trackerd_test): before main() runs, adds
// a file sink to spdlog's default logger, so everything trackerd logs during the suite is kept
// in TRACKERD_TEST_LOG_DIR/<binary>-<pid>.log. The SecretsNeverLogged test reads them all.

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <string>

namespace {

struct TestLogFile {
    TestLogFile() {
        try {
            std::filesystem::create_directories(TRACKERD_TEST_LOG_DIR);
            std::string path = std::string(TRACKERD_TEST_LOG_DIR) + "/" + program_invocation_short_name + "-" +
                               std::to_string(::getpid()) + ".log";
            auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
            spdlog::default_logger()->sinks().push_back(sink);
            spdlog::default_logger()->flush_on(spdlog::level::trace);  // nothing lost if a test aborts
        } catch (const std::exception&) {
            // No log file: SecretsNeverLogged then has less to read, and the tests still run.
        }
    }
};

const TestLogFile g_test_log_file;

}  // namespace
