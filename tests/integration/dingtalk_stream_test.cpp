// trackerd with DingTalk in Stream mode, end to end: the real App, a real SQLite file, a fake
// DingTalk whose gateway/connections/open hands out an endpoint and a single-use ticket for a
// TLS WebSocket server on 127.0.0.1 (test certificate), and the fake DingTalk HTTP API for the
// sessionWebhook replies.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "bot/app.h"
#include "tests/support/deep_json.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_socket_platform.h"
#include "tests/support/socket_app_under_test.h"

namespace {

using nlohmann::json;
using testing_support::FakeSocketPlatform;

constexpr const char* k_app_key = "dingappkey0001";
constexpr const char* k_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
constexpr const char* k_robot_code = "dingxxxx";
constexpr const char* k_chat = "cidAsXSBLnA==";
constexpr const char* k_staff_id = "16650246698";
constexpr long long k_time_ms = 1700000000000;
static_assert(k_time_ms == testing_support::k_start_unix * 1000, "the clock starts at the frames' time");

std::string stream_frame(const std::string& type, const std::string& topic, const std::string& message_id,
                         const std::string& data) {
    return json{{"specVersion", "1.0"},
                {"type", type},
                {"headers",
                 {{"appId", "app-1"}, {"connectionId", "conn-1"}, {"contentType", "application/json"},
                  {"messageId", message_id}, {"time", std::to_string(k_time_ms)}, {"topic", topic}}},
                {"data", data}}
        .dump();
}

testing_support::SocketDialect dingtalk_dialect() {
    testing_support::SocketDialect dialect;
    dialect.open_path = "/v1.0/gateway/connections/open";
    dialect.open = [](const std::string& body, const std::string&, const std::string& url) {
        json request = json::parse(body, nullptr, false);
        bool subscribed = false;
        if (request.is_object() && request["subscriptions"].is_array())
            for (const auto& subscription : request["subscriptions"])
                subscribed |= subscription.value("type", "") == "CALLBACK" &&
                              subscription.value("topic", "") == "/v1.0/im/bot/messages/get";
        if (!request.is_object() || request.value("clientId", "") != k_app_key ||
            request.value("clientSecret", "") != k_app_secret || !subscribed)
            return std::pair<int, std::string>{401, R"({"code":"InvalidAuthentication","message":"bad client"})"};
        size_t query = url.find("?ticket=");
        return std::pair<int, std::string>{
            200, json{{"endpoint", url.substr(0, query)}, {"ticket", url.substr(query + 8)}}.dump()};
    };
    dialect.frame = [](const std::string& id, const std::string& body, int) {
        return stream_frame("CALLBACK", "/v1.0/im/bot/messages/get", id, body);
    };
    dialect.acked_id = [](const bot::WsFrame& message) {
        json ack = json::parse(message.data, nullptr, false);
        if (!ack.is_object() || ack.value("code", 0) != 200 || !ack["headers"].is_object()) return std::string();
        return ack["headers"].value("messageId", std::string());
    };
    return dialect;
}

class DingtalkStreamModeTest : public testing_support::SocketAppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.dingtalk.enabled = true;
        config.dingtalk.mode = config::ConnectionMode::socket;
        config.dingtalk.app_key = k_app_key;
        config.dingtalk.app_secret = k_app_secret;
        config.dingtalk.robot_code = k_robot_code;
        config.dingtalk.api_base = m_platform.base_url();
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", "", k_staff_id, "", ""});
        bind_chat(config, "dingtalk", k_chat);
        return config;
    }
    FakeSocketPlatform& platform() override { return m_platform; }

    // The §3.2 robot message, its reply URL pointing at the fake; msgId as given.
    std::string robot_message(const std::string& msg_id = "msgLICYeHgY4JtMQw==") {
        json body = json::parse(testing_support::read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/dingtalk_callback.json"));
        body["sessionWebhook"] = m_dingtalk.session_webhook("76da36b4");
        body["msgId"] = msg_id;
        return body.dump();
    }

    testing_support::FakeDingtalk m_dingtalk{k_app_key, k_app_secret, k_robot_code, &m_clock};
    FakeSocketPlatform m_platform{m_tls, dingtalk_dialect(), m_dingtalk.base_url()};
};

TEST_F(DingtalkStreamModeTest, ARobotMessageOverTheStreamUpdatesTheTaskAndIsAnsweredThroughTheSessionWebhook) {
    start();
    m_platform.deliver("frame-1", robot_message());
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-1") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    ASSERT_TRUE(m_dingtalk.wait_for(1, k_wait));
    auto messages = m_dingtalk.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].via, testing_support::DingtalkPost::Via::session_webhook);
    EXPECT_EQ(messages[0].at_user_ids, std::vector<std::string>{k_staff_id});
}

TEST_F(DingtalkStreamModeTest, AConnectionDroppedBeforeTheAckIsRedeliveredAndAppliedOnce) {
    start();
    m_platform.deliver("frame-1", robot_message(), /*drop_after=*/true);
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2 && m_platform.acks("frame-1") == 1; }));
    EXPECT_EQ(m_platform.deliveries("frame-1"), 2);
    EXPECT_EQ(m_platform.opens(), 2);  // a ticket is single use: a new one per connection
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_dingtalk.wait_for(1, k_wait));
    drain_outbox();
    EXPECT_EQ(m_dingtalk.messages().size(), 1u);
}

TEST_F(DingtalkStreamModeTest, TheSameMessageUnderANewFrameIdIsAcknowledgedAndAppliedOnce) {
    start();
    m_platform.deliver("frame-1", robot_message());
    m_platform.deliver("frame-2", robot_message());  // §3.4: redelivery; msgId is the same
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-1") == 1 && m_platform.acks("frame-2") == 1; }));
    EXPECT_EQ(progress_entries("T003"), 1u);
}

TEST_F(DingtalkStreamModeTest, AMessageNestedTooDeeplyIsRefusedAndTheConnectionKeepsWorking) {
    start();
    json forged = json::parse(robot_message("msgDeep=="));
    forged["text"]["content"] = " T003 进度 43%";
    m_platform.deliver("frame-deep", testing_support::with_deep_field(forged.dump()));
    m_platform.deliver("frame-1", robot_message());
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-deep") == 1 && m_platform.acks("frame-1") == 1; }));
    EXPECT_EQ(m_platform.connections(), 1);
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(progress_entries("T003"), 1u);
}

TEST_F(DingtalkStreamModeTest, SystemPingIsEchoedAndDisconnectOpensANewConnection) {
    start();
    m_platform.send_raw(stream_frame("SYSTEM", "ping", "ping-1", R"({"opaque":"5c1f"})"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("ping-1") == 1; }));
    json pong;
    for (const auto& message : m_platform.received()) {
        json parsed = json::parse(message.data, nullptr, false);
        if (parsed.is_object() && parsed["headers"].is_object() && parsed["headers"].value("messageId", "") == "ping-1")
            pong = parsed;
    }
    EXPECT_EQ(pong.value("data", ""), R"({"opaque":"5c1f"})");

    m_platform.send_raw(stream_frame("SYSTEM", "disconnect", "bye-1", R"({"reason":"server restart"})"));
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2; }));
    EXPECT_EQ(m_platform.opens(), 2);
    m_platform.deliver("frame-3", robot_message("msgAfterReconnect=="));
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-3") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
}

}  // namespace

// Issue 21 over the Stream: a config with one admin and no chat; the admin binds the group from
// it, and 小明, whose directory email is the people table's, has his first update applied.
TEST_F(DingtalkStreamModeTest, TheAdminBindsTheGroupAndTheDirectoryLinksAMemberOverTheStream) {
    {
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->put_person(core::Person{"小明", "小明", "市场部", "", "", "", "xiaoming@example.com", ""},
                                         core::EntrySource::cli, "", core::ChangeSource{"", "cli", "", "", 1700000000}));
    }
    m_dingtalk.add_directory_user(k_staff_id, testing_support::DingtalkDirectoryUser{"王小明", "xiaoming@example.com", "", ""});
    start([this](config::Config& config) {
        config.people = {core::Person{"经理", "经理", "市场部", "", "", "16650211111", "", ""}};
        config.admins = {"经理"};
        config.chats.clear();
        config.dingtalk.oapi_base = m_platform.base_url();
    });
    auto message = [&](const std::string& msg_id, const std::string& staff_id, const std::string& text) {
        json body = json::parse(robot_message(msg_id));
        body["senderStaffId"] = staff_id;
        body["text"]["content"] = " " + text;
        return body.dump();
    };
    m_platform.deliver("frame-bind", message("msgBind", "16650211111", "绑定 P1"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-bind") == 1; }));
    auto chat = m_app->store().chat("dingtalk", k_chat);
    ASSERT_TRUE(chat && *chat);
    EXPECT_EQ((*chat)->chat.projects, std::vector<std::string>{"P1"});
    // The bind's reply out first: sent after the clock moves on, it would hold the next reply
    // for the chat's pacing (3 s) beyond the one run_once below.
    ASSERT_TRUE(m_dingtalk.wait_for(1, k_wait)) << m_dingtalk.messages().size();
    // The fake has the reply, but the worker's pass may not have noted the send yet: it paces
    // the chat's next reply from the clock it reads then. A pass of our own waits for that one
    // (passes are serialised), so the clock moves on only after it.
    m_app->outbox().run_once();
    m_clock.advance_seconds(3);
    m_platform.deliver("frame-update", message("msgUpdate", k_staff_id, "T003 进度 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("frame-update") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    m_clock.advance_seconds(3);
    m_app->outbox().run_once();
    ASSERT_TRUE(m_dingtalk.wait_for(2, k_wait)) << m_dingtalk.messages().size();
    EXPECT_NE(m_dingtalk.messages().back().text.find("已识别为 小明"), std::string::npos) << m_dingtalk.messages().back().text;
}
