// SlackSender against the fake Slack over real HTTP: one attempt per call, judged as Slack
// answers it.

#include "bot/platforms/slack/slack_sender.h"

#include "bot/platforms/slack/slack_out.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"
#include "tests/support/fake_slack.h"

namespace bot {
namespace {

using testing_support::FakeClock;
using testing_support::FakeSlack;
using testing_support::SlackFailure;

constexpr const char* k_token = "xoxb-123-456-secret";

store::OutboxMessage api_message(const std::string& channel_id, const std::string& text) {
    store::OutboxMessage message;
    message.id = 1;
    message.platform = "slack";
    message.channel = "api";
    message.destination = channel_id;
    message.kind = "digest";
    message.body = R"({"channel":")" + channel_id + R"(","text":")" + text + R"("})";
    return message;
}

class SlackSenderTest : public ::testing::Test {
protected:
    FakeClock m_clock;
    FakeSlack m_slack{k_token, &m_clock};
    HttpClient m_http;
    SlackSender m_sender{m_http, m_clock, k_token, m_slack.api_base()};
};

TEST_F(SlackSenderTest, ApiMessageIsPostedWithTheBotTokenAndReturnsItsTs) {
    const SendOutcome outcome = m_sender.send(api_message("C1", "hello"));
    ASSERT_EQ(outcome.kind, SendOutcome::Kind::sent) << outcome.error;
    const auto posts = m_slack.messages();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].endpoint, "chat.postMessage");
    EXPECT_EQ(posts[0].channel, "C1");
    EXPECT_EQ(posts[0].text, "hello");
    EXPECT_FALSE(posts[0].ts.empty());
    EXPECT_EQ(outcome.remote_id, posts[0].ts);
}

TEST_F(SlackSenderTest, BlocksAreDeliveredAsRendered) {
    auto message = api_message("C1", "");
    message.body = R"({"channel":"C1","text":"fallback","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*T003* <@U1>"}}]})";
    ASSERT_EQ(m_sender.send(message).kind, SendOutcome::Kind::sent);
    ASSERT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.messages()[0].blocks_json,
              R"([{"text":{"text":"*T003* <@U1>","type":"mrkdwn"},"type":"section"}])");
}

TEST_F(SlackSenderTest, AReplyRowFromSlackOutGoesToItsChannelInTheThreadOfTheMessage) {
    adapters::InboundMessage asked;
    asked.platform = "slack";
    asked.chat_id = "C9";
    asked.message_id = "1700000000.000100";
    core::ChatMessage reply;
    reply.sections = {"done"};
    reply.fallback_text = "done";
    store::OutboxMessage row = SlackOut().reply(reply, asked);  // rendered with its address
    row.id = 1;
    ASSERT_EQ(m_sender.send(row).kind, SendOutcome::Kind::sent);
    ASSERT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.messages()[0].channel, "C9");
    EXPECT_EQ(m_slack.messages()[0].thread_ts, "1700000000.000100");
}

TEST_F(SlackSenderTest, APushRowFromSlackOutGoesToItsChannel) {
    core::ChatMessage digest;
    digest.sections = {"日报"};
    digest.fallback_text = "日报";
    auto rows = SlackOut().push(digest, PushTarget{"C7", ""}, "digest", "digest/x", 1700000000);
    ASSERT_EQ(rows.size(), 1u);
    rows[0].id = 2;
    ASSERT_EQ(m_sender.send(rows[0]).kind, SendOutcome::Kind::sent);
    ASSERT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.messages()[0].channel, "C7");
    EXPECT_EQ(m_slack.messages()[0].thread_ts, "");
}

TEST_F(SlackSenderTest, WrongTokenIsDeadWithInvalidAuth) {
    SlackSender wrong(m_http, m_clock, "xoxb-wrong", m_slack.api_base());
    const SendOutcome outcome = wrong.send(api_message("C1", "x"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("invalid_auth"), std::string::npos) << outcome.error;
    EXPECT_TRUE(m_slack.messages().empty());
}

TEST_F(SlackSenderTest, RateLimitIsRetryWithSlacksRetryAfter) {
    m_slack.fail_next(1, SlackFailure::rate_limited(3));
    const SendOutcome outcome = m_sender.send(api_message("C1", "x"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::retry);
    EXPECT_EQ(outcome.retry_after_seconds, 3);
    EXPECT_TRUE(m_slack.messages().empty());
}

TEST_F(SlackSenderTest, ServerErrorIsRetry) {
    m_slack.fail_next(1, SlackFailure::server_error());
    EXPECT_EQ(m_sender.send(api_message("C1", "x")).kind, SendOutcome::Kind::retry);
}

TEST_F(SlackSenderTest, UnknownChannelIsDeadWithSlacksError) {
    m_slack.refuse_channel("C404");
    const SendOutcome outcome = m_sender.send(api_message("C404", "x"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("channel_not_found"), std::string::npos) << outcome.error;
}

TEST_F(SlackSenderTest, WebhookRowIsPostedToItsUrl) {
    store::OutboxMessage message = api_message("", "via hook");
    message.channel = "webhook";
    message.destination = m_slack.webhook_url("T1/B1/X1");
    message.body = R"({"text":"via hook"})";
    ASSERT_EQ(m_sender.send(message).kind, SendOutcome::Kind::sent);
    ASSERT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.messages()[0].endpoint, "hooks/T1/B1/X1");
    EXPECT_EQ(m_slack.messages()[0].text, "via hook");
}

TEST_F(SlackSenderTest, WebhookPlainTextErrorIsDead) {
    m_slack.fail_next(1, SlackFailure::slack_error("channel_not_found"));
    store::OutboxMessage message = api_message("", "x");
    message.channel = "webhook";
    message.destination = m_slack.webhook_url("T1/B1/X1");
    const SendOutcome outcome = m_sender.send(message);
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("channel_not_found"), std::string::npos) << outcome.error;
}

TEST_F(SlackSenderTest, ResponseUrlRowIsPostedBeforeItExpires) {
    store::OutboxMessage message = api_message("", "answer");
    message.channel = "response_url";
    message.destination = m_slack.response_url("T1/123/abc");
    message.body = R"({"response_type":"in_channel","text":"answer"})";
    message.expires_at = m_clock.now_unix() + 60;
    ASSERT_EQ(m_sender.send(message).kind, SendOutcome::Kind::sent);
    ASSERT_EQ(m_slack.messages().size(), 1u);
    EXPECT_EQ(m_slack.messages()[0].endpoint, "response/T1/123/abc");
}

TEST_F(SlackSenderTest, ExpiredResponseUrlIsDeadWithoutARequest) {
    store::OutboxMessage message = api_message("", "late");
    message.channel = "response_url";
    message.destination = m_slack.response_url("T1/123/abc");
    message.expires_at = m_clock.now_unix() - 1;
    const SendOutcome outcome = m_sender.send(message);
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("expired"), std::string::npos);
    EXPECT_EQ(m_slack.request_count(), 0);
}

TEST_F(SlackSenderTest, UnreachableSlackIsRetry) {
    HttpClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(500);
    HttpClient http(options);
    // Port 1 on loopback: nothing listens there, the kernel refuses at once.
    SlackSender sender(http, m_clock, k_token, "http://127.0.0.1:1/api");
    const SendOutcome outcome = sender.send(api_message("C1", "x"));
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::retry);
    EXPECT_NE(outcome.error.find("connection refused"), std::string::npos) << outcome.error;
}

TEST_F(SlackSenderTest, RowsThatCanNeverBeSentAreDead) {
    auto unsupported = api_message("C1", "x");
    unsupported.channel = "session_webhook";
    EXPECT_EQ(m_sender.send(unsupported).kind, SendOutcome::Kind::dead);

    auto bad_url = api_message("", "x");
    bad_url.channel = "webhook";
    bad_url.destination = "not a url";
    EXPECT_EQ(m_sender.send(bad_url).kind, SendOutcome::Kind::dead);
    EXPECT_EQ(m_slack.request_count(), 0);

    // The sender sends the body SlackOut rendered as it is (it never parses it again): one that
    // is not JSON is refused by Slack, and dead.
    auto malformed = api_message("C1", "x");
    malformed.body = "not json";
    EXPECT_EQ(m_sender.send(malformed).kind, SendOutcome::Kind::dead);
    EXPECT_EQ(m_slack.request_count(), 1);
}

}  // namespace
}  // namespace bot
