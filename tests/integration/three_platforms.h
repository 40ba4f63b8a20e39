#pragma once
// A test fixture running the real App (AppUnderTest) with Slack, Feishu and DingTalk all
// enabled against their fakes, on a real SQLite file holding two projects: P1 (the demo
// campaign, T001…) and P2 (the Q3 campaign with its ids renamed Q001…, owned by 张). Each
// platform's group chat is bound to P1 only. Builds requests the way each platform signs them,
// captures the log, and snapshots the database.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"
#include "bot/app.h"
#include "core/table_csv.h"
#include "tests/support/app_under_test.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/fake_slack.h"
#include "tests/support/log_capture.h"
#include "tests/support/store_snapshot.h"
#include "tests/support/test_secrets.h"

namespace testing_support {

namespace three_platforms {

namespace s = testing_support::secrets;

inline constexpr long long k_now = k_start_unix;  // 2023-11-14 22:13:20 UTC, where AppUnderTest starts
inline constexpr const char* k_slack_bot = "U0LAN0Z89";
inline constexpr const char* k_slack_chat = "C123ABC456";
inline constexpr const char* k_feishu_app_id = "cli_9f5343c580712544";
inline constexpr const char* k_feishu_chat = "oc_5ce6d572455d361153b7xx51da133945";
inline constexpr const char* k_dingtalk_app_key = "dingappkey0001";
inline constexpr const char* k_dingtalk_robot = "dingxxxx";
inline constexpr const char* k_dingtalk_chat = "cidAsXSBLnA==";

// One person's id on each platform.
struct Who {
    const char* slack;
    const char* feishu;
    const char* dingtalk;
};
inline constexpr Who k_xiaoming{"U061F7AUR", "ou_84aad35d084aa403a838cf73ee18467", "16650246698"};  // owns P1 T003
inline constexpr Who k_xiaoli{"U0XIAOLI1", "ou_xiaoli0000000000000000000000", "16650249999"};
inline constexpr Who k_zhang{"U0ZHANG01", "ou_zhang00000000000000000000000", "16650240000"};  // owns P2 Q003
inline constexpr Who k_stranger{"U0NOBODY1", "ou_nobody0000000000000000000000", "16650200000"};  // no person

struct Request {
    std::string path;
    std::string body;
    httplib::Headers headers;
    std::string content_type = "application/json";
};

}  // namespace three_platforms

class ThreePlatforms : public AppUnderTest {
public:  // the helpers are used by row tables outside the fixture too
    using Request = three_platforms::Request;
    using Who = three_platforms::Who;

    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(AppUnderTest::SetUp());
        ASSERT_EQ(import_p2(), "");
        m_config = make_config();
    }

    // The config SetUp puts in m_config, which a test may change before start().
    config::Config make_config() override {
        namespace s = secrets;
        namespace t = three_platforms;
        config::Config config = base_config();
        config.slack.enabled = true;
        config.slack.signing_secret = s::k_slack_signing_secret;
        config.slack.bot_token = s::k_slack_bot_token;
        config.slack.bot_user_id = t::k_slack_bot;
        config.slack.api_base = m_slack.api_base();
        config.feishu.enabled = true;
        config.feishu.app_id = t::k_feishu_app_id;
        config.feishu.app_secret = s::k_feishu_app_secret;
        config.feishu.verification_token = s::k_feishu_verification_token;
        config.feishu.encrypt_key = s::k_feishu_encrypt_key;
        config.feishu.api_base = m_feishu.api_base();
        config.feishu.bot_open_id = "ou_bot0000000000";
        config.dingtalk.enabled = true;
        config.dingtalk.app_key = t::k_dingtalk_app_key;
        config.dingtalk.app_secret = s::k_dingtalk_app_secret;
        config.dingtalk.robot_code = t::k_dingtalk_robot;
        config.dingtalk.api_base = m_dingtalk.base_url();
        config.dingtalk.oapi_base = m_dingtalk.base_url();  // the directory (topapi) too
        auto person = [](const char* id, const Who& who) {
            return core::Person{id, id, "市场部", who.slack, who.feishu, who.dingtalk, "", ""};
        };
        config.people = {person("小明", t::k_xiaoming), person("小李", t::k_xiaoli), person("张", t::k_zhang)};
        bind_chat(config, "slack", t::k_slack_chat);
        bind_chat(config, "feishu", t::k_feishu_chat);
        bind_chat(config, "dingtalk", t::k_dingtalk_chat);
        return config;
    }

    void start() { AppUnderTest::start(m_config); }

    // ---- requests as each platform signs them ----

    static std::string slack_sign(const std::string& timestamp, const std::string& body,
                                  const std::string& secret = secrets::k_slack_signing_secret) {
        return "v0=" + adapters::to_hex(adapters::hmac_sha256(secret, "v0:" + timestamp + ":" + body));
    }

    // An app_mention as Slack sends it; `text` is Slack's wire text (&lt; for a typed '<').
    static std::string slack_event_body(const std::string& event_id, const std::string& user, const std::string& text,
                                        const std::string& channel = three_platforms::k_slack_chat) {
        nlohmann::json body = {
            {"token", "XXYYZZ"}, {"team_id", "T123ABC456"}, {"api_app_id", "A123ABC456"},
            {"event",
             {{"type", "app_mention"}, {"user", user}, {"text", std::string("<@") + three_platforms::k_slack_bot + "> " + text},
              {"ts", "1700000000.000100"}, {"channel", channel}, {"event_ts", "1700000000.000100"}}},
            {"type", "event_callback"}, {"event_id", event_id}, {"event_time", three_platforms::k_now}};
        return body.dump();
    }

    Request slack_signed(const std::string& path, const std::string& body,
                         const std::string& content_type = "application/json") const {
        std::string ts = std::to_string(m_clock.now_unix());
        return Request{path, body, {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", slack_sign(ts, body)}},
                       content_type};
    }

    Request slack_event(const std::string& event_id, const Who& who, const std::string& text,
                        const std::string& channel = three_platforms::k_slack_chat) const {
        return slack_signed("/slack/events", slack_event_body(event_id, who.slack, text, channel));
    }

    // im.message.receive_v1 (§2.7) plaintext.
    static std::string feishu_event_json(const std::string& event_id, const std::string& message_id, const Who& who,
                                         const std::string& text,
                                         const std::string& chat = three_platforms::k_feishu_chat,
                                         const std::string& token = secrets::k_feishu_verification_token) {
        nlohmann::json mention = {{"key", "@_user_1"},
                                  {"id", {{"union_id", "on_bot"}, {"user_id", ""}, {"open_id", "ou_bot0000000000"}}},
                                  {"name", "TaskBot"},
                                  {"tenant_key", "2ca1d211f64f6438"}};
        nlohmann::json event = {
            {"schema", "2.0"},
            {"header",
             {{"event_id", event_id}, {"event_type", "im.message.receive_v1"}, {"create_time", "1700000000000"},
              {"token", token}, {"app_id", three_platforms::k_feishu_app_id}, {"tenant_key", "2ca1d211f64f6438"}}},
            {"event",
             {{"sender",
               {{"sender_id", {{"union_id", "on_x"}, {"user_id", "x"}, {"open_id", who.feishu}}},
                {"sender_type", "user"},
                {"tenant_key", "2ca1d211f64f6438"}}},
              {"message",
               {{"message_id", message_id}, {"root_id", ""}, {"parent_id", ""}, {"create_time", "1700000000000"},
                {"chat_id", chat}, {"chat_type", "group"}, {"message_type", "text"},
                {"content", nlohmann::json{{"text", "@_user_1 " + text}}.dump()},
                {"mentions", nlohmann::json::array({mention})}}}}}};
        return event.dump();
    }

    static std::string feishu_encrypt(const std::string& plaintext) {
        return nlohmann::json{{"encrypt", adapters::feishu::encrypt_envelope(secrets::k_feishu_encrypt_key, plaintext,
                                                                             "0123456789abcdef")}}
            .dump();
    }

    static Request feishu_signed(const std::string& body, const std::string& key = secrets::k_feishu_encrypt_key) {
        std::string ts = std::to_string(three_platforms::k_now);
        std::string nonce = "1234567890";
        return Request{"/feishu/events", body,
                       {{"X-Lark-Request-Timestamp", ts},
                        {"X-Lark-Request-Nonce", nonce},
                        {"X-Lark-Signature", adapters::to_hex(adapters::sha256(ts + nonce + key + body))}}};
    }

    static Request feishu_event(const std::string& event_id, const Who& who, const std::string& text,
                                const std::string& chat = three_platforms::k_feishu_chat) {
        return feishu_signed(feishu_encrypt(feishu_event_json(event_id, "om_" + event_id, who, text, chat)));
    }

    static std::string dingtalk_sign(long long timestamp_ms, const std::string& secret = secrets::k_dingtalk_app_secret) {
        return adapters::base64_encode(adapters::hmac_sha256(secret, std::to_string(timestamp_ms) + "\n" + secret));
    }

    // The §3.2 callback body; its sessionWebhook points at the fake.
    std::string dingtalk_body(const std::string& msg_id, const Who& who, const std::string& text,
                              const std::string& chat = three_platforms::k_dingtalk_chat) {
        nlohmann::json body = {{"conversationId", chat},
                               {"atUsers", nlohmann::json::array({{{"dingtalkId", "$:LWCP_v1:$4bot"}}})},
                               {"chatbotCorpId", "ding9f50b15b"},
                               {"chatbotUserId", "$:LWCP_v1:$4bot"},
                               {"msgId", msg_id},
                               {"senderNick", "someone"},
                               {"isAdmin", false},
                               {"senderStaffId", who.dingtalk},
                               {"sessionWebhookExpiredTime", (three_platforms::k_now + 5400) * 1000},
                               {"createAt", three_platforms::k_now * 1000 - 100},
                               {"senderCorpId", "ding9f50b15b"},
                               {"conversationType", "2"},
                               {"senderId", "$:LWCP_v1:$jqTgIfhRX9Q=="},
                               {"conversationTitle", "项目群"},
                               {"isInAtList", true},
                               {"sessionWebhook", m_dingtalk.session_webhook("s-" + msg_id)},
                               {"text", {{"content", " " + text}}},
                               {"robotCode", three_platforms::k_dingtalk_robot},
                               {"msgtype", "text"}};
        return body.dump();
    }

    // Signed at `timestamp_ms`, or at the clock's now plus one ms per request so far: DingTalk
    // stamps each callback, and a (timestamp, sign) pair carries one message only.
    Request dingtalk_signed(const std::string& body, long long timestamp_ms = 0) const {
        long long at = timestamp_ms ? timestamp_ms : m_clock.now_unix_ms() + m_dingtalk_requests++;
        return Request{"/dingtalk/events", body, {{"timestamp", std::to_string(at)}, {"sign", dingtalk_sign(at)}},
                       "application/json; charset=utf-8"};
    }

    Request dingtalk_event(const std::string& msg_id, const Who& who, const std::string& text,
                           const std::string& chat = three_platforms::k_dingtalk_chat) {
        return dingtalk_signed(dingtalk_body(msg_id, who, text, chat));
    }

    httplib::Result send(const Request& request) const {
        httplib::Client client("127.0.0.1", m_port);
        client.set_read_timeout(std::chrono::seconds(30));
        client.set_write_timeout(std::chrono::seconds(30));
        return client.Post(request.path, request.headers, request.body, request.content_type);
    }

    // ---- what came of it ----

    StoreSnapshot snapshot() const { return snapshot_store(m_db); }

    // Replies the fakes accepted, as text, all platforms.
    std::vector<std::string> replies() const {
        std::vector<std::string> out;
        for (const auto& m : m_slack.messages()) out.push_back(m.text + "\n" + m.blocks_json);
        for (const auto& m : m_feishu.messages()) out.push_back(m.content);
        for (const auto& m : m_dingtalk.messages()) out.push_back(m.text);
        return out;
    }

    // Lets the outbox worker deliver what is due now and waits until `count` replies arrived.
    bool wait_for_replies(size_t count) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (replies().size() < count && std::chrono::steady_clock::now() < deadline) {
            m_app->outbox().run_once();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return replies().size() >= count;
    }

    std::string import_p2() {
        auto csv = read_file(samples_dir() + "/q3-online-strategy.csv");
        for (size_t at = csv.find("\nT00"); at != std::string::npos; at = csv.find("\nT00", at + 1)) csv[at + 1] = 'Q';
        auto store = store::Store::open(m_db);
        if (!store) return store.error().message;
        core::ImportOptions options;
        options.project_id = "P2";
        auto table = core::import_tracking_csv(csv, options);
        if (!table) return table.error().message;
        auto saved = (*store)->import_project(table->state, core::ChangeSource{"", "import", "", "", three_platforms::k_now});
        return saved ? "" : saved.error().message;
    }

    FakeSlack m_slack{secrets::k_slack_bot_token, &m_clock};
    FakeFeishu m_feishu{three_platforms::k_feishu_app_id, secrets::k_feishu_app_secret, &m_clock};
    FakeDingtalk m_dingtalk{three_platforms::k_dingtalk_app_key, secrets::k_dingtalk_app_secret,
                            three_platforms::k_dingtalk_robot, &m_clock};
    LogCapture m_log;
    mutable long long m_dingtalk_requests = 0;  // dingtalk_signed's stamps
    config::Config m_config;
};

}  // namespace testing_support
