// trackerd under kill -9: the real binary (a child process on a temporary config and SQLite
// file, listening on 127.0.0.1 port 0) takes signed Slack events and slash commands from several
// keep-alive connections at once, while a fake Slack on 127.0.0.1 plays the Web API its replies
// go to. The daemon is killed with SIGKILL at random points and restarted on the same database;
// clients re-send what was not acknowledged with the same event_id and X-Slack-Retry-Num, as
// Slack does. Checked from the database:
//   - PRAGMA integrity_check is "ok" after every restart;
//   - every update acknowledged before a kill is in the progress log after the restart, and no
//     update is there twice (each carries a unique note, its marker);
//   - at the end every reply row was sent, no row is pending, and the fake received every reply
//     (duplicates, from a kill between the send and mark_sent, are counted and bounded).
//
// TRACKERD_KILL_ROUNDS=N (default 24) sets the number of kills, TRACKERD_KILL_SEED the seed
// (printed; a random one otherwise). The CI run takes about half a minute.

#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/demo_data.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_slack.h"
#include "tests/support/slack_traffic.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::FakeSlack;
using testing_support::TempDir;
using namespace testing_support::slack_traffic;

// One trackerd child process (tests/support/daemon_process.h) of the binary under test.
struct Daemon : testing_support::DaemonProcess {
    Daemon(const std::string& config_path, const std::string& log_path)
        : DaemonProcess(TRACKERD_BIN, config_path, log_path) {}
};

// The clients' shared view of the daemon: which port, if any, is up, and what was acked.
class Harness : public DeliveryLog {
public:
    void publish(int port) {
        {
            std::lock_guard lock(m_mutex);
            m_port = port;
            ++m_generation;
        }
        m_changed.notify_all();
    }
    void unpublish() { publish(0); }
    void stop_new_deliveries() {
        {
            std::lock_guard lock(m_mutex);
            m_stop_new = true;
        }
        m_changed.notify_all();
    }
    void quit() {
        {
            std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_changed.notify_all();
    }

    // Blocks until there is a daemon to talk to and something to send; false to quit.
    bool wait_for_work(bool has_pending, int* port, int* generation) {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_quit || (m_port != 0 && (has_pending || !m_stop_new)); });
        if (m_quit) return false;
        *port = m_port;
        *generation = m_generation;
        return true;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_port = 0;            // Guarded by m_mutex. 0 = no daemon up.
    int m_generation = 0;      // Guarded by m_mutex. Changes with every publish.
    bool m_stop_new = false;   // Guarded by m_mutex.
    bool m_quit = false;       // Guarded by m_mutex.
};

// One client thread: its own keep-alive connection, re-made after each restart; re-sends the
// oldest unacknowledged delivery before making a new one.
void run_client(Harness& harness, int index, std::uint64_t seed, const std::string& response_url) {
    std::mt19937_64 random(seed + 7919 * static_cast<std::uint64_t>(index + 1));
    std::unique_ptr<httplib::Client> client;
    int client_generation = -1;
    std::deque<Delivery> pending;
    int sequence = 0;
    for (;;) {
        int port = 0, generation = 0;
        if (!harness.wait_for_work(!pending.empty(), &port, &generation)) return;
        if (generation != client_generation) {
            client = std::make_unique<httplib::Client>("127.0.0.1", port);
            client->set_keep_alive(true);
            client->set_connection_timeout(1, 0);
            client->set_read_timeout(10, 0);
            client_generation = generation;
        }
        if (pending.empty()) {
            Delivery fresh = new_delivery(index, ++sequence, random, "EvCRASH");
            harness.created(fresh);
            pending.push_back(fresh);
        }
        Delivery& delivery = pending.front();
        ++delivery.attempts;
        const SignedRequest request = signed_request(index, delivery, response_url);
        const httplib::Headers headers(request.headers.begin(), request.headers.end());
        const std::string& path = request.path;
        auto result = client->Post(path, headers, request.body, request.content_type);
        if (result && result->status >= 200 && result->status < 300) {
            // A slash command seen before is answered 200 with an empty body (no second reply).
            if (delivery.slash && delivery.attempts > 1 && result->body.empty()) harness.duplicate_answered();
            harness.acked(delivery);
            pending.pop_front();
        } else if (result) {
            // A 5xx asks for a retry; anything else is a bug in the daemon or in this test.
            harness.failed(path + " answered " + std::to_string(result->status) + ": " + result->body,
                           result->status < 500);
            std::this_thread::sleep_for(5ms);
        } else {
            harness.failed("transport: " + httplib::to_string(result.error()), false);
            std::this_thread::sleep_for(5ms);  // the daemon is down; the harness republishes
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 20));
    }
}

// A read connection to the daemon's database, next to the running daemon (WAL).
class Inspector {
public:
    explicit Inspector(const std::string& path) : m_db(path, SQLite::OPEN_READWRITE) { m_db.setBusyTimeout(10000); }

    std::string integrity() { return m_db.execAndGet("PRAGMA integrity_check").getString(); }

    // How many times each marker is in the progress log.
    std::map<std::string, int> markers() {
        std::map<std::string, int> counts;
        SQLite::Statement query(m_db, "SELECT actual_content, count(*) FROM progress_log WHERE action = 'note' "
                                      "AND actual_content LIKE 'ck-%' GROUP BY actual_content");
        while (query.executeStep()) counts[query.getColumn(0).getString()] = query.getColumn(1).getInt();
        return counts;
    }

    int count(const std::string& sql) { return m_db.execAndGet(sql).getInt(); }

    // dedup_key -> state for the reply rows.
    std::map<std::string, std::string> replies() {
        std::map<std::string, std::string> rows;
        SQLite::Statement query(m_db, "SELECT dedup_key, state FROM outbox WHERE kind = 'reply'");
        while (query.executeStep()) rows[query.getColumn(0).getString()] = query.getColumn(1).getString();
        return rows;
    }

private:
    SQLite::Database m_db;
};

class CrashConsistencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_db = m_dir.file("trackerd.db");
        ASSERT_EQ(testing_support::import_demo(m_db, now_unix()), "");
        m_config = m_dir.file("trackerd.json");
        {
            std::ofstream out(m_config, std::ios::binary);
            out << config_json(m_db, m_slack.api_base());
        }
        ::chmod(m_config.c_str(), 0600);
    }

    std::unique_ptr<Daemon> spawn(int round) {
        (void)round;
        auto daemon = std::make_unique<Daemon>(m_config, m_dir.file("trackerd.log"));
        EXPECT_TRUE(daemon->spawned()) << "cannot spawn " << TRACKERD_BIN;
        return daemon;
    }

    TempDir m_dir;
    std::string m_db;
    std::string m_config;
    FakeSlack m_slack{k_token};
};

TEST_F(CrashConsistencyTest, KilledAtRandomPointsLosesNoAcknowledgedUpdateAppliesNoneTwiceAndSendsEveryReply) {
    const int rounds = static_cast<int>(env_number("TRACKERD_KILL_ROUNDS", 24));
    std::uint64_t seed = static_cast<std::uint64_t>(env_number("TRACKERD_KILL_SEED", 0));
    if (seed == 0) seed = std::random_device{}();
    std::printf("crash test: %d kills, seed %llu (TRACKERD_KILL_SEED=%llu reproduces the schedule)\n", rounds,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
    std::fflush(stdout);
    std::mt19937_64 random(seed);
    const auto started = std::chrono::steady_clock::now();

    Harness harness;
    std::vector<std::jthread> clients;
    for (size_t i = 0; i < writers().size(); ++i)
        clients.emplace_back(run_client, std::ref(harness), static_cast<int>(i), seed, m_slack.response_url("T0/1/x"));
    // On every way out (a failed ASSERT too) the clients are told to quit before they are joined.
    struct QuitOnExit {
        Harness& harness;
        ~QuitOnExit() { harness.quit(); }
    } quit_on_exit{harness};

    int kills = 0, early_kills = 0;
    std::vector<std::string> acked_before_kill;
    for (int round = 0; round < rounds && !HasFatalFailure(); ++round) {
        auto daemon = spawn(round);
        if (random() % 6 == 0) {
            // Killed while starting: opening the database, migrating, syncing people.
            std::this_thread::sleep_for(std::chrono::milliseconds(random() % 40));
            ASSERT_FALSE(daemon->exited()) << "trackerd exited by itself:\n" << daemon->log_tail();
            daemon->kill_and_reap(SIGKILL);
            ++kills;
            ++early_kills;
            continue;
        }
        const int port = daemon->wait_for_port(10s);
        ASSERT_NE(port, 0) << "round " << round << ": trackerd did not start:\n" << daemon->log_tail();
        {
            Inspector inspector(m_db);
            ASSERT_EQ(inspector.integrity(), "ok") << "round " << round;
            expect_acked_applied_once(inspector.markers(), acked_before_kill, "round " + std::to_string(round));
        }
        harness.publish(port);
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 900));
        ASSERT_FALSE(daemon->exited()) << "round " << round << ": trackerd exited by itself:\n" << daemon->log_tail();
        daemon->kill_and_reap(SIGKILL);
        harness.unpublish();
        ++kills;
        ASSERT_TRUE(WIFSIGNALED(daemon->status()) && WTERMSIG(daemon->status()) == SIGKILL);
        acked_before_kill = harness.acked_markers();
    }

    // The last start: no kill. Clients re-send what is still unacknowledged, the outbox drains.
    auto daemon = spawn(rounds);
    const int port = daemon->wait_for_port(10s);
    ASSERT_NE(port, 0) << "trackerd did not start:\n" << daemon->log_tail();
    Inspector inspector(m_db);
    ASSERT_EQ(inspector.integrity(), "ok");
    expect_acked_applied_once(inspector.markers(), acked_before_kill, "round " + std::to_string(rounds));
    harness.stop_new_deliveries();
    harness.publish(port);
    const auto deadline = std::chrono::steady_clock::now() + 120s;
    while (harness.unacked() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    ASSERT_EQ(harness.unacked(), 0) << "deliveries never acknowledged";
    const std::string k_pending = "SELECT count(*) FROM outbox WHERE state = 'pending'";
    while (inspector.count(k_pending) > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    harness.quit();
    clients.clear();
    daemon->kill_and_reap(SIGTERM);
    EXPECT_TRUE(WIFEXITED(daemon->status()) && WEXITSTATUS(daemon->status()) == 0) << daemon->log_tail();

    // Every update applied exactly once.
    const auto deliveries = harness.deliveries();
    const auto counts = inspector.markers();
    std::vector<std::string> all_acked = harness.acked_markers();
    ASSERT_EQ(all_acked.size(), deliveries.size());
    expect_acked_applied_once(counts, all_acked, "at the end");
    EXPECT_EQ(counts.size(), deliveries.size()) << "the progress log holds markers nobody sent";
    EXPECT_EQ(inspector.integrity(), "ok");

    // Every reply sent, none pending, every one received by the fake (maybe more than once).
    EXPECT_EQ(inspector.count(k_pending), 0);
    EXPECT_EQ(inspector.count("SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
    const ReplyTally tally = expect_every_reply_sent(deliveries, inspector.replies(), m_slack.messages());
    const int events = tally.events, duplicates = tally.duplicates;
    EXPECT_LE(duplicates, kills * k_max_in_flight_per_kill);
    for (const auto& why : harness.unexpected()) ADD_FAILURE() << "unexpected answer: " << why;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    // Re-sent events the daemon had already applied before it was killed (its log says so).
    const std::string log = testing_support::read_file(m_dir.file("trackerd.log"));
    int event_duplicates = 0;
    for (size_t at = log.find("duplicate delivery"); at != std::string::npos; at = log.find("duplicate delivery", at + 1))
        ++event_duplicates;
    std::printf("crash test: seed %llu, %.1f s, %d kills (%d while starting)\n"
                "  %zu updates acknowledged (%d events, %zu slash commands), each applied exactly once\n"
                "  %d failed deliveries re-sent; %d acknowledged only after a re-send, of which %d had been applied "
                "before the kill (%d events, %d slash commands: answered as duplicates)\n"
                "  %d replies all sent, received %d times by the fake Slack: %d duplicates\n",
                static_cast<unsigned long long>(seed), seconds, kills, early_kills, all_acked.size(), events,
                deliveries.size() - static_cast<size_t>(events), harness.failures(), harness.acked_after_resend(),
                event_duplicates + harness.duplicates_answered(), event_duplicates, harness.duplicates_answered(),
                events, events + duplicates, duplicates);
}

}  // namespace
