#pragma once
// Byte-safe text helpers for the chat grammar (command_parser.h): UTF-8 repair, full-width
// folding with an offset map back to the original, CJK detection, edit distance, URLs.
// Pure functions; safe for concurrent use. Every function accepts arbitrary bytes.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"

namespace core::grammar {

// Valid UTF-8 copy of `bytes`: each invalid or truncated sequence becomes U+FFFD and every
// control character (NUL included, tab excepted) becomes a space. Never reads past the end.
std::string sanitize_utf8(std::string_view bytes);

// core/utf8.h: the code point at `at` and its length (1 for a stray byte, so a loop advances).
using core::decode_utf8;

// The line the grammar matches against: full-width ASCII (６０％, ：, Ｔ) folded to ASCII,
// Unicode spaces to ' ', zero-width characters dropped, ASCII letters lower-cased.
// `origin[i]` is the byte in the source text where byte i of `folded` came from;
// origin[folded.size()] == source size, so any folded range maps back to the original words.
struct FoldedText {
    std::string folded;
    std::vector<std::size_t> origin;
};
FoldedText fold(std::string_view text);

bool contains_cjk(std::string_view text);
bool is_cjk(char32_t code_point);
inline bool is_ascii_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_space(char c) { return c == ' ' || c == '\t'; }

// Trims ASCII and Unicode spaces at both ends, plus separators people leave around segments
// ("，", ",", ";", "；", "。", ":", "：", "、") at the end.
std::string trim_segment(std::string_view text);
std::string_view trim_spaces(std::string_view text);

// Optimal-string-alignment distance on code points (a swap of neighbours counts 1). Inputs
// longer than 64 code points are cut to 64, so the cost stays bounded.
int edit_distance(std::string_view a, std::string_view b);
std::size_t code_point_count(std::string_view text);

// The first http:// or https:// URL in `text` (R13 evidence), "" when none. The URL ends at a
// space, a CJK character or a closing bracket; trailing ASCII punctuation is dropped.
std::string first_url(std::string_view text);

}  // namespace core::grammar
