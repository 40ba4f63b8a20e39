// The command limiter end to end (limits.commands_per_minute_per_person / _per_chat): a limited
// message is answered 200 (a platform would retry anything else), changes nothing — not even its
// de-duplication mark — gets one "too many commands" reply per limited stretch and a log line,
// and others keep going.

#include <string>

#include "tests/integration/three_platforms.h"

namespace {

using testing_support::StoreSnapshot;
using testing_support::ThreePlatforms;
using testing_support::three_platforms::k_slack_chat;
using testing_support::three_platforms::k_xiaoli;
using testing_support::three_platforms::k_xiaoming;

constexpr const char* k_second_chat = "C0SECOND01";

class CommandLimitsTest : public ThreePlatforms {
protected:
    void SetUp() override {
        ThreePlatforms::SetUp();
        config::ChatConfig second;
        second.platform = "slack";
        second.chat_id = k_second_chat;
        second.projects = {"P1"};
        m_config.chats.push_back(second);
    }

    // Sends one signed Slack event (200 expected), then lets two seconds pass (more than the
    // outbox's pacing per channel) and waits until `replies_after` replies have arrived.
    void say(const std::string& event_id, const Who& who, const std::string& text, size_t replies_after,
             const std::string& channel = k_slack_chat) {
        auto response = send(slack_event(event_id, who, text, channel));
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, 200) << response->body;
        m_clock.advance_seconds(2);
        ASSERT_TRUE(wait_for_replies(replies_after)) << event_id << ": " << replies().size() << " replies";
    }

    size_t progress_entries() {
        auto log = m_app->store().progress_log("P1", "T003");
        EXPECT_TRUE(log);
        return log ? log->size() : 0;
    }

    std::string last_reply() { return replies().back(); }
};

TEST_F(CommandLimitsTest, ARunawayPersonIsToldOnceAndChangesNothingWhileAnotherPersonIsNotLimited) {
    m_config.limits.commands_per_minute_per_person = 3;
    m_config.limits.commands_per_minute_per_chat = 0;
    start();
    for (int i = 1; i <= 3; ++i) say("EvM" + std::to_string(i), k_xiaoming, "note T003 step " + std::to_string(i), i);
    const size_t entries = progress_entries();
    const StoreSnapshot before = snapshot();

    say("EvM4", k_xiaoming, "note T003 step 4", 4);  // t = 6 s: refused, told
    EXPECT_NE(last_reply().find("Too many commands, try again in 54 s"), std::string::npos) << last_reply();
    EXPECT_TRUE(m_log.has_line_with({"EvM4", "rate limit per person"})) << m_log.joined();
    for (int i = 5; i <= 7; ++i) {  // refused again, not told again
        auto response = send(slack_event("EvM" + std::to_string(i), k_xiaoming, "note T003 again"));
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
    }
    drain_outbox();
    EXPECT_EQ(replies().size(), 4u);
    EXPECT_EQ(progress_entries(), entries);
    const StoreSnapshot after = snapshot();
    EXPECT_EQ(after.at("inbound_seen"), before.at("inbound_seen")) << "a limited message is not remembered";
    for (const auto& table : {"tasks", "progress_log", "audit"}) EXPECT_EQ(after.at(table), before.at(table)) << table;

    say("EvL1", k_xiaoli, "show T003", 5);  // the same chat, another person
    EXPECT_EQ(last_reply().find("Too many"), std::string::npos) << last_reply();
    EXPECT_NE(last_reply().find("T003"), std::string::npos) << last_reply();
}

TEST_F(CommandLimitsTest, TheLimitResetsAfterAMinuteAndARefusedDeliveryCanThenBeApplied) {
    m_config.limits.commands_per_minute_per_person = 2;
    m_config.limits.commands_per_minute_per_chat = 0;
    start();
    say("EvA1", k_xiaoming, "note T003 one", 1);
    say("EvA2", k_xiaoming, "note T003 two", 2);
    const size_t entries = progress_entries();
    say("EvA3", k_xiaoming, "update T003 60%", 3);  // refused
    EXPECT_EQ(task("P1", "T003").completion, 0);

    m_clock.advance_seconds(60);
    // The platform delivers the refused event again (say, it timed out waiting): it was not
    // remembered as handled, so now it is applied.
    say("EvA3", k_xiaoming, "update T003 60%", 4);
    EXPECT_EQ(task("P1", "T003").completion, 60);
    EXPECT_EQ(progress_entries(), entries + 1);
    EXPECT_EQ(last_reply().find("Too many"), std::string::npos) << last_reply();
}

TEST_F(CommandLimitsTest, ARunawayChatDoesNotAffectAnotherChat) {
    m_config.limits.commands_per_minute_per_person = 0;
    m_config.limits.commands_per_minute_per_chat = 3;
    start();
    say("EvC1", k_xiaoming, "show T003", 1);
    say("EvC2", k_xiaoli, "show T003", 2);
    say("EvC3", k_xiaoming, "show T003", 3);
    say("EvC4", k_xiaoli, "查看 T003", 4);  // the chat is full: told, in the message's language
    EXPECT_NE(last_reply().find("太频繁了，请 54 秒后再试"), std::string::npos) << last_reply();
    EXPECT_TRUE(m_log.has_line_with({"EvC4", "rate limit per chat"})) << m_log.joined();

    say("EvC5", k_xiaoming, "show T003", 5, k_second_chat);
    EXPECT_EQ(last_reply().find("Too many"), std::string::npos) << last_reply();
    EXPECT_NE(last_reply().find("T003"), std::string::npos) << last_reply();
}

TEST_F(CommandLimitsTest, AFeishuAndADingtalkRunawayAreLimitedToo) {
    m_config.limits.commands_per_minute_per_person = 1;
    m_config.limits.commands_per_minute_per_chat = 0;
    start();
    auto deliver = [&](const Request& request, size_t replies_after) {
        auto response = send(request);
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, 200) << response->body;
        m_clock.advance_seconds(2);  // past the outbox's pacing per chat
        ASSERT_TRUE(wait_for_replies(replies_after));
    };
    deliver(feishu_event("fl1", k_xiaoming, "T003 备注 一"), 1);
    deliver(feishu_event("fl2", k_xiaoming, "T003 备注 二"), 2);
    EXPECT_NE(last_reply().find("太频繁了"), std::string::npos) << last_reply();
    deliver(dingtalk_event("dl1", k_xiaoming, "T003 备注 一"), 3);
    deliver(dingtalk_event("dl2", k_xiaoming, "T003 备注 二"), 4);
    EXPECT_NE(last_reply().find("太频繁了"), std::string::npos) << last_reply();
    EXPECT_TRUE(m_log.has_line_with({"feishu", "fl2", "rate limit per person"})) << m_log.joined();
    EXPECT_TRUE(m_log.has_line_with({"dingtalk", "dl2", "rate limit per person"})) << m_log.joined();
}

}  // namespace
