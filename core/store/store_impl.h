#pragma once
// Internals of store::Store shared by its .cpp files: the prepared-statement cache, SQLite
// error mapping, the migrations, and row <-> model conversions. The only header that includes
// SQLiteCpp; include it from core/store/*.cpp only.
//
// Thread safety: none of it is safe for concurrent use; Store's mutex guards every call.
// The functions here throw SQLite::Exception; `guarded` turns that into a Result.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "core/store/store.h"

namespace store::detail {

// A checked-out cached statement. Reset on release so no read transaction stays open.
class Query {
public:
    explicit Query(SQLite::Statement& statement) : m_statement(statement) {}
    ~Query() { m_statement.tryReset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    SQLite::Statement* operator->() { return &m_statement; }
    SQLite::Statement& operator*() { return m_statement; }

private:
    SQLite::Statement& m_statement;
};

// Prepared statements keyed by their SQL, prepared on first use.
class StatementCache {
public:
    explicit StatementCache(SQLite::Database& db) : m_db(db) {}
    Query get(const char* sql);  // reset, bindings cleared
    // Runs a statement without bindings or rows (BEGIN, COMMIT, SAVEPOINT ...): prepared once
    // instead of parsed on every call as Database::exec would.
    void run(const char* sql) { get(sql)->exec(); }
    SQLite::Database& db() { return m_db; }

private:
    SQLite::Database& m_db;
    std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> m_statements;
};

// busy/locked -> busy; unique/primary key -> conflict; other constraints -> invalid_argument;
// file problems -> io; the rest -> internal. The message names `what` and SQLite's message.
core::Error map_error(std::string_view what, const SQLite::Exception& e);

template <typename F>
auto guarded(std::string_view what, F&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const SQLite::Exception& e) {
        return map_error(what, e);
    } catch (const std::exception& e) {
        return core::make_error(core::ErrorCode::internal, std::string(what) + ": " + e.what());
    }
}

// Migrations: index 0 holds migration 1 (user_version 0 -> 1), and so on.
const std::vector<const char*>& migrations();

// Column readers and binders: NULL reads as "" / nullopt; nullopt binds NULL.
inline std::string text(SQLite::Statement& s, int i) { return s.getColumn(i).getString(); }

inline std::optional<core::Date> date_at(SQLite::Statement& s, int i) {
    auto column = s.getColumn(i);
    if (column.isNull()) return std::nullopt;
    return core::parse_iso_date(column.getString());
}

inline std::optional<double> real_at(SQLite::Statement& s, int i) {
    auto column = s.getColumn(i);
    if (column.isNull()) return std::nullopt;
    return column.getDouble();
}

inline std::optional<int> int_at(SQLite::Statement& s, int i) {
    auto column = s.getColumn(i);
    if (column.isNull()) return std::nullopt;
    return column.getInt();
}

inline void bind_text(SQLite::Statement& s, int i, std::string_view value) { s.bind(i, std::string(value)); }
inline void bind_date(SQLite::Statement& s, int i, const std::optional<core::Date>& d) {
    if (d) s.bind(i, core::format_iso_date(*d)); else s.bind(i);
}
inline void bind_real(SQLite::Statement& s, int i, const std::optional<double>& v) {
    if (v) s.bind(i, *v); else s.bind(i);
}
inline void bind_int(SQLite::Statement& s, int i, const std::optional<int>& v) {
    if (v) s.bind(i, *v); else s.bind(i);
}

// Every row of a checked-out query, or the first one.
template <typename T, typename Row>
inline std::vector<T> all_rows(Query& q, Row row) {
    std::vector<T> out;
    while (q->executeStep()) out.push_back(row(*q));
    return out;
}

template <typename T, typename Row>
inline std::optional<T> first_row(Query& q, Row row) {
    if (!q->executeStep()) return std::nullopt;
    return row(*q);
}

// A project's item by id (`sql` binds ?1 project id, ?2 the normalised id), or all its items
// (`sql` binds ?1): the reads every per-project table (tasks, KPIs, risks) shares.
template <typename T, typename Row>
inline std::optional<T> project_item(StatementCache& cache, const char* sql, std::string_view project_id,
                                     std::string_view id, Row row) {
    auto q = cache.get(sql);
    bind_text(*q, 1, project_id);
    bind_text(*q, 2, core::normalize_id(id));
    return first_row<T>(q, row);
}
template <typename T, typename Row>
inline std::vector<T> project_items(StatementCache& cache, const char* sql, std::string_view project_id, Row row) {
    auto q = cache.get(sql);
    bind_text(*q, 1, project_id);
    return all_rows<T>(q, row);
}

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

// The columns of TRACKERD_PERSON_COLUMNS (rows.cpp): id, name, department, slack, feishu,
// dingtalk, email, mobile.
core::Person person_row(SQLite::Statement& s);
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

// Runs `body` (which may throw SQLite::Exception) as one transaction of `store`, joining an
// outer one; returns what the body returned.
template <typename T, typename F>
core::Result<T> write(Store& store, std::string_view what, F&& body) {
    std::optional<T> value;
    auto done = store.transaction([&]() -> core::Result<void> {
        core::Result<T> result = guarded(what, body);
        if (!result) return result.error();
        value.emplace(std::move(*result));
        return core::ok();
    });
    if (!done) return done.error();
    return std::move(*value);
}

template <typename F>
core::Result<void> write_void(Store& store, std::string_view what, F&& body) {
    return store.transaction([&]() -> core::Result<void> { return guarded(what, body); });
}

}  // namespace store::detail

namespace store {

struct Store::Impl {
    explicit Impl(SQLite::Database& db) : statements(db) {}
    detail::StatementCache statements;
};

}  // namespace store
