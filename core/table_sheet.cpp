#include "core/table_sheet.h"

#include <algorithm>
#include <optional>
#include <set>
#include <span>

#include "core/table_cells.h"

namespace core {
namespace {

using namespace table_cells;

constexpr size_t k_header_ranges = 1000;  // merged ranges looked at for a header

std::span<const ColumnSpec> specs_of(SheetTable kind) {
    switch (kind) {
        case SheetTable::tracking: return tracking_column_specs();
        case SheetTable::kpis: return kpi_column_specs();
        case SheetTable::risks: return risk_column_specs();
    }
    return tracking_column_specs();
}

const std::string& cell(const SheetGrid& sheet, size_t row, size_t col) {
    static const std::string k_empty;
    if (row >= sheet.rows.size() || col >= sheet.rows[row].size()) return k_empty;
    return sheet.rows[row][col];
}

const CellRange* range_at(const SheetGrid& sheet, size_t row, size_t col) {
    for (const auto& range : sheet.merged)
        if (row >= range.first_row && row <= range.last_row && col >= range.first_col && col <= range.last_col)
            return &range;
    return nullptr;
}

// The heading a header cell shows: its own text, or the text of a range merged down over it.
// Columns covered by a range merged across show nothing (the name belongs to the first column).
std::string heading_at(const SheetGrid& sheet, size_t row, size_t col) {
    const CellRange* range = range_at(sheet, row, col);
    if (!range) return std::string(trim(cell(sheet, row, col)));
    if (col != range->first_col) return "";
    return std::string(trim(cell(sheet, range->first_row, range->first_col)));
}

// A group heading above (row, col): the nearest range merged across columns in the rows above.
std::string group_above(const SheetGrid& sheet, size_t row, size_t col) {
    for (size_t above = row; above-- > 0 && row - above <= 2;) {
        const CellRange* range = range_at(sheet, above, col);
        if (range && range->last_col > range->first_col && range->last_row < row)
            return std::string(trim(cell(sheet, range->first_row, range->first_col)));
    }
    return "";
}

bool is_known(std::span<const ColumnSpec> specs, std::string_view name) {
    std::string key = header_key(name);
    if (key.empty()) return false;
    for (const auto& spec : specs)
        if (key == spec.zh || key == spec.en || (!spec.alias.empty() && key == spec.alias)) return true;
    return false;
}

// Headings as people type them: "计划\n开始" (a line break in the cell), "备注(风险/偏差说明)".
std::vector<std::string> spellings(std::string_view heading) {
    std::vector<std::string> out{std::string(heading)};
    std::string joined, spaced;
    for (char c : heading) {
        if (c == '\r' || c == '\n') {
            if (!spaced.empty() && spaced.back() != ' ') spaced += ' ';
            continue;
        }
        joined += c;
        spaced += c;
    }
    out.push_back(joined);
    out.push_back(spaced);
    for (std::string_view open : {"(", "（"})
        if (size_t at = joined.find(open); at != std::string::npos && at > 0)
            out.push_back(std::string(trim(std::string_view(joined).substr(0, at))));
    return out;
}

std::string strip_group_suffix(std::string group) {
    for (std::string_view suffix : {"时间", "日期", " dates", " date", " Dates", " Date"})
        if (group.size() > suffix.size() && group.ends_with(suffix)) return group.substr(0, group.size() - suffix.size());
    return group;
}

// The name of one header column: its heading if known, else the group heading joined to it.
std::string column_name(std::span<const ColumnSpec> specs, const std::string& heading, const std::string& group) {
    for (const auto& spelling : spellings(heading))
        if (is_known(specs, spelling)) return spelling;
    if (!heading.empty() && !group.empty() && group != heading)
        for (const std::string& prefix : {group, strip_group_suffix(group)})
            for (const char* glue : {"", " ", "_"})
                for (const auto& spelling : spellings(heading))
                    if (std::string name = prefix + glue + spelling; is_known(specs, name)) return name;
    return heading;
}

struct Candidate {
    CsvRecord names;
    size_t known = 0;
};

Candidate header_candidate(const SheetGrid& sheet, size_t row, std::span<const ColumnSpec> specs) {
    Candidate candidate;
    size_t width = sheet.rows[row].size();
    for (const auto& range : sheet.merged)
        if (row >= range.first_row && row <= range.last_row) width = std::max(width, range.last_col + 1);
    std::set<std::string> seen;
    for (size_t col = 0; col < width; ++col) {
        std::string name = column_name(specs, heading_at(sheet, row, col), group_above(sheet, row, col));
        if (is_known(specs, name) && seen.insert(header_key(name)).second) ++candidate.known;
        candidate.names.push_back(std::move(name));
    }
    return candidate;
}

// The rows import_*_records reads: nothing above the header, the header's names, the data below.
std::vector<CsvRecord> table_records(const SheetGrid& sheet, const SheetHeader& header) {
    std::vector<CsvRecord> records(sheet.rows.size());
    records[header.row] = header.names;
    for (size_t r = header.row + 1; r < sheet.rows.size(); ++r) records[r] = sheet.rows[r];
    return records;
}

Error in_sheet(const SheetGrid& sheet, const Error& error) {
    return make_error(error.code, "sheet '" + sheet.name + "': " + error.message);
}

void add_person(ProjectState& state, const std::string& name) {
    if (!name.empty() && !state.people.count(name)) state.people[name] = Person{name, name, "", "", "", "", "", ""};
}

}  // namespace

std::optional<SheetHeader> find_sheet_header(const SheetGrid& whole, SheetTable kind) {
    auto specs = specs_of(kind);
    // Only the rows searched and the ranges that start among them matter here; a sheet may hold
    // many more (a hostile one: capped).
    SheetGrid sheet;
    sheet.rows.assign(whole.rows.begin(), whole.rows.begin() + std::min(whole.rows.size(), k_header_search_rows));
    for (const auto& range : whole.merged)
        if (range.first_row < k_header_search_rows && sheet.merged.size() < k_header_ranges) sheet.merged.push_back(range);
    std::optional<SheetHeader> best;
    size_t best_known = 0;
    for (size_t row = 0; row < sheet.rows.size() && row < k_header_search_rows; ++row) {
        Candidate candidate = header_candidate(sheet, row, specs);
        if (candidate.known <= best_known) continue;
        bool complete = true;
        for (const auto& spec : specs)
            if (spec.required) {
                bool present = false;
                for (const auto& name : candidate.names) {
                    std::string key = header_key(name);
                    present = present || key == spec.zh || key == spec.en || (!spec.alias.empty() && key == spec.alias);
                }
                complete = complete && present;
            }
        if (!complete) continue;
        best_known = candidate.known;
        best = SheetHeader{row, std::move(candidate.names)};
    }
    return best;
}

Result<ImportedWorkbook> import_workbook(const std::vector<SheetGrid>& sheets, const ImportOptions& options) {
    ImportedWorkbook workbook;
    std::set<size_t> taken;
    auto find = [&](SheetTable kind) -> std::optional<std::pair<size_t, SheetHeader>> {
        for (size_t s = 0; s < sheets.size(); ++s)
            if (!taken.count(s))
                if (auto header = find_sheet_header(sheets[s], kind)) {
                    taken.insert(s);
                    return std::pair{s, std::move(*header)};
                }
        return std::nullopt;
    };
    auto tracking = find(SheetTable::tracking);
    if (!tracking)
        return make_error(ErrorCode::invalid_argument,
                          "no sheet has the tracking table's header (编号 id, 任务层级 level, 任务名称 name) in its first " +
                              std::to_string(k_header_search_rows) + " rows");
    const SheetGrid& plan_sheet = sheets[tracking->first];
    auto table = import_tracking_records(table_records(plan_sheet, tracking->second), options);
    if (!table) return in_sheet(plan_sheet, table.error());
    workbook.table = std::move(*table);
    workbook.tracking_sheet = plan_sheet.name;
    ProjectState& state = workbook.table.state;

    if (auto kpi = find(SheetTable::kpis)) {
        const SheetGrid& sheet = sheets[kpi->first];
        auto kpis = import_kpi_records(table_records(sheet, kpi->second), state.project.id);
        if (!kpis) return in_sheet(sheet, kpis.error());
        state.kpis = std::move(*kpis);
        workbook.kpi_sheet = sheet.name;
    }
    if (auto risk = find(SheetTable::risks)) {
        const SheetGrid& sheet = sheets[risk->first];
        auto risks = import_risk_records(table_records(sheet, risk->second), state.project.id);
        if (!risks) return in_sheet(sheet, risks.error());
        state.risks = std::move(*risks);
        for (const auto& item : state.risks) add_person(state, item.owner);
        workbook.risk_sheet = sheet.name;
    }
    return workbook;
}

}  // namespace core
