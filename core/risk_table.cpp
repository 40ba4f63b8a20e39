// The risk-register half of core/table_csv.h (seed 001 表4, the Excel export's 风险 sheet).
#include <array>
#include <map>
#include <optional>

#include "core/table_cells.h"
#include "core/table_csv.h"

namespace core {
namespace {

using namespace table_cells;

enum RiskColumn : size_t {
    r_id,
    r_title,
    r_description,
    r_impact,
    r_owner,
    r_trigger,
    r_response,
    r_status,
    r_task,
    r_opened,
    r_closed,
    r_risk_column_count
};

constexpr std::array<ColumnSpec, r_risk_column_count> k_risk_columns{{
    {"编号", "id", "风险编号", true},
    {"风险", "risk", "风险名称", true},
    {"描述", "description", "风险描述", false},
    {"影响等级", "impact", "风险等级", false},
    {"负责人", "owner", "", false},
    {"触发条件", "trigger", "", false},
    {"应对措施", "response", "", false},
    {"状态", "status", "", false},
    {"关联任务", "task", "", false},
    {"登记日期", "opened", "", false},
    {"关闭日期", "closed", "", false},
}};

// "in progress" as the English export writes it, "in_progress", "处理中".
std::optional<RiskStatus> parse_status_cell(std::string_view text) { return parse_risk_status(header_key(text)); }

Result<RiskItem> read_risk(RowReader& reader, const std::string& project_id) {
    RiskItem risk;
    risk.project_id = project_id;
    risk.id = normalize_id(reader.text(r_id));
    if (risk.id.empty()) reader.fail(r_id, "", "is empty: every row needs an id");
    risk.title = reader.text(r_title);
    if (risk.title.empty()) reader.fail(r_title, "", "is empty: every row needs a risk");
    risk.description = reader.text(r_description);
    if (!reader.text(r_impact).empty())
        risk.impact = reader.parsed<RiskLevel>(r_impact, parse_risk_level, RiskLevel::medium,
                                               "is not a risk level (高/中/低)");
    risk.owner = reader.text(r_owner);
    risk.trigger = reader.text(r_trigger);
    risk.response = reader.text(r_response);
    if (!reader.text(r_status).empty())
        risk.status = reader.parsed<RiskStatus>(r_status, parse_status_cell, RiskStatus::open,
                                                "is not a risk status (待处理/处理中/已解决)");
    risk.task_id = normalize_id(reader.text(r_task));
    risk.opened = reader.date(r_opened);
    risk.closed = reader.date(r_closed);
    if (reader.error()) return *reader.error();
    return risk;
}

}  // namespace

namespace table_cells {
std::span<const ColumnSpec> risk_column_specs() { return k_risk_columns; }
}  // namespace table_cells

Result<std::vector<RiskItem>> import_risk_records(const std::vector<CsvRecord>& records,
                                                  const std::string& project_id) {
    auto header = header_row(records);
    if (!header) return header.error();
    const size_t header_at = *header;
    auto columns = map_header(records[header_at], static_cast<int>(header_at + 1), k_risk_columns,
                              Locale::zh_cn, nullptr);
    if (!columns) return columns.error();

    std::vector<RiskItem> risks;
    std::map<std::string, int> row_of_id;
    std::string normalized_project = normalize_id(project_id);
    for (size_t r = header_at + 1; r < records.size(); ++r) {
        if (is_blank(records[r])) continue;
        int row = static_cast<int>(r + 1);
        RowReader reader(records[r], row, *columns);
        auto risk = read_risk(reader, normalized_project);
        if (!risk) return risk.error();
        if (auto [it, inserted] = row_of_id.emplace(risk->id, row); !inserted)
            return make_error(ErrorCode::invalid_argument,
                              "row " + std::to_string(row) + ", " + columns->header[r_id] +
                                  ": duplicate id '" + risk->id + "' (first on row " +
                                  std::to_string(it->second) + ")");
        risks.push_back(std::move(*risk));
    }
    return risks;
}

}  // namespace core
