// trackerd with Feishu over the long connection, end to end: the real App, a real SQLite file,
// a fake Feishu whose callback/ws/endpoint hands out single-use wss:// URLs to a TLS WebSocket
// server on 127.0.0.1 (test certificate) speaking the SDKs' protobuf frames, and the fake
// Feishu HTTP API (tenant token, im/v1 reply) for the answers.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/feishu/long_connection.h"
#include "bot/app.h"
#include "tests/support/deep_json.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/fake_socket_platform.h"
#include "tests/support/socket_app_under_test.h"

namespace {

using nlohmann::json;
using testing_support::FakeSocketPlatform;
namespace fs = adapters::feishu;

constexpr const char* k_app_id = "cli_9f5343c580712544";
constexpr const char* k_app_secret = "test-app-secret-0123456789";
constexpr const char* k_sender = "ou_84aad35d084aa403a838cf73ee18467";
constexpr const char* k_chat = "oc_5ce6d572455d361153b7xx51da133945";
constexpr const char* k_bot = "ou_bot0000000000";
constexpr int k_service_id = 7;

// §2.7's im.message.receive_v1, as the long connection carries it (plaintext, no token check).
std::string receive_event(const std::string& event_id, const std::string& message_id, const std::string& text,
                          const std::string& sender = k_sender) {
    json mention = {{"key", "@_user_1"}, {"id", {{"open_id", k_bot}}}, {"name", "TaskBot"}};
    return json{{"schema", "2.0"},
                {"header", {{"event_id", event_id}, {"event_type", "im.message.receive_v1"},
                            {"create_time", "1700000000000"}, {"token", ""}, {"app_id", k_app_id}}},
                {"event",
                 {{"sender", {{"sender_id", {{"open_id", sender}}}, {"sender_type", "user"}}},
                  {"message", {{"message_id", message_id}, {"chat_id", k_chat}, {"chat_type", "group"},
                               {"message_type", "text"}, {"create_time", "1700000000000"},
                               {"content", json{{"text", text}}.dump()}, {"mentions", json::array({mention})}}}}}}
        .dump();
}

fs::PbFrame data_frame(const std::string& id, const std::string& payload, int sum = 1, int seq = 0) {
    fs::PbFrame frame;
    frame.seq_id = 1;
    frame.log_id = 42;
    frame.service = k_service_id;
    frame.method = fs::k_frame_data;
    frame.headers = {{"type", "event"}, {"message_id", id}, {"sum", std::to_string(sum)}, {"seq", std::to_string(seq)},
                     {"trace_id", "trace-" + id}};
    frame.payload = payload;
    return frame;
}

class FeishuLongConnectionModeTest : public testing_support::SocketAppUnderTest {
protected:
    FeishuLongConnectionModeTest() : m_platform(m_tls, dialect(), m_feishu.api_base()) {}

    testing_support::SocketDialect dialect() {
        testing_support::SocketDialect dialect;
        dialect.open_path = "/callback/ws/endpoint";
        dialect.binary = true;
        dialect.open = [](const std::string& body, const std::string&, const std::string& url) {
            json request = json::parse(body, nullptr, false);
            if (!request.is_object() || request.value("AppID", "") != k_app_id ||
                request.value("AppSecret", "") != k_app_secret)
                return std::pair<int, std::string>{200, R"({"code":1000040343,"msg":"invalid app"})"};
            json data = {{"URL", url + "&device_id=dev-1&service_id=" + std::to_string(k_service_id)},
                         {"ClientConfig", {{"PingInterval", 120}, {"ReconnectCount", -1}, {"ReconnectInterval", 120},
                                           {"ReconnectNonce", 30}}}};
            return std::pair<int, std::string>{200, json{{"code", 0}, {"msg", "ok"}, {"data", data}}.dump()};
        };
        dialect.frame = [](const std::string& id, const std::string& body, int) {
            return fs::encode_frame(data_frame(id, body));
        };
        // Answers pings with a pong (as the server does) and reads {"code":200} answers.
        dialect.acked_id = [this](const bot::WsFrame& message) {
            auto frame = fs::decode_frame(message.data);
            if (!frame) return std::string();
            if (frame->method == fs::k_frame_control && frame->header("type") == "ping") {
                ++m_pings;
                if (frame->service == k_service_id) ++m_pings_with_service;
                fs::PbFrame pong = *frame;
                pong.headers = {{"type", "pong"}};
                pong.payload = R"({"PingInterval":90})";
                m_platform.send_raw(fs::encode_frame(pong));
                return std::string();
            }
            json answer = json::parse(frame->payload, nullptr, false);
            if (frame->method != fs::k_frame_data || !answer.is_object() || answer.value("code", 0) != 200 ||
                frame->header("biz_rt").empty())
                return std::string();
            if (answer["data"].is_string()) {  // a card tap's answer, base64 as the SDKs send it
                std::lock_guard lock(m_answers_mutex);
                m_answers[frame->header("message_id")] = answer["data"].get<std::string>();
            }
            return frame->header("message_id");
        };
        return dialect;
    }

    config::Config make_config() override {
        config::Config config = base_config();
        config.feishu.enabled = true;
        config.feishu.mode = config::ConnectionMode::socket;
        config.feishu.app_id = k_app_id;
        config.feishu.app_secret = k_app_secret;
        config.feishu.bot_open_id = k_bot;
        config.feishu.api_base = m_platform.base_url();
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", k_sender, "", "", ""});
        bind_chat(config, "feishu", k_chat);
        return config;
    }
    FakeSocketPlatform& platform() override { return m_platform; }

    std::string answer_data(const std::string& id) {
        std::lock_guard lock(m_answers_mutex);
        auto found = m_answers.find(id);
        return found == m_answers.end() ? std::string() : found->second;
    }

    testing_support::FakeFeishu m_feishu{k_app_id, k_app_secret, &m_clock};
    std::mutex m_answers_mutex;
    std::map<std::string, std::string> m_answers;  // frame message_id -> the answer's "data"
    std::atomic<int> m_pings{0};
    std::atomic<int> m_pings_with_service{0};
    FakeSocketPlatform m_platform;
};

TEST_F(FeishuLongConnectionModeTest, AnEventOverTheConnectionUpdatesTheTaskAndIsAnsweredThroughImV1) {
    start();
    ASSERT_TRUE(wait([&] { return m_pings_with_service >= 1; }));  // pings at once, with the URL's service_id
    m_platform.deliver("msg-1", receive_event("ev-1", "om_1", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-1") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    ASSERT_TRUE(m_feishu.wait_for(1, k_wait));
    auto messages = m_feishu.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].endpoint, "reply");
    EXPECT_EQ(messages[0].target, "om_1");
}

TEST_F(FeishuLongConnectionModeTest, AnEventNestedTooDeeplyIsRefusedAndTheConnectionKeepsWorking) {
    start();
    m_platform.deliver("msg-deep", testing_support::with_deep_field(receive_event("ev-deep", "om_deep", "@_user_1 T003 进度 43%")));
    m_platform.deliver("msg-1", receive_event("ev-1", "om_1", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-deep") == 1 && m_platform.acks("msg-1") == 1; }));
    EXPECT_EQ(m_platform.connections(), 1);
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(progress_entries("T003"), 1u);
}

TEST_F(FeishuLongConnectionModeTest, AConnectionDroppedBeforeTheAnswerIsPushedAgainAndAppliedOnce) {
    start();
    m_platform.deliver("msg-1", receive_event("ev-1", "om_1", "@_user_1 T003 进度 60%"), /*drop_after=*/true);
    ASSERT_TRUE(wait([&] { return m_platform.connections() == 2 && m_platform.acks("msg-1") == 1; }));
    EXPECT_EQ(m_platform.deliveries("msg-1"), 2);
    EXPECT_EQ(m_platform.opens(), 2);
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_feishu.wait_for(1, k_wait));
    drain_outbox();
    EXPECT_EQ(m_feishu.messages().size(), 1u);
}

TEST_F(FeishuLongConnectionModeTest, ASplitEventIsJoinedAndARePushUnderANewEventIdIsAppliedOnce) {
    start();
    std::string payload = receive_event("ev-1", "om_1", "@_user_1 T003 进度 60%");
    size_t half = payload.size() / 2;
    m_platform.send_raw(fs::encode_frame(data_frame("msg-split", payload.substr(half), 2, 1)));
    m_platform.send_raw(fs::encode_frame(data_frame("msg-split", payload.substr(0, half), 2, 0)));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-split") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    // §2.6: the same message pushed again under another event_id is caught by its message_id.
    m_platform.deliver("msg-2", receive_event("ev-2", "om_1", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-2") == 1; }));
    EXPECT_EQ(progress_entries("T003"), 1u);
}

}  // namespace

// Issue 21 over the long connection: a config with one admin and no chat; the admin binds the
// group from it, and the sender, whose directory email is 小明's in the people table, has his
// first update applied.
TEST_F(FeishuLongConnectionModeTest, TheAdminBindsTheGroupAndTheDirectoryLinksAMemberOverTheConnection) {
    {
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        ASSERT_TRUE((*store)->put_person(core::Person{"小明", "小明", "市场部", "", "", "", "xiaoming@example.com", ""},
                                         core::EntrySource::cli, "", core::ChangeSource{"", "cli", "", "", 1700000000}));
    }
    m_feishu.add_directory_user(k_sender, testing_support::FeishuDirectoryUser{"王小明", "", "xiaoming@example.com", "", ""});
    const std::string admin = "ou_manager000000000000000000000";
    start([&](config::Config& config) {
        config.people = {core::Person{"经理", "经理", "市场部", "", admin, "", "", ""}};
        config.admins = {"经理"};
        config.chats.clear();
    });
    m_platform.deliver("msg-bind", receive_event("ev-bind", "om_bind", "@_user_1 绑定 P1", admin));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-bind") == 1; }));
    auto chat = m_app->store().chat("feishu", k_chat);
    ASSERT_TRUE(chat && *chat);
    EXPECT_EQ((*chat)->chat.projects, std::vector<std::string>{"P1"});
    // The bind's reply out first: sent after the clock moves on, it would hold the next reply
    // for the chat's pacing beyond the one run_once below.
    ASSERT_TRUE(m_feishu.wait_for(1, k_wait)) << m_feishu.messages().size();
    // The fake has the reply, but the worker's pass may not have noted the send yet: it paces
    // the chat's next reply from the clock it reads then. A pass of our own waits for that one
    // (passes are serialised), so the clock moves on only after it (flaky under ASan before).
    m_app->outbox().run_once();
    m_clock.advance_seconds(3);
    m_platform.deliver("msg-update", receive_event("ev-update", "om_update", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(wait([&] { return m_platform.acks("msg-update") == 1; }));
    EXPECT_EQ(task("T003").completion, 60);
    m_clock.advance_seconds(3);
    m_app->outbox().run_once();
    ASSERT_TRUE(m_feishu.wait_for(2, k_wait)) << m_feishu.messages().size();
    EXPECT_NE(m_feishu.messages().back().content.find("已识别为 小明"), std::string::npos) << m_feishu.messages().back().content;
}

TEST_F(FeishuLongConnectionModeTest, ACardTapOverTheConnectionIsAppliedAndAnsweredWithAToastInTheFrame) {
    start();
    json tap = {{"schema", "2.0"},
                {"header", {{"event_id", "ev-tap-1"}, {"event_type", "card.action.trigger"},
                            {"create_time", "1700000000000000"}, {"token", ""}, {"app_id", k_app_id}}},
                {"event",
                 {{"operator", {{"open_id", k_sender}}},
                  {"action", {{"value", {{"action", "task_done"}, {"value", "P1/T003"}, {"lang", "zh-CN"}, {"single", true}}},
                              {"tag", "button"}}},
                  {"context", {{"open_message_id", "om_card_1"}, {"open_chat_id", k_chat}}}}}};
    m_platform.deliver("tap-1", tap.dump());
    ASSERT_TRUE(wait([&] { return m_platform.acks("tap-1") == 1; }));
    EXPECT_EQ(task("T003").status, core::Status::done);
    auto decoded = adapters::base64_decode(answer_data("tap-1"));
    ASSERT_TRUE(decoded) << "the answer's data is base64";
    json answer = json::parse(*decoded, nullptr, false);
    EXPECT_EQ(answer["toast"]["type"], "success") << *decoded;
    EXPECT_EQ(answer["card"]["type"], "raw") << "the one-task card is replaced by what happened";
}
