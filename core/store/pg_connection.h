#pragma once
// PostgreSQL behind sql::Connection (sql.h), through libpq: for several replicas on one
// database. The store's SQL is SQLite's dialect where the two differ in spelling only:
// prepare() rewrites `?N` placeholders to `$N`, drops ` COLLATE NOCASE` (the columns that
// compare case-insensitively are citext in schema_pg.cpp) and SQLite's ` INDEXED BY name`. Statements are prepared on the
// server (PQprepare, parameter types inferred) on first use, and again after a reconnection.
//
// Where the engines differ in substance:
// - The schema version and a database-wide change counter live in the one row of
//   `trackerd_meta`, created (under a session advisory lock, so that replicas starting together
//   don't race) when the connection opens.
// - A write transaction is BEGIN and a transaction-level advisory lock (k_write_lock_key) that
//   every replica's writers take, so that writers queue like SQLite's BEGIN IMMEDIATE (and
//   give up with Failure::busy after k_write_lock_timeout_ms, as its busy timeout). commit()
//   moves the change counter before COMMIT; others_commit_counter() reads it. A commit made
//   outside begin_write()/commit() (a bare autocommit statement) does not move it.
// - A connection that broke outside a transaction is re-established (PQreset) before the next
//   call; inside one, every call throws Failure::unavailable until rollback().
// - Unlike SQLite, a statement that fails inside a transaction aborts it: every later
//   statement fails until rollback().
//
// Values travel as text: bindings are formatted (doubles shortest round-trip), columns parsed
// (booleans read as 1/0). Statements must not outlive their connection.
//
// Thread safety: none; the Store's mutex guards every call on a connection and its statements.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/sql.h"

struct pg_conn;
struct pg_result;

namespace store::detail {
// The migrations in PostgreSQL's dialect (schema_pg.cpp), numbered as schema.cpp's.
const std::vector<const char*>& pg_migrations();
}  // namespace store::detail

namespace store::sql {

class PgStatement;

class PgConnection final : public Connection {
public:
    // The advisory lock key every writer takes in begin_write(): 'trackerd' in ASCII.
    static constexpr long long k_write_lock_key = 0x747261636b657264LL;
    // How long begin_write() waits for that lock before it throws busy: SQLite's busy timeout.
    static constexpr int k_write_lock_timeout_ms = 5000;
    // The session lock held while trackerd_meta is created ('trackerM'), distinct from the
    // write lock so that a starting replica does not wait for a long write.
    static constexpr long long k_bootstrap_lock_key = 0x747261636b65724dLL;

    // Connects to `uri` (anything PQconnectdb accepts: postgresql://user@host:port/db,
    // ?host=/socket/dir, key=value strings; PGPASSWORD and .pgpass apply), sets the session up
    // and makes sure trackerd_meta exists. Throws sql::Error (unavailable when the server
    // cannot be reached or refuses the login).
    static std::unique_ptr<PgConnection> open(const std::string& uri);
    ~PgConnection() override;
    PgConnection(const PgConnection&) = delete;
    PgConnection& operator=(const PgConnection&) = delete;

    Engine engine() const override { return Engine::postgresql; }
    std::unique_ptr<Statement> prepare(const std::string& sql) override;
    void execute_script(const std::string& sql) override;
    int schema_version() override;
    void set_schema_version(int version) override;
    const std::vector<const char*>& migrations() const override;
    void begin_write() override;
    void commit() override;
    void rollback() noexcept override;
    long long others_commit_counter() override;

    // How often the connection was re-established (0 until the first reconnection).
    std::uint64_t epoch() const { return m_epoch; }
    // Whether a transaction is open, as far as this connection knows (also across a break).
    bool in_transaction() const;

    // The rewriting prepare() applies: `?N` -> `$N` (a bare `?` numbered as SQLite would),
    // ` COLLATE NOCASE` and SQLite's ` INDEXED BY name` removed, all only outside '…' literals,
    // "…" identifiers and comments.
    // `parameters` receives the highest placeholder number.
    static std::string rewrite_sql(std::string_view sql, int* parameters = nullptr);

private:
    friend class PgStatement;
    explicit PgConnection(pg_conn* conn);

    // Before any call: reconnects a broken connection outside a transaction, throws
    // unavailable inside one (or when the server is still unreachable).
    void ensure_connected();
    // After a command: remembers whether the server has a transaction open.
    void note_transaction_status();
    // Runs `sql` (one or several statements) and returns the result of each; throws sql::Error
    // for the first that failed.
    std::vector<std::unique_ptr<pg_result, void (*)(pg_result*)>> run(const std::string& sql);
    void run_session_setup();
    void bootstrap_meta();
    long long read_generation();
    // Turns the error of `result` (or of the connection when null) into an sql::Error.
    Error error(const pg_result* result, std::string_view what) const;
    std::string next_statement_name();
    void forget_statement(std::string name);
    void deallocate_forgotten();

    pg_conn* m_conn;
    std::uint64_t m_epoch = 0;
    std::uint64_t m_statements_named = 0;
    bool m_in_write = false;        // begin_write() .. commit()/rollback()
    bool m_server_in_txn = false;   // the server's transaction status after the last command
    long long m_seen_generation = 0;
    long long m_others = 0;
    std::vector<std::string> m_forgotten;  // server-side statements to deallocate
};

// Connects to the PostgreSQL database at `uri`. Throws sql::Error.
std::unique_ptr<Connection> connect_postgresql(const std::string& uri);

}  // namespace store::sql
