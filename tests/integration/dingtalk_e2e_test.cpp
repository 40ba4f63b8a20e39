// trackerd end to end with DingTalk: the real App on 127.0.0.1 port 0, the real SQLite file, and
// a fake DingTalk on 127.0.0.1 playing the token endpoint, the robot OpenAPI and sessionWebhooks
// with DingTalk's checks (protocols.md §3.2, §3.6, §3.7).

#include <gtest/gtest.h>
#include <httplib.h>


#include "adapters/common/crypto.h"
#include "bot/app.h"
#include "tests/support/app_under_test.h"
#include "tests/support/fake_dingtalk.h"

namespace {

using testing_support::read_file;

using testing_support::DingtalkPost;
using testing_support::FakeDingtalk;

// protocols.md §3.7: the callback vector's appSecret; §3.2's body and robotCode.
constexpr const char* k_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
constexpr const char* k_app_key = "dingappkey0001";
constexpr const char* k_robot_code = "dingxxxx";
constexpr const char* k_chat = "cidAsXSBLnA==";
constexpr const char* k_staff_id = "16650246698";
constexpr long long k_vector_time_ms = 1700000000000;
static_assert(k_vector_time_ms == testing_support::k_start_unix * 1000, "the clock starts at the vector");
constexpr long long k_session_expiry_ms = 1700005400000;  // the body's sessionWebhookExpiredTime
constexpr const char* k_session = "76da36b4";

void replace_once(std::string& text, const std::string& from, const std::string& to) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
}

// §3.2: base64(HMAC-SHA256(key = appSecret, msg = timestamp + "\n" + appSecret)).
std::string sign(long long timestamp_ms, const std::string& secret = k_app_secret) {
    return adapters::base64_encode(
        adapters::hmac_sha256(secret, std::to_string(timestamp_ms) + "\n" + secret));
}

class DingtalkEndToEndTest : public testing_support::AppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.dingtalk.enabled = true;
        config.dingtalk.app_key = k_app_key;
        config.dingtalk.app_secret = k_app_secret;
        config.dingtalk.robot_code = k_robot_code;
        config.dingtalk.api_base = m_dingtalk.base_url();
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", "", k_staff_id, "", ""});
        config.people.push_back(core::Person{"小李", "小李", "市场部", "", "", "16650249999", "", ""});
        bind_chat(config, "dingtalk", k_chat);
        return config;
    }

    // The §3.2 body, its sessionWebhook pointing at the fake.
    std::string callback_body() {
        std::string body =
            read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/dingtalk_callback.json");
        replace_once(body, "https://oapi.dingtalk.com/robot/sendBySession?session=76da36b4…",
                     m_dingtalk.session_webhook(k_session));
        return body;
    }

    httplib::Result post(const std::string& body, const std::string& timestamp,
                         const std::string& signature) {
        httplib::Client client("127.0.0.1", m_port);
        httplib::Headers headers{{"timestamp", timestamp}, {"sign", signature}};
        return client.Post("/dingtalk/events", headers, body, "application/json; charset=utf-8");
    }

    // One ms after the last: DingTalk stamps each callback, and a pair signs one message only.
    httplib::Result post_signed(const std::string& body) {
        const long long now = m_clock.now_unix_ms() + m_requests++;
        return post(body, std::to_string(now), sign(now));
    }

    size_t pending_rows() {
        auto rows = m_app->store().outbox(store::OutboxState::pending, 10);
        return rows ? rows->size() : 0;
    }

    long long m_requests = 0;  // post_signed stamps
    FakeDingtalk m_dingtalk{k_app_key, k_app_secret, k_robot_code};
};

TEST_F(DingtalkEndToEndTest,
       SignedCallbackUpdatesTaskAndRepliesThroughTheSessionWebhookMentioningTheSender) {
    m_clock.set_unix_ms(k_vector_time_ms + 100000);  // a time of its own, signed as §3.2 says
    start();
    auto response = post_signed(callback_body());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "{\"msgtype\":\"empty\"}");
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(task("T003").status, core::Status::in_progress);
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    auto messages = m_dingtalk.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].via, DingtalkPost::Via::session_webhook);
    EXPECT_EQ(messages[0].session, k_session);
    EXPECT_EQ(messages[0].at_user_ids, std::vector<std::string>{k_staff_id});
    EXPECT_NE(messages[0].text.find("@16650246698"), std::string::npos) << messages[0].text;
    EXPECT_NE(messages[0].text.find("60%"), std::string::npos) << messages[0].text;
    EXPECT_EQ(m_dingtalk.token_requests(), 0) << "a sessionWebhook needs no access token";
}

TEST_F(DingtalkEndToEndTest, ProtocolsCallbackVectorIsAcceptedAtItsTime) {
    start();
    // §3.7: appSecret demoAppSecret_…, timestamp 1700000000000 -> this sign, byte for byte.
    auto response =
        post(callback_body(), "1700000000000", "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(task("T003").completion, 60);
}

TEST_F(DingtalkEndToEndTest, ReplyGoesThroughTheOpenApiOnceTheSessionWebhookHasExpired) {
    m_dingtalk.fail_session_posts(1);
    start();
    auto response = post_signed(callback_body());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    // The first attempt meets a 500 from the sessionWebhook; wait until it is recorded, then let
    // the webhook expire before the retry.
    for (int i = 0; i < 1000 && outbox_attempts() < 1; ++i) m_app->outbox().run_once();
    ASSERT_EQ(outbox_attempts(), 1);
    EXPECT_TRUE(m_dingtalk.messages().empty());
    m_clock.set_unix_ms(k_session_expiry_ms + 1000);
    m_app->outbox().wake();
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    auto messages = m_dingtalk.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].via, DingtalkPost::Via::group_api);
    EXPECT_EQ(messages[0].open_conversation_id, k_chat);
    EXPECT_NE(messages[0].text.find("60%"), std::string::npos) << messages[0].text;
    EXPECT_EQ(m_dingtalk.token_requests(), 1);
}

TEST_F(DingtalkEndToEndTest,
       CallbackArrivingWithAnAlmostExpiredSessionWebhookIsAnsweredThroughTheOpenApi) {
    m_clock.set_unix_ms(k_session_expiry_ms - 30000);  // inside the one-minute margin
    start();
    auto response = post_signed(callback_body());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    auto messages = m_dingtalk.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].via, DingtalkPost::Via::group_api);
    EXPECT_EQ(messages[0].open_conversation_id, k_chat);
}

TEST_F(DingtalkEndToEndTest, RevokedAccessTokenIsRefreshedAndTheSendRetriedOnce) {
    m_clock.set_unix_ms(k_session_expiry_ms);  // every reply goes through the OpenAPI
    start();
    ASSERT_EQ(post_signed(callback_body())->status, 200);
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    // Wait until the pass that sent it is over (passes are serialised), so its pacing is
    // recorded before the clock moves past it.
    for (int i = 0; i < 1000 && pending_rows() > 0; ++i) m_app->outbox().run_once();
    ASSERT_EQ(pending_rows(), 0u);
    m_dingtalk.revoke_tokens();
    std::string second = callback_body();
    replace_once(second, "msgLICYeHgY4JtMQw==", "msgSecondOne00000==");
    replace_once(second, "进度 60%", "进度 70%");
    m_clock.advance_seconds(10);  // past the DingTalk pacing of one conversation
    ASSERT_EQ(post_signed(second)->status, 200);
    ASSERT_TRUE(m_dingtalk.wait_for(2, std::chrono::seconds(10)));
    auto messages = m_dingtalk.messages();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_NE(messages[1].text.find("70%"), std::string::npos) << messages[1].text;
    EXPECT_EQ(m_dingtalk.token_requests(), 2);
    EXPECT_EQ(task("T003").completion, 70);
}

TEST_F(DingtalkEndToEndTest, WrongSignAndOutOfWindowTimestampsAreRefusedAndChangeNothing) {
    start();
    const std::string body = callback_body();
    const long long now = m_clock.now_unix_ms();
    auto forged = post(body, std::to_string(now), sign(now, "not-the-app-secret"));
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    const long long stale = now - 3600001;
    auto old = post(body, std::to_string(stale), sign(stale));
    ASSERT_TRUE(old);
    EXPECT_EQ(old->status, 401);
    const long long future = now + 3600001;
    auto ahead = post(body, std::to_string(future), sign(future));
    ASSERT_TRUE(ahead);
    EXPECT_EQ(ahead->status, 401);
    httplib::Client client("127.0.0.1", m_port);
    auto unsigned_request = client.Post("/dingtalk/events", body, "application/json");
    ASSERT_TRUE(unsigned_request);
    EXPECT_EQ(unsigned_request->status, 401);

    EXPECT_EQ(task("T003").completion, 0);
    EXPECT_EQ(progress_entries("T003"), 0u);
    drain_outbox();
    EXPECT_EQ(m_dingtalk.request_count(), 0);
}

TEST_F(DingtalkEndToEndTest, SameMsgIdDeliveredTwiceChangesOnceAndRepliesOnce) {
    start();
    const std::string body = callback_body();
    for (int delivery = 0; delivery < 2; ++delivery) {
        auto response = post_signed(body);
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->body, "{\"msgtype\":\"empty\"}");
    }
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    EXPECT_EQ(m_dingtalk.messages().size(), 1u);
}

TEST_F(DingtalkEndToEndTest, PictureMessageIsAcknowledgedAndMalformedBodyRefused) {
    start();
    std::string picture = callback_body();
    replace_once(picture, "\"msgtype\":\"text\"", "\"msgtype\":\"picture\"");
    auto ignored = post_signed(picture);
    ASSERT_TRUE(ignored);
    EXPECT_EQ(ignored->status, 200);
    EXPECT_EQ(ignored->body, "{\"msgtype\":\"empty\"}");
    auto malformed = post_signed("{\"msgtype\":");
    ASSERT_TRUE(malformed);
    EXPECT_EQ(malformed->status, 400);
    EXPECT_EQ(task("T003").completion, 0);
    drain_outbox();
    EXPECT_EQ(m_dingtalk.request_count(), 0);
}

}  // namespace
