// Tests of core/digest.h: the daily digest, merged warnings and task lists, in zh-CN and en.
#include "core/digest.h"

#include <gtest/gtest.h>

#include "tests/core/fixtures.h"

namespace {

using core::Locale;
using core::Status;
using fixtures::day;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

core::Task& task_of(core::ProjectState& state, const char* id) {
    for (auto& task : state.tasks)
        if (task.id == id) return task;
    ADD_FAILURE() << "no task " << id;
    return state.tasks.front();
}

// Slack-like markup: "<@U…>" mentions from Person::slack, falling back to "@name".
core::Markup slack_like() {
    core::Markup markup;
    markup.dialect = core::Dialect::slack_mrkdwn;
    markup.mention = [](const core::Person& p) { return p.slack.empty() ? "@" + p.name : "<@" + p.slack + ">"; };
    markup.user_id = [](const core::Person& p) { return p.slack; };
    return markup;
}

// A plan that is exactly on schedule on 2024-03-06: nothing to warn about.
core::ProjectState on_track_state() {
    auto state = fixtures::empty_state("P", "节日促销");
    state.tasks = {fixtures::make_task("T1", core::Level::task, "", "海报", "小明", "2024-03-01", "2024-03-20")};
    state.tasks[0].status = Status::in_progress;
    state.tasks[0].completion = 40;
    state.tasks[0].last_update = day("2024-03-05");
    return state;
}

// --- build_digest ----------------------------------------------------------------------------

TEST(DigestTest, LaunchDemoListsLateAndDueSoonTasksWithOwners) {
    auto state = fixtures::new_product_launch();
    auto digest = core::build_digest(state, day("2024-03-23"));
    EXPECT_EQ(digest.project_name, "新品上市推广");
    ASSERT_EQ(digest.late.size(), 2u);
    EXPECT_EQ(digest.late[0].task_id, "T001");
    EXPECT_EQ(digest.late[0].owner, "小李");
    EXPECT_EQ(digest.late[0].days_late, 15);
    EXPECT_EQ(digest.late[1].task_id, "T002");
    EXPECT_EQ(digest.late[1].owner, "小王");
    EXPECT_EQ(digest.late[1].days_late, 8);
    ASSERT_EQ(digest.due_soon.size(), 1u);
    EXPECT_EQ(digest.due_soon[0].task_id, "T003");
    EXPECT_EQ(digest.due_soon[0].owner, "小明");
    EXPECT_EQ(digest.due_soon[0].days_left, 2);
    ASSERT_EQ(digest.at_risk.size(), 1u);  // T003: 70% planned, 0% done
    EXPECT_EQ(digest.at_risk[0].planned_percent, 70);
    EXPECT_EQ(digest.completion, 0);
    EXPECT_FALSE(digest.all_on_track());
    // Phases and modules, in plan order, including the childless 收尾阶段.
    ASSERT_EQ(digest.rows.size(), 5u);
    EXPECT_EQ(digest.rows[0].node_id, "P1");
    EXPECT_EQ(digest.rows[4].node_id, "M4");
}

TEST(DigestTest, DoneSinceCoversTheLastDigestDayOnwards) {
    auto state = fixtures::q3_online_strategy();
    auto digest = core::build_digest(state, day("2024-07-09"));  // default: since yesterday
    ASSERT_EQ(digest.done_since.size(), 1u);
    EXPECT_EQ(digest.done_since[0].task_id, "T002");  // done 07-08
    EXPECT_TRUE(core::build_digest(state, day("2024-07-09"), day("2024-07-09")).done_since.empty());
    EXPECT_EQ(core::build_digest(state, day("2024-09-30"), day("2024-07-01")).done_since.size(), 3u);
}

TEST(DigestTest, CarriesBlockedOverloadedStaleAndKpiLists) {
    auto state = fixtures::q3_online_strategy();
    state.kpis[0].warn_below = 0.9;
    auto blocked = fixtures::make_task("T004", core::Level::task, "P1", "复购活动", "李", "2024-09-20", "2024-10-10");
    blocked.status = Status::blocked;
    blocked.blocked_reason = "等待法务确认";
    blocked.blocked_since = day("2024-09-27");
    state.tasks.push_back(blocked);
    auto digest = core::build_digest(state, day("2024-09-30"));
    ASSERT_EQ(digest.blocked.size(), 1u);
    EXPECT_EQ(digest.blocked[0].reason, "等待法务确认");
    EXPECT_EQ(digest.blocked[0].days_blocked, 3);
    ASSERT_EQ(digest.kpis_below.size(), 1u);
    EXPECT_EQ(digest.kpis_below[0].kpi_id, "K001");
    EXPECT_NEAR(digest.kpis_below[0].achievement, 0.84, 1e-12);
    EXPECT_EQ(digest.on_time.on_time, 1);
    EXPECT_EQ(digest.on_time.due, 3);  // the blocked task is not due before 10-10
    EXPECT_TRUE(digest.late.empty());  // finished-late tasks count in the on-time rate only
}

// --- render_digest ---------------------------------------------------------------------------

TEST(DigestTest, ChineseDigestNamesLateAndDueTasksAndMentionsOwners) {
    auto state = fixtures::new_product_launch();
    auto digest = core::build_digest(state, day("2024-03-23"));
    auto message = core::render_digest(digest, state, Locale::zh_cn, core::plain_markup());
    EXPECT_EQ(message.title, "每日简报 · 新品上市推广 · 2024-03-23");
    const std::string text = message.joined_text();
    for (const char* part : {"T001", "T002", "T003", "@小李", "@小王", "@小明", "逾期 15 天", "2 天后到期", "总进度 0%"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    EXPECT_FALSE(contains(text, "一切按计划进行"));
    EXPECT_EQ(message.fallback_text, text);  // plain markup: the fallback is the same text
    EXPECT_EQ(message.locale, Locale::zh_cn);
    ASSERT_EQ(message.buttons.size(), 2u);
    EXPECT_EQ(message.buttons[0].action, "task_done");
    EXPECT_EQ(message.buttons[0].value, "NPL/T001");
    EXPECT_TRUE(contains(message.buttons[0].label, "标记完成"));
    EXPECT_EQ(message.buttons[1].value, "NPL/T002");
}

TEST(DigestTest, EnglishDigestUsesEnglishWording) {
    auto state = fixtures::new_product_launch();
    auto message = core::render_digest(core::build_digest(state, day("2024-03-23")), state, Locale::en,
                                       core::plain_markup());
    EXPECT_EQ(message.title, "Daily digest · 新品上市推广 · 2024-03-23");
    const std::string text = message.joined_text();
    for (const char* part : {"Late (2)", "15 days late", "due in 2 days (03-25)", "Overall 0%", "@小李"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    EXPECT_FALSE(contains(text, "逾期"));
    EXPECT_EQ(message.buttons.at(0).label, "Mark done T001");
}

TEST(DigestTest, PlatformMarkupBoldsHeadingsAndCollectsMentionIds) {
    auto state = fixtures::new_product_launch();
    state.people["小李"].slack = "U061";
    state.people["小明"].slack = "U063";
    auto message = core::render_digest(core::build_digest(state, day("2024-03-23")), state, Locale::zh_cn,
                                       slack_like());
    const std::string text = message.joined_text();
    EXPECT_TRUE(contains(text, "*逾期 (2)*")) << text;
    EXPECT_TRUE(contains(text, "<@U061>")) << text;
    EXPECT_TRUE(contains(text, "@小王")) << text;  // no Slack id: plain mention, no notification
    // 小明 is mentioned twice (due soon and at risk) but notified once; 小王 has no id.
    std::vector<std::string> expected{"U061", "U063"};
    EXPECT_EQ(message.mention_user_ids, expected);
    EXPECT_TRUE(contains(message.fallback_text, "@小李"));
    EXPECT_FALSE(contains(message.fallback_text, "<@U061>"));
    EXPECT_FALSE(contains(message.fallback_text, "*逾期"));
}

TEST(DigestTest, NothingToSayGivesAShortAllOnTrackLine) {
    auto state = on_track_state();
    auto digest = core::build_digest(state, day("2024-03-06"));
    EXPECT_TRUE(digest.all_on_track());
    auto zh = core::render_digest(digest, state, Locale::zh_cn, core::plain_markup());
    ASSERT_FALSE(zh.sections.empty());
    EXPECT_TRUE(contains(zh.joined_text(), "一切按计划进行")) << zh.joined_text();
    EXPECT_TRUE(contains(zh.joined_text(), "总进度 40%"));
    EXPECT_LE(zh.sections.size(), 2u);
    EXPECT_TRUE(zh.buttons.empty());
    auto en = core::render_digest(digest, state, Locale::en, core::plain_markup());
    EXPECT_TRUE(contains(en.joined_text(), "All on track.")) << en.joined_text();
}

TEST(DigestTest, OwnerWithoutAPersonIsMentionedByTheirId) {
    auto state = fixtures::q3_online_strategy();
    auto blocked = fixtures::make_task("T004", core::Level::task, "P1", "复购活动", "周", "2024-09-20", "2024-10-10");
    blocked.status = Status::blocked;
    blocked.blocked_reason = "等待法务确认";
    state.tasks.push_back(blocked);
    auto message = core::render_digest(core::build_digest(state, day("2024-09-30")), state, Locale::zh_cn,
                                       core::plain_markup());
    EXPECT_TRUE(contains(message.joined_text(), "T004 复购活动 @周 阻塞 0 天：等待法务确认")) << message.joined_text();
    EXPECT_TRUE(contains(message.joined_text(), "按时完成率 1/3 (33%)")) << message.joined_text();
}

// --- render_findings --------------------------------------------------------------------------

TEST(DigestTest, FindingsMergeIntoOneMessageWithOwnersAndTheReplyToSend) {
    auto state = fixtures::new_product_launch();
    auto findings = core::evaluate(state, day("2024-03-23"));
    auto zh = core::render_findings(findings, state, Locale::zh_cn, core::plain_markup());
    EXPECT_EQ(zh.title, "预警 · 新品上市推广");
    EXPECT_EQ(zh.sections.size(), findings.size());
    const std::string text = zh.joined_text();
    for (const char* part : {"【逾期】T001 用户调研 @小李 已逾期 15 天", "回复 `T001 进度 60%` 更新",
                             "`T001 延期 MM-DD 原因: …`", "【即将到期】T003 创意定稿 @小明", "回复 `T003 完成`",
                             "【粒度】T006 正式上线 @经理 计划 20 天"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;

    auto en = core::render_findings(findings, state, Locale::en, core::plain_markup());
    const std::string en_text = en.joined_text();
    for (const char* part : {"[Late] T001 用户调研 @小李 is 15 days late", "Reply `update T001 60%`",
                             "`delay T001 to YYYY-MM-DD because …`", "[Due soon] T003"})
        EXPECT_TRUE(contains(en_text, part)) << part << "\n" << en_text;
}

TEST(DigestTest, FindingsCoverEveryRuleWithItsOwnWording) {
    auto state = fixtures::q3_online_strategy();
    state.kpis[0].warn_below = 0.9;
    auto findings = core::evaluate(state, day("2024-09-30"));
    core::Finding overload{core::Rule::r6_overload, "Q3", "", "王", 6, 0, "", "", ""};
    findings.push_back(overload);
    auto text = core::render_findings(findings, state, Locale::zh_cn, core::plain_markup()).joined_text();
    for (const char* part : {"【逾期完成】T001 抖音直播引流 @王 晚于计划 5 天完成", "【按时率】按时完成率 33%（1/3）",
                             "【指标预警】K001 线上销售额 达成 84%，低于预警线 90%", "【负载过高】@王 同时负责 6 个", "@赵"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
}

TEST(DigestTest, NoFindingsStillSaysSomething) {
    auto state = on_track_state();
    auto message = core::render_findings({}, state, Locale::en, core::plain_markup());
    ASSERT_EQ(message.sections.size(), 1u);
    EXPECT_EQ(message.sections[0], "No new warnings.");
}

// --- render_task_list -------------------------------------------------------------------------

TEST(DigestTest, LateListShowsStatusCompletionFinishOwnerAndDaysLate) {
    auto state = fixtures::new_product_launch();
    auto late = core::late_tasks(state, day("2024-03-23"));
    ASSERT_EQ(late.size(), 2u);
    auto zh = core::render_task_list("逾期任务", late, state, day("2024-03-23"), Locale::zh_cn, core::plain_markup());
    EXPECT_EQ(zh.title, "逾期任务");
    EXPECT_TRUE(contains(zh.joined_text(), "T001 用户调研 · 已延期 · 0% · 截止 03-08 · @小李 · 逾期 15 天"))
        << zh.joined_text();
    auto en = core::render_task_list("Late tasks", late, state, day("2024-03-23"), Locale::en, core::plain_markup());
    EXPECT_TRUE(contains(en.joined_text(), "T002 竞品分析 · delayed · 0% · due 03-15 · @小王 · 8 days late"))
        << en.joined_text();
}

TEST(DigestTest, BlockedAndMyTaskListsShowReasonsAndOnlyOpenTasks) {
    auto state = fixtures::new_product_launch();
    auto& t003 = task_of(state, "T003");
    t003.status = Status::blocked;
    t003.blocked_reason = "设计稿待客户确认";
    task_of(state, "T002").status = Status::done;
    auto blocked = core::blocked_tasks(state);
    ASSERT_EQ(blocked.size(), 1u);
    auto message = core::render_task_list("阻塞任务", blocked, state, day("2024-03-23"), Locale::zh_cn,
                                          core::plain_markup());
    EXPECT_TRUE(contains(message.joined_text(), "T003 创意定稿 · 已阻塞 · 0% · 截止 03-25 · @小明 · 阻塞原因：设计稿待客户确认"))
        << message.joined_text();
    EXPECT_TRUE(core::open_tasks_of(state, "小王").empty());
    EXPECT_EQ(core::open_tasks_of(state, "小明").size(), 1u);  // T003; the module M2 is not a leaf
    auto none = core::render_task_list("我的任务", {}, state, day("2024-03-23"), Locale::zh_cn, core::plain_markup());
    EXPECT_TRUE(contains(none.joined_text(), "没有任务")) << none.joined_text();
}

}  // namespace
