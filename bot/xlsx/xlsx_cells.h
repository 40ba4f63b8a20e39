#pragma once
// Internal to bot/xlsx: how SpreadsheetML cells read as text — number formats, date serials,
// cell references, string escapes. Pure functions; safe for concurrent use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/table_sheet.h"

namespace bot::xlsx {

enum class NumberKind { plain, date, percent };

// What a number format shows: a built-in format by id (14-22, 27-36, 45-47, 50-58 dates — the
// CJK ids included; 9, 10 percent), or a custom format code ("yyyy/m/d", "0.0%",
// "yyyy\"年\"m\"月\"d\"日\"", "[$-804]…"). Quoted text, [..] sections and escaped characters do
// not count; a code with h or s but no y or d is a time, read as a plain number.
NumberKind classify_number_format(int id, std::string_view code);

// A cell's number as text: dates ISO (serial days from 1899-12-30, or from 1904-01-01 in the
// 1904 system; Excel's phantom 1900-02-29 kept out), percent as value x 100 with "%", plain
// numbers whole without ".0" or else in their shortest form. A date outside 1900..9999 reads
// as a plain number.
std::string render_number(double value, NumberKind kind, bool date1904);

struct CellRef {
    std::size_t row = 0;  // 0-based
    std::size_t col = 0;
};
// "B7" -> {6, 1}; "$B$7" too. nullopt beyond XFD1048576 or when malformed.
std::optional<CellRef> parse_cell_ref(std::string_view ref);
// "A1:C2" -> the range; nullopt when malformed or reversed.
std::optional<core::CellRange> parse_range(std::string_view ref);

// OOXML's escapes of characters XML cannot hold: "_x000D_" -> "\r"; "_x005F_" escapes '_'.
std::string decode_escapes(std::string_view text);

}  // namespace bot::xlsx
