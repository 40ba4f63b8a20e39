#pragma once
// The Store's facets: what each part of trackerd asks of the database, one interface each, so a
// reader holds one in mind at a time and a second backend implements the same ones. Store
// (store.h) is SQLite's implementation of all of them; transactions, savepoints and
// maintenance are the Store's own.
//
// Thread safety: implementations are safe for concurrent use.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "core/task_update.h"
#include "core/store/outbox_types.h"

namespace store {

using core::Result;

// A change to one task (core/task_update.h). Applying it writes the task, one progress-log
// entry and one audit row per changed field, all in one transaction.
using TaskUpdate = core::TaskUpdate;

struct TaskChange {
    core::Task before;
    core::Task after;
    long long progress_entry_id = 0;
};

// The plan side: people, projects, plans and tasks, KPIs, risks, and their history (R13).
class PlanStore {
public:
    virtual ~PlanStore() = default;

    // People.
    virtual Result<void> upsert_person(const core::Person& person) = 0;
    virtual Result<std::optional<core::Person>> find_person(std::string_view id_or_name) = 0;
    // platform: "slack" | "feishu" | "dingtalk"
    virtual Result<std::optional<core::Person>> find_person_by_platform(std::string_view platform,
                                                                        std::string_view user_id) = 0;
    virtual Result<std::vector<core::Person>> people() = 0;

    // Projects and plans.
    virtual Result<void> upsert_project(const core::Project& project, const core::ChangeSource& source) = 0;
    virtual Result<std::vector<core::Project>> projects() = 0;
    virtual Result<std::optional<core::Project>> find_project(std::string_view project_id) = 0;
    // Replaces the plan of state.project (tasks, KPIs, risks) and the people it names, keeps
    // the progress log; one transaction. Audit rows record what the import changed.
    virtual Result<void> import_project(const core::ProjectState& state, const core::ChangeSource& source) = 0;
    virtual Result<core::ProjectState> load_project(std::string_view project_id) = 0;
    // The project, its tasks and the people they name; no progress log, deviation reports,
    // KPIs or risks (empty). What a command needs to be checked and applied: a fraction of
    // load_project's cost, which grows with the log.
    virtual Result<core::ProjectState> load_plan(std::string_view project_id) = 0;
    // load_plan cut down to one task: the project, the task, its predecessors and its direct
    // children (all a change to it reads: rolls-up check, predecessors' warnings) and the people
    // they name. Not found when the project or the task is missing. Cost independent of the
    // plan's size.
    virtual Result<core::ProjectState> load_task_plan(std::string_view project_id, std::string_view task_id) = 0;
    // The same around `task`, a row the caller read earlier in the current transaction
    // (find_task): it is not read again. Outside a transaction, the rest may be newer than it.
    virtual Result<core::ProjectState> load_task_plan(const core::Task& task) = 0;
    // Finds a task by id (case-insensitive) within the given projects (all when empty).
    // More than one match is a conflict error naming the projects.
    virtual Result<std::optional<core::Task>> find_task(std::string_view task_id,
                                                       const std::vector<std::string>& project_ids) = 0;
    // `current`, when given, is the task's row as read earlier in the current transaction (the
    // dispatcher's find_task): it is used instead of reading the row again.
    virtual Result<TaskChange> apply(const TaskUpdate& update, const core::ChangeSource& source,
                                     const core::Task* current = nullptr) = 0;

    // A plan change (core/plan_edit.h): writes the whole row of `task` — inserted when `is_new`,
    // else replacing the row it changes —, one progress-log entry (`action`, `note`, on `date`)
    // and one audit row per changed field (R13); one transaction. Conflict when a new task's id
    // is taken, not found when the project or the task to change is gone. last_update is kept.
    virtual Result<TaskChange> save_task(const core::Task& task, bool is_new, std::string_view action,
                                         std::string_view note, core::Date date, const core::ChangeSource& source) = 0;

    // KPIs and risks.
    virtual Result<void> upsert_kpi(const core::Kpi& kpi, const core::ChangeSource& source) = 0;
    virtual Result<void> upsert_risk(const core::RiskItem& risk, const core::ChangeSource& source) = 0;

    // History.
    virtual Result<std::vector<core::ProgressEntry>> progress_log(std::string_view project_id,
                                                                  std::string_view task_id) = 0;
    virtual Result<std::vector<core::AuditEntry>> audit_log(std::string_view project_id,
                                                            std::string_view task_id) = 0;
};

// What the inbound side remembers: de-duplication marks and signatures bound to a message.
class InboundLog {
public:
    virtual ~InboundLog() = default;

    // Inbound de-duplication, remembered across restarts. Returns true when `key` is new for
    // `platform` (and records it), false when it was seen before. Call inside the same
    // transaction as the change it guards.
    virtual Result<bool> remember_inbound(std::string_view platform, std::string_view key,
                                          long long now_unix) = 0;
    virtual Result<int> forget_inbound_before(long long unix_seconds) = 0;  // pruning; returns rows removed
    // Whether `key` was remembered for `platform`; reads only (a check ahead of the transaction).
    virtual Result<bool> seen_inbound(std::string_view platform, std::string_view key) = 0;

    // Signatures that cover only a timestamp (DingTalk's callback): each is bound to the first
    // message it came with until expires_at (unix seconds). Returns true when `signature` is
    // new for `platform` (and binds it to `bound_to`) or already bound to `bound_to`, false when
    // it is bound to something else. Call inside the transaction that applies the message.
    virtual Result<bool> bind_signature(std::string_view platform, std::string_view signature,
                                        std::string_view bound_to, long long expires_at, long long now_unix) = 0;
    // What `signature` is bound to, nullopt when nothing (or only an expired binding); reads only.
    virtual Result<std::optional<std::string>> signature_binding(std::string_view platform,
                                                                 std::string_view signature, long long now_unix) = 0;
    // Pruning: removes bindings that expired before `unix_seconds`; returns rows removed.
    virtual Result<int> forget_signatures_before(long long unix_seconds) = 0;
};

// The durable outbox (outbox_types.h): rows queued in the transaction that wants them sent.
class OutboxStore {
public:
    virtual ~OutboxStore() = default;

    // The durable outbox (see outbox_types.h).
    // Inserts unless a message with the same dedup_key exists; returns its id and whether new.
    virtual Result<EnqueueResult> enqueue(const OutboxMessage& message) = 0;
    // Pending messages whose next_attempt_at <= now, oldest first, at most `limit`.
    virtual Result<std::vector<OutboxMessage>> due_messages(long long now_unix, int limit) = 0;
    // The due rows' heads (id, platform, channel, destination; no body), destination by
    // destination (platform, then destination, in byte order): for each destination with a
    // pending row, `wanted` is asked with that row's head (id 0) how many of the destination's
    // due rows to take (0: none, < 0: all), which follow, oldest first; stops once `limit` heads
    // are taken (0: no limit). Two index seeks a destination, whatever its backlog: a sender
    // holding most destinations back (pacing) pays nothing for their queues, and reads bodies
    // only for the rows it takes (outbox_messages).
    virtual Result<std::vector<OutboxMessage>> due_heads(long long now_unix, int limit,
                                                         const std::function<int(const OutboxMessage& head)>& wanted) = 0;
    // The rows with these ids, whole, in the order given; ids not found or no longer pending
    // are left out.
    virtual Result<std::vector<OutboxMessage>> outbox_messages(const std::vector<long long>& ids) = 0;
    virtual Result<void> mark_sent(long long id, long long now_unix, std::string_view remote_id) = 0;
    // Records a failed attempt; dead when `dead` (never retried again).
    virtual Result<void> mark_failed(long long id, long long next_attempt_at, std::string_view error,
                                     bool dead) = 0;
    virtual Result<std::vector<OutboxMessage>> outbox(std::optional<OutboxState> state, int limit) = 0;
    virtual Result<void> requeue(long long id, long long now_unix) = 0;  // operator: retry a dead message
    // Rows per state and the oldest pending row's created_at (0 when none), for /metrics.
    virtual Result<OutboxStats> outbox_stats() = 0;

    // Several replicas on one database (outbox_types.h's DestinationLease). Takes the lease on
    // `destination` for `holder` until now_ms + lease_ms when it is free, expired or already
    // `holder`'s, and returns what its last holder recorded; nullopt when another replica holds it.
    virtual Result<std::optional<DestinationLease>> take_lease(std::string_view destination, std::string_view holder,
                                                               long long now_ms, long long lease_ms) = 0;
    // Records `lease`'s ready_at_ms and answered_ms and extends it to now_ms + lease_ms; false
    // (nothing written) when lease.holder no longer holds it.
    virtual Result<bool> renew_lease(const DestinationLease& lease, long long now_ms, long long lease_ms) = 0;
};

// Small key/value state that survives restarts: the scheduler's ledger (ledger.h), token caches, the link secret.
class StateStore {
public:
    virtual ~StateStore() = default;

    // Generic small key/value state (scheduler ledgers, token caches): survives restarts.
    virtual Result<std::optional<std::string>> get_state(std::string_view key) = 0;
    virtual Result<void> put_state(std::string_view key, std::string_view value) = 0;
};

}  // namespace store
