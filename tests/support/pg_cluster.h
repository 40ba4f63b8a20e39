#pragma once
// A throw-away PostgreSQL server for tests: one per test process, started on first use of
// PgCluster::shared() and stopped (immediate) and removed when the process exits.
//
//   TRACKERD_PG_OR_SKIP();                                   // in a TEST body
//   const std::string uri = testsupport::PgCluster::shared().create_database();
//   // postgresql://trackerd@/t1234_1?host=/tmp/trackerd-pg-AbC123&port=21234
//
// The cluster lives in a fresh mkdtemp folder under $TMPDIR (or /tmp): data/ (initdb --auth=trust
// --username=trackerd --encoding=UTF8 --locale=C), server.log (the server's log), commands.log
// (what initdb/pg_ctl printed), owner (pid and host of the test process). The server listens
// only on a Unix socket in that folder (listen_addresses = ''), so clusters of parallel test
// processes never meet; the port (from the pid) only names the socket file .s.PGSQL.<port>.
// Durability is PostgreSQL's default (fsync, synchronous_commit on): a commit survives
// stop_server(StopMode::immediate), the crash of the server. The price, on a VM's disk: a
// checkpoint (restart(), stop_server(fast), recovery after a crash) fsyncs every file of the
// databases created since the last one, ~300 per database, ~1 s per database here;
// drop_database spares that. recovery_init_sync_method = syncfs (one syncfs() before crash
// recovery instead of an fsync per file) is the only setting changed for speed.
// TRACKERD_PG_KEEP=1 keeps the folder at exit (stopped) for a look at its logs.
//
// Binaries: $TRACKERD_PG_BIN_DIR, else initdb and pg_ctl from PATH, else the newest
// /usr/lib/postgresql/<version>/bin (Debian's postgresql package). initdb and the server refuse
// to run as root: as root they run as the user postgres (runuser -u postgres --), and the
// folder belongs to it.
//
// Start-up: the first initdb of a machine (initdb --no-sync, about 1 s) is kept as a template
// in <tmp>/trackerd-pgtpl-<uid>-<key>/ (39 MB) and later clusters copy it (cp -a, 0.2-0.3 s;
// then pg_ctl start 0.15-0.3 s: ready in ~0.45 s instead of ~1.1 s). TRACKERD_PG_TEMPLATE_CACHE=0
// turns the template off (initdb each time). Folders of test processes that died without cleaning
// up (SIGKILL, a ctest timeout) are stopped and removed by the next process that starts a cluster.
//
// Without binaries available() is false and skip_reason() says why (TRACKERD_PG_OR_SKIP skips
// the test); with TRACKERD_REQUIRE_POSTGRES=1 (CI) that is a failure instead. A server that was
// found but failed to start is always a failure; skip_reason() then carries the tail of
// initdb's/pg_ctl's output and of the server log.
//
// Thread safety: shared() is safe from any thread; create_database, drop_database and the
// accessors may run concurrently; restart/stop_server/start_server are serialised with each
// other (one mutex) but not with connections the test holds (that is their point).

#include <sys/types.h>

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace testing_support {

class PgCluster {
public:
    enum class StopMode { fast, immediate };  // pg_ctl -m fast (clean) / immediate (a crash)

    // The process's cluster, started on the first call (never throws: see available()).
    static PgCluster& shared();

    // True when the server was started. False: no binaries, or start-up failed.
    bool available() const;
    // Why not available() (empty when it is).
    std::string skip_reason() const;
    // Whether an unavailable cluster must fail the test rather than skip it: start-up failed
    // (binaries were found), or TRACKERD_REQUIRE_POSTGRES=1.
    bool unavailable_is_failure() const;

    // A fresh empty database (CREATE DATABASE t<pid>_<n> TEMPLATE template0, owner trackerd),
    // its URI: postgresql://trackerd@/<db>?host=<socket dir>&port=<port>. Throws
    // std::runtime_error when unavailable or the server refuses.
    std::string create_database();
    // DROP DATABASE IF EXISTS ... WITH (FORCE): a name or a URI of create_database. Optional
    // (the cluster goes away at exit); frees ~7 MB of disk per database.
    void drop_database(const std::string& name_or_uri);
    // URI of an existing database on this server (e.g. "postgres").
    std::string uri(std::string_view database) const;

    // pg_ctl restart -m fast -w: connections are cut, the data stays.
    void restart();
    // pg_ctl stop -w (no-op if already stopped) / pg_ctl start -w (no-op if running).
    void stop_server(StopMode mode = StopMode::fast);
    void start_server();
    // pg_ctl status: whether the server is running now.
    bool server_running() const;

    std::string socket_dir() const;  // the folder (also the socket's)
    int port() const;
    std::string data_dir() const;
    std::string bin_dir() const;
    // How long shared()'s start-up took (initdb or template copy, pg_ctl start).
    double startup_seconds() const;
    // The last lines of the server log (for failure messages).
    std::string server_log_tail(std::size_t lines = 40) const;

    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

private:
    PgCluster();
    void start_up();
    void ensure_available() const;
    // Runs a binary as the cluster's owner (through runuser when root) in the folder, its output
    // appended to commands.log: its exit status (128 + signal when killed).
    int run(const std::vector<std::string>& argv) const;
    // The same, throwing std::runtime_error with the tail of that output (and of the server log
    // when `with_server_log`) unless it exits 0.
    void run_ok(const std::string& what, const std::vector<std::string>& argv,
                bool with_server_log = false) const;
    bool running_locked() const;
    void admin_exec(const std::string& sql) const;
    void sweep_stale_folders(const std::string& tmp_root) const;
    bool copy_template(const std::string& cache) const;
    void save_template(const std::string& tmp_root, const std::string& cache) const;

    pid_t m_creator_pid = 0;
    bool m_available = false;
    bool m_binaries_found = false;
    std::string m_reason;
    std::string m_initdb;
    std::string m_pg_ctl;
    std::string m_runuser;
    std::string m_dir;
    std::string m_data;
    int m_port = 0;
    double m_startup_seconds = 0;
    bool m_as_postgres = false;  // root: commands run as the user postgres
    uid_t m_owner_uid = 0;
    gid_t m_owner_gid = 0;
    mutable std::mutex m_server_mutex;
};

}  // namespace testing_support

// The name the PostgreSQL tests use.
namespace testsupport = testing_support;

// In a TEST body: skips (or, under TRACKERD_REQUIRE_POSTGRES=1 or when start-up failed, fails)
// the test unless the process's PostgreSQL cluster is up. Needs <gtest/gtest.h>.
#define TRACKERD_PG_OR_SKIP()                                                         \
    do {                                                                              \
        auto& trackerd_pg_cluster_ = ::testing_support::PgCluster::shared();          \
        if (!trackerd_pg_cluster_.available()) {                                      \
            if (trackerd_pg_cluster_.unavailable_is_failure())                        \
                FAIL() << "PostgreSQL: " << trackerd_pg_cluster_.skip_reason();       \
            else                                                                      \
                GTEST_SKIP() << "PostgreSQL: " << trackerd_pg_cluster_.skip_reason(); \
        }                                                                             \
    } while (0)
