// Leadership (leadership.h): a session-level advisory lock on PostgreSQL; always the leader on SQLite.
#include "core/store/leadership.h"

#include "core/store/pg_connection.h"
#include "core/store/sql.h"

namespace store {

Leadership::Leadership(std::string where) : m_where(std::move(where)), m_shared(sql::is_postgresql_uri(m_where)) {}

Leadership::~Leadership() { resign(); }

bool Leadership::lead() {
    std::lock_guard lock(m_mutex);
    if (!m_shared) {
        m_leading = true;
        return true;
    }
    try {
        if (!m_session) {
            m_holding = false;
            m_session = sql::connect_postgresql(m_where);
            // The server ends this session (and frees the lock) about 25 s after its client
            // vanished without closing the connection (a machine or a network gone).
            m_session->execute_script(
                "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
        }
        // Holding: that this very session still holds it (a connection that reconnected under
        // us would answer a plain query from a new session, which holds nothing).
        static const std::string k_still_held =
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
            " AND objsubid = 1 AND classid = " + std::to_string(static_cast<unsigned long long>(k_scheduler_lock_key) >> 32) +
            " AND objid = " + std::to_string(static_cast<unsigned long long>(k_scheduler_lock_key) & 0xffffffffULL);
        static const std::string k_take =
            "SELECT CASE WHEN pg_try_advisory_lock(" + std::to_string(k_scheduler_lock_key) + ") THEN 1 ELSE 0 END";
        auto statement = m_session->prepare(m_holding ? k_still_held : k_take);
        bool answered = statement->executeStep();
        bool took = answered && statement->column_int64(0) == 1;
        statement.reset();
        m_holding = took;  // held: still held; not held: taken now
        m_last_error.clear();
    } catch (const std::exception& e) {
        // The session broke: whatever it held, the server frees with it. Start again next time.
        m_last_error = e.what();
        m_holding = false;
        m_session.reset();
    }
    m_leading = m_holding;
    return m_holding;
}

void Leadership::resign() {
    std::lock_guard lock(m_mutex);
    m_session.reset();  // the session's end releases its locks
    m_holding = false;
    m_leading = false;
}

std::string Leadership::last_error() const {
    std::lock_guard lock(m_mutex);
    return m_last_error;
}

}  // namespace store
