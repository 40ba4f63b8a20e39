#pragma once
// Runs a program of the build (trackerctl) from a test: each argument shell-quoted, standard
// output read through a pipe, standard error kept in a file and read back, the exit code (-1 when
// it did not exit normally or could not start).

#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/support/demo_data.h"

namespace testing_support {

struct CommandOutcome {
    int exit_code = -1;
    std::string out;
    std::string err;
};

inline std::string shell_quoted(const std::string& arg) {
    std::string out = "'";
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// `program args...`, its standard error written to `err_file`.
inline CommandOutcome run_command(const std::string& program, const std::vector<std::string>& args,
                                  const std::string& err_file) {
    std::string command = program;
    for (const auto& arg : args) command += " " + shell_quoted(arg);
    command += " 2>" + shell_quoted(err_file);
    CommandOutcome run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return run;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) run.out.append(buffer, n);
    int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.err = read_file(err_file);
    return run;
}

}  // namespace testing_support
