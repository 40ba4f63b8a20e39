#pragma once
// RFC 4180 CSV reader and writer, for the seeds' tables (core/table_csv.h). Pure functions;
// safe for concurrent use.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace core {

// RFC 4180: fields separated by ',', records by CRLF or LF; a quoted field may hold ',', line
// breaks and "" (one quote). A UTF-8 BOM at the start is skipped. A blank line is a record with
// one empty field, so record i is spreadsheet row i + 1. An unterminated quote or text after a
// closing quote is an error naming the row.
using CsvRecord = std::vector<std::string>;
Result<std::vector<CsvRecord>> parse_csv(std::string_view text);
// Quotes a field only when it holds ',', '"', CR or LF; every record ends with CRLF.
std::string write_csv(const std::vector<CsvRecord>& records);

}  // namespace core
