// Row <-> model conversions: one reader and one writer per table, each one cached statement.
// Column order in every SELECT matches its reader.
#include "core/store/store_impl.h"

namespace store::detail {
namespace {

using SQLite::Statement;

core::Project project_row(Statement& s) {
    core::Project p;
    p.id = text(s, 0);
    p.name = text(s, 1);
    p.department = text(s, 2);
    p.owner = text(s, 3);
    p.department_head = text(s, 4);
    p.start = date_at(s, 5);
    p.end = date_at(s, 6);
    p.goal = text(s, 7);
    p.budget_total = real_at(s, 8);
    p.budget_reserve = real_at(s, 9);
    p.status = core::parse_project_status(text(s, 10)).value_or(core::ProjectStatus::active);
    auto& t = p.thresholds;
    t.delay_grace_days = s.getColumn(11).getInt();
    t.deviation_at_risk = s.getColumn(12).getDouble();
    t.advance_warning_days = s.getColumn(13).getInt();
    t.overload_tasks = s.getColumn(14).getInt();
    t.cadence_key_days = s.getColumn(15).getInt();
    t.cadence_routine_days = s.getColumn(16).getInt();
    t.cadence_long_days = s.getColumn(17).getInt();
    t.long_task_days = s.getColumn(18).getInt();
    t.min_task_days = s.getColumn(19).getInt();
    t.on_time_target = s.getColumn(20).getDouble();
    t.report_deadline_hours = s.getColumn(21).getInt();
    return p;
}

constexpr const char* k_select_project =
    "SELECT id, name, department, owner, department_head, start_date, end_date, goal,"
    " budget_total, budget_reserve, status, delay_grace_days, deviation_at_risk,"
    " advance_warning_days, overload_tasks, cadence_key_days, cadence_routine_days,"
    " cadence_long_days, long_task_days, min_task_days, on_time_target, report_deadline_hours"
    " FROM projects WHERE id = ?1";
constexpr const char* k_select_projects =
    "SELECT id, name, department, owner, department_head, start_date, end_date, goal,"
    " budget_total, budget_reserve, status, delay_grace_days, deviation_at_risk,"
    " advance_warning_days, overload_tasks, cadence_key_days, cadence_routine_days,"
    " cadence_long_days, long_task_days, min_task_days, on_time_target, report_deadline_hours"
    " FROM projects ORDER BY rowid";

core::Task task_row(Statement& s) {
    core::Task t;
    t.project_id = text(s, 0);
    t.id = text(s, 1);
    t.level = core::parse_level(text(s, 2)).value_or(core::Level::task);
    t.parent_id = text(s, 3);
    t.position = s.getColumn(4).getInt();
    t.name = text(s, 5);
    t.description = text(s, 6);
    t.deliverable = text(s, 7);
    t.acceptance = text(s, 8);
    t.owner = text(s, 9);
    t.approver = text(s, 10);
    t.consulted = split_list(text(s, 11));
    t.informed = split_list(text(s, 12));
    t.collaborators = split_list(text(s, 13));
    t.priority = core::parse_priority(text(s, 14)).value_or(core::Priority::p2);
    t.planned_start = date_at(s, 15);
    t.planned_finish = date_at(s, 16);
    t.actual_start = date_at(s, 17);
    t.actual_finish = date_at(s, 18);
    t.estimated_days = int_at(s, 19);
    t.status = core::parse_status(text(s, 20)).value_or(core::Status::not_started);
    t.completion = s.getColumn(21).getInt();
    t.risk = core::parse_risk_level(text(s, 22)).value_or(core::RiskLevel::none);
    t.predecessors = split_list(text(s, 23));
    t.resources = text(s, 24);
    t.budget = real_at(s, 25);
    t.remark = text(s, 26);
    t.blocked_reason = text(s, 27);
    t.blocked_since = date_at(s, 28);
    t.last_update = date_at(s, 29);
    return t;
}

#define TRACKERD_TASK_COLUMNS                                                                   \
    "SELECT project_id, id, level, parent_id, position, name, description, deliverable,"       \
    " acceptance, owner, approver, consulted, informed, collaborators, priority, planned_start," \
    " planned_finish, actual_start, actual_finish, estimated_days, status, completion, risk,"   \
    " predecessors, resources, budget, remark, blocked_reason, blocked_since, last_update"      \
    " FROM tasks "

#define TRACKERD_PERSON_COLUMNS "SELECT id, name, department, slack, feishu, dingtalk, email, mobile FROM people "

core::Kpi kpi_row(Statement& s) {
    core::Kpi k;
    k.project_id = text(s, 0);
    k.id = text(s, 1);
    k.name = text(s, 2);
    k.description = text(s, 3);
    k.kind = core::parse_kpi_kind(text(s, 4)).value_or(core::KpiKind::result);
    k.target = s.getColumn(5).getDouble();
    k.current = s.getColumn(6).getDouble();
    k.percent = s.getColumn(7).getInt() != 0;
    k.data_source = text(s, 8);
    k.updated = date_at(s, 9);
    k.warn_below = real_at(s, 10);
    return k;
}

#define TRACKERD_KPI_COLUMNS                                                                  \
    "SELECT project_id, id, name, description, kind, target, current, percent, data_source," \
    " updated, warn_below FROM kpis "

core::RiskItem risk_row(Statement& s) {
    core::RiskItem r;
    r.project_id = text(s, 0);
    r.id = text(s, 1);
    r.task_id = text(s, 2);
    r.title = text(s, 3);
    r.description = text(s, 4);
    r.impact = core::parse_risk_level(text(s, 5)).value_or(core::RiskLevel::medium);
    r.owner = text(s, 6);
    r.trigger = text(s, 7);
    r.response = text(s, 8);
    r.status = core::parse_risk_status(text(s, 9)).value_or(core::RiskStatus::open);
    r.opened = date_at(s, 10);
    r.closed = date_at(s, 11);
    return r;
}

#define TRACKERD_RISK_COLUMNS                                                                 \
    "SELECT project_id, id, task_id, title, description, impact, owner, trigger_condition," \
    " response, status, opened, closed FROM risks "

}  // namespace

std::optional<core::Project> read_project(StatementCache& cache, std::string_view project_id) {
    auto q = cache.get(k_select_project);
    bind_text(*q, 1, project_id);
    return first_row<core::Project>(q, project_row);
}

std::vector<core::Project> read_projects(StatementCache& cache) {
    auto q = cache.get(k_select_projects);
    return all_rows<core::Project>(q, project_row);
}

void write_project(StatementCache& cache, const core::Project& p) {
    auto q = cache.get(
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
        " report_deadline_hours = ?22");
    bind_text(*q, 1, p.id);
    bind_text(*q, 2, p.name);
    bind_text(*q, 3, p.department);
    bind_text(*q, 4, p.owner);
    bind_text(*q, 5, p.department_head);
    bind_date(*q, 6, p.start);
    bind_date(*q, 7, p.end);
    bind_text(*q, 8, p.goal);
    bind_real(*q, 9, p.budget_total);
    bind_real(*q, 10, p.budget_reserve);
    bind_text(*q, 11, core::to_string(p.status));
    const auto& t = p.thresholds;
    q->bind(12, t.delay_grace_days);
    q->bind(13, t.deviation_at_risk);
    q->bind(14, t.advance_warning_days);
    q->bind(15, t.overload_tasks);
    q->bind(16, t.cadence_key_days);
    q->bind(17, t.cadence_routine_days);
    q->bind(18, t.cadence_long_days);
    q->bind(19, t.long_task_days);
    q->bind(20, t.min_task_days);
    q->bind(21, t.on_time_target);
    q->bind(22, t.report_deadline_hours);
    q->exec();
}

std::optional<core::Task> read_task(StatementCache& cache, std::string_view project_id,
                                    std::string_view task_id) {
    return project_item<core::Task>(cache, TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 AND id = ?2", project_id,
                                    task_id, task_row);
}

std::vector<core::Task> read_tasks(StatementCache& cache, std::string_view project_id) {
    return project_items<core::Task>(cache, TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 ORDER BY position, rowid",
                                     project_id, task_row);
}

std::vector<core::Task> read_child_tasks(StatementCache& cache, std::string_view project_id,
                                         std::string_view parent_id) {
    auto q = cache.get(TRACKERD_TASK_COLUMNS "WHERE project_id = ?1 AND parent_id = ?2 ORDER BY position, rowid");
    bind_text(*q, 1, project_id);
    bind_text(*q, 2, core::normalize_id(parent_id));
    return all_rows<core::Task>(q, task_row);
}

std::vector<core::Task> read_tasks_with_id(StatementCache& cache, std::string_view task_id) {
    auto q = cache.get(TRACKERD_TASK_COLUMNS "WHERE id = ?1 ORDER BY project_id");
    bind_text(*q, 1, core::normalize_id(task_id));
    return all_rows<core::Task>(q, task_row);
}

void insert_task(StatementCache& cache, const core::Task& t) {
    auto q = cache.get(
        "INSERT INTO tasks (project_id, id, level, parent_id, position, name, description,"
        " deliverable, acceptance, owner, approver, consulted, informed, collaborators, priority,"
        " planned_start, planned_finish, actual_start, actual_finish, estimated_days, status,"
        " completion, risk, predecessors, resources, budget, remark, blocked_reason,"
        " blocked_since, last_update) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
        " ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29,"
        " ?30)");
    bind_text(*q, 1, t.project_id);
    bind_text(*q, 2, t.id);
    bind_text(*q, 3, core::to_string(t.level));
    bind_text(*q, 4, t.parent_id);
    q->bind(5, t.position);
    bind_text(*q, 6, t.name);
    bind_text(*q, 7, t.description);
    bind_text(*q, 8, t.deliverable);
    bind_text(*q, 9, t.acceptance);
    bind_text(*q, 10, t.owner);
    bind_text(*q, 11, t.approver);
    bind_text(*q, 12, join_list(t.consulted));
    bind_text(*q, 13, join_list(t.informed));
    bind_text(*q, 14, join_list(t.collaborators));
    bind_text(*q, 15, core::to_string(t.priority));
    bind_date(*q, 16, t.planned_start);
    bind_date(*q, 17, t.planned_finish);
    bind_date(*q, 18, t.actual_start);
    bind_date(*q, 19, t.actual_finish);
    bind_int(*q, 20, t.estimated_days);
    bind_text(*q, 21, core::to_string(t.status));
    q->bind(22, t.completion);
    bind_text(*q, 23, core::to_string(t.risk));
    bind_text(*q, 24, join_list(t.predecessors));
    bind_text(*q, 25, t.resources);
    bind_real(*q, 26, t.budget);
    bind_text(*q, 27, t.remark);
    bind_text(*q, 28, t.blocked_reason);
    bind_date(*q, 29, t.blocked_since);
    bind_date(*q, 30, t.last_update);
    q->exec();
}

void write_task_progress(StatementCache& cache, const core::Task& t) {
    auto q = cache.get(
        "UPDATE tasks SET status = ?3, completion = ?4, actual_start = ?5, actual_finish = ?6,"
        " planned_finish = ?7, blocked_reason = ?8, blocked_since = ?9, last_update = ?10"
        " WHERE project_id = ?1 AND id = ?2");
    bind_text(*q, 1, t.project_id);
    bind_text(*q, 2, t.id);
    bind_text(*q, 3, core::to_string(t.status));
    q->bind(4, t.completion);
    bind_date(*q, 5, t.actual_start);
    bind_date(*q, 6, t.actual_finish);
    bind_date(*q, 7, t.planned_finish);
    bind_text(*q, 8, t.blocked_reason);
    bind_date(*q, 9, t.blocked_since);
    bind_date(*q, 10, t.last_update);
    q->exec();
}

core::Person person_row(SQLite::Statement& s) {
    return core::Person{text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4), text(s, 5), text(s, 6), text(s, 7)};
}

std::optional<core::Person> read_person(StatementCache& cache, std::string_view id) {
    auto q = cache.get(TRACKERD_PERSON_COLUMNS "WHERE id = ?1");
    bind_text(*q, 1, id);
    return first_row<core::Person>(q, person_row);
}

std::vector<core::Person> read_people_named(StatementCache& cache, std::string_view name) {
    auto q = cache.get(TRACKERD_PERSON_COLUMNS "WHERE name = ?1 ORDER BY id");
    bind_text(*q, 1, name);
    return all_rows<core::Person>(q, person_row);
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
    auto q = cache.get(sql);
    bind_text(*q, 1, user_id);
    return first_row<core::Person>(q, person_row);
}

std::vector<core::Person> read_people(StatementCache& cache) {
    auto q = cache.get(TRACKERD_PERSON_COLUMNS "ORDER BY id");
    return all_rows<core::Person>(q, person_row);
}

void write_person(StatementCache& cache, const core::Person& p) {
    auto q = cache.get(
        "INSERT INTO people (id, name, department, slack, feishu, dingtalk, email, mobile)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO UPDATE SET name = ?2,"
        " department = ?3, slack = ?4, feishu = ?5, dingtalk = ?6, email = ?7, mobile = ?8");
    bind_text(*q, 1, p.id);
    bind_text(*q, 2, p.name);
    bind_text(*q, 3, p.department);
    bind_text(*q, 4, p.slack);
    bind_text(*q, 5, p.feishu);
    bind_text(*q, 6, p.dingtalk);
    bind_text(*q, 7, p.email);
    bind_text(*q, 8, p.mobile);
    q->exec();
}

std::optional<core::Kpi> read_kpi(StatementCache& cache, std::string_view project_id,
                                  std::string_view kpi_id) {
    return project_item<core::Kpi>(cache, TRACKERD_KPI_COLUMNS "WHERE project_id = ?1 AND id = ?2", project_id,
                                   kpi_id, kpi_row);
}

std::vector<core::Kpi> read_kpis(StatementCache& cache, std::string_view project_id) {
    return project_items<core::Kpi>(cache, TRACKERD_KPI_COLUMNS "WHERE project_id = ?1 ORDER BY rowid", project_id,
                                    kpi_row);
}

void write_kpi(StatementCache& cache, const core::Kpi& k) {
    auto q = cache.get(
        "INSERT INTO kpis (project_id, id, name, description, kind, target, current, percent,"
        " data_source, updated, warn_below) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (project_id, id) DO UPDATE SET name = ?3, description = ?4, kind = ?5,"
        " target = ?6, current = ?7, percent = ?8, data_source = ?9, updated = ?10,"
        " warn_below = ?11");
    bind_text(*q, 1, k.project_id);
    bind_text(*q, 2, k.id);
    bind_text(*q, 3, k.name);
    bind_text(*q, 4, k.description);
    bind_text(*q, 5, core::to_string(k.kind));
    q->bind(6, k.target);
    q->bind(7, k.current);
    q->bind(8, k.percent ? 1 : 0);
    bind_text(*q, 9, k.data_source);
    bind_date(*q, 10, k.updated);
    bind_real(*q, 11, k.warn_below);
    q->exec();
}

std::optional<core::RiskItem> read_risk(StatementCache& cache, std::string_view project_id,
                                        std::string_view risk_id) {
    return project_item<core::RiskItem>(cache, TRACKERD_RISK_COLUMNS "WHERE project_id = ?1 AND id = ?2",
                                        project_id, risk_id, risk_row);
}

std::vector<core::RiskItem> read_risks(StatementCache& cache, std::string_view project_id) {
    return project_items<core::RiskItem>(cache, TRACKERD_RISK_COLUMNS "WHERE project_id = ?1 ORDER BY rowid",
                                         project_id, risk_row);
}

void write_risk(StatementCache& cache, const core::RiskItem& r) {
    auto q = cache.get(
        "INSERT INTO risks (project_id, id, task_id, title, description, impact, owner,"
        " trigger_condition, response, status, opened, closed) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (project_id, id) DO UPDATE SET task_id = ?3,"
        " title = ?4, description = ?5, impact = ?6, owner = ?7, trigger_condition = ?8,"
        " response = ?9, status = ?10, opened = ?11, closed = ?12");
    bind_text(*q, 1, r.project_id);
    bind_text(*q, 2, r.id);
    bind_text(*q, 3, r.task_id);
    bind_text(*q, 4, r.title);
    bind_text(*q, 5, r.description);
    bind_text(*q, 6, core::to_string(r.impact));
    bind_text(*q, 7, r.owner);
    bind_text(*q, 8, r.trigger);
    bind_text(*q, 9, r.response);
    bind_text(*q, 10, core::to_string(r.status));
    bind_date(*q, 11, r.opened);
    bind_date(*q, 12, r.closed);
    q->exec();
}

}  // namespace store::detail
