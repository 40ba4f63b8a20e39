// Store: what operations asks of the database — outbox numbers for /metrics, a probe for /readyz.
#include "core/store/store.h"
#include "core/store/pg_connection.h"
#include "core/store/store_impl.h"

#include <SQLiteCpp/Database.h>

namespace store {

Result<OutboxStats> Store::outbox_stats() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("outbox stats", [&]() -> Result<OutboxStats> {
        auto q = m_impl->statements.get(
            "SELECT state, count(*), min(created_at) FROM outbox GROUP BY state");
        OutboxStats stats;
        while (q->executeStep()) {
            std::string state = q->getColumn(0).getString();
            long long count = q->getColumn(1).getInt64();
            if (state == "sent") stats.sent = count;
            else if (state == "dead") stats.dead = count;
            else {
                stats.pending += count;
                stats.oldest_pending_created_at = q->getColumn(2).getInt64();
            }
        }
        return stats;
    });
}

Result<int> Store::probe(const std::string& where) {
    bool uri = is_database_uri(where);
    return detail::guarded("probe " + describe(where), [&]() -> Result<int> {
        if (uri) return sql::connect_postgresql(where)->schema_version();
        SQLite::Database db(where, SQLite::OPEN_READONLY, 1000 /* busy timeout, ms */);
        return db.execAndGet("PRAGMA user_version").getInt();
    });
}

}  // namespace store
