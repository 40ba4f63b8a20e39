// Store, the plan side: people, projects, plans and tasks, KPIs, risks, history (store.h).
#include "core/store/store.h"

#include <algorithm>
#include <set>

#include "core/store/rows.h"

#include <sqlite3.h>

namespace store {

using core::ErrorCode;
using core::make_error;
using detail::AuditContext;
using detail::StatementCache;

namespace {

// `merge`: empty fields of `incoming` keep the stored values (a plan table names people but
// knows nothing of their platform ids, which come from the config).
void save_person(StatementCache& cache, const core::Person& incoming,
                 const core::ChangeSource& source, bool merge) {
    auto before = detail::read_person(cache, incoming.id);
    core::Person person = incoming;
    if (merge && before) {
        for (auto field : {&core::Person::name, &core::Person::department, &core::Person::slack,
                           &core::Person::feishu, &core::Person::dingtalk, &core::Person::email,
                           &core::Person::mobile})
            if ((person.*field).empty()) person.*field = (*before).*field;
    }
    detail::write_person(cache, person);
    detail::audit_diff(cache, AuditContext{source, "", "", "person", person.id},
                       before ? detail::person_fields(*before) : detail::Fields{},
                       detail::person_fields(person));
}

// Writes the project and returns its id as stored (the spelling it was first created with).
std::string save_project(StatementCache& cache, const core::Project& project,
                         const core::ChangeSource& source) {
    auto before = detail::read_project(cache, project.id);
    detail::write_project(cache, project);
    std::string id = before ? before->id : project.id;
    detail::audit_diff(cache, AuditContext{source, id, "", "project", id},
                       before ? detail::project_fields(*before) : detail::Fields{},
                       detail::project_fields(project));
    return id;
}

// Replaces one kind of plan item of a project (tasks, KPIs, risks) with `items`, auditing each
// created, changed and removed item.
template <typename T, typename FieldsOf, typename Insert>
void replace_items(StatementCache& cache, const char* delete_sql, const char* entity,
                   const std::string& project_id, const std::vector<T>& before,
                   const std::vector<T>& items, FieldsOf fields_of, Insert insert,
                   const core::ChangeSource& source) {
    {
        detail::execute(cache, delete_sql, project_id);
    }
    bool is_task = std::string_view(entity) == "task";
    auto context = [&](const std::string& id) {
        return AuditContext{source, project_id, is_task ? id : "", entity, project_id + "/" + id};
    };
    for (const auto& item : items) {
        insert(item);
        auto old = std::find_if(before.begin(), before.end(), [&](const T& b) { return b.id == item.id; });
        detail::audit_diff(cache, context(item.id),
                           old == before.end() ? detail::Fields{} : fields_of(*old), fields_of(item));
    }
    for (const auto& old : before) {
        bool kept = std::any_of(items.begin(), items.end(), [&](const T& i) { return i.id == old.id; });
        if (!kept) detail::insert_audit(cache, context(old.id), "deleted", fields_of(old)[0].second, "");
    }
}

Result<void> check_plan(const core::ProjectState& state) {
    if (state.project.id.empty())
        return make_error(ErrorCode::invalid_argument, "the project has no id");
    std::set<std::string> ids;
    for (const auto& task : state.tasks) {
        if (task.id.empty())
            return make_error(ErrorCode::invalid_argument, "a task of project " + state.project.id + " has no id");
        if (!ids.insert(core::normalize_id(task.id)).second)
            return make_error(ErrorCode::invalid_argument,
                              "task " + core::normalize_id(task.id) + " appears twice in project " + state.project.id);
    }
    return core::ok();
}

std::vector<std::string> normalized(const std::vector<std::string>& ids) {
    std::vector<std::string> out;
    for (const auto& id : ids) out.push_back(core::normalize_id(id));
    return out;
}

// Every person id the project refers to (owner, head, RACI, KPI/risk owners ...).
std::set<std::string> referenced_people(const core::ProjectState& s) {
    std::set<std::string> ids{s.project.owner, s.project.department_head};
    for (const auto& t : s.tasks) {
        ids.insert(t.owner);
        ids.insert(t.approver);
        for (const auto* list : {&t.consulted, &t.informed, &t.collaborators})
            ids.insert(list->begin(), list->end());
    }
    for (const auto& r : s.risks) ids.insert(r.owner);
    for (const auto& e : s.progress) ids.insert(e.who);
    for (const auto& d : s.deviation_reports) ids.insert(d.who);
    ids.erase("");
    return ids;
}

core::Error task_not_found(std::string_view project_id, std::string_view task_id) {
    return make_error(ErrorCode::not_found, "task " + core::normalize_id(task_id) +
                                                " not found in project " + std::string(project_id));
}

// What load_project / load_plan / load_task_plan share: the project (or not_found), what
// `fill` reads of it, then the people the result names (by id: an organisation has thousands
// of people, a project names a handful).
// `person_by_id` reads one person by id (Store::person_reader: through the read cache when usable).
template <typename Fill, typename ReadPerson>
Result<core::ProjectState> read_state(StatementCache& cache, std::string_view project_id, Fill fill,
                                      ReadPerson person_by_id) {
    auto project = detail::read_project(cache, project_id);
    if (!project) return make_error(ErrorCode::not_found, "project " + std::string(project_id) + " not found");
    core::ProjectState state;
    state.project = std::move(*project);
    if (Result<void> filled = fill(state); !filled) return filled.error();
    for (const auto& id : referenced_people(state))
        if (auto person = person_by_id(id)) state.people.emplace(id, std::move(*person));
    return state;
}

}  // namespace

Result<void> Store::upsert_person(const core::Person& person) {
    std::lock_guard lock(m_mutex);
    if (person.id.empty()) return make_error(ErrorCode::invalid_argument, "a person needs an id");
    note_shared_write();
    core::ChangeSource source{"", "store", "", "", 0};
    return detail::write_void(*this, "save person " + person.id, [&]() -> Result<void> {
        save_person(m_impl->statements, person, source, false);
        return core::ok();
    });
}

Result<std::optional<core::Person>> Store::find_person(std::string_view id_or_name) {
    std::lock_guard lock(m_mutex);
    using Found = std::optional<core::Person>;
    return detail::guarded("find person", [&]() -> Result<Found> {
        if (auto by_id = detail::read_person(m_impl->statements, id_or_name)) return by_id;
        auto named = detail::read_people_named(m_impl->statements, id_or_name);
        if (named.empty()) return Found{};
        if (named.size() == 1) return Found{named.front()};
        std::string ids;
        for (const auto& p : named) ids += (ids.empty() ? "" : ", ") + p.id;
        return make_error(ErrorCode::conflict,
                          "several people are named " + std::string(id_or_name) + ": " + ids);
    });
}

Result<std::optional<core::Person>> Store::find_person_by_platform(std::string_view platform,
                                                                   std::string_view user_id) {
    if (platform != "slack" && platform != "feishu" && platform != "dingtalk")
        return make_error(ErrorCode::invalid_argument, "unknown platform " + std::string(platform));
    if (user_id.empty()) return std::optional<core::Person>{};
    if (cache_usable())
        if (auto holder = m_cache->account(platform, user_id)) {
            if (holder->empty()) return std::optional<core::Person>{};
            if (auto person = m_cache->person(*holder); person && *person) return *person;
        }
    std::lock_guard lock(m_mutex);
    return detail::guarded("find person by platform", [&]() -> Result<std::optional<core::Person>> {
        auto person = detail::read_person_by_platform(m_impl->statements, platform, user_id);
        if (!m_shared_dirty) m_cache->put_account(platform, user_id, person);
        return person;
    });
}

Result<std::vector<core::Person>> Store::people() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("list people", [&]() -> Result<std::vector<core::Person>> {
        return detail::read_people(m_impl->statements);
    });
}

Result<void> Store::upsert_project(const core::Project& project, const core::ChangeSource& source) {
    std::lock_guard lock(m_mutex);
    if (project.id.empty()) return make_error(ErrorCode::invalid_argument, "a project needs an id");
    note_project_write(project.id);
    return detail::write_void(*this, "save project " + project.id, [&]() -> Result<void> {
        save_project(m_impl->statements, project, source);
        return core::ok();
    });
}

Result<std::vector<core::Project>> Store::projects() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("list projects", [&]() -> Result<std::vector<core::Project>> {
        return detail::read_projects(m_impl->statements);
    });
}

Result<std::optional<core::Project>> Store::find_project(std::string_view project_id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("find project", [&]() -> Result<std::optional<core::Project>> {
        return detail::read_project(m_impl->statements, project_id);
    });
}

Result<void> Store::import_project(const core::ProjectState& state, const core::ChangeSource& source) {
    std::lock_guard lock(m_mutex);
    if (auto checked = check_plan(state); !checked) return checked;
    note_project_write(state.project.id);
    note_shared_write();  // and the people it names
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "import project " + state.project.id, [&]() -> Result<void> {
        std::string pid = save_project(cache, state.project, source);
        for (const auto& [id, person] : state.people)
            if (!person.id.empty()) save_person(cache, person, source, true);

        auto old_tasks = detail::read_tasks(cache, pid);
        std::vector<core::Task> tasks = state.tasks;
        for (auto& t : tasks) {
            t.project_id = pid;
            t.id = core::normalize_id(t.id);
            t.parent_id = core::normalize_id(t.parent_id);
            t.predecessors = normalized(t.predecessors);
            // A plan table says nothing about when a task was last updated: keep what we know (R9).
            auto old = std::find_if(old_tasks.begin(), old_tasks.end(), [&](const core::Task& o) { return o.id == t.id; });
            if (!t.last_update && old != old_tasks.end()) t.last_update = old->last_update;
        }
        replace_items(cache, "DELETE FROM tasks WHERE project_id = ?1", "task", pid, old_tasks, tasks,
                      detail::task_fields, [&](const core::Task& t) { detail::insert_task(cache, t); }, source);

        std::vector<core::Kpi> kpis = state.kpis;
        for (auto& k : kpis) k.project_id = pid, k.id = core::normalize_id(k.id);
        replace_items(cache, "DELETE FROM kpis WHERE project_id = ?1", "kpi", pid,
                      detail::read_kpis(cache, pid), kpis, detail::kpi_fields,
                      [&](const core::Kpi& k) { detail::write_kpi(cache, k); }, source);

        std::vector<core::RiskItem> risks = state.risks;
        for (auto& r : risks)
            r.project_id = pid, r.id = core::normalize_id(r.id), r.task_id = core::normalize_id(r.task_id);
        replace_items(cache, "DELETE FROM risks WHERE project_id = ?1", "risk", pid,
                      detail::read_risks(cache, pid), risks, detail::risk_fields,
                      [&](const core::RiskItem& r) { detail::write_risk(cache, r); }, source);
        return core::ok();
    });
}

Result<core::ProjectState> Store::load_project(std::string_view project_id) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    // One read transaction so the tables agree with each other; one query per table.
    return detail::write<core::ProjectState>(*this, "load project", [&]() -> Result<core::ProjectState> {
        return read_state(cache, project_id, [&](core::ProjectState& state) -> Result<void> {
            const std::string& pid = state.project.id;
            state.tasks = detail::read_tasks(cache, pid);
            state.kpis = detail::read_kpis(cache, pid);
            state.risks = detail::read_risks(cache, pid);
            state.deviation_reports = detail::read_deviations(cache, pid);
            state.progress = detail::read_progress(cache, pid, "");
            return core::ok();
        }, person_reader());
    });
}

Result<core::ProjectState> Store::load_plan(std::string_view project_id) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write<core::ProjectState>(*this, "load plan", [&]() -> Result<core::ProjectState> {
        return read_state(cache, project_id, [&](core::ProjectState& state) -> Result<void> {
            state.tasks = detail::read_tasks(cache, state.project.id);
            return core::ok();
        }, person_reader());
    });
}

namespace {

// load_task_plan's reads around a task already read: its predecessors and direct children.
void fill_task_plan(StatementCache& cache, core::ProjectState& state, core::Task task) {
    const std::string& pid = state.project.id;
    for (const auto& predecessor : task.predecessors)
        if (auto found = detail::read_task(cache, pid, predecessor)) state.tasks.push_back(std::move(*found));
    for (auto& child : detail::read_child_tasks(cache, pid, task.id)) state.tasks.push_back(std::move(child));
    state.tasks.insert(state.tasks.begin(), std::move(task));
}

}  // namespace

Result<core::ProjectState> Store::load_task_plan(std::string_view project_id, std::string_view task_id) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write<core::ProjectState>(*this, "load task plan", [&]() -> Result<core::ProjectState> {
        return read_state(cache, project_id, [&](core::ProjectState& state) -> Result<void> {
            auto task = detail::read_task(cache, state.project.id, task_id);
            if (!task) return task_not_found(state.project.id, task_id);
            fill_task_plan(cache, state, std::move(*task));
            return core::ok();
        }, person_reader());
    });
}

Result<core::ProjectState> Store::load_task_plan(const core::Task& task) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write<core::ProjectState>(*this, "load task plan", [&]() -> Result<core::ProjectState> {
        return read_state(cache, task.project_id, [&](core::ProjectState& state) -> Result<void> {
            fill_task_plan(cache, state, task);
            return core::ok();
        }, person_reader());
    });
}

Result<std::optional<core::Task>> Store::find_task(std::string_view task_id,
                                                  const std::vector<std::string>& project_ids) {
    std::lock_guard lock(m_mutex);
    using Found = std::optional<core::Task>;
    return detail::guarded("find task", [&]() -> Result<Found> {
        std::vector<core::Task> matches;
        if (project_ids.empty()) {
            matches = detail::read_tasks_with_id(m_impl->statements, task_id);
        } else {
            // One indexed lookup per bound project: "T001" exists in every project of a large
            // organisation, and reading them all to keep one cost more than the update itself.
            for (const auto& project_id : project_ids) {
                auto task = detail::read_task(m_impl->statements, project_id, task_id);
                bool seen = task && std::any_of(matches.begin(), matches.end(), [&](const core::Task& t) {
                                return t.project_id == task->project_id;
                            });
                if (task && !seen) matches.push_back(std::move(*task));
            }
            std::sort(matches.begin(), matches.end(),
                      [](const core::Task& a, const core::Task& b) { return a.project_id < b.project_id; });
        }
        if (matches.empty()) return Found{};
        if (matches.size() == 1) return Found{std::move(matches.front())};
        std::string names;
        for (const auto& t : matches) names += (names.empty() ? "" : ", ") + t.project_id;
        return make_error(ErrorCode::conflict, "task " + core::normalize_id(task_id) +
                                                   " exists in several projects: " + names);
    });
}

Result<TaskChange> Store::apply(const TaskUpdate& update, const core::ChangeSource& source, const core::Task* current) {
    std::lock_guard lock(m_mutex);
    if (update.completion && (*update.completion < 0 || *update.completion > 100))
        return make_error(ErrorCode::invalid_argument,
                          "completion must be 0..100, got " + std::to_string(*update.completion));
    note_project_write(update.project_id);
    auto& cache = m_impl->statements;
    return detail::write<TaskChange>(*this, "apply update", [&]() -> Result<TaskChange> {
        if (current && (current->id != core::normalize_id(update.task_id) ||
                        core::normalize_id(current->project_id) != core::normalize_id(update.project_id)))
            return make_error(ErrorCode::internal, "apply: the row given is not the task updated");
        auto before = current ? std::optional<core::Task>(*current) : detail::read_task(cache, update.project_id, update.task_id);
        if (!before) return task_not_found(update.project_id, update.task_id);
        core::Task after = *before;
        if (update.status) after.status = *update.status;
        if (update.completion) after.completion = *update.completion;
        if (update.actual_start) after.actual_start = update.actual_start;
        if (update.actual_finish.has_value()) after.actual_finish = update.actual_finish.value();
        if (update.planned_finish) after.planned_finish = update.planned_finish;
        if (update.blocked_reason) after.blocked_reason = *update.blocked_reason;
        if (update.blocked_since.has_value()) after.blocked_since = update.blocked_since.value();
        if (update.counts_as_progress) after.last_update = update.date;
        detail::write_task_progress(cache, after);
        // R13: one audit row per changed field; last_update is bookkeeping and not audited.
        detail::audit_diff(cache,
                           AuditContext{source, after.project_id, after.id, "task",
                                        after.project_id + "/" + after.id},
                           detail::task_fields(*before), detail::task_fields(after));

        core::ProgressEntry entry;
        entry.project_id = after.project_id;
        entry.task_id = after.id;
        entry.date = update.date;
        entry.at_unix = source.at_unix;
        entry.who = source.person_id;
        entry.action = update.action;
        entry.actual_content = update.note;
        entry.completion = after.completion;
        entry.deviation_rate = update.deviation_rate;
        entry.problem = update.problem;
        entry.solution = update.solution;
        entry.evidence = update.evidence;
        entry.source = source.describe();
        long long entry_id = detail::insert_progress(cache, entry);

        if (update.deviation_report) {  // R8
            core::DeviationReport report = *update.deviation_report;
            report.project_id = after.project_id;
            report.task_id = after.id;
            if (report.date == core::Date{}) report.date = update.date;
            if (report.at_unix == 0) report.at_unix = source.at_unix;
            if (report.who.empty()) report.who = source.person_id;
            detail::insert_deviation(cache, report);
        }
        return TaskChange{std::move(*before), std::move(after), entry_id};
    });
}

Result<TaskChange> Store::save_task(const core::Task& task, bool is_new, std::string_view action, std::string_view note,
                                   core::Date date, const core::ChangeSource& source) {
    std::lock_guard lock(m_mutex);
    note_project_write(task.project_id);
    auto& cache = m_impl->statements;
    return detail::write<TaskChange>(*this, "save task " + task.id, [&]() -> Result<TaskChange> {
        auto project = detail::read_project(cache, task.project_id);
        if (!project) return make_error(ErrorCode::not_found, "project " + task.project_id + " not found");
        core::Task row = task;
        row.project_id = project->id;
        row.id = core::normalize_id(task.id);
        row.parent_id = core::normalize_id(task.parent_id);
        row.predecessors = normalized(task.predecessors);
        auto before = detail::read_task(cache, row.project_id, row.id);
        if (is_new && before)
            return make_error(ErrorCode::conflict, "task " + row.project_id + "/" + row.id + " exists");
        if (!is_new && !before) return task_not_found(row.project_id, row.id);
        if (is_new) {
            row.last_update.reset();
            detail::insert_task(cache, row);
        } else {
            row.last_update = before->last_update;
            detail::update_task_plan(cache, row);
        }
        AuditContext where{source, row.project_id, row.id, "task", row.project_id + "/" + row.id};
        detail::audit_diff(cache, where, before ? detail::task_fields(*before) : detail::Fields{}, detail::task_fields(row));
        // A task made from the chat: besides "created", each field it was given (owner, dates ...).
        if (!before) detail::audit_diff(cache, where, detail::task_fields(core::Task{}), detail::task_fields(row));
        core::ProgressEntry entry;
        entry.project_id = row.project_id;
        entry.task_id = row.id;
        entry.date = date;
        entry.at_unix = source.at_unix;
        entry.who = source.person_id;
        entry.action = std::string(action);
        entry.actual_content = std::string(note);
        entry.completion = row.completion;
        entry.source = source.describe();
        long long entry_id = detail::insert_progress(cache, entry);
        core::Task old = before ? std::move(*before) : core::Task{};
        return TaskChange{std::move(old), std::move(row), entry_id};
    });
}

Result<void> Store::upsert_kpi(const core::Kpi& kpi, const core::ChangeSource& source) {
    std::lock_guard lock(m_mutex);
    if (kpi.id.empty()) return make_error(ErrorCode::invalid_argument, "a KPI needs an id");
    note_project_write(kpi.project_id);
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "save KPI " + kpi.id, [&]() -> Result<void> {
        auto project = detail::read_project(cache, kpi.project_id);
        if (!project) return make_error(ErrorCode::not_found, "project " + kpi.project_id + " not found");
        core::Kpi row = kpi;
        row.project_id = project->id;
        row.id = core::normalize_id(kpi.id);
        auto before = detail::read_kpi(cache, row.project_id, row.id);
        detail::write_kpi(cache, row);
        detail::audit_diff(cache, AuditContext{source, row.project_id, "", "kpi", row.project_id + "/" + row.id},
                           before ? detail::kpi_fields(*before) : detail::Fields{}, detail::kpi_fields(row));
        return core::ok();
    });
}

Result<void> Store::upsert_risk(const core::RiskItem& risk, const core::ChangeSource& source) {
    std::lock_guard lock(m_mutex);
    if (risk.id.empty()) return make_error(ErrorCode::invalid_argument, "a risk needs an id");
    note_project_write(risk.project_id);
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "save risk " + risk.id, [&]() -> Result<void> {
        auto project = detail::read_project(cache, risk.project_id);
        if (!project) return make_error(ErrorCode::not_found, "project " + risk.project_id + " not found");
        core::RiskItem row = risk;
        row.project_id = project->id;
        row.id = core::normalize_id(risk.id);
        row.task_id = core::normalize_id(risk.task_id);
        auto before = detail::read_risk(cache, row.project_id, row.id);
        detail::write_risk(cache, row);
        detail::audit_diff(cache, AuditContext{source, row.project_id, "", "risk", row.project_id + "/" + row.id},
                           before ? detail::risk_fields(*before) : detail::Fields{}, detail::risk_fields(row));
        return core::ok();
    });
}

Result<std::vector<core::ProgressEntry>> Store::progress_log(std::string_view project_id,
                                                             std::string_view task_id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read progress log", [&]() -> Result<std::vector<core::ProgressEntry>> {
        return detail::read_progress(m_impl->statements, project_id, task_id);
    });
}

Result<std::vector<core::AuditEntry>> Store::audit_log(std::string_view project_id,
                                                       std::string_view task_id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read audit log", [&]() -> Result<std::vector<core::AuditEntry>> {
        return detail::read_audit(m_impl->statements, project_id, task_id);
    });
}

}  // namespace store
