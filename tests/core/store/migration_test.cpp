// Migrations: a fresh file, an old file upgraded in place, files the build must refuse.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <fstream>

#include "core/store/store.h"
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include "tests/support/pg_cluster.h"
#include "tests/support/temp_dir.h"

namespace {

using core::ErrorCode;
using testing_support::TempDir;

// The schema of version 1 exactly as released (frozen here on purpose: if migration 1 in
// core/store/schema.cpp is edited, files created by older builds are what this test protects).
constexpr const char* k_version_1_schema = R"sql(
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

int user_version(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    return db.execAndGet("PRAGMA user_version").getInt();
}

TEST(MigrationTest, FreshFileIsCreatedAtTheCurrentVersion) {
    TempDir dir;
    auto store = store::Store::open(dir.file("fresh.db"));
    ASSERT_TRUE(store) << store.error().message;
    auto version = (*store)->schema_version();
    ASSERT_TRUE(version);
    EXPECT_EQ(*version, 7);
    EXPECT_EQ(*version, store::k_schema_version);
}

TEST(MigrationTest, ReopeningAMigratedFileKeepsItsVersionAndData) {
    TempDir dir;
    auto path = dir.file("again.db");
    {
        auto store = store::Store::open(path);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->put_state("k", "v"));
    }
    auto store = store::Store::open(path);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(*(*store)->schema_version(), store::k_schema_version);
    EXPECT_EQ((*store)->get_state("k")->value_or(""), "v");
}

TEST(MigrationTest, VersionOneFileIsUpgradedKeepingItsRows) {
    TempDir dir;
    auto path = dir.file("v1.db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(k_version_1_schema);
        db.exec(
            "INSERT INTO people (id, name, slack) VALUES ('xiaoming', '小明', 'U1');"
            "INSERT INTO projects (id, name, owner, status, delay_grace_days, deviation_at_risk,"
            " advance_warning_days, overload_tasks, cadence_key_days, cadence_routine_days,"
            " cadence_long_days, long_task_days, min_task_days, on_time_target,"
            " report_deadline_hours) VALUES ('P1', '新品上市推广', 'xiaoming', 'active', 1, 0.2, 3,"
            " 5, 1, 7, 14, 15, 1, 0.9, 24);"
            "INSERT INTO tasks (project_id, id, level, name, owner, priority, status, completion,"
            " risk, planned_finish) VALUES ('P1', 'T003', 'task', '海报设计', 'xiaoming', 'p1',"
            " 'in_progress', 40, 'none', '2024-03-25');"
            "INSERT INTO progress_log (project_id, task_id, date, at_unix, who, action, completion,"
            " source) VALUES ('P1', 'T003', '2024-03-20', 1710900000, 'xiaoming', 'progress', 40,"
            " 'cli');"
            "PRAGMA user_version = 1;");
    }
    auto opened = store::Store::open(path);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& store = **opened;
    EXPECT_EQ(*store.schema_version(), 7);

    auto state = store.load_project("P1");
    ASSERT_TRUE(state) << state.error().message;
    ASSERT_EQ(state->tasks.size(), 1u);
    EXPECT_EQ(state->tasks[0].name, "海报设计");
    EXPECT_EQ(state->tasks[0].completion, 40);
    EXPECT_EQ(state->tasks[0].planned_finish, core::make_date(2024, 3, 25));
    ASSERT_EQ(state->progress.size(), 1u);
    EXPECT_EQ(state->progress[0].completion, 40);
    ASSERT_EQ(state->people.count("xiaoming"), 1u);
    EXPECT_EQ(state->people.at("xiaoming").slack, "U1");

    // The version-2 tables exist and work.
    auto inbound = store.remember_inbound("slack", "Ev1", 100);
    ASSERT_TRUE(inbound) << inbound.error().message;
    EXPECT_TRUE(*inbound);
    store::OutboxMessage message;
    message.platform = "slack";
    message.dedup_key = "digest:P1:2024-03-20";
    auto enqueued = store.enqueue(message);
    ASSERT_TRUE(enqueued) << enqueued.error().message;
    EXPECT_TRUE(enqueued->inserted);
    ASSERT_TRUE(store.put_state("ledger", "x"));
    // Version 3: a change reads its task's children through an index, not the whole project.
    SQLite::Database raw(path, SQLite::OPEN_READONLY);
    SQLite::Statement plan(raw, "EXPLAIN QUERY PLAN SELECT id FROM tasks WHERE project_id = 'P1' AND parent_id = 'M1' ORDER BY position");
    std::string detail;
    while (plan.executeStep()) detail += plan.getColumn(3).getString() + "\n";
    EXPECT_NE(detail.find("tasks_by_parent"), std::string::npos) << detail;
    EXPECT_EQ(detail.find("TEMP B-TREE"), std::string::npos) << detail;
    // Version 4: the outbox worker ranks pending rows by destination from an index alone.
    auto heads = store.due_heads(1000, 10, [](const store::OutboxMessage&) { return 5; });
    ASSERT_TRUE(heads) << heads.error().message;
    ASSERT_EQ(heads->size(), 1u);
    EXPECT_EQ((*heads)[0].id, enqueued->id);
    SQLite::Statement covering(raw, "EXPLAIN QUERY PLAN SELECT id, channel FROM outbox INDEXED BY"
                                    " outbox_pending_by_destination WHERE state = 'pending' AND platform = 'slack'"
                                    " AND destination = '' AND next_attempt_at <= 1000 ORDER BY id LIMIT 5");
    detail.clear();
    while (covering.executeStep()) detail += covering.getColumn(3).getString() + "\n";
    EXPECT_NE(detail.find("COVERING INDEX outbox_pending_by_destination"), std::string::npos) << detail;
    // Version 5: a DingTalk signature is bound to the message it first came with.
    auto bound = store.bind_signature("dingtalk", "1700000000000:sig", "msgA", 1700003601, 1700000000);
    ASSERT_TRUE(bound) << bound.error().message;
    EXPECT_TRUE(*bound);
    EXPECT_FALSE(*store.bind_signature("dingtalk", "1700000000000:sig", "msgB", 1700003601, 1700000001));
    // Version 7: a destination's outbox lease, held by one replica at a time.
    auto lease = store.take_lease("slack\x1f" "C1", "replica-a", 1000, 30000);
    ASSERT_TRUE(lease) << lease.error().message;
    EXPECT_TRUE(lease->has_value());
    EXPECT_FALSE(store.take_lease("slack\x1f" "C1", "replica-b", 2000, 30000)->has_value());
    EXPECT_EQ(user_version(path), 7);
}

TEST(MigrationTest, FileFromANewerBuildIsRefusedAndLeftAlone) {
    TempDir dir;
    auto path = dir.file("future.db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("CREATE TABLE future (x INTEGER); PRAGMA user_version = 8;");
    }
    auto store = store::Store::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
    EXPECT_NE(store.error().message.find("8"), std::string::npos);
    EXPECT_EQ(user_version(path), 8);
}

TEST(MigrationTest, FileThatIsNotADatabaseIsAnErrorNotACrash) {
    TempDir dir;
    auto path = dir.file("garbage.db");
    {
        std::ofstream out(path, std::ios::binary);
        for (int i = 0; i < 512; ++i) out << "this is not a database, just text. ";
    }
    auto store = store::Store::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::io);
    EXPECT_NE(store.error().message.find(path), std::string::npos) << store.error().message;
}

TEST(MigrationTest, MissingParentDirectoryIsNotCreated) {
    TempDir dir;
    auto path = dir.file("no/such/dir/tracker.db");
    auto store = store::Store::open(path);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::io);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "no"));
}

// PostgreSQL: the same migrations in its dialect, numbered alike (trackerd_meta.schema_version).

void pg_exec(const std::string& uri, const std::string& sql) {
    PGconn* conn = PQconnectdb(uri.c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* result = PQexec(conn, sql.c_str());
    EXPECT_TRUE(PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK)
        << PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
}

TEST(PostgresMigrationTest, EmptyDatabaseIsCreatedAtTheCurrentVersionWithSQLitesTables) {
    TRACKERD_PG_OR_SKIP();
    auto uri = testing_support::PgCluster::shared().create_database();
    auto store = store::Store::open(uri);
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_EQ(*(*store)->schema_version(), store::k_schema_version);
    EXPECT_TRUE((*store)->shared());
    auto reopened = store::Store::open(uri);
    ASSERT_TRUE(reopened) << reopened.error().message;
    EXPECT_EQ(*(*reopened)->schema_version(), store::k_schema_version);
}

TEST(PostgresMigrationTest, ReplicasStartingTogetherMigrateOnce) {
    TRACKERD_PG_OR_SKIP();
    auto uri = testing_support::PgCluster::shared().create_database();
    std::vector<std::string> errors(4);
    {
        std::vector<std::jthread> replicas;
        for (size_t i = 0; i < errors.size(); ++i)
            replicas.emplace_back([&, i] {
                auto store = store::Store::open(uri);
                if (!store) errors[i] = store.error().message;
                else if (*(*store)->schema_version() != store::k_schema_version) errors[i] = "wrong version";
            });
    }
    for (const auto& error : errors) EXPECT_EQ(error, "");
}

TEST(PostgresMigrationTest, DatabaseFromANewerBuildIsRefusedAndLeftAlone) {
    TRACKERD_PG_OR_SKIP();
    auto uri = testing_support::PgCluster::shared().create_database();
    ASSERT_TRUE(store::Store::open(uri));
    pg_exec(uri, "UPDATE trackerd_meta SET schema_version = 99");
    auto store = store::Store::open(uri);
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(store.error().message.find("newer"), std::string::npos) << store.error().message;
}

TEST(PostgresMigrationTest, AnUnreachableServerIsABusyErrorNamingNoPassword) {
    TempDir dir;  // a socket folder where no server listens
    auto store = store::Store::open("postgresql://trackerd:s3cret@/trackerd?host=" + dir.path().string() +
                                    "&connect_timeout=2");
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, ErrorCode::busy) << store.error().message;
    EXPECT_EQ(store.error().message.find("s3cret"), std::string::npos) << store.error().message;
}

}  // namespace
