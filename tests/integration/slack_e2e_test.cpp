// trackerd end to end with Slack: the real App on 127.0.0.1 port 0, the real SQLite file, and a
// fake Slack Web API on 127.0.0.1 that checks the bearer token as Slack does.

#include <gtest/gtest.h>
#include <httplib.h>


#include "adapters/common/crypto.h"
#include "bot/app.h"
#include "tests/support/app_under_test.h"
#include "tests/support/fake_slack.h"

namespace {

using testing_support::read_file;

using testing_support::FakeSlack;

constexpr const char* k_secret = "test-signing-secret-0123456789ab";
constexpr const char* k_token = "xoxb-test-token";
static_assert(testing_support::k_start_unix == 1700000000, "the protocols.md §1.3 request's timestamp");

std::string sign(const std::string& timestamp, const std::string& body, const std::string& secret = k_secret) {
    return "v0=" + adapters::to_hex(adapters::hmac_sha256(secret, "v0:" + timestamp + ":" + body));
}

class SlackEndToEndTest : public testing_support::AppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.slack.enabled = true;
        config.slack.signing_secret = k_secret;
        config.slack.bot_token = k_token;
        config.slack.bot_user_id = "U0LAN0Z89";
        config.slack.api_base = m_slack.api_base();
        config.people.push_back(core::Person{"小明", "小明", "市场部", "U061F7AUR", "", "", "", ""});
        config.people.push_back(core::Person{"小李", "小李", "市场部", "U0XIAOLI1", "", "", "", ""});
        bind_chat(config, "slack", "C123ABC456");
        return config;
    }

    httplib::Result post(const std::string& path, const std::string& body, const std::string& timestamp,
                         const std::string& signature, const std::string& content_type,
                         const std::string& retry_num = "") {
        httplib::Client client("127.0.0.1", m_port);
        httplib::Headers headers{{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", signature}};
        if (!retry_num.empty()) headers.emplace("X-Slack-Retry-Num", retry_num);
        return client.Post(path.c_str(), headers, body, content_type.c_str());
    }

    httplib::Result post_event(const std::string& body, const std::string& retry_num = "") {
        std::string ts = std::to_string(m_clock.now_unix());
        return post("/slack/events", body, ts, sign(ts, body), "application/json", retry_num);
    }

    FakeSlack m_slack{k_token, &m_clock};
};

TEST_F(SlackEndToEndTest, SignedAppMentionUpdatesTaskAndRepliesInTheThreadMentioningTheSender) {
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    // protocols.md §1.3 / §1.8: the published request, byte for byte, with its computed signature.
    auto response = post("/slack/events", body, "1700000000",
                         "v0=a2608f2892a78714d06b79a9cbde2979716597b843873dae1d0011035882d9c1", "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(task("T003").status, core::Status::in_progress);
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    auto messages = m_slack.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "C123ABC456");
    EXPECT_EQ(messages[0].thread_ts, "1700000000.000100");
    EXPECT_NE(messages[0].text.find("<@U061F7AUR>"), std::string::npos) << messages[0].text;
    EXPECT_NE(messages[0].text.find("60%"), std::string::npos) << messages[0].text;
}

TEST_F(SlackEndToEndTest, ForgedStaleAndUnsignedRequestsAreRefusedAndChangeNothing) {
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    std::string now = std::to_string(m_clock.now_unix());
    auto forged = post("/slack/events", body, now, sign(now, body, "not-the-secret"), "application/json");
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    std::string stale = std::to_string(m_clock.now_unix() - 301);
    auto old = post("/slack/events", body, stale, sign(stale, body), "application/json");
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 401);
    std::string future = std::to_string(m_clock.now_unix() + 301);
    auto ahead = post("/slack/events", body, future, sign(future, body), "application/json");
    ASSERT_TRUE(ahead);
    EXPECT_EQ(ahead->status, 401);
    httplib::Client client("127.0.0.1", m_port);
    auto unsigned_request = client.Post("/slack/events", body, "application/json");
    ASSERT_TRUE(unsigned_request);
    EXPECT_EQ(unsigned_request->status, 401);
    std::string tampered = body;
    tampered.replace(tampered.find("60%"), 3, "99%");
    auto altered = post("/slack/events", tampered, now, sign(now, body), "application/json");
    ASSERT_TRUE(altered);
    EXPECT_EQ(altered->status, 401);

    EXPECT_EQ(task("T003").completion, 0);
    EXPECT_EQ(progress_entries("T003"), 0u);
    drain_outbox();
    EXPECT_EQ(m_slack.request_count(), 0);
}

TEST_F(SlackEndToEndTest, SameEventDeliveredThreeTimesChangesOnceAndRepliesOnce) {
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    for (int delivery = 0; delivery < 3; ++delivery) {
        auto response = post_event(body, delivery == 0 ? "" : std::to_string(delivery));
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
    }
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    EXPECT_EQ(m_slack.messages().size(), 1u);
}

TEST_F(SlackEndToEndTest, RestartBetweenTwoDeliveriesStillAppliesTheChangeOnce) {
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    auto first = post_event(body);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    m_app->stop();
    m_app.reset();

    start();  // the same database file
    auto again = post_event(body, "1");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    EXPECT_EQ(progress_entries("T003"), 1u);
    drain_outbox();
    EXPECT_EQ(m_slack.messages().size(), 1u);
}

TEST_F(SlackEndToEndTest, RateLimitedReplyIsDeliveredOnceAfterRetryAfter) {
    m_slack.fail_next(1, testing_support::SlackFailure::rate_limited(1));
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    auto response = post_event(body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    // The first attempt meets 429; the worker waits Retry-After on its clock. Wait until that
    // attempt is recorded before moving the clock, so the pass that made it is over.
    for (int i = 0; i < 1000 && outbox_attempts() < 1; ++i) m_app->outbox().run_once();
    ASSERT_EQ(outbox_attempts(), 1);
    EXPECT_EQ(m_slack.messages().size(), 0u);
    m_clock.advance_seconds(2);
    m_app->outbox().wake();
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    EXPECT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.request_count(), 2);
}

TEST_F(SlackEndToEndTest, SomeoneWhoIsNotOwnerOrApproverIsRefusedWithTheReason) {
    start();
    std::string body = read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json");
    std::string as_xiaoli = body;
    as_xiaoli.replace(as_xiaoli.find("U061F7AUR"), 9, "U0XIAOLI1");
    as_xiaoli.replace(as_xiaoli.find("Ev0123ABCDEF"), 12, "Ev0123XIAOLI");
    auto response = post_event(as_xiaoli);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(task("T003").completion, 0);
    ASSERT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    auto text = m_slack.messages()[0].text;
    EXPECT_NE(text.find("<@U0XIAOLI1>"), std::string::npos) << text;
    EXPECT_NE(text.find("<@U061F7AUR>"), std::string::npos) << "names the owner to ask: " << text;
}

TEST_F(SlackEndToEndTest, SlashCommandAnswersInTheResponse) {
    start();
    std::string body =
        "token=x&team_id=T123ABC456&team_domain=acme&channel_id=C123ABC456&channel_name=launch&user_id=U061F7AUR"
        "&user_name=xiaoming&command=%2Ftrack&text=update+T003+50%25&api_app_id=A1&is_enterprise_install=false"
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=123.456.abc";
    std::string ts = std::to_string(m_clock.now_unix());
    auto response = post("/slack/commands", body, ts, sign(ts, body), "application/x-www-form-urlencoded");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_NE(response->body.find("50%"), std::string::npos) << response->body;
    EXPECT_NE(response->body.find("in_channel"), std::string::npos) << response->body;
    EXPECT_EQ(task("T003").completion, 50);
}

TEST_F(SlackEndToEndTest, UrlVerificationEchoesTheChallengeOnlyWhenSigned) {
    start();
    std::string body = R"({"token":"XXYYZZ","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"})";
    auto response = post_event(body);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_NE(response->body.find("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"), std::string::npos);
    httplib::Client client("127.0.0.1", m_port);
    auto unsigned_request = client.Post("/slack/events", body, "application/json");
    ASSERT_TRUE(unsigned_request);
    EXPECT_EQ(unsigned_request->status, 401);
}

TEST_F(SlackEndToEndTest, HealthzAnswers) {
    start();
    httplib::Client client("127.0.0.1", m_port);
    auto response = client.Get("/healthz");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
}

}  // namespace
