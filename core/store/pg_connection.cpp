// PostgreSQL behind sql::Connection (pg_connection.h), through libpq.
#include "core/store/pg_connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>

namespace store::sql {

namespace {

using ResultPtr = std::unique_ptr<pg_result, void (*)(pg_result*)>;

ResultPtr own(PGresult* result) { return ResultPtr(result, &PQclear); }

constexpr Oid k_bool_oid = 16;  // pg_type.h's BOOLOID (server headers are not the client's)

// SQLSTATE → the store's failure kinds.
Failure classify(std::string_view state) {
    if (state == "23505") return Failure::conflict;  // unique_violation
    if (state.starts_with("23")) return Failure::constraint;
    if (state == "40001" || state == "40P01" || state == "55P03" || state == "57014")
        return Failure::busy;  // serialization failure, deadlock, lock not available, cancelled
    if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03")
        return Failure::unavailable;  // connection exceptions; admin/crash shutdown; starting up
    if (state.starts_with("53") || state == "25006") return Failure::io;  // resources; read-only
    return Failure::internal;
}

std::string trimmed(const char* message) {
    std::string text = message ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c & 0x80); }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

void ignore_notice(void*, const char*) {}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The statement: bindings as text, the whole result buffered on the first step.

class PgStatement final : public Statement {
public:
    PgStatement(PgConnection& connection, std::string sql, int parameters)
        : m_connection(connection), m_sql(std::move(sql)), m_params(static_cast<size_t>(parameters)) {}

    ~PgStatement() override {
        if (!m_name.empty() && m_prepared_epoch == m_connection.m_epoch) m_connection.forget_statement(std::move(m_name));
    }

    void bind_text(int index, std::string_view value) override { slot(index).emplace(value); }
    void bind_int64(int index, long long value) override { slot(index).emplace(std::to_string(value)); }
    void bind_double(int index, double value) override {
        auto& target = slot(index);
        if (std::isnan(value)) target.emplace("NaN");
        else if (std::isinf(value)) target.emplace(value > 0 ? "Infinity" : "-Infinity");
        else {
            char buffer[64];
            auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);  // shortest round-trip
            target.emplace(buffer, end);
        }
    }
    void bind_null(int index) override { slot(index).reset(); }

    bool executeStep() override {
        if (!m_result) {
            m_result = run();
            m_row = -1;
        }
        int rows = PQntuples(m_result.get());
        if (m_row + 1 < rows) {
            ++m_row;
            return true;
        }
        m_row = rows;
        return false;
    }

    int exec() override {
        m_result.reset();
        m_row = -1;
        ResultPtr result = run();
        return std::atoi(PQcmdTuples(result.get()));
    }

    void reset() noexcept override {
        m_result.reset();
        m_row = -1;
        for (auto& param : m_params) param.reset();
    }

    bool column_is_null(int index) override {
        check_column(index);
        return PQgetisnull(m_result.get(), m_row, index) != 0;
    }

    std::string column_text(int index) override {
        check_column(index);
        if (PQgetisnull(m_result.get(), m_row, index)) return {};
        const char* value = PQgetvalue(m_result.get(), m_row, index);
        if (PQftype(m_result.get(), index) == k_bool_oid) return value[0] == 't' ? "1" : "0";  // as SQLite's 1/0
        return std::string(value, static_cast<size_t>(PQgetlength(m_result.get(), m_row, index)));
    }

    long long column_int64(int index) override {
        check_column(index);
        if (PQgetisnull(m_result.get(), m_row, index)) return 0;
        const char* value = PQgetvalue(m_result.get(), m_row, index);
        if (PQftype(m_result.get(), index) == k_bool_oid) return value[0] == 't' ? 1 : 0;
        const char* end = value + PQgetlength(m_result.get(), m_row, index);
        long long number = 0;
        auto [stop, ec] = std::from_chars(value, end, number);
        if (ec == std::errc() && stop == end) return number;
        // A real or numeric ("2.5", "1e3", "NaN"): truncated as SQLite's CAST; text that is no
        // number reads as its numeric prefix, or 0.
        char* parsed = nullptr;
        double real = std::strtod(value, &parsed);
        if (parsed != value && std::isfinite(real) && std::fabs(real) < 9.2e18) return static_cast<long long>(real);
        return ec == std::errc() ? number : 0;
    }

    double column_double(int index) override {
        check_column(index);
        if (PQgetisnull(m_result.get(), m_row, index)) return 0;
        const char* value = PQgetvalue(m_result.get(), m_row, index);
        if (PQftype(m_result.get(), index) == k_bool_oid) return value[0] == 't' ? 1 : 0;
        return std::strtod(value, nullptr);
    }

private:
    std::optional<std::string>& slot(int index) {
        if (index < 1 || index > static_cast<int>(m_params.size()))
            throw Error(Failure::internal, "bind: parameter " + std::to_string(index) + " out of range (the statement has " +
                                               std::to_string(m_params.size()) + ")");
        return m_params[static_cast<size_t>(index - 1)];
    }

    void check_column(int index) const {
        if (!m_result || m_row < 0 || m_row >= PQntuples(m_result.get()))
            throw Error(Failure::internal, "column " + std::to_string(index) + ": no current row");
        if (index < 0 || index >= PQnfields(m_result.get()))
            throw Error(Failure::internal, "column " + std::to_string(index) + " out of range");
    }

    // Prepares on the server when this connection (epoch) has not seen the statement yet.
    void prepare_on_server() {
        if (!m_name.empty() && m_prepared_epoch == m_connection.m_epoch) return;
        std::string name = m_connection.next_statement_name();
        ResultPtr result = own(PQprepare(m_connection.m_conn, name.c_str(), m_sql.c_str(), 0, nullptr));
        m_connection.note_transaction_status();
        if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK)
            throw m_connection.error(result.get(), "prepare");
        m_name = std::move(name);
        m_prepared_epoch = m_connection.m_epoch;
    }

    // Whether the server lost or outgrew our prepared statement: prepare again and retry.
    static bool needs_preparing_again(const PGresult* result) {
        const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        if (!state) return false;
        if (std::strcmp(state, "26000") == 0) return true;  // prepared statement does not exist
        const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
        return std::strcmp(state, "0A000") == 0 && message && std::strstr(message, "cached plan must not change result type");
    }

    ResultPtr run() {
        for (int attempt = 0;; ++attempt) {
            m_connection.ensure_connected();
            m_connection.deallocate_forgotten();
            prepare_on_server();
            std::vector<const char*> values(m_params.size());
            for (size_t i = 0; i < m_params.size(); ++i) values[i] = m_params[i] ? m_params[i]->c_str() : nullptr;
            ResultPtr result = own(PQexecPrepared(m_connection.m_conn, m_name.c_str(), static_cast<int>(values.size()),
                                                  values.data(), nullptr, nullptr, 0));
            m_connection.note_transaction_status();
            ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
            if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
            if (needs_preparing_again(result.get())) {
                m_connection.forget_statement(std::move(m_name));
                m_name.clear();
                // The statement did not run; outside a transaction it may simply run again.
                if (attempt == 0 && !m_connection.in_transaction()) continue;
            }
            throw m_connection.error(result.get(), "query");
        }
    }

    PgConnection& m_connection;
    std::string m_sql;  // rewritten to PostgreSQL's placeholders
    std::vector<std::optional<std::string>> m_params;
    std::string m_name;  // on the server, as of m_prepared_epoch
    std::uint64_t m_prepared_epoch = 0;
    ResultPtr m_result{nullptr, &PQclear};
    int m_row = -1;
};

// ---------------------------------------------------------------------------------------------
// The connection.


std::string PgConnection::rewrite_sql(std::string_view sql, int* parameters) {
    std::string out;
    out.reserve(sql.size() + 8);
    int highest = 0;
    const size_t n = sql.size();
    size_t i = 0;
    while (i < n) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            // A literal ('' doubled; E'…' also takes backslash escapes) or a quoted identifier.
            bool backslashes = c == '\'' && !out.empty() && (out.back() == 'E' || out.back() == 'e') &&
                               (out.size() < 2 || !is_ident_char(out[out.size() - 2]));
            size_t j = i + 1;
            while (j < n) {
                if (backslashes && sql[j] == '\\') {
                    j += 2;
                    continue;
                }
                if (sql[j] == c) {
                    if (j + 1 < n && sql[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    ++j;
                    break;
                }
                ++j;
            }
            j = std::min(j, n);
            out.append(sql.substr(i, j - i));
            i = j;
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            size_t j = sql.find('\n', i);
            j = j == std::string_view::npos ? n : j;
            out.append(sql.substr(i, j - i));
            i = j;
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            size_t j = i + 2;
            int depth = 1;  // PostgreSQL's block comments nest
            while (j < n && depth > 0) {
                if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
                    ++depth;
                    j += 2;
                } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            out.append(sql.substr(i, j - i));
            i = j;
        } else if (c == '?') {
            size_t j = i + 1;
            int number = 0;
            while (j < n && sql[j] >= '0' && sql[j] <= '9' && number < 100000) number = number * 10 + (sql[j++] - '0');
            if (j == i + 1) number = highest + 1;  // a bare `?`: SQLite numbers it after the highest so far
            highest = std::max(highest, number);
            out += '$';
            out += std::to_string(number);
            i = j;
        } else if (is_ident_start(c)) {
            size_t j = i;
            while (j < n && is_ident_char(sql[j])) ++j;
            std::string_view word = sql.substr(i, j - i);
            if (iequals(word, "COLLATE")) {
                size_t k = j;
                while (k < n && is_space(sql[k])) ++k;
                size_t m = k;
                while (m < n && is_ident_char(sql[m])) ++m;
                if (m > k && iequals(sql.substr(k, m - k), "NOCASE")) {
                    while (!out.empty() && is_space(out.back())) out.pop_back();
                    i = m;
                    continue;
                }
            }
            if (iequals(word, "INDEXED")) {  // SQLite's `INDEXED BY name`: the planner chooses here
                size_t k = j;
                while (k < n && is_space(sql[k])) ++k;
                size_t m = k;
                while (m < n && is_ident_char(sql[m])) ++m;
                if (m > k && iequals(sql.substr(k, m - k), "BY")) {
                    size_t p = m;
                    while (p < n && is_space(sql[p])) ++p;
                    size_t q = p;
                    while (q < n && is_ident_char(sql[q])) ++q;
                    if (q > p) {
                        while (!out.empty() && is_space(out.back())) out.pop_back();
                        i = q;
                        continue;
                    }
                }
            }
            out.append(word);
            i = j;
        } else if (c >= '0' && c <= '9') {
            // A number, or a word's digits: copied whole so that `x1` or `1e5` stays one token.
            size_t j = i;
            while (j < n && is_ident_char(sql[j])) ++j;
            out.append(sql.substr(i, j - i));
            i = j;
        } else {
            out += c;
            ++i;
        }
    }
    if (parameters) *parameters = highest;
    return out;
}

std::unique_ptr<PgConnection> PgConnection::open(const std::string& uri) {
    // A URI that does not parse is the configuration's fault, not the server's.
    char* parse_error = nullptr;
    PQconninfoOption* options = PQconninfoParse(uri.c_str(), &parse_error);
    if (!options) {
        std::string message = parse_error ? trimmed(parse_error) : "out of memory";
        PQfreemem(parse_error);
        throw Error(Failure::internal, "PostgreSQL: bad connection string: " + message);
    }
    PQconninfoFree(options);

    // A default connect timeout (libpq's is none) unless PGCONNECT_TIMEOUT or the URI says
    // otherwise: the URI, expanded from dbname, overrides the keywords before it.
    std::vector<const char*> keys, values;
    if (!std::getenv("PGCONNECT_TIMEOUT")) {
        keys.push_back("connect_timeout");
        values.push_back("10");
    }
    keys.insert(keys.end(), {"dbname", "fallback_application_name", nullptr});
    values.insert(values.end(), {uri.c_str(), "trackerd", nullptr});
    PGconn* conn = PQconnectdbParams(keys.data(), values.data(), /* expand_dbname */ 1);
    if (!conn) throw Error(Failure::unavailable, "PostgreSQL: cannot connect: out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string message = trimmed(PQerrorMessage(conn));
        PQfinish(conn);
        throw Error(Failure::unavailable, "PostgreSQL: cannot connect: " + message);
    }
    std::unique_ptr<PgConnection> connection(new PgConnection(conn));
    connection->run_session_setup();
    connection->bootstrap_meta();
    connection->m_seen_generation = connection->read_generation();
    return connection;
}

PgConnection::PgConnection(pg_conn* conn) : m_conn(conn) {
    // Warnings (e.g. ROLLBACK with nothing to roll back) are not printed on stderr.
    PQsetNoticeProcessor(m_conn, &ignore_notice, nullptr);
}

PgConnection::~PgConnection() { PQfinish(m_conn); }

bool PgConnection::in_transaction() const { return m_in_write || m_server_in_txn; }

void PgConnection::note_transaction_status() {
    switch (PQtransactionStatus(m_conn)) {
        case PQTRANS_IDLE: m_server_in_txn = false; break;
        case PQTRANS_INTRANS:
        case PQTRANS_INERROR: m_server_in_txn = true; break;
        default: break;  // PQTRANS_UNKNOWN: the connection broke; what we knew stands
    }
}

void PgConnection::ensure_connected() {
    if (PQstatus(m_conn) == CONNECTION_OK) return;
    if (in_transaction())
        throw Error(Failure::unavailable, "PostgreSQL: the connection broke inside a transaction (roll it back)");
    PQreset(m_conn);
    if (PQstatus(m_conn) != CONNECTION_OK)
        throw Error(Failure::unavailable, "PostgreSQL: cannot reconnect: " + trimmed(PQerrorMessage(m_conn)));
    ++m_epoch;  // the server forgot our prepared statements: each prepares again
    m_server_in_txn = false;
    m_forgotten.clear();
    run_session_setup();
}

std::vector<ResultPtr> PgConnection::run(const std::string& sql) {
    ensure_connected();
    std::vector<ResultPtr> results;
    if (!PQsendQuery(m_conn, sql.c_str())) {
        note_transaction_status();
        throw error(nullptr, "query");
    }
    // Every statement's result, in order, until the null that ends the query.
    while (PGresult* result = PQgetResult(m_conn)) results.push_back(own(result));
    note_transaction_status();
    for (const auto& result : results) {
        ExecStatusType status = PQresultStatus(result.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
            throw error(result.get(), "query");
    }
    if (results.empty() && PQstatus(m_conn) != CONNECTION_OK) throw error(nullptr, "query");
    return results;
}

Error PgConnection::error(const pg_result* result, std::string_view what) const {
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message;
    if (const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr) message = primary;
    else if (result && *PQresultErrorMessage(result)) message = trimmed(PQresultErrorMessage(result));
    else message = trimmed(PQerrorMessage(m_conn));
    if (message.empty()) message = "unknown error";

    Failure kind = PQstatus(m_conn) == CONNECTION_BAD ? Failure::unavailable
                   : state                            ? classify(state)
                                                      : Failure::internal;
    std::string text = "PostgreSQL " + std::string(what) + ": " + message;
    if (state) {
        text += " (SQLSTATE ";
        text += state;
        if (const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) {
            text += ", constraint ";
            text += constraint;
        }
        text += ')';
    }
    return Error(kind, text);
}

void PgConnection::run_session_setup() { run("SET client_min_messages = warning"); }

void PgConnection::bootstrap_meta() {
    // Already there (every start but the first): no lock, no write (a read-only user works).
    auto exists = run("SELECT to_regclass('trackerd_meta') IS NOT NULL");
    if (std::strcmp(PQgetvalue(exists[0].get(), 0, 0), "t") == 0) {
        auto row = run("SELECT count(*) FROM trackerd_meta WHERE id = 1");
        if (std::strcmp(PQgetvalue(row[0].get(), 0, 0), "0") != 0) return;
    }
    // Replicas starting together queue here: CREATE TABLE IF NOT EXISTS alone can still fail
    // on a race (a duplicate key in pg_type).
    const std::string key = std::to_string(k_bootstrap_lock_key);
    run("SELECT pg_advisory_lock(" + key + ")");
    try {
        run("CREATE TABLE IF NOT EXISTS trackerd_meta ("
            " id INT PRIMARY KEY CHECK (id = 1),"
            " schema_version INT NOT NULL,"
            " generation BIGINT NOT NULL);"
            "INSERT INTO trackerd_meta (id, schema_version, generation) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING");
    } catch (...) {
        try {
            run("SELECT pg_advisory_unlock(" + key + ")");
        } catch (const Error&) {
            // A broken connection released the lock with the session.
        }
        throw;
    }
    run("SELECT pg_advisory_unlock(" + key + ")");
}

long long PgConnection::read_generation() {
    auto results = run("SELECT generation FROM trackerd_meta WHERE id = 1");
    if (PQntuples(results[0].get()) != 1) throw Error(Failure::internal, "PostgreSQL: trackerd_meta has no row");
    return std::strtoll(PQgetvalue(results[0].get(), 0, 0), nullptr, 10);
}

std::string PgConnection::next_statement_name() { return "trackerd_" + std::to_string(++m_statements_named); }

void PgConnection::forget_statement(std::string name) {
    try {
        m_forgotten.push_back(std::move(name));
    } catch (...) {
        // Out of memory: the statement stays on the server until the connection closes.
    }
}

void PgConnection::deallocate_forgotten() {
    if (m_forgotten.empty() || in_transaction() || PQstatus(m_conn) != CONNECTION_OK) return;
    std::string sql;
    for (const auto& name : m_forgotten) sql += "DEALLOCATE " + name + ";";
    m_forgotten.clear();
    PQclear(PQexec(m_conn, sql.c_str()));  // a failure leaves them to the session's end
    note_transaction_status();
}

std::unique_ptr<Statement> PgConnection::prepare(const std::string& sql) {
    int parameters = 0;
    std::string rewritten = rewrite_sql(sql, &parameters);
    return std::make_unique<PgStatement>(*this, std::move(rewritten), parameters);
}

void PgConnection::execute_script(const std::string& sql) { run(sql); }

int PgConnection::schema_version() {
    auto results = run("SELECT schema_version FROM trackerd_meta WHERE id = 1");
    if (PQntuples(results[0].get()) != 1) throw Error(Failure::internal, "PostgreSQL: trackerd_meta has no row");
    return std::atoi(PQgetvalue(results[0].get(), 0, 0));
}

void PgConnection::set_schema_version(int version) {
    run("UPDATE trackerd_meta SET schema_version = " + std::to_string(version) + " WHERE id = 1");
}

const std::vector<const char*>& PgConnection::migrations() const { return detail::pg_migrations(); }

void PgConnection::begin_write() {
    if (in_transaction()) throw Error(Failure::internal, "PostgreSQL: begin_write inside a transaction");
    ensure_connected();
    m_in_write = true;
    try {
        // One round trip: the transaction and the lock every replica's writers queue on, waited
        // for as long as SQLite's busy timeout (then 55P03: busy); the rest of the transaction
        // keeps the session's lock_timeout.
        run("BEGIN; SET LOCAL lock_timeout = " + std::to_string(k_write_lock_timeout_ms) +
            "; SELECT pg_advisory_xact_lock(" + std::to_string(k_write_lock_key) + "); SET LOCAL lock_timeout = DEFAULT");
    } catch (...) {
        rollback();  // nothing was written: the transaction is over whatever broke
        throw;
    }
}

void PgConnection::commit() {
    if (!in_transaction()) throw Error(Failure::internal, "PostgreSQL: commit without a transaction");
    std::vector<ResultPtr> results;
    try {
        // One round trip: the change counter moves in the transaction it counts.
        results = run("UPDATE trackerd_meta SET generation = generation + 1 WHERE id = 1 RETURNING generation; COMMIT");
        if (results.size() != 2 || PQntuples(results[0].get()) != 1)
            throw Error(Failure::internal, "PostgreSQL: commit: trackerd_meta has no row");
        // COMMIT of a transaction that had failed answers ROLLBACK.
        if (std::strcmp(PQcmdStatus(results[1].get()), "COMMIT") != 0)
            throw Error(Failure::internal, "PostgreSQL: commit: the transaction had failed and was rolled back");
    } catch (...) {
        rollback();  // commit() ends the transaction, whether it succeeded or threw
        throw;
    }
    m_in_write = false;
    long long generation = std::strtoll(PQgetvalue(results[0].get(), 0, 0), nullptr, 10);
    // Only our own commit since we last looked: nothing for others_commit_counter to report.
    if (generation == m_seen_generation + 1) m_seen_generation = generation;
}

void PgConnection::rollback() noexcept {
    m_in_write = false;
    if (PQstatus(m_conn) == CONNECTION_OK) {
        PGTransactionStatusType status = PQtransactionStatus(m_conn);
        if (status == PQTRANS_INTRANS || status == PQTRANS_INERROR) PQclear(PQexec(m_conn, "ROLLBACK"));
    }
    // A broken connection took its transaction with it; the next call reconnects.
    m_server_in_txn = false;
}

long long PgConnection::others_commit_counter() {
    long long generation = read_generation();
    if (generation != m_seen_generation) {
        ++m_others;
        m_seen_generation = generation;
    }
    return m_others;
}

std::unique_ptr<Connection> connect_postgresql(const std::string& uri) { return PgConnection::open(uri); }

}  // namespace store::sql
