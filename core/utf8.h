#pragma once
// UTF-8, the one copy: strict decoding (no overlongs, no surrogates, nothing above U+10FFFF),
// encoding, validation, and cutting text without splitting a code point. Every function accepts
// arbitrary bytes and never reads past the end. Pure functions; safe for concurrent use.

#include <cstddef>
#include <string>
#include <string_view>

namespace core {

inline constexpr char32_t k_replacement_character = 0xFFFD;

// The code point at `at`: its length in bytes, or 0 when the bytes there are not valid UTF-8.
std::size_t decode_utf8_strict(std::string_view text, std::size_t at, char32_t& code_point);
// As decode_utf8_strict, but a stray or invalid byte decodes as U+FFFD of length 1 (and `at`
// past the end as 0 of length 1), so a loop always advances.
std::size_t decode_utf8(std::string_view text, std::size_t at, char32_t& code_point);
void append_utf8(std::string& out, char32_t code_point);

bool is_valid_utf8(std::string_view text);
inline bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
// Code points in (valid) UTF-8: the bytes that do not continue a sequence.
std::size_t utf8_length(std::string_view text);
// The largest byte length <= size that does not cut a sequence of `text`.
std::size_t utf8_floor(std::string_view text, std::size_t size);

}  // namespace core
