// One tap on DingTalk, end to end over HTTP (cards research §B): the real App on 127.0.0.1 port
// 0, the real SQLite file, and the fake DingTalk delivering cards (createAndDeliver) and sending
// their button taps back as DingTalk does — POST /dingtalk/card with x-ddpaas-signature over the
// timestamp, the body unsigned, the tap bound to trackerd's capability token.

#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/dingtalk/card.h"
#include "bot/app.h"
#include "tests/support/app_under_test.h"
#include "tests/support/fake_dingtalk.h"

namespace {

using nlohmann::json;
using testing_support::CardCallbackAnswer;
using testing_support::FakeDingtalk;
namespace dt = adapters::dingtalk;

constexpr const char* k_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
constexpr const char* k_app_key = "dingappkey0001";
constexpr const char* k_robot_code = "dingxxxx";
constexpr const char* k_chat = "cidAsXSBLnA==";
constexpr const char* k_owner = "16650246698";  // 小明, T003's owner
constexpr const char* k_other = "16650249999";  // 小李
constexpr const char* k_card_api_secret = "demoCardApiSecret_0123456789";  // cards research §B.4
// What bot::App derives the tokens from (the web link secret); set here as the config can.
constexpr const char* k_token_secret = "card-token-secret-for-tests-0123";
constexpr const char* k_invalid = "无效或已使用的按钮";

class DingtalkCardTest : public testing_support::AppUnderTest {
protected:
    config::Config make_config() override {
        config::Config config = base_config();
        config.dingtalk.enabled = true;
        config.dingtalk.app_key = k_app_key;
        config.dingtalk.app_secret = k_app_secret;
        config.dingtalk.robot_code = k_robot_code;
        config.dingtalk.api_base = m_dingtalk.base_url();
        config.dingtalk.card_template_id = "tpl-trackerd.schema";
        config.dingtalk.card_callback_route_key = "trackerd_v1";
        config.dingtalk.card_api_secret = k_card_api_secret;
        config.dingtalk.card_token_secret = k_token_secret;
        config.people.push_back(core::Person{"小明", "小明", "市场部", "", "", k_owner, "", ""});
        config.people.push_back(core::Person{"小李", "小李", "市场部", "", "", k_other, "", ""});
        bind_chat(config, "dingtalk", k_chat);
        m_dingtalk.set_card_api_secret(k_card_api_secret);
        return config;
    }

    // A token as trackerd mints it for a card `card` sent to `chat`.
    std::string mint(const std::string& action, const std::string& card = "card1", const std::string& chat = k_chat,
                     long long ttl = 3600) {
        dt::CardToken token{chat, "P1/T003", action, core::Locale::zh_cn, m_clock.now_unix() + ttl,
                            card + "-" + action.substr(5, 1)};
        return *dt::mint_card_token(dt::card_token_key(k_token_secret), token);
    }

    // A tap as DingTalk sends it, stamped one ms after the last (a signature is bound to one tap).
    CardCallbackAnswer tap(const std::string& out_track_id, const std::string& user, const std::string& tk,
                           long long timestamp_ms = 0, const std::string& signature = "") {
        if (timestamp_ms == 0) timestamp_ms = m_clock.now_unix_ms() + m_taps++;
        return m_dingtalk.post_card_callback(m_port, "/dingtalk/card",
                                             FakeDingtalk::card_callback_body(out_track_id, user, tk), timestamp_ms,
                                             signature);
    }

    // A robot message as DingTalk posts it (protocols.md §3.2), signed.
    void say(const std::string& text) {
        json body = json::parse(testing_support::read_file(TRACKERD_TESTDATA_DIR "/../integration/testdata/dingtalk_callback.json"));
        body["text"]["content"] = " " + text;
        body["sessionWebhook"] = m_dingtalk.session_webhook("76da36b4");
        const long long now = m_clock.now_unix_ms() + m_taps++;
        const std::string sign = adapters::base64_encode(
            adapters::hmac_sha256(k_app_secret, std::to_string(now) + "\n" + k_app_secret));
        httplib::Client client("127.0.0.1", m_port);
        auto response = client.Post("/dingtalk/events", {{"timestamp", std::to_string(now)}, {"sign", sign}},
                                    body.dump(), "application/json");
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, 200) << response->body;
    }

    static json shared(const CardCallbackAnswer& answer) {
        json body = json::parse(answer.body, nullptr, false);
        return body.is_object() && body.contains("cardData") ? body["cardData"]["cardParamMap"] : json();
    }
    static std::string private_text(const CardCallbackAnswer& answer) {
        json body = json::parse(answer.body, nullptr, false);
        if (!body.is_object() || !body.contains("userPrivateData")) return "";
        return body["userPrivateData"]["cardParamMap"].value("statusText", "");
    }

    long long m_taps = 0;
    FakeDingtalk m_dingtalk{k_app_key, k_app_secret, k_robot_code};
};

TEST_F(DingtalkCardTest, AShowAnswerGoesOutAsACardAndATapOnItsDoneButtonMarksTheTaskDone) {
    start();
    say("查看 T003");
    ASSERT_TRUE(m_dingtalk.wait_for_cards(1, std::chrono::seconds(10))) << "the answer carries buttons: a card";
    const auto card = m_dingtalk.cards().front();
    EXPECT_EQ(card.template_id, "tpl-trackerd.schema");
    EXPECT_EQ(card.open_space_id, std::string("dtv1.card//IM_GROUP.") + k_chat);
    EXPECT_EQ(card.callback_type, "HTTP");
    EXPECT_EQ(card.route_key, "trackerd_v1");
    ASSERT_FALSE(card.params.at("tk_done").empty());
    EXPECT_NE(card.params.at("markdown").find("T003"), std::string::npos) << card.params.at("markdown");

    auto answer = tap(card.out_track_id, k_owner, card.params.at("tk_done"));
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(task("T003").status, core::Status::done);
    json update = shared(answer);
    EXPECT_EQ(update.value("status", ""), "done") << answer.body;
    EXPECT_NE(update.value("statusText", "").find("T003"), std::string::npos) << answer.body;
}

TEST_F(DingtalkCardTest, ADoubleTapAppliesOnceAndTheSecondIsToldTheButtonWasUsed) {
    start();
    const std::string tk = mint("task_done");
    auto first = tap("trk-card1", k_owner, tk);
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(shared(first).value("status", ""), "done");
    EXPECT_EQ(task("T003").status, core::Status::done);
    const size_t entries = progress_entries("T003");

    auto second = tap("trk-card1", k_owner, tk);  // a fresh signature, the same button
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_TRUE(shared(second).is_null()) << second.body;
    EXPECT_EQ(private_text(second), k_invalid);
    EXPECT_EQ(progress_entries("T003"), entries);
}

TEST_F(DingtalkCardTest, ForgedCallbacksAreRefusedAndChangeNothing) {
    start();
    const auto t003 = task("T003").status;
    const auto t004 = task("T004").status;
    const long long now = m_clock.now_unix_ms();
    const std::string tk = mint("task_done");
    std::string tampered = tk;
    tampered.replace(tampered.find("P1/T003"), 7, "P1/T004");
    struct Case {
        std::string name;
        std::string out_track_id, tk;
        long long timestamp_ms;
        std::string signature;
        int status;
    };
    const std::vector<Case> cases = {
        // The research vector's signature at `now` with one byte changed (the vector itself passes).
        {"bad signature", "trk-card1", tk, now, "YcEjSPWyk0oWddk3FmrFJBjoqQaRw4KpU2DiORFUlV9=", 401},
        {"stale timestamp", "trk-card1", tk, now - 301000, "", 401},
        {"future timestamp", "trk-card1", tk, now + 301000, "", 401},
        {"token tampered", "trk-card1", tampered, 0, "", 200},
        {"token from another chat's card", "trk-card1", mint("task_done", "card9", "cidOtherGroup=="), 0, "", 200},
        {"token expired", "trk-card1", mint("task_done", "card1", k_chat, -1), 0, "", 200},
        {"no token", "trk-card1", "", 0, "", 200},
    };
    for (const auto& c : cases) {
        auto answer = tap(c.out_track_id, k_owner, c.tk, c.timestamp_ms, c.signature);
        EXPECT_EQ(answer.status, c.status) << c.name << ": " << answer.body;
        if (c.status == 200) {
            EXPECT_EQ(private_text(answer), k_invalid) << c.name;
        } else {
            EXPECT_NE(answer.body.find("x-ddpaas"), std::string::npos) << c.name << ": " << answer.body;
        }
        EXPECT_TRUE(shared(answer).is_null()) << c.name;
    }
    EXPECT_EQ(task("T003").status, t003);
    EXPECT_EQ(task("T004").status, t004);
    EXPECT_EQ(progress_entries("T003"), 0u);
    EXPECT_EQ(progress_entries("T004"), 0u);
}

TEST_F(DingtalkCardTest, ASignatureCarriesOneTapOnlyAndAnotherTapUnderItIsRefused) {
    start();
    const long long now = m_clock.now_unix_ms();
    auto first = tap("trk-card1", k_owner, mint("task_ack"), now);
    ASSERT_EQ(first.status, 200) << first.body;
    auto replayed = tap("trk-card1", k_owner, mint("task_done"), now);  // the captured headers, another body
    EXPECT_EQ(replayed.status, 401) << replayed.body;
    EXPECT_NE(task("T003").status, core::Status::done);
}

TEST_F(DingtalkCardTest, ATapBySomeoneWhoMayNotChangeTheTaskChangesNothingAndOnlyTheTapperIsTold) {
    start();
    const auto before = task("T003").status;
    const std::string tk = mint("task_done");
    auto answer = tap("trk-card1", k_other, tk);
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_TRUE(shared(answer).is_null()) << answer.body;
    EXPECT_FALSE(private_text(answer).empty()) << answer.body;
    EXPECT_EQ(task("T003").status, before);
    EXPECT_EQ(progress_entries("T003"), 0u);
    // The refused tap did not use the button up: its owner's tap still works.
    auto owners = tap("trk-card1", k_owner, tk);
    ASSERT_EQ(owners.status, 200) << owners.body;
    EXPECT_EQ(shared(owners).value("status", ""), "done") << owners.body;
    EXPECT_EQ(task("T003").status, core::Status::done);
}

TEST_F(DingtalkCardTest, WithoutACardApiSecretTheRouteRefusesEveryCallback) {
    auto config = make_config();
    config.dingtalk.card_api_secret = "";
    start(config);
    auto answer = tap("trk-card1", k_owner, mint("task_done"));
    EXPECT_EQ(answer.status, 401) << answer.body;
    EXPECT_NE(answer.body.find("card_api_secret"), std::string::npos) << answer.body;
    EXPECT_NE(task("T003").status, core::Status::done);
}

TEST_F(DingtalkCardTest, WithoutATemplateAnAnswerWithButtonsSaysWhatToType) {
    auto config = make_config();
    config.dingtalk.card_template_id = "";
    start(config);
    say("查看 T003");
    ASSERT_TRUE(m_dingtalk.wait_for(1, std::chrono::seconds(10)));
    EXPECT_TRUE(m_dingtalk.cards().empty());
    EXPECT_NE(m_dingtalk.messages().front().text.find("回复「T003 完成」"), std::string::npos)
        << m_dingtalk.messages().front().text;
}

}  // namespace
