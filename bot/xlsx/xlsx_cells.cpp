#include "bot/xlsx/xlsx_cells.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/date.h"

namespace bot::xlsx {
namespace {

constexpr std::size_t k_max_rows = 1'048'576;
constexpr std::size_t k_max_cols = 16'384;

bool is_builtin_date(int id) {
    return (id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) || (id >= 50 && id <= 58);
}

// The first section of a format code with its literal parts removed, lower-cased.
std::string format_letters(std::string_view code) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < code.size(); ++i) {
        char c = code[i];
        if (quoted) {
            quoted = c != '"';
            continue;
        }
        if (c == '"') {
            quoted = true;
        } else if (c == '\\' || c == '_' || c == '*') {
            ++i;  // the next character is literal (or padding)
        } else if (c == '[') {
            std::size_t end = code.find(']', i);
            if (end == std::string_view::npos) break;
            std::string_view inside = code.substr(i + 1, end - i - 1);
            if (!inside.empty() && inside.find_first_not_of("hHmMsS") == std::string_view::npos)
                out += 'h';  // [h]:mm, elapsed time
            i = end;
        } else if (c == ';') {
            break;
        } else {
            out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        }
    }
    return out;
}

// Shortest text that reads back to the same double, fixed notation.
std::string shortest(double value) {
    std::array<char, 400> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed);
    if (ec != std::errc()) return "0";
    return std::string(buffer.data(), end);
}

// Fifteen significant digits, as Excel shows them: 0.35 x 100 reads "35", not "35.00000000000001".
std::string fifteen_digits(double value) {
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.15g", value);
    double rounded = std::strtod(buffer.data(), nullptr);
    if (std::fabs(rounded) < 1e15 && rounded == std::trunc(rounded)) {
        std::snprintf(buffer.data(), buffer.size(), "%.0f", rounded);
        return buffer.data();
    }
    return shortest(rounded);
}

std::optional<core::Date> serial_to_date(double serial, bool date1904) {
    if (!std::isfinite(serial) || serial < 0 || serial >= 2958466) return std::nullopt;
    long long days = static_cast<long long>(std::floor(serial));
    long long from_1970 = 0;
    if (date1904) {
        from_1970 = days - 24107;  // 1904-01-01 is serial 0
    } else {
        if (days < 1) return std::nullopt;
        // Serial 60 is Excel's 1900-02-29, which never was (kept from Lotus 1-2-3): before it the
        // serials count from 1899-12-31, after it from 1899-12-30; 60 itself reads as 1900-02-28.
        from_1970 = days < 60 ? days - 25568 : days == 60 ? -25509 : days - 25569;
    }
    return core::Date{core::Date::duration{from_1970}};
}

}  // namespace

NumberKind classify_number_format(int id, std::string_view code) {
    if (id == 9 || id == 10) return NumberKind::percent;
    if (is_builtin_date(id)) return NumberKind::date;
    if (code.empty()) return NumberKind::plain;
    std::string letters = format_letters(code);
    if (letters.find('%') != std::string::npos) return NumberKind::percent;
    if (letters == "general") return NumberKind::plain;
    bool year_or_day = letters.find_first_of("yd") != std::string::npos;
    bool month = letters.find('m') != std::string::npos;
    bool clock = letters.find_first_of("hs") != std::string::npos;
    if (year_or_day || (month && !clock)) return NumberKind::date;
    return NumberKind::plain;
}

std::string render_number(double value, NumberKind kind, bool date1904) {
    if (kind == NumberKind::date)
        if (auto date = serial_to_date(value, date1904)) return core::format_iso_date(*date);
    if (kind == NumberKind::percent) return fifteen_digits(value * 100) + "%";
    if (std::fabs(value) < 1e15 && value == std::trunc(value)) return fifteen_digits(value);
    return shortest(value);
}

std::optional<CellRef> parse_cell_ref(std::string_view ref) {
    std::size_t i = 0, col = 0, row = 0;
    if (i < ref.size() && ref[i] == '$') ++i;
    std::size_t letters = i;
    for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) col = col * 26 + static_cast<std::size_t>(ref[i] - 'A' + 1);
    if (i == letters || i - letters > 3) return std::nullopt;
    if (i < ref.size() && ref[i] == '$') ++i;
    std::size_t digits = i;
    for (; i < ref.size() && ref[i] >= '0' && ref[i] <= '9' && i - digits < 8; ++i) row = row * 10 + static_cast<std::size_t>(ref[i] - '0');
    if (i == digits || i != ref.size() || row == 0 || row > k_max_rows || col > k_max_cols) return std::nullopt;
    return CellRef{row - 1, col - 1};
}

std::optional<core::CellRange> parse_range(std::string_view ref) {
    std::size_t colon = ref.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto first = parse_cell_ref(ref.substr(0, colon));
    auto last = parse_cell_ref(ref.substr(colon + 1));
    if (!first || !last || last->row < first->row || last->col < first->col) return std::nullopt;
    return core::CellRange{first->row, first->col, last->row, last->col};
}

std::string decode_escapes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        unsigned code = 0;
        if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_') {
            auto [end, ec] = std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16);
            if (ec == std::errc() && end == text.data() + i + 6) {
                if (code < 0x80) {
                    out += static_cast<char>(code);
                } else if (code < 0x800) {
                    out += static_cast<char>(0xC0 | (code >> 6));
                    out += static_cast<char>(0x80 | (code & 0x3F));
                } else {
                    out += static_cast<char>(0xE0 | (code >> 12));
                    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
                    out += static_cast<char>(0x80 | (code & 0x3F));
                }
                i += 6;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

}  // namespace bot::xlsx
