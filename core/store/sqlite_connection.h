#pragma once
// SQLite behind sql::Connection (sql.h): the embedded default. WAL, foreign keys, a busy
// timeout, synchronous=NORMAL. The schema version is PRAGMA user_version; a write transaction
// is BEGIN IMMEDIATE (the write lock taken at once, so writers queue on the busy timeout).
// The WAL checkpointer and the memory release reach the SQLite handle through `database()`.
//
// Thread safety: none; the Store's mutex guards every call.

#include <memory>
#include <string>

#include "core/store/sql.h"

namespace SQLite {
class Database;
class Exception;
}  // namespace SQLite

namespace store::sql {

class SqliteConnection final : public Connection {
public:
    // Opens (creating when `create`) the file at `path` in WAL mode. Throws sql::Error.
    static std::unique_ptr<SqliteConnection> open(const std::string& path, bool create);
    ~SqliteConnection() override;

    Engine engine() const override { return Engine::sqlite; }
    std::unique_ptr<Statement> prepare(const std::string& sql) override;
    void execute_script(const std::string& sql) override;
    int schema_version() override;
    void set_schema_version(int version) override;
    const std::vector<const char*>& migrations() const override;
    void begin_write() override;
    void commit() override;
    void rollback() noexcept override;
    long long others_commit_counter() override;

    SQLite::Database& database() { return *m_db; }

private:
    explicit SqliteConnection(std::unique_ptr<SQLite::Database> db);
    std::unique_ptr<SQLite::Database> m_db;
    std::unique_ptr<Statement> m_begin, m_commit, m_data_version;  // prepared once
};

// busy/locked -> busy; unique/primary key -> conflict; other constraints -> constraint;
// file problems -> io; the rest -> internal.
Error sqlite_error(const SQLite::Exception& e);

}  // namespace store::sql
