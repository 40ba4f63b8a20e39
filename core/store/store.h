#pragma once
// The SQLite-backed store: the only place that talks to the database (schema, migrations,
// queries). WAL, foreign keys, a busy timeout; every change is one transaction, so a failure
// leaves nothing half-written.
//
// Thread safety: safe for concurrent use. One connection, every public method takes m_mutex
// (recursive, so `transaction()` bodies may call other methods on the same thread).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "core/task_update.h"
#include "core/store/outbox_types.h"

namespace SQLite {
class Database;
}

namespace store {

using core::Result;

// The schema version this build writes. Migrations run in order from the file's version.
inline constexpr int k_schema_version = 5;

// A change to one task (core/task_update.h). Applying it writes the task, one progress-log
// entry and one audit row per changed field, all in one transaction.
using TaskUpdate = core::TaskUpdate;

struct TaskChange {
    core::Task before;
    core::Task after;
    long long progress_entry_id = 0;
};

class Store {
public:
    // Opens (creating if needed) and migrates to k_schema_version.
    static Result<std::unique_ptr<Store>> open(const std::string& path);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    Result<int> schema_version();
    // Runs `body` in one transaction (BEGIN IMMEDIATE ... COMMIT); rolls back when it returns
    // an error. Nested calls join the outer transaction.
    Result<void> transaction(const std::function<Result<void>()>& body);
    // Runs `body` as a SAVEPOINT inside the current transaction(): when it returns an error
    // (or a transaction() nested in it failed), only its own writes are undone and the
    // enclosing transaction goes on; its error is returned. An error undoing it fails the
    // enclosing transaction. Outside a transaction it is an internal error and runs nothing.
    Result<void> savepoint(const std::function<Result<void>()>& body);

    // People.
    Result<void> upsert_person(const core::Person& person);
    Result<std::optional<core::Person>> find_person(std::string_view id_or_name);
    // platform: "slack" | "feishu" | "dingtalk"
    Result<std::optional<core::Person>> find_person_by_platform(std::string_view platform,
                                                                std::string_view user_id);
    Result<std::vector<core::Person>> people();

    // Projects and plans.
    Result<void> upsert_project(const core::Project& project, const core::ChangeSource& source);
    Result<std::vector<core::Project>> projects();
    Result<std::optional<core::Project>> find_project(std::string_view project_id);
    // Replaces the plan of state.project (tasks, KPIs, risks) and the people it names, keeps
    // the progress log; one transaction. Audit rows record what the import changed.
    Result<void> import_project(const core::ProjectState& state, const core::ChangeSource& source);
    Result<core::ProjectState> load_project(std::string_view project_id);
    // The project, its tasks and the people they name; no progress log, deviation reports,
    // KPIs or risks (empty). What a command needs to be checked and applied: a fraction of
    // load_project's cost, which grows with the log.
    Result<core::ProjectState> load_plan(std::string_view project_id);
    // load_plan cut down to one task: the project, the task, its predecessors and its direct
    // children (all a change to it reads: rolls-up check, predecessors' warnings) and the people
    // they name. Not found when the project or the task is missing. Cost independent of the
    // plan's size.
    Result<core::ProjectState> load_task_plan(std::string_view project_id, std::string_view task_id);
    // The same around `task`, a row the caller read earlier in the current transaction
    // (find_task): it is not read again. Outside a transaction, the rest may be newer than it.
    Result<core::ProjectState> load_task_plan(const core::Task& task);
    // Finds a task by id (case-insensitive) within the given projects (all when empty).
    // More than one match is a conflict error naming the projects.
    Result<std::optional<core::Task>> find_task(std::string_view task_id,
                                               const std::vector<std::string>& project_ids);
    // `current`, when given, is the task's row as read earlier in the current transaction (the
    // dispatcher's find_task): it is used instead of reading the row again.
    Result<TaskChange> apply(const TaskUpdate& update, const core::ChangeSource& source,
                             const core::Task* current = nullptr);

    // KPIs and risks.
    Result<void> upsert_kpi(const core::Kpi& kpi, const core::ChangeSource& source);
    Result<void> upsert_risk(const core::RiskItem& risk, const core::ChangeSource& source);

    // History.
    Result<std::vector<core::ProgressEntry>> progress_log(std::string_view project_id,
                                                          std::string_view task_id);
    Result<std::vector<core::AuditEntry>> audit_log(std::string_view project_id,
                                                    std::string_view task_id);

    // Inbound de-duplication, remembered across restarts. Returns true when `key` is new for
    // `platform` (and records it), false when it was seen before. Call inside the same
    // transaction as the change it guards.
    Result<bool> remember_inbound(std::string_view platform, std::string_view key,
                                  long long now_unix);
    Result<int> forget_inbound_before(long long unix_seconds);  // pruning; returns rows removed
    // Whether `key` was remembered for `platform`; reads only (a check ahead of the transaction).
    Result<bool> seen_inbound(std::string_view platform, std::string_view key);

    // Signatures that cover only a timestamp (DingTalk's callback): each is bound to the first
    // message it came with until expires_at (unix seconds). Returns true when `signature` is
    // new for `platform` (and binds it to `bound_to`) or already bound to `bound_to`, false when
    // it is bound to something else. Call inside the transaction that applies the message.
    Result<bool> bind_signature(std::string_view platform, std::string_view signature,
                                std::string_view bound_to, long long expires_at, long long now_unix);
    // What `signature` is bound to, nullopt when nothing (or only an expired binding); reads only.
    Result<std::optional<std::string>> signature_binding(std::string_view platform,
                                                         std::string_view signature, long long now_unix);
    // Pruning: removes bindings that expired before `unix_seconds`; returns rows removed.
    Result<int> forget_signatures_before(long long unix_seconds);

    // The durable outbox (see outbox_types.h).
    // Inserts unless a message with the same dedup_key exists; returns its id and whether new.
    Result<EnqueueResult> enqueue(const OutboxMessage& message);
    // Pending messages whose next_attempt_at <= now, oldest first, at most `limit`.
    Result<std::vector<OutboxMessage>> due_messages(long long now_unix, int limit);
    // The due rows' heads (id, platform, channel, destination; no body), destination by
    // destination (platform, then destination, in byte order): for each destination with a
    // pending row, `wanted` is asked with that row's head (id 0) how many of the destination's
    // due rows to take (0: none, < 0: all), which follow, oldest first; stops once `limit` heads
    // are taken (0: no limit). Two index seeks a destination, whatever its backlog: a sender
    // holding most destinations back (pacing) pays nothing for their queues, and reads bodies
    // only for the rows it takes (outbox_messages).
    Result<std::vector<OutboxMessage>> due_heads(long long now_unix, int limit,
                                                 const std::function<int(const OutboxMessage& head)>& wanted);
    // The rows with these ids, whole, in the order given; ids not found or no longer pending
    // are left out.
    Result<std::vector<OutboxMessage>> outbox_messages(const std::vector<long long>& ids);
    Result<void> mark_sent(long long id, long long now_unix, std::string_view remote_id);
    // Records a failed attempt; dead when `dead` (never retried again).
    Result<void> mark_failed(long long id, long long next_attempt_at, std::string_view error,
                             bool dead);
    Result<std::vector<OutboxMessage>> outbox(std::optional<OutboxState> state, int limit);
    Result<void> requeue(long long id, long long now_unix);  // operator: retry a dead message
    // Rows per state and the oldest pending row's created_at (0 when none), for /metrics.
    Result<OutboxStats> outbox_stats();
    // For /readyz: opens `path` afresh, read-only and without creating it, and reads its schema
    // version — the file is there and SQLite answers. Leaves the file untouched.
    static Result<int> probe(const std::string& path);

    // Generic small key/value state (scheduler ledgers, token caches): survives restarts.
    Result<std::optional<std::string>> get_state(std::string_view key);
    Result<void> put_state(std::string_view key, std::string_view value);

    // A number that changes whenever something a project's scheduled pushes are computed from
    // may have changed: a write through this store to the project's rows (committed or rolled
    // back), any write of people or key/value state (which every project may read), or a
    // commit by another connection (trackerctl import). Equal numbers mean none of that
    // happened in between. Reads no table (PRAGMA data_version only).
    Result<std::uint64_t> change_generation(std::string_view project_id);
    // Pages of WAL after which a COMMIT checkpoints (PRAGMA wal_autocheckpoint; 10,000 when
    // opened). 0: never — a Checkpointer (checkpointer.h) does it off the write path.
    Result<void> set_auto_checkpoint(int pages);
    // Checkpoints the whole WAL on this connection, between two transactions, so that the next
    // commit writes the WAL from its beginning again (Checkpointer's `finish`).
    Result<void> checkpoint_wal();
    // Gives back the connection's unused page cache (sqlite3_db_release_memory): what an idle
    // daemon holds. Pages are read again from the OS when next needed. Returns the bytes SQLite
    // freed (process-wide count, so approximate while other connections work).
    long long release_memory();

private:
    explicit Store(std::unique_ptr<SQLite::Database> db);
    Result<void> migrate();

    void rollback();
    // Called by every write method before it writes (change_generation).
    void note_project_write(std::string_view project_id);
    void note_shared_write();

    // The statement cache and other internals (core/store/store_impl.h).
    struct Impl;

    std::recursive_mutex m_mutex;
    std::unique_ptr<SQLite::Database> m_db;  // Guarded by m_mutex.
    std::unique_ptr<Impl> m_impl;            // Guarded by m_mutex; destroyed before m_db.
    int m_transaction_depth = 0;             // Guarded by m_mutex.
    // The first error a nested transaction body returned: the outer one rolls back.
    std::optional<core::Error> m_nested_error;  // Guarded by m_mutex.
    // change_generation(): writes per project (by normalised id), writes every project may
    // read, and the last PRAGMA data_version seen. Guarded by m_mutex.
    std::map<std::string, std::uint64_t, std::less<>> m_project_writes;
    std::uint64_t m_shared_writes = 0;
    long long m_data_version = -1;
};

}  // namespace store
