#pragma once
// The plan side's rows (PlanStore, and the people DirectoryStore shares): one reader and one
// writer per table (rows.cpp), the append-only history (history.cpp), the text encodings and
// the audit trail (codec.cpp). Include from core/store/*.cpp only.
//
// Thread safety: none; Store's mutex guards every call. The functions throw sql::Error.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/store/store_impl.h"

namespace store::detail {

// Encodings. Lists are '\x1f'-separated (empty entries are dropped); dates ISO text or NULL.
std::string join_list(const std::vector<std::string>& items);
std::vector<std::string> split_list(std::string_view text);
std::string number_text(double value);
std::string optional_text(const std::optional<core::Date>& date);
std::string optional_text(const std::optional<double>& value);
std::string optional_text(const std::optional<int>& value);

// Field name -> value as text, for audit diffs (R13). Keys and bookkeeping are left out.
using Fields = std::vector<std::pair<const char*, std::string>>;
Fields task_fields(const core::Task& task);
Fields project_fields(const core::Project& project);
Fields kpi_fields(const core::Kpi& kpi);
Fields risk_fields(const core::RiskItem& risk);
Fields person_fields(const core::Person& person);

struct AuditContext {
    const core::ChangeSource& source;
    std::string project_id;
    std::string task_id;  // "" unless entity == "task"
    std::string entity;
    std::string entity_id;
};
void insert_audit(StatementCache& cache, const AuditContext& context, std::string_view field,
                  std::string_view old_value, std::string_view new_value);
// One audit row per differing field; `before` empty means "created" (one row).
int audit_diff(StatementCache& cache, const AuditContext& context, const Fields& before,
               const Fields& after);

// Rows. Column lists match the readers; `project_id` arguments match case-insensitively.
std::optional<core::Project> read_project(StatementCache& cache, std::string_view project_id);
std::vector<core::Project> read_projects(StatementCache& cache);
void write_project(StatementCache& cache, const core::Project& project);

std::optional<core::Task> read_task(StatementCache& cache, std::string_view project_id,
                                    std::string_view task_id);
std::vector<core::Task> read_tasks(StatementCache& cache, std::string_view project_id);
std::vector<core::Task> read_tasks_with_id(StatementCache& cache, std::string_view task_id);
std::vector<core::Task> read_child_tasks(StatementCache& cache, std::string_view project_id,
                                         std::string_view parent_id);
void insert_task(StatementCache& cache, const core::Task& task);
void write_task_progress(StatementCache& cache, const core::Task& task);
// Every column of the task's row but last_update (a plan change).
void update_task_plan(StatementCache& cache, const core::Task& task);

// The people columns a Person is read from, in person_row's order; a query may add more after.
#define TRACKERD_PERSON_FIELDS "id, name, department, slack, feishu, dingtalk, email, mobile"
core::Person person_row(sql::Statement& s);
std::optional<core::Person> read_person(StatementCache& cache, std::string_view id);
std::vector<core::Person> read_people_named(StatementCache& cache, std::string_view name);
std::optional<core::Person> read_person_by_platform(StatementCache& cache, std::string_view column,
                                                    std::string_view user_id);
std::vector<core::Person> read_people(StatementCache& cache);
void write_person(StatementCache& cache, const core::Person& person);

std::optional<core::Kpi> read_kpi(StatementCache& cache, std::string_view project_id,
                                  std::string_view kpi_id);
std::vector<core::Kpi> read_kpis(StatementCache& cache, std::string_view project_id);
void write_kpi(StatementCache& cache, const core::Kpi& kpi);

std::optional<core::RiskItem> read_risk(StatementCache& cache, std::string_view project_id,
                                        std::string_view risk_id);
std::vector<core::RiskItem> read_risks(StatementCache& cache, std::string_view project_id);
void write_risk(StatementCache& cache, const core::RiskItem& risk);

long long insert_progress(StatementCache& cache, const core::ProgressEntry& entry);
std::vector<core::ProgressEntry> read_progress(StatementCache& cache, std::string_view project_id,
                                               std::string_view task_id);
long long insert_deviation(StatementCache& cache, const core::DeviationReport& report);
std::vector<core::DeviationReport> read_deviations(StatementCache& cache,
                                                   std::string_view project_id);
std::vector<core::AuditEntry> read_audit(StatementCache& cache, std::string_view project_id,
                                         std::string_view task_id);

}  // namespace store::detail
