// The schema as versioned migrations (PRAGMA user_version). A migration, once released, is
// never edited: change the schema by appending a new one.
//
// Conventions: project ids compare case-insensitively (COLLATE NOCASE) and keep the spelling
// they were created with; task, KPI and risk ids are stored normalised (core::normalize_id).
// Dates are ISO text or NULL; enums their to_string spelling; list fields '\x1f'-separated.
// The progress log and deviation reports are append-only and outlive plan re-imports (R13).
#include "core/store/store_impl.h"

namespace store::detail {
namespace {

constexpr const char* k_migration_1 = R"sql(
CREATE TABLE people (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    slack TEXT NOT NULL DEFAULT '',
    feishu TEXT NOT NULL DEFAULT '',
    dingtalk TEXT NOT NULL DEFAULT ''
);
CREATE INDEX people_by_name ON people(name);
CREATE INDEX people_by_slack ON people(slack) WHERE slack <> '';
CREATE INDEX people_by_feishu ON people(feishu) WHERE feishu <> '';
CREATE INDEX people_by_dingtalk ON people(dingtalk) WHERE dingtalk <> '';

CREATE TABLE projects (
    id TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    department_head TEXT NOT NULL DEFAULT '',
    start_date TEXT,
    end_date TEXT,
    goal TEXT NOT NULL DEFAULT '',
    budget_total REAL,
    budget_reserve REAL,
    status TEXT NOT NULL DEFAULT 'active',
    delay_grace_days INTEGER NOT NULL,
    deviation_at_risk REAL NOT NULL,
    advance_warning_days INTEGER NOT NULL,
    overload_tasks INTEGER NOT NULL,
    cadence_key_days INTEGER NOT NULL,
    cadence_routine_days INTEGER NOT NULL,
    cadence_long_days INTEGER NOT NULL,
    long_task_days INTEGER NOT NULL,
    min_task_days INTEGER NOT NULL,
    on_time_target REAL NOT NULL,
    report_deadline_hours INTEGER NOT NULL
);

CREATE TABLE tasks (
    project_id TEXT NOT NULL COLLATE NOCASE REFERENCES projects(id),
    id TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id TEXT NOT NULL DEFAULT '',
    position INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    deliverable TEXT NOT NULL DEFAULT '',
    acceptance TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    approver TEXT NOT NULL DEFAULT '',
    consulted TEXT NOT NULL DEFAULT '',
    informed TEXT NOT NULL DEFAULT '',
    collaborators TEXT NOT NULL DEFAULT '',
    priority TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    actual_start TEXT,
    actual_finish TEXT,
    estimated_days INTEGER,
    status TEXT NOT NULL,
    completion INTEGER NOT NULL DEFAULT 0 CHECK (completion BETWEEN 0 AND 100),
    risk TEXT NOT NULL,
    predecessors TEXT NOT NULL DEFAULT '',
    resources TEXT NOT NULL DEFAULT '',
    budget REAL,
    remark TEXT NOT NULL DEFAULT '',
    blocked_reason TEXT NOT NULL DEFAULT '',
    blocked_since TEXT,
    last_update TEXT,
    PRIMARY KEY (project_id, id)
);
CREATE INDEX tasks_by_id ON tasks(id);

CREATE TABLE progress_log (
    id INTEGER PRIMARY KEY,  -- rows are never deleted: ids only grow
    project_id TEXT NOT NULL COLLATE NOCASE REFERENCES projects(id),
    task_id TEXT NOT NULL,
    date TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    who TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL DEFAULT '',
    planned_content TEXT NOT NULL DEFAULT '',
    actual_content TEXT NOT NULL DEFAULT '',
    completion INTEGER,
    deviation_rate REAL,
    problem TEXT NOT NULL DEFAULT '',
    solution TEXT NOT NULL DEFAULT '',
    evidence TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX progress_by_task ON progress_log(project_id, task_id, id);

CREATE TABLE deviation_reports (
    id INTEGER PRIMARY KEY,  -- rows are never deleted: ids only grow
    project_id TEXT NOT NULL COLLATE NOCASE REFERENCES projects(id),
    task_id TEXT NOT NULL,
    date TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    who TEXT NOT NULL DEFAULT '',
    cause_kind TEXT NOT NULL,
    cause TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL DEFAULT '',
    remedy TEXT NOT NULL DEFAULT '',
    new_planned_finish TEXT
);
CREATE INDEX deviations_by_project ON deviation_reports(project_id, id);

CREATE TABLE risks (
    project_id TEXT NOT NULL COLLATE NOCASE REFERENCES projects(id),
    id TEXT NOT NULL,
    task_id TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    trigger_condition TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    opened TEXT,
    closed TEXT,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE kpis (
    project_id TEXT NOT NULL COLLATE NOCASE REFERENCES projects(id),
    id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    target REAL NOT NULL DEFAULT 0,
    current REAL NOT NULL DEFAULT 0,
    percent INTEGER NOT NULL DEFAULT 0,
    data_source TEXT NOT NULL DEFAULT '',
    updated TEXT,
    warn_below REAL,
    PRIMARY KEY (project_id, id)
);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,  -- rows are never deleted: ids only grow
    at_unix INTEGER NOT NULL,
    who TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    project_id TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    task_id TEXT NOT NULL DEFAULT '',
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NOT NULL,
    old_value TEXT NOT NULL DEFAULT '',
    new_value TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_project ON audit(project_id, task_id, id);
)sql";

constexpr const char* k_migration_2 = R"sql(
CREATE TABLE inbound_seen (
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (platform, key)
);
CREATE INDEX inbound_by_time ON inbound_seen(seen_at);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,  -- rows are never deleted: ids only grow
    platform TEXT NOT NULL,
    channel TEXT NOT NULL DEFAULT '',
    destination TEXT NOT NULL DEFAULT '',
    reply_to TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    dedup_key TEXT UNIQUE,
    created_at INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT NOT NULL DEFAULT '',
    sent_at INTEGER NOT NULL DEFAULT 0,
    remote_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at, id);

CREATE TABLE state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
)sql";

// A change reads its task's children (load_task_plan): without this index that was every task
// of the project read and sorted, the largest single cost of a progress update.
constexpr const char* k_migration_3 = R"sql(
CREATE INDEX tasks_by_parent ON tasks(project_id, parent_id, position);
)sql";

// The outbox worker walks the destinations with pending rows on each pass and takes the
// oldest due rows of those it may send to (Store::due_heads): two seeks in this index a
// destination, whatever its backlog, and no row's page (bodies and all) read until it is taken.
// It holds exactly what the walk reads, for pending rows only.
constexpr const char* k_migration_4 = R"sql(
CREATE INDEX outbox_pending_by_destination ON outbox(platform, destination, id, next_attempt_at, channel, state)
    WHERE state = 'pending';
)sql";

// A signature that covers only a timestamp (DingTalk's callback, protocols.md §3.2) is bound
// to the one message it first came with, for as long as the platform would accept it: the
// same signature with another message is a replay with a forged body.
constexpr const char* k_migration_5 = R"sql(
CREATE TABLE signature_uses (
    platform TEXT NOT NULL,
    signature TEXT NOT NULL,
    bound_to TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (platform, signature)
);
CREATE INDEX signature_uses_by_expiry ON signature_uses(expires_at);
)sql";

// The team directory at run time (issue 21): people gain the contacts a platform's directory
// is matched on; chats and their settings move out of the config file into a table that chat
// commands and trackerctl change (the file seeds it); accounts waiting to be confirmed are
// claims. `source` says where an entry's current value came from (core::EntrySource) and
// `seeded` is what the config file last said of it (core::describe), so that a reload applies
// only what the file changed.
constexpr const char* k_migration_6 = R"sql(
ALTER TABLE people ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN mobile TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN source TEXT NOT NULL DEFAULT 'plan';
ALTER TABLE people ADD COLUMN seeded TEXT NOT NULL DEFAULT '';
CREATE INDEX people_by_email ON people(email COLLATE NOCASE) WHERE email <> '';
CREATE INDEX people_by_mobile ON people(mobile) WHERE mobile <> '';

CREATE TABLE chats (
    platform TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    projects TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT '',
    timezone TEXT NOT NULL DEFAULT '',
    webhook_url TEXT NOT NULL DEFAULT '',
    digest_time TEXT NOT NULL DEFAULT '09:00',
    reminder_time TEXT NOT NULL DEFAULT '17:00',
    weekly_time TEXT NOT NULL DEFAULT 'MON 09:30',
    quiet_hours TEXT NOT NULL DEFAULT '22:00-08:00',
    source TEXT NOT NULL DEFAULT 'config',
    seeded TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (platform, chat_id)
);

CREATE TABLE claims (
    platform TEXT NOT NULL,
    account TEXT NOT NULL,
    person_id TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    at_unix INTEGER NOT NULL,
    PRIMARY KEY (platform, account)
);
CREATE INDEX claims_by_person ON claims(person_id);
)sql";

// Several replicas on one database (issue 24): the rows for one destination (a chat, a robot's
// URL) are sent by the replica that holds its lease, so that pacing and the platforms' rate
// windows hold for the whole cluster. The lease carries what they are computed from: when the
// destination may next be sent to, and the recent answers (ms, '\x1f'-separated) inside the
// longest window. A replica that dies holding a lease loses it when `until_ms` passes.
constexpr const char* k_migration_7 = R"sql(
CREATE TABLE outbox_leases (
    destination TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms INTEGER NOT NULL,
    ready_at_ms INTEGER NOT NULL DEFAULT 0,
    answered_ms TEXT NOT NULL DEFAULT ''
);
)sql";

}  // namespace

const std::vector<const char*>& migrations() {
    static const std::vector<const char*> k_all{k_migration_1, k_migration_2, k_migration_3, k_migration_4,
                                                k_migration_5, k_migration_6, k_migration_7};
    return k_all;
}

}  // namespace store::detail
