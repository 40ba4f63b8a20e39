// trackerd's config reload (SIGHUP) and its team directory under kill -9, with the real binary:
// a child process on a temporary config and SQLite file, listening on 127.0.0.1 port 0, taking
// signed Slack events (Events API, webhook mode) while a fake Slack on 127.0.0.1 plays the Web
// API its replies go to. Checked from the database (store::Store opened on the same file, WAL)
// and from the daemon's log (its stdout and stderr, kept in the test's temporary directory):
//   - a changed file applied by SIGHUP while updates stream in: a chat added, an admin swapped,
//     every update acknowledged and applied, none refused;
//   - a file that does not load changes nothing, and the log names the JSON path of the fault;
//   - a claim ("我是 小李") and its confirmation ("确认 小李") each survive a SIGKILL that comes
//     right after their HTTP 200.
//
// The people are the demo campaign's: a person's id is their name ("小明" owns T003), so the
// config's xiaoming is the person "小明" (his updates are his own task's); "boss" is new.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "adapters/common/crypto.h"
#include "core/store/store.h"
#include "tests/support/demo_data.h"
#include "tests/support/daemon_process.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_secrets.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing_support::FakeSlack;
using testing_support::TempDir;
namespace secrets = testing_support::secrets;

constexpr const char* k_bot_user = "U0LAN0Z89";
constexpr const char* k_boss = "U0BOSS";
constexpr const char* k_xiaoming = "U0XM";
constexpr const char* k_xiaoli = "U0XL";  // 小李's account, linked by claim and confirmation

long long now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// True once `condition` holds; false when `timeout` passed first.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// What the config file says; the rest (listen, database, slack, limits, log) never changes.
struct Team {
    std::vector<std::string> admins;
    std::vector<std::string> chats;  // Slack channels bound to P1
};

json config_json(const std::string& db, const std::string& api_base, const Team& team) {
    json chats = json::array();
    for (const auto& chat : team.chats) chats.push_back({{"platform", "slack"}, {"chat_id", chat}, {"projects", {"P1"}}});
    return {
        {"listen", "127.0.0.1:0"},
        {"database", db},
        {"timezone", "Asia/Shanghai"},
        {"admins", team.admins},
        {"people",
         {{{"id", "boss"}, {"name", "Boss"}, {"slack", k_boss}}, {{"id", "小明"}, {"name", "小明"}, {"slack", k_xiaoming}}}},
        {"chats", chats},
        {"slack",
         {{"signing_secret", secrets::k_slack_signing_secret},
          {"bot_token", secrets::k_slack_bot_token},
          {"bot_user_id", k_bot_user},
          {"api_base", api_base}}},
        // Far above the load's rate: this test is about the reload, not the limits.
        {"limits", {{"commands_per_minute_per_person", 100000}, {"commands_per_minute_per_chat", 100000}}},
        {"log", {{"level", "info"}}},
    };
}

// Replaces the file as an editor would (a new file renamed over it), readable by its owner only.
void write_config(const std::string& path, const std::string& text) {
    const std::string next = path + ".next";
    {
        std::ofstream out(next, std::ios::binary | std::ios::trunc);
        out << text;
    }
    ::chmod(next.c_str(), 0600);
    std::filesystem::rename(next, path);
}

// One trackerd child process (tests/support/daemon_process.h) of the binary under test.
struct Daemon : testing_support::DaemonProcess {
    Daemon(const std::string& config_path, const std::string& log_path)
        : DaemonProcess(TRACKERD_BIN, config_path, log_path) {}
};

// Signed app_mention events, as Slack sends them, on one keep-alive connection.
// Thread safety: one per thread.
class SlackClient {
public:
    explicit SlackClient(int port) : m_client("127.0.0.1", port) {
        m_client.set_keep_alive(true);
        m_client.set_connection_timeout(2, 0);
        m_client.set_read_timeout(10, 0);
    }

    // The HTTP status (-1: no answer); `why` says what came instead of a 200, `event_id` is the
    // event's id (its reply's outbox key is "reply:slack:<event_id>").
    int mention(const std::string& user, const std::string& channel, const std::string& text,
                std::string* why = nullptr, std::string* event_id = nullptr) {
        static std::atomic<int> sequence{0};
        const int n = ++sequence;
        char ts[40];
        std::snprintf(ts, sizeof ts, "%lld.%06d", now_unix(), n % 1000000);
        const std::string id = "EvRELOAD" + std::to_string(n);
        if (event_id) *event_id = id;
        const std::string body = json{{"token", "x"},
                                      {"team_id", "T0RELOAD"},
                                      {"api_app_id", "A0RELOAD"},
                                      {"event",
                                       {{"type", "app_mention"},
                                        {"user", user},
                                        {"text", std::string("<@") + k_bot_user + "> " + text},
                                        {"ts", ts},
                                        {"channel", channel},
                                        {"event_ts", ts}}},
                                      {"type", "event_callback"},
                                      {"event_id", id},
                                      {"event_time", now_unix()}}
                                     .dump();
        const std::string timestamp = std::to_string(now_unix());
        const std::string signature =
            "v0=" + adapters::to_hex(adapters::hmac_sha256(secrets::k_slack_signing_secret, "v0:" + timestamp + ":" + body));
        auto result = m_client.Post("/slack/events",
                                    {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", signature}}, body,
                                    "application/json");
        if (!result) {
            if (why) *why = text + ": transport: " + httplib::to_string(result.error());
            return -1;
        }
        if (why && result->status != 200) *why = text + ": HTTP " + std::to_string(result->status) + ": " + result->body;
        return result->status;
    }

private:
    httplib::Client m_client;
};

// 小明's updates of T003, one after another on their own connection until stopped; the
// percentages cycle 1..99 so that no two in a row are equal.
// Thread safety: the counters are read by the test while the thread runs; guarded by m_mutex.
class UpdateStream {
public:
    void run(std::stop_token stop, int port) {
        SlackClient client(port);
        for (int n = 0; !stop.stop_requested(); ++n) {
            const int percent = n % 99 + 1;
            std::string why;
            const int status = client.mention(k_xiaoming, "C1", "update T003 " + std::to_string(percent) + "%", &why);
            std::lock_guard lock(m_mutex);
            if (status == 200) {
                m_acked.push_back(percent);
            } else if (m_failures.size() < 20) {
                m_failures.push_back(why);
            }
            if (status != 200) ++m_failed;
        }
    }
    std::vector<int> acked() const {
        std::lock_guard lock(m_mutex);
        return m_acked;
    }
    int failed() const {
        std::lock_guard lock(m_mutex);
        return m_failed;
    }
    std::vector<std::string> failures() const {
        std::lock_guard lock(m_mutex);
        return m_failures;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<int> m_acked;             // Guarded by m_mutex. Percentages, in the order sent.
    int m_failed = 0;                     // Guarded by m_mutex.
    std::vector<std::string> m_failures;  // Guarded by m_mutex. The first few, for the message.
};

class ReloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_db = m_dir.file("trackerd.db");
        ASSERT_EQ(testing_support::import_demo(m_db, now_unix()), "");
        m_config = m_dir.file("trackerd.json");
        write_config(m_config, config_json(m_db, m_slack.api_base(), m_team).dump(2));
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store) << store.error().message;
        m_store = std::move(*store);
    }

    // Starts trackerd on the config (killing the one before, if any) and waits for its port.
    void start() {
        m_daemon.reset();
        m_daemon = std::make_unique<Daemon>(m_config, m_dir.file("trackerd.log"));
        ASSERT_TRUE(m_daemon->spawned()) << "cannot spawn " << TRACKERD_BIN;
        m_port = m_daemon->wait_for_port(10s);
        ASSERT_NE(m_port, 0) << "trackerd did not start:\n" << m_daemon->log_tail();
        m_client = std::make_unique<SlackClient>(m_port);
    }

    void kill9() {
        m_client.reset();
        ASSERT_FALSE(m_daemon->exited()) << "trackerd exited by itself:\n" << m_daemon->log_tail();
        m_daemon->kill_and_reap(SIGKILL);
        ASSERT_TRUE(WIFSIGNALED(m_daemon->status()) && WTERMSIG(m_daemon->status()) == SIGKILL);
    }

    // Sends `text` from `user` in `channel`; true when trackerd answered 200.
    bool say(const std::string& user, const std::string& channel, const std::string& text,
             std::string* event_id = nullptr) {
        std::string why;
        const int status = m_client->mention(user, channel, text, &why, event_id);
        EXPECT_EQ(status, 200) << why << "\n" << m_daemon->log_tail();
        return status == 200;
    }

    // Sends SIGHUP and waits for the daemon to log `outcome` once more than before.
    bool reload(const std::string& outcome) {
        const int before = m_daemon->log_count(outcome);
        m_daemon->signal(SIGHUP);
        return eventually([&] { return m_daemon->log_count(outcome) > before; }, 10s);
    }

    std::optional<store::ChatRecord> chat(const std::string& chat_id) {
        auto found = m_store->chat("slack", chat_id);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : std::nullopt;
    }
    // "slack:C1=P1" for each chat row, in the store's order.
    std::vector<std::string> chat_rows() {
        std::vector<std::string> rows;
        auto chats = m_store->chats();
        EXPECT_TRUE(chats) << chats.error().message;
        if (!chats) return rows;
        for (const auto& record : *chats) {
            std::string row = record.chat.platform + ":" + record.chat.chat_id + "=";
            for (const auto& project : record.chat.projects) row += project + ",";
            rows.push_back(row);
        }
        return rows;
    }
    int completion(const std::string& task_id) {
        auto task = m_store->find_task(task_id, {"P1"});
        EXPECT_TRUE(task && *task) << task_id;
        return task && *task ? (*task)->completion : -1;
    }

    // Members die in reverse order: the daemon is killed before the store and the directory go.
    TempDir m_dir;
    FakeSlack m_slack{secrets::k_slack_bot_token};
    Team m_team{{"boss"}, {"C1"}};
    std::string m_db;
    std::string m_config;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<Daemon> m_daemon;
    int m_port = 0;
    std::unique_ptr<SlackClient> m_client;
};

TEST_F(ReloadTest, SighupAppliesAChangedFileWhileUpdatesStreamInAndRefusesNone) {
    ASSERT_NO_FATAL_FAILURE(start());
    UpdateStream stream;
    {
        std::jthread load([&](std::stop_token stop) { stream.run(stop, m_port); });
        ASSERT_TRUE(eventually([&] { return stream.acked().size() >= 20 || stream.failed() > 0; }, 10s));

        // The new file: C2 bound too, and 小明 the admin instead of boss.
        write_config(m_config, config_json(m_db, m_slack.api_base(), Team{{"小明"}, {"C1", "C2"}}).dump(2));
        const size_t acked_at_reload = stream.acked().size();
        m_daemon->signal(SIGHUP);
        ASSERT_TRUE(eventually([&] { return chat("C2").has_value(); }, 10s)) << m_daemon->log_tail();
        EXPECT_EQ(chat("C2")->chat.projects, std::vector<std::string>{"P1"});
        // The chats are seeded before the roles are swapped: wait for the whole reload.
        ASSERT_TRUE(eventually([&] { return m_daemon->log_count("reload: applied") == 1; }, 10s))
            << m_daemon->log_tail();
        EXPECT_EQ(m_daemon->log_count("reload: refused"), 0) << m_daemon->log_tail();
        // Only people, chats and admins changed: no section is said to wait for a restart.
        EXPECT_EQ(m_daemon->log_count("applies at the next restart"), 0) << m_daemon->log_tail();

        // boss is no admin any more (nor P1's owner): his bind is refused; 小明's is done.
        ASSERT_TRUE(say(k_boss, "C3", "bind P1"));
        EXPECT_FALSE(chat("C3").has_value()) << "a former admin bound C3";
        ASSERT_TRUE(say(k_xiaoming, "C3", "bind P1"));
        auto bound = chat("C3");
        ASSERT_TRUE(bound.has_value()) << "the new admin could not bind C3:\n" << m_daemon->log_tail();
        EXPECT_EQ(bound->chat.projects, std::vector<std::string>{"P1"});
        EXPECT_EQ(bound->source, core::EntrySource::chat);

        // The stream goes on after the reload as well.
        ASSERT_TRUE(eventually([&] { return stream.acked().size() >= acked_at_reload + 20 || stream.failed() > 0; }, 10s));
    }  // the load thread stops and is joined here

    EXPECT_EQ(stream.failed(), 0);
    for (const auto& why : stream.failures()) ADD_FAILURE() << "update not acknowledged: " << why;
    // Every acknowledged update is in T003's progress log, in the order sent, and nothing else of 小明's.
    const std::vector<int> acked = stream.acked();
    auto log = m_store->progress_log("P1", "T003");
    ASSERT_TRUE(log) << log.error().message;
    std::vector<int> applied;
    for (const auto& entry : *log)
        if (entry.who == "小明" && entry.action == "progress") applied.push_back(entry.completion.value_or(-1));
    EXPECT_EQ(applied, acked);
    ASSERT_FALSE(acked.empty());
    EXPECT_EQ(completion("T003"), acked.back());
    std::printf("reload test: %zu updates acknowledged and applied across the reload, 0 refused\n", acked.size());

    m_daemon->kill_and_reap(SIGTERM);  // still a clean stop after a reload
    EXPECT_TRUE(WIFEXITED(m_daemon->status()) && WEXITSTATUS(m_daemon->status()) == 0) << m_daemon->log_tail();
}

TEST_F(ReloadTest, SighupWithAFileThatDoesNotLoadChangesNothingAndLogsWhereTheFaultIs) {
    ASSERT_NO_FATAL_FAILURE(start());
    const std::vector<std::string> chats_before = chat_rows();
    ASSERT_EQ(chats_before, std::vector<std::string>{"slack:C1=P1,"});

    // Each file would also bind C2 and drop boss from the admins, were it applied.
    json unknown_platform = config_json(m_db, m_slack.api_base(), Team{{"小明"}, {"C1", "C2"}});
    unknown_platform["chats"][0]["platform"] = "teams";
    const std::string whole = config_json(m_db, m_slack.api_base(), Team{{"小明"}, {"C1", "C2"}}).dump(2);
    struct Case {
        const char* name;
        std::string text;
        const char* logged;  // where the log says the fault is
    };
    const std::vector<Case> cases{
        {"an unknown platform", unknown_platform.dump(2), "chats[0].platform"},
        {"a file cut short (not JSON)", whole.substr(0, whole.size() / 2), "trackerd.json"},
        {"an admin who is not in people", config_json(m_db, m_slack.api_base(), Team{{"nobody"}, {"C1", "C2"}}).dump(2),
         "admins[0]"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        write_config(m_config, c.text);
        ASSERT_TRUE(reload("reload: refused")) << m_daemon->log_tail();
        const std::string log = m_daemon->log();
        const std::string refusal = log.substr(log.rfind("reload: refused"));
        EXPECT_NE(refusal.find(c.logged), std::string::npos) << refusal.substr(0, refusal.find('\n'));
        EXPECT_EQ(chat_rows(), chats_before);
        EXPECT_EQ(m_daemon->log_count("reload: applied"), 0);

        // The daemon still answers, on the running config: 小明's update is applied.
        const int percent = 40 + static_cast<int>(&c - cases.data());
        ASSERT_TRUE(say(k_xiaoming, "C1", "update T003 " + std::to_string(percent) + "%"));
        EXPECT_EQ(completion("T003"), percent);
    }

    // boss is still the admin: his bind of C3 is done.
    ASSERT_TRUE(say(k_boss, "C3", "bind P1"));
    EXPECT_TRUE(chat("C3").has_value()) << "the running admins changed:\n" << m_daemon->log_tail();
    EXPECT_FALSE(m_daemon->exited());
}

TEST_F(ReloadTest, ClaimAndConfirmationEachSurviveAKill9RightAfterTheir200) {
    ASSERT_NO_FATAL_FAILURE(start());

    // 小李's unlinked account claims; killed right after the 200.
    std::string claim_event;
    ASSERT_TRUE(say(k_xiaoli, "C1", "我是 小李", &claim_event));
    ASSERT_NO_FATAL_FAILURE(kill9());
    auto claim = m_store->claim_of("slack", k_xiaoli);
    ASSERT_TRUE(claim) << claim.error().message;
    ASSERT_TRUE(claim->has_value()) << "the acknowledged claim was lost";
    EXPECT_EQ((*claim)->person_id, "小李");
    auto outbox = m_store->outbox(std::nullopt, 1000);
    ASSERT_TRUE(outbox) << outbox.error().message;
    bool reply_kept = false;
    for (const auto& row : *outbox) reply_kept = reply_kept || row.dedup_key == "reply:slack:" + claim_event;
    EXPECT_TRUE(reply_kept) << "the claim's reply (asking an admin to confirm) was lost";

    // Restarted on the same file: the admin confirms; killed right after the 200.
    ASSERT_NO_FATAL_FAILURE(start());
    ASSERT_TRUE(say(k_boss, "C1", "确认 小李"));
    ASSERT_NO_FATAL_FAILURE(kill9());

    // Restarted again: the link held, and 小李's next update is his.
    ASSERT_NO_FATAL_FAILURE(start());
    auto xiaoli = m_store->find_person("小李");
    ASSERT_TRUE(xiaoli && *xiaoli);
    EXPECT_EQ((*xiaoli)->slack, k_xiaoli);
    auto left = m_store->claim_of("slack", k_xiaoli);
    ASSERT_TRUE(left);
    EXPECT_FALSE(left->has_value()) << "the confirmed claim is still pending";
    ASSERT_TRUE(say(k_xiaoli, "C1", "update T001 30%"));
    EXPECT_EQ(completion("T001"), 30);
}

}  // namespace
