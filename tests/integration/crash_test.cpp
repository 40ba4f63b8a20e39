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

#include "adapters/common/crypto.h"
#include "tests/support/demo_data.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::FakeSlack;
using testing_support::TempDir;

constexpr const char* k_secret = "crash-signing-secret-0123456789ab";
constexpr const char* k_token = "xoxb-crash-test";
constexpr const char* k_bot_user = "U0LAN0Z89";
constexpr int k_channels = 256;  // replies are paced 1/s per channel: spread them
// The outbox worker sends to at most this many destinations at once, so one kill can leave at
// most this many rows sent but not yet marked sent.
constexpr int k_max_in_flight_per_kill = 8;

long long env_number(const char* name, long long fallback) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return fallback;
    return std::strtoll(value, nullptr, 10);
}

std::string channel_id(int index) {
    char id[16];
    std::snprintf(id, sizeof id, "C0CRASH%03d", index);
    return id;
}

// The task each client thread updates, and its owner's Slack id (the demo campaign's owners).
struct Writer {
    std::string task;
    std::string person;
    std::string slack_id;
    bool slash = false;  // slash commands instead of Events API app_mentions
};

const std::vector<Writer>& writers() {
    static const std::vector<Writer> k_writers{
        {"T001", "小李", "U0XIAOLI1", true},
        {"T002", "小王", "U0XIAOWA1", false},
        {"T003", "小明", "U061F7AUR", false},
        {"T004", "小张", "U0XIAOZH1", false},
        {"T005", "小陈", "U0XIAOCH1", true},
        {"T003", "小明", "U061F7AUR", false},
        {"T002", "小王", "U0XIAOWA1", false},
        {"T004", "小张", "U0XIAOZH1", true},
    };
    return k_writers;
}

std::string config_json(const std::string& db, const std::string& api_base) {
    json people = json::array();
    std::set<std::string> listed;
    for (const auto& writer : writers()) {
        if (listed.insert(writer.person).second)
            people.push_back({{"id", writer.person}, {"name", writer.person}, {"slack", writer.slack_id}});
    }
    json chats = json::array();
    for (int i = 0; i < k_channels; ++i)
        chats.push_back({{"platform", "slack"}, {"chat_id", channel_id(i)}, {"projects", {"P1"}}});
    json config = {
        {"listen", "127.0.0.1:0"},
        {"database", db},
        {"timezone", "Asia/Shanghai"},
        {"people", people},
        {"chats", chats},
        {"slack",
         {{"signing_secret", k_secret}, {"bot_token", k_token}, {"bot_user_id", k_bot_user}, {"api_base", api_base}}},
        // Far above what the clients send: this test is about durability, not the limits.
        {"limits", {{"commands_per_minute_per_person", 100000}, {"commands_per_minute_per_chat", 100000}}},
        {"log", {{"level", "info"}}},
    };
    return config.dump(2);
}

std::string form_encode(const std::string& text) {
    static const char* k_hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

long long now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One trackerd child process (tests/support/daemon_process.h) of the binary under test.
struct Daemon : testing_support::DaemonProcess {
    Daemon(const std::string& config_path, const std::string& log_path)
        : DaemonProcess(TRACKERD_BIN, config_path, log_path) {}
};

// One update sent as a Slack event or slash command; `marker` is its unique note.
struct Delivery {
    std::string id;  // event_id, or the slash command's trigger_id
    std::string marker;
    std::string channel;
    std::string ts;  // the event's ts: the reply's thread_ts (events only)
    bool slash = false;
    int attempts = 0;
};

// The clients' shared view of the daemon: which port, if any, is up, and what was acked.
class Harness {
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

    void created(const Delivery& delivery) {
        std::lock_guard lock(m_mutex);
        m_all.push_back(delivery);
        ++m_unacked;
    }
    void acked(const Delivery& delivery) {
        std::lock_guard lock(m_mutex);
        m_acked.push_back(delivery.marker);
        if (delivery.attempts > 1) ++m_acked_after_resend;
        --m_unacked;
    }
    void duplicate_answered() {
        std::lock_guard lock(m_mutex);
        ++m_duplicates_answered;
    }
    int duplicates_answered() const {
        std::lock_guard lock(m_mutex);
        return m_duplicates_answered;
    }
    void failed(const std::string& why, bool unexpected) {
        std::lock_guard lock(m_mutex);
        ++m_failures;
        if (unexpected && m_unexpected.size() < 20) m_unexpected.push_back(why);
    }

    std::vector<std::string> acked_markers() const {
        std::lock_guard lock(m_mutex);
        return m_acked;
    }
    std::vector<Delivery> deliveries() const {
        std::lock_guard lock(m_mutex);
        return m_all;
    }
    int unacked() const {
        std::lock_guard lock(m_mutex);
        return m_unacked;
    }
    int failures() const {
        std::lock_guard lock(m_mutex);
        return m_failures;
    }
    int acked_after_resend() const {
        std::lock_guard lock(m_mutex);
        return m_acked_after_resend;
    }
    std::vector<std::string> unexpected() const {
        std::lock_guard lock(m_mutex);
        return m_unexpected;
    }

private:
    mutable std::mutex m_mutex;
    std::condition_variable m_changed;
    int m_port = 0;            // Guarded by m_mutex. 0 = no daemon up.
    int m_generation = 0;      // Guarded by m_mutex. Changes with every publish.
    bool m_stop_new = false;   // Guarded by m_mutex.
    bool m_quit = false;       // Guarded by m_mutex.
    std::vector<Delivery> m_all;         // Guarded by m_mutex.
    std::vector<std::string> m_acked;    // Guarded by m_mutex.
    int m_unacked = 0;                   // Guarded by m_mutex.
    int m_failures = 0;                  // Guarded by m_mutex.
    int m_acked_after_resend = 0;        // Guarded by m_mutex.
    int m_duplicates_answered = 0;       // Guarded by m_mutex.
    std::vector<std::string> m_unexpected;  // Guarded by m_mutex.
};

std::string sign(const std::string& timestamp, const std::string& body) {
    return "v0=" + adapters::to_hex(adapters::hmac_sha256(k_secret, "v0:" + timestamp + ":" + body));
}

// One client thread: its own keep-alive connection, re-made after each restart; re-sends the
// oldest unacknowledged delivery before making a new one.
void run_client(Harness& harness, int index, std::uint64_t seed, const std::string& response_url) {
    const Writer& writer = writers()[index];
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
            Delivery fresh;
            ++sequence;
            fresh.marker = "ck-" + std::to_string(index) + "-" + std::to_string(sequence);
            fresh.slash = writer.slash;
            fresh.id = (writer.slash ? "trig." : "EvCRASH") + std::to_string(index) + "x" + std::to_string(sequence);
            fresh.channel = channel_id(static_cast<int>(random() % k_channels));
            char ts[40];
            std::snprintf(ts, sizeof ts, "%lld.%06d", now_unix(), index * 100000 + sequence % 100000);
            fresh.ts = ts;
            harness.created(fresh);
            pending.push_back(fresh);
        }
        Delivery& delivery = pending.front();
        ++delivery.attempts;
        const std::string text = "note " + writer.task + " " + delivery.marker;
        std::string body;
        std::string path;
        std::string content_type;
        if (delivery.slash) {
            path = "/slack/commands";
            content_type = "application/x-www-form-urlencoded";
            body = "token=x&team_id=T0CRASH&team_domain=crash&channel_id=" + delivery.channel +
                   "&channel_name=crash&user_id=" + writer.slack_id + "&user_name=" + form_encode(writer.person) +
                   "&command=%2Ftrack&text=" + form_encode(text) + "&api_app_id=A0CRASH" +
                   "&response_url=" + form_encode(response_url) + "&trigger_id=" + delivery.id;
        } else {
            path = "/slack/events";
            content_type = "application/json";
            body = json{{"token", "x"},
                        {"team_id", "T0CRASH"},
                        {"api_app_id", "A0CRASH"},
                        {"event",
                         {{"type", "app_mention"},
                          {"user", writer.slack_id},
                          {"text", std::string("<@") + k_bot_user + "> " + text},
                          {"ts", delivery.ts},
                          {"channel", delivery.channel},
                          {"event_ts", delivery.ts}}},
                        {"type", "event_callback"},
                        {"event_id", delivery.id},
                        {"event_time", now_unix()}}
                       .dump();
        }
        const std::string timestamp = std::to_string(now_unix());
        httplib::Headers headers{{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", sign(timestamp, body)}};
        if (delivery.attempts > 1) {
            headers.emplace("X-Slack-Retry-Num", std::to_string(delivery.attempts - 1));
            headers.emplace("X-Slack-Retry-Reason", "http_error");
        }
        auto result = client->Post(path, headers, body, content_type);
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

// Every marker acknowledged before the kill is in the log exactly once; none is there twice.
void expect_acked_applied_once(Inspector& inspector, const std::vector<std::string>& acked, int round) {
    const auto counts = inspector.markers();
    int missing = 0;
    for (const auto& marker : acked) {
        const auto found = counts.find(marker);
        if (found == counts.end()) {
            if (++missing <= 5) ADD_FAILURE() << "round " << round << ": acknowledged " << marker << " is not stored";
        }
    }
    for (const auto& [marker, count] : counts)
        EXPECT_EQ(count, 1) << "round " << round << ": " << marker << " applied " << count << " times";
    EXPECT_EQ(missing, 0) << "round " << round << ": acknowledged updates lost";
}

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
            expect_acked_applied_once(inspector, acked_before_kill, round);
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
    expect_acked_applied_once(inspector, acked_before_kill, rounds);
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
    expect_acked_applied_once(inspector, all_acked, rounds);
    EXPECT_EQ(counts.size(), deliveries.size()) << "the progress log holds markers nobody sent";
    EXPECT_EQ(inspector.integrity(), "ok");

    // Every reply sent, none pending, every one received by the fake (maybe more than once).
    EXPECT_EQ(inspector.count(k_pending), 0);
    EXPECT_EQ(inspector.count("SELECT count(*) FROM outbox WHERE state = 'dead'"), 0);
    const auto replies = inspector.replies();
    std::map<std::string, int> received;  // thread_ts -> posts
    for (const auto& post : m_slack.messages()) ++received[post.thread_ts];
    int events = 0, duplicates = 0;
    for (const auto& delivery : deliveries) {
        if (delivery.slash) continue;
        ++events;
        const auto row = replies.find("reply:slack:" + delivery.id);
        if (row == replies.end()) {
            ADD_FAILURE() << "no reply row for " << delivery.id;
            continue;
        }
        EXPECT_EQ(row->second, "sent") << delivery.id;
        const int posts = received.count(delivery.ts) ? received[delivery.ts] : 0;
        EXPECT_GE(posts, 1) << "the fake never received the reply to " << delivery.id;
        if (posts > 1) duplicates += posts - 1;
    }
    EXPECT_EQ(static_cast<int>(replies.size()), events) << "reply rows for events nobody sent";
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
