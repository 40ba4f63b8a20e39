#pragma once
// Everything in a trackerd database as text, table by table (every row of every table, sorted
// by all its columns: ORDER BY 1, 2, …), to compare before and after a request that must change
// nothing. `where` is a SQLite file (read through its own read-only connection; WAL lets it read
// while trackerd writes) or a postgresql:// URI (its own libpq connection; the tables of the
// current schema, not PostgreSQL's catalogs). PostgreSQL's trackerd_meta is in the snapshot
// without its `generation` column: that counter moves with every commit, also one that wrote
// nothing, while the "nothing changed" check is about the rows. A failure throws
// std::runtime_error (gtest reports it).
//
// Link with SQLiteCpp and PostgreSQL::PostgreSQL.

#include <SQLiteCpp/SQLiteCpp.h>
#include <libpq-fe.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/store/store.h"

namespace testing_support {

using StoreSnapshot = std::map<std::string, std::string>;  // table -> its rows, one a line

namespace snapshot_detail {

// "ORDER BY 1, 2, …, n": every column, so the order is total whatever the table's keys.
inline std::string order_by_all(int columns) {
    std::string order;
    for (int i = 1; i <= columns; ++i) order += (i == 1 ? " ORDER BY " : ", ") + std::to_string(i);
    return order;
}

inline std::string quoted(const std::string& name) { return "\"" + name + "\""; }

inline StoreSnapshot snapshot_sqlite(const std::string& db_path) {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    std::vector<std::string> tables;
    SQLite::Statement names(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (names.executeStep()) tables.push_back(names.getColumn(0).getString());
    StoreSnapshot snapshot;
    for (const auto& table : tables) {
        const int columns = SQLite::Statement(db, "SELECT * FROM " + quoted(table)).getColumnCount();
        SQLite::Statement all(db, "SELECT * FROM " + quoted(table) + order_by_all(columns));
        std::string rows;
        while (all.executeStep()) {
            for (int i = 0; i < columns; ++i) rows += all.getColumn(i).getString() + "\x1f";
            rows += "\n";
        }
        snapshot[table] = rows;
    }
    return snapshot;
}

struct PgResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;
struct PgConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};

inline PgResult pg_query(PGconn* conn, const std::string& sql) {
    PgResult result(PQexec(conn, sql.c_str()));
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK)
        throw std::runtime_error("snapshot_store: " + sql + ": " + PQerrorMessage(conn));
    return result;
}

inline StoreSnapshot snapshot_postgresql(const std::string& uri) {
    std::unique_ptr<PGconn, PgConnDeleter> conn(PQconnectdb(uri.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error(std::string("snapshot_store: connect: ") + PQerrorMessage(conn.get()));
    // One snapshot of the whole database, as SQLite's read transaction gives.
    PQclear(PQexec(conn.get(), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    // Every column of every table, in table then column order.
    PgResult columns = pg_query(conn.get(),
                                "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                                " JOIN information_schema.tables t USING (table_schema, table_name)"
                                " WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
                                " ORDER BY c.table_name, c.ordinal_position");
    std::map<std::string, std::vector<std::string>> tables;
    for (int r = 0; r < PQntuples(columns.get()); ++r) {
        const std::string table = PQgetvalue(columns.get(), r, 0), column = PQgetvalue(columns.get(), r, 1);
        if (table == "trackerd_meta" && column == "generation") continue;  // the commit counter
        tables[table].push_back(column);
    }
    StoreSnapshot snapshot;
    for (const auto& [table, names] : tables) {
        std::string select;
        for (const auto& name : names) select += (select.empty() ? "" : ", ") + quoted(name);
        PgResult all = pg_query(conn.get(), "SELECT " + select + " FROM " + quoted(table) +
                                                order_by_all(static_cast<int>(names.size())));
        std::string rows;
        for (int r = 0; r < PQntuples(all.get()); ++r) {
            for (int i = 0; i < PQnfields(all.get()); ++i) rows += std::string(PQgetvalue(all.get(), r, i)) + "\x1f";
            rows += "\n";
        }
        snapshot[table] = rows;
    }
    PQclear(PQexec(conn.get(), "COMMIT"));
    return snapshot;
}

}  // namespace snapshot_detail

inline StoreSnapshot snapshot_store(const std::string& where) {
    return store::Store::is_database_uri(where) ? snapshot_detail::snapshot_postgresql(where)
                                                : snapshot_detail::snapshot_sqlite(where);
}

// The tables whose text differs, "" when none.
inline std::string changed_tables(const StoreSnapshot& before, const StoreSnapshot& after) {
    std::string changed;
    for (const auto& [table, rows] : after) {
        auto it = before.find(table);
        if (it == before.end() || it->second != rows) changed += (changed.empty() ? "" : ", ") + table;
    }
    for (const auto& [table, rows] : before)
        if (!after.count(table)) changed += (changed.empty() ? "" : ", ") + table + " (dropped)";
    return changed;
}

}  // namespace testing_support
