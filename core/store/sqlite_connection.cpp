// SQLite behind sql::Connection (sqlite_connection.h).
#include "core/store/sqlite_connection.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

namespace store::detail {
const std::vector<const char*>& migrations();  // schema.cpp
}

namespace store::sql {

namespace {

Error error_for(int code, int extended, std::string message) {
    switch (code & 0xff) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return Error(Failure::busy, message);
        case SQLITE_CONSTRAINT: {
            bool key = extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY;
            return Error(key ? Failure::conflict : Failure::constraint, message);
        }
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_PERM: return Error(Failure::io, message);
        default: return Error(Failure::internal, message);
    }
}

}  // namespace

Error sqlite_error(const SQLite::Exception& e) {
    return error_for(e.getErrorCode(), e.getExtendedErrorCode(), e.what());
}

namespace {

// A statement on SQLite's C API (SQLiteCpp's Statement keeps its handle private, and binds
// text with a size only as a blob).
class SqliteStatement final : public Statement {
public:
    SqliteStatement(sqlite3* db, const std::string& sql) : m_db(db) {
        int rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size() + 1), &m_statement, nullptr);
        if (rc != SQLITE_OK) throw failure(rc);
    }
    ~SqliteStatement() override { sqlite3_finalize(m_statement); }
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    void bind_text(int index, std::string_view value) override {
        check(sqlite3_bind_text(m_statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT));
    }
    void bind_int64(int index, long long value) override {
        check(sqlite3_bind_int64(m_statement, index, static_cast<sqlite3_int64>(value)));
    }
    void bind_double(int index, double value) override { check(sqlite3_bind_double(m_statement, index, value)); }
    void bind_null(int index) override { check(sqlite3_bind_null(m_statement, index)); }
    bool executeStep() override {
        int rc = sqlite3_step(m_statement);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw failure(rc);
    }
    int exec() override {
        int rc;
        while ((rc = sqlite3_step(m_statement)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) throw failure(rc);
        return sqlite3_changes(m_db);
    }
    void reset() noexcept override {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
    }
    bool column_is_null(int index) override { return sqlite3_column_type(m_statement, index) == SQLITE_NULL; }
    std::string column_text(int index) override {
        const auto* text = sqlite3_column_text(m_statement, index);
        if (!text) return {};
        return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(sqlite3_column_bytes(m_statement, index)));
    }
    long long column_int64(int index) override { return sqlite3_column_int64(m_statement, index); }
    double column_double(int index) override { return sqlite3_column_double(m_statement, index); }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw failure(rc);
    }
    Error failure(int rc) const {
        return error_for(rc, sqlite3_extended_errcode(m_db), sqlite3_errmsg(m_db));
    }
    sqlite3* m_db;
    sqlite3_stmt* m_statement = nullptr;
};

}  // namespace

std::unique_ptr<SqliteConnection> SqliteConnection::open(const std::string& path, bool create) {
    try {
        // NOMUTEX: the Store's mutex already serialises every use of the connection; SQLite's
        // own per-call mutexes were several percent of an update's CPU.
        int flags = SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX | (create ? SQLite::OPEN_CREATE : 0);
        auto db = std::make_unique<SQLite::Database>(path, flags, 5000 /* busy timeout, ms */);
        // The first statement reads the header: a file that is not a database fails here.
        std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
        if (mode != "wal" && mode != "memory")
            throw Error(Failure::io, "cannot switch to WAL (journal mode " + mode + ")");
        db->exec("PRAGMA foreign_keys=ON");
        db->exec("PRAGMA synchronous=NORMAL");
        // 1 MB of page cache, not SQLite's 2: the lookups every message makes are answered by
        // the store's read cache, and the rest are random pages of a large plan that the OS
        // page cache serves as well (issue 22: no CPU difference measured, 1-2 MB less RSS).
        db->exec("PRAGMA cache_size=-1024");
        // Checkpoint (the only fsync under WAL + NORMAL) every ~40 MB of WAL rather than 4 MB:
        // hot pages (a task row, index tails) are copied once per checkpoint, not ten times.
        db->exec("PRAGMA wal_autocheckpoint=10000");
        return std::unique_ptr<SqliteConnection>(new SqliteConnection(std::move(db)));
    } catch (const SQLite::Exception& e) {
        throw sqlite_error(e);
    }
}

SqliteConnection::SqliteConnection(std::unique_ptr<SQLite::Database> db) : m_db(std::move(db)) {}

SqliteConnection::~SqliteConnection() {
    m_begin.reset();  // statements before their connection
    m_commit.reset();
    m_data_version.reset();
    m_db.reset();
}

std::unique_ptr<Statement> SqliteConnection::prepare(const std::string& sql) {
    try {
        return std::make_unique<SqliteStatement>(m_db->getHandle(), sql);
    } catch (const SQLite::Exception& e) {
        throw sqlite_error(e);
    }
}

void SqliteConnection::execute_script(const std::string& sql) {
    try {
        m_db->exec(sql);
    } catch (const SQLite::Exception& e) {
        throw sqlite_error(e);
    }
}

int SqliteConnection::schema_version() {
    try {
        return m_db->execAndGet("PRAGMA user_version").getInt();
    } catch (const SQLite::Exception& e) {
        throw sqlite_error(e);
    }
}

void SqliteConnection::set_schema_version(int version) { execute_script("PRAGMA user_version = " + std::to_string(version)); }

const std::vector<const char*>& SqliteConnection::migrations() const { return detail::migrations(); }

namespace {
void run_once(std::unique_ptr<Statement>& statement, Connection& connection, const char* sql) {
    if (!statement) statement = connection.prepare(sql);
    statement->reset();
    statement->exec();
}
}  // namespace

void SqliteConnection::begin_write() { run_once(m_begin, *this, "BEGIN IMMEDIATE"); }

void SqliteConnection::commit() { run_once(m_commit, *this, "COMMIT"); }

void SqliteConnection::rollback() noexcept {
    try {
        m_db->exec("ROLLBACK");
    } catch (const std::exception&) {
        // SQLite may already have rolled back (e.g. after an I/O error); nothing left to undo.
    }
}

long long SqliteConnection::others_commit_counter() {
    if (!m_data_version) m_data_version = prepare("PRAGMA data_version");
    m_data_version->reset();
    m_data_version->executeStep();
    long long version = m_data_version->column_int64(0);
    m_data_version->reset();
    return version;
}

}  // namespace store::sql
