// Tests for core/plan_shift.h: the uniform shift of a plan's dates and the day it is picked for.

#include "core/plan_shift.h"

#include <gtest/gtest.h>

#include "core/rules.h"
#include "core/table_csv.h"

namespace core {
namespace {

Date day(const char* iso) { return *parse_iso_date(iso); }

// The demo campaign's shape (demo/new-product-launch.csv): T001 done, T002 and T003 in
// progress, T004 blocked, the rest not started.
const char* const k_campaign =
    "编号,任务层级,任务名称,负责人,计划开始,计划完成,实际开始,实际完成,进度状态,完成度,前置任务,备注\n"
    "P1,一级阶段,新品上市推广,经理,2024-03-01,2024-05-31,2024-03-01,,进行中,0%,,\n"
    "M1,二级模块,调研阶段,小红,2024-03-01,2024-03-15,2024-03-01,,进行中,0%,,\n"
    "T001,三级任务,用户调研,小李,2024-03-01,2024-03-08,2024-03-01,2024-03-08,已完成,100%,,\n"
    "T002,三级任务,竞品分析,小王,2024-03-05,2024-03-15,2024-03-05,,进行中,60%,,\n"
    "M2,二级模块,筹备阶段,小明,2024-03-16,2024-04-10,2024-03-16,,进行中,0%,,\n"
    "T003,三级任务,创意定稿,小明,2024-03-16,2024-03-25,2024-03-16,,进行中,40%,,\n"
    "T004,三级任务,物料设计,小张,2024-03-26,2024-04-05,,,已阻塞,0%,T003,等待品牌方提供新品高清图\n"
    "T005,三级任务,线上预热,小陈,2024-04-11,2024-04-20,,,未开始,0%,T004,\n";

ProjectState campaign(const char* csv = k_campaign) {
    auto table = import_tracking_csv(csv, {});
    EXPECT_TRUE(table) << table.error().message;
    return table->state;
}

TEST(PlanShiftTest, EveryDateMovesByTheSameDays) {
    ProjectState state = campaign();
    state.tasks[3].blocked_since = day("2024-03-10");
    state.tasks[3].last_update = day("2024-03-12");
    Kpi kpi;
    kpi.updated = day("2024-03-20");
    state.kpis.push_back(kpi);
    RiskItem risk;
    risk.opened = day("2024-03-02");
    risk.closed = day("2024-03-09");
    state.risks.push_back(risk);
    ProgressEntry entry;
    entry.date = day("2024-03-11");
    state.progress.push_back(entry);
    DeviationReport report;
    report.date = day("2024-03-12");
    report.new_planned_finish = day("2024-03-18");
    state.deviation_reports.push_back(report);

    shift_plan(state, 800);
    EXPECT_EQ(format_iso_date(*state.project.start), "2026-05-10");
    EXPECT_EQ(format_iso_date(*state.project.end), "2026-08-09");
    const Task& t001 = state.tasks[2];
    EXPECT_EQ(format_iso_date(*t001.planned_start), "2026-05-10");
    EXPECT_EQ(format_iso_date(*t001.actual_finish), "2026-05-17");
    EXPECT_EQ(format_iso_date(*state.tasks[3].blocked_since), "2026-05-19");
    EXPECT_EQ(format_iso_date(*state.tasks[3].last_update), "2026-05-21");
    EXPECT_FALSE(state.tasks[6].actual_start);  // an unset date stays unset
    EXPECT_EQ(format_iso_date(*state.kpis[0].updated), "2026-05-29");
    EXPECT_EQ(format_iso_date(*state.risks[0].opened), "2026-05-11");
    EXPECT_EQ(format_iso_date(*state.risks[0].closed), "2026-05-18");
    EXPECT_EQ(format_iso_date(state.progress[0].date), "2026-05-20");
    EXPECT_EQ(format_iso_date(state.deviation_reports[0].date), "2026-05-21");
    EXPECT_EQ(format_iso_date(*state.deviation_reports[0].new_planned_finish), "2026-05-27");
}

TEST(PlanShiftTest, CampaignShiftedToTodayShowsOneLateOneDueInTwoDaysOneBlocked) {
    ProjectState state = campaign();
    auto anchor = plan_anchor(state);
    ASSERT_TRUE(anchor);
    EXPECT_EQ(format_iso_date(anchor->day), "2024-03-23");
    EXPECT_EQ(anchor->due_task, "T003");
    EXPECT_EQ(anchor->late_task, "T002");
    EXPECT_EQ(anchor->blocked_task, "T004");

    Date today = day("2026-06-10");
    shift_plan(state, days_to_shift(state, today));
    const Thresholds& thresholds = state.project.thresholds;
    EXPECT_TRUE(is_late(*state.find_task("T002"), today, thresholds));
    EXPECT_EQ(days_between(today, *state.find_task("T003")->planned_finish), 2);
    EXPECT_EQ(state.find_task("T004")->status, Status::blocked);
    EXPECT_FALSE(is_late(*state.find_task("T001"), today, thresholds));  // done on time, still
    EXPECT_EQ(days_to_shift(state, today), 0);  // shifting again changes nothing
}

TEST(PlanShiftTest, UntouchedPlanIsAnchoredOnTheFirstDueDateThatHasALateTask) {
    // The seeds' table before anyone updated it: nothing done, nothing blocked.
    ProjectState state = campaign(
        "编号,任务层级,任务名称,计划开始,计划完成,进度状态\n"
        "P1,一级阶段,新品上市推广,2024-03-01,2024-05-31,未开始\n"
        "T001,三级任务,用户调研,2024-03-01,2024-03-08,未开始\n"
        "T002,三级任务,竞品分析,2024-03-05,2024-03-15,未开始\n");
    auto anchor = plan_anchor(state);
    ASSERT_TRUE(anchor);
    EXPECT_EQ(format_iso_date(anchor->day), "2024-03-13");
    EXPECT_EQ(anchor->due_task, "T002");
    EXPECT_EQ(anchor->late_task, "T001");
    EXPECT_EQ(anchor->blocked_task, "");
}

TEST(PlanShiftTest, OneOpenTaskIsDueInTwoDaysWithNothingLate) {
    ProjectState state = campaign(
        "编号,任务层级,任务名称,计划开始,计划完成,进度状态\n"
        "T001,三级任务,用户调研,2024-03-01,2024-03-08,未开始\n");
    auto anchor = plan_anchor(state);
    ASSERT_TRUE(anchor);
    EXPECT_EQ(format_iso_date(anchor->day), "2024-03-06");
    EXPECT_EQ(anchor->late_task, "");
}

TEST(PlanShiftTest, PlanWithNothingOpenHasNoAnchorAndIsNotShifted) {
    ProjectState state = campaign(
        "编号,任务层级,任务名称,计划开始,计划完成,进度状态\n"
        "T001,三级任务,用户调研,2024-03-01,2024-03-08,已完成\n");
    EXPECT_FALSE(plan_anchor(state));
    EXPECT_EQ(days_to_shift(state, day("2026-01-01")), 0);
}

}  // namespace
}  // namespace core
