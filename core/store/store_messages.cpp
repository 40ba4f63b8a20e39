// Store: inbound de-duplication, the durable outbox and the small k/v state table
// (migration 2). Every write is one transaction, joining the caller's when there is one.
#include <charconv>
#include <limits>

#include "core/store/store.h"

#include "core/store/rows.h"
#include "core/store/store_impl.h"

namespace store {

using core::ErrorCode;
using core::make_error;

const char* to_string(OutboxState state) {
    switch (state) {
        case OutboxState::pending: return "pending";
        case OutboxState::sent: return "sent";
        case OutboxState::dead: return "dead";
    }
    return "pending";
}

namespace {

OutboxState parse_outbox_state(std::string_view text) {
    if (text == "sent") return OutboxState::sent;
    if (text == "dead") return OutboxState::dead;
    return OutboxState::pending;
}

#define TRACKERD_OUTBOX_COLUMNS                                                                  \
    "SELECT id, platform, channel, destination, reply_to, kind, body, dedup_key, created_at,"   \
    " next_attempt_at, expires_at, attempts, state, last_error, sent_at, remote_id FROM outbox "

OutboxMessage outbox_row(sql::Statement& s) {
    OutboxMessage m;
    std::string state;
    // A NULL dedup_key (no key) reads as "".
    detail::read_columns(s, m.id, m.platform, m.channel, m.destination, m.reply_to, m.kind, m.body, m.dedup_key,
                         m.created_at, m.next_attempt_at, m.expires_at, m.attempts, state, m.last_error, m.sent_at,
                         m.remote_id);
    m.state = parse_outbox_state(state);
    return m;
}

// An UPDATE of one outbox row touched nothing: tell a missing row from a refused one.
core::Error outbox_unchanged(detail::StatementCache& cache, long long id, std::string_view what) {
    auto q = cache.get("SELECT state FROM outbox WHERE id = ?1");
    detail::bind_columns(*q, id);
    if (!q->executeStep())
        return make_error(ErrorCode::not_found, "outbox message " + std::to_string(id) + " not found");
    return make_error(ErrorCode::conflict, "outbox message " + std::to_string(id) + " is " +
                                               q->getColumn(0).getString() + "; cannot " +
                                               std::string(what));
}

}  // namespace

Result<bool> Store::remember_inbound(std::string_view platform, std::string_view key,
                                     long long now_unix) {
    std::lock_guard lock(m_mutex);
    return detail::write<bool>(*this, "remember inbound", [&]() -> Result<bool> {
        return detail::execute(m_impl->statements,
                               "INSERT INTO inbound_seen (platform, key, seen_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                               platform, key, now_unix) == 1;
    });
}

Result<bool> Store::seen_inbound(std::string_view platform, std::string_view key) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("check inbound", [&]() -> Result<bool> {
        auto q = m_impl->statements.get("SELECT 1 FROM inbound_seen WHERE platform = ?1 AND key = ?2");
        detail::bind_columns(*q, platform, key);
        return q->executeStep();
    });
}

Result<int> Store::forget_inbound_before(long long unix_seconds) {
    std::lock_guard lock(m_mutex);
    return detail::write<int>(*this, "forget inbound", [&]() -> Result<int> {
        return detail::execute(m_impl->statements, "DELETE FROM inbound_seen WHERE seen_at < ?1", unix_seconds);
    });
}

Result<bool> Store::bind_signature(std::string_view platform, std::string_view signature,
                                   std::string_view bound_to, long long expires_at, long long now_unix) {
    std::lock_guard lock(m_mutex);
    return detail::write<bool>(*this, "bind signature", [&]() -> Result<bool> {
        // An expired binding may be taken over: the platform refuses that signature by now, so
        // only a clock that moved back could bring it here again.
        int changed = detail::execute(m_impl->statements,
                                      "INSERT INTO signature_uses (platform, signature, bound_to, expires_at)"
                                      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (platform, signature)"
                                      " DO UPDATE SET bound_to = excluded.bound_to, expires_at = excluded.expires_at"
                                      " WHERE signature_uses.expires_at < ?5",
                                      platform, signature, bound_to, expires_at, now_unix);
        if (changed == 1) return true;
        auto bound = m_impl->statements.get(
            "SELECT bound_to FROM signature_uses WHERE platform = ?1 AND signature = ?2");
        detail::bind_columns(*bound, platform, signature);
        return bound->executeStep() && bound->getColumn(0).getString() == bound_to;
    });
}

Result<std::optional<std::string>> Store::signature_binding(std::string_view platform, std::string_view signature,
                                                            long long now_unix) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read signature binding", [&]() -> Result<std::optional<std::string>> {
        auto q = m_impl->statements.get(
            "SELECT bound_to FROM signature_uses WHERE platform = ?1 AND signature = ?2 AND expires_at >= ?3");
        detail::bind_columns(*q, platform, signature, now_unix);
        if (!q->executeStep()) return std::optional<std::string>();
        return std::optional<std::string>(q->getColumn(0).getString());
    });
}

Result<int> Store::forget_signatures_before(long long unix_seconds) {
    std::lock_guard lock(m_mutex);
    return detail::write<int>(*this, "forget signatures", [&]() -> Result<int> {
        return detail::execute(m_impl->statements, "DELETE FROM signature_uses WHERE expires_at < ?1", unix_seconds);
    });
}

Result<EnqueueResult> Store::enqueue(const OutboxMessage& message) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write<EnqueueResult>(*this, "enqueue", [&]() -> Result<EnqueueResult> {
        // A new message is pending with no attempts, whatever the caller filled in. An empty
        // dedup_key is stored as NULL: such messages are never de-duplicated.
        std::optional<std::string> dedup_key;
        if (!message.dedup_key.empty()) dedup_key = message.dedup_key;
        long long inserted = detail::insert_returning_id(
            cache,
            "INSERT INTO outbox (platform, channel, destination, reply_to, kind, body, dedup_key,"
            " created_at, next_attempt_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
            " ?10) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
            message.platform, message.channel, message.destination, message.reply_to, message.kind, message.body,
            dedup_key, message.created_at, message.next_attempt_at, message.expires_at);
        if (inserted != 0) return EnqueueResult{inserted, true};
        auto existing = cache.get("SELECT id FROM outbox WHERE dedup_key = ?1");
        detail::bind_columns(*existing, message.dedup_key);
        if (!existing->executeStep())
            return make_error(ErrorCode::internal, "outbox insert ignored without a duplicate");
        return EnqueueResult{existing->getColumn(0).getInt64(), false};
    });
}

Result<std::vector<OutboxMessage>> Store::due_messages(long long now_unix, int limit) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read due messages", [&]() -> Result<std::vector<OutboxMessage>> {
        return detail::select_all(m_impl->statements,
                                  TRACKERD_OUTBOX_COLUMNS "WHERE state = 'pending' AND next_attempt_at <= ?1"
                                                          " ORDER BY id LIMIT ?2",
                                  outbox_row, now_unix, limit > 0 ? limit : -1);
    });
}

Result<std::vector<OutboxMessage>> Store::due_heads(long long now_unix, int limit,
                                                    const std::function<int(const OutboxMessage& head)>& wanted) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read due messages", [&]() -> Result<std::vector<OutboxMessage>> {
        // Both from the index of pending rows (migration 4), never the rows themselves.
        auto next = m_impl->statements.get(
            "SELECT platform, destination, channel FROM outbox INDEXED BY outbox_pending_by_destination"
            " WHERE state = 'pending' AND (platform, destination) > (?1, ?2) ORDER BY platform, destination, id LIMIT 1");
        auto rows = m_impl->statements.get(
            "SELECT id, channel FROM outbox INDEXED BY outbox_pending_by_destination WHERE state = 'pending'"
            " AND platform = ?1 AND destination = ?2 AND next_attempt_at <= ?3 ORDER BY id LIMIT ?4");
        std::vector<OutboxMessage> out;
        std::string platform, destination;  // the last destination visited ("" before the first)
        while (limit <= 0 || out.size() < static_cast<size_t>(limit)) {
            next->reset();
            detail::bind_columns(*next, platform, destination);
            if (!next->executeStep()) break;
            OutboxMessage head;
            head.platform = platform = next->getColumn(0).getString();
            head.destination = destination = next->getColumn(1).getString();
            head.channel = next->getColumn(2).getString();
            const int take = wanted(head);
            if (take == 0) continue;
            rows->reset();
            // take < 0: no limit (PostgreSQL refuses a negative LIMIT, SQLite's "none").
            detail::bind_columns(*rows, platform, destination, now_unix,
                                 take < 0 ? std::numeric_limits<long long>::max() : static_cast<long long>(take));
            while (rows->executeStep() && (limit <= 0 || out.size() < static_cast<size_t>(limit))) {
                OutboxMessage row = head;
                row.id = rows->getColumn(0).getInt64();
                row.channel = rows->getColumn(1).getString();
                out.push_back(std::move(row));
            }
        }
        return out;
    });
}

Result<std::vector<OutboxMessage>> Store::outbox_messages(const std::vector<long long>& ids) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read outbox messages", [&]() -> Result<std::vector<OutboxMessage>> {
        auto q = m_impl->statements.get(TRACKERD_OUTBOX_COLUMNS "WHERE id = ?1 AND state = 'pending'");
        std::vector<OutboxMessage> out;
        for (long long id : ids) {
            q->reset();
            detail::bind_columns(*q, id);
            if (q->executeStep()) out.push_back(outbox_row(*q));
        }
        return out;
    });
}

Result<void> Store::mark_sent(long long id, long long now_unix, std::string_view remote_id) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "mark sent", [&]() -> Result<void> {
        int changed = detail::execute(cache,
                                      "UPDATE outbox SET state = 'sent', sent_at = ?2, remote_id = ?3,"
                                      " attempts = attempts + 1 WHERE id = ?1",
                                      id, now_unix, remote_id);
        if (changed == 0) return outbox_unchanged(cache, id, "mark it sent");
        return core::ok();
    });
}

Result<void> Store::mark_failed(long long id, long long next_attempt_at, std::string_view error,
                                bool dead) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "mark failed", [&]() -> Result<void> {
        // A sent message stays sent: re-pending it would deliver it twice.
        int changed = detail::execute(cache,
                                      "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,"
                                      " next_attempt_at = ?3, state = CASE WHEN ?4 THEN 'dead' ELSE 'pending' END"
                                      " WHERE id = ?1 AND state <> 'sent'",
                                      id, error, next_attempt_at, dead);
        if (changed == 0) return outbox_unchanged(cache, id, "mark it failed");
        return core::ok();
    });
}

Result<std::vector<OutboxMessage>> Store::outbox(std::optional<OutboxState> state, int limit) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("list outbox", [&]() -> Result<std::vector<OutboxMessage>> {
        std::optional<std::string_view> state_text;  // none: every state
        if (state) state_text = to_string(*state);
        return detail::select_all(m_impl->statements,
                                  // The cast: PostgreSQL infers no type for a parameter only tested for NULL.
                                  TRACKERD_OUTBOX_COLUMNS "WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1 ORDER BY id LIMIT ?2",
                                  outbox_row, state_text,
                                  limit > 0 ? static_cast<long long>(limit) : std::numeric_limits<long long>::max());
    });
}

Result<void> Store::requeue(long long id, long long now_unix) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write_void(*this, "requeue", [&]() -> Result<void> {
        // Attempts restart so the worker's retry budget applies afresh; last_error is kept.
        int changed = detail::execute(cache,
                                      "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = ?2"
                                      " WHERE id = ?1 AND state <> 'sent'",
                                      id, now_unix);
        if (changed == 0) return outbox_unchanged(cache, id, "requeue it");
        return core::ok();
    });
}

Result<std::optional<std::string>> Store::get_state(std::string_view key) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read state", [&]() -> Result<std::optional<std::string>> {
        auto q = m_impl->statements.get("SELECT value FROM state WHERE key = ?1");
        detail::bind_columns(*q, key);
        if (!q->executeStep()) return std::optional<std::string>{};
        return std::optional<std::string>{q->getColumn(0).getString()};
    });
}

Result<void> Store::put_state(std::string_view key, std::string_view value) {
    std::lock_guard lock(m_mutex);
    note_shared_write();
    return detail::write_void(*this, "write state", [&]() -> Result<void> {
        detail::execute(m_impl->statements,
                        "INSERT INTO state (key, value) VALUES (?1, ?2)"
                        " ON CONFLICT (key) DO UPDATE SET value = ?2",
                        key, value);
        return core::ok();
    });
}

namespace {

std::string join_times(const std::vector<long long>& times) {
    std::string out;
    for (long long t : times) {
        if (!out.empty()) out += '\x1f';
        out += std::to_string(t);
    }
    return out;
}

std::vector<long long> split_times(std::string_view text) {
    std::vector<long long> out;
    for (const std::string& item : detail::split_list(text)) {
        long long t = 0;
        auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), t);
        if (ec == std::errc() && end == item.data() + item.size()) out.push_back(t);
    }
    return out;
}

}  // namespace

Result<std::optional<DestinationLease>> Store::take_lease(std::string_view destination, std::string_view holder,
                                                          long long now_ms, long long lease_ms) {
    std::lock_guard lock(m_mutex);
    auto& cache = m_impl->statements;
    return detail::write<std::optional<DestinationLease>>(
        *this, "take an outbox lease", [&]() -> Result<std::optional<DestinationLease>> {
            DestinationLease lease;
            lease.destination = std::string(destination);
            auto current = detail::select_first(
                cache, "SELECT holder, until_ms, ready_at_ms, answered_ms FROM outbox_leases WHERE destination = ?1",
                [](sql::Statement& s) {
                    DestinationLease row;
                    std::string answered;
                    detail::read_columns(s, row.holder, row.until_ms, row.ready_at_ms, answered);
                    row.answered_ms = split_times(answered);
                    return row;
                },
                destination);
            if (current && current->holder != holder && current->until_ms > now_ms)
                return std::optional<DestinationLease>();  // another replica holds it
            if (current) {
                lease.ready_at_ms = current->ready_at_ms;
                lease.answered_ms = std::move(current->answered_ms);
            }
            lease.holder = std::string(holder);
            lease.until_ms = now_ms + lease_ms;
            detail::execute(cache,
                            "INSERT INTO outbox_leases (destination, holder, until_ms, ready_at_ms, answered_ms)"
                            " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (destination) DO UPDATE SET holder = ?2,"
                            " until_ms = ?3",
                            destination, holder, lease.until_ms, lease.ready_at_ms, join_times(lease.answered_ms));
            return std::optional<DestinationLease>(std::move(lease));
        });
}

Result<bool> Store::renew_lease(const DestinationLease& lease, long long now_ms, long long lease_ms) {
    std::lock_guard lock(m_mutex);
    return detail::write<bool>(*this, "renew an outbox lease", [&]() -> Result<bool> {
        return detail::execute(m_impl->statements,
                               "UPDATE outbox_leases SET until_ms = ?3, ready_at_ms = ?4, answered_ms = ?5"
                               " WHERE destination = ?1 AND holder = ?2",
                               lease.destination, lease.holder, now_ms + lease_ms, lease.ready_at_ms,
                               join_times(lease.answered_ms)) == 1;
    });
}

}  // namespace store
