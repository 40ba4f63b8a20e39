// trackerd with Slack in Socket Mode, end to end: the real App, a real SQLite file, a fake
// Slack whose apps.connections.open hands out single-use wss:// URLs to a TLS WebSocket server
// on 127.0.0.1 (test certificate), and the fake Web API for the replies. No request URL is
// served: everything arrives over the connection trackerd opens.

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "bot/app.h"
#include "tests/support/deep_json.h"
#include "tests/support/fake_slack.h"
#include "tests/support/fake_socket_platform.h"
#include "tests/support/socket_app_under_test.h"

namespace {

using nlohmann::json;
using testing_support::FakeSocketPlatform;

constexpr const char* k_app_token = "xapp-1-A123-test";
constexpr const char* k_bot_token = "xoxb-test-token";

testing_support::SocketDialect slack_dialect() {
    testing_support::SocketDialect dialect;
    dialect.open_path = "/api/apps.connections.open";
    dialect.open = [](const std::string&, const std::string& authorization, const std::string& url) {
        if (authorization != std::string("Bearer ") + k_app_token)
            return std::pair<int, std::string>{200, R"({"ok":false,"error":"invalid_auth"})"};
        return std::pair<int, std::string>{200, json{{"ok", true}, {"url", url}}.dump()};
    };
    dialect.greeting = [] {
        return R"({"type":"hello","num_connections":1,"debug_info":{"host":"applink-test"},"connection_info":{"app_id":"A123"}})";
    };
    // `body` is the envelope without its id; Slack numbers redeliveries in retry_attempt.
    dialect.frame = [](const std::string& id, const std::string& body, int attempt) {
        json envelope = json::parse(body);
        envelope["envelope_id"] = id;
        envelope["retry_attempt"] = attempt;
        envelope["retry_reason"] = attempt > 0 ? "timeout" : "";
        return envelope.dump();
    };
    dialect.acked_id = [](const bot::WsFrame& message) {
        json ack = json::parse(message.data, nullptr, false);
        return ack.is_object() && ack.contains("envelope_id") ? ack["envelope_id"].get<std::string>() : std::string();
    };
    return dialect;
}

std::string events_envelope() {
    json payload = json::parse(testing_support::read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json"));
    return json{{"type", "events_api"}, {"accepts_response_payload", false}, {"payload", payload}}.dump();
}

class SlackSocketModeTest : public testing_support::SocketAppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.slack.enabled = true;
        config.slack.mode = config::ConnectionMode::socket;
        config.slack.app_token = k_app_token;
        config.slack.bot_token = k_bot_token;
        config.slack.bot_user_id = "U0LAN0Z89";
        config.slack.api_base = m_platform.base_url() + "/api";
        config.people.push_back(core::Person{"小明", "小明", "市场部", "U061F7AUR", "", "", "", ""});
        bind_chat(config, "slack", "C123ABC456");
        return config;
    }
    FakeSocketPlatform& platform() override { return m_platform; }

    testing_support::FakeSlack m_slack{k_bot_token, &m_clock};
    FakeSocketPlatform m_platform{m_tls, slack_dialect(), m_slack.base_url()};
};

TEST_F(SlackSocketModeTest, AMentionOverTheSocketUpdatesTheTaskAndIsAnsweredInTheThread) {
    start();
    m_platform.deliver("env-1", events_envelope());
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-1") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(task("T003").status, core::Status::in_progress);
    ASSERT_TRUE(m_slack.wait_for(1, k_wait));
    auto messages = m_slack.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "C123ABC456");
    EXPECT_EQ(messages[0].thread_ts, "1700000000.000100");
    EXPECT_NE(messages[0].text.find("<@U061F7AUR>"), std::string::npos) << messages[0].text;
    // No request URL in socket mode: nothing to sign, nothing to expose.
    httplib::Client client("127.0.0.1", m_port);
    auto refused = client.Post("/slack/events", "{}", "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 404);
}

TEST_F(SlackSocketModeTest, AConnectionDroppedBeforeTheAckIsRedeliveredAndAppliedOnce) {
    start();
    m_platform.deliver("env-1", events_envelope(), /*drop_after=*/true);
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2 && m_platform.acks("env-1") == 1; }));
    EXPECT_EQ(m_platform.deliveries("env-1"), 2);  // the first delivery's ack never arrived
    EXPECT_EQ(m_platform.opens(), 2);              // a fresh URL for the new connection
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_slack.wait_for(1, k_wait));
    drain_outbox();
    EXPECT_EQ(m_slack.messages().size(), 1u);
}

TEST_F(SlackSocketModeTest, AnEnvelopeNestedTooDeeplyIsRefusedAndTheConnectionKeepsWorking) {
    start();
    json deep = json::parse(events_envelope());
    deep["envelope_id"] = "env-deep";
    deep["payload"]["event_id"] = "EvDeep";
    deep["payload"]["event"]["text"] = "<@U0LAN0Z89> update T003 43%";
    m_platform.send_raw(testing_support::with_deep_field(deep.dump()));
    m_platform.deliver("env-1", events_envelope());
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-1") == 1; }));  // frames are handled in order
    EXPECT_EQ(m_platform.acks("env-deep"), 0);
    EXPECT_EQ(m_platform.connections(), 1);
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(progress_entries("T003"), 1u);
    httplib::Client client("127.0.0.1", m_port);
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
}

TEST_F(SlackSocketModeTest, DisconnectRefreshRequestedOpensAFreshConnectionThatKeepsWorking) {
    start();
    m_platform.send_raw(R"({"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-test"}})");
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2; }));
    EXPECT_EQ(m_platform.opens(), 2);
    m_platform.deliver("env-2", events_envelope());
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-2") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
}

TEST_F(SlackSocketModeTest, ASlashCommandIsAnsweredInItsAcknowledgement) {
    start();
    json payload = {{"token", "XXYYZZ"},         {"team_id", "T123ABC456"}, {"channel_id", "C123ABC456"},
                    {"channel_name", "launch"},  {"user_id", "U061F7AUR"},  {"user_name", "xiaoming"},
                    {"command", "/track"},       {"text", "update T003 50%"},
                    {"response_url", m_slack.response_url("T1/1/abc")},   {"trigger_id", "13345224609.738474920.8088930838d88f008e0"}};
    m_platform.deliver("env-slash", json{{"type", "slash_commands"}, {"accepts_response_payload", true}, {"payload", payload}}.dump());
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-slash") == 1; }));
    EXPECT_EQ(task("T003").completion, 50);
    json ack;
    for (const auto& message : m_platform.received()) {
        json parsed = json::parse(message.data, nullptr, false);
        if (parsed.is_object() && parsed.value("envelope_id", "") == "env-slash") ack = parsed;
    }
    ASSERT_TRUE(ack.contains("payload")) << ack.dump();
    EXPECT_EQ(ack["payload"]["response_type"], "in_channel");
    EXPECT_NE(ack["payload"].dump().find("50%"), std::string::npos) << ack.dump();
}

TEST_F(SlackSocketModeTest, TheBotJoiningAnUnboundChannelOverTheSocketIsToldHowToBindItOnce) {
    start([](config::Config& config) { config.chats.clear(); });
    json joined = {{"token", "XXYYZZ"},
                   {"team_id", "T123ABC456"},
                   {"api_app_id", "A123ABC456"},
                   {"event",
                    {{"type", "member_joined_channel"}, {"user", "U0LAN0Z89"}, {"channel", "C123ABC456"},
                     {"channel_type", "C"}, {"team", "T123ABC456"}, {"inviter", "U061F7AUR"}}},
                   {"type", "event_callback"},
                   {"event_id", "EvJoinSocket1"},
                   {"event_time", 1700000000}};
    const std::string envelope = json{{"type", "events_api"}, {"accepts_response_payload", false}, {"payload", joined}}.dump();
    m_platform.deliver("env-join", envelope);
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-join") == 1; }));
    ASSERT_TRUE(m_slack.wait_for(1, k_wait));
    auto messages = m_slack.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "C123ABC456");
    EXPECT_EQ(messages[0].thread_ts, "");
    EXPECT_NE(messages[0].text.find("绑定"), std::string::npos) << messages[0].text;
    // Redelivered under a new envelope id (Slack's retry): acknowledged, not answered again.
    m_platform.deliver("env-join-retry", envelope);
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-join-retry") == 1; }));
    m_clock.advance_seconds(3);
    drain_outbox();
    auto pending = m_app->store().outbox(store::OutboxState::pending, 1);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty());
    EXPECT_EQ(m_slack.messages().size(), 1u);
}

TEST_F(SlackSocketModeTest, PingsAreAnsweredAndReadyzAndMetricsShowTheConnection) {
    start();
    m_platform.ws().ping();
    ASSERT_TRUE(wait([&] { return m_platform.ws().pongs() == 1; }));
    httplib::Client client("127.0.0.1", m_port);
    ASSERT_TRUE(wait([&] {
        auto ready = client.Get("/readyz");
        return ready && ready->status == 200 && ready->body.find("slack_socket") != std::string::npos;
    }));

    m_platform.ws().drop();
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2; }));
    ASSERT_TRUE(wait([&] {
        auto metrics = client.Get("/metrics");
        return metrics && metrics->body.find("trackerd_socket_reconnects_total{platform=\"slack\"} 1") != std::string::npos &&
               metrics->body.find("trackerd_socket_up{platform=\"slack\"} 1") != std::string::npos;
    }));
}

TEST_F(SlackSocketModeTest, AConnectionThatStaysDownIsNotReadyUntilItIsBack) {
    start();
    m_platform.ws().drop();
    // Stop serving the socket: every new connection is cut at once.
    m_platform.ws().drop();
    httplib::Client client("127.0.0.1", m_port);
    bool saw_down = wait([&] {
        auto ready = client.Get("/readyz");
        if (ready && ready->status == 503 && ready->body.find("slack_socket") != std::string::npos) return true;
        m_platform.ws().drop();
        return false;
    });
    EXPECT_TRUE(saw_down);
    ASSERT_TRUE(wait([&] {
        auto ready = client.Get("/readyz");
        return ready && ready->status == 200;
    }));
}

TEST_F(SlackSocketModeTest, AConnectionBackFromADownTimeIsReportedInTheAlertChat) {
    start([](config::Config& config) {
        config.socket.down_alert_seconds = 0;  // any down time counts, so the test need not wait
        config.socket.alert_chat = "slack:C123ABC456";
    });
    EXPECT_TRUE(m_slack.messages().empty());  // the first connection is no comeback
    m_platform.ws().drop();
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2; }));
    ASSERT_TRUE(m_slack.wait_for(1, k_wait));
    auto messages = m_slack.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, "C123ABC456");
    EXPECT_NE(messages[0].text.find("现已恢复"), std::string::npos) << messages[0].text;
}

}  // namespace

namespace {

// An app_mention envelope from `user` saying `text`.
std::string mention_envelope(const std::string& event_id, const std::string& user, const std::string& text) {
    json payload = json::parse(testing_support::read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/slack_app_mention.json"));
    payload["event_id"] = event_id;
    payload["event"]["user"] = user;
    payload["event"]["text"] = "<@U0LAN0Z89> " + text;
    return json{{"type", "events_api"}, {"accepts_response_payload", false}, {"payload", payload}}.dump();
}

}  // namespace

// Issue 21 over Socket Mode: a config with one admin and no chat; the admin binds the channel
// from it, and 小明, whose Slack email is the people table's, has his first update applied.
TEST_F(SlackSocketModeTest, TheAdminBindsTheChannelAndTheDirectoryLinksAMemberOverTheSocket) {
    {
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->put_person(core::Person{"小明", "小明", "市场部", "", "", "", "xiaoming@example.com", ""},
                                         core::EntrySource::cli, "", core::ChangeSource{"", "cli", "", "", 1700000000}));
    }
    m_slack.add_directory_user("U061F7AUR", testing_support::SlackDirectoryUser{"Ming", "ming", "xiaoming@example.com", ""});
    start([](config::Config& config) {
        config.people = {core::Person{"经理", "经理", "市场部", "U0MANAGER1", "", "", "", ""}};
        config.admins = {"经理"};
        config.chats.clear();
    });
    m_platform.deliver("env-bind", mention_envelope("EvBind", "U0MANAGER1", "bind P1"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-bind") == 1; }));
    auto chat = m_app->store().chat("slack", "C123ABC456");
    ASSERT_TRUE(chat && *chat);
    EXPECT_EQ((*chat)->chat.projects, std::vector<std::string>{"P1"});
    // The bind's reply out first: sent after the clock moves on, it would hold the next reply
    // for the chat's pacing beyond the one run_once below.
    ASSERT_TRUE(m_slack.wait_for(1, k_wait)) << m_slack.messages().size();
    // The fake has the reply, but the worker's pass may not have noted the send yet: it paces
    // the channel's next reply from the clock it reads then. A pass of our own waits for that
    // one (passes are serialised), so the clock moves on only after it.
    m_app->outbox().run_once();
    m_clock.advance_seconds(3);
    m_platform.deliver("env-update", mention_envelope("EvUpdate", "U061F7AUR", "update T003 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("env-update") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    m_clock.advance_seconds(3);  // replies to one channel go out a second apart
    m_app->outbox().run_once();
    ASSERT_TRUE(m_slack.wait_for(2, k_wait)) << m_slack.messages().size();
    EXPECT_NE(m_slack.messages().back().blocks_json.find("Recognised you as 小明"), std::string::npos)
        << m_slack.messages().back().blocks_json;
}
