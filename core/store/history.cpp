// The append-only history of a project: progress log, deviation reports (R8) and the audit
// trail (R13). Rows are only ever inserted.
#include "core/store/store_impl.h"

namespace store::detail {

using SQLite::Statement;

long long insert_progress(StatementCache& cache, const core::ProgressEntry& e) {
    auto q = cache.get(
        "INSERT INTO progress_log (project_id, task_id, date, at_unix, who, action,"
        " planned_content, actual_content, completion, deviation_rate, problem, solution,"
        " evidence, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    bind_text(*q, 1, e.project_id);
    bind_text(*q, 2, e.task_id);
    bind_text(*q, 3, core::format_iso_date(e.date));
    q->bind(4, static_cast<int64_t>(e.at_unix));
    bind_text(*q, 5, e.who);
    bind_text(*q, 6, e.action);
    bind_text(*q, 7, e.planned_content);
    bind_text(*q, 8, e.actual_content);
    bind_int(*q, 9, e.completion);
    bind_real(*q, 10, e.deviation_rate);
    bind_text(*q, 11, e.problem);
    bind_text(*q, 12, e.solution);
    bind_text(*q, 13, e.evidence);
    bind_text(*q, 14, e.source);
    q->exec();
    return cache.db().getLastInsertRowid();
}

std::vector<core::ProgressEntry> read_progress(StatementCache& cache, std::string_view project_id,
                                               std::string_view task_id) {
    auto row = [](Statement& s) {
        core::ProgressEntry e;
        e.id = s.getColumn(0).getInt64();
        e.project_id = text(s, 1);
        e.task_id = text(s, 2);
        e.date = date_at(s, 3).value_or(core::Date{});
        e.at_unix = s.getColumn(4).getInt64();
        e.who = text(s, 5);
        e.action = text(s, 6);
        e.planned_content = text(s, 7);
        e.actual_content = text(s, 8);
        e.completion = int_at(s, 9);
        e.deviation_rate = real_at(s, 10);
        e.problem = text(s, 11);
        e.solution = text(s, 12);
        e.evidence = text(s, 13);
        e.source = text(s, 14);
        return e;
    };
    // An empty task id reads the whole project's log.
    auto q = cache.get(
        "SELECT id, project_id, task_id, date, at_unix, who, action, planned_content,"
        " actual_content, completion, deviation_rate, problem, solution, evidence, source"
        " FROM progress_log WHERE project_id = ?1 AND (?2 = '' OR task_id = ?2) ORDER BY id");
    bind_text(*q, 1, project_id);
    bind_text(*q, 2, core::normalize_id(task_id));
    return all_rows<core::ProgressEntry>(q, row);
}

long long insert_deviation(StatementCache& cache, const core::DeviationReport& r) {
    auto q = cache.get(
        "INSERT INTO deviation_reports (project_id, task_id, date, at_unix, who, cause_kind, cause,"
        " impact, remedy, new_planned_finish) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    bind_text(*q, 1, r.project_id);
    bind_text(*q, 2, r.task_id);
    bind_text(*q, 3, core::format_iso_date(r.date));
    q->bind(4, static_cast<int64_t>(r.at_unix));
    bind_text(*q, 5, r.who);
    bind_text(*q, 6, core::to_string(r.cause_kind));
    bind_text(*q, 7, r.cause);
    bind_text(*q, 8, r.impact);
    bind_text(*q, 9, r.remedy);
    bind_date(*q, 10, r.new_planned_finish);
    q->exec();
    return cache.db().getLastInsertRowid();
}

std::vector<core::DeviationReport> read_deviations(StatementCache& cache,
                                                   std::string_view project_id) {
    auto row = [](Statement& s) {
        core::DeviationReport r;
        r.id = s.getColumn(0).getInt64();
        r.project_id = text(s, 1);
        r.task_id = text(s, 2);
        r.date = date_at(s, 3).value_or(core::Date{});
        r.at_unix = s.getColumn(4).getInt64();
        r.who = text(s, 5);
        auto kind = text(s, 6);
        r.cause_kind = kind == "objective"    ? core::CauseKind::objective
                       : kind == "subjective" ? core::CauseKind::subjective
                                              : core::CauseKind::unknown;
        r.cause = text(s, 7);
        r.impact = text(s, 8);
        r.remedy = text(s, 9);
        r.new_planned_finish = date_at(s, 10);
        return r;
    };
    auto q = cache.get(
        "SELECT id, project_id, task_id, date, at_unix, who, cause_kind, cause, impact, remedy,"
        " new_planned_finish FROM deviation_reports WHERE project_id = ?1 ORDER BY id");
    bind_text(*q, 1, project_id);
    return all_rows<core::DeviationReport>(q, row);
}

std::vector<core::AuditEntry> read_audit(StatementCache& cache, std::string_view project_id,
                                         std::string_view task_id) {
    auto row = [](Statement& s) {
        return core::AuditEntry{s.getColumn(0).getInt64(), s.getColumn(1).getInt64(),
                                text(s, 2), text(s, 3), text(s, 4), text(s, 5),
                                text(s, 6), text(s, 7), text(s, 8)};
    };
    // An empty task id reads every audit row of the project (project, tasks, KPIs, risks).
    auto q = cache.get(
        "SELECT id, at_unix, who, source, entity, entity_id, field, old_value, new_value"
        " FROM audit WHERE project_id = ?1 AND (?2 = '' OR (entity = 'task' AND task_id = ?2))"
        " ORDER BY id");
    bind_text(*q, 1, project_id);
    bind_text(*q, 2, core::normalize_id(task_id));
    return all_rows<core::AuditEntry>(q, row);
}

}  // namespace store::detail
