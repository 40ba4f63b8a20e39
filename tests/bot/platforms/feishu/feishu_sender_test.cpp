// FeishuSender against the fake Feishu on 127.0.0.1: channels, token caching and failures; the
// custom bot ("webhook") channel's signing, size limit and refusals.

#include "bot/platforms/feishu/feishu_sender.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
        {"unknown channel", row("session_webhook", adapters::feishu::render_reply_request(text("x"), "u"), "om_1")},
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

// ---- Custom bot ("webhook") ----------------------------------------------------------------

constexpr const char* k_hook_token = "2d1a4a5b-hook-token";
constexpr const char* k_bot_secret = "demo-secret-abc";

store::OutboxMessage hook_row(const std::string& url, const std::string& body) {
    store::OutboxMessage message = row("webhook", body);
    message.destination = url;
    return message;
}

TEST_F(FeishuSenderTest, WebhookIsSignedAtSendTimeWithTheSendersClock) {
    m_feishu.add_custom_bot(k_hook_token, k_bot_secret);
    const std::string url = m_feishu.hook_url(k_hook_token);
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base(), {{url, k_bot_secret}});
    const auto row = hook_row(url, adapters::feishu::render_bot_webhook(text("T003 已延期 2 天"), "", 0));
    m_clock.set_unix(1700000500);  // later than the row was rendered: the signature is fresh anyway
    auto outcome = sender.send(row);
    ASSERT_EQ(outcome.kind, bot::SendOutcome::Kind::sent) << outcome.error;
    auto messages = m_feishu.bot_messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].msg_type, "text");
    EXPECT_EQ(messages[0].text, "T003 已延期 2 天");
    EXPECT_EQ(messages[0].timestamp, 1700000500);
    EXPECT_EQ(m_feishu.token_requests(), 0);  // a custom bot needs no tenant_access_token
}

TEST_F(FeishuSenderTest, WebhookWithoutASecretIsPostedUnsigned) {
    m_feishu.add_custom_bot(k_hook_token, "");
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base());
    auto outcome = sender.send(
        hook_row(m_feishu.hook_url(k_hook_token), adapters::feishu::render_bot_webhook(text("hello"), "", 0)));
    ASSERT_EQ(outcome.kind, bot::SendOutcome::Kind::sent) << outcome.error;
    ASSERT_EQ(m_feishu.bot_messages().size(), 1u);
    EXPECT_EQ(m_feishu.bot_messages()[0].timestamp, 0);
}

TEST_F(FeishuSenderTest, WebhookBodyOverTwentyKilobytesIsDeadAndNeverSent) {
    m_feishu.add_custom_bot(k_hook_token, k_bot_secret);
    const std::string url = m_feishu.hook_url(k_hook_token);
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base(), {{url, k_bot_secret}});
    // Just under the limit unsigned; the timestamp and sign push it over.
    const std::string shell = adapters::feishu::render_bot_webhook(text(""), "", 0);
    const std::string body = adapters::feishu::render_bot_webhook(
        text(std::string(adapters::feishu::k_bot_body_limit - shell.size() - 10, 'x')), "", 0);
    ASSERT_LE(body.size(), adapters::feishu::k_bot_body_limit);
    auto outcome = sender.send(hook_row(url, body));
    EXPECT_EQ(outcome.kind, bot::SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("20 KB"), std::string::npos) << outcome.error;
    EXPECT_EQ(m_feishu.hook_requests(), 0);
}

TEST_F(FeishuSenderTest, WebhookRefusalsAreDeadAndNameNoSecret) {
    m_feishu.add_custom_bot(k_hook_token, k_bot_secret);
    const std::string url = m_feishu.hook_url(k_hook_token);
    FakeClock skewed;  // the daemon's clock two hours behind Feishu's
    skewed.set_unix(1700000000 - 7200);
    struct Case {
        const char* name;
        const core::Clock* clock;
        std::map<std::string, std::string> secrets;
        std::string url;
        std::string body;
        std::string want_in_error;
    };
    const std::string good = adapters::feishu::render_bot_webhook(text("x"), "", 0);
    const std::vector<Case> cases = {
        {"wrong secret", &m_clock, {{url, "not-the-secret"}}, url, good, "19021"},
        {"clock over an hour off", &skewed, {{url, k_bot_secret}}, url, good, "19021"},
        {"bot signs but no secret configured", &m_clock, {}, url, good, "no secret is configured"},
        {"unknown hook token", &m_clock, {}, m_feishu.hook_url("no-such-hook"), good, "19001"},
        {"body is not JSON", &m_clock, {{url, k_bot_secret}}, url, "not json", "not a JSON object"},
        {"no URL", &m_clock, {}, "", good, "no hook URL"},
    };
    for (const auto& c : cases) {
        bot::FeishuSender sender(m_http, *c.clock, k_app_id, k_app_secret, m_feishu.api_base(), c.secrets);
        auto outcome = sender.send(hook_row(c.url, c.body));
        EXPECT_EQ(outcome.kind, bot::SendOutcome::Kind::dead) << c.name;
        EXPECT_NE(outcome.error.find(c.want_in_error), std::string::npos) << c.name << ": " << outcome.error;
        for (const auto& [hook, secret] : c.secrets) {
            EXPECT_EQ(outcome.error.find(secret), std::string::npos) << c.name;
            EXPECT_EQ(outcome.error.find(adapters::feishu::bot_sign(secret, c.clock->now_unix())), std::string::npos);
        }
        EXPECT_EQ(outcome.error.find(k_hook_token), std::string::npos) << c.name << ": " << outcome.error;
    }
    EXPECT_TRUE(m_feishu.bot_messages().empty());
    EXPECT_EQ(m_feishu.hook_refused_for_sign(), 3);
}

TEST_F(FeishuSenderTest, WebhookThrottlingIsRetriedAfterTheResetHeaderOrTheWorkersBackoff) {
    m_feishu.add_custom_bot(k_hook_token, "");
    const std::string url = m_feishu.hook_url(k_hook_token);
    bot::FeishuSender sender(m_http, m_clock, k_app_id, k_app_secret, m_feishu.api_base());
    const auto row = hook_row(url, adapters::feishu::render_bot_webhook(text("x"), "", 0));

    m_feishu.throttle_next_hooks(1, 9);  // HTTP 429, x-ogw-ratelimit-reset: 9
    auto throttled = sender.send(row);
    EXPECT_EQ(throttled.kind, bot::SendOutcome::Kind::retry);
    EXPECT_EQ(throttled.retry_after_seconds, 9);

    for (int i = 0; i < 5; ++i) ASSERT_EQ(sender.send(row).kind, bot::SendOutcome::Kind::sent);
    auto over = sender.send(row);  // a 6th in the same second: 11232 without a reset header
    EXPECT_EQ(over.kind, bot::SendOutcome::Kind::retry);
    EXPECT_NE(over.error.find("11232"), std::string::npos) << over.error;
    EXPECT_EQ(over.retry_after_seconds, 0);  // the worker's back-off decides
    EXPECT_EQ(m_feishu.hook_throttled(), 2);
    EXPECT_EQ(m_feishu.bot_messages().size(), 5u);
}

}  // namespace
