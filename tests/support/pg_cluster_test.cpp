// PgCluster's own test: a real server started by the test process, databases in it, and the
// server restarted, stopped (as by a crash) and started again under open connections.

#include "tests/support/pg_cluster.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

using testsupport::PgCluster;

struct ConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

void ignore_notice(void*, const char*) {}

// Quiet: the server's WARNING to its connections when it stops.
Conn connect(const std::string& uri) {
    Conn conn(PQconnectdb(uri.c_str()));
    if (conn) PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
    return conn;
}

bool connected(const Conn& conn) { return conn && PQstatus(conn.get()) == CONNECTION_OK; }

// The first value of the first row, or "ERROR: ..." when the statement fails.
std::string query(PGconn* conn, const std::string& sql) {
    PGresult* result = PQexec(conn, sql.c_str());
    std::string out;
    const auto status = PQresultStatus(result);
    if (status == PGRES_TUPLES_OK)
        out = PQntuples(result) > 0 ? PQgetvalue(result, 0, 0) : "";
    else if (status != PGRES_COMMAND_OK)
        out = std::string("ERROR: ") + PQerrorMessage(conn);
    PQclear(result);
    return out;
}

TEST(PgCluster, CreatesSeparateEmptyDatabases) {
    TRACKERD_PG_OR_SKIP();
    auto& pg = PgCluster::shared();
    const std::string first = pg.create_database();
    const std::string second = pg.create_database();
    EXPECT_NE(first, second);
    EXPECT_EQ(first.rfind("postgresql://trackerd@/", 0), 0u) << first;
    EXPECT_NE(first.find("?host=" + pg.socket_dir() + "&port=" + std::to_string(pg.port())),
              std::string::npos)
        << first;

    Conn a = connect(first);
    Conn b = connect(second);
    ASSERT_TRUE(connected(a)) << PQerrorMessage(a.get());
    ASSERT_TRUE(connected(b)) << PQerrorMessage(b.get());
    EXPECT_EQ(query(a.get(), "SELECT 1"), "1");
    EXPECT_EQ(query(b.get(), "SELECT 1"), "1");
    EXPECT_NE(query(a.get(), "SELECT current_database()"),
              query(b.get(), "SELECT current_database()"));

    // What the store relies on: UTF-8, byte order (C collation, as SQLite), a superuser.
    EXPECT_EQ(query(a.get(), "SHOW server_encoding"), "UTF8");
    EXPECT_EQ(
        query(a.get(), "SELECT datcollate FROM pg_database WHERE datname = current_database()"),
        "C");
    EXPECT_EQ(query(a.get(), "SELECT 'B' < 'a'"), "t");
    EXPECT_EQ(query(a.get(), "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), "t");
    // Durability is PostgreSQL's default.
    EXPECT_EQ(query(a.get(), "SHOW fsync"), "on");
    EXPECT_EQ(query(a.get(), "SHOW synchronous_commit"), "on");

    // Separate: a table in one is not in the other.
    EXPECT_EQ(query(a.get(), "CREATE TABLE only_in_a (x int)"), "");
    EXPECT_EQ(query(b.get(), "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'"), "0");
}

TEST(PgCluster, ListensOnlyOnItsSocket) {
    TRACKERD_PG_OR_SKIP();
    auto& pg = PgCluster::shared();
    EXPECT_TRUE(
        std::filesystem::exists(pg.socket_dir() + "/.s.PGSQL." + std::to_string(pg.port())));
    Conn conn = connect(pg.uri("postgres"));
    ASSERT_TRUE(connected(conn)) << PQerrorMessage(conn.get());
    EXPECT_EQ(query(conn.get(), "SHOW listen_addresses"), "");
    EXPECT_EQ(query(conn.get(), "SHOW max_connections"), "200");
}

TEST(PgCluster, RestartKeepsTheData) {
    TRACKERD_PG_OR_SKIP();
    auto& pg = PgCluster::shared();
    const std::string uri = pg.create_database();
    Conn before = connect(uri);
    ASSERT_TRUE(connected(before)) << PQerrorMessage(before.get());
    ASSERT_EQ(query(before.get(), "CREATE TABLE t (x text); INSERT INTO t VALUES ('kept')"), "");

    pg.restart();
    // The old connection was cut.
    EXPECT_EQ(query(before.get(), "SELECT 1").rfind("ERROR: ", 0), 0u);
    Conn after = connect(uri);
    ASSERT_TRUE(connected(after)) << PQerrorMessage(after.get());
    EXPECT_EQ(query(after.get(), "SELECT 1"), "1");
    EXPECT_EQ(query(after.get(), "SELECT x FROM t"), "kept");
}

TEST(PgCluster, ACommitSurvivesAnImmediateStop) {
    TRACKERD_PG_OR_SKIP();
    auto& pg = PgCluster::shared();
    const std::string uri = pg.create_database();
    {
        Conn conn = connect(uri);
        ASSERT_TRUE(connected(conn)) << PQerrorMessage(conn.get());
        ASSERT_EQ(query(conn.get(), "CREATE TABLE t (x int); INSERT INTO t VALUES (42)"), "");
        pg.stop_server(PgCluster::StopMode::immediate);  // no checkpoint: WAL replay on start
        EXPECT_FALSE(pg.server_running());
        EXPECT_EQ(query(conn.get(), "SELECT 1").rfind("ERROR: ", 0), 0u);
    }
    EXPECT_FALSE(connected(connect(uri)));
    pg.stop_server();  // already stopped: nothing to do

    pg.start_server();
    pg.start_server();  // already running: nothing to do
    EXPECT_TRUE(pg.server_running());
    Conn conn = connect(uri);
    ASSERT_TRUE(connected(conn)) << PQerrorMessage(conn.get()) << pg.server_log_tail();
    EXPECT_EQ(query(conn.get(), "SELECT x FROM t"), "42");
}

TEST(PgCluster, DropDatabaseByUri) {
    TRACKERD_PG_OR_SKIP();
    auto& pg = PgCluster::shared();
    const std::string uri = pg.create_database();
    Conn open = connect(uri);  // WITH (FORCE) ends it
    ASSERT_TRUE(connected(open));
    pg.drop_database(uri);
    EXPECT_FALSE(connected(connect(uri)));
    pg.drop_database(uri);  // IF EXISTS
}

TEST(PgCluster, CreateDatabaseFromThreads) {
    TRACKERD_PG_OR_SKIP();
    std::mutex mutex;
    std::set<std::string> uris;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 2; ++i) {
                const std::string uri = PgCluster::shared().create_database();
                std::lock_guard lock(mutex);
                uris.insert(uri);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(uris.size(), 8u);
}

}  // namespace
