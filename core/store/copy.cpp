// Store::copy_into (store.h): a whole database into an empty one, either engine to either —
// `trackerctl copy`, typically a SQLite file into PostgreSQL.
//
// Every table of schema.cpp / schema_pg.cpp, in foreign-key order, with the target's columns
// (SQLite: PRAGMA table_info; PostgreSQL: information_schema.columns), each value read and
// bound as the target's column type says: integers as integers, reals as doubles (SQLite's
// text form of a real keeps 15 digits only; column_double and bind_double keep all), text as
// text, NULL as NULL. Ids are copied as they are; so is SQLite's implicit rowid of the tables
// the store orders by it (projects, tasks, risks, kpis), which on PostgreSQL is their explicit
// last column `rowid`. Rows go in multi-row INSERTs (PostgreSQL) or one reused single-row
// INSERT (SQLite); the big tables are read in pages of their integer key so that a PostgreSQL
// source (whose results are buffered whole) never holds a whole table. PostgreSQL's
// trackerd_meta (schema version, change counter) is not copied: the target keeps its own.
#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store/store.h"
#include "core/store/store_impl.h"

namespace store {

using core::ErrorCode;
using core::make_error;

namespace {

struct TableSpec {
    const char* name;
    // The integer key rows are read in order of, a page at a time: the table's `id` (SQLite's
    // rowid alias, PostgreSQL's identity), or `rowid`. Null: the table is read whole, in
    // `order` (its primary key).
    const char* key;
    const char* order;
    // SQLite's implicit rowid belongs to the row (the store's ORDER BY rowid): copied as the
    // `rowid` column, which PostgreSQL's table has as its last.
    bool rowid;
};

// Every table of the schema (a table the target has and this list lacks fails the copy: a new
// migration's table must be added here), in foreign-key order: people and projects before what
// names them. outbox_leases (migration 7) is copied too: a lease held by a replica of the old
// database runs out at its until_ms, and its pacing and rate windows stay true.
constexpr TableSpec k_tables[] = {
    {"people", nullptr, "id", false},
    {"projects", "rowid", nullptr, true},
    {"tasks", "rowid", nullptr, true},
    {"progress_log", "id", nullptr, false},
    {"deviation_reports", "id", nullptr, false},
    {"risks", "rowid", nullptr, true},
    {"kpis", "rowid", nullptr, true},
    {"audit", "id", nullptr, false},
    {"inbound_seen", nullptr, "platform, key", false},
    {"outbox", "id", nullptr, false},
    {"outbox_leases", nullptr, "destination", false},
    {"state", nullptr, "key", false},
    {"signature_uses", nullptr, "platform, signature", false},
    {"chats", nullptr, "platform, chat_id", false},
    {"claims", nullptr, "platform, account", false},
};

// Rows a page of a keyed table holds (one query on the source).
constexpr int k_page_rows = 10000;
// Rows one INSERT holds into PostgreSQL (at most k_postgresql_parameters values; the server
// takes 65535): a round trip per row would be most of the copy's time. Into SQLite, in-process,
// one prepared single-row INSERT is fastest. (The benchmark organisation, 417,000 rows: into
// PostgreSQL 19 s a row at a time, 6.6 s by 200, 4.3-5 s by 500; into SQLite 1.7-2 s a row
// at a time, 2.7 s by 32.)
constexpr int k_postgresql_rows = 500;
constexpr int k_postgresql_parameters = 30000;

enum class Kind { integer, real, text };

struct Column {
    std::string name;
    Kind kind = Kind::text;
};

std::string upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

// SQLite's affinity rules for a declared type, as far as the schema uses them.
Kind sqlite_kind(const std::string& declared) {
    std::string type = upper(declared);
    if (type.find("INT") != std::string::npos) return Kind::integer;
    if (type.find("REAL") != std::string::npos || type.find("FLOA") != std::string::npos ||
        type.find("DOUB") != std::string::npos)
        return Kind::real;
    return Kind::text;
}

// information_schema.columns.data_type.
Kind postgresql_kind(const std::string& data_type) {
    if (data_type == "bigint" || data_type == "integer" || data_type == "smallint")
        return Kind::integer;
    if (data_type == "double precision" || data_type == "real" || data_type == "numeric")
        return Kind::real;
    return Kind::text;  // text, citext ("USER-DEFINED"), ...
}

std::string quoted(const std::string& identifier) { return "\"" + identifier + "\""; }

// The target's tables that are not in k_tables (PostgreSQL's trackerd_meta, where the schema
// version and change counter live, and SQLite's own aside): "" when there is none.
std::string unknown_table(sql::Connection& db) {
    auto tables =
        db.prepare(db.engine() == sql::Engine::sqlite
                       ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                         "'sqlite\\_%' ESCAPE '\\'"
                       : "SELECT table_name FROM information_schema.tables WHERE table_schema = "
                         "current_schema()"
                         " AND table_type = 'BASE TABLE' AND table_name <> 'trackerd_meta'");
    while (tables->executeStep()) {
        std::string name = tables->column_text(0);
        if (std::none_of(std::begin(k_tables), std::end(k_tables),
                         [&](const TableSpec& t) { return name == t.name; }))
            return name;
    }
    return "";
}

// The target's columns of `table`, in order, with SQLite's rowid where the row carries one.
std::vector<Column> target_columns(sql::Connection& db, const TableSpec& table) {
    std::vector<Column> columns;
    if (db.engine() == sql::Engine::sqlite) {
        auto info = db.prepare(std::string("PRAGMA table_info(") + table.name + ")");
        while (info->executeStep())
            columns.push_back({info->column_text(1), sqlite_kind(info->column_text(2))});
        if (table.rowid) columns.push_back({"rowid", Kind::integer});
    } else {
        auto info = db.prepare(
            "SELECT column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = ?1 ORDER BY ordinal_position");
        info->bind_text(1, table.name);
        while (info->executeStep())
            columns.push_back({info->column_text(0), postgresql_kind(info->column_text(1))});
        if (table.rowid && std::none_of(columns.begin(), columns.end(),
                                        [](const Column& c) { return c.name == "rowid"; }))
            throw sql::Error(sql::Failure::internal,
                             std::string("table ") + table.name + " has no rowid column");
    }
    if (columns.empty())
        throw sql::Error(sql::Failure::internal, std::string("no table ") + table.name);
    return columns;
}

// One value between the source's read and the target's INSERT.
struct Cell {
    bool null = true;
    long long integer = 0;
    double real = 0;
    std::string text;
};

// Collects rows and writes them as INSERTs of a batch of rows (one row into SQLite), one
// statement for every full batch (prepared once) and one for the rest.
class Inserter {
public:
    Inserter(sql::Connection& db, const std::string& table, const std::vector<Column>& columns)
        : m_db(db), m_columns(columns) {
        m_head = "INSERT INTO " + table + " (";
        for (size_t c = 0; c < columns.size(); ++c)
            m_head += (c ? ", " : "") + quoted(columns[c].name);
        m_head += ") VALUES ";
        if (db.engine() == sql::Engine::postgresql)
            m_batch =
                std::max(1, std::min(k_postgresql_rows,
                                     k_postgresql_parameters / static_cast<int>(columns.size())));
        m_cells.resize(static_cast<size_t>(m_batch) * columns.size());
    }

    // The next row's cells, to be filled; written once the batch is full.
    Cell* next_row() {
        if (m_rows == m_batch) flush();
        return &m_cells[static_cast<size_t>(m_rows++) * m_columns.size()];
    }

    void flush() {
        if (m_rows == 0) return;
        std::unique_ptr<sql::Statement> rest;
        sql::Statement* insert = nullptr;
        if (m_rows == m_batch) {
            if (!m_full) m_full = m_db.prepare(sql_for(m_batch));
            insert = m_full.get();
        } else {
            rest = m_db.prepare(sql_for(m_rows));
            insert = rest.get();
        }
        const size_t n = static_cast<size_t>(m_rows) * m_columns.size();
        for (size_t i = 0; i < n; ++i) {
            const Cell& cell = m_cells[i];
            int parameter = static_cast<int>(i) + 1;
            if (cell.null)
                insert->bind_null(parameter);
            else
                switch (m_columns[i % m_columns.size()].kind) {
                    case Kind::integer:
                        insert->bind_int64(parameter, cell.integer);
                        break;
                    case Kind::real:
                        insert->bind_double(parameter, cell.real);
                        break;
                    case Kind::text:
                        insert->bind_text(parameter, cell.text);
                        break;
                }
        }
        insert->exec();
        insert->reset();
        m_written += m_rows;
        m_rows = 0;
    }

    long long written() const { return m_written; }

private:
    std::string sql_for(int rows) const {
        std::string sql = m_head;
        int parameter = 0;
        for (int r = 0; r < rows; ++r) {
            sql += r ? ", (" : "(";
            for (size_t c = 0; c < m_columns.size(); ++c)
                sql += (c ? ", ?" : "?") + std::to_string(++parameter);
            sql += ')';
        }
        return sql;
    }

    sql::Connection& m_db;
    const std::vector<Column>& m_columns;
    std::string m_head;
    int m_batch = 1;
    std::vector<Cell> m_cells;
    int m_rows = 0;
    long long m_written = 0;
    std::unique_ptr<sql::Statement> m_full;
};

// Reads every row of `table` from `from` into `to`; the rows written.
long long copy_table(sql::Connection& from, sql::Connection& to, const TableSpec& table) {
    const std::vector<Column> columns = target_columns(to, table);
    std::string select = "SELECT ";
    for (size_t c = 0; c < columns.size(); ++c) select += (c ? ", " : "") + quoted(columns[c].name);
    select += std::string(" FROM ") + table.name;
    int key_column = -1;
    if (table.key) {
        for (size_t c = 0; c < columns.size(); ++c)
            if (columns[c].name == table.key) key_column = static_cast<int>(c);
        if (key_column < 0 || columns[static_cast<size_t>(key_column)].kind != Kind::integer)
            throw sql::Error(sql::Failure::internal,
                             std::string("table ") + table.name + ": no integer " + table.key);
        select += std::string(" WHERE ") + quoted(table.key) + " > ?1 ORDER BY " +
                  quoted(table.key) + " LIMIT " + std::to_string(k_page_rows);
    } else {
        select += std::string(" ORDER BY ") + table.order;
    }
    auto read = from.prepare(select);
    Inserter insert(to, table.name, columns);
    long long after = std::numeric_limits<long long>::min();
    for (;;) {
        read->reset();
        if (table.key) read->bind_int64(1, after);
        int rows = 0;
        while (read->executeStep()) {
            ++rows;
            Cell* cells = insert.next_row();
            for (size_t c = 0; c < columns.size(); ++c) {
                Cell& cell = cells[c];
                int index = static_cast<int>(c);
                cell.null = read->column_is_null(index);
                if (cell.null) continue;
                switch (columns[c].kind) {
                    case Kind::integer:
                        cell.integer = read->column_int64(index);
                        break;
                    case Kind::real:
                        cell.real = read->column_double(index);
                        break;
                    case Kind::text:
                        cell.text = read->column_text(index);
                        break;
                }
            }
            if (key_column >= 0) after = cells[key_column].integer;
        }
        if (!table.key || rows < k_page_rows) break;
    }
    read->reset();
    insert.flush();
    return insert.written();
}

// The source's rows as of one moment, without taking its write lock (a trackerd running on it
// goes on): a read transaction, ended (rolled back: it wrote nothing) on destruction.
class ReadSnapshot {
public:
    ReadSnapshot(sql::Connection& db, bool begin) : m_db(db), m_open(begin) {
        if (!begin) return;  // already inside the source's own transaction
        m_db.execute_script(db.engine() == sql::Engine::postgresql
                                ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                                : "BEGIN");  // deferred: the snapshot is taken by the first read
    }
    ~ReadSnapshot() {
        if (m_open) m_db.rollback();
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    sql::Connection& m_db;
    bool m_open;
};

}  // namespace

Result<CopyReport> Store::copy_into(Store& target) {
    if (&target == this)
        return make_error(ErrorCode::invalid_argument,
                          "copy: the source and the target are the same store");
    std::scoped_lock lock(m_mutex, target.m_mutex);
    CopyReport report;
    auto copied = target.transaction([&]() -> Result<void> {
        sql::Connection& to = *target.m_db;
        auto unknown = detail::guarded("copy: list the target's tables",
                                       [&]() -> Result<std::string> { return unknown_table(to); });
        if (!unknown) return unknown.error();
        if (!unknown->empty())
            return make_error(ErrorCode::internal,
                              "copy: the target has a table the copy does not know: " + *unknown +
                                  " (core/store/copy.cpp)");
        // Refused before anything is read: copying merges nothing.
        for (const auto& table : k_tables) {
            auto holds = detail::guarded("copy: read the target", [&]() -> Result<bool> {
                auto probe = to.prepare(std::string("SELECT 1 FROM ") + table.name + " LIMIT 1");
                return probe->executeStep();
            });
            if (!holds) return holds.error();
            if (*holds)
                return make_error(
                    ErrorCode::conflict,
                    std::string("copy refused: the target already holds rows in table ") +
                        table.name + "; copy only into an empty database");
        }
        auto snapshot = detail::guarded(
            "copy: read the source", [&]() -> Result<std::shared_ptr<ReadSnapshot>> {
                return std::make_shared<ReadSnapshot>(*m_db, m_transaction_depth == 0);
            });
        if (!snapshot) return snapshot.error();
        for (const auto& table : k_tables) {
            auto rows = detail::guarded(
                std::string("copy table ") + table.name,
                [&]() -> Result<long long> { return copy_table(*m_db, to, table); });
            if (!rows) return rows.error();
            report.rows_per_table.emplace_back(table.name, *rows);
        }
        if (to.engine() == sql::Engine::postgresql) {
            // The identities go on after the copied ids (explicit values do not move them).
            auto moved =
                detail::guarded("copy: move the identity sequences", [&]() -> Result<void> {
                    std::string script;
                    for (const auto& table : k_tables) {
                        if (!table.key) continue;
                        script += std::string("SELECT setval(pg_get_serial_sequence('") +
                                  table.name + "', '" + table.key + "'), COALESCE(MAX(" +
                                  table.key + "), 0) + 1, false) FROM " + table.name + ";";
                    }
                    to.execute_script(script);
                    return core::ok();
                });
            if (!moved) return moved;
        }
        target.note_shared_write();  // every project's rows changed (change_generation)
        return core::ok();
    });
    if (!copied) return copied.error();
    return report;
}

}  // namespace store
