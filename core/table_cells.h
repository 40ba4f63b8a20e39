#pragma once
// Internal to core_table: the cell and column helpers shared by the tracking-table and KPI
// readers (core/table_csv.cpp, core/kpi_csv.cpp). Pure functions and a per-row reader that is
// not shared between threads.

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/text.h"
#include "core/date.h"
#include "core/model.h"
#include "core/result.h"

namespace core::table_cells {

// Cells are trimmed of ASCII whitespace (core/text.h).
inline std::string_view trim(std::string_view text) { return trim_ascii(text); }
// Removes `suffix` from `text` when present; says whether it did.
bool strip_suffix(std::string_view& text, std::string_view suffix);
// Every field empty or white space: an empty spreadsheet row.
bool is_blank(const CsvRecord& record);
// The index of the first row that is not blank (the header); "the table is empty" when none.
Result<size_t> header_row(const std::vector<CsvRecord>& records);
// Splits a list cell on ';', ',' and their full-width forms, and on the enumeration comma 、.
std::vector<std::string> split_list(std::string_view text);
std::string join(const std::vector<std::string>& items, std::string_view separator);
// A plain number: "5000000", "5,000,000", "12.5". Not "inf" or "nan".
std::optional<double> parse_number(std::string_view text);
// Shortest fixed notation that reads back to the same double: 5000000, 35, 0.5.
std::string format_number(double value);
// English headers match case-insensitively, with ' ' or '-' for '_'.
std::string header_key(std::string_view text);
// ISO date, "" when unset.
std::string date_cell(const std::optional<Date>& date);

struct ColumnSpec {
    std::string_view zh;
    std::string_view en;
    std::string_view alias;  // another header seen in the seeds, "" when none
    bool required;
};

// The columns of each table, for the readers that look for a header among other rows
// (core/table_sheet.cpp): the tracking table, the KPI table and the risk register.
std::span<const ColumnSpec> tracking_column_specs();
std::span<const ColumnSpec> kpi_column_specs();
std::span<const ColumnSpec> risk_column_specs();

struct Columns {
    std::vector<int> index;           // spec position -> file column, -1 when absent
    std::vector<std::string> header;  // spec position -> the header as written in the file
};

template <size_t N>
Result<Columns> map_header(const CsvRecord& header, int row, const std::array<ColumnSpec, N>& specs,
                           Locale locale, std::vector<std::string>* warnings) {
    Columns columns{std::vector<int>(N, -1), std::vector<std::string>(N)};
    for (size_t col = 0; col < header.size(); ++col) {
        std::string key = header_key(header[col]);
        if (key.empty()) continue;
        size_t found = N;
        for (size_t s = 0; s < N; ++s)
            if (key == specs[s].zh || key == specs[s].en ||
                (!specs[s].alias.empty() && key == specs[s].alias))
                found = s;
        if (found == N) {
            if (warnings)
                warnings->push_back("column '" + std::string(trim(header[col])) +
                                    "' is not known; ignored");
            continue;
        }
        if (columns.index[found] >= 0)
            return make_error(ErrorCode::invalid_argument,
                              "row " + std::to_string(row) + ": column '" +
                                  std::string(trim(header[col])) + "' appears twice");
        columns.index[found] = static_cast<int>(col);
        columns.header[found] = std::string(trim(header[col]));
    }
    for (size_t s = 0; s < N; ++s)
        if (specs[s].required && columns.index[s] < 0)
            return make_error(ErrorCode::invalid_argument,
                              "row " + std::to_string(row) + ": missing column " +
                                  std::string(locale == Locale::en ? specs[s].en : specs[s].zh));
    return columns;
}

// Reads the cells of one data row; remembers the first bad cell so callers read straight through.
class RowReader {
public:
    RowReader(const CsvRecord& record, int row, const Columns& columns)
        : m_record(record), m_row(row), m_columns(columns) {}

    std::string text(size_t spec) const {
        int col = m_columns.index[spec];
        if (col < 0 || static_cast<size_t>(col) >= m_record.size()) return "";
        return std::string(trim(m_record[static_cast<size_t>(col)]));
    }

    std::optional<Date> date(size_t spec) {
        std::string value = text(spec);
        if (value.empty()) return std::nullopt;
        auto parsed = parse_iso_date(value);
        if (!parsed) fail(spec, value, "is not a date (YYYY-MM-DD)");
        return parsed;
    }

    template <typename T>
    T parsed(size_t spec, std::optional<T> (*parse)(std::string_view), T fallback,
             std::string_view what) {
        std::string value = text(spec);
        auto result = parse(value);
        if (!result) {
            fail(spec, value, what);
            return fallback;
        }
        return *result;
    }

    void fail(size_t spec, std::string_view value, std::string_view what) {
        if (m_error) return;
        m_error = make_error(ErrorCode::invalid_argument,
                             "row " + std::to_string(m_row) + ", " + m_columns.header[spec] +
                                 ": '" + std::string(value) + "' " + std::string(what));
    }

    const std::optional<Error>& error() const { return m_error; }
    int row() const { return m_row; }

private:
    const CsvRecord& m_record;
    int m_row;
    const Columns& m_columns;
    std::optional<Error> m_error;
};

}  // namespace core::table_cells
