// bench_grammar: how the chat grammar's cost grows with the length of a line (issue 8: the
// grammar fuzzer ran at ~170 inputs/s). Parses lines of 256 B .. 4 KB of a few shapes and prints
// microseconds per parse; linear growth doubles the time when the length doubles.
//   bench_grammar [--repeat R]

#include <time.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/command_parser.h"

namespace {

// Thread CPU time: the machine is shared, wall time would count other processes.
double cpu_us() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_nsec) / 1e3;
}

std::string repeat_to(const std::string& unit, size_t bytes) {
    std::string out;
    while (out.size() + unit.size() <= bytes) out += unit;
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = argc > 2 ? std::stoi(argv[2]) : 200;
    core::ParseContext context;
    context.today = core::make_date(2026, 3, 16);
    struct Shape {
        const char* name;
        std::string prefix, unit;
    };
    std::vector<Shape> shapes = {
        {"note (zh)", "T003 进度 60% ", "主KV初稿已交，"},
        {"note (en)", "update T003 60% ", "poster draft sent "},
        {"delay report", "T003 延期 12-05 原因: ", "供应商产能不足 影响: 首发 措施: 加班 "},
        {"unreadable", "", "asdf 12 qwer 下周五 "},
        {"digits/dates", "T003 ", "12-05 60% 5号 "},
    };
    std::printf("%-14s", "bytes");
    for (size_t bytes = 256; bytes <= 4096; bytes *= 2) std::printf("%10zu", bytes);
    std::printf("   (CPU µs per parse)\n");
    for (const auto& shape : shapes) {
        std::printf("%-14s", shape.name);
        for (size_t bytes = 256; bytes <= 4096; bytes *= 2) {
            std::string line = shape.prefix + repeat_to(shape.unit, bytes - shape.prefix.size());
            double start = cpu_us();
            size_t parsed = 0;
            for (int r = 0; r < repeat; ++r) parsed += core::parse_message(line, context).size();
            double us = cpu_us() - start;
            std::printf("%10.1f", us / repeat);
            if (parsed == 0) std::printf("?");
        }
        std::printf("\n");
    }
    return 0;
}
