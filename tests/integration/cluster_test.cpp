// trackerd as a cluster under kill -9: three replicas of the real binary (child processes, all on
// one config file, each on 127.0.0.1 port 0) share one PostgreSQL database (the test process's
// throw-away server, tests/support/pg_cluster.h), as crash_test.cpp runs one daemon on a SQLite
// file. Eight client threads send signed Slack events and slash commands, each carrying a unique
// marker, over keep-alive connections, client i to replica i % 3. A delivery that got no 2xx
// (its replica was killed: connection refused or reset; or a 5xx) is re-sent to another live
// replica with the same event_id / trigger_id and X-Slack-Retry-Num, as Slack does; and some
// acknowledged ones are sent again to another replica than the one that took them (Slack's
// retries), which must answer them as duplicates. A fake Slack on 127.0.0.1 takes the replies.
//
//   ThreeReplicasKilledAtRandom…: a random replica, every third time the scheduler's leader, is
//   killed with SIGKILL at random intervals (sometimes again while it starts) and restarted on
//   the same config. After every kill each marker acknowledged so far is in the progress log.
//   TRACKERD_CLUSTER_KILL_ROUNDS=N (default 6) kills, TRACKERD_CLUSTER_KILL_SEED the seed
//   (printed; a random one otherwise).
//   PostgresRestartedUnderLoad…: the server is stopped as by a crash for 2 s: /readyz answers
//   503 and no request is acknowledged while it is down; after it starts, every replica is ready
//   again by itself.
//
// At the end of both, read through store::Store: every acknowledged marker is in the progress log
// exactly once and no marker is there twice; no outbox row is pending or dead, every reply row
// was sent and the fake received every reply (duplicates, from a kill between the send and
// mark_sent, counted and bounded).
//
// A replica killed holding an outbox lease keeps that destination from the others until the
// lease ends (OutboxWorkerOptions::lease, 30 s; a restarted replica is another holder), so
// the last replies can wait that long after the last kill: most of the first test's ~40 s.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/store/store.h"
#include "tests/support/daemon_process.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_slack.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/slack_traffic.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using namespace testing_support::slack_traffic;
using testing_support::FakeSlack;
using testing_support::PgCluster;
using testing_support::TempDir;

constexpr int k_replicas = 3;
// Chats bound to the demo project. Not crash_test's 256: the scheduler's pass is one write
// transaction over every chat (bot/schedule/scheduler.cpp, run_project), which on PostgreSQL holds
// the cluster's write lock ~7 s for 256 chats here, so that the other replicas' writes give up
// after their 5 s lock_timeout and a replica starting meanwhile exits (55P03).
// TRACKERD_CLUSTER_CHATS=256 shows it.
int chats() {
    static const int k_chats = static_cast<int>(std::clamp(env_number("TRACKERD_CLUSTER_CHATS", 48), 1LL, 999LL));
    return k_chats;
}

struct Daemon : testing_support::DaemonProcess {
    Daemon(const std::string& config_path, const std::string& log_path)
        : DaemonProcess(TRACKERD_BIN, config_path, log_path) {}
};

// A delivery as one client tracks it: which replicas it went to, and whether it is a deliberate
// second sending of one already acknowledged.
struct Attempt {
    Delivery delivery;
    int first_slot = -1;
    int last_slot = -1;
    bool replay = false;
};

// The clients' shared view of the cluster: which replicas are up (a port per slot, 0 = down),
// what was acknowledged (DeliveryLog), the deliberate retries, and the database outage.
class Cluster : public DeliveryLog {
    // Each a change, a count or a read under m_mutex; set() wakes the waiting clients.
    template <typename F>
    void set(F change) {
        {
            std::lock_guard lock(m_mutex);
            change();
        }
        m_changed.notify_all();
    }
    template <typename F>
    void count(F change) {
        std::lock_guard lock(m_mutex);
        change();
    }
    template <typename F>
    auto read(F get) const {
        std::lock_guard lock(m_mutex);
        return get();
    }

public:
    struct Target {
        int slot = 0;
        int port = 0;
        int generation = 0;
    };

    void publish(int slot, int port) {
        {
            std::lock_guard lock(m_mutex);
            m_ports[slot] = port;
            ++m_generations[slot];
        }
        m_changed.notify_all();
    }
    void stop_new_deliveries() { set([this] { m_stop_new = true; }); }
    void quit() { set([this] { m_quit = true; }); }

    // Blocks until a replica is up and there is something to send; false to quit. The target is
    // `preferred` when it is up and not `avoid`, else another live replica than `avoid`, and
    // `avoid` only when it is the only one up.
    bool wait_for_work(bool has_work, int preferred, int avoid, Target* target) {
        std::unique_lock lock(m_mutex);
        auto any_up = [&] {
            for (int port : m_ports)
                if (port != 0) return true;
            return false;
        };
        m_changed.wait(lock, [&] { return m_quit || ((has_work || !m_stop_new) && any_up()); });
        if (m_quit) return false;
        int slot = -1;
        for (int k = 0; k < k_replicas && slot < 0; ++k) {
            const int candidate = (preferred + k) % k_replicas;
            if (m_ports[candidate] != 0 && candidate != avoid) slot = candidate;
        }
        if (slot < 0) slot = avoid;
        *target = {slot, m_ports[slot], m_generations[slot]};
        return true;
    }

    void replay_queued() { count([this] { ++m_replays_outstanding; }); }
    // An acknowledged delivery sent again got a 2xx: `duplicate` when the answer says so.
    void replay_answered(const Delivery& delivery, bool duplicate) {
        std::lock_guard lock(m_mutex);
        --m_replays_outstanding;
        if (!delivery.slash) m_replayed_events.push_back(delivery.id);
        else if (duplicate) ++m_replayed_slash;
        else m_applied_again.push_back(delivery.id);
    }
    void acked_elsewhere() { count([this] { ++m_acked_elsewhere; }); }
    // Outstanding: unacknowledged deliveries plus deliberate retries not yet answered.
    int outstanding() const {
        std::lock_guard lock(m_mutex);
        return unacked() + m_replays_outstanding;
    }

    // The outage: the test calls outage_began() once the server is down and outage_ends() before
    // it starts it again; a request sent and answered in between saw no database.
    void outage_began() { m_outage_epoch.fetch_add(1); }
    void outage_ends() { m_outage_epoch.fetch_add(1); }
    int outage_epoch() const { return m_outage_epoch.load(); }
    void answered_in_outage(const std::string& what, bool acknowledged) {
        std::lock_guard lock(m_mutex);
        if (acknowledged) m_acked_in_outage.push_back(what);
        else ++m_refused_in_outage;
    }

    std::vector<std::string> replayed_events() const { return read([this] { return m_replayed_events; }); }
    std::vector<std::string> applied_again() const { return read([this] { return m_applied_again; }); }
    std::vector<std::string> acked_in_outage() const { return read([this] { return m_acked_in_outage; }); }
    int replayed_slash() const { return read([this] { return m_replayed_slash; }); }
    int acked_elsewhere_count() const { return read([this] { return m_acked_elsewhere; }); }
    int refused_in_outage() const { return read([this] { return m_refused_in_outage; }); }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    std::array<int, k_replicas> m_ports{};        // Guarded by m_mutex. 0 = down.
    std::array<int, k_replicas> m_generations{};  // Guarded by m_mutex. Changes with every publish.
    bool m_stop_new = false;                      // Guarded by m_mutex.
    bool m_quit = false;                          // Guarded by m_mutex.
    int m_replays_outstanding = 0;                // Guarded by m_mutex.
    std::vector<std::string> m_replayed_events;   // Guarded by m_mutex. Answered 2xx.
    int m_replayed_slash = 0;                     // Guarded by m_mutex. Answered as duplicates.
    std::vector<std::string> m_applied_again;     // Guarded by m_mutex. Slash retries answered in full.
    int m_acked_elsewhere = 0;                    // Guarded by m_mutex. Not by the first one tried.
    int m_refused_in_outage = 0;                  // Guarded by m_mutex.
    std::vector<std::string> m_acked_in_outage;   // Guarded by m_mutex.
    std::atomic<int> m_outage_epoch{0};           // Odd while the database is down.
};

// One client thread: a keep-alive connection per replica, re-made when the replica restarts;
// re-sends the oldest unacknowledged delivery, then a deliberate retry, before a new delivery.
void run_client(Cluster& cluster, int index, std::uint64_t seed, const std::string& response_url) {
    std::mt19937_64 random(seed + 7919 * static_cast<std::uint64_t>(index + 1));
    std::array<std::unique_ptr<httplib::Client>, k_replicas> clients;
    std::array<int, k_replicas> generations{-1, -1, -1};
    std::deque<Attempt> pending;  // not acknowledged yet, oldest first
    std::deque<Attempt> replays;  // acknowledged, to be sent again to another replica
    int sequence = 0;
    for (;;) {
        Attempt* next = !pending.empty() ? &pending.front() : !replays.empty() ? &replays.front() : nullptr;
        Cluster::Target target;
        if (!cluster.wait_for_work(next != nullptr, index % k_replicas, next ? next->last_slot : -1, &target)) return;
        if (next == nullptr) {
            pending.push_back({new_delivery(index, ++sequence, random, "EvCLUSTER", chats()), -1, -1, false});
            cluster.created(pending.back().delivery);
            next = &pending.back();
        }
        auto& client = clients[static_cast<size_t>(target.slot)];
        if (generations[static_cast<size_t>(target.slot)] != target.generation) {
            client = std::make_unique<httplib::Client>("127.0.0.1", target.port);
            client->set_keep_alive(true);
            client->set_connection_timeout(1, 0);
            client->set_read_timeout(10, 0);
            generations[static_cast<size_t>(target.slot)] = target.generation;
        }
        Delivery& delivery = next->delivery;
        ++delivery.attempts;
        if (next->first_slot < 0) next->first_slot = target.slot;
        next->last_slot = target.slot;
        const SignedRequest request = signed_request(index, delivery, response_url);
        const int epoch = cluster.outage_epoch();
        auto result = client->Post(request.path, httplib::Headers(request.headers.begin(), request.headers.end()),
                                   request.body, request.content_type);
        const bool ok = result && result->status >= 200 && result->status < 300;
        if (epoch % 2 == 1 && cluster.outage_epoch() == epoch)
            cluster.answered_in_outage(delivery.id + (next->replay ? " (sent again after its 2xx)" : ""), ok);
        if (ok && next->replay) {
            // A slash command seen before is answered 200 with an empty body (no second reply).
            cluster.replay_answered(delivery, result->body.empty());
            replays.pop_front();
        } else if (ok) {
            if (delivery.slash && delivery.attempts > 1 && result->body.empty()) cluster.duplicate_answered();
            cluster.acked(delivery);
            if (next->first_slot != target.slot) cluster.acked_elsewhere();
            if (random() % 4 == 0) {  // Slack retries it anyway: to another replica
                Attempt again = *next;
                again.replay = true;
                replays.push_back(again);
                cluster.replay_queued();
            }
            pending.pop_front();
        } else if (result) {
            // A 5xx asks for a retry; anything else is a bug in the daemon or in this test.
            cluster.failed(request.path + " answered " + std::to_string(result->status) + ": " + result->body,
                           result->status < 500);
            std::this_thread::sleep_for(5ms);
        } else {
            cluster.failed("transport: " + httplib::to_string(result.error()), false);
            std::this_thread::sleep_for(5ms);  // the replica is down; the next try goes elsewhere
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + random() % 20));
    }
}

// What /readyz answers: its status (0: no answer) and the scheduler check's detail.
struct Readiness {
    int status = 0;
    std::string scheduler;
};

Readiness readiness(int port) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(0, 300000);
    client.set_read_timeout(3, 0);
    auto result = client.Get("/readyz");
    if (!result) return {};
    Readiness answer{result->status, ""};
    const auto body = nlohmann::json::parse(result->body, nullptr, false);
    if (body.is_object() && body.contains("checks") && body["checks"].is_array())
        for (const auto& check : body["checks"])
            if (check.value("name", "") == "scheduler") answer.scheduler = check.value("detail", "");
    return answer;
}

// The database as the test reads it, through the Store the daemon uses (its own connection).
class Inspector {
public:
    explicit Inspector(const std::string& uri) {
        auto opened = store::Store::open(uri);
        if (opened) m_store = std::move(*opened);
        else ADD_FAILURE() << "cannot open " << uri << ": " << opened.error().message;
    }
    explicit operator bool() const { return m_store != nullptr; }

    // How many times each marker is in the progress log.
    std::map<std::string, int> markers() {
        std::map<std::string, int> counts;
        auto log = m_store->progress_log("P1", "");
        if (!log) {
            ADD_FAILURE() << "progress log: " << log.error().message;
            return counts;
        }
        for (const auto& entry : *log)
            if (entry.action == "note" && entry.actual_content.starts_with("ck-")) ++counts[entry.actual_content];
        return counts;
    }
    // dedup_key -> state for the reply rows.
    std::map<std::string, std::string> replies() {
        std::map<std::string, std::string> rows;
        auto all = m_store->outbox(std::nullopt, 0);
        if (!all) ADD_FAILURE() << "outbox: " << all.error().message;
        else
            for (const auto& row : *all)
                if (row.kind == "reply") rows[row.dedup_key] = store::to_string(row.state);
        return rows;
    }
    store::OutboxStats stats() {
        auto stats = m_store->outbox_stats();
        if (stats) return *stats;
        ADD_FAILURE() << "outbox stats: " << stats.error().message;
        return {};
    }

private:
    std::unique_ptr<store::Store> m_store;
};

class ClusterCrashTest : public ::testing::Test {
protected:
    void SetUp() override {
        TRACKERD_PG_OR_SKIP();
        m_uri = PgCluster::shared().create_database();
        ASSERT_EQ(testing_support::import_demo(m_uri, now_unix()), "");
        m_config = m_dir.file("trackerd.json");
        {
            std::ofstream out(m_config, std::ios::binary);
            out << config_json(m_uri, m_slack.api_base(), chats());
        }
        ::chmod(m_config.c_str(), 0600);
        m_seed = static_cast<std::uint64_t>(env_number("TRACKERD_CLUSTER_KILL_SEED", 0));
        if (m_seed == 0) m_seed = std::random_device{}();
        m_random.seed(m_seed);
        m_started = std::chrono::steady_clock::now();
    }
    void TearDown() override {
        m_cluster.quit();
        m_clients.clear();
        for (auto& replica : m_replicas) replica.reset();
        if (HasFailure() && !m_uri.empty()) keep_logs();
        // A failed run may leave the server stopped: the next test needs it.
        if (PgCluster::shared().available() && !PgCluster::shared().server_running()) PgCluster::shared().start_server();
    }

    // After a failure: the replicas' logs outlive the temporary folder, and the rows still pending are shown.
    void keep_logs() {
        const std::string kept = std::filesystem::temp_directory_path().string() + "/trackerd-cluster-test-" +
                                 std::to_string(::getpid()) + "-" + std::to_string(++m_kept);
        std::error_code ec;
        std::filesystem::create_directories(kept, ec);
        for (int slot = 0; slot < k_replicas; ++slot)
            std::filesystem::copy_file(log_path(slot), kept + "/replica-" + std::to_string(slot) + ".log", ec);
        std::printf("the replicas' logs are kept in %s (database %s)\n", kept.c_str(), m_uri.c_str());
        if (!PgCluster::shared().server_running()) return;
        auto opened = store::Store::open(m_uri);
        if (!opened) return;
        auto pending = (*opened)->outbox(store::OutboxState::pending, 20);
        if (!pending) return;
        for (const auto& row : *pending)
            std::printf("  pending outbox row %lld: %s %s %s, %d attempts, next at %lld (created %lld), %s\n", row.id,
                        row.kind.c_str(), row.channel.c_str(), row.destination.c_str(), row.attempts,
                        row.next_attempt_at, row.created_at, row.last_error.c_str());
    }

    std::string log_path(int slot) const { return m_dir.file("replica-" + std::to_string(slot) + ".log"); }

    // Starts replica `slot` (each slot appends to its own log) and returns its port; 0 when it
    // did not start.
    int start(int slot) {
        auto& replica = m_replicas[static_cast<size_t>(slot)];
        replica = std::make_unique<Daemon>(m_config, log_path(slot));
        EXPECT_TRUE(replica->spawned()) << "cannot spawn " << TRACKERD_BIN;
        return replica->wait_for_port(15s);
    }

    // Starts the three replicas and the eight clients.
    void start_cluster() {
        for (int slot = 0; slot < k_replicas; ++slot) m_replicas[static_cast<size_t>(slot)] =
            std::make_unique<Daemon>(m_config, log_path(slot));  // at once: they start side by side
        for (int slot = 0; slot < k_replicas; ++slot) {
            const int port = m_replicas[static_cast<size_t>(slot)]->wait_for_port(15s);
            ASSERT_NE(port, 0) << "replica " << slot << " did not start:\n" << m_replicas[slot]->log_tail();
            m_ports[static_cast<size_t>(slot)] = port;
            m_cluster.publish(slot, port);
        }
        for (size_t i = 0; i < writers().size(); ++i)
            m_clients.emplace_back(run_client, std::ref(m_cluster), static_cast<int>(i), m_seed,
                                   m_slack.response_url("T0/1/x"));
    }

    // The replica whose /readyz says it leads the scheduler; -1 when none says so.
    int leader() {
        for (int slot = 0; slot < k_replicas; ++slot)
            if (m_ports[static_cast<size_t>(slot)] != 0 &&
                readiness(m_ports[static_cast<size_t>(slot)]).scheduler == "leading")
                return slot;
        return -1;
    }

    std::string logs() const {
        std::string all;
        for (int slot = 0; slot < k_replicas; ++slot) all += testing_support::read_file(log_path(slot));
        return all;
    }

    // No new deliveries: waits until everything sent was acknowledged and the outbox drained,
    // stops the replicas (SIGTERM, a clean exit) and checks the database and the fake.
    void drain_and_check(int kills, const char* test) {
        m_cluster.stop_new_deliveries();
        // Rows behind a killed replica's leases wait out the lease (30 s) after the last kill.
        const auto deadline = std::chrono::steady_clock::now() + 90s;
        while (m_cluster.outstanding() > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        ASSERT_EQ(m_cluster.outstanding(), 0) << "deliveries never acknowledged";
        Inspector inspector(m_uri);
        ASSERT_TRUE(inspector);
        const auto drain_started = std::chrono::steady_clock::now();
        while (inspector.stats().pending > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(100ms);
        const double drain_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - drain_started).count();
        m_cluster.quit();
        m_clients.clear();
        for (int slot = 0; slot < k_replicas; ++slot) {
            auto& replica = *m_replicas[static_cast<size_t>(slot)];
            EXPECT_FALSE(replica.exited()) << "replica " << slot << " exited by itself:\n" << replica.log_tail();
            replica.kill_and_reap(SIGTERM);
            EXPECT_TRUE(WIFEXITED(replica.status()) && WEXITSTATUS(replica.status()) == 0) << replica.log_tail();
        }

        // Every update applied exactly once.
        const auto deliveries = m_cluster.deliveries();
        const auto counts = inspector.markers();
        const auto acked = m_cluster.acked_markers();
        ASSERT_EQ(acked.size(), deliveries.size());
        expect_acked_applied_once(counts, acked, "at the end");
        EXPECT_EQ(counts.size(), deliveries.size()) << "the progress log holds markers nobody sent";

        // Every reply sent, none pending or dead, every one received by the fake (maybe twice).
        const store::OutboxStats stats = inspector.stats();
        EXPECT_EQ(stats.pending, 0) << "outbox rows still pending after " << drain_seconds << " s";
        EXPECT_EQ(stats.dead, 0);
        const ReplyTally tally = expect_every_reply_sent(deliveries, inspector.replies(), m_slack.messages());
        EXPECT_LE(tally.duplicates, kills * k_max_in_flight_per_kill);

        // The deliberate retries: answered as duplicates, applied once (checked above).
        const std::string log = logs();
        int replayed_events = 0;
        for (const auto& id : m_cluster.replayed_events()) {
            ++replayed_events;
            EXPECT_NE(log.find("duplicate delivery " + id + " "), std::string::npos)
                << "the retry of acknowledged " << id << " was not answered as a duplicate";
        }
        for (const auto& id : m_cluster.applied_again())
            ADD_FAILURE() << "the retry of acknowledged " << id << " was answered as a new command";
        EXPECT_GT(replayed_events + m_cluster.replayed_slash(), 0) << "no acknowledged delivery was sent again";
        for (const auto& why : m_cluster.unexpected()) ADD_FAILURE() << "unexpected answer: " << why;

        int duplicates_logged = 0;
        for (size_t at = log.find("duplicate delivery"); at != std::string::npos;
             at = log.find("duplicate delivery", at + 1))
            ++duplicates_logged;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
        std::printf("%s: seed %llu, %.1f s (outbox drained %.1f s after the load)\n"
                    "  %zu updates acknowledged (%d events, %zu slash commands), each applied exactly once;\n"
                    "  %d failed deliveries re-sent, %d acknowledged only after a re-send (%d by another replica "
                    "than the first one tried), %d slash re-sends answered as duplicates\n"
                    "  %d acknowledged deliveries sent again to another replica (%d events, %d slash commands): "
                    "duplicates; %d duplicate events in the replicas' logs\n"
                    "  %d replies all sent, received %d times by the fake Slack: %d duplicates\n",
                    test, static_cast<unsigned long long>(m_seed), seconds, drain_seconds, acked.size(),
                    tally.events, deliveries.size() - static_cast<size_t>(tally.events), m_cluster.failures(),
                    m_cluster.acked_after_resend(), m_cluster.acked_elsewhere_count(),
                    m_cluster.duplicates_answered(), replayed_events + m_cluster.replayed_slash(), replayed_events,
                    m_cluster.replayed_slash(), duplicates_logged, tally.events, tally.events + tally.duplicates,
                    tally.duplicates);
        std::fflush(stdout);
    }

    TempDir m_dir;
    FakeSlack m_slack{k_token};
    std::string m_uri;
    std::string m_config;
    std::uint64_t m_seed = 0;
    std::mt19937_64 m_random;
    std::chrono::steady_clock::time_point m_started;
    std::array<std::unique_ptr<Daemon>, k_replicas> m_replicas;
    std::array<int, k_replicas> m_ports{};
    Cluster m_cluster;
    std::vector<std::jthread> m_clients;  // joined before the cluster and the replicas go
    static inline int m_kept = 0;
};

TEST_F(ClusterCrashTest, ThreeReplicasKilledAtRandomLoseNoAcknowledgedUpdateAndApplyNoneTwice) {
    const int rounds = static_cast<int>(env_number("TRACKERD_CLUSTER_KILL_ROUNDS", 6));
    std::printf("cluster test: %d kills, %d chats, seed %llu (TRACKERD_CLUSTER_KILL_SEED=%llu reproduces the "
                "schedule)\n",
                rounds, chats(), static_cast<unsigned long long>(m_seed), static_cast<unsigned long long>(m_seed));
    std::fflush(stdout);
    start_cluster();
    if (HasFatalFailure()) return;

    int kills = 0, early_kills = 0, leader_kills = 0;
    std::set<int> victims;
    for (int round = 0; round < rounds && !HasFatalFailure(); ++round) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100 + m_random() % 500));
        // Every third kill is the scheduler's leader's (while one says it leads).
        const int leading = round % 3 == 0 ? leader() : -1;
        const int victim = leading >= 0 ? leading : static_cast<int>(m_random() % k_replicas);
        auto& replica = m_replicas[static_cast<size_t>(victim)];
        ASSERT_FALSE(replica->exited()) << "replica " << victim << " exited by itself:\n" << replica->log_tail();
        replica->kill_and_reap(SIGKILL);
        m_cluster.publish(victim, 0);
        m_ports[static_cast<size_t>(victim)] = 0;
        ASSERT_TRUE(WIFSIGNALED(replica->status()) && WTERMSIG(replica->status()) == SIGKILL);
        ++kills;
        if (leading >= 0) ++leader_kills;
        victims.insert(victim);
        {  // Everything acknowledged so far, by any replica, is stored once.
            const auto acked = m_cluster.acked_markers();
            Inspector inspector(m_uri);
            ASSERT_TRUE(inspector);
            expect_acked_applied_once(inspector.markers(), acked, "after kill " + std::to_string(kills));
        }
        if (m_random() % 5 == 0) {
            // Killed again while starting: opening the database, syncing the config's people.
            replica = std::make_unique<Daemon>(m_config, log_path(victim));
            std::this_thread::sleep_for(std::chrono::milliseconds(m_random() % 60));
            ASSERT_FALSE(replica->exited()) << "replica " << victim << " exited by itself:\n" << replica->log_tail();
            replica->kill_and_reap(SIGKILL);
            ++kills;
            ++early_kills;
        }
        const int port = start(victim);
        ASSERT_NE(port, 0) << "replica " << victim << " did not restart:\n" << replica->log_tail();
        m_ports[static_cast<size_t>(victim)] = port;
        m_cluster.publish(victim, port);
    }
    if (HasFatalFailure()) return;
    if (rounds > 0) {
        EXPECT_GE(leader_kills, 1) << "the scheduler's leader was never killed";
        EXPECT_GT(m_cluster.acked_elsewhere_count(), 0) << "no delivery was re-sent to another replica";
    }
    std::printf("cluster test: %d kills (%d of the scheduler's leader, %d while starting), replicas %s killed\n",
                kills, leader_kills, early_kills, victims.size() == k_replicas ? "all" : "not all");
    drain_and_check(kills, "cluster test");
}

TEST_F(ClusterCrashTest, PostgresRestartedUnderLoadRepliesRecoverAndAcknowledgeNothingUnstored) {
    start_cluster();
    if (HasFatalFailure()) return;
    PgCluster& pg = PgCluster::shared();
    const auto loaded_by = std::chrono::steady_clock::now() + 10s;
    while (m_cluster.acked_markers().size() < 40 && std::chrono::steady_clock::now() < loaded_by)
        std::this_thread::sleep_for(20ms);
    ASSERT_GE(m_cluster.acked_markers().size(), 40u) << "the cluster took no load";

    pg.stop_server(PgCluster::StopMode::immediate);
    m_cluster.outage_began();
    // While it is down: not ready, and nothing acknowledged (the clients check every answer).
    const auto down_since = std::chrono::steady_clock::now();
    int polls = 0, not_ready = 0;
    while (std::chrono::steady_clock::now() - down_since < 2s) {
        const Readiness ready = readiness(m_ports[static_cast<size_t>(polls % k_replicas)]);
        ++polls;
        if (ready.status == 503) ++not_ready;
        else ADD_FAILURE() << "replica " << (polls - 1) % k_replicas << " answered /readyz " << ready.status
                           << " with the database down";
        std::this_thread::sleep_for(100ms);
    }
    m_cluster.outage_ends();
    const auto acked_before_restart = m_cluster.acked_markers();
    pg.start_server();
    const auto restarted = std::chrono::steady_clock::now();

    // Every replica ready again by itself.
    std::array<double, k_replicas> ready_after{};
    for (int slot = 0; slot < k_replicas; ++slot) {
        while (readiness(m_ports[static_cast<size_t>(slot)]).status != 200 &&
               std::chrono::steady_clock::now() - restarted < 20s)
            std::this_thread::sleep_for(50ms);
        ready_after[static_cast<size_t>(slot)] =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - restarted).count();
        ASSERT_EQ(readiness(m_ports[static_cast<size_t>(slot)]).status, 200)
            << "replica " << slot << " not ready 20 s after the database came back:\n"
            << m_replicas[static_cast<size_t>(slot)]->log_tail();
    }
    {
        Inspector inspector(m_uri);
        ASSERT_TRUE(inspector);
        expect_acked_applied_once(inspector.markers(), acked_before_restart, "after the restart");
    }
    EXPECT_GT(not_ready, 0);
    EXPECT_GT(m_cluster.refused_in_outage(), 0) << "no request reached a replica while the database was down";
    for (const auto& what : m_cluster.acked_in_outage())
        ADD_FAILURE() << what << " was acknowledged while the database was down";
    std::printf("database outage: /readyz 503 %d times of %d; %d requests refused while down; ready again after "
                "%.1f, %.1f, %.1f s\n",
                not_ready, polls, m_cluster.refused_in_outage(), ready_after[0], ready_after[1], ready_after[2]);
    std::this_thread::sleep_for(1s);  // load after the restart too
    // Every replica's outbox may have had k_max_in_flight_per_kill rows sent but not marked sent.
    drain_and_check(k_replicas, "database outage test");
}

}  // namespace
