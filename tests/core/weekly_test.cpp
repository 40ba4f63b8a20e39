// Tests of core/weekly.h: the weekly review (周报) and the 17:00 update reminder (R9).
#include "core/weekly.h"

#include <gtest/gtest.h>

#include "tests/core/fixtures.h"

namespace {

using core::Level;
using core::Locale;
using core::Status;
using fixtures::day;
using fixtures::make_task;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

size_t count_of(const std::string& text, std::string_view part) {
    size_t count = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
        ++count;
    return count;
}

// Slack-like markup: "<@U…>" mentions from Person::slack, falling back to "@name".
core::Markup slack_like() {
    core::Markup markup;
    markup.dialect = core::Dialect::slack_mrkdwn;
    markup.mention = [](const core::Person& p) {
        return p.slack.empty() ? "@" + p.name : "<@" + p.slack + ">";
    };
    markup.user_id = [](const core::Person& p) { return p.slack; };
    return markup;
}

core::ProgressEntry logged(const char* task_id, const char* date, int completion) {
    core::ProgressEntry entry;
    entry.task_id = task_id;
    entry.date = day(date);
    entry.action = "progress";
    entry.completion = completion;
    return entry;
}

core::DeviationReport report(const char* task_id, const char* date, const char* cause,
                             const char* remedy) {
    core::DeviationReport r;
    r.task_id = task_id;
    r.date = day(date);
    r.cause = cause;
    r.remedy = remedy;
    return r;
}

// A week of 2024-03-18 – 03-24 in a small festival campaign: one task slipped with a
// deviation report, one blocked, one finished on time, two due next week.
core::ProjectState festival_week() {
    auto state = fixtures::empty_state("P", "节日促销");
    state.tasks = {
        make_task("T1", Level::task, "", "海报设计", "小明", "2024-03-11", "2024-03-20"),
        make_task("T2", Level::task, "", "渠道投放", "小红", "2024-03-11", "2024-03-20"),
        make_task("T3", Level::task, "", "直播脚本", "小李", "2024-03-15", "2024-03-29"),
        make_task("T4", Level::task, "", "物料印刷", "小明", "2024-03-21", "2024-03-31"),
        make_task("T5", Level::task, "", "门店陈列", "小李", "2024-03-25", "2024-04-01"),
    };
    state.tasks[0].status = Status::in_progress;
    state.tasks[0].completion = 60;
    state.tasks[1].status = Status::done;
    state.tasks[1].completion = 100;
    state.tasks[1].actual_finish = day("2024-03-19");
    state.tasks[2].status = Status::blocked;
    state.tasks[2].completion = 30;
    state.tasks[2].blocked_reason = "等待客户确认";
    state.tasks[2].blocked_since = day("2024-03-21");
    fixtures::number_positions(state);
    for (const char* name : {"经理", "小明", "小红", "小李"})
        state.people[name] = core::Person{name, name, "市场部", "", "", "", "", ""};
    state.people["小明"].slack = "U1";
    state.people["小红"].slack = "U2";
    state.people["小李"].slack = "U3";
    state.people["经理"].slack = "U9";
    state.deviation_reports = {report("T1", "2024-03-20", "旧原因", ""),
                               report("T1", "2024-03-22", "供应商产能不足", "更换供应商"),
                               report("T2", "2024-03-10", "上周的说明", "")};
    state.progress = {logged("T1", "2024-03-12", 20), logged("T2", "2024-03-15", 50),
                      logged("T1", "2024-03-18", 40)};
    return state;
}

// --- build_weekly_review -------------------------------------------------------------------

TEST(WeeklyReviewTest, Q3StrategyWeekListsFinishedOnTimeAndLate) {
    auto state = fixtures::q3_online_strategy();  // seed 002
    auto review = core::build_weekly_review(state, day("2024-07-19"), day("2024-07-25"));
    EXPECT_EQ(review.project_id, "Q3");
    ASSERT_EQ(review.finished.size(), 1u);
    EXPECT_EQ(review.finished[0].task_id, "T003");
    EXPECT_EQ(review.finished[0].owner, "张");
    EXPECT_EQ(review.finished[0].finished, day("2024-07-25"));
    EXPECT_FALSE(review.finished[0].on_time);
    ASSERT_EQ(review.slipped.size(), 1u);  // planned 07-20, finished 07-25
    EXPECT_EQ(review.slipped[0].task_id, "T003");
    EXPECT_EQ(review.slipped[0].days_late, 5);
    EXPECT_TRUE(review.slipped[0].cause.empty());

    auto early = core::build_weekly_review(state, day("2024-07-04"), day("2024-07-10"));
    ASSERT_EQ(early.finished.size(), 1u);
    EXPECT_EQ(early.finished[0].task_id, "T002");
    EXPECT_TRUE(early.finished[0].on_time);
    EXPECT_TRUE(early.slipped.empty());
}

TEST(WeeklyReviewTest, PeriodBoundariesAreInclusive) {
    auto state = fixtures::q3_online_strategy();  // T002 done 07-08, T003 done 07-25
    EXPECT_EQ(
        core::build_weekly_review(state, day("2024-07-08"), day("2024-07-14")).finished.size(), 1u);
    EXPECT_TRUE(
        core::build_weekly_review(state, day("2024-07-09"), day("2024-07-15")).finished.empty());
    EXPECT_EQ(
        core::build_weekly_review(state, day("2024-07-25"), day("2024-07-31")).finished.size(), 1u);
    // Ending the day before T003 finished: it is not finished in the period, and it had
    // slipped by 4 days as of 07-24.
    auto before = core::build_weekly_review(state, day("2024-07-18"), day("2024-07-24"));
    EXPECT_TRUE(before.finished.empty());
    ASSERT_EQ(before.slipped.size(), 1u);
    EXPECT_EQ(before.slipped[0].days_late, 4);
}

TEST(WeeklyReviewTest, CompletionBeforeComesFromTheProgressLog) {
    auto state = festival_week();
    state.progress.push_back(logged("t3", "2024-03-16", 10));  // ids match case-insensitively
    // Before 03-18: T1 20% (the 03-18 entry is inside the period), T2 50% (finished on 03-19,
    // so not yet 100), T3 10%, T4 and T5 no entry (0). Weights 10, 10, 15, 11 and 8 days.
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    EXPECT_EQ(review.completion_before, (10 * 20 + 10 * 50 + 15 * 10 + 27) / 54);
    EXPECT_EQ(review.completion, core::project_completion(state));
    EXPECT_GT(review.completion, review.completion_before);
    // A task finished before the period counts as 100 whatever the log says.
    auto later = core::build_weekly_review(state, day("2024-03-20"), day("2024-03-26"));
    EXPECT_EQ(later.completion_before, (10 * 40 + 10 * 100 + 15 * 10 + 27) / 54);
}

TEST(WeeklyReviewTest, SlippedTaskCarriesTheNewestDeviationReportOfThePeriod) {
    auto state = festival_week();
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(review.slipped.size(), 1u);  // T2 finished on time; T1 is open past 03-20
    const auto& t1 = review.slipped[0];
    EXPECT_EQ(t1.task_id, "T1");
    EXPECT_EQ(t1.owner, "小明");
    EXPECT_EQ(t1.planned_finish, day("2024-03-20"));
    EXPECT_EQ(t1.days_late, 4);
    EXPECT_EQ(t1.cause, "供应商产能不足");
    EXPECT_EQ(t1.remedy, "更换供应商");
    EXPECT_EQ(review.deviation_reports, 2);  // the 03-10 report is before the period
    ASSERT_EQ(review.finished.size(), 1u);
    EXPECT_EQ(review.finished[0].task_id, "T2");
    EXPECT_TRUE(review.finished[0].on_time);
}

TEST(WeeklyReviewTest, BlockedAndDueNextWindow) {
    auto state = festival_week();
    auto extra = make_task("T6", Level::task, "", "复盘会", "经理", "2024-03-30", "2024-04-01");
    state.tasks.push_back(extra);  // 03-24 + 8: outside the window
    auto done_soon =
        make_task("T7", Level::task, "", "预热文案", "小红", "2024-03-20", "2024-03-27");
    done_soon.status = Status::done;
    done_soon.actual_finish = day("2024-03-22");
    state.tasks.push_back(done_soon);  // done: not due any more
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(review.blocked.size(), 1u);
    EXPECT_EQ(review.blocked[0].task_id, "T3");
    EXPECT_EQ(review.blocked[0].reason, "等待客户确认");
    EXPECT_EQ(review.blocked[0].days_blocked, 3);
    ASSERT_EQ(review.due_next.size(), 2u);  // T3 (03-29, blocked but open) and T4 (03-31)
    EXPECT_EQ(review.due_next[0].id, "T3");
    EXPECT_EQ(review.due_next[1].id, "T4");

    state.tasks[4].planned_finish = day("2024-03-25");  // T5: the day after `to` is in
    auto again = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(again.due_next.size(), 3u);
    EXPECT_EQ(again.due_next[2].id, "T5");
}

TEST(WeeklyReviewTest, KpisBelowTheirWarningThresholdAreFlagged) {
    auto state = fixtures::q3_online_strategy();
    state.kpis[0].warn_below = 0.9;  // K001 at 84%
    state.kpis[3].warn_below = 0.9;  // K004 at 94%
    auto review = core::build_weekly_review(state, day("2024-09-24"), day("2024-09-30"));
    ASSERT_EQ(review.kpis.size(), 4u);
    EXPECT_EQ(review.kpis[0].kpi_id, "K001");
    EXPECT_NEAR(review.kpis[0].achievement, 0.84, 1e-12);
    EXPECT_DOUBLE_EQ(review.kpis[0].target, 5000000);
    EXPECT_TRUE(review.kpis[0].below_warning);
    EXPECT_FALSE(review.kpis[1].below_warning);  // no threshold set
    EXPECT_FALSE(review.kpis[3].below_warning);
    EXPECT_EQ(review.on_time.on_time, 1);
    EXPECT_EQ(review.on_time.due, 3);
}

// --- render_weekly_review --------------------------------------------------------------------

TEST(WeeklyReviewTest, ChineseReviewNamesPeopleCausesAndTheOnTimeTarget) {
    auto state = festival_week();
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    auto message = core::render_weekly_review(review, state, Locale::zh_cn, slack_like());
    EXPECT_EQ(message.title, "周报 · 节日促销 · 03-18 – 03-24");
    const std::string text = message.joined_text();
    for (const char* part :
         {"↑", "本周偏差说明 2 份", "*本周完成 (1)*", "T2 渠道投放 <@U2> 03-19 完成",
          "T1 海报设计 <@U1> 计划 03-20，逾期 4 天；原因：供应商产能不足；措施：更换供应商",
          "T3 直播脚本 <@U3> 阻塞 3 天：等待客户确认",
          "按时完成率* 50% (1/2)，目标 ≥ 90%，未达标 <@U9>", "*指标*：未设置",
          "T4 物料印刷 <@U1> 7 天后到期 (03-31)"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    std::vector<std::string> expected{"U2", "U1", "U3", "U9"};
    EXPECT_EQ(message.mention_user_ids, expected);
    EXPECT_FALSE(contains(message.fallback_text, "<@"));
    EXPECT_FALSE(contains(message.fallback_text, "*"));
    EXPECT_TRUE(contains(message.fallback_text, "T1 海报设计 @小明 计划 03-20"))
        << message.fallback_text;
    EXPECT_EQ(message.locale, Locale::zh_cn);
}

TEST(WeeklyReviewTest, EnglishReviewUsesEnglishWordingAndMonthNames) {
    auto state = fixtures::q3_online_strategy();
    state.kpis[0].warn_below = 0.9;
    auto review = core::build_weekly_review(state, day("2024-07-19"), day("2024-07-25"));
    auto message = core::render_weekly_review(review, state, Locale::en, core::plain_markup());
    EXPECT_EQ(message.title, "Weekly review · 2024年Q3新品线上推广策略 · Jul 19 – Jul 25");
    const std::string text = message.joined_text();
    for (const char* part :
         {"Overall ", "Finished this week (1)",
          "T003 会员积分体系上线 @张 finished 07-25 (5 days after plan)", "Slipped (1)",
          "T003 会员积分体系上线 @张 planned 07-20, finished 5 days late", "Blocked: none",
          "On time 33% (1/3), target ≥ 90%: below target @赵",
          "K001 线上销售额 84% of target, below the warning line 90% @赵",
          "K002 新客占比 80% of target", "Due next week: none"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    EXPECT_FALSE(contains(text, "逾期"));
    EXPECT_EQ(message.fallback_text, text);  // plain markup
}

TEST(WeeklyReviewTest, QuietWeekSaysSoInEverySection) {
    auto state = fixtures::empty_state("P", "节日促销");
    state.tasks = {make_task("T1", Level::task, "", "海报", "小明", "2024-03-01", "2024-04-20")};
    state.tasks[0].status = Status::in_progress;
    state.tasks[0].completion = 40;
    state.progress = {logged("T1", "2024-03-15", 40)};
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    EXPECT_EQ(review.completion_before, 40);
    auto zh = core::render_weekly_review(review, state, Locale::zh_cn, core::plain_markup())
                  .joined_text();
    for (const char* part :
         {"总进度 40% → 40% →（本周无变化）", "本周完成：无", "延误：无", "阻塞：无",
          "按时完成率：暂无到期任务", "指标：未设置", "下周到期：无"})
        EXPECT_TRUE(contains(zh, part)) << part << "\n" << zh;
    EXPECT_FALSE(contains(zh, "偏差说明"));
    auto en =
        core::render_weekly_review(review, state, Locale::en, core::plain_markup()).joined_text();
    for (const char* part :
         {"Overall 40% → 40% → (no change this week)", "Finished this week: none", "Slipped: none",
          "On time: nothing due yet", "KPIs: none set"})
        EXPECT_TRUE(contains(en, part)) << part << "\n" << en;
}

// --- render_update_reminder ------------------------------------------------------------------

// Three tasks past the weekly cadence on 2024-03-22: two of 小明's, one of 小红's.
core::ProjectState stale_state() {
    auto state = festival_week();
    state.tasks[1].status = Status::in_progress;  // T2 reopened, 小红
    state.tasks[1].actual_finish.reset();
    state.tasks[2].status = Status::in_progress;  // T3 unblocked, 小李: updated recently
    state.tasks[3].status = Status::in_progress;  // T4, 小明
    state.tasks[3].planned_finish = day("2024-04-20");
    state.progress.clear();
    state.tasks[0].last_update = day("2024-03-12");
    state.tasks[1].last_update = day("2024-03-11");
    state.tasks[2].last_update = day("2024-04-09");
    state.tasks[3].last_update = day("2024-03-13");
    return state;
}

TEST(UpdateReminderTest, GroupsOneOwnersTasksIntoOneLineWithTheReply) {
    auto state = stale_state();
    auto findings = core::evaluate(state, day("2024-04-10"));
    auto message = core::render_update_reminder(findings, state, Locale::zh_cn, slack_like());
    ASSERT_TRUE(message.has_value());
    ASSERT_EQ(message->sections.size(), 2u) << message->joined_text();
    const std::string& first = message->sections[0];
    EXPECT_EQ(count_of(first, "<@U1>"), 1u) << first;
    EXPECT_TRUE(contains(first, "T1 海报设计（29 天未更新）")) << first;
    EXPECT_TRUE(contains(first, "T4 物料印刷（28 天未更新）")) << first;
    EXPECT_TRUE(contains(first, "回复 `T1 进度 60%`")) << first;
    EXPECT_TRUE(contains(message->sections[1], "<@U2> 请更新 T2 渠道投放")) << message->sections[1];
    std::vector<std::string> expected{"U1", "U2"};
    EXPECT_EQ(message->mention_user_ids, expected);
    EXPECT_TRUE(contains(message->title, "节日促销"));
    EXPECT_TRUE(contains(message->fallback_text, "@小明 请更新 T1 海报设计"))
        << message->fallback_text;

    auto en = core::render_update_reminder(findings, state, Locale::en, core::plain_markup());
    ASSERT_TRUE(en.has_value());
    EXPECT_TRUE(contains(en->sections[0],
                         "@小明 please update T1 海报设计 (no update for 29 days), T4 物料印刷"))
        << en->sections[0];
    EXPECT_TRUE(contains(en->sections[0], "reply `update T1 60%` (one line per task)"))
        << en->sections[0];
}

TEST(UpdateReminderTest, NothingIsSentWithoutAStaleUpdateFinding) {
    auto state = stale_state();
    EXPECT_FALSE(
        core::render_update_reminder({}, state, Locale::zh_cn, core::plain_markup()).has_value());
    auto findings = core::evaluate(state, day("2024-04-10"));
    std::vector<core::Finding> others;
    for (const auto& f : findings)
        if (f.rule != core::Rule::r9_stale_update) others.push_back(f);
    ASSERT_FALSE(others.empty());
    EXPECT_FALSE(
        core::render_update_reminder(others, state, Locale::en, core::plain_markup()).has_value());
}

// --- issue 9: risks, cleared blocks, every deviation report of the period ---------------------

core::RiskItem risk(const char* id, const char* title, const char* opened, const char* closed) {
    core::RiskItem r;
    r.id = id;
    r.title = title;
    r.owner = "小明";
    r.impact = core::RiskLevel::high;
    if (opened) r.opened = day(opened);
    if (closed) {
        r.closed = day(closed);
        r.status = core::RiskStatus::resolved;
    }
    return r;
}

TEST(WeeklyReviewTest, RisksOpenedAndClosedInThePeriodAreListedWithTheOpenCount) {
    auto state = festival_week();
    state.risks = {risk("R1", "KOL 档期冲突", "2024-03-19", nullptr), risk("R2", "物料延迟", "2024-03-01", "2024-03-22"),
                   risk("R3", "预算超支", "2024-03-01", nullptr), risk("R4", "下周才登记", "2024-03-26", nullptr)};
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(review.risks_opened.size(), 1u);
    EXPECT_EQ(review.risks_opened[0].risk_id, "R1");
    ASSERT_EQ(review.risks_closed.size(), 1u);
    EXPECT_EQ(review.risks_closed[0].risk_id, "R2");
    EXPECT_EQ(review.risks_open, 2);  // R1 and R3; R4 opens after the period
    const std::string text =
        core::render_weekly_review(review, state, Locale::zh_cn, slack_like()).joined_text();
    for (const char* part : {"*风险 (2)*", "· 新增 R1 KOL 档期冲突（影响 高） <@U1> 03-19",
                             "· 已解决 R2 物料延迟（影响 高） <@U1> 03-22", "未解决 2 项"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    // A project without a register gets no risk section at all.
    auto plain = core::build_weekly_review(festival_week(), day("2024-03-18"), day("2024-03-24"));
    EXPECT_FALSE(contains(core::render_weekly_review(plain, festival_week(), Locale::zh_cn, slack_like()).joined_text(),
                          "风险"));
}

TEST(WeeklyReviewTest, ATaskBlockedAndClearedWithinTheWeekIsListedWithItsReason) {
    auto state = festival_week();
    core::ProgressEntry block = logged("T4", "2024-03-19", 10);
    block.action = "block";
    block.problem = "印厂停电";
    core::ProgressEntry unblock = logged("T4", "2024-03-21", 10);
    unblock.action = "unblock";
    state.progress.push_back(block);
    state.progress.push_back(unblock);
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(review.blocked.size(), 2u);  // T3 blocked now first, then T4 cleared
    EXPECT_EQ(review.blocked[0].task_id, "T3");
    EXPECT_FALSE(review.blocked[0].cleared);
    EXPECT_EQ(review.blocked[1].task_id, "T4");
    EXPECT_EQ(review.blocked[1].cleared, day("2024-03-21"));
    EXPECT_EQ(review.blocked[1].days_blocked, 2);
    EXPECT_EQ(review.blocked[1].reason, "印厂停电");
    const std::string text = core::render_weekly_review(review, state, Locale::en, core::plain_markup()).joined_text();
    EXPECT_TRUE(contains(text, "T4 物料印刷 @小明 was blocked 2 days, cleared 03-21: 印厂停电")) << text;
    // Cleared before the period: not listed.
    auto next = core::build_weekly_review(state, day("2024-03-25"), day("2024-03-31"));
    EXPECT_EQ(next.blocked.size(), 1u);
}

TEST(WeeklyReviewTest, SlippedTaskCarriesEveryReportOfThePeriodAndTheImpact) {
    auto state = festival_week();
    state.deviation_reports[1].impact = "海报晚 3 天上线";
    auto review = core::build_weekly_review(state, day("2024-03-18"), day("2024-03-24"));
    ASSERT_EQ(review.slipped.size(), 1u);
    ASSERT_EQ(review.slipped[0].reports.size(), 2u);  // 03-20 and 03-22, oldest first
    EXPECT_EQ(review.slipped[0].reports[0].cause, "旧原因");
    EXPECT_EQ(review.slipped[0].impact, "海报晚 3 天上线");
    const std::string text = core::render_weekly_review(review, state, Locale::zh_cn, core::plain_markup()).joined_text();
    EXPECT_TRUE(contains(text, "原因：供应商产能不足；影响：海报晚 3 天上线；措施：更换供应商（本周共 2 份偏差说明）")) << text;
    EXPECT_TRUE(review.finished[0].reports.empty());  // T2's report is from the week before
}

}  // namespace
