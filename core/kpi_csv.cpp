// The KPI half of core/table_csv.h (seed 002 效果指标跟踪表).
#include <array>
#include <cmath>
#include <map>
#include <optional>

#include "core/table_cells.h"
#include "core/table_csv.h"

namespace core {
namespace {

using namespace table_cells;

enum KpiColumn : size_t {
    k_id,
    k_name,
    k_kind,
    k_description,
    k_target,
    k_current,
    k_data_source,
    k_updated,
    k_warn_below,
    k_kpi_column_count
};

constexpr std::array<ColumnSpec, k_kpi_column_count> k_kpi_columns{{
    {"指标编号", "id", "编号", true},
    {"指标名称", "name", "", true},
    {"指标类型", "kind", "", false},
    {"指标说明", "description", "", false},
    {"目标值", "target", "", true},
    {"当前值", "current", "", false},
    {"数据来源", "data_source", "", false},
    {"更新日期", "updated", "", false},
    {"预警阈值", "warn_below", "", false},
}};

struct Amount {
    double value = 0;
    bool percent = false;
};

// "35%", "5000000", "5,000,000", "500万", "500万元".
std::optional<Amount> parse_amount(std::string_view text) {
    Amount amount;
    text = trim(text);
    amount.percent = strip_suffix(text, "%") || strip_suffix(text, "％");
    double scale = 1;
    if (!amount.percent) {
        strip_suffix(text, "元");
        if (strip_suffix(text, "万"))
            scale = 1e4;
        else if (strip_suffix(text, "亿"))
            scale = 1e8;
    }
    auto value = parse_number(trim(text));
    if (!value) return std::nullopt;
    amount.value = *value * scale;
    return amount;
}

// R12 threshold as a fraction of target: "50%", "50" or "0.5" -> 0.5.
std::optional<double> parse_fraction(std::string_view text) {
    auto amount = parse_amount(text);
    if (!amount) return std::nullopt;
    double value = (amount->percent || amount->value > 1) ? amount->value / 100 : amount->value;
    if (value < 0 || value > 1) return std::nullopt;
    return value;
}

std::string format_percent_of_fraction(double fraction) {
    return format_number(std::round(fraction * 100 * 1e6) / 1e6) + "%";
}

Result<Kpi> read_kpi(RowReader& reader, const std::string& project_id) {
    Kpi kpi;
    kpi.project_id = project_id;
    kpi.id = normalize_id(reader.text(k_id));
    if (kpi.id.empty()) reader.fail(k_id, "", "is empty: every row needs an id");
    kpi.name = reader.text(k_name);
    if (kpi.name.empty()) reader.fail(k_name, "", "is empty: every row needs a name");
    if (!reader.text(k_kind).empty())
        kpi.kind = reader.parsed<KpiKind>(k_kind, parse_kpi_kind, KpiKind::result,
                                          "is not a kind (结果指标/过程指标)");
    kpi.description = reader.text(k_description);
    auto target = parse_amount(reader.text(k_target));
    if (!target) reader.fail(k_target, reader.text(k_target), "is not a number");
    std::string current_text = reader.text(k_current);
    auto current =
        current_text.empty() ? std::optional<Amount>(Amount{}) : parse_amount(current_text);
    if (!current) reader.fail(k_current, current_text, "is not a number");
    if (target && current && current->percent && !target->percent)
        reader.fail(k_current, current_text, "is a percentage but the target is not");
    kpi.data_source = reader.text(k_data_source);
    kpi.updated = reader.date(k_updated);
    std::string warn_text = reader.text(k_warn_below);
    if (!warn_text.empty()) {
        kpi.warn_below = parse_fraction(warn_text);
        if (!kpi.warn_below)
            reader.fail(k_warn_below, warn_text, "is not a fraction of the target (e.g. 50%)");
    }
    if (reader.error()) return *reader.error();
    kpi.target = target->value;
    kpi.current = current->value;
    kpi.percent = target->percent;
    return kpi;
}

std::string amount_cell(double value, bool percent) {
    return format_number(value) + (percent ? "%" : "");
}

}  // namespace

namespace table_cells {
std::span<const ColumnSpec> kpi_column_specs() { return k_kpi_columns; }
}  // namespace table_cells

Result<std::vector<Kpi>> import_kpi_csv(std::string_view csv, const std::string& project_id) {
    auto records = parse_csv(csv);
    if (!records) return records.error();
    return import_kpi_records(*records, project_id);
}

Result<std::vector<Kpi>> import_kpi_records(const std::vector<CsvRecord>& table_rows,
                                            const std::string& project_id) {
    const std::vector<CsvRecord>* records = &table_rows;
    auto header = header_row(*records);
    if (!header) return header.error();
    const size_t header_at = *header;
    auto columns = map_header((*records)[header_at], static_cast<int>(header_at + 1), k_kpi_columns,
                              Locale::zh_cn, nullptr);
    if (!columns) return columns.error();

    std::vector<Kpi> kpis;
    std::map<std::string, int> row_of_id;
    std::string normalized_project = normalize_id(project_id);
    for (size_t r = header_at + 1; r < records->size(); ++r) {
        if (is_blank((*records)[r])) continue;
        int row = static_cast<int>(r + 1);
        RowReader reader((*records)[r], row, *columns);
        auto kpi = read_kpi(reader, normalized_project);
        if (!kpi) return kpi.error();
        if (auto [it, inserted] = row_of_id.emplace(kpi->id, row); !inserted)
            return make_error(ErrorCode::invalid_argument,
                              "row " + std::to_string(row) + ", " + columns->header[k_id] +
                                  ": duplicate id '" + kpi->id + "' (first on row " +
                                  std::to_string(it->second) + ")");
        kpis.push_back(std::move(*kpi));
    }
    return kpis;
}

std::string export_kpi_csv(const std::vector<Kpi>& kpis, Locale locale) {
    bool zh = locale == Locale::zh_cn;
    bool with_threshold = false;
    for (const auto& kpi : kpis) with_threshold = with_threshold || kpi.warn_below.has_value();
    size_t column_count = with_threshold ? k_kpi_column_count : k_warn_below;
    std::vector<CsvRecord> records(1);
    for (size_t c = 0; c < column_count; ++c)
        records[0].emplace_back(zh ? k_kpi_columns[c].zh : k_kpi_columns[c].en);
    for (const auto& kpi : kpis) {
        std::string kind =
            zh ? (kpi.kind == KpiKind::process ? "过程指标" : "结果指标") : to_string(kpi.kind);
        CsvRecord record{kpi.id,
                         kpi.name,
                         kind,
                         kpi.description,
                         amount_cell(kpi.target, kpi.percent),
                         amount_cell(kpi.current, kpi.percent),
                         kpi.data_source,
                         date_cell(kpi.updated)};
        if (with_threshold)
            record.push_back(kpi.warn_below ? format_percent_of_fraction(*kpi.warn_below) : "");
        records.push_back(std::move(record));
    }
    return write_csv(records);
}

}  // namespace core
