#include "core/table_csv.h"

#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace core {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

std::string_view trim(std::string_view text) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool strip_suffix(std::string_view& text, std::string_view suffix) {
    if (!text.ends_with(suffix)) return false;
    text.remove_suffix(suffix.size());
    return true;
}

bool is_blank(const CsvRecord& record) {
    for (const auto& field : record)
        if (!trim(field).empty()) return false;
    return true;
}

// Splits a list cell on ';', ',' and their full-width forms, and on the enumeration comma 、.
std::vector<std::string> split_list(std::string_view text) {
    static constexpr std::array<std::string_view, 5> separators{";", ",", "；", "，", "、"};
    std::vector<std::string> items;
    size_t start = 0;
    size_t i = 0;
    auto flush = [&](size_t end) {
        auto item = trim(text.substr(start, end - start));
        if (!item.empty()) items.emplace_back(item);
    };
    while (i < text.size()) {
        size_t matched = 0;
        for (auto separator : separators)
            if (text.substr(i).starts_with(separator)) matched = separator.size();
        if (matched == 0) {
            ++i;
            continue;
        }
        flush(i);
        i += matched;
        start = i;
    }
    flush(text.size());
    return items;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? std::string(separator) : "") + items[i];
    return out;
}

// A plain number: "5000000", "5,000,000", "12.5". Not "inf" or "nan".
std::optional<double> parse_number(std::string_view text) {
    std::string digits;
    for (char c : text)
        if (c != ',') digits += c;
    double value = 0;
    const char* end = digits.data() + digits.size();
    auto [ptr, ec] = std::from_chars(digits.data(), end, value);
    if (digits.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
    return value;
}

// Shortest fixed notation that reads back to the same double: 5000000, 35, 0.5.
std::string format_number(double value) {
    std::array<char, 64> buffer{};
    auto [ptr, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                   std::chars_format::fixed);
    if (ec != std::errc()) return "0";
    return std::string(buffer.data(), ptr);
}

// ---- columns -------------------------------------------------------------------------------

struct ColumnSpec {
    std::string_view zh;
    std::string_view en;
    std::string_view alias;  // another header seen in the seeds, "" when none
    bool required;
};

// English headers match case-insensitively, with ' ' or '-' for '_'.
std::string header_key(std::string_view text) {
    std::string key;
    for (char c : trim(text)) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        key += (c == ' ' || c == '-') ? '_' : c;
    }
    return key;
}

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
            if (key == specs[s].zh || key == specs[s].en || (!specs[s].alias.empty() && key == specs[s].alias))
                found = s;
        if (found == N) {
            if (warnings) warnings->push_back("column '" + std::string(trim(header[col])) + "' is not known; ignored");
            continue;
        }
        if (columns.index[found] >= 0)
            return make_error(ErrorCode::invalid_argument, "row " + std::to_string(row) + ": column '" +
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
    T parsed(size_t spec, std::optional<T> (*parse)(std::string_view), T fallback, std::string_view what) {
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
        m_error = make_error(ErrorCode::invalid_argument, "row " + std::to_string(m_row) + ", " +
                                                               m_columns.header[spec] + ": '" +
                                                               std::string(value) + "' " + std::string(what));
    }

    const std::optional<Error>& error() const { return m_error; }
    int row() const { return m_row; }

private:
    const CsvRecord& m_record;
    int m_row;
    const Columns& m_columns;
    std::optional<Error> m_error;
};

// ---- tracking table ------------------------------------------------------------------------

enum TaskColumn : size_t {
    c_id, c_level, c_name, c_description, c_deliverable, c_owner, c_planned_start, c_planned_finish,
    c_actual_start, c_actual_finish, c_status, c_completion, c_risk, c_predecessors, c_remark,
    c_approver, c_priority, c_acceptance, c_collaborators, c_task_column_count
};
constexpr size_t k_standard_columns = c_approver;  // the seed template's 15 columns

constexpr std::array<ColumnSpec, c_task_column_count> k_task_columns{{
    {"编号", "id", "任务编号", true},
    {"任务层级", "level", "层级", true},
    {"任务名称", "name", "", true},
    {"任务描述", "description", "", false},
    {"交付物", "deliverable", "", false},
    {"负责人", "owner", "", false},
    {"计划开始", "planned_start", "计划开始时间", false},
    {"计划完成", "planned_finish", "计划完成时间", false},
    {"实际开始", "actual_start", "实际开始时间", false},
    {"实际完成", "actual_finish", "实际完成时间", false},
    {"进度状态", "status", "状态", false},
    {"完成度", "completion", "完成进度", false},
    {"风险等级", "risk", "", false},
    {"前置任务", "predecessors", "", false},
    {"备注", "remark", "", false},
    {"审批人", "approver", "", false},
    {"优先级", "priority", "", false},
    {"验收标准", "acceptance", "", false},
    {"协作人", "collaborators", "协作责任人", false},
}};

// "60%", "60", "60％" or "" (0). Rounded to a whole percent.
std::optional<int> parse_completion(std::string_view text) {
    text = trim(text);
    if (text.empty()) return 0;
    if (!strip_suffix(text, "%")) strip_suffix(text, "％");
    auto value = parse_number(trim(text));
    if (!value || *value < 0 || *value > 100) return std::nullopt;
    return static_cast<int>(std::lround(*value));
}

void add_person(ProjectState& state, const std::string& name) {
    if (!name.empty() && !state.people.count(name)) state.people[name] = Person{name, name, "", "", "", ""};
}

Result<Task> read_task(RowReader& reader, std::vector<std::string>& warnings) {
    Task task;
    std::string where = "row " + std::to_string(reader.row());
    task.id = normalize_id(reader.text(c_id));
    if (task.id.empty()) reader.fail(c_id, "", "is empty: every row needs an id");
    task.level = reader.parsed<Level>(c_level, parse_level, Level::task, "is not a level (一级阶段/二级模块/三级任务)");
    task.name = reader.text(c_name);
    if (task.name.empty()) reader.fail(c_name, "", "is empty: every row needs a name");
    task.description = reader.text(c_description);
    task.deliverable = reader.text(c_deliverable);
    task.owner = reader.text(c_owner);
    task.planned_start = reader.date(c_planned_start);
    task.planned_finish = reader.date(c_planned_finish);
    task.actual_start = reader.date(c_actual_start);
    task.actual_finish = reader.date(c_actual_finish);
    task.status = reader.parsed<Status>(c_status, parse_status, Status::not_started,
                                        "is not a status (未开始/进行中/已完成/已延期/已阻塞/已取消)");
    bool completion_given = !reader.text(c_completion).empty();
    task.completion = reader.parsed<int>(c_completion, parse_completion, 0, "is not a percentage from 0 to 100");
    task.risk = reader.parsed<RiskLevel>(c_risk, parse_risk_level, RiskLevel::none, "is not a risk level (高/中/低)");
    for (auto& id : split_list(reader.text(c_predecessors))) task.predecessors.push_back(normalize_id(id));
    task.remark = reader.text(c_remark);
    task.approver = reader.text(c_approver);
    task.priority = reader.parsed<Priority>(c_priority, parse_priority, Priority::p2, "is not a priority (P0-P3, 高/中/低)");
    task.acceptance = reader.text(c_acceptance);
    task.collaborators = split_list(reader.text(c_collaborators));
    if (reader.error()) return *reader.error();

    if (task.status == Status::done && !completion_given) task.completion = 100;
    if (task.status == Status::done && task.completion != 100)
        warnings.push_back(where + ": " + task.id + " is done but its completion is " +
                           std::to_string(task.completion) + "%");
    if (task.status == Status::blocked) {
        task.blocked_reason = task.remark;  // R5: the reason lives in 备注
        if (task.remark.empty()) warnings.push_back(where + ": " + task.id + " is blocked without a reason (R5)");
    }
    if (task.planned_start && task.planned_finish && *task.planned_finish < *task.planned_start)
        warnings.push_back(where + ": " + task.id + " is planned to finish before it starts");
    return task;
}

// R7 needs finish-to-start chains without loops. Returns the first cycle as "A → B → A".
std::optional<std::string> find_cycle(const std::vector<Task>& tasks, const std::map<std::string, size_t>& by_id) {
    std::vector<int> state(tasks.size(), 0);  // 0 unvisited, 1 on the path, 2 finished
    std::vector<size_t> path;
    std::function<std::optional<std::string>(size_t)> visit = [&](size_t at) -> std::optional<std::string> {
        state[at] = 1;
        path.push_back(at);
        for (const auto& predecessor : tasks[at].predecessors) {
            size_t next = by_id.at(predecessor);
            if (state[next] == 1) {
                std::string cycle;
                bool in_cycle = false;
                for (size_t node : path) {
                    in_cycle = in_cycle || node == next;
                    if (in_cycle) cycle += tasks[node].id + " → ";
                }
                return cycle + tasks[next].id;
            }
            if (state[next] == 0)
                if (auto found = visit(next)) return found;
        }
        path.pop_back();
        state[at] = 2;
        return std::nullopt;
    };
    for (size_t i = 0; i < tasks.size(); ++i)
        if (state[i] == 0)
            if (auto found = visit(i)) return found;
    return std::nullopt;
}

Result<void> check_predecessors(const std::vector<Task>& tasks, const std::vector<int>& rows,
                                const std::string& column) {
    std::map<std::string, size_t> by_id;
    for (size_t i = 0; i < tasks.size(); ++i) by_id[tasks[i].id] = i;
    for (size_t i = 0; i < tasks.size(); ++i) {
        for (const auto& predecessor : tasks[i].predecessors) {
            std::string where = "row " + std::to_string(rows[i]) + ", " + column + ": ";
            if (predecessor == tasks[i].id)
                return make_error(ErrorCode::invalid_argument, where + tasks[i].id + " cannot depend on itself");
            if (!by_id.count(predecessor))
                return make_error(ErrorCode::invalid_argument, where + "unknown task '" + predecessor + "'");
        }
    }
    if (auto cycle = find_cycle(tasks, by_id))
        return make_error(ErrorCode::invalid_argument, column + ": dependency cycle " + *cycle);
    return ok();
}

void fill_project(ImportedTable& table, const ImportOptions& options) {
    ProjectState& state = table.state;
    const Task* phase = nullptr;
    for (const auto& task : state.tasks)
        if (task.level == Level::phase) {
            phase = &task;
            break;
        }
    Project& project = state.project;
    project.id = !options.project_id.empty() ? normalize_id(options.project_id) : phase ? phase->id : "P1";
    if (phase) {
        project.name = phase->name;
        project.goal = phase->description;
        project.owner = phase->owner;
        project.start = phase->planned_start;
        project.end = phase->planned_finish;
    } else {
        table.warnings.push_back("no 一级阶段 row: the project '" + project.id + "' has no name, goal or period");
    }
    for (auto& task : state.tasks) task.project_id = project.id;
}

std::string level_label(Level level, Locale locale) {
    if (locale == Locale::en) return to_string(level);
    switch (level) {
        case Level::phase: return "一级阶段";
        case Level::module: return "二级模块";
        case Level::task: return "三级任务";
    }
    return "三级任务";
}

std::string date_cell(const std::optional<Date>& date) { return date ? format_iso_date(*date) : ""; }

// Each node followed by its children, siblings in plan order; this is the order in which
// "parent = most recent higher-level row" reads the hierarchy back.
std::vector<const Task*> tree_order(const std::vector<Task>& tasks) {
    std::map<std::string, std::vector<const Task*>> children;
    std::set<std::string> ids;
    for (const auto& task : tasks) ids.insert(task.id);
    std::vector<const Task*> roots;
    for (const auto& task : tasks) {
        if (task.parent_id.empty() || !ids.count(task.parent_id) || task.parent_id == task.id)
            roots.push_back(&task);
        else
            children[task.parent_id].push_back(&task);
    }
    std::vector<const Task*> order;
    std::set<const Task*> seen;
    std::function<void(const Task*)> visit = [&](const Task* task) {
        if (!seen.insert(task).second) return;
        order.push_back(task);
        for (const Task* child : children[task->id]) visit(child);
    };
    for (const Task* root : roots) visit(root);
    for (const auto& task : tasks) visit(&task);  // nodes on a broken parent loop, in plan order
    return order;
}

// ---- KPI table -----------------------------------------------------------------------------

enum KpiColumn : size_t {
    k_id, k_name, k_kind, k_description, k_target, k_current, k_data_source, k_updated, k_warn_below,
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
        if (strip_suffix(text, "万")) scale = 1e4;
        else if (strip_suffix(text, "亿")) scale = 1e8;
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
        kpi.kind = reader.parsed<KpiKind>(k_kind, parse_kpi_kind, KpiKind::result, "is not a kind (结果指标/过程指标)");
    kpi.description = reader.text(k_description);
    auto target = parse_amount(reader.text(k_target));
    if (!target) reader.fail(k_target, reader.text(k_target), "is not a number");
    std::string current_text = reader.text(k_current);
    auto current = current_text.empty() ? std::optional<Amount>(Amount{}) : parse_amount(current_text);
    if (!current) reader.fail(k_current, current_text, "is not a number");
    if (target && current && current->percent && !target->percent)
        reader.fail(k_current, current_text, "is a percentage but the target is not");
    kpi.data_source = reader.text(k_data_source);
    kpi.updated = reader.date(k_updated);
    std::string warn_text = reader.text(k_warn_below);
    if (!warn_text.empty()) {
        kpi.warn_below = parse_fraction(warn_text);
        if (!kpi.warn_below) reader.fail(k_warn_below, warn_text, "is not a fraction of the target (e.g. 50%)");
    }
    if (reader.error()) return *reader.error();
    kpi.target = target->value;
    kpi.current = current->value;
    kpi.percent = target->percent;
    return kpi;
}

std::string amount_cell(double value, bool percent) { return format_number(value) + (percent ? "%" : ""); }

}  // namespace

// ---- CSV -----------------------------------------------------------------------------------

Result<std::vector<CsvRecord>> parse_csv(std::string_view text) {
    if (text.starts_with(k_bom)) text.remove_prefix(k_bom.size());
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    bool in_quotes = false;
    bool was_quoted = false;
    auto row_error = [&](const std::string& what) {
        return make_error(ErrorCode::invalid_argument, "row " + std::to_string(records.size() + 1) + ": " + what);
    };
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                i += 2;
                continue;
            }
            if (c == '"') in_quotes = false;
            else field += c;
            ++i;
            continue;
        }
        if (c == ',' || c == '\r' || c == '\n') {
            record.push_back(std::move(field));
            field.clear();
            was_quoted = false;
            if (c != ',') {
                records.push_back(std::move(record));
                record.clear();
                if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            }
            ++i;
            continue;
        }
        if (was_quoted) return row_error("text after a closing quote in field " + std::to_string(record.size() + 1));
        if (c == '"' && field.empty()) {
            in_quotes = was_quoted = true;
        } else {
            field += c;  // a quote inside an unquoted field is kept as written
        }
        ++i;
    }
    if (in_quotes) return row_error("a quoted field is not closed");
    if (!field.empty() || was_quoted || !record.empty()) {
        record.push_back(std::move(field));
        records.push_back(std::move(record));
    }
    return records;
}

std::string write_csv(const std::vector<CsvRecord>& records) {
    std::string out;
    for (const auto& record : records) {
        for (size_t i = 0; i < record.size(); ++i) {
            if (i) out += ',';
            const std::string& field = record[i];
            if (field.find_first_of(",\"\r\n") == std::string::npos) {
                out += field;
                continue;
            }
            out += '"';
            for (char c : field) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
            out += '"';
        }
        out += "\r\n";
    }
    return out;
}

// ---- tracking table ------------------------------------------------------------------------

Result<ImportedTable> import_tracking_csv(std::string_view csv, const ImportOptions& options) {
    auto records = parse_csv(csv);
    if (!records) return records.error();
    size_t header_at = 0;
    while (header_at < records->size() && is_blank((*records)[header_at])) ++header_at;
    if (header_at == records->size()) return make_error(ErrorCode::invalid_argument, "the table is empty");

    ImportedTable table;
    auto columns = map_header((*records)[header_at], static_cast<int>(header_at + 1), k_task_columns,
                              options.header_locale, &table.warnings);
    if (!columns) return columns.error();

    ProjectState& state = table.state;
    std::vector<int> rows;                 // spreadsheet row of each task
    std::map<std::string, int> row_of_id;  // for duplicate ids
    std::string last_phase, last_module;   // the most recent row of each higher level
    for (size_t r = header_at + 1; r < records->size(); ++r) {
        const CsvRecord& record = (*records)[r];
        if (is_blank(record)) continue;
        int row = static_cast<int>(r + 1);
        RowReader reader(record, row, *columns);
        auto task = read_task(reader, table.warnings);
        if (!task) return task.error();
        if (auto [it, inserted] = row_of_id.emplace(task->id, row); !inserted)
            return make_error(ErrorCode::invalid_argument, "row " + std::to_string(row) + ", " + columns->header[c_id] +
                                                               ": duplicate id '" + task->id + "' (first on row " +
                                                               std::to_string(it->second) + ")");
        for (size_t col = record.size(); col-- > (*records)[header_at].size();)
            if (!trim(record[col]).empty()) {
                table.warnings.push_back("row " + std::to_string(row) + ": cells beyond the header ignored");
                break;
            }
        if (task->level == Level::phase) {
            last_phase = task->id;
            last_module.clear();
        } else if (task->level == Level::module) {
            task->parent_id = last_phase;
            last_module = task->id;
        } else {
            task->parent_id = !last_module.empty() ? last_module : last_phase;
        }
        task->position = static_cast<int>(state.tasks.size());
        add_person(state, task->owner);
        add_person(state, task->approver);
        for (const auto& name : task->collaborators) add_person(state, name);
        rows.push_back(row);
        state.tasks.push_back(std::move(*task));
    }
    if (auto checked = check_predecessors(state.tasks, rows, columns->header[c_predecessors]); !checked)
        return checked.error();
    fill_project(table, options);
    if (state.tasks.empty()) table.warnings.push_back("the table has a header but no rows");
    return table;
}

std::string export_tracking_csv(const ProjectState& state, Locale locale) {
    bool zh = locale == Locale::zh_cn;
    std::array<bool, c_task_column_count> used{};
    for (size_t c = 0; c < k_standard_columns; ++c) used[c] = true;
    bool has_phase = false;
    for (const auto& task : state.tasks) {
        used[c_approver] = used[c_approver] || !task.approver.empty();
        used[c_priority] = used[c_priority] || task.priority != Priority::p2;
        used[c_acceptance] = used[c_acceptance] || !task.acceptance.empty();
        used[c_collaborators] = used[c_collaborators] || !task.collaborators.empty();
        has_phase = has_phase || task.level == Level::phase;
    }
    std::vector<CsvRecord> records(1);
    for (size_t c = 0; c < c_task_column_count; ++c)
        if (used[c]) records[0].emplace_back(zh ? k_task_columns[c].zh : k_task_columns[c].en);

    auto add_row = [&](std::array<std::string, c_task_column_count> cells) {
        CsvRecord record;
        for (size_t c = 0; c < c_task_column_count; ++c)
            if (used[c]) record.push_back(std::move(cells[c]));
        records.push_back(std::move(record));
    };
    const Project& project = state.project;
    if (!has_phase && !project.name.empty())  // the seed's form: the project is the first phase row
        add_row({project.id, level_label(Level::phase, locale), project.name, project.goal, "",
                 state.person_name(project.owner), date_cell(project.start), date_cell(project.end), "", "",
                 label(Status::not_started, locale), "0%", "", "", "", "", label(Priority::p2, locale), "", ""});
    for (const Task* task : tree_order(state.tasks)) {
        std::vector<std::string> collaborators;
        for (const auto& id : task->collaborators) collaborators.push_back(state.person_name(id));
        add_row({task->id, level_label(task->level, locale), task->name, task->description, task->deliverable,
                 state.person_name(task->owner), date_cell(task->planned_start), date_cell(task->planned_finish),
                 date_cell(task->actual_start), date_cell(task->actual_finish), label(task->status, locale),
                 std::to_string(task->completion) + "%",
                 task->risk == RiskLevel::none ? "" : label(task->risk, locale), join(task->predecessors, ";"),
                 task->remark, state.person_name(task->approver), label(task->priority, locale), task->acceptance,
                 join(collaborators, ";")});
    }
    return write_csv(records);
}

// ---- KPI table -----------------------------------------------------------------------------

Result<std::vector<Kpi>> import_kpi_csv(std::string_view csv, const std::string& project_id) {
    auto records = parse_csv(csv);
    if (!records) return records.error();
    size_t header_at = 0;
    while (header_at < records->size() && is_blank((*records)[header_at])) ++header_at;
    if (header_at == records->size()) return make_error(ErrorCode::invalid_argument, "the table is empty");
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
            return make_error(ErrorCode::invalid_argument, "row " + std::to_string(row) + ", " + columns->header[k_id] +
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
    for (size_t c = 0; c < column_count; ++c) records[0].emplace_back(zh ? k_kpi_columns[c].zh : k_kpi_columns[c].en);
    for (const auto& kpi : kpis) {
        std::string kind = zh ? (kpi.kind == KpiKind::process ? "过程指标" : "结果指标") : to_string(kpi.kind);
        CsvRecord record{kpi.id, kpi.name, kind, kpi.description, amount_cell(kpi.target, kpi.percent),
                         amount_cell(kpi.current, kpi.percent), kpi.data_source, date_cell(kpi.updated)};
        if (with_threshold) record.push_back(kpi.warn_below ? format_percent_of_fraction(*kpi.warn_below) : "");
        records.push_back(std::move(record));
    }
    return write_csv(records);
}

}  // namespace core
