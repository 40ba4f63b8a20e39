#include "core/table_csv.h"

#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "core/table_cells.h"

namespace core {
namespace {

using namespace table_cells;

enum TaskColumn : size_t {
    c_id,
    c_level,
    c_name,
    c_description,
    c_deliverable,
    c_owner,
    c_planned_start,
    c_planned_finish,
    c_actual_start,
    c_actual_finish,
    c_status,
    c_completion,
    c_risk,
    c_predecessors,
    c_remark,
    c_approver,
    c_priority,
    c_acceptance,
    c_collaborators,
    c_task_column_count
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
    if (!name.empty() && !state.people.count(name))
        state.people[name] = Person{name, name, "", "", "", "", "", ""};
}

Result<Task> read_task(RowReader& reader, std::vector<std::string>& warnings) {
    Task task;
    std::string where = "row " + std::to_string(reader.row());
    task.id = normalize_id(reader.text(c_id));
    if (task.id.empty()) reader.fail(c_id, "", "is empty: every row needs an id");
    task.level = reader.parsed<Level>(c_level, parse_level, Level::task,
                                      "is not a level (一级阶段/二级模块/三级任务)");
    task.name = reader.text(c_name);
    if (task.name.empty()) reader.fail(c_name, "", "is empty: every row needs a name");
    task.description = reader.text(c_description);
    task.deliverable = reader.text(c_deliverable);
    task.owner = reader.text(c_owner);
    task.planned_start = reader.date(c_planned_start);
    task.planned_finish = reader.date(c_planned_finish);
    task.actual_start = reader.date(c_actual_start);
    task.actual_finish = reader.date(c_actual_finish);
    task.status =
        reader.parsed<Status>(c_status, parse_status, Status::not_started,
                              "is not a status (未开始/进行中/已完成/已延期/已阻塞/已取消)");
    bool completion_given = !reader.text(c_completion).empty();
    task.completion =
        reader.parsed<int>(c_completion, parse_completion, 0, "is not a percentage from 0 to 100");
    task.risk = reader.parsed<RiskLevel>(c_risk, parse_risk_level, RiskLevel::none,
                                         "is not a risk level (高/中/低)");
    for (auto& id : split_list(reader.text(c_predecessors)))
        task.predecessors.push_back(normalize_id(id));
    task.remark = reader.text(c_remark);
    task.approver = reader.text(c_approver);
    task.priority = reader.parsed<Priority>(c_priority, parse_priority, Priority::p2,
                                            "is not a priority (P0-P3, 高/中/低)");
    task.acceptance = reader.text(c_acceptance);
    task.collaborators = split_list(reader.text(c_collaborators));
    if (reader.error()) return *reader.error();

    if (task.status == Status::done && !completion_given) task.completion = 100;
    if (task.status == Status::done && task.completion != 100)
        warnings.push_back(where + ": " + task.id + " is done but its completion is " +
                           std::to_string(task.completion) + "%");
    if (task.status == Status::blocked) {
        task.blocked_reason = task.remark;  // R5: the reason lives in 备注
        if (task.remark.empty())
            warnings.push_back(where + ": " + task.id + " is blocked without a reason (R5)");
    }
    if (task.planned_start && task.planned_finish && *task.planned_finish < *task.planned_start)
        warnings.push_back(where + ": " + task.id + " is planned to finish before it starts");
    return task;
}

// R7 needs finish-to-start chains without loops. Returns the first cycle as "A → B → A".
std::optional<std::string> find_cycle(const std::vector<Task>& tasks,
                                      const std::map<std::string, size_t>& by_id) {
    std::vector<int> state(tasks.size(), 0);  // 0 unvisited, 1 on the path, 2 finished
    std::vector<size_t> path;
    std::function<std::optional<std::string>(size_t)> visit =
        [&](size_t at) -> std::optional<std::string> {
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
                return make_error(ErrorCode::invalid_argument,
                                  where + tasks[i].id + " cannot depend on itself");
            if (!by_id.count(predecessor))
                return make_error(ErrorCode::invalid_argument,
                                  where + "unknown task '" + predecessor + "'");
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
    project.id = !options.project_id.empty() ? normalize_id(options.project_id)
                 : phase                     ? phase->id
                                             : "P1";
    if (phase) {
        project.name = phase->name;
        project.goal = phase->description;
        project.owner = phase->owner;
        project.start = phase->planned_start;
        project.end = phase->planned_finish;
    } else {
        table.warnings.push_back("no 一级阶段 row: the project '" + project.id +
                                 "' has no name, goal or period");
    }
    for (auto& task : state.tasks) task.project_id = project.id;
}

std::string level_label(Level level, Locale locale) {
    if (locale == Locale::en) return to_string(level);
    switch (level) {
        case Level::phase:
            return "一级阶段";
        case Level::module:
            return "二级模块";
        case Level::task:
            return "三级任务";
    }
    return "三级任务";
}

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

}  // namespace

namespace table_cells {
std::span<const ColumnSpec> tracking_column_specs() { return k_task_columns; }
}  // namespace table_cells

Result<ImportedTable> import_tracking_csv(std::string_view csv, const ImportOptions& options) {
    auto records = parse_csv(csv);
    if (!records) return records.error();
    return import_tracking_records(*records, options);
}

Result<ImportedTable> import_tracking_records(const std::vector<CsvRecord>& table_rows,
                                              const ImportOptions& options) {
    const std::vector<CsvRecord>* records = &table_rows;
    auto header = header_row(*records);
    if (!header) return header.error();
    const size_t header_at = *header;

    ImportedTable table;
    auto columns = map_header((*records)[header_at], static_cast<int>(header_at + 1),
                              k_task_columns, options.header_locale, &table.warnings);
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
            return make_error(ErrorCode::invalid_argument,
                              "row " + std::to_string(row) + ", " + columns->header[c_id] +
                                  ": duplicate id '" + task->id + "' (first on row " +
                                  std::to_string(it->second) + ")");
        for (size_t col = record.size(); col-- > (*records)[header_at].size();)
            if (!trim(record[col]).empty()) {
                table.warnings.push_back("row " + std::to_string(row) +
                                         ": cells beyond the header ignored");
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
    if (auto checked = check_predecessors(state.tasks, rows, columns->header[c_predecessors]);
        !checked)
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
                 state.person_name(project.owner), date_cell(project.start), date_cell(project.end),
                 "", "", label(Status::not_started, locale), "0%", "", "", "", "",
                 label(Priority::p2, locale), "", ""});
    for (const Task* task : tree_order(state.tasks)) {
        std::vector<std::string> collaborators;
        for (const auto& id : task->collaborators) collaborators.push_back(state.person_name(id));
        add_row({task->id, level_label(task->level, locale), task->name, task->description,
                 task->deliverable, state.person_name(task->owner), date_cell(task->planned_start),
                 date_cell(task->planned_finish), date_cell(task->actual_start),
                 date_cell(task->actual_finish), label(task->status, locale),
                 std::to_string(task->completion) + "%",
                 task->risk == RiskLevel::none ? "" : label(task->risk, locale),
                 join(task->predecessors, ";"), task->remark, state.person_name(task->approver),
                 label(task->priority, locale), task->acceptance, join(collaborators, ";")});
    }
    return write_csv(records);
}

}  // namespace core
