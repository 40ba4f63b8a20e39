// Issue 21: the bot added to a group answers once with how to bind it. On Slack the bot's own
// member_joined_channel, on Feishu im.chat.member.bot.added_v1, each signed (and on Feishu
// encrypted) as the platform sends it, to the real App with no chat bound: one reply to that
// chat saying how to bind; the event redelivered is not answered again; another member joining
// is not answered at all.
#include <gtest/gtest.h>

#include "tests/integration/three_platforms.h"

namespace testing_support {
namespace {

namespace t = three_platforms;

class BotAdded : public ThreePlatforms {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(ThreePlatforms::SetUp());
        m_config.chats.clear();  // no group is bound yet
    }

    // member_joined_channel as Slack sends it (§1.3 envelope): `user` joined `channel`.
    static std::string slack_joined_body(const std::string& event_id, const std::string& user,
                                         const std::string& channel, const std::string& inviter) {
        nlohmann::json event = {{"type", "member_joined_channel"}, {"user", user},      {"channel", channel},
                                {"channel_type", "C"},             {"team", "T123ABC456"}, {"inviter", inviter}};
        nlohmann::json body = {
            {"token", "XXYYZZ"}, {"team_id", "T123ABC456"}, {"api_app_id", "A123ABC456"}, {"event", event},
            {"type", "event_callback"},
            {"authorizations", {{{"team_id", "T123ABC456"}, {"user_id", t::k_slack_bot}, {"is_bot", true}}}},
            {"event_id", event_id}, {"event_time", t::k_now}};
        return body.dump();
    }

    // A schema 2.0 Feishu chat-member event (`event_type`) for `chat`, operated by `operator_open_id`.
    static std::string feishu_member_event(const std::string& event_id, const std::string& event_type,
                                           const std::string& chat, const std::string& operator_open_id) {
        nlohmann::json body = {
            {"schema", "2.0"},
            {"header",
             {{"event_id", event_id}, {"event_type", event_type}, {"create_time", std::to_string(t::k_now * 1000)},
              {"token", secrets::k_feishu_verification_token}, {"app_id", t::k_feishu_app_id},
              {"tenant_key", "2ca1d211f64f6438"}}},
            {"event",
             {{"chat_id", chat},
              {"operator_id", {{"union_id", "on_x"}, {"user_id", "x"}, {"open_id", operator_open_id}}},
              {"external", false},
              {"operator_tenant_key", "2ca1d211f64f6438"},
              {"name", "项目群"},
              {"i18n_names", {{"zh_cn", "项目群"}, {"en_us", "Project group"}, {"ja_jp", ""}}}}}};
        return body.dump();
    }

    // Sends `request`, expects 200, and lets the outbox deliver whatever is due.
    void deliver(const Request& request) {
        auto response = send(request);
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200) << response->body;
        m_clock.advance_seconds(3);  // past the outbox's pacing of one chat
        drain_outbox();
    }

    bool nothing_pending() {
        auto pending = m_app->store().outbox(store::OutboxState::pending, 1);
        return pending && pending->empty();
    }
};

TEST_F(BotAdded, SlackBotJoiningAnUnboundChannelIsToldHowToBindItOnce) {
    ASSERT_NO_FATAL_FAILURE(start());
    const std::string joined = slack_joined_body("EvJoin0001", t::k_slack_bot, t::k_slack_chat, t::k_xiaoming.slack);
    ASSERT_NO_FATAL_FAILURE(deliver(slack_signed("/slack/events", joined)));
    ASSERT_TRUE(wait_for_replies(1));
    auto messages = m_slack.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].channel, t::k_slack_chat);
    EXPECT_EQ(messages[0].thread_ts, "");  // in the channel: there is no message to thread under
    EXPECT_NE(messages[0].text.find("绑定"), std::string::npos) << messages[0].text;

    // Slack retries the same event: acknowledged, not answered again.
    Request retry = slack_signed("/slack/events", joined);
    retry.headers.emplace("X-Slack-Retry-Num", "1");
    retry.headers.emplace("X-Slack-Retry-Reason", "http_timeout");
    ASSERT_NO_FATAL_FAILURE(deliver(retry));
    EXPECT_TRUE(nothing_pending());
    EXPECT_EQ(m_slack.messages().size(), 1u);

    // Someone else joining a channel the bot is in says nothing.
    ASSERT_NO_FATAL_FAILURE(
        deliver(slack_signed("/slack/events", slack_joined_body("EvJoin0002", t::k_stranger.slack, "C0OTHER001", ""))));
    EXPECT_TRUE(nothing_pending());
    EXPECT_EQ(m_slack.messages().size(), 1u);
}

TEST_F(BotAdded, FeishuBotAddedToAnUnboundGroupIsToldHowToBindItOnce) {
    ASSERT_NO_FATAL_FAILURE(start());
    const Request added = feishu_signed(feishu_encrypt(
        feishu_member_event("ev_added_0001", "im.chat.member.bot.added_v1", t::k_feishu_chat, t::k_xiaoming.feishu)));
    ASSERT_NO_FATAL_FAILURE(deliver(added));
    ASSERT_TRUE(wait_for_replies(1));
    auto messages = m_feishu.messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].endpoint, "send");  // to the chat: there is no message to reply to
    EXPECT_EQ(messages[0].target, t::k_feishu_chat);
    EXPECT_NE(messages[0].text.find("绑定"), std::string::npos) << messages[0].content;

    // Feishu pushes the same event again: acknowledged, not answered again.
    ASSERT_NO_FATAL_FAILURE(deliver(added));
    EXPECT_TRUE(nothing_pending());
    EXPECT_EQ(m_feishu.messages().size(), 1u);

    // A person added to a group (another chat-member event) says nothing.
    ASSERT_NO_FATAL_FAILURE(deliver(feishu_signed(feishu_encrypt(feishu_member_event(
        "ev_user_added_0001", "im.chat.member.user.added_v1", "oc_other00000000000000000000000", t::k_xiaoming.feishu)))));
    EXPECT_TRUE(nothing_pending());
    EXPECT_EQ(m_feishu.messages().size(), 1u);
}

TEST_F(BotAdded, AForgedBotAddedEventIsRefusedBeforeAnythingIsAnswered) {
    ASSERT_NO_FATAL_FAILURE(start());
    Request slack = slack_signed("/slack/events",
                                 slack_joined_body("EvJoin0003", t::k_slack_bot, t::k_slack_chat, t::k_xiaoming.slack));
    slack.headers.erase("X-Slack-Signature");
    slack.headers.emplace("X-Slack-Signature", slack_sign(slack.headers.find("X-Slack-Request-Timestamp")->second,
                                                          slack.body, "not-the-signing-secret"));
    auto slack_refused = send(slack);
    ASSERT_TRUE(slack_refused);
    EXPECT_EQ(slack_refused->status, 401);
    const Request feishu = feishu_signed(
        feishu_encrypt(feishu_member_event("ev_added_0003", "im.chat.member.bot.added_v1", t::k_feishu_chat,
                                           t::k_xiaoming.feishu)),
        "not-the-encrypt-key");
    auto feishu_refused = send(feishu);
    ASSERT_TRUE(feishu_refused);
    EXPECT_EQ(feishu_refused->status, 401);
    drain_outbox();
    EXPECT_TRUE(nothing_pending());
    EXPECT_TRUE(replies().empty());
}

}  // namespace
}  // namespace testing_support
