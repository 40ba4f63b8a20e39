#pragma once
// The store: the only place that talks to the database (schema, migrations, queries). Every
// change is one transaction, so a failure leaves nothing half-written. Two engines behind one
// set of queries (sql.h): SQLite, the embedded default (a file path: WAL, foreign keys, a busy
// timeout), and PostgreSQL (a postgresql:// URI: several replicas on one database; a write
// transaction takes a database-wide advisory lock, so writers queue as on SQLite).
//
// Thread safety: safe for concurrent use. One connection, every public method takes m_mutex
// (recursive, so `transaction()` bodies may call other methods on the same thread).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "core/task_update.h"
#include "core/store/directory_store.h"
#include "core/store/facets.h"
#include "core/store/outbox_types.h"
#include "core/store/read_cache.h"

namespace store {

namespace sql {
class Connection;
}

using core::Result;

// The schema version this build writes. Migrations run in order from the file's version.
inline constexpr int k_schema_version = 7;

// What Store::copy_into copied: every table's row count, in the order they were copied.
struct CopyReport {
    std::vector<std::pair<std::string, long long>> rows_per_table;
};

class Store final : public PlanStore, public InboundLog, public OutboxStore, public StateStore, public DirectoryStore {
public:
    // Opens (creating if needed) and migrates to k_schema_version. `where` is a file path
    // (SQLite) or a postgresql:// URI (is_database_uri); the URI's password may also come from
    // libpq's environment (PGPASSWORD) or ~/.pgpass.
    static Result<std::unique_ptr<Store>> open(const std::string& where);
    // Whether `where` names a PostgreSQL database (postgresql:// or postgres://) rather than a file.
    static bool is_database_uri(std::string_view where);
    // `where` fit for a log line: a URI's password replaced by ***.
    static std::string describe(std::string_view where);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    Result<int> schema_version();
    // Whether the database is shared by several processes that may each run trackerd
    // (PostgreSQL) rather than one file (SQLite).
    bool shared() const;
    // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT); rolls back when it returns
    // an error. Nested calls join the outer transaction.
    Result<void> transaction(const std::function<Result<void>()>& body);
    // Runs `body` as a SAVEPOINT inside the current transaction(): when it returns an error
    // (or a transaction() nested in it failed), only its own writes are undone and the
    // enclosing transaction goes on; its error is returned. An error undoing it fails the
    // enclosing transaction. Outside a transaction it is an internal error and runs nothing.
    Result<void> savepoint(const std::function<Result<void>()>& body);

    // How long a change committed by another connection may take to show in the lookups every
    // message makes (a chat, a person by account or id; see "Read cache" below): on SQLite
    // k_read_cache_window_free while the connection is free, k_read_cache_window while another
    // thread's transaction holds it; on PostgreSQL k_read_cache_window.
    static constexpr std::chrono::milliseconds k_read_cache_window{100};
    static constexpr std::chrono::milliseconds k_read_cache_window_free{2};

    // PlanStore (facets.h).
    Result<void> upsert_person(const core::Person& person) override;
    Result<std::optional<core::Person>> find_person(std::string_view id_or_name) override;
    Result<std::optional<core::Person>> find_person_by_platform(std::string_view platform,
                                                                std::string_view user_id) override;
    Result<std::vector<core::Person>> people() override;
    Result<void> upsert_project(const core::Project& project, const core::ChangeSource& source) override;
    Result<std::vector<core::Project>> projects() override;
    Result<std::optional<core::Project>> find_project(std::string_view project_id) override;
    Result<void> import_project(const core::ProjectState& state, const core::ChangeSource& source) override;
    Result<core::ProjectState> load_project(std::string_view project_id) override;
    Result<core::ProjectState> load_plan(std::string_view project_id) override;
    Result<core::ProjectState> load_task_plan(std::string_view project_id, std::string_view task_id) override;
    Result<core::ProjectState> load_task_plan(const core::Task& task) override;
    Result<std::optional<core::Task>> find_task(std::string_view task_id,
                                               const std::vector<std::string>& project_ids) override;
    Result<TaskChange> apply(const TaskUpdate& update, const core::ChangeSource& source,
                             const core::Task* current = nullptr) override;
    Result<TaskChange> save_task(const core::Task& task, bool is_new, std::string_view action, std::string_view note,
                                 core::Date date, const core::ChangeSource& source) override;
    Result<void> upsert_kpi(const core::Kpi& kpi, const core::ChangeSource& source) override;
    Result<void> upsert_risk(const core::RiskItem& risk, const core::ChangeSource& source) override;
    Result<std::vector<core::ProgressEntry>> progress_log(std::string_view project_id,
                                                          std::string_view task_id) override;
    Result<std::vector<core::AuditEntry>> audit_log(std::string_view project_id,
                                                    std::string_view task_id) override;

    // InboundLog (facets.h).
    Result<bool> remember_inbound(std::string_view platform, std::string_view key,
                                  long long now_unix) override;
    Result<int> forget_inbound_before(long long unix_seconds) override;
    Result<bool> seen_inbound(std::string_view platform, std::string_view key) override;
    Result<bool> bind_signature(std::string_view platform, std::string_view signature,
                                std::string_view bound_to, long long expires_at, long long now_unix) override;
    Result<std::optional<std::string>> signature_binding(std::string_view platform,
                                                         std::string_view signature, long long now_unix) override;
    Result<int> forget_signatures_before(long long unix_seconds) override;

    // OutboxStore (facets.h).
    Result<EnqueueResult> enqueue(const OutboxMessage& message) override;
    Result<std::vector<OutboxMessage>> due_messages(long long now_unix, int limit) override;
    Result<std::vector<OutboxMessage>> due_heads(long long now_unix, int limit,
                                                 const std::function<int(const OutboxMessage& head)>& wanted) override;
    Result<std::vector<OutboxMessage>> outbox_messages(const std::vector<long long>& ids) override;
    Result<void> mark_sent(long long id, long long now_unix, std::string_view remote_id) override;
    Result<void> mark_failed(long long id, long long next_attempt_at, std::string_view error,
                             bool dead) override;
    Result<std::vector<OutboxMessage>> outbox(std::optional<OutboxState> state, int limit) override;
    Result<void> requeue(long long id, long long now_unix) override;
    Result<OutboxStats> outbox_stats() override;
    Result<std::optional<DestinationLease>> take_lease(std::string_view destination, std::string_view holder,
                                                       long long now_ms, long long lease_ms) override;
    Result<bool> renew_lease(const DestinationLease& lease, long long now_ms, long long lease_ms) override;

    // DirectoryStore (directory_store.h; core/store/directory.cpp).
    Result<std::optional<ChatRecord>> chat(std::string_view platform, std::string_view chat_id) override;
    Result<std::vector<ChatRecord>> chats() override;
    Result<void> put_chat(const core::ChatEntry& chat, core::EntrySource source, std::string_view seeded,
                          const core::ChangeSource& by) override;
    Result<bool> remove_chat(std::string_view platform, std::string_view chat_id, const core::ChangeSource& by) override;
    Result<std::vector<PersonRecord>> person_records() override;
    Result<std::optional<PersonRecord>> person_record(std::string_view id) override;
    Result<void> put_person(const core::Person& person, core::EntrySource source, std::string_view seeded,
                            const core::ChangeSource& by) override;
    Result<std::vector<core::Person>> people_by_contact(std::string_view email, std::string_view mobile) override;
    Result<std::vector<core::Person>> people_named(std::string_view name) override;
    Result<void> link_account(std::string_view person_id, std::string_view platform, std::string_view account,
                              core::EntrySource source, const core::ChangeSource& by) override;
    Result<std::string> unlink_account(std::string_view person_id, std::string_view platform,
                                       const core::ChangeSource& by) override;
    Result<void> put_claim(const core::Claim& claim) override;
    Result<std::optional<core::Claim>> claim_of(std::string_view platform, std::string_view account) override;
    Result<std::vector<core::Claim>> claims_for(std::string_view platform, std::string_view person_id) override;
    Result<std::vector<core::Claim>> claims() override;
    Result<bool> drop_claim(std::string_view platform, std::string_view account) override;

    // Copies the whole database into `target` (core/store/copy.cpp), either engine to either:
    // every table in foreign-key order, every row with its ids (and SQLite's rowids, which
    // order projects, tasks, KPIs and risks) unchanged, reals exactly; in one transaction of
    // `target`, from one read snapshot of this store. Afterwards `target`'s identity sequences
    // (PostgreSQL) continue past the copied ids. ErrorCode::conflict, naming the table, when
    // `target` already holds a row in any table (nothing is written then).
    Result<CopyReport> copy_into(Store& target);

    // For /readyz: opens `where` afresh (read-only and without creating a file) and reads its
    // schema version — the file is there and SQLite answers, or the server accepts a connection
    // and answers. Leaves the database untouched.
    static Result<int> probe(const std::string& where);

    // StateStore (facets.h).
    Result<std::optional<std::string>> get_state(std::string_view key) override;
    Result<void> put_state(std::string_view key, std::string_view value) override;

    // A number that changes whenever something a project's scheduled pushes are computed from
    // may have changed: a write through this store to the project's rows (committed or rolled
    // back), any write of people or key/value state (which every project may read), or a
    // commit by another connection (trackerctl import, another replica). Equal numbers mean
    // none of that happened in between. SQLite reads no table (PRAGMA data_version);
    // PostgreSQL reads one row (sql::Connection::others_commit_counter).
    Result<std::uint64_t> change_generation(std::string_view project_id);
    // SQLite only (no-ops on PostgreSQL, whose server checkpoints): pages of WAL after which a
    // COMMIT checkpoints (PRAGMA wal_autocheckpoint; 10,000 when opened). 0: never — a
    // Checkpointer (checkpointer.h) does it off the write path.
    Result<void> set_auto_checkpoint(int pages);
    // Checkpoints the whole WAL on this connection, between two transactions, so that the next
    // commit writes the WAL from its beginning again (Checkpointer's `finish`).
    Result<void> checkpoint_wal();
    // Gives back the connection's unused page cache (sqlite3_db_release_memory): what an idle
    // daemon holds. Pages are read again from the OS when next needed. Returns the bytes SQLite
    // freed (process-wide count, so approximate while other connections work).
    long long release_memory();

private:
    explicit Store(std::unique_ptr<sql::Connection> db);
    Result<void> migrate();

    void rollback();
    // Called by every write method before it writes (change_generation).
    void note_project_write(std::string_view project_id);
    void note_shared_write();

    // Read cache (read_cache.h): a chat, a person by account and a person by id, answered from
    // memory while nothing may have changed them. Own writes of people, chats or state clear it
    // (note_shared_write), and until the transaction that wrote ends nothing is cached, so it
    // never holds what a rollback undid. Other connections' commits (trackerctl, another
    // replica) clear it when seen: on SQLite that is checked by a lookup that finds the
    // connection free unless it was checked within k_read_cache_window_free (PRAGMA
    // data_version reads no table), and once per write transaction; while another thread's
    // transaction holds the connection, and on PostgreSQL (where the check is a query), a check
    // at most k_read_cache_window old stands. So such a change shows within that time.
    bool cache_usable();          // takes m_mutex only if free (or if held by this thread)
    bool cache_usable_locked();   // m_mutex held
    void observe_others();        // m_mutex held; may throw sql::Error
    // m_mutex held: reads a person by id, through the cache when it is usable now.
    std::function<std::optional<core::Person>(std::string_view)> person_reader();

    // The statement cache and other internals (core/store/store_impl.h).
    struct Impl;

    std::recursive_mutex m_mutex;
    std::unique_ptr<sql::Connection> m_db;  // Guarded by m_mutex.
    std::unique_ptr<Impl> m_impl;            // Guarded by m_mutex; destroyed before m_db.
    int m_transaction_depth = 0;             // Guarded by m_mutex.
    // The first error a nested transaction body returned: the outer one rolls back.
    std::optional<core::Error> m_nested_error;  // Guarded by m_mutex.
    // change_generation(): writes per project (by normalised id), writes every project may
    // read, and the last count of other connections' commits seen. Guarded by m_mutex.
    std::map<std::string, std::uint64_t, std::less<>> m_project_writes;
    std::uint64_t m_shared_writes = 0;
    long long m_data_version = -1;
    // A write of people, chats or state in the transaction under way (or about to begin):
    // nothing is put in the read cache until it ends. Guarded by m_mutex.
    bool m_shared_dirty = false;
    // SQLite: other connections' commits were looked for in the write transaction under way
    // (none can commit until it ends). Guarded by m_mutex.
    bool m_observed_in_transaction = false;
    std::unique_ptr<detail::ReadCache> m_cache;  // its own mutex
};

}  // namespace store
