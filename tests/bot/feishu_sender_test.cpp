// FeishuSender against the fake Feishu on 127.0.0.1: channels, token caching and failures.

#include "bot/feishu_sender.h"

#include <gtest/gtest.h>

#include "adapters/feishu/feishu.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_feishu.h"

namespace {

using testing_support::FakeClock;
using testing_support::FakeFeishu;

constexpr const char* k_app_id = "cli_sender_test";
constexpr const char* k_app_secret = "sender-test-secret";
constexpr const char* k_chat = "oc_5ce6d572455d361153b7xx51da133945";

core::ChatMessage text(const std::string& body) {
    core::ChatMessage message;
    message.sections.push_back(body);
    message.fallback_text = body;
    return message;
}

store::OutboxMessage row(const std::string& channel, const std::string& body, const std::string& reply_to = "") {
    store::OutboxMessage message;
    message.platform = "feishu";
    message.channel = channel;
    message.destination = k_chat;
    message.reply_to = reply_to;
    message.body = body;
    return message;
}

class FeishuSenderTest : public ::testing::Test {
protected:
    FeishuSenderTest() { m_clock.set_unix(1700000000); }

    FakeClock m_clock;
    FakeFeishu m_feishu{k_app_id, k_app_secret, &m_clock};
    bot::HttpClient m_http;
};

TEST_F(FeishuSenderTest, ApiChannelSendsToTheChatAndReturnsTheMessageId) {
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base() + "/");
    auto outcome = sender.send(row("api", adapters::feishu::render_message_request(text("T003 60%"), k_chat, "u-1")));
    EXPECT_EQ(outcome.kind, bot::SendOutcome::Kind::sent) << outcome.error;
    auto messages = m_feishu.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].endpoint, "send");
    EXPECT_EQ(messages[0].target, k_chat);
    EXPECT_EQ(outcome.remote_id, messages[0].message_id);
}

TEST_F(FeishuSenderTest, TokenIsFetchedOnceWhileItIsValid) {
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base());
    for (int i = 0; i < 3; ++i) {
        auto body = adapters::feishu::render_reply_request(text("ok"), "u-" + std::to_string(i));
        EXPECT_EQ(sender.send(row("reply", body, "om_1")).kind, bot::SendOutcome::Kind::sent);
    }
    EXPECT_EQ(m_feishu.messages().size(), 3u);
    EXPECT_EQ(m_feishu.token_requests(), 1);
    EXPECT_EQ(sender.token_fetches(), 1);
}

TEST_F(FeishuSenderTest, RowsThatCanNeverBeDeliveredAreDead) {
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base());
    struct Case {
        const char* name;
        store::OutboxMessage message;
    };
    const std::vector<Case> cases = {
        {"unknown channel", row("webhook", adapters::feishu::render_reply_request(text("x"), "u"), "om_1")},
        {"reply without a message id", row("reply", adapters::feishu::render_reply_request(text("x"), "u"))},
        {"body Feishu refuses (no uuid)", row("reply", adapters::feishu::render_reply_request(text("x"), ""), "om_1")},
    };
    for (const auto& c : cases) {
        auto outcome = sender.send(c.message);
        EXPECT_EQ(outcome.kind, bot::SendOutcome::Kind::dead) << c.name;
        EXPECT_FALSE(outcome.error.empty()) << c.name;
    }
    EXPECT_TRUE(m_feishu.messages().empty());
}

TEST_F(FeishuSenderTest, WrongAppSecretIsRetriedLaterWithTheReason) {
    bot::FeishuSender sender(m_http, m_clock, k_app_id, "not-the-secret", m_feishu.api_base());
    auto outcome = sender.send(row("reply", adapters::feishu::render_reply_request(text("x"), "u"), "om_1"));
    EXPECT_EQ(outcome.kind, bot::SendOutcome::Kind::retry);
    EXPECT_NE(outcome.error.find("tenant_access_token"), std::string::npos) << outcome.error;
    EXPECT_TRUE(m_feishu.messages().empty());
}

}  // namespace
