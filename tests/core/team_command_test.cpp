// The set-up commands read from a chat line (core/team_command.h), and the lines that must stay
// the task grammar's.
#include "core/team_command.h"

#include <gtest/gtest.h>

namespace core {
namespace {

std::optional<TeamCommand> parse(std::string_view line, const std::vector<AccountMention>& mentions = {}) {
    return parse_team_command(line, mentions, {"@TaskBot"});
}

TEST(TeamCommandTest, BindNamesOneOrSeveralProjectsInEitherLanguage) {
    auto zh = parse("绑定 p1 P2");
    ASSERT_TRUE(zh);
    EXPECT_EQ(zh->kind, TeamCommandKind::bind);
    EXPECT_EQ(zh->projects, (std::vector<std::string>{"P1", "P2"}));
    EXPECT_EQ(zh->language, Locale::zh_cn);
    auto en = parse("@TaskBot bind P1, P2");
    ASSERT_TRUE(en);
    EXPECT_EQ(en->projects, (std::vector<std::string>{"P1", "P2"}));
    EXPECT_EQ(en->language, Locale::en);
    EXPECT_FALSE(parse("绑定"));  // nothing to bind to
}

TEST(TeamCommandTest, UnbindWithoutProjectsMeansAll) {
    auto all = parse("解绑");
    ASSERT_TRUE(all);
    EXPECT_EQ(all->kind, TeamCommandKind::unbind);
    EXPECT_TRUE(all->projects.empty());
    auto one = parse("unbind P1");
    ASSERT_TRUE(one);
    EXPECT_EQ(one->projects, std::vector<std::string>{"P1"});
}

TEST(TeamCommandTest, SettingsTakeTheRestOfTheLineAsTheValue) {
    auto digest = parse("设置 日报 09:30");
    ASSERT_TRUE(digest);
    EXPECT_EQ(digest->kind, TeamCommandKind::set);
    EXPECT_EQ(digest->setting, ChatSetting::digest_time);
    EXPECT_EQ(digest->value, "09:30");
    auto weekly = parse("set weekly MON 10:00");
    ASSERT_TRUE(weekly);
    EXPECT_EQ(weekly->setting, ChatSetting::weekly_time);
    EXPECT_EQ(weekly->value, "MON 10:00");
    auto unknown = parse("设置 颜色 蓝色");
    ASSERT_TRUE(unknown);  // read, so the reply can say what is settable
    EXPECT_FALSE(unknown->setting);
    EXPECT_EQ(unknown->setting_word, "颜色");
    EXPECT_FALSE(parse("set up a call"));  // English talk that starts with "set" is not a setting
    EXPECT_FALSE(parse("I'm on it"));
}

TEST(TeamCommandTest, ClaimConfirmAndUnlinkNameAPerson) {
    auto claim = parse("我是 小红");
    ASSERT_TRUE(claim);
    EXPECT_EQ(claim->kind, TeamCommandKind::claim);
    EXPECT_EQ(claim->person, "小红");
    auto unspaced = parse("我是小红");
    ASSERT_TRUE(unspaced);
    EXPECT_EQ(unspaced->person, "小红");
    auto en = parse("I am Xiaohong");
    ASSERT_TRUE(en);
    EXPECT_EQ(en->kind, TeamCommandKind::claim);
    EXPECT_EQ(en->person, "Xiaohong");
    auto confirm = parse("确认 @小红");
    ASSERT_TRUE(confirm);
    EXPECT_EQ(confirm->kind, TeamCommandKind::confirm);
    EXPECT_EQ(confirm->person, "小红");
    auto named = parse("confirm @U0XL 小红", {{"U0XL", "U0XL"}});
    ASSERT_TRUE(named);
    EXPECT_EQ(named->account, "U0XL");
    EXPECT_EQ(named->person, "小红");
    auto unlink = parse("unlink 小红");
    ASSERT_TRUE(unlink);
    EXPECT_EQ(unlink->kind, TeamCommandKind::unlink);
}

TEST(TeamCommandTest, LinkTakesTheMentionedAccount) {
    std::vector<AccountMention> mentions{{"someone", "U0SOMEONE"}};
    auto zh = parse("绑定 @someone 小明", mentions);
    ASSERT_TRUE(zh);
    EXPECT_EQ(zh->kind, TeamCommandKind::link);
    EXPECT_EQ(zh->account, "U0SOMEONE");
    EXPECT_EQ(zh->person, "小明");
    auto en = parse("link @someone 小明", mentions);
    ASSERT_TRUE(en);
    EXPECT_EQ(en->kind, TeamCommandKind::link);
    EXPECT_EQ(en->account, "U0SOMEONE");
}

TEST(TeamCommandTest, TaskCommandsThatShareAWordStayTheTaskGrammars) {
    EXPECT_FALSE(parse("确认复盘 P1"));
    EXPECT_FALSE(parse("confirm retro"));
    EXPECT_FALSE(parse("解除阻塞 T003"));
    EXPECT_FALSE(parse("link"));      // the web view's link
    EXPECT_FALSE(parse("link P1"));   // likewise, for one project
    EXPECT_FALSE(parse("项目 P1 进度"));
    EXPECT_FALSE(parse("T003 进度 60%"));
    EXPECT_FALSE(parse("settle T003"));  // "set" must end at a word boundary
    EXPECT_FALSE(parse("binding T003"));
}

TEST(TeamCommandTest, AMessageMixingSetUpAndUpdatesIsNotASetUpMessage) {
    EXPECT_EQ(parse_team_message("绑定 P1\n设置 日报 09:30", {}, {}).size(), 2u);
    EXPECT_TRUE(parse_team_message("绑定 P1\nT003 进度 60%", {}, {}).empty());
}

TEST(TeamCommandTest, ChatSettingsReadTheirValuesOrChangeNothing) {
    ChatEntry chat;
    EXPECT_TRUE(set_chat_setting(chat, ChatSetting::digest_time, "9:30"));
    EXPECT_EQ(format_time_of_day(chat.digest_time), "09:30");
    EXPECT_TRUE(set_chat_setting(chat, ChatSetting::timezone, "Asia/Tokyo"));
    EXPECT_EQ(chat.timezone, "Asia/Tokyo");
    EXPECT_TRUE(set_chat_setting(chat, ChatSetting::language, "en"));
    EXPECT_EQ(chat.locale, Locale::en);
    EXPECT_TRUE(set_chat_setting(chat, ChatSetting::quiet_hours, "off"));
    EXPECT_FALSE(chat.quiet_hours);
    EXPECT_TRUE(set_chat_setting(chat, ChatSetting::weekly_time, "周三 10:00"));
    EXPECT_EQ(format_weekly_time(chat.weekly_time), "WED 10:00");
    ChatEntry before = chat;
    EXPECT_FALSE(set_chat_setting(chat, ChatSetting::digest_time, "25:00"));
    EXPECT_FALSE(set_chat_setting(chat, ChatSetting::timezone, "Mars/Olympus"));
    EXPECT_FALSE(set_chat_setting(chat, ChatSetting::language, "fr"));
    EXPECT_FALSE(set_chat_setting(chat, ChatSetting::quiet_hours, "late"));
    EXPECT_EQ(chat, before);
}

}  // namespace
}  // namespace core
