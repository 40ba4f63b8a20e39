// Row <-> model conversions: one reader and one writer per table, each one cached statement.
// Column order in every SELECT matches its reader, and in every INSERT its binder.
#include "core/store/rows.h"

namespace store::detail {
namespace {

using sql::Statement;

#define TRACKERD_PROJECT_COLUMNS                                                                \
    "SELECT id, name, department, owner, department_head, start_date, end_date, goal,"          \
    " budget_total, budget_reserve, status, delay_grace_days, deviation_at_risk,"               \
    " advance_warning_days, overload_tasks, cadence_key_days, cadence_routine_days,"            \
    " cadence_long_days, long_task_days, min_task_days, on_time_target, report_deadline_hours" \
    " FROM projects "

core::Project project_row(Statement& s) {
    core::Project p;
    std::string status;
    auto& t = p.thresholds;
    read_columns(s, p.id, p.name, p.department, p.owner, p.department_head, p.start, p.end, p.goal,
                 p.budget_total, p.budget_reserve, status, t.delay_grace_days, t.deviation_at_risk,
                 t.advance_warning_days, t.overload_tasks, t.cadence_key_days, t.cadence_routine_days,
                 t.cadence_long_days, t.long_task_days, t.min_task_days, t.on_time_target, t.report_deadline_hours);
    p.status = core::parse_project_status(status).value_or(core::ProjectStatus::active);
    return p;
}

#define TRACKERD_TASK_COLUMNS                                                                   \
    "SELECT project_id, id, level, parent_id, position, name, description, deliverable,"       \
    " acceptance, owner, approver, consulted, informed, collaborators, priority, planned_start," \
    " planned_finish, actual_start, actual_finish, estimated_days, status, completion, risk,"   \
    " predecessors, resources, budget, remark, blocked_reason, blocked_since, last_update"      \
    " FROM tasks "

core::Task task_row(Statement& s) {
    core::Task t;
    std::string level, consulted, informed, collaborators, priority, status, risk, predecessors;
    read_columns(s, t.project_id, t.id, level, t.parent_id, t.position, t.name, t.description, t.deliverable,
                 t.acceptance, t.owner, t.approver, consulted, informed, collaborators, priority, t.planned_start,
                 t.planned_finish, t.actual_start, t.actual_finish, t.estimated_days, status, t.completion, risk,
                 predecessors, t.resources, t.budget, t.remark, t.blocked_reason, t.blocked_since, t.last_update);
    t.level = core::parse_level(level).value_or(core::Level::task);
    t.consulted = split_list(consulted);
    t.informed = split_list(informed);
    t.collaborators = split_list(collaborators);
    t.priority = core::parse_priority(priority).value_or(core::Priority::p2);
    t.status = core::parse_status(status).value_or(core::Status::not_started);
    t.risk = core::parse_risk_level(risk).value_or(core::RiskLevel::none);
    t.predecessors = split_list(predecessors);
    return t;
}

#define TRACKERD_PERSON_COLUMNS "SELECT " TRACKERD_PERSON_FIELDS " FROM people "

#define TRACKERD_KPI_COLUMNS                                                                  \
    "SELECT project_id, id, name, description, kind, target, current, percent, data_source," \
    " updated, warn_below FROM kpis "

core::Kpi kpi_row(Statement& s) {
    core::Kpi k;
    std::string kind;
    read_columns(s, k.project_id, k.id, k.name, k.description, kind, k.target, k.current, k.percent,
                 k.data_source, k.updated, k.warn_below);
    k.kind = core::parse_kpi_kind(kind).value_or(core::KpiKind::result);
    return k;
}

#define TRACKERD_RISK_COLUMNS                                                                 \
    "SELECT project_id, id, task_id, title, description, impact, owner, trigger_condition," \
    " response, status, opened, closed FROM risks "

core::RiskItem risk_row(Statement& s) {
    core::RiskItem r;
    std::string impact, status;
    read_columns(s, r.project_id, r.id, r.task_id, r.title, r.description, impact, r.owner, r.trigger,
                 r.response, status, r.opened, r.closed);
    r.impact = core::parse_risk_level(impact).value_or(core::RiskLevel::medium);
    r.status = core::parse_risk_status(status).value_or(core::RiskStatus::open);
    return r;
}

}  // namespace

std::optional<core::Project> read_project(StatementCache& cache, std::string_view project_id) {
    return select_first(cache, TRACKERD_PROJECT_COLUMNS "WHERE id = ?1", project_row, project_id);
}

std::vector<core::Project> read_projects(StatementCache& cache) {
    return select_all(cache, TRACKERD_PROJECT_COLUMNS "ORDER BY rowid", project_row);
}

void write_project(StatementCache& cache, const core::Project& p) {
    const auto& t = p.thresholds;
    execute(cache,
            "INSERT INTO projects (id, name, department, owner, department_head, start_date, end_date,"
            " goal, budget_total, budget_reserve, status, delay_grace_days, deviation_at_risk,"
            " advance_warning_days, overload_tasks, cadence_key_days, cadence_routine_days,"
            " cadence_long_days, long_task_days, min_task_days, on_time_target, report_deadline_hours)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
            " ?19, ?20, ?21, ?22) ON CONFLICT (id) DO UPDATE SET name = ?2, department = ?3,"
            " owner = ?4, department_head = ?5, start_date = ?6, end_date = ?7, goal = ?8,"
            " budget_total = ?9, budget_reserve = ?10, status = ?11, delay_grace_days = ?12,"
            " deviation_at_risk = ?13, advance_warning_days = ?14, overload_tasks = ?15,"
            " cadence_key_days = ?16, cadence_routine_days = ?17, cadence_long_days = ?18,"
            " long_task_days = ?19, min_task_days = ?20, on_time_target = ?21,"
            " report_deadline_hours = ?22",
            p.id, p.name, p.department, p.owner, p.department_head, p.start, p.end, p.goal, p.budget_total,
            p.budget_reserve, core::to_string(p.status), t.delay_grace_days, t.deviation_at_risk,
            t.advance_warning_days, t.overload_tasks, t.cadence_key_days, t.cadence_routine_days,
            t.cadence_long_days, t.long_task_days, t.min_task_days, t.on_time_target, t.report_deadline_hours);
}

std::optional<core::Task> read_task(StatementCache& cache, std::string_view project_id,
                                    std::string_view task_id) {
    return select_first(cache, TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 AND id = ?2", task_row, project_id,
                        core::normalize_id(task_id));
}

std::vector<core::Task> read_tasks(StatementCache& cache, std::string_view project_id) {
    return select_all(cache, TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 ORDER BY position, rowid", task_row,
                      project_id);
}

std::vector<core::Task> read_child_tasks(StatementCache& cache, std::string_view project_id,
                                         std::string_view parent_id) {
    return select_all(cache, TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 AND parent_id = ?2 ORDER BY position, rowid",
                      task_row, project_id, core::normalize_id(parent_id));
}

std::vector<core::Task> read_tasks_with_id(StatementCache& cache, std::string_view task_id) {
    return select_all(cache, TRACKERD_TASK_COLUMNS "WHERE id = ?1 ORDER BY project_id", task_row,
                      core::normalize_id(task_id));
}

void insert_task(StatementCache& cache, const core::Task& t) {
    execute(cache,
            "INSERT INTO tasks (project_id, id, level, parent_id, position, name, description,"
            " deliverable, acceptance, owner, approver, consulted, informed, collaborators, priority,"
            " planned_start, planned_finish, actual_start, actual_finish, estimated_days, status,"
            " completion, risk, predecessors, resources, budget, remark, blocked_reason,"
            " blocked_since, last_update) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
            " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29,"
            " ?30)",
            t.project_id, t.id, core::to_string(t.level), t.parent_id, t.position, t.name, t.description,
            t.deliverable, t.acceptance, t.owner, t.approver, join_list(t.consulted), join_list(t.informed),
            join_list(t.collaborators), core::to_string(t.priority), t.planned_start, t.planned_finish,
            t.actual_start, t.actual_finish, t.estimated_days, core::to_string(t.status), t.completion,
            core::to_string(t.risk), join_list(t.predecessors), t.resources, t.budget, t.remark, t.blocked_reason,
            t.blocked_since, t.last_update);
}

void write_task_progress(StatementCache& cache, const core::Task& t) {
    execute(cache,
            "UPDATE tasks SET status = ?3, completion = ?4, actual_start = ?5, actual_finish = ?6,"
            " planned_finish = ?7, blocked_reason = ?8, blocked_since = ?9, last_update = ?10"
            " WHERE project_id = ?1 AND id = ?2",
            t.project_id, t.id, core::to_string(t.status), t.completion, t.actual_start, t.actual_finish,
            t.planned_finish, t.blocked_reason, t.blocked_since, t.last_update);
}

void update_task_plan(StatementCache& cache, const core::Task& t) {
    execute(cache,
            "UPDATE tasks SET level = ?3, parent_id = ?4, position = ?5, name = ?6, description = ?7,"
            " deliverable = ?8, acceptance = ?9, owner = ?10, approver = ?11, consulted = ?12, informed = ?13,"
            " collaborators = ?14, priority = ?15, planned_start = ?16, planned_finish = ?17, actual_start = ?18,"
            " actual_finish = ?19, estimated_days = ?20, status = ?21, completion = ?22, risk = ?23,"
            " predecessors = ?24, resources = ?25, budget = ?26, remark = ?27, blocked_reason = ?28,"
            " blocked_since = ?29 WHERE project_id = ?1 AND id = ?2",
            t.project_id, t.id, core::to_string(t.level), t.parent_id, t.position, t.name, t.description,
            t.deliverable, t.acceptance, t.owner, t.approver, join_list(t.consulted), join_list(t.informed),
            join_list(t.collaborators), core::to_string(t.priority), t.planned_start, t.planned_finish,
            t.actual_start, t.actual_finish, t.estimated_days, core::to_string(t.status), t.completion,
            core::to_string(t.risk), join_list(t.predecessors), t.resources, t.budget, t.remark, t.blocked_reason,
            t.blocked_since);
}

core::Person person_row(sql::Statement& s) {
    core::Person p;
    read_columns(s, p.id, p.name, p.department, p.slack, p.feishu, p.dingtalk, p.email, p.mobile);
    return p;
}

std::optional<core::Person> read_person(StatementCache& cache, std::string_view id) {
    return select_first(cache, TRACKERD_PERSON_COLUMNS "WHERE id = ?1", person_row, id);
}

std::vector<core::Person> read_people_named(StatementCache& cache, std::string_view name) {
    return select_all(cache, TRACKERD_PERSON_COLUMNS "WHERE name = ?1 ORDER BY id", person_row, name);
}

std::optional<core::Person> read_person_by_platform(StatementCache& cache, std::string_view column,
                                                    std::string_view user_id) {
    // One literal per platform so each gets a cached statement and its partial index.
    const char* sql = column == "slack"
                          ? TRACKERD_PERSON_COLUMNS "WHERE slack = ?1 AND slack <> '' ORDER BY id"
                      : column == "feishu"
                          ? TRACKERD_PERSON_COLUMNS "WHERE feishu = ?1 AND feishu <> '' ORDER BY id"
                          : TRACKERD_PERSON_COLUMNS
                            "WHERE dingtalk = ?1 AND dingtalk <> '' ORDER BY id";
    return select_first(cache, sql, person_row, user_id);
}

std::vector<core::Person> read_people(StatementCache& cache) {
    return select_all(cache, TRACKERD_PERSON_COLUMNS "ORDER BY id", person_row);
}

void write_person(StatementCache& cache, const core::Person& p) {
    execute(cache,
            "INSERT INTO people (id, name, department, slack, feishu, dingtalk, email, mobile)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = ?2,"
            " department = ?3, slack = ?4, feishu = ?5, dingtalk = ?6, email = ?7, mobile = ?8",
            p.id, p.name, p.department, p.slack, p.feishu, p.dingtalk, p.email, p.mobile);
}

std::optional<core::Kpi> read_kpi(StatementCache& cache, std::string_view project_id,
                                  std::string_view kpi_id) {
    return select_first(cache, TRACKERD_KPI_COLUMNS "WHERE project_id = ?1 AND id = ?2", kpi_row, project_id,
                        core::normalize_id(kpi_id));
}

std::vector<core::Kpi> read_kpis(StatementCache& cache, std::string_view project_id) {
    return select_all(cache, TRACKERD_KPI_COLUMNS "WHERE project_id = ?1 ORDER BY rowid", kpi_row, project_id);
}

void write_kpi(StatementCache& cache, const core::Kpi& k) {
    execute(cache,
            "INSERT INTO kpis (project_id, id, name, description, kind, target, current, percent,"
            " data_source, updated, warn_below) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            " ON CONFLICT (project_id, id) DO UPDATE SET name = ?3, description = ?4, kind = ?5,"
            " target = ?6, current = ?7, percent = ?8, data_source = ?9, updated = ?10,"
            " warn_below = ?11",
            k.project_id, k.id, k.name, k.description, core::to_string(k.kind), k.target, k.current, k.percent,
            k.data_source, k.updated, k.warn_below);
}

std::optional<core::RiskItem> read_risk(StatementCache& cache, std::string_view project_id,
                                        std::string_view risk_id) {
    return select_first(cache, TRACKERD_RISK_COLUMNS "WHERE project_id = ?1 AND id = ?2", risk_row, project_id,
                        core::normalize_id(risk_id));
}

std::vector<core::RiskItem> read_risks(StatementCache& cache, std::string_view project_id) {
    return select_all(cache, TRACKERD_RISK_COLUMNS "WHERE project_id = ?1 ORDER BY rowid", risk_row, project_id);
}

void write_risk(StatementCache& cache, const core::RiskItem& r) {
    execute(cache,
            "INSERT INTO risks (project_id, id, task_id, title, description, impact, owner,"
            " trigger_condition, response, status, opened, closed) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
            " ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (project_id, id) DO UPDATE SET task_id = ?3,"
            " title = ?4, description = ?5, impact = ?6, owner = ?7, trigger_condition = ?8,"
            " response = ?9, status = ?10, opened = ?11, closed = ?12",
            r.project_id, r.id, r.task_id, r.title, r.description, core::to_string(r.impact), r.owner, r.trigger,
            r.response, core::to_string(r.status), r.opened, r.closed);
}

}  // namespace store::detail
