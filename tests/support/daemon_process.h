#pragma once
// One trackerd child process for the tests that run the real binary (crash_test, reload_test):
// spawned with a clean environment on a config file, its stdout and stderr appended to a log
// file that the test reads for the port and for what it said. The destructor kills it with
// SIGKILL if it still runs, so no test leaves one behind. Not thread-safe: one owner.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/demo_data.h"

namespace testing_support {

class DaemonProcess {
public:
    // Runs `binary --config config_path`; appends to `log_path`, and what this process writes
    // starts at the file's current end.
    DaemonProcess(const std::string& binary, const std::string& config_path, const std::string& log_path)
        : m_log_path(log_path), m_log_start(read_file(log_path).size()) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::string bin = binary;
        std::vector<char*> argv{bin.data(), const_cast<char*>("--config"), const_cast<char*>(config_path.c_str()),
                                nullptr};
        // A clean environment: TRACKERD_* secrets from the caller's would win over the file.
        std::vector<char*> envp{const_cast<char*>("LANG=C.UTF-8"), nullptr};
        if (posix_spawn(&m_pid, bin.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0) m_pid = -1;
        posix_spawn_file_actions_destroy(&actions);
    }
    ~DaemonProcess() { kill_and_reap(SIGKILL); }
    DaemonProcess(const DaemonProcess&) = delete;
    DaemonProcess& operator=(const DaemonProcess&) = delete;

    bool spawned() const { return m_pid > 0; }

    // The port from "listening on 127.0.0.1:PORT"; 0 when it exited or the deadline passed.
    int wait_for_port(std::chrono::milliseconds timeout) {
        static const std::regex k_listening(R"(listening on 127\.0\.0\.1:(\d+))");
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            std::smatch match;
            const std::string text = log();
            if (std::regex_search(text, match, k_listening)) return std::stoi(match[1]);
            if (exited()) return 0;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return 0;
    }

    // True when the process has ended (by itself, unless kill_and_reap ended it).
    bool exited() {
        if (m_reaped || m_pid <= 0) return true;
        if (::waitpid(m_pid, &m_status, WNOHANG) == m_pid) m_reaped = true;
        return m_reaped;
    }

    void signal(int number) const {
        if (m_pid > 0 && !m_reaped) ::kill(m_pid, number);
    }

    void kill_and_reap(int number) {
        if (m_pid <= 0 || m_reaped) return;
        ::kill(m_pid, number);
        ::waitpid(m_pid, &m_status, 0);
        m_reaped = true;
    }

    int status() const { return m_status; }
    std::string log() const { return read_file(m_log_path).substr(m_log_start); }
    int log_count(const std::string& needle) const {
        const std::string text = log();
        int count = 0;
        for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
        return count;
    }
    std::string log_tail() const {
        const std::string text = log();
        return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
    }

private:
    std::string m_log_path;
    size_t m_log_start = 0;
    pid_t m_pid = -1;
    bool m_reaped = false;
    int m_status = 0;
};

}  // namespace testing_support
