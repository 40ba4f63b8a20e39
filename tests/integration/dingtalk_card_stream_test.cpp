// One tap on DingTalk over the Stream (cards research §B.1): the real App connected to a fake
// DingTalk Stream gateway; a card callback arrives as a CALLBACK frame on
// /v1.0/card/instances/callback and is acknowledged with {"response": <the card update>}.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/dingtalk/card.h"
#include "bot/app.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_socket_platform.h"
#include "tests/support/socket_app_under_test.h"

namespace {

using nlohmann::json;
using testing_support::FakeDingtalk;
using testing_support::FakeSocketPlatform;
namespace dt = adapters::dingtalk;

constexpr const char* k_app_key = "dingappkey0001";
constexpr const char* k_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
constexpr const char* k_robot_code = "dingxxxx";
constexpr const char* k_chat = "cidAsXSBLnA==";
constexpr const char* k_owner = "16650246698";
constexpr const char* k_token_secret = "card-token-secret-for-tests-0123";
constexpr const char* k_card_topic = "/v1.0/card/instances/callback";

std::string frame(const std::string& topic, const std::string& message_id, const std::string& data) {
    return json{{"specVersion", "1.0"},
                {"type", "CALLBACK"},
                {"headers", {{"contentType", "application/json"}, {"messageId", message_id}, {"topic", topic}}},
                {"data", data}}
        .dump();
}

testing_support::SocketDialect card_dialect() {
    testing_support::SocketDialect dialect;
    dialect.open_path = "/v1.0/gateway/connections/open";
    dialect.open = [](const std::string& body, const std::string&, const std::string& url) {
        json request = json::parse(body, nullptr, false);
        bool cards = false;
        if (request.is_object() && request["subscriptions"].is_array())
            for (const auto& subscription : request["subscriptions"])
                cards |= subscription.value("type", "") == "CALLBACK" && subscription.value("topic", "") == k_card_topic;
        if (!request.is_object() || request.value("clientId", "") != k_app_key || !cards)
            return std::pair<int, std::string>{401, R"({"code":"InvalidAuthentication","message":"no card topic"})"};
        size_t query = url.find("?ticket=");
        return std::pair<int, std::string>{
            200, json{{"endpoint", url.substr(0, query)}, {"ticket", url.substr(query + 8)}}.dump()};
    };
    dialect.frame = [](const std::string& id, const std::string& body, int) { return frame(k_card_topic, id, body); };
    dialect.acked_id = [](const bot::WsFrame& message) {
        json ack = json::parse(message.data, nullptr, false);
        if (!ack.is_object() || ack.value("code", 0) != 200 || !ack["headers"].is_object()) return std::string();
        return ack["headers"].value("messageId", std::string());
    };
    return dialect;
}

class DingtalkCardStreamTest : public testing_support::SocketAppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.dingtalk.enabled = true;
        config.dingtalk.mode = config::ConnectionMode::socket;
        config.dingtalk.app_key = k_app_key;
        config.dingtalk.app_secret = k_app_secret;
        config.dingtalk.robot_code = k_robot_code;
        config.dingtalk.api_base = m_platform.base_url();
        config.dingtalk.card_template_id = "tpl-trackerd.schema";
        config.dingtalk.card_token_secret = k_token_secret;
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", "", k_owner, "", ""});
        bind_chat(config, "dingtalk", k_chat);
        return config;
    }
    FakeSocketPlatform& platform() override { return m_platform; }

    std::string mint(const std::string& action, const std::string& chat = k_chat) {
        dt::CardToken token{chat, "P1/T003", action, core::Locale::zh_cn, m_clock.now_unix() + 3600, "card1-x"};
        return *dt::mint_card_token(dt::card_token_key(k_token_secret), token);
    }

    // The response object of the ack of frame `id`.
    json response_of(const std::string& id) {
        for (const auto& message : m_platform.received()) {
            json ack = json::parse(message.data, nullptr, false);
            if (!ack.is_object() || !ack["headers"].is_object() || ack["headers"].value("messageId", "") != id) continue;
            json data = json::parse(ack.value("data", ""), nullptr, false);
            return data.is_object() ? data["response"] : json();
        }
        return json();
    }

    FakeDingtalk m_dingtalk{k_app_key, k_app_secret, k_robot_code, &m_clock};
    FakeSocketPlatform m_platform{m_tls, card_dialect(), m_dingtalk.base_url()};
};

TEST_F(DingtalkCardStreamTest, ATapOverTheStreamMarksTheTaskDoneAndTheAckUpdatesTheCard) {
    start();
    m_platform.deliver("tap-1", FakeDingtalk::card_stream_data("trk-card1", k_owner, mint("task_done"), k_chat));
    ASSERT_TRUE(wait([&] { return m_platform.acks("tap-1") == 1; }));
    EXPECT_EQ(task("T003").status, core::Status::done);
    json response = response_of("tap-1");
    EXPECT_EQ(response["cardUpdateOptions"]["updateCardDataByKey"], true) << response.dump();
    EXPECT_EQ(response["cardData"]["cardParamMap"]["status"], "done") << response.dump();
    EXPECT_NE(response["cardData"]["cardParamMap"].value("statusText", "").find("T003"), std::string::npos);
}

TEST_F(DingtalkCardStreamTest, TheSameTapRedeliveredUnderANewFrameAppliesOnce) {
    start();
    const std::string data = FakeDingtalk::card_stream_data("trk-card1", k_owner, mint("task_done"), k_chat);
    m_platform.deliver("tap-1", data);
    ASSERT_TRUE(wait([&] { return m_platform.acks("tap-1") == 1; }));
    const size_t entries = progress_entries("T003");
    m_platform.deliver("tap-2", data);
    ASSERT_TRUE(wait([&] { return m_platform.acks("tap-2") == 1; }));
    EXPECT_EQ(progress_entries("T003"), entries);
    json second = response_of("tap-2");
    EXPECT_FALSE(second.contains("cardData")) << second.dump();
    EXPECT_EQ(second["userPrivateData"]["cardParamMap"]["statusText"], "无效或已使用的按钮");
}

TEST_F(DingtalkCardStreamTest, ATokenIssuedToAnotherChatOrTamperedIsRefusedAndChangesNothing) {
    start();
    std::string tampered = mint("task_done");
    tampered.replace(tampered.find("T003"), 4, "T004");
    m_platform.deliver("other-chat",
                       FakeDingtalk::card_stream_data("trk-card1", k_owner, mint("task_done", "cidOtherGroup=="), k_chat));
    m_platform.deliver("tampered", FakeDingtalk::card_stream_data("trk-card1", k_owner, tampered, k_chat));
    m_platform.deliver("garbage", R"({"outTrackId":"trk-card1"})");
    ASSERT_TRUE(wait([&] {
        return m_platform.acks("other-chat") == 1 && m_platform.acks("tampered") == 1 && m_platform.acks("garbage") == 1;
    }));
    for (const char* id : {"other-chat", "tampered"}) {
        json response = response_of(id);
        EXPECT_FALSE(response.contains("cardData")) << id;
        EXPECT_EQ(response["userPrivateData"]["cardParamMap"]["statusText"], "无效或已使用的按钮") << id;
    }
    EXPECT_NE(task("T003").status, core::Status::done);
    EXPECT_EQ(progress_entries("T003"), 0u);
    EXPECT_EQ(progress_entries("T004"), 0u);
}

}  // namespace
