// The operator's endpoints end to end: the real App on 127.0.0.1 port 0 with the real SQLite
// file (or PostgreSQL database: support/app_under_test.h) and a fake Slack — /healthz, /readyz
// (each check, 503 when one fails), and /metrics moving as signed requests, replies and
// scheduled pushes go through.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/common/crypto.h"
#include "bot/app.h"
#include "bot/ops/version.h"
#include "core/rules.h"
#include "tests/support/app_under_test.h"
#include "tests/support/fake_slack.h"
#include "tests/support/prometheus_text.h"

namespace {

using testing_support::FakeSlack;
using testing_support::read_file;
using testing_support::sample_value;

constexpr const char* k_secret = "test-signing-secret-0123456789ab";
constexpr const char* k_token = "xoxb-test-token";
constexpr long long k_monday_10am_shanghai = 1711332000;  // 2024-03-25 10:00 +08:00

std::string sign(const std::string& timestamp, const std::string& body, const std::string& secret = k_secret) {
    return "v0=" + adapters::to_hex(adapters::hmac_sha256(secret, "v0:" + timestamp + ":" + body));
}

class OpsEndToEndTest : public testing_support::AppUnderTest {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(AppUnderTest::SetUp());
        m_body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    }

    config::Config make_config() override {
        config::Config config = base_config();
        config.slack.enabled = true;
        config.slack.signing_secret = k_secret;
        config.slack.bot_token = k_token;
        config.slack.bot_user_id = "U0LAN0Z89";
        config.slack.api_base = m_slack.api_base();
        config.people.push_back(core::Person{"小明", "小明", "市场部", "U061F7AUR", "", "", "", ""});
        bind_chat(config, "slack", "C123ABC456");
        return config;
    }

    httplib::Result get(const std::string& path) {
        httplib::Client client("127.0.0.1", m_port);
        return client.Get(path.c_str());
    }

    std::string metrics() {
        auto response = get("/metrics");
        EXPECT_TRUE(response);
        if (!response) return "";
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
        EXPECT_EQ(testing_support::check_exposition_format(response->body), "");
        return response->body;
    }

    int post_event(const std::string& body, long long timestamp, const std::string& secret = k_secret) {
        httplib::Client client("127.0.0.1", m_port);
        std::string ts = std::to_string(timestamp);
        auto response = client.Post("/slack/events", {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", sign(ts, body, secret)}},
                                    body, "application/json");
        return response ? response->status : -1;
    }

    // The readiness body's check named `name`.
    static nlohmann::json check(const nlohmann::json& body, const std::string& name) {
        for (const auto& item : body["checks"])
            if (item["name"] == name) return item;
        return nullptr;
    }

    std::string m_body;
    FakeSlack m_slack{k_token, &m_clock};
};

TEST_F(OpsEndToEndTest, HealthzAnswersOkWithTheVersion) {
    start();
    auto response = get("/healthz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["status"], "ok");
    EXPECT_EQ(body["version"], bot::version());
}

TEST_F(OpsEndToEndTest, ReadyzIsReadyAndNamesEveryCheck) {
    start();
    auto response = get("/readyz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;
    auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["status"], "ready");
    for (const char* name : {"database", "outbox_worker", "scheduler"}) EXPECT_EQ(check(body, name)["ok"], true) << name;
}

TEST_F(OpsEndToEndTest, ReadyzIs503WhenTheDatabaseFileIsGone) {
    start();
    // On PostgreSQL the database goes away with its server, started again for TearDown.
    struct ServerBack {
        bool stopped;
        ~ServerBack() {
            if (stopped) testing_support::PgCluster::shared().start_server();
        }
    } server_back{on_postgresql()};
    if (on_postgresql())
        testing_support::PgCluster::shared().stop_server();
    else
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(m_db + suffix);
    auto response = get("/readyz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 503);
    auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["status"], "not ready");
    EXPECT_EQ(check(body, "database")["ok"], false);
    EXPECT_FALSE(check(body, "database")["detail"].get<std::string>().empty());
    EXPECT_EQ(check(body, "outbox_worker")["ok"], true);
    EXPECT_EQ(check(body, "scheduler")["ok"], true);
}

TEST_F(OpsEndToEndTest, ReadyzIs503WhenTheOutboxWorkerOrTheSchedulerStopped) {
    start();
    m_app->outbox().stop();
    auto response = get("/readyz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 503);
    auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(check(body, "outbox_worker")["ok"], false);
    EXPECT_EQ(check(body, "outbox_worker")["detail"], "not running");
    EXPECT_EQ(check(body, "database")["ok"], true);
    EXPECT_EQ(check(body, "scheduler")["ok"], true);

    m_app->outbox().start();
    m_app->scheduler().stop();
    response = get("/readyz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 503);
    body = nlohmann::json::parse(response->body);
    EXPECT_EQ(check(body, "outbox_worker")["ok"], true);
    EXPECT_EQ(check(body, "scheduler")["ok"], false);
}

TEST_F(OpsEndToEndTest, ASignedSlackRequestMovesTheRequestCommandAndSendCounters) {
    start();
    const std::string ok = "trackerd_inbound_requests_total{platform=\"slack\",outcome=\"ok\"}";
    const std::string progress = "trackerd_commands_total{kind=\"progress\",outcome=\"applied\"}";
    const std::string sent = "trackerd_outbox_sent_total{platform=\"slack\"}";
    std::string before = metrics();
    EXPECT_EQ(sample_value(before, ok), -1);  // no such series before the first request
    EXPECT_EQ(sample_value(before, "trackerd_outbox_messages{state=\"sent\"}"), 0);

    ASSERT_EQ(post_event(m_body, m_clock.now_unix()), 200);
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    // The worker marks the row sent after the fake answered: wait for that, then read.
    for (int i = 0; i < 200 && sample_value(metrics(), sent) < 1; ++i) m_app->outbox().run_once();
    std::string after = metrics();
    EXPECT_EQ(sample_value(after, ok), 1);
    EXPECT_EQ(sample_value(after, progress), 1);
    EXPECT_EQ(sample_value(after, sent), 1);
    EXPECT_EQ(sample_value(after, "trackerd_outbox_messages{state=\"sent\"}"), 1);
    EXPECT_EQ(sample_value(after, "trackerd_outbox_messages{state=\"pending\"}"), 0);

    ASSERT_EQ(post_event(m_body, m_clock.now_unix()), 200);                       // Slack's retry
    ASSERT_EQ(post_event(m_body, m_clock.now_unix(), "not-the-secret"), 401);     // forged
    ASSERT_EQ(post_event(m_body, m_clock.now_unix() - 301), 401);                 // stale
    std::string last = metrics();
    EXPECT_EQ(sample_value(last, "trackerd_inbound_requests_total{platform=\"slack\",outcome=\"duplicate\"}"), 1);
    EXPECT_EQ(sample_value(last, "trackerd_inbound_requests_total{platform=\"slack\",outcome=\"refused_signature\"}"), 1);
    EXPECT_EQ(sample_value(last, "trackerd_inbound_requests_total{platform=\"slack\",outcome=\"refused_stale\"}"), 1);
    EXPECT_EQ(sample_value(last, ok), 1);
    EXPECT_EQ(sample_value(last, progress), 1);  // the duplicate ran no command
    // One delivery at a time: each verified one (the first and the retry) is its own commit;
    // the refused ones never reach the store.
    EXPECT_EQ(sample_value(before, "trackerd_inbound_commits_total"), 0);
    EXPECT_EQ(sample_value(last, "trackerd_inbound_commits_total"), 2);
    EXPECT_EQ(sample_value(last, "trackerd_inbound_committed_deliveries_total"), 2);
}

TEST_F(OpsEndToEndTest, TheOldestPendingReplysAgeGrowsWhileTheWorkerIsStopped) {
    start();
    m_app->outbox().stop();
    ASSERT_EQ(post_event(m_body, m_clock.now_unix()), 200);
    m_clock.advance_seconds(90);
    std::string text = metrics();
    EXPECT_EQ(sample_value(text, "trackerd_outbox_messages{state=\"pending\"}"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_outbox_oldest_pending_age_seconds"), 90);
}

TEST_F(OpsEndToEndTest, TheBackgroundCheckpointerCopiesTheWalAndShowsItInMetrics) {
    if (on_postgresql()) GTEST_SKIP() << "SQLite's WAL checkpointer: PostgreSQL has no WAL file of ours to checkpoint";
    start();
    ASSERT_EQ(post_event(m_body, m_clock.now_unix()), 200);  // a commit: frames in the WAL
    // The checkpointer's first pass may have run before the commit; wait for one after it.
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    do {
        text = metrics();
        if (sample_value(text, "trackerd_wal_checkpoints_total{mode=\"passive\"}") >= 2 &&
            sample_value(text, "trackerd_wal_frames") > 0)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
    EXPECT_GE(sample_value(text, "trackerd_wal_checkpoints_total{mode=\"passive\"}"), 2);
    EXPECT_GT(sample_value(text, "trackerd_wal_frames"), 0);
    EXPECT_EQ(sample_value(text, "trackerd_wal_checkpoint_failures_total"), 0);
    EXPECT_EQ(sample_value(text, "trackerd_wal_checkpoints_total{mode=\"restart\"}"), 0);  // a small WAL
}

TEST_F(OpsEndToEndTest, ScheduledWarningsCountOneFiringPerLateTaskAndTheDigestOnePush) {
    m_clock.set_unix(k_monday_10am_shanghai);
    start();
    m_app->scheduler().run_once();
    m_app->scheduler().run_once();  // nothing new: each warning fires once per condition

    auto state = m_app->store().load_project("P1");
    ASSERT_TRUE(state) << state.error().message;
    int late = 0;
    for (const auto& finding : core::evaluate(*state, core::make_date(2024, 3, 25)))
        if (finding.rule == core::Rule::r1_late) ++late;
    ASSERT_GT(late, 0);  // the demo campaign has late tasks on that day (T001, T002)

    std::string text = metrics();
    EXPECT_EQ(sample_value(text, "trackerd_rule_firings_total{rule=\"R1\"}"), late);
    EXPECT_EQ(sample_value(text, "trackerd_scheduler_pushes_total{kind=\"digest\"}"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_scheduler_pushes_total{kind=\"warning\"}"), 1);
    // Both passes ran P1 (the one after a push runs again, and does nothing), as counted.
    EXPECT_GE(sample_value(text, "trackerd_scheduler_passes_total"), 2);
    EXPECT_EQ(sample_value(text, "trackerd_scheduler_projects_total{result=\"run\"}") +
                  sample_value(text, "trackerd_scheduler_projects_total{result=\"settled\"}"),
              sample_value(text, "trackerd_scheduler_passes_total"));
    EXPECT_GE(sample_value(text, "trackerd_scheduler_projects_total{result=\"run\"}"), 2);
}

}  // namespace
