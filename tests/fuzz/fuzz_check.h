#pragma once
// Helpers shared by the libFuzzer targets: an invariant check that aborts (so libFuzzer records
// the input as a crash) and small readers of fuzzer bytes. Single-threaded use per process.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Aborts with the failed condition when an invariant promised by a header does not hold.
#define FUZZ_CHECK(condition)                                                                 \
    do {                                                                                      \
        if (!(condition)) {                                                                   \
            std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,         \
                         #condition);                                                         \
            std::abort();                                                                     \
        }                                                                                     \
    } while (false)

namespace fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// ASCII whitespace the adapters trim (" \t\r\n").
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool is_trimmed(std::string_view text) {
    return text.empty() || (!is_space(text.front()) && !is_space(text.back()));
}

}  // namespace fuzz
