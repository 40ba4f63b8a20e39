#pragma once
// Internals of store::Store shared by its .cpp files: the prepared-statement cache, error
// mapping, the migrations, transactions around a body that throws, and the column readers and
// binders every table uses. The per-table rows of the plan side are in rows.h. Written against
// sql.h, so every query runs on either engine; include from core/store/*.cpp only.
//
// Thread safety: none of it is safe for concurrent use; Store's mutex guards every call.
// The functions here throw sql::Error; `guarded` turns that into a Result.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/model.h"
#include "core/result.h"
#include "core/store/sql.h"
#include "core/store/store.h"

namespace store::detail {

// A checked-out cached statement. Reset on release so no read transaction stays open.
class Query {
public:
    explicit Query(sql::Statement& statement) : m_statement(statement) {}
    ~Query() { m_statement.reset(); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    sql::Statement* operator->() { return &m_statement; }
    sql::Statement& operator*() { return m_statement; }

private:
    sql::Statement& m_statement;
};

// Prepared statements keyed by their SQL, prepared on first use.
class StatementCache {
public:
    explicit StatementCache(sql::Connection& db) : m_db(db) {}
    Query get(const char* sql);  // reset, bindings cleared
    // Runs a statement without bindings or rows (SAVEPOINT, RELEASE ...): prepared once
    // instead of parsed on every call.
    void run(const char* sql) { get(sql)->exec(); }
    sql::Connection& db() { return m_db; }

private:
    using Statements = std::unordered_map<std::string, std::unique_ptr<sql::Statement>>;
    sql::Connection& m_db;
    Statements m_statements;  // by SQL text
    // By the address of the text callers pass (their literals), checked against the text: a
    // lookup then neither copies nor hashes a few hundred bytes of SQL.
    std::unordered_map<const char*, Statements::value_type*> m_by_address;
};

// busy or the server gone -> busy (retry later); a key taken -> conflict; other constraints
// -> invalid_argument; the file or the disk -> io; the rest -> internal. The message names `what` and the
// engine's message.
core::Error map_error(std::string_view what, const sql::Error& e);

template <typename F>
auto guarded(std::string_view what, F&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const sql::Error& e) {
        return map_error(what, e);
    } catch (const std::exception& e) {
        return core::make_error(core::ErrorCode::internal, std::string(what) + ": " + e.what());
    }
}

// Migrations: index 0 holds migration 1 (user_version 0 -> 1), and so on.
const std::vector<const char*>& migrations();

// Columns <-> fields, chosen by the field's type. Binding: text (std::string, string_view,
// const char*), int, long long, double, bool (0/1), core::Date (ISO text) and std::optional of
// any of them (nullopt binds NULL). Reading: the same, std::optional only of int, double and
// core::Date; NULL reads as "" / 0 / nullopt. Callers convert enums (to_string / parse_*) and
// lists (join_list / split_list).
template <typename T>
inline constexpr bool is_optional_v = false;
template <typename T>
inline constexpr bool is_optional_v<std::optional<T>> = true;

template <typename T>
void bind_column(sql::Statement& s, int i, const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) s.bind_text(i, std::string_view(value));
    else if constexpr (std::is_same_v<T, bool>) s.bind_int64(i, value ? 1 : 0);
    else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, long long>) s.bind_int64(i, value);
    else if constexpr (std::is_same_v<T, double>) s.bind_double(i, value);
    else if constexpr (std::is_same_v<T, core::Date>) s.bind_text(i, core::format_iso_date(value));
    else if constexpr (is_optional_v<T>) {
        if (value) bind_column(s, i, *value);
        else s.bind_null(i);
    }
    else static_assert(!sizeof(T), "no column encoding for this type");
}

template <typename T>
void read_column(sql::Statement& s, int i, T& field) {
    auto column = s.getColumn(i);
    if constexpr (std::is_same_v<T, std::string>) field = column.getString();
    else if constexpr (std::is_same_v<T, bool>) field = column.getInt() != 0;
    else if constexpr (std::is_same_v<T, int>) field = column.getInt();
    else if constexpr (std::is_same_v<T, long long>) field = column.getInt64();
    else if constexpr (std::is_same_v<T, double>) field = column.getDouble();
    else if constexpr (std::is_same_v<T, core::Date>)
        field = core::parse_iso_date(column.getString()).value_or(core::Date{});
    else if constexpr (std::is_same_v<T, std::optional<core::Date>>)
        field = column.isNull() ? std::nullopt : core::parse_iso_date(column.getString());
    else if constexpr (std::is_same_v<T, std::optional<int>>) field = column.isNull() ? T{} : T{column.getInt()};
    else if constexpr (std::is_same_v<T, std::optional<double>>) field = column.isNull() ? T{} : T{column.getDouble()};
    else static_assert(!sizeof(T), "no column encoding for this type");
}

// Binds ?1, ?2, ... to `values` in order.
template <typename... Values>
void bind_columns(sql::Statement& s, const Values&... values) {
    [[maybe_unused]] int i = 0;
    (bind_column(s, ++i, values), ...);
}

// Reads columns 0, 1, ... of the current row into `fields` in order.
template <typename... Fields>
void read_columns(sql::Statement& s, Fields&... fields) {
    [[maybe_unused]] int i = 0;
    (read_column(s, i++, fields), ...);
}

inline std::string text(sql::Statement& s, int i) { return s.getColumn(i).getString(); }

// The rows `sql` selects with ?1, ?2, ... bound to `keys`, each read by `row`: all of them, or
// the first. The one read every table's lookups share.
template <typename Row, typename... Keys>
auto select_all(StatementCache& cache, const char* sql, Row row, const Keys&... keys) {
    auto q = cache.get(sql);
    bind_columns(*q, keys...);
    std::vector<std::invoke_result_t<Row&, sql::Statement&>> out;
    while (q->executeStep()) out.push_back(row(*q));
    return out;
}

template <typename Row, typename... Keys>
auto select_first(StatementCache& cache, const char* sql, Row row, const Keys&... keys) {
    auto q = cache.get(sql);
    bind_columns(*q, keys...);
    std::optional<std::invoke_result_t<Row&, sql::Statement&>> first;
    if (q->executeStep()) first = row(*q);
    return first;
}

// Runs `sql` (INSERT, UPDATE, DELETE) with ?1, ?2, ... bound to `values`; returns the rows it
// changed. The one write every table's writers share.
template <typename... Values>
int execute(StatementCache& cache, const char* sql, const Values&... values) {
    auto q = cache.get(sql);
    bind_columns(*q, values...);
    return q->exec();
}

// Runs `sql`, an INSERT … RETURNING id, with ?1, ?2, ... bound to `values`; returns the new
// row's id, 0 when it inserted nothing (ON CONFLICT DO NOTHING). Both engines' way of asking.
template <typename... Values>
long long insert_returning_id(StatementCache& cache, const char* sql, const Values&... values) {
    auto q = cache.get(sql);
    bind_columns(*q, values...);
    if (!q->executeStep()) return 0;
    long long id = q->getColumn(0).getInt64();
    while (q->executeStep()) {
    }  // SQLite applies a RETURNING statement's change only once it has run to completion
    return id;
}

// Runs `body` (which may throw sql::Error) as one transaction of `store`, joining an
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
    explicit Impl(sql::Connection& db) : statements(db) {}
    detail::StatementCache statements;
};

}  // namespace store
