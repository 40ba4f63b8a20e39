#pragma once
// Small text helpers every layer needs once: ASCII whitespace trimming and ASCII lower case.
// Pure functions; safe for concurrent use.

#include <string>
#include <string_view>

namespace core {

inline bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Non-empty and only the digits 0-9.
inline bool is_all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (c < '0' || c > '9') return false;
    return true;
}

// `text` without leading and trailing ' ', '\t', '\r', '\n'.
inline std::string_view trim_ascii(std::string_view text) {
    while (!text.empty() && is_ascii_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_ascii_space(text.back())) text.remove_suffix(1);
    return text;
}

// A-Z lowered; every other byte kept (so UTF-8 passes through unchanged).
inline std::string lower_ascii(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace core
