#pragma once
// The seeds' tables read from a workbook's sheets (bot/xlsx reads an .xlsx file into these
// grids): the tracking table, and the KPI table and risk register when a sheet holds them.
// Pure functions over text cells; no I/O. Safe for concurrent use.
//
// A sheet typed by hand rarely starts with its header: a title row may come first, and a header
// may span two rows, with a merged group heading (计划时间) above its sub-columns (计划开始 |
// 计划完成, or just 开始 | 完成) and the other headings merged down over both rows. The header
// row is the row among the first k_header_search_rows whose names, read through the merges,
// map the table's required columns and the most of its columns; data starts below it.

#include <optional>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/result.h"
#include "core/table_csv.h"

namespace core {

inline constexpr size_t k_header_search_rows = 10;

// Merged cells, 0-based and inclusive. The value belongs to the top-left cell.
struct CellRange {
    size_t first_row = 0;
    size_t first_col = 0;
    size_t last_row = 0;
    size_t last_col = 0;
};

struct SheetGrid {
    std::string name;
    std::vector<CsvRecord> rows;  // rows[r][c]: spreadsheet row r + 1, column c + 1; rows may be ragged
    std::vector<CellRange> merged;
};

struct ImportedWorkbook {
    ImportedTable table;         // the plan, with KPIs and risks when a sheet holds them
    std::string tracking_sheet;  // the names of the sheets read, "" when none
    std::string kpi_sheet;
    std::string risk_sheet;
};

enum class SheetTable { tracking, kpis, risks };

// The header of `kind` in `sheet`: its row (0-based) and its column names as the table readers
// know them (a sub-column under a group heading is named from both: 计划时间 + 开始 -> 计划开始).
struct SheetHeader {
    size_t row = 0;
    CsvRecord names;
};
std::optional<SheetHeader> find_sheet_header(const SheetGrid& sheet, SheetTable kind);

// The tracking table from the first sheet that has its header, the KPIs and risks from the first
// other sheets that have theirs. Errors name the sheet: "sheet '跟踪表': row 5, 计划开始: …";
// invalid_argument "no sheet has the tracking table's header …" when none has.
Result<ImportedWorkbook> import_workbook(const std::vector<SheetGrid>& sheets, const ImportOptions& options);

}  // namespace core
