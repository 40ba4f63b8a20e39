// store::sql::PgConnection against a throw-away PostgreSQL server: the SQL rewriting, values in
// and out, the error kinds, the migrations, the schema version, the change counter that tells
// other replicas' commits from our own, the write lock writers queue on, and reconnection
// after the server restarts.
//
// The server is the test process's throw-away one (tests/support/pg_cluster.h); without
// PostgreSQL's binaries the tests that need it skip (fail under TRACKERD_REQUIRE_POSTGRES=1).
#include "core/store/pg_connection.h"
#include "core/store/store.h"
#include "tests/support/pg_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

using store::sql::Connection;
using store::sql::Error;
using store::sql::Failure;
using store::sql::PgConnection;

// Runs one statement as the server's superuser (the cluster's `trackerd`).
void admin(const std::string& sql) {
    PGconn* conn = PQconnectdb(testing_support::PgCluster::shared().uri("postgres").c_str());
    ASSERT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PGresult* result = PQexec(conn, sql.c_str());
    EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(conn);
}

// A fresh empty database of the process's throw-away server (tests/support/pg_cluster.h), its
// URI, owned by the login role trackerd_app, which is no superuser: the migrations must work for
// the database's owner alone, as the README's set-up creates it.
std::string fresh_database() {
    const std::string uri = testing_support::PgCluster::shared().create_database();
    const size_t name_at = uri.find("@/") + 2, query_at = uri.find('?');
    const std::string name = uri.substr(name_at, query_at - name_at);
    admin("DO $$ BEGIN CREATE ROLE trackerd_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    admin("ALTER DATABASE " + name + " OWNER TO trackerd_app");
    return "postgresql://trackerd_app@/" + name + uri.substr(query_at);
}

#define PG_OR_SKIP() TRACKERD_PG_OR_SKIP()

std::unique_ptr<PgConnection> open_fresh(std::string* uri_out = nullptr) {
    std::string uri = fresh_database();
    if (uri_out) *uri_out = uri;
    return PgConnection::open(uri);
}

Failure kind_of(const std::function<void()>& body) {
    try {
        body();
    } catch (const Error& e) {
        return e.kind();
    }
    ADD_FAILURE() << "no sql::Error thrown";
    return Failure::internal;
}

// The store's migration loop, as store.cpp runs it on either engine.
void migrate(Connection& db) {
    const auto& all = db.migrations();
    for (int v = db.schema_version(); v < static_cast<int>(all.size()); ++v) {
        db.begin_write();
        try {
            db.execute_script(all[static_cast<size_t>(v)]);
            db.set_schema_version(v + 1);
            db.commit();
        } catch (...) {
            db.rollback();
            throw;
        }
    }
}

std::string one_text(Connection& db, const std::string& sql) {
    auto s = db.prepare(sql);
    EXPECT_TRUE(s->executeStep());
    return s->column_text(0);
}

// ---------------------------------------------------------------------------------------------
// No server needed.

TEST(PgRewrite, NumberedPlaceholdersBecomeDollars) {
    int parameters = 0;
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT a FROM t WHERE b = ?1 AND c = ?12 OR d = ?1", &parameters),
              "SELECT a FROM t WHERE b = $1 AND c = $12 OR d = $1");
    EXPECT_EQ(parameters, 12);
}

TEST(PgRewrite, LiteralsIdentifiersAndCommentsAreLeftAlone) {
    int parameters = 0;
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT '?1', 'it''s ?2', \"odd?3\", ?2 -- ?4\n/* ?5 /* ?6 */ ?7 */ x", &parameters),
              "SELECT '?1', 'it''s ?2', \"odd?3\", $2 -- ?4\n/* ?5 /* ?6 */ ?7 */ x");
    EXPECT_EQ(parameters, 2);
    EXPECT_EQ(PgConnection::rewrite_sql(R"(SELECT E'\'?1', ?1)"), R"(SELECT E'\'?1', $1)");
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT 'a?', ?"), "SELECT 'a?', $1");
}

TEST(PgRewrite, BarePlaceholdersNumberAsSqliteDoes) {
    int parameters = 0;
    EXPECT_EQ(PgConnection::rewrite_sql("VALUES (?, ?, ?5, ?)", &parameters), "VALUES ($1, $2, $5, $6)");
    EXPECT_EQ(parameters, 6);
}

TEST(PgRewrite, CollateNocaseIsDropped) {
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT id FROM people WHERE email = ?1 COLLATE NOCASE AND email <> '' ORDER BY id"),
              "SELECT id FROM people WHERE email = $1 AND email <> '' ORDER BY id");
    EXPECT_EQ(PgConnection::rewrite_sql("ORDER BY name collate  nocase, id"), "ORDER BY name, id");
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT ' COLLATE NOCASE' COLLATE \"C\""), "SELECT ' COLLATE NOCASE' COLLATE \"C\"");
    EXPECT_EQ(PgConnection::rewrite_sql("SELECT x COLLATE NOCASEY"), "SELECT x COLLATE NOCASEY");
}

TEST(PgUri, RecognisesPostgresqlSchemes) {
    EXPECT_TRUE(store::sql::is_postgresql_uri("postgresql://trackerd@db/trackerd"));
    EXPECT_TRUE(store::sql::is_postgresql_uri("postgres://u@/d?host=/run/postgresql"));
    EXPECT_FALSE(store::sql::is_postgresql_uri("/var/lib/trackerd/trackerd.db"));
    EXPECT_FALSE(store::sql::is_postgresql_uri("file:postgresql://x"));
    EXPECT_FALSE(store::sql::is_postgresql_uri("postgresql:"));
}

TEST(PgConnect, BadUriIsInternalAndNoServerIsUnavailable) {
    EXPECT_EQ(kind_of([] { PgConnection::open("postgresql://a@b:notaport/x?nonsense_option=1"); }), Failure::internal);
    EXPECT_EQ(kind_of([] { store::sql::connect_postgresql("postgresql://nobody@/nothing?host=/nonexistent-dir"); }),
              Failure::unavailable);
}

// ---------------------------------------------------------------------------------------------
// Against the server.

TEST(PgConnection, OpensAndBootstrapsTheMetaRow) {
    PG_OR_SKIP();
    std::string uri;
    auto db = open_fresh(&uri);
    EXPECT_EQ(db->engine(), store::sql::Engine::postgresql);
    EXPECT_EQ(db->schema_version(), 0);
    EXPECT_EQ(one_text(*db, "SELECT count(*) FROM trackerd_meta"), "1");
    EXPECT_EQ(one_text(*db, "SELECT generation FROM trackerd_meta"), "0");
    EXPECT_EQ(one_text(*db, "SHOW client_min_messages"), "warning");
    EXPECT_EQ(one_text(*db, "SHOW application_name"), "trackerd");
    // A second connection finds it there.
    auto again = PgConnection::open(uri);
    EXPECT_EQ(one_text(*again, "SELECT count(*) FROM trackerd_meta"), "1");
}

TEST(PgConnection, ReplicasStartingTogetherDoNotRace) {
    PG_OR_SKIP();
    std::string uri = fresh_database();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i)
        threads.emplace_back([&] {
            try {
                PgConnection::open(uri);
            } catch (const Error&) {
                ++failures;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    auto db = PgConnection::open(uri);
    EXPECT_EQ(one_text(*db, "SELECT count(*) FROM trackerd_meta"), "1");
}

TEST(PgConnection, BindsAndReadsTextIntegersRealsAndNull) {
    PG_OR_SKIP();
    auto db = open_fresh();
    db->execute_script("CREATE TABLE v (k BIGINT PRIMARY KEY, t TEXT, i BIGINT, d DOUBLE PRECISION, b BOOLEAN)");
    auto insert = db->prepare("INSERT INTO v (k, t, i, d, b) VALUES (?1, ?2, ?3, ?4, ?5)");
    const double third = 1.0 / 3.0;
    const double tiny = 4.9406564584124654e-324;  // the smallest subnormal
    struct Row {
        long long k;
        std::string t;
        long long i;
        double d;
    };
    std::vector<Row> rows{{1, "héllo, 'wörld' ?1", std::numeric_limits<long long>::max(), third},
                          {2, "", std::numeric_limits<long long>::min(), -1e300},
                          {3, "\x1f" "a\x1f" "b", 0, tiny},
                          {4, "0.1", 42, 0.1}};
    for (const auto& r : rows) {
        insert->reset();
        insert->bind(1, r.k);
        insert->bind(2, r.t);
        insert->bind(3, r.i);
        insert->bind(4, r.d);
        insert->bind(5, r.k % 2 == 1 ? 1 : 0);
        EXPECT_EQ(insert->exec(), 1);
    }
    insert->reset();
    insert->bind(1, 5);  // the rest unbound: NULL, as SQLite
    EXPECT_EQ(insert->exec(), 1);

    auto select = db->prepare("SELECT t, i, d, b FROM v WHERE k = ?1");
    for (const auto& r : rows) {
        select->reset();
        select->bind(1, r.k);
        ASSERT_TRUE(select->executeStep());
        EXPECT_EQ(select->getColumn(0).getString(), r.t);
        EXPECT_EQ(select->getColumn(1).getInt64(), r.i);
        EXPECT_EQ(select->getColumn(2).getDouble(), r.d) << "k=" << r.k;  // exact: round trip
        EXPECT_EQ(select->getColumn(3).getInt(), r.k % 2 == 1 ? 1 : 0);
        EXPECT_EQ(select->getColumn(3).getString(), r.k % 2 == 1 ? "1" : "0");
        EXPECT_FALSE(select->getColumn(0).isNull());
        EXPECT_FALSE(select->executeStep());
    }
    select->reset();
    select->bind(1, 5);
    ASSERT_TRUE(select->executeStep());
    for (int c = 0; c < 4; ++c) EXPECT_TRUE(select->column_is_null(c));
    EXPECT_EQ(select->column_text(0), "");
    EXPECT_EQ(select->column_int64(1), 0);
    EXPECT_EQ(select->column_double(2), 0.0);

    // Infinities and NaN round-trip; reals read as integers truncate, as SQLite's.
    auto special = db->prepare("SELECT ?1::float8, ?2::float8, ?3::float8, 2.75::float8, 7::numeric / 2");
    special->bind(1, std::numeric_limits<double>::infinity());
    special->bind(2, -std::numeric_limits<double>::infinity());
    special->bind(3, std::nan(""));
    ASSERT_TRUE(special->executeStep());
    EXPECT_EQ(special->column_double(0), std::numeric_limits<double>::infinity());
    EXPECT_EQ(special->column_double(1), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(special->column_double(2)));
    EXPECT_EQ(special->column_int64(3), 2);
    EXPECT_EQ(special->column_int64(4), 3);

    // A '?' in a literal stays text; the placeholder beside it binds.
    auto literal = db->prepare("SELECT '?1 and ?', ?1 || '!'");
    literal->bind(1, std::string("x"));
    ASSERT_TRUE(literal->executeStep());
    EXPECT_EQ(literal->column_text(0), "?1 and ?");
    EXPECT_EQ(literal->column_text(1), "x!");

    // reset() clears the bindings.
    literal->reset();
    ASSERT_TRUE(literal->executeStep());
    EXPECT_TRUE(literal->column_is_null(1));

    // exec() counts the rows changed; several rows step in order.
    EXPECT_EQ(db->prepare("UPDATE v SET i = i WHERE k <= ?1")->exec(), 0);  // ?1 NULL: none
    auto update = db->prepare("UPDATE v SET t = t WHERE k <= ?1");
    update->bind(1, 3);
    EXPECT_EQ(update->exec(), 3);
    auto all = db->prepare("SELECT k FROM v ORDER BY k");
    std::vector<long long> keys;
    while (all->executeStep()) keys.push_back(all->column_int64(0));
    EXPECT_EQ(keys, (std::vector<long long>{1, 2, 3, 4, 5}));
    EXPECT_FALSE(all->executeStep());
}

TEST(PgConnection, MisuseIsInternal) {
    PG_OR_SKIP();
    auto db = open_fresh();
    auto s = db->prepare("SELECT ?1::int");
    EXPECT_EQ(kind_of([&] { s->bind(2, 1); }), Failure::internal);
    EXPECT_EQ(kind_of([&] { s->column_text(0); }), Failure::internal);  // no row yet
    ASSERT_TRUE(s->executeStep());
    EXPECT_EQ(kind_of([&] { s->column_text(1); }), Failure::internal);
    EXPECT_EQ(kind_of([&] { db->prepare("SELEKT 1")->executeStep(); }), Failure::internal);
    EXPECT_EQ(kind_of([&] { db->execute_script("SELECT * FROM no_such_table"); }), Failure::internal);
    EXPECT_EQ(kind_of([&] { db->commit(); }), Failure::internal);  // no transaction
    db->rollback();                                                 // nothing to roll back: fine
}

TEST(PgConnection, ErrorsMapToFailureKinds) {
    PG_OR_SKIP();
    auto db = open_fresh();
    db->execute_script(
        "CREATE TABLE p (id TEXT PRIMARY KEY, n BIGINT CHECK (n >= 0));"
        "CREATE TABLE c (p TEXT NOT NULL REFERENCES p(id));"
        "INSERT INTO p VALUES ('a', 1)");
    auto insert = db->prepare("INSERT INTO p (id, n) VALUES (?1, ?2)");
    insert->bind(1, std::string("a"));
    insert->bind(2, 2);
    try {
        insert->exec();
        ADD_FAILURE() << "no conflict";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Failure::conflict);
        EXPECT_NE(std::string(e.what()).find("duplicate key"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("23505"), std::string::npos) << e.what();
    }
    insert->reset();
    insert->bind(1, std::string("b"));
    insert->bind(2, -1);
    EXPECT_EQ(kind_of([&] { insert->exec(); }), Failure::constraint);  // check
    EXPECT_EQ(kind_of([&] { db->execute_script("INSERT INTO c VALUES ('zz')"); }), Failure::constraint);  // foreign key
    EXPECT_EQ(kind_of([&] { db->execute_script("INSERT INTO c VALUES (NULL)"); }), Failure::constraint);  // not null
    db->execute_script("SET statement_timeout = 50");
    EXPECT_EQ(kind_of([&] { db->prepare("SELECT pg_sleep(2)")->executeStep(); }), Failure::busy);
    db->execute_script("SET statement_timeout = 0");
    db->execute_script("SET default_transaction_read_only = on");
    EXPECT_EQ(kind_of([&] { db->execute_script("CREATE TABLE r (x INT)"); }), Failure::io);
    db->execute_script("SET default_transaction_read_only = off");
    // After all of that (outside a transaction) the connection is fine.
    EXPECT_EQ(one_text(*db, "SELECT count(*) FROM p"), "1");
}

TEST(PgConnection, AllMigrationsApplyOnAnEmptyDatabase) {
    PG_OR_SKIP();
    std::string uri;
    auto db = open_fresh(&uri);
    ASSERT_EQ(db->migrations().size(), static_cast<size_t>(store::k_schema_version));
    migrate(*db);
    EXPECT_EQ(db->schema_version(), store::k_schema_version);
    migrate(*db);  // nothing left to do
    EXPECT_EQ(PgConnection::open(uri)->schema_version(), store::k_schema_version);

    // Tables the store orders by rowid end with it.
    for (const char* table : {"projects", "tasks", "kpis", "risks"}) {
        auto last = db->prepare(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?1 ORDER BY ordinal_position DESC LIMIT 1");
        last->bind(1, std::string(table));
        ASSERT_TRUE(last->executeStep());
        EXPECT_EQ(last->column_text(0), "rowid") << table;
    }
    // schema.cpp's indexes, by name (besides primary keys and outbox.dedup_key's UNIQUE).
    EXPECT_EQ(one_text(*db, "SELECT string_agg(indexname, ' ' ORDER BY indexname COLLATE \"C\") FROM pg_indexes"
                            " WHERE schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'"),
              "audit_by_project claims_by_person deviations_by_project inbound_by_time outbox_due "
              "outbox_pending_by_destination people_by_dingtalk people_by_email people_by_feishu people_by_mobile "
              "people_by_name people_by_slack progress_by_task signature_uses_by_expiry tasks_by_id tasks_by_parent");

    // Project ids compare case-insensitively and keep their spelling; ORDER BY rowid is
    // insertion order; other text sorts bytewise.
    auto project = db->prepare(
        "INSERT INTO projects (id, name, delay_grace_days, deviation_at_risk, advance_warning_days, overload_tasks,"
        " cadence_key_days, cadence_routine_days, cadence_long_days, long_task_days, min_task_days, on_time_target,"
        " report_deadline_hours) VALUES (?1, ?2, 1, 0.2, 3, 5, 1, 7, 14, 30, 1, 0.9, 24)");
    for (const char* id : {"Zeta", "alpha", "Beta"}) {
        project->reset();
        project->bind(1, std::string(id));
        project->bind(2, std::string(id));
        project->exec();
    }
    project->reset();
    project->bind(1, std::string("ALPHA"));
    project->bind(2, std::string("dup"));
    EXPECT_EQ(kind_of([&] { project->exec(); }), Failure::conflict);
    auto by_rowid = db->prepare("SELECT id FROM projects ORDER BY rowid");
    std::vector<std::string> ids;
    while (by_rowid->executeStep()) ids.push_back(by_rowid->column_text(0));
    EXPECT_EQ(ids, (std::vector<std::string>{"Zeta", "alpha", "Beta"}));
    auto by_name = db->prepare("SELECT name FROM projects ORDER BY name");
    std::vector<std::string> names;
    while (by_name->executeStep()) names.push_back(by_name->column_text(0));
    EXPECT_EQ(names, (std::vector<std::string>{"Beta", "Zeta", "alpha"}));  // bytewise, as SQLite's BINARY
    auto find = db->prepare("SELECT id FROM projects WHERE id = ?1 COLLATE NOCASE");
    find->bind(1, std::string("BETA"));
    ASSERT_TRUE(find->executeStep());
    EXPECT_EQ(find->column_text(0), "Beta");

    // A task's project_id joins case-insensitively too; the completion check holds.
    auto task = db->prepare(
        "INSERT INTO tasks (project_id, id, level, priority, status, risk, completion) VALUES (?1, ?2, 'task', 'P2', "
        "'todo', 'none', ?3)");
    task->bind(1, std::string("zeta"));
    task->bind(2, std::string("1.1"));
    task->bind(3, 50);
    EXPECT_EQ(task->exec(), 1);
    task->reset();
    task->bind(1, std::string("zeta"));
    task->bind(2, std::string("1.2"));
    task->bind(3, 101);
    EXPECT_EQ(kind_of([&] { task->exec(); }), Failure::constraint);
    task->reset();
    task->bind(1, std::string("nope"));
    task->bind(2, std::string("1.3"));
    EXPECT_EQ(kind_of([&] { task->exec(); }), Failure::constraint);

    // Identity ids grow; people.email is citext, the store's query as written finds it.
    auto log = db->prepare(
        "INSERT INTO progress_log (project_id, task_id, date, at_unix) VALUES (?1, ?2, ?3, ?4) RETURNING id");
    std::vector<long long> log_ids;
    for (int i = 0; i < 3; ++i) {
        log->reset();
        log->bind(1, std::string("Zeta"));
        log->bind(2, std::string("1.1"));
        log->bind(3, std::string("2026-01-0") + std::to_string(i + 1));
        log->bind(4, 1700000000LL + i);
        ASSERT_TRUE(log->executeStep());
        log_ids.push_back(log->column_int64(0));
    }
    EXPECT_EQ(log_ids, (std::vector<long long>{1, 2, 3}));
    db->execute_script("INSERT INTO people (id, name, email) VALUES ('p1', 'Ann', 'Ann@Example.com')");
    auto by_email = db->prepare("SELECT id FROM people WHERE email = ?1 COLLATE NOCASE AND email <> '' ORDER BY id");
    by_email->bind(1, std::string("ann@example.COM"));
    ASSERT_TRUE(by_email->executeStep());
    EXPECT_EQ(by_email->column_text(0), "p1");
}

TEST(PgConnection, SchemaVersionRoundTrips) {
    PG_OR_SKIP();
    std::string uri;
    auto db = open_fresh(&uri);
    db->begin_write();
    db->set_schema_version(3);
    db->commit();
    EXPECT_EQ(db->schema_version(), 3);
    db->begin_write();
    db->set_schema_version(9);
    db->rollback();
    EXPECT_EQ(db->schema_version(), 3);
    EXPECT_EQ(PgConnection::open(uri)->schema_version(), 3);
}

TEST(PgConnection, OthersCommitCounterMovesOnlyForAnotherConnectionsCommit) {
    PG_OR_SKIP();
    std::string uri;
    auto a = open_fresh(&uri);
    auto b = PgConnection::open(uri);
    a->execute_script("CREATE TABLE w (x BIGINT)");

    long long a0 = a->others_commit_counter(), b0 = b->others_commit_counter();
    auto write = [](PgConnection& db) {
        db.begin_write();
        db.prepare("INSERT INTO w VALUES (1)")->exec();
        db.commit();
    };
    write(*a);
    EXPECT_EQ(one_text(*a, "SELECT generation FROM trackerd_meta"), "1");
    EXPECT_EQ(a->others_commit_counter(), a0);  // our own
    EXPECT_NE(b->others_commit_counter(), b0);  // theirs
    long long b1 = b->others_commit_counter();
    EXPECT_EQ(b->others_commit_counter(), b1);  // nothing since

    write(*a);
    write(*b);  // b's commit after a's: b still notices a's
    EXPECT_EQ(one_text(*b, "SELECT generation FROM trackerd_meta"), "3");
    EXPECT_NE(b->others_commit_counter(), b1);
    long long a1 = a->others_commit_counter();
    EXPECT_NE(a1, a0);
    write(*a);
    write(*a);
    EXPECT_EQ(a->others_commit_counter(), a1);

    // A rolled-back write moves nothing.
    long long b2 = b->others_commit_counter();
    a->begin_write();
    a->prepare("INSERT INTO w VALUES (2)")->exec();
    a->rollback();
    EXPECT_EQ(b->others_commit_counter(), b2);
    EXPECT_EQ(one_text(*b, "SELECT count(*) FROM w"), "5");
}

TEST(PgConnection, WritersQueueOnTheWriteLock) {
    PG_OR_SKIP();
    std::string uri;
    auto a = open_fresh(&uri);
    auto b = PgConnection::open(uri);
    a->begin_write();
    EXPECT_EQ(kind_of([&] { a->begin_write(); }), Failure::internal);  // already in one
    std::atomic<bool> b_began{false};
    std::thread other([&] {
        b->begin_write();
        b_began = true;
        b->commit();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_FALSE(b_began.load());
    a->commit();
    other.join();
    EXPECT_TRUE(b_began.load());
    EXPECT_EQ(one_text(*a, "SELECT generation FROM trackerd_meta"), "2");
    EXPECT_EQ(one_text(*a, "SHOW lock_timeout"), "0");  // only the wait for the write lock is bounded
}

TEST(PgConnection, AWriterGivesUpAsBusyAfterTheLockTimeout) {
    PG_OR_SKIP();
    std::string uri;
    auto a = open_fresh(&uri);
    auto b = PgConnection::open(uri);
    a->begin_write();
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(kind_of([&] { b->begin_write(); }), Failure::busy);
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, std::chrono::milliseconds(PgConnection::k_write_lock_timeout_ms - 100));
    EXPECT_FALSE(b->in_transaction());
    a->commit();
    b->begin_write();
    EXPECT_EQ(one_text(*b, "SHOW lock_timeout"), "0");
    b->commit();
}

TEST(PgConnection, AFailedStatementAbortsTheTransactionAndCommitEndsIt) {
    PG_OR_SKIP();
    auto db = open_fresh();
    db->execute_script("CREATE TABLE u (x BIGINT PRIMARY KEY); INSERT INTO u VALUES (1)");
    db->begin_write();
    db->prepare("INSERT INTO u VALUES (2)")->exec();
    EXPECT_EQ(kind_of([&] { db->prepare("INSERT INTO u VALUES (1)")->exec(); }), Failure::conflict);
    EXPECT_TRUE(db->in_transaction());
    EXPECT_EQ(kind_of([&] { db->commit(); }), Failure::internal);  // PostgreSQL aborted it
    EXPECT_FALSE(db->in_transaction());
    db->rollback();  // harmless after
    EXPECT_EQ(one_text(*db, "SELECT count(*) FROM u"), "1");
    EXPECT_EQ(one_text(*db, "SELECT generation FROM trackerd_meta"), "0");
}

TEST(PgConnection, ReconnectsAfterTheServerRestarts) {
    PG_OR_SKIP();
    std::string uri;
    auto db = open_fresh(&uri);
    auto other = PgConnection::open(uri);
    auto s = db->prepare("SELECT ?1::bigint + 1");
    s->bind(1, 41);
    ASSERT_TRUE(s->executeStep());
    EXPECT_EQ(s->column_int64(0), 42);
    long long others = db->others_commit_counter();
    auto epoch = db->epoch();

    testing_support::PgCluster::shared().restart();

    // The first call may find the old socket dead (unavailable); the next one reconnects.
    s->reset();
    s->bind(1, 1);
    try {
        ASSERT_TRUE(s->executeStep());
        EXPECT_EQ(s->column_int64(0), 2);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Failure::unavailable) << e.what();
        s->reset();
        s->bind(1, 1);
        ASSERT_TRUE(s->executeStep());
        EXPECT_EQ(s->column_int64(0), 2);
    }
    EXPECT_EQ(db->epoch(), epoch + 1);  // statements prepared again
    EXPECT_EQ(one_text(*db, "SHOW client_min_messages"), "warning");

    // The change counter survives the reconnection: the other's commit (once it is back) shows.
    for (int attempt = 0;; ++attempt) {
        try {
            other->begin_write();
            other->commit();
            break;
        } catch (const Error& e) {
            ASSERT_EQ(e.kind(), Failure::unavailable) << e.what();
            ASSERT_EQ(attempt, 0) << e.what();
        }
    }
    EXPECT_NE(db->others_commit_counter(), others);
}

TEST(PgConnection, ABreakInsideATransactionIsUnavailableUntilRolledBack) {
    PG_OR_SKIP();
    std::string uri;
    auto db = open_fresh(&uri);
    db->execute_script("CREATE TABLE r (x BIGINT)");
    auto insert = db->prepare("INSERT INTO r VALUES (?1)");
    db->begin_write();
    insert->bind(1, 1);
    insert->exec();

    testing_support::PgCluster::shared().restart();

    insert->reset();
    insert->bind(1, 2);
    EXPECT_EQ(kind_of([&] { insert->exec(); }), Failure::unavailable);
    EXPECT_EQ(kind_of([&] { insert->exec(); }), Failure::unavailable);  // still: no silent reconnect mid-transaction
    EXPECT_EQ(kind_of([&] { db->commit(); }), Failure::unavailable);    // commit() ends it
    db->rollback();                                                     // never throws
    EXPECT_FALSE(db->in_transaction());

    insert->reset();
    insert->bind(1, 3);
    EXPECT_EQ(insert->exec(), 1);
    EXPECT_EQ(one_text(*db, "SELECT string_agg(x::text, ',') FROM r"), "3");  // the broken write is gone
    db->begin_write();
    db->rollback();
}

TEST(PgConnection, StatementsDroppedAreDeallocatedOnTheServer) {
    PG_OR_SKIP();
    auto db = open_fresh();
    for (int i = 0; i < 5; ++i) {
        auto s = db->prepare("SELECT ?1::int");
        s->bind(1, i);
        ASSERT_TRUE(s->executeStep());
    }
    // The last one's DEALLOCATE goes with the next statement: only this one is left.
    EXPECT_EQ(one_text(*db, "SELECT count(*) FROM pg_prepared_statements"), "1");
}

}  // namespace
