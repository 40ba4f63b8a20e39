#include "core/grammar_text.h"

#include <algorithm>
#include <array>

#include "core/utf8.h"

namespace core::grammar {
namespace {

constexpr std::size_t k_max_distance_input = 64;

bool is_unicode_space(char32_t cp) {
    return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
           cp == 0x3000;
}

bool is_zero_width(char32_t cp) { return (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF; }

// The first k_max_distance_input code points of `text`, on the stack: edit_distance runs for
// every word of an unreadable line against every keyword, so it must not allocate.
struct CodePoints {
    std::array<char32_t, k_max_distance_input> points{};
    std::size_t size = 0;
};

CodePoints code_points(std::string_view text) {
    CodePoints out;
    for (std::size_t i = 0; i < text.size() && out.size < out.points.size();) {
        char32_t cp = 0;
        i += decode_utf8(text, i, cp);
        out.points[out.size++] = cp;
    }
    return out;
}

bool is_trailing_separator(char32_t cp) {
    switch (cp) {
        case ',': case ';': case ':': case '.': case 0xFF0C: case 0xFF1B: case 0xFF1A:
        case 0x3002: case 0x3001: case 0xFF0E:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string sanitize_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (std::size_t i = 0; i < bytes.size();) {
        char32_t cp = 0;
        std::size_t length = decode_utf8_strict(bytes, i, cp);
        if (length == 0) {
            append_utf8(out, k_replacement_character);
            ++i;
            continue;
        }
        if ((cp < 0x20 && cp != '\t') || cp == 0x7F) cp = ' ';
        append_utf8(out, cp);
        i += length;
    }
    return out;
}

FoldedText fold(std::string_view text) {
    FoldedText out;
    out.folded.reserve(text.size());
    out.origin.reserve(text.size() + 1);
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        std::size_t length = decode_utf8(text, i, cp);
        std::size_t before = out.folded.size();
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
            cp -= 0xFEE0;  // full-width ASCII block
        } else if (is_unicode_space(cp)) {
            cp = ' ';
        }
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if (!is_zero_width(cp)) {
            if (cp < 0x80) {
                out.folded += static_cast<char>(cp);
            } else {
                out.folded.append(text.substr(i, length));
            }
        }
        for (std::size_t k = before; k < out.folded.size(); ++k) out.origin.push_back(i);
        i += length;
    }
    out.origin.push_back(text.size());
    return out;
}

bool is_cjk(char32_t cp) {
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

bool contains_cjk(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        i += decode_utf8(text, i, cp);
        if (is_cjk(cp)) return true;
    }
    return false;
}

std::string_view trim_spaces(std::string_view text) {
    while (!text.empty()) {
        char32_t cp = 0;
        std::size_t length = decode_utf8(text, 0, cp);
        if (!(cp == ' ' || cp == '\t' || is_unicode_space(cp) || is_zero_width(cp))) break;
        text.remove_prefix(length);
    }
    while (!text.empty()) {
        // Step back to the start of the last code point (at most 4 bytes).
        std::size_t start = text.size() - 1;
        while (start > 0 && text.size() - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        char32_t cp = 0;
        std::size_t length = decode_utf8(text, start, cp);
        if (start + length != text.size()) cp = 'x';  // not a whole code point: keep it
        if (!(cp == ' ' || cp == '\t' || is_unicode_space(cp) || is_zero_width(cp))) break;
        text.remove_suffix(text.size() - start);
    }
    return text;
}

std::string trim_segment(std::string_view text) {
    text = trim_spaces(text);
    for (bool changed = true; changed && !text.empty();) {
        changed = false;
        std::size_t start = text.size() - 1;
        while (start > 0 && text.size() - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        char32_t cp = 0;
        std::size_t length = decode_utf8(text, start, cp);
        if (start + length == text.size() && is_trailing_separator(cp)) {
            text = trim_spaces(text.substr(0, start));
            changed = true;
        }
    }
    return std::string(text);
}

std::size_t code_point_count(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        char32_t cp = 0;
        i += decode_utf8(text, i, cp);
    }
    return count;
}

int edit_distance(std::string_view a_text, std::string_view b_text) {
    const CodePoints a_points = code_points(a_text);
    const CodePoints b_points = code_points(b_text);
    const char32_t* a = a_points.points.data();
    const char32_t* b = b_points.points.data();
    const std::size_t a_size = a_points.size, b_size = b_points.size;
    const std::size_t width = b_size + 1;
    std::array<int, (k_max_distance_input + 1) * (k_max_distance_input + 1)> d;  // every cell read is written first
    const auto at = [&](std::size_t i, std::size_t j) -> int& { return d[i * width + j]; };
    for (std::size_t i = 0; i <= a_size; ++i) at(i, 0) = static_cast<int>(i);
    for (std::size_t j = 0; j <= b_size; ++j) at(0, j) = static_cast<int>(j);
    for (std::size_t i = 1; i <= a_size; ++i) {
        for (std::size_t j = 1; j <= b_size; ++j) {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
        }
    }
    return at(a_size, b_size);
}

std::string first_url(std::string_view text) {
    std::size_t start = std::string_view::npos;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string_view rest = text.substr(i);
        if (rest.substr(0, 7) == "http://" || rest.substr(0, 8) == "https://") {
            if (i == 0 || !is_ascii_alnum(text[i - 1])) {
                start = i;
                break;
            }
        }
    }
    if (start == std::string_view::npos) return "";
    std::size_t end = start;
    while (end < text.size()) {
        unsigned char c = static_cast<unsigned char>(text[end]);
        if (c <= ' ' || c >= 0x80 || c == '"' || c == '<' || c == '>' || c == ')' || c == ']') break;
        ++end;
    }
    std::string_view url = text.substr(start, end - start);
    while (!url.empty() && std::string_view(".,;:!?'").find(url.back()) != std::string_view::npos)
        url.remove_suffix(1);
    std::string_view scheme = url.substr(0, url.find("://") + 3);
    if (url.size() <= scheme.size()) return "";
    return std::string(url);
}

}  // namespace core::grammar
