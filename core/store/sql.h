#pragma once
// The two database engines behind one narrow interface: a connection that prepares statements
// and runs scripts, and a statement that binds parameters, steps through rows and reads
// columns. The store's queries are written once, in the SQL both engines accept (`?1`, `?2` …
// placeholders; ON CONFLICT upserts; RETURNING), and run on either: SQLite (sqlite_connection.cpp,
// the embedded default) or PostgreSQL (pg_connection.cpp, for several replicas on one
// database). What differs — the schema's types, the transaction that locks out other writers,
// where the schema version lives — is the connection's.
//
// Errors are thrown as sql::Error with the failure's kind (store_impl.h's `guarded` turns them
// into a core::Error). Include from core/store/*.cpp only.
//
// Thread safety: none; the Store's mutex guards every call on a connection and its statements.

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace store::sql {

enum class Engine { sqlite, postgresql };

enum class Failure {
    busy,         // locked, a serialisation failure, a deadlock: retry later
    conflict,     // a unique or primary key taken
    constraint,   // another constraint (check, not null, foreign key): the input is wrong
    io,           // the file or the disk (SQLite); the server refusing to write (PostgreSQL)
    unavailable,  // the server is gone or the connection broke: retry once it is back
    internal,     // a bug: bad SQL, a type mismatch
};

class Error : public std::runtime_error {
public:
    Error(Failure kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    Failure kind() const { return m_kind; }

private:
    Failure m_kind;
};

class Statement;

// One column of the current row, read as the type asked for. NULL reads as "" / 0.
class Column {
public:
    Column(Statement& statement, int index) : m_statement(statement), m_index(index) {}
    std::string getString() const;
    int getInt() const;
    long long getInt64() const;
    double getDouble() const;
    bool isNull() const;

private:
    Statement& m_statement;
    int m_index;
};

// A prepared statement. Parameters are numbered from 1 (`?1` in the SQL), columns from 0.
class Statement {
public:
    virtual ~Statement() = default;

    virtual void bind_text(int index, std::string_view value) = 0;
    virtual void bind_int64(int index, long long value) = 0;
    virtual void bind_double(int index, double value) = 0;
    virtual void bind_null(int index) = 0;

    // Runs the statement on the first call and moves to the next row; false when there is none.
    virtual bool executeStep() = 0;
    // Runs a statement that returns no rows to completion; returns the rows it changed.
    virtual int exec() = 0;
    // Back to before the first step, bindings cleared. Never throws.
    virtual void reset() noexcept = 0;

    virtual bool column_is_null(int index) = 0;
    virtual std::string column_text(int index) = 0;
    virtual long long column_int64(int index) = 0;
    virtual double column_double(int index) = 0;

    Column getColumn(int index) { return Column(*this, index); }

    void bind(int index, const std::string& value) { bind_text(index, value); }
    void bind(int index, int value) { bind_int64(index, value); }
    void bind(int index, long long value) { bind_int64(index, value); }
    void bind(int index, long value) { bind_int64(index, value); }
    void bind(int index, double value) { bind_double(index, value); }
    void bind(int index) { bind_null(index); }
};

inline std::string Column::getString() const { return m_statement.column_text(m_index); }
inline int Column::getInt() const { return static_cast<int>(m_statement.column_int64(m_index)); }
inline long long Column::getInt64() const { return m_statement.column_int64(m_index); }
inline double Column::getDouble() const { return m_statement.column_double(m_index); }
inline bool Column::isNull() const { return m_statement.column_is_null(m_index); }

class Connection {
public:
    virtual ~Connection() = default;

    virtual Engine engine() const = 0;
    // Prepares `sql` (written with `?N` placeholders). Throws sql::Error.
    virtual std::unique_ptr<Statement> prepare(const std::string& sql) = 0;
    // Runs statements without parameters or rows (a migration, a PRAGMA): several, `;`-separated.
    virtual void execute_script(const std::string& sql) = 0;

    // The schema version recorded in the database (0 for a new one) and its update (inside the
    // migration's transaction).
    virtual int schema_version() = 0;
    virtual void set_schema_version(int version) = 0;
    // The migrations in this engine's dialect: index 0 takes version 0 to 1, and so on. The
    // numbering is the same for every engine (schema.cpp, schema_pg.cpp).
    virtual const std::vector<const char*>& migrations() const = 0;

    // The statements that open a write transaction, taking the database's write lock at once
    // (SQLite: BEGIN IMMEDIATE; PostgreSQL: BEGIN and a transaction-level advisory lock every
    // replica's writers take), so that concurrent writers queue rather than fail or interleave.
    virtual void begin_write() = 0;
    // Ends the transaction. Before PostgreSQL's COMMIT the database-wide change counter moves
    // (commit_generation); SQLite's data_version needs nothing.
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;

    // A number that moves whenever another connection (another replica, trackerctl) committed,
    // and not for this connection's own commits (SQLite: PRAGMA data_version, which reads no
    // table; PostgreSQL: the change counter's row, one query).
    virtual long long others_commit_counter() = 0;
};

// Whether `where` names a PostgreSQL database (postgresql:// or postgres://) rather than a file.
inline bool is_postgresql_uri(std::string_view where) {
    return where.starts_with("postgresql://") || where.starts_with("postgres://");
}

// The URI without its secrets (the password in the user part and a password= parameter): what
// a log line or an error message may name.
inline std::string describe_postgresql_uri(std::string_view uri) {
    std::string out(uri);
    auto scheme = out.find("://");
    if (scheme == std::string::npos) return out;
    auto authority = scheme + 3;
    auto at = out.find('@', authority);
    auto slash = out.find('/', authority);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
        auto colon = out.find(':', authority);
        if (colon != std::string::npos && colon < at) out.replace(colon, at - colon, ":***");
    }
    for (auto key = out.find("password="); key != std::string::npos; key = out.find("password=", key + 1)) {
        auto value = key + 9;
        auto end = out.find('&', value);
        out.replace(value, (end == std::string::npos ? out.size() : end) - value, "***");
    }
    return out;
}

}  // namespace store::sql
