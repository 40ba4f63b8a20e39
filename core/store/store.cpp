// Store: opening and migrating the database, transactions and maintenance. The plan side (people,
// projects, tasks, KPIs, risks, history) is in plans.cpp; inbound de-duplication, the outbox
// and k/v state in store_messages.cpp.
#include "core/store/store.h"

#include <algorithm>
#include <set>

#include "core/store/pg_connection.h"
#include "core/store/rows.h"
#include "core/store/sqlite_connection.h"
#include "core/store/store_impl.h"

#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

namespace store {

using core::ErrorCode;
using core::make_error;

Store::Store(std::unique_ptr<sql::Connection> db)
    : m_db(std::move(db)), m_impl(std::make_unique<Impl>(*m_db)), m_cache(std::make_unique<detail::ReadCache>()) {}

Store::~Store() {
    m_impl.reset();  // statements before their connection
    m_db.reset();
}

bool Store::is_database_uri(std::string_view where) { return sql::is_postgresql_uri(where); }

std::string Store::describe(std::string_view where) {
    return is_database_uri(where) ? sql::describe_postgresql_uri(where) : std::string(where);
}

bool Store::shared() const { return m_db->engine() == sql::Engine::postgresql; }

Result<std::unique_ptr<Store>> Store::open(const std::string& where) {
    bool uri = is_database_uri(where);
    // A URI may hold a password: the message names only what it points at.
    std::string what = "open " + describe(where);
    return detail::guarded(what, [&]() -> Result<std::unique_ptr<Store>> {
        std::unique_ptr<sql::Connection> db;
        if (uri) db = sql::connect_postgresql(where);
        else db = sql::SqliteConnection::open(where, /*create=*/true);
        std::unique_ptr<Store> store(new Store(std::move(db)));
        auto migrated = store->migrate();
        if (!migrated) return make_error(migrated.error().code, what + ": " + migrated.error().message);
        return store;
    });
}

Result<void> Store::migrate() {
    std::lock_guard lock(m_mutex);
    const auto& all = m_db->migrations();
    if (static_cast<int>(all.size()) != k_schema_version)
        return make_error(ErrorCode::internal, "the build's migrations do not reach k_schema_version");
    auto version = schema_version();
    if (!version) return version.error();
    if (*version > k_schema_version)
        return make_error(ErrorCode::invalid_argument,
                          "the database has schema version " + std::to_string(*version) +
                              ", newer than this build supports (" +
                              std::to_string(k_schema_version) + "); use a newer trackerd");
    for (int v = *version; v < k_schema_version; ++v) {
        std::string what = "migration " + std::to_string(v + 1);
        auto done = detail::write_void(*this, what, [&]() -> Result<void> {
            // Read again under the write lock: another replica starting at the same time may
            // have taken this step already.
            if (m_db->schema_version() > v) return core::ok();
            m_db->execute_script(all[static_cast<size_t>(v)]);
            m_db->set_schema_version(v + 1);
            return core::ok();
        });
        if (!done) return done;
    }
    return core::ok();
}

Result<int> Store::schema_version() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read schema version", [&]() -> Result<int> { return m_db->schema_version(); });
}

void Store::rollback() {
    m_db->rollback();
    m_cache->clear();
}

void Store::note_project_write(std::string_view project_id) {
    std::lock_guard lock(m_mutex);
    std::string key = core::normalize_id(project_id);
    auto it = m_project_writes.find(key);
    if (it == m_project_writes.end()) it = m_project_writes.emplace(std::move(key), 0).first;
    ++it->second;
}

void Store::note_shared_write() {
    std::lock_guard lock(m_mutex);
    ++m_shared_writes;
    m_shared_dirty = true;
    m_cache->clear();
}

void Store::observe_others() {
    long long version = m_db->others_commit_counter();
    if (version != m_data_version) {  // another connection committed
        m_data_version = version;
        ++m_shared_writes;
        m_cache->clear();
    }
    m_cache->checked(std::chrono::steady_clock::now());
}

bool Store::cache_usable_locked() {
    if (m_shared_dirty) return false;
    // Inside a write transaction nobody else commits (SQLite's write lock; on PostgreSQL the
    // window below): one look per transaction is enough.
    if (m_observed_in_transaction) return true;
    // SQLite: look unless this connection looked a moment ago (the lookups of one message
    // share a look: each opens a read transaction, two WAL-index locks). PostgreSQL: a query,
    // so once per window.
    const auto window = shared() ? k_read_cache_window : k_read_cache_window_free;
    if (m_cache->checked_since(std::chrono::steady_clock::now() - window)) return true;
    try {
        observe_others();
        if (m_transaction_depth > 0 && !shared()) m_observed_in_transaction = true;
        return true;
    } catch (const std::exception&) {
        return false;  // the lookup reads the database, which reports the failure
    }
}

bool Store::cache_usable() {
    std::unique_lock lock(m_mutex, std::try_to_lock);
    if (lock.owns_lock()) return cache_usable_locked();
    // Another thread's transaction holds the connection: its own shared writes cleared the
    // cache and stop anything being put in it, so what is there is committed; other
    // connections' commits were looked for at most a window ago.
    return m_cache->checked_since(std::chrono::steady_clock::now() - k_read_cache_window);
}

std::function<std::optional<core::Person>(std::string_view)> Store::person_reader() {
    if (!cache_usable_locked())
        return [this](std::string_view id) { return detail::read_person(m_impl->statements, id); };
    return [this](std::string_view id) -> std::optional<core::Person> {
        if (auto hit = m_cache->person(id)) return *hit;
        auto person = detail::read_person(m_impl->statements, id);
        if (!m_shared_dirty) m_cache->put_person(id, person);
        return person;
    };
}

Result<std::uint64_t> Store::change_generation(std::string_view project_id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read change generation", [&]() -> Result<std::uint64_t> {
        observe_others();
        auto it = m_project_writes.find(core::normalize_id(project_id));
        return m_shared_writes + (it == m_project_writes.end() ? 0 : it->second);
    });
}

long long Store::release_memory() {
    std::lock_guard lock(m_mutex);
    auto* sqlite = dynamic_cast<sql::SqliteConnection*>(m_db.get());
    if (!sqlite) return 0;
    long long before = sqlite3_memory_used();
    sqlite3_db_release_memory(sqlite->database().getHandle());
    return std::max(0LL, before - static_cast<long long>(sqlite3_memory_used()));
}

Result<void> Store::set_auto_checkpoint(int pages) {
    std::lock_guard lock(m_mutex);
    if (pages < 0) return make_error(ErrorCode::invalid_argument, "wal_autocheckpoint must be >= 0");
    if (m_db->engine() != sql::Engine::sqlite) return core::ok();
    return detail::guarded("set wal_autocheckpoint", [&]() -> Result<void> {
        m_db->execute_script("PRAGMA wal_autocheckpoint=" + std::to_string(pages));
        return core::ok();
    });
}

Result<void> Store::checkpoint_wal() {
    std::lock_guard lock(m_mutex);
    if (m_transaction_depth > 0) return make_error(ErrorCode::internal, "checkpoint_wal inside a transaction");
    auto* sqlite = dynamic_cast<sql::SqliteConnection*>(m_db.get());
    if (!sqlite) return core::ok();
    return detail::guarded("checkpoint the WAL", [&]() -> Result<void> {
        int log_frames = 0, copied = 0;
        // PASSIVE: with this connection (the only writer) held, nothing is added meanwhile, so it
        // copies everything unless another connection's reader pins part of the WAL.
        int rc = sqlite3_wal_checkpoint_v2(sqlite->database().getHandle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            return make_error(ErrorCode::io, std::string("checkpoint the WAL: ") + sqlite3_errstr(rc));
        return core::ok();
    });
}

Result<void> Store::transaction(const std::function<Result<void>()>& body) {
    std::lock_guard lock(m_mutex);
    auto run_body = [&]() -> Result<void> {
        try {
            return body();
        } catch (const std::exception& e) {
            return make_error(ErrorCode::internal, std::string("transaction body: ") + e.what());
        }
    };
    if (m_transaction_depth > 0) {  // join the outer transaction
        ++m_transaction_depth;
        auto result = run_body();
        --m_transaction_depth;
        if (!result && !m_nested_error) m_nested_error = result.error();
        return result;
    }
    auto begun = detail::guarded("begin transaction", [&]() -> Result<void> {
        m_db->begin_write();
        return core::ok();
    });
    if (!begun) return begun;
    m_transaction_depth = 1;
    m_nested_error.reset();
    auto result = run_body();
    m_transaction_depth = 0;
    if (result && m_nested_error) result = *m_nested_error;
    m_nested_error.reset();
    if (!result) {
        rollback();
        m_shared_dirty = false;
        m_observed_in_transaction = false;
        return result;
    }
    auto committed = detail::guarded("commit", [&]() -> Result<void> {
        m_db->commit();
        return core::ok();
    });
    if (!committed) rollback();
    m_shared_dirty = false;  // committed or undone: the cache may take answers again
    m_observed_in_transaction = false;
    return committed;
}

Result<void> Store::savepoint(const std::function<Result<void>()>& body) {
    std::lock_guard lock(m_mutex);
    if (m_transaction_depth == 0) return make_error(ErrorCode::internal, "savepoint outside a transaction");
    auto begun = detail::guarded("savepoint", [&]() -> Result<void> {
        m_impl->statements.run("SAVEPOINT item");
        return core::ok();
    });
    if (!begun) return begun;
    // A failure nested in this body belongs to it alone, not to the enclosing transaction.
    std::optional<core::Error> outer_error = std::move(m_nested_error);
    m_nested_error.reset();
    Result<void> result = core::ok();
    try {
        result = body();
    } catch (const std::exception& e) {
        result = make_error(ErrorCode::internal, std::string("savepoint body: ") + e.what());
    }
    if (result && m_nested_error) result = *m_nested_error;
    m_nested_error = std::move(outer_error);
    auto ended = detail::guarded("end savepoint", [&]() -> Result<void> {
        if (!result) {
            m_impl->statements.run("ROLLBACK TO item");
            m_cache->clear();
        }
        m_impl->statements.run("RELEASE item");
        return core::ok();
    });
    if (!ended && !m_nested_error) m_nested_error = ended.error();  // cannot isolate it: all goes
    return result ? ended : result;
}

}  // namespace store
