#pragma once
// Exactly one scheduler at a time among the replicas of one database. On PostgreSQL, the
// leader is the replica whose own session holds a session-level advisory lock
// (k_scheduler_lock_key); the server releases it when that session ends — the replica died,
// its connection broke, or the server noticed a vanished client through the keepalives this
// session sets (10 s idle, then 3 probes 5 s apart: about 25 s). The others try to take it on
// each of their scheduler's ticks, so a failover takes at most one tick after the lock is
// free. A leader that cannot reach its session (a query on it fails) stops leading at once,
// before the server may hand the lock to another: never two leaders.
//
// On a SQLite file there is one process per file: it always leads.
//
// Thread safety: safe for concurrent use (a mutex around the session).

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"

namespace store {

namespace sql {
class Connection;
}

class Leadership {
public:
    // 'trackerS' in ASCII: distinct from the write lock's key (pg_connection.h).
    static constexpr long long k_scheduler_lock_key = 0x7472616365726453LL;

    // `where` as Store::open takes it. Connects nothing yet (lead() does).
    explicit Leadership(std::string where);
    ~Leadership();
    Leadership(const Leadership&) = delete;
    Leadership& operator=(const Leadership&) = delete;

    // Whether this replica leads now: keeps the lock when it holds it and its session answers,
    // tries to take it otherwise (connecting first when needed). Never throws; a failure to
    // reach the database answers false (and is in last_error()).
    bool lead();
    // The last answer of lead() (false before the first call), without asking the database.
    bool leading() const { return m_leading.load(); }
    // Gives the lock back (closes the session): another replica may take it on its next tick.
    void resign();
    std::string last_error() const;

private:
    const std::string m_where;
    const bool m_shared;  // PostgreSQL: a lock to take; SQLite: always leads
    mutable std::mutex m_mutex;
    std::unique_ptr<sql::Connection> m_session;  // Guarded by m_mutex.
    bool m_holding = false;                      // Guarded by m_mutex.
    std::string m_last_error;                    // Guarded by m_mutex.
    std::atomic<bool> m_leading{false};
};

}  // namespace store
