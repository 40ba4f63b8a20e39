// CommandLimiter on a FakeClock: per-sender and per-chat minute windows, one notice per
// limited stretch, 0 turning a window off.

#include "bot/pipeline/command_limiter.h"

#include <gtest/gtest.h>

#include "tests/support/fake_clock.h"

namespace {

using bot::CommandLimiter;
using bot::CommandLimits;
using testing_support::FakeClock;

// Admits `count` commands from one sender in one chat, one a second; how many got in.
int admit_many(CommandLimiter& limiter, FakeClock& clock, const std::string& sender, const std::string& chat, int count) {
    int admitted = 0;
    for (int i = 0; i < count; ++i) {
        if (limiter.admit("slack", sender, chat).allowed) ++admitted;
        clock.advance_seconds(1);
    }
    return admitted;
}

TEST(CommandLimiterTest, ARunawaySenderIsLimitedWhileAnotherPersonInTheSameChatIsNot) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{3, 100});
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);
    auto refused = limiter.admit("slack", "U1", "C1");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.scope, "person");
    EXPECT_EQ(refused.retry_after_seconds, 60);
    EXPECT_TRUE(limiter.admit("slack", "U2", "C1").allowed);
}

TEST(CommandLimiterTest, HasRoomSaysWhatAdmitWouldDoWithoutCountingAnything) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{2, 3});
    EXPECT_TRUE(limiter.has_room("slack", "U1", "C1"));  // never seen
    for (int i = 0; i < 10; ++i) EXPECT_TRUE(limiter.has_room("slack", "U1", "C1"));
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);  // the asking counted nothing
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);
    EXPECT_FALSE(limiter.has_room("slack", "U1", "C1"));  // the person's window is full
    EXPECT_TRUE(limiter.has_room("slack", "U2", "C1"));
    EXPECT_TRUE(limiter.admit("slack", "U2", "C1").allowed);
    EXPECT_FALSE(limiter.has_room("slack", "U3", "C1"));  // now the chat's is
    EXPECT_FALSE(limiter.admit("slack", "U3", "C1").allowed);
    EXPECT_TRUE(limiter.has_room("dingtalk", "U3", "C1"));  // another platform's chat
    clock.advance_seconds(60);
    EXPECT_TRUE(limiter.has_room("slack", "U1", "C1"));
}

TEST(CommandLimiterTest, ARunawayChatDoesNotAffectAnotherChat) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{100, 4});
    EXPECT_EQ(admit_many(limiter, clock, "U1", "C1", 2), 2);
    EXPECT_EQ(admit_many(limiter, clock, "U2", "C1", 2), 2);
    auto refused = limiter.admit("slack", "U3", "C1");
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.scope, "chat");
    EXPECT_TRUE(limiter.admit("slack", "U3", "C2").allowed);
    EXPECT_TRUE(limiter.admit("feishu", "U3", "C1").allowed) << "another platform's chat of the same id";
}

TEST(CommandLimiterTest, TheLimitResetsAMinuteAfterTheOldestCountedCommand) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{2, 0});
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);  // t = 0
    clock.advance_seconds(10);
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);  // t = 10
    clock.advance_seconds(5);
    auto refused = limiter.admit("slack", "U1", "C1");       // t = 15
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 45);
    // Refusals are not counted, so trying again and again does not push the reset further out.
    clock.advance_seconds(44);
    EXPECT_FALSE(limiter.admit("slack", "U1", "C1").allowed);  // t = 59
    clock.advance_seconds(1);
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);   // t = 60: the first left the window
    EXPECT_FALSE(limiter.admit("slack", "U1", "C1").allowed);  // the one at t = 10 is still in it
    clock.advance_seconds(60);
    EXPECT_EQ(admit_many(limiter, clock, "U1", "C1", 2), 2);
}

TEST(CommandLimiterTest, OnlyTheFirstRefusalOfAStretchAsksToTellTheChat) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{1, 0});
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").notify);
    for (int i = 0; i < 5; ++i) {
        clock.advance_seconds(5);
        auto again = limiter.admit("slack", "U1", "C1");
        EXPECT_FALSE(again.allowed);
        EXPECT_FALSE(again.notify) << i;
    }
    clock.advance_seconds(35);  // t = 60: room again
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").allowed);
    EXPECT_TRUE(limiter.admit("slack", "U1", "C1").notify) << "a new stretch is told again";
}

TEST(CommandLimiterTest, ZeroTurnsALimitOff) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{0, 0});
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.admit("slack", "U1", "C1").allowed) << i;
    CommandLimiter chat_only(clock, CommandLimits{0, 2});
    EXPECT_TRUE(chat_only.admit("slack", "U1", "C1").allowed);
    EXPECT_TRUE(chat_only.admit("slack", "U1", "C1").allowed);
    EXPECT_FALSE(chat_only.admit("slack", "U1", "C1").allowed);
}

TEST(CommandLimiterTest, IdleWindowsAreForgottenWithoutLosingLiveOnes) {
    FakeClock clock;
    CommandLimiter limiter(clock, CommandLimits{2, 0});
    EXPECT_TRUE(limiter.admit("slack", "busy", "C1").allowed);
    EXPECT_TRUE(limiter.admit("slack", "busy", "C1").allowed);
    // 2000 other senders, each once: passes the 1024-admit sweep twice.
    for (int i = 0; i < 2000; ++i) ASSERT_TRUE(limiter.admit("slack", "U" + std::to_string(i), "C" + std::to_string(i)).allowed);
    EXPECT_FALSE(limiter.admit("slack", "busy", "C1").allowed) << "a live window survived the sweep";
}

}  // namespace
