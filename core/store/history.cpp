// The append-only history of a project: progress log, deviation reports (R8) and the audit
// trail (R13). Rows are only ever inserted.
#include "core/store/rows.h"

namespace store::detail {

using sql::Statement;

long long insert_progress(StatementCache& cache, const core::ProgressEntry& e) {
    return insert_returning_id(cache,
                               "INSERT INTO progress_log (project_id, task_id, date, at_unix, who, action,"
                               " planned_content, actual_content, completion, deviation_rate, problem, solution,"
                               " evidence, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               " ?14) RETURNING id",
                               e.project_id, e.task_id, e.date, e.at_unix, e.who, e.action, e.planned_content,
                               e.actual_content, e.completion, e.deviation_rate, e.problem, e.solution, e.evidence,
                               e.source);
}

std::vector<core::ProgressEntry> read_progress(StatementCache& cache, std::string_view project_id,
                                               std::string_view task_id) {
    auto row = [](Statement& s) {
        core::ProgressEntry e;
        read_columns(s, e.id, e.project_id, e.task_id, e.date, e.at_unix, e.who, e.action, e.planned_content,
                     e.actual_content, e.completion, e.deviation_rate, e.problem, e.solution, e.evidence, e.source);
        return e;
    };
    // An empty task id reads the whole project's log.
    return select_all(cache,
                      "SELECT id, project_id, task_id, date, at_unix, who, action, planned_content,"
                      " actual_content, completion, deviation_rate, problem, solution, evidence, source"
                      " FROM progress_log WHERE project_id = ?1 AND (?2 = '' OR task_id = ?2) ORDER BY id",
                      row, project_id, core::normalize_id(task_id));
}

long long insert_deviation(StatementCache& cache, const core::DeviationReport& r) {
    return insert_returning_id(cache,
                               "INSERT INTO deviation_reports (project_id, task_id, date, at_unix, who, cause_kind,"
                               " cause, impact, remedy, new_planned_finish) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
                               " ?9, ?10) RETURNING id",
                               r.project_id, r.task_id, r.date, r.at_unix, r.who, core::to_string(r.cause_kind),
                               r.cause, r.impact, r.remedy, r.new_planned_finish);
}

std::vector<core::DeviationReport> read_deviations(StatementCache& cache,
                                                   std::string_view project_id) {
    auto row = [](Statement& s) {
        core::DeviationReport r;
        std::string kind;
        read_columns(s, r.id, r.project_id, r.task_id, r.date, r.at_unix, r.who, kind, r.cause, r.impact,
                     r.remedy, r.new_planned_finish);
        r.cause_kind = kind == "objective"    ? core::CauseKind::objective
                       : kind == "subjective" ? core::CauseKind::subjective
                                              : core::CauseKind::unknown;
        return r;
    };
    return select_all(cache,
                      "SELECT id, project_id, task_id, date, at_unix, who, cause_kind, cause, impact, remedy,"
                      " new_planned_finish FROM deviation_reports WHERE project_id = ?1 ORDER BY id",
                      row, project_id);
}

std::vector<core::AuditEntry> read_audit(StatementCache& cache, std::string_view project_id,
                                         std::string_view task_id) {
    auto row = [](Statement& s) {
        core::AuditEntry a;
        read_columns(s, a.id, a.at_unix, a.who, a.source, a.entity, a.entity_id, a.field, a.old_value, a.new_value);
        return a;
    };
    // An empty task id reads every audit row of the project (project, tasks, KPIs, risks).
    return select_all(cache,
                      "SELECT id, at_unix, who, source, entity, entity_id, field, old_value, new_value"
                      " FROM audit WHERE project_id = ?1 AND (?2 = '' OR (entity = 'task' AND task_id = ?2))"
                      " ORDER BY id",
                      row, project_id, core::normalize_id(task_id));
}

}  // namespace store::detail
