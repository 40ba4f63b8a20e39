// Tests of core/retrospective.h: when a project counts as closed, the facts of the 复盘 draft,
// its rendering, and the confirming command.
#include "core/retrospective.h"

#include <gtest/gtest.h>

#include "core/command_parser.h"
#include "tests/core/fixtures.h"

namespace {

using core::Locale;
using core::Status;
using fixtures::day;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

core::DeviationReport report(const char* task, const char* date, core::CauseKind kind, const char* cause,
                             const char* impact, const char* remedy) {
    core::DeviationReport r;
    r.task_id = task;
    r.date = day(date);
    r.cause_kind = kind;
    r.cause = cause;
    r.impact = impact;
    r.remedy = remedy;
    return r;
}

// Seed 002's Q3 strategy, finished: every task done (T001 and T003 five days late), with
// deviation reports, a risk register and the KPIs of the seed.
core::ProjectState finished_q3() {
    auto state = fixtures::q3_online_strategy();
    state.project.goal = "Q3 线上销售额 500 万元，新客占比 35%";
    state.people["赵"] = core::Person{"赵", "赵", "市场部", "U9", "", "", "", ""};
    state.deviation_reports = {
        report("T003", "2024-07-19", core::CauseKind::subjective, "接口联调低估", "", ""),
        report("T003", "2024-07-22", core::CauseKind::objective, "支付通道审核延迟", "会员日推迟", "改用备用通道"),
        report("T001", "2024-08-16", core::CauseKind::objective, "主播档期冲突", "", "加播两场")};
    core::RiskItem risk;
    risk.id = "R001";
    risk.title = "KOL 档期冲突";
    risk.impact = core::RiskLevel::high;
    risk.owner = "王";
    risk.response = "备选主播";
    risk.status = core::RiskStatus::resolved;
    state.risks = {risk};
    state.kpis[1].current = 36;  // 新客占比 36% of 35%: met
    return state;
}

TEST(RetrospectiveTest, AProjectClosesWhenEveryTaskIsDoneOnTheLastFinish) {
    auto state = finished_q3();
    EXPECT_EQ(core::closing_day(state, day("2024-09-02")), day("2024-08-20"));  // T001's finish
    state.tasks[1].status = Status::in_progress;
    EXPECT_EQ(core::closing_day(state, day("2024-09-02")), std::nullopt);
    state.tasks[1].status = Status::cancelled;  // cancelled tasks do not hold it open
    EXPECT_EQ(core::closing_day(state, day("2024-09-02")), day("2024-07-25"));
}

TEST(RetrospectiveTest, ClosedStatusClosesTodayAndArchivedNever) {
    auto state = fixtures::new_product_launch();  // nothing done
    EXPECT_EQ(core::closing_day(state, day("2024-04-01")), std::nullopt);
    state.project.status = core::ProjectStatus::closed;
    EXPECT_EQ(core::closing_day(state, day("2024-04-01")), day("2024-04-01"));
    state.project.status = core::ProjectStatus::archived;
    EXPECT_EQ(core::closing_day(state, day("2024-04-01")), std::nullopt);
    EXPECT_EQ(core::closing_day(fixtures::empty_state(), day("2024-04-01")), std::nullopt);  // no tasks
}

TEST(RetrospectiveTest, DueThreeWorkingDaysAfterTheDraftSkippingWeekendsAndHolidays) {
    core::WorkCalendar calendar({day("2024-09-04")}, {});
    EXPECT_EQ(core::retro_due_day(calendar, day("2024-08-30")), day("2024-09-05"));  // Fri -> Mon, Tue, (Wed off), Thu
    EXPECT_EQ(core::retro_due_day(core::WorkCalendar{}, day("2024-08-20")), day("2024-08-23"));
}

TEST(RetrospectiveTest, DraftFactsAreKpisOnTimeRateSlipsWithTheirReportsAndRisks) {
    auto state = finished_q3();
    auto retro = core::build_retrospective(state, day("2024-08-20"), day("2024-08-23"));
    EXPECT_EQ(retro.tasks, 3);
    EXPECT_EQ(retro.tasks_done, 3);
    EXPECT_EQ(retro.completion, 100);
    EXPECT_EQ(retro.on_time.on_time, 1);
    EXPECT_EQ(retro.on_time.due, 3);
    ASSERT_EQ(retro.slipped.size(), 2u);  // plan order: T001 then T003
    EXPECT_EQ(retro.slipped[0].task_id, "T001");
    EXPECT_EQ(retro.slipped[0].days_late, 5);
    EXPECT_EQ(retro.slipped[1].task_id, "T003");
    ASSERT_EQ(retro.slipped[1].reports.size(), 2u);
    EXPECT_EQ(retro.slipped[1].reports.back().cause, "支付通道审核延迟");  // oldest first
    EXPECT_EQ(retro.objective_causes, 2);  // the newest report of each slipped task
    EXPECT_EQ(retro.subjective_causes, 0);
    ASSERT_EQ(retro.kpis.size(), 4u);
    EXPECT_FALSE(retro.kpis[0].met);  // 84%
    EXPECT_TRUE(retro.kpis[1].met);   // 36 of 35
    EXPECT_EQ(retro.actual_finish, day("2024-08-20"));
    ASSERT_EQ(retro.risks.size(), 1u);
}

TEST(RetrospectiveTest, ChineseDraftListsTheFactsLeavesTheLessonsAndAsksTheOwner) {
    auto state = finished_q3();
    auto retro = core::build_retrospective(state, day("2024-08-20"), day("2024-08-23"));
    core::Markup markup = core::plain_markup();
    markup.user_id = [](const core::Person& p) { return p.slack; };
    auto message = core::render_retrospective(retro, state, Locale::zh_cn, markup);
    EXPECT_EQ(message.title, "复盘草稿 · 2024年Q3新品线上推广策略");
    const std::string text = message.joined_text();
    for (const char* part :
         {"目标：Q3 线上销售额 500 万元，新客占比 35%", "任务 3 项，完成 3 项", "K001 线上销售额：目标 5000000，实际 4200000，达成 84% ❌ 未达成",
          "K002 新客占比：目标 35%，实际 36%，达成 103% ✅", "按时完成率 33% (1/3)，目标 ≥ 90%，未达标",
          "T003 会员积分体系上线 @张 计划 07-20，07-25 完成，晚 5 天",
          "07-22 偏差说明 原因（客观）：支付通道审核延迟；影响：会员日推迟；措施：改用备用通道",
          "07-19 偏差说明 原因（主观）：接口联调低估", "原因归类：客观 2 项，主观 0 项",
          "R001 KOL 档期冲突（影响 高）已解决 @王；应对：备选主播", "· 亮点：", "· 后续行动（负责人、完成时间）：",
          "@赵 请核对以上事实、补充经验教训，并在 2024-08-23 前回复 `确认复盘 Q3` 确认复盘"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    EXPECT_EQ(message.mention_user_ids, std::vector<std::string>{"U9"});
}

TEST(RetrospectiveTest, EnglishDraftAndReminder) {
    auto state = finished_q3();
    auto retro = core::build_retrospective(state, day("2024-08-20"), day("2024-08-23"));
    const std::string text = core::render_retrospective(retro, state, Locale::en, core::plain_markup()).joined_text();
    for (const char* part : {"Retrospective draft · ", "On-time rate 33% (1/3), target ≥ 90%: not met",
                             "T001 抖音直播引流 @王 planned 08-15, finished 08-20, 5 days late",
                             "deviation report cause (objective): 主播档期冲突; remedy: 加播两场",
                             "confirm by 2024-08-23 with `confirm retro Q3`"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;
    auto reminder = core::render_retro_reminder(retro, day("2024-08-20"), state, Locale::en, core::plain_markup());
    EXPECT_EQ(reminder.title, "Retrospective not confirmed · 2024年Q3新品线上推广策略");
    EXPECT_TRUE(contains(reminder.joined_text(), "@赵 the retrospective draft of 2024-08-20 was due by 2024-08-23"))
        << reminder.joined_text();
}

TEST(RetrospectiveTest, ConfirmCommandNamesTheProjectOnlyWhenTheGrammarReadsItsId) {
    EXPECT_EQ(core::retro_confirm_command(Locale::zh_cn, "P1"), "确认复盘 P1");
    EXPECT_EQ(core::retro_confirm_command(Locale::en, "NPL-2024"), "confirm retro NPL-2024");
    EXPECT_EQ(core::retro_confirm_command(Locale::zh_cn, "NPL"), "确认复盘");  // ids need a digit
    auto line = core::parse_line("确认复盘 P1 提前锁定主播档期", core::ParseContext{});
    ASSERT_TRUE(line.command);
    EXPECT_EQ(line.command->kind, core::CommandKind::confirm_retro);
    EXPECT_EQ(line.command->task_id, "P1");
    EXPECT_EQ(line.command->note, "提前锁定主播档期");
}

TEST(RetrospectiveTest, ProjectWithNothingLateSaysSo) {
    auto state = fixtures::q3_online_strategy();
    for (auto& task : state.tasks) task.actual_finish = task.planned_finish;
    auto retro = core::build_retrospective(state, day("2024-08-20"), day("2024-08-23"));
    EXPECT_TRUE(retro.slipped.empty());
    const std::string text = core::render_retrospective(retro, state, Locale::zh_cn, core::plain_markup()).joined_text();
    EXPECT_TRUE(contains(text, "延误：无，全部按计划完成")) << text;
    EXPECT_TRUE(contains(text, "风险：未登记风险")) << text;
}

}  // namespace
