#pragma once
// An Excel workbook (.xlsx, Office Open XML SpreadsheetML) read into grids of text cells, one per
// worksheet, for core/table_sheet.h to find the seeds' tables in: the workbook trackerd writes
// (bot/web/xlsx_export.h) and the ones people type in Excel, WPS or LibreOffice.
//
// Cells as a person reads them: shared and inline strings as text (rich-text runs joined,
// phonetic runs dropped, _xHHHH_ escapes decoded); numbers whose number format is a date
// format as ISO YYYY-MM-DD (1900 and 1904 date systems, the time of day dropped); percent
// formats as "60%"; whole numbers without ".0", others in the shortest form that reads back;
// booleans as TRUE/FALSE, errors as written (#N/A). Merged ranges are kept beside the grid: the
// value belongs to the top-left cell, the others are empty.
//
// Why minizip + pugixml (issue 23): Debian 12 packages no C or C++ XLSX reader (libxlsxwriter
// only writes; libfreexl reads the old binary .xls; xlnt and OpenXLSX are not packaged), so the
// reader is ~400 lines over two small, long-maintained libraries. minizip (libminizip1, zlib's
// contrib) is already on every machine that runs trackerd, because libxlsxwriter links it; it
// reads from memory through its I/O callbacks. libzip was the other unzip candidate: a second
// zip library for no gain. pugixml (libpugixml1v5, 275 kB, no dependencies) parses a DOM fast,
// never loads DTDs or expands custom entities (no billion laughs, no external entities), and
// reads the names with their prefixes as written; expat (streaming, more code per element),
// libxml2 (large, entity expansion to switch off) and tinyxml2 (slower, fewer guarantees on
// hostile input) were the alternatives in apt.
//
// Refusals (ErrorCode::invalid_argument, messages fit to show the person importing): not a zip
// (with a hint for .xls and password-protected files), no workbook part, unreadable XML (the
// part and the byte offset), more than XlsxLimits::max_bytes unpacked or max_cells cells.
// Thread safety: stateless functions; safe for concurrent use.

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/table_sheet.h"

namespace bot::xlsx {

struct XlsxLimits {
    std::size_t max_bytes = 50u * 1024 * 1024;  // the file, and all the parts read once inflated
    std::size_t max_cells = 2'000'000;          // grid slots (each row's width up to its last value)
};

// The zip magic "PK\3\4": what `trackerctl import` tells a workbook from a CSV file by.
bool looks_like_zip(std::string_view bytes);

// Every worksheet in workbook order (chart sheets skipped), with its name and merged ranges.
core::Result<std::vector<core::SheetGrid>> read_xlsx(std::string_view bytes, const XlsxLimits& limits = {});

}  // namespace bot::xlsx
