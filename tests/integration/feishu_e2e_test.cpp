// trackerd end to end with Feishu: the real App on 127.0.0.1 port 0, the real SQLite file, and a
// fake Feishu Open Platform on 127.0.0.1 that issues tenant_access_tokens and checks them as
// Feishu does. Events are encrypted (§2.4) and signed (§2.5) as Feishu sends them.

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>


#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"
#include "bot/app.h"
#include "tests/support/app_under_test.h"
#include "tests/support/fake_feishu.h"

namespace {

using testing_support::read_file;

using testing_support::FakeFeishu;

constexpr const char* k_app_id = "cli_9f5343c580712544";
constexpr const char* k_app_secret = "test-app-secret-0123456789";
constexpr const char* k_verification_token = "v-token-demo";
constexpr const char* k_encrypt_key = "kudryavka-demo-encrypt-key";
constexpr const char* k_sender = "ou_84aad35d084aa403a838cf73ee18467";
constexpr const char* k_chat = "oc_5ce6d572455d361153b7xx51da133945";
constexpr const char* k_message_id = "om_5ce6d572455d361153b7cb51da133945";
constexpr long long k_event_time = 1700000000;
static_assert(k_event_time == testing_support::k_start_unix, "the clock starts at the events' time");

// The §2.7 im.message.receive_v1 plaintext with the given ids, text and token.
std::string receive_event(const std::string& event_id, const std::string& message_id, const std::string& text,
                          const std::string& token = k_verification_token) {
    nlohmann::json mention = {{"key", "@_user_1"},
                              {"id", {{"union_id", "on_bot"}, {"user_id", ""}, {"open_id", "ou_bot0000000000"}}},
                              {"name", "TaskBot"},
                              {"tenant_key", "2ca1d211f64f6438"}};
    nlohmann::json event = {
        {"schema", "2.0"},
        {"header",
         {{"event_id", event_id}, {"event_type", "im.message.receive_v1"}, {"create_time", "1700000000000"},
          {"token", token}, {"app_id", k_app_id}, {"tenant_key", "2ca1d211f64f6438"}}},
        {"event",
         {{"sender",
           {{"sender_id", {{"union_id", "on_8ed6aa67826108097d9ee143816345"}, {"user_id", "e33ggbyz"}, {"open_id", k_sender}}},
            {"sender_type", "user"},
            {"tenant_key", "2ca1d211f64f6438"}}},
          {"message",
           {{"message_id", message_id}, {"root_id", ""}, {"parent_id", ""}, {"create_time", "1700000000000"},
            {"chat_id", k_chat}, {"chat_type", "group"}, {"message_type", "text"},
            {"content", nlohmann::json{{"text", text}}.dump()}, {"mentions", nlohmann::json::array({mention})}}}}}};
    return event.dump();
}

// {"encrypt":…} with a fixed IV, so runs are reproducible.
std::string encrypted(const std::string& plaintext, const std::string& key = k_encrypt_key) {
    std::string envelope = adapters::feishu::encrypt_envelope(key, plaintext, "0123456789abcdef");
    EXPECT_FALSE(envelope.empty());
    return nlohmann::json{{"encrypt", envelope}}.dump();
}

// §2.5: lowercase_hex(SHA-256(timestamp + nonce + encrypt_key + raw_body)).
std::string signature(const std::string& timestamp, const std::string& nonce, const std::string& body,
                      const std::string& key = k_encrypt_key) {
    return adapters::to_hex(adapters::sha256(timestamp + nonce + key + body));
}

class FeishuEndToEndTest : public testing_support::AppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.feishu.enabled = true;
        config.feishu.app_id = k_app_id;
        config.feishu.app_secret = k_app_secret;
        config.feishu.verification_token = k_verification_token;
        config.feishu.encrypt_key = k_encrypt_key;
        config.feishu.api_base = m_feishu.api_base();
        config.feishu.bot_open_id = m_bot_open_id;
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", k_sender, "", "", ""});
        bind_chat(config, "feishu", k_chat);
        return config;
    }

    httplib::Result post(const std::string& body, const std::string& sig, const std::string& nonce = "1234567890") {
        httplib::Client client("127.0.0.1", m_port);
        httplib::Headers headers{{"X-Lark-Request-Timestamp", std::to_string(k_event_time)},
                                 {"X-Lark-Request-Nonce", nonce},
                                 {"X-Lark-Signature", sig}};
        return client.Post("/feishu/events", headers, body, "application/json");
    }

    // Encrypts and signs as Feishu does.
    httplib::Result post_event(const std::string& plaintext) {
        std::string body = encrypted(plaintext);
        return post(body, signature(std::to_string(k_event_time), "1234567890", body));
    }

    // After the fake saw a reply: waits for the worker's pass that sent it to end (passes are
    // serialised), then moves the clock past the 200 ms per-chat pacing (§2.9, 5 QPS per group)
    // so the next reply to the same chat is due.
    void finish_send_and_pass_pacing(long long seconds = 1) {
        m_app->outbox().run_once();
        m_clock.advance_seconds(seconds);
    }

    FakeFeishu m_feishu{k_app_id, k_app_secret, &m_clock};
    std::string m_bot_open_id;  // config feishu.bot_open_id, set before start()
};

TEST_F(FeishuEndToEndTest, EncryptedSignedMentionUpdatesTaskAndRepliesToTheMessageMentioningTheSender) {
    start();
    auto response = post_event(receive_event("5e3702a84e847582be8db7fb73283c02", k_message_id, "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(nlohmann::json::parse(response->body, nullptr, false).value("msg", ""), "success");
    EXPECT_EQ(task("T003").completion, 60);
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    auto messages = m_feishu.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].endpoint, "reply");
    EXPECT_EQ(messages[0].target, k_message_id);
    EXPECT_EQ(messages[0].msg_type, "text");
    EXPECT_FALSE(messages[0].uuid.empty());
    EXPECT_NE(messages[0].text.find(std::string("<at user_id=\"") + k_sender + "\">"), std::string::npos)
        << messages[0].text;
    EXPECT_NE(messages[0].text.find("60%"), std::string::npos) << messages[0].text;
    EXPECT_EQ(m_feishu.token_requests(), 1);
}

TEST_F(FeishuEndToEndTest, EncryptedUrlVerificationIsAnsweredInPlaintext) {
    start();
    std::string plaintext =
        nlohmann::json{{"challenge", "ajls384kdjx98XX"}, {"token", k_verification_token}, {"type", "url_verification"}}
            .dump();
    httplib::Client client("127.0.0.1", m_port);
    // §2.3: URL verification carries no signature headers.
    auto response = client.Post("/feishu/events", encrypted(plaintext), "application/json");
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    auto body = nlohmann::json::parse(response->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << response->body;
    EXPECT_EQ(body.value("challenge", ""), "ajls384kdjx98XX");
    EXPECT_FALSE(body.contains("encrypt"));
}

TEST_F(FeishuEndToEndTest, ForgedMistokenedAndUndecryptableEventsAreRefusedAndChangeNothing) {
    start();
    const std::string ts = std::to_string(k_event_time);
    const std::string good = encrypted(receive_event("ev-forged-1", "om_forged_1", "@_user_1 T003 进度 60%"));
    struct Case {
        const char* name;
        std::string body;
        std::string sig;
        int status;
    };
    const std::string wrong_token =
        encrypted(receive_event("ev-forged-2", "om_forged_2", "@_user_1 T003 进度 60%", "not-the-token"));
    const std::string wrong_key =
        encrypted(receive_event("ev-forged-3", "om_forged_3", "@_user_1 T003 进度 60%"), "another-encrypt-key");
    const std::string garbage = R"({"encrypt":"AAECAwQFBgcICQoLDA0ODw=="})";
    std::vector<Case> cases = {
        {"signed with another key", good, signature(ts, "1234567890", good, "another-encrypt-key"), 401},
        {"signature of another body", good, signature(ts, "1234567890", wrong_token), 401},
        {"no signature", good, "", 401},
        {"wrong verification token", wrong_token, signature(ts, "1234567890", wrong_token), 401},
        {"encrypted with another key", wrong_key, signature(ts, "1234567890", wrong_key), 400},
        {"not AES blocks", garbage, signature(ts, "1234567890", garbage), 400},
    };
    for (const auto& c : cases) {
        auto response = post(c.body, c.sig);
        ASSERT_TRUE(response) << c.name;
        EXPECT_EQ(response->status, c.status) << c.name << ": " << response->body;
    }
    EXPECT_EQ(task("T003").completion, 0);
    EXPECT_EQ(progress_entries("T003"), 0u);
    drain_outbox();
    EXPECT_EQ(m_feishu.messages().size(), 0u);
    EXPECT_EQ(m_feishu.token_requests(), 0);
}

TEST_F(FeishuEndToEndTest, SameEventDeliveredTwiceChangesOnceAndRepliesOnce) {
    start();
    const std::string event = receive_event("5e3702a84e847582be8db7fb73283c02", k_message_id, "@_user_1 T003 进度 60%");
    for (int delivery = 0; delivery < 2; ++delivery) {
        auto response = post_event(event);
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(nlohmann::json::parse(response->body, nullptr, false).value("msg", ""), "success");
    }
    EXPECT_EQ(progress_entries("T003"), 1u);
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    EXPECT_EQ(m_feishu.messages().size(), 1u);
}

TEST_F(FeishuEndToEndTest, SameMessageRepushedUnderANewEventIdChangesOnceAndRepliesOnce) {
    start();
    // §2.6: a re-push may carry a new event_id; the message_id is what stays the same.
    for (const char* event_id : {"ev-original-0001", "ev-repushed-0002"}) {
        auto response = post_event(receive_event(event_id, k_message_id, "@_user_1 T003 进度 60%"));
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(nlohmann::json::parse(response->body, nullptr, false).value("msg", ""), "success");
    }
    EXPECT_EQ(progress_entries("T003"), 1u);
    EXPECT_EQ(task("T003").completion, 60);
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    drain_outbox();
    EXPECT_EQ(m_feishu.messages().size(), 1u);

    // A redelivery of the re-push (its event_id seen, message_id seen) is refused too, and a
    // new message in the same chat still goes through.
    auto again = post_event(receive_event("ev-repushed-0002", k_message_id, "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->status, 200);
    auto next = post_event(receive_event("ev-next-0003", "om_next_message", "@_user_1 T003 进度 80%"));
    ASSERT_TRUE(next);
    EXPECT_EQ(next->status, 200);
    EXPECT_EQ(progress_entries("T003"), 2u);
    EXPECT_EQ(task("T003").completion, 80);
}

TEST_F(FeishuEndToEndTest, ConfiguredBotOpenIdDropsTheBotsMentionWhereverItStands) {
    m_bot_open_id = "ou_bot0000000000";  // the open_id receive_event() gives the bot's mention
    start();
    // Not leading, so only the open_id tells it is the bot's (the fallback would keep "@TaskBot").
    auto response = post_event(receive_event("ev-trailing-mention", k_message_id, "T003 进度 60% 素材已交付 @_user_1"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(task("T003").completion, 60);
    auto log = m_app->store().progress_log("P1", "T003");
    ASSERT_TRUE(log);
    ASSERT_FALSE(log->empty());
    EXPECT_EQ(log->back().actual_content, "素材已交付");
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    EXPECT_EQ(m_feishu.messages()[0].target, k_message_id);
}

TEST_F(FeishuEndToEndTest, RevokedTokenIsRefreshedAndTheReplyArrivesOnce) {
    start();
    auto first = post_event(receive_event("ev-first", "om_first", "@_user_1 T003 进度 30%"));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->status, 200);
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    EXPECT_EQ(m_feishu.token_requests(), 1);
    finish_send_and_pass_pacing();

    m_feishu.revoke_tokens();  // the daemon still holds "t-1", which now answers 99991663
    auto second = post_event(receive_event("ev-second", "om_second", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    ASSERT_TRUE(m_feishu.wait_for(2, std::chrono::seconds(10)));
    drain_outbox();
    auto messages = m_feishu.messages();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[1].target, "om_second");
    EXPECT_NE(messages[1].text.find("60%"), std::string::npos) << messages[1].text;
    EXPECT_EQ(m_feishu.refused_for_token(), 1);
    EXPECT_EQ(m_feishu.token_requests(), 2);
    EXPECT_EQ(task("T003").completion, 60);
}

TEST_F(FeishuEndToEndTest, ExpiredTokenIsReplacedBeforeSending) {
    m_feishu.set_token_lifetime(600);
    start();
    auto first = post_event(receive_event("ev-first", "om_first", "@_user_1 T003 进度 30%"));
    ASSERT_TRUE(first);
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    // Cached until 180 s before it expires: 420 s later a new one is fetched without a refusal.
    finish_send_and_pass_pacing(420);
    auto second = post_event(receive_event("ev-second", "om_second", "@_user_1 T003 进度 60%"));
    ASSERT_TRUE(second);
    ASSERT_TRUE(m_feishu.wait_for(2, std::chrono::seconds(10)));
    EXPECT_EQ(m_feishu.token_requests(), 2);
    EXPECT_EQ(m_feishu.refused_for_token(), 0);
}

}  // namespace

// card.action.trigger (schema 2.0) as Feishu sends a tap on a button of a card trackerd sent:
// the button's value as render_card wrote it, create_time in microseconds.
std::string card_tap(const std::string& event_id, const std::string& action, const std::string& value,
                     bool single = true, const std::string& operator_id = k_sender,
                     const std::string& token = k_verification_token) {
    nlohmann::json event = {
        {"schema", "2.0"},
        {"header",
         {{"event_id", event_id}, {"token", token}, {"create_time", "1700000000000000"},
          {"event_type", "card.action.trigger"}, {"tenant_key", "2ca1d211f64f6438"}, {"app_id", k_app_id}}},
        {"event",
         {{"operator", {{"tenant_key", "2ca1d211f64f6438"}, {"open_id", operator_id}, {"union_id", "on_x"}}},
          {"token", "c-295ee57216a5dc9de90fefd0aadb4b1d7d000000"},
          {"action",
           {{"value", {{"action", action}, {"value", value}, {"lang", "zh-CN"}, {"single", single}}},
            {"tag", "button"},
            {"name", "btn"}}},
          {"host", "im_message"},
          {"context", {{"open_message_id", "om_card0000000000000000000000000001"}, {"open_chat_id", k_chat}}}}}};
    return event.dump();
}

TEST_F(FeishuEndToEndTest, TapOnACardButtonMarksTheTaskDoneThroughTheVerifiedCallback) {
    start();
    auto response = post_event(card_tap("ev-tap-0001", "task_done", "P1/T003"));
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
    EXPECT_EQ(task("T003").status, core::Status::done);
    // The answer: a toast saying what happened, and the card (about T003 alone) replaced by it,
    // without buttons.
    auto answer = nlohmann::json::parse(response->body, nullptr, false);
    EXPECT_EQ(answer["toast"]["type"], "success");
    EXPECT_NE(answer["toast"]["content"].get<std::string>().find("T003"), std::string::npos) << response->body;
    EXPECT_NE(answer["toast"]["content"].get<std::string>().find("已完成"), std::string::npos) << response->body;
    ASSERT_EQ(answer["card"]["type"], "raw");
    EXPECT_EQ(answer["card"]["data"]["config"]["update_multi"], true);
    EXPECT_EQ(answer["card"]["data"]["elements"].dump().find("\"action\""), std::string::npos) << "no buttons left";
    // The reply also goes to the chat, in the card's thread, mentioning who tapped.
    ASSERT_TRUE(m_feishu.wait_for(1, std::chrono::seconds(10)));
    EXPECT_EQ(m_feishu.messages().front().endpoint, "reply");
    EXPECT_EQ(m_feishu.messages().front().target, "om_card0000000000000000000000000001");
}

TEST_F(FeishuEndToEndTest, DoubleTapAppliesOnceAndARepushIsAnsweredWithoutRunningAgain) {
    start();
    ASSERT_EQ(post_event(card_tap("ev-tap-0001", "task_done", "P1/T003"))->status, 200);
    auto second = post_event(card_tap("ev-tap-0002", "task_done", "P1/T003"));  // a second tap: a new event
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 200);
    auto answer = nlohmann::json::parse(second->body, nullptr, false);
    EXPECT_EQ(answer["toast"]["type"], "info") << "nothing changed the second time: " << second->body;
    EXPECT_FALSE(answer.contains("card"));
    auto repush = post_event(card_tap("ev-tap-0001", "task_done", "P1/T003"));  // Feishu re-pushes the first
    ASSERT_TRUE(repush);
    EXPECT_EQ(nlohmann::json::parse(repush->body, nullptr, false)["toast"]["content"], "已处理过这次点击");
    EXPECT_EQ(progress_entries("T003"), 1u) << "one done, whatever the taps";
}

TEST_F(FeishuEndToEndTest, ForgedOrMistokenedTapIsRefusedAndChangesNothing) {
    start();
    std::string body = encrypted(card_tap("ev-tap-0001", "task_done", "P1/T003"));
    auto forged = post(body, signature(std::to_string(k_event_time), "1234567890", body, "not-the-encrypt-key"));
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    auto mistokened = post_event(card_tap("ev-tap-0002", "task_done", "P1/T003", true, k_sender, "not-the-token"));
    ASSERT_TRUE(mistokened);
    EXPECT_EQ(mistokened->status, 401);
    EXPECT_EQ(task("T003").status, core::Status::not_started);
    EXPECT_EQ(progress_entries("T003"), 0u);
}

TEST_F(FeishuEndToEndTest, TapBySomeoneWhoMayNotChangeTheTaskIsRefusedWithAToast) {
    start();
    auto response = post_event(card_tap("ev-tap-0001", "task_done", "P1/T004", true, "ou_stranger000000000000000000000"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    auto answer = nlohmann::json::parse(response->body, nullptr, false);
    EXPECT_EQ(answer["toast"]["type"], "info") << response->body;
    EXPECT_FALSE(answer.contains("card")) << "the card stays for whoever may tap it";
    EXPECT_EQ(task("T004").status, core::Status::not_started);
}

TEST_F(FeishuEndToEndTest, ReportDelayButtonAnswersWithThePromptToFillIn) {
    start();
    auto response = post_event(card_tap("ev-tap-0001", "task_delay", "P1/T003"));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    std::string toast = nlohmann::json::parse(response->body, nullptr, false)["toast"]["content"];
    EXPECT_NE(toast.find("还缺新的完成日期、原因"), std::string::npos) << toast;
    EXPECT_EQ(task("T003").status, core::Status::not_started);
}
