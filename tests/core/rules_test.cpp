// Tests of core/rules.h: R1–R7, R9–R12 on the seed samples and on hand-made plans.
#include "core/rules.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "tests/core/fixtures.h"

namespace {

using core::Finding;
using core::Level;
using core::Rule;
using core::Status;
using fixtures::day;

std::vector<Finding> of_rule(const std::vector<Finding>& findings, Rule rule) {
    std::vector<Finding> out;
    std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
                 [&](const Finding& f) { return f.rule == rule; });
    return out;
}

// A copy, so that it outlives the temporary list of findings.
std::optional<Finding> find(const std::vector<Finding>& findings, Rule rule, const std::string& task_id) {
    for (const auto& f : findings)
        if (f.rule == rule && f.task_id == task_id) return f;
    return std::nullopt;
}

core::Task& task_of(core::ProjectState& state, const char* id) {
    for (auto& task : state.tasks)
        if (task.id == id) return task;
    ADD_FAILURE() << "no task " << id;
    return state.tasks.front();
}

// --- seed 002: Q3 线上推广 -------------------------------------------------------------------

TEST(RulesTest, Q3TasksFinishedFiveDaysLateAreLateAndTheOnTimeOneIsNot) {
    auto state = fixtures::q3_online_strategy();
    auto today = day("2024-09-30");
    const auto& t = state.project.thresholds;
    EXPECT_TRUE(core::is_late(*state.find_task("T001"), today, t));
    EXPECT_TRUE(core::is_late(*state.find_task("T003"), today, t));
    EXPECT_FALSE(core::is_late(*state.find_task("T002"), today, t));
    EXPECT_EQ(core::days_late(*state.find_task("T001"), today), 5);
    EXPECT_EQ(core::days_late(*state.find_task("T003"), today), 5);
    EXPECT_EQ(core::days_late(*state.find_task("T002"), today), 0);

    auto r1 = of_rule(core::evaluate(state, today), Rule::r1_late);
    ASSERT_EQ(r1.size(), 2u);
    EXPECT_EQ(r1[0].task_id, "T001");
    EXPECT_EQ(r1[0].days, 5);
    EXPECT_EQ(r1[0].detail, "done");
    EXPECT_EQ(r1[0].person_id, "王");
    EXPECT_EQ(r1[1].task_id, "T003");
    EXPECT_EQ(r1[1].days, 5);
}

TEST(RulesTest, Q3OnTimeRateIsOneOfThreeAndFiresR11BelowNinetyPercent) {
    auto state = fixtures::q3_online_strategy();
    auto rate = core::on_time_rate(state, day("2024-09-30"));
    EXPECT_EQ(rate.on_time, 1);
    EXPECT_EQ(rate.due, 3);
    EXPECT_NEAR(rate.rate(), 1.0 / 3, 1e-12);

    auto r11 = of_rule(core::evaluate(state, day("2024-09-30")), Rule::r11_on_time);
    ASSERT_EQ(r11.size(), 1u);
    EXPECT_EQ(r11[0].detail, "1/3");
    EXPECT_EQ(r11[0].person_id, "赵");
    EXPECT_EQ(r11[0].key(), "R11:Q3");
}

TEST(RulesTest, OnTimeRateCountsOnlyTasksDueSoFarOrDone) {
    auto state = fixtures::q3_online_strategy();
    // On 07-12 only T002 (due 07-10, done 07-08) is due; T001 and T003 are not due yet.
    for (auto& task : state.tasks)
        if (task.id != "T002") {
            task.status = Status::in_progress;
            task.actual_finish.reset();
            task.completion = 50;
        }
    auto rate = core::on_time_rate(state, day("2024-07-12"));
    EXPECT_EQ(rate.on_time, 1);
    EXPECT_EQ(rate.due, 1);
    EXPECT_EQ(core::on_time_rate(fixtures::empty_state(), day("2024-07-12")).rate(), 1.0);
}

TEST(RulesTest, KpiAchievementIsCurrentOverTarget) {
    auto state = fixtures::q3_online_strategy();
    EXPECT_NEAR(core::kpi_achievement(state.kpis[0]), 0.84, 1e-12);  // 420万 / 500万
    EXPECT_NEAR(core::kpi_achievement(state.kpis[1]), 0.80, 1e-12);  // 28% / 35%
    core::Kpi zero;
    EXPECT_EQ(core::kpi_achievement(zero), 0.0);
}

TEST(RulesTest, KpiBelowItsWarningThresholdFiresR12) {
    auto state = fixtures::q3_online_strategy();
    state.kpis[0].warn_below = 0.90;  // 84% < 90%
    state.kpis[1].warn_below = 0.50;  // 80% is fine
    auto r12 = of_rule(core::evaluate(state, day("2024-09-30")), Rule::r12_kpi);
    ASSERT_EQ(r12.size(), 1u);
    EXPECT_EQ(r12[0].related_id, "K001");
    EXPECT_NEAR(r12[0].value, 0.84, 1e-12);
    EXPECT_EQ(r12[0].key(), "R12:Q3/K001");
}

TEST(RulesTest, DoneTaskThatFinishedLateStaysDoneForDisplay) {
    auto state = fixtures::q3_online_strategy();
    EXPECT_EQ(core::effective_status(*state.find_task("T001"), day("2024-09-30"), state.project.thresholds),
              Status::done);
}

// --- seed 000: 新品上市推广 on 2024-03-23, nothing updated yet ----------------------------------

TEST(RulesTest, LaunchDemoHasTwoLateTasksAndOneDueWithinThreeDays) {
    auto state = fixtures::new_product_launch();
    auto findings = core::evaluate(state, day("2024-03-23"));
    auto r1 = of_rule(findings, Rule::r1_late);
    ASSERT_EQ(r1.size(), 2u);
    EXPECT_EQ(r1[0].task_id, "T001");
    EXPECT_EQ(r1[0].person_id, "小李");
    EXPECT_EQ(r1[0].days, 15);  // planned finish 03-08
    EXPECT_EQ(r1[1].task_id, "T002");
    EXPECT_EQ(r1[1].person_id, "小王");
    EXPECT_EQ(r1[1].days, 8);  // planned finish 03-15

    auto r4 = of_rule(findings, Rule::r4_due_soon);
    ASSERT_EQ(r4.size(), 1u);
    EXPECT_EQ(r4[0].task_id, "T003");
    EXPECT_EQ(r4[0].person_id, "小明");
    EXPECT_EQ(r4[0].days, 2);  // planned finish 03-25

    EXPECT_EQ(core::effective_status(*state.find_task("T001"), day("2024-03-23"), state.project.thresholds),
              Status::delayed);
    EXPECT_EQ(core::effective_status(*state.find_task("T003"), day("2024-03-23"), state.project.thresholds),
              Status::not_started);
}

TEST(RulesTest, PhasesAndModulesWithChildrenCarryNoTaskFindings) {
    auto state = fixtures::new_product_launch();
    for (const auto& f : core::evaluate(state, day("2024-03-23"))) {
        EXPECT_NE(f.task_id, "P1") << f.key();
        EXPECT_NE(f.task_id, "M1") << f.key();
        EXPECT_NE(f.task_id, "M2") << f.key();
    }
    EXPECT_TRUE(core::is_leaf(state, *state.find_task("M4")));  // a module without children
    EXPECT_FALSE(core::is_leaf(state, *state.find_task("M1")));
}

TEST(RulesTest, LateTaskIsNotAlsoReportedAsDeviating) {
    auto state = fixtures::new_product_launch();
    auto findings = core::evaluate(state, day("2024-03-23"));
    EXPECT_FALSE(find(findings, Rule::r2_deviation, "T001").has_value());
    // T003 is 70% through its plan at 0%: at risk, not late.
    auto r2 = find(findings, Rule::r2_deviation, "T003");
    ASSERT_TRUE(r2.has_value());
    EXPECT_DOUBLE_EQ(r2->value, 1.0);
    EXPECT_EQ(r2->days, 70);
}

TEST(RulesTest, R1GraceAllowsOneDayPastPlannedFinish) {
    auto task = fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", "2024-03-08");
    core::Thresholds t;
    EXPECT_FALSE(core::is_late(task, day("2024-03-09"), t));  // 1 day past: within grace
    EXPECT_TRUE(core::is_late(task, day("2024-03-10"), t));   // 2 days past
    task.status = Status::done;
    task.actual_finish = day("2024-03-09");
    EXPECT_FALSE(core::is_late(task, day("2024-04-01"), t));
    task.actual_finish = day("2024-03-10");
    EXPECT_TRUE(core::is_late(task, day("2024-04-01"), t));
    task.status = Status::cancelled;
    EXPECT_FALSE(core::is_late(task, day("2024-04-01"), t));
}

TEST(RulesTest, R1KeyChangesWhenTheTaskIsReplanned) {
    auto state = fixtures::new_product_launch();
    auto before = find(core::evaluate(state, day("2024-03-23")), Rule::r1_late, "T001");
    ASSERT_TRUE(before.has_value());
    std::string key = before->key();
    EXPECT_EQ(key, "R1:NPL/T001@2024-03-08");
    task_of(state, "T001").planned_finish = day("2024-03-20");
    auto after = core::evaluate(state, day("2024-03-23"));
    auto replanned = find(after, Rule::r1_late, "T001");
    ASSERT_TRUE(replanned.has_value());
    EXPECT_NE(replanned->key(), key);
}

// --- planned progress and R2 ---------------------------------------------------------------

struct ProgressCase {
    const char* today;
    double expected;
};

TEST(RulesTest, PlannedProgressCountsWholeDaysBeforeToday) {
    // 10 days, 03-01..03-10 inclusive.
    auto task = fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", "2024-03-10");
    const ProgressCase cases[] = {
        {"2024-02-20", 0.0}, {"2024-03-01", 0.0}, {"2024-03-02", 0.1}, {"2024-03-06", 0.5},
        {"2024-03-10", 0.9}, {"2024-03-11", 1.0}, {"2024-04-30", 1.0},
    };
    for (const auto& c : cases) EXPECT_DOUBLE_EQ(core::planned_progress(task, day(c.today)), c.expected) << c.today;
    task.planned_start.reset();
    EXPECT_EQ(core::planned_progress(task, day("2024-03-06")), 0.0);
}

TEST(RulesTest, DeviationRateIsUndefinedBeforeAnyPlannedProgress) {
    auto task = fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", "2024-03-10");
    EXPECT_FALSE(core::deviation_rate(task, day("2024-03-01")).has_value());
    task.completion = 30;
    auto rate = core::deviation_rate(task, day("2024-03-06"));  // planned 50%, actual 30%
    ASSERT_TRUE(rate.has_value());
    EXPECT_NEAR(*rate, 0.4, 1e-12);
}

struct DeviationCase {
    int completion;
    bool at_risk;
};

TEST(RulesTest, R2FiresAtExactlyTwentyPercentDeviationAndNotBelow) {
    // On 03-06 a 03-01..03-10 task is planned at 50%: 40% done is exactly 20% behind.
    const DeviationCase cases[] = {{0, true}, {39, true}, {40, true}, {41, false}, {50, false}, {80, false}};
    for (const auto& c : cases) {
        auto state = fixtures::empty_state();
        state.tasks = {fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", "2024-03-10")};
        state.tasks[0].status = Status::in_progress;
        state.tasks[0].completion = c.completion;
        state.tasks[0].last_update = day("2024-03-06");
        auto r2 = of_rule(core::evaluate(state, day("2024-03-06")), Rule::r2_deviation);
        EXPECT_EQ(r2.size(), c.at_risk ? 1u : 0u) << "completion " << c.completion;
    }
}

// --- R3 stagnation ------------------------------------------------------------------------

core::ProgressEntry log_entry(const char* date, int completion) {
    core::ProgressEntry entry;
    entry.task_id = "T1";
    entry.date = day(date);
    entry.completion = completion;
    entry.action = "progress";
    return entry;
}

core::ProjectState month_long_task(int completion_now) {
    auto state = fixtures::empty_state();
    state.project.thresholds.long_task_days = 40;  // keep R10 quiet
    state.tasks = {fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", "2024-03-30")};
    state.tasks[0].status = Status::in_progress;
    state.tasks[0].completion = completion_now;
    return state;
}

TEST(RulesTest, R3FiresWhenBelowPlanAtTwoConsecutiveWeeklyChecks) {
    // Checks on 03-22 (planned 70%) and 03-15 (planned 46.7%).
    auto state = month_long_task(50);
    state.progress = {log_entry("2024-03-08", 10), log_entry("2024-03-14", 40), log_entry("2024-03-20", 50)};
    auto r3 = of_rule(core::evaluate(state, day("2024-03-22")), Rule::r3_stagnation);
    ASSERT_EQ(r3.size(), 1u);
    EXPECT_EQ(r3[0].days, 50);
    EXPECT_NEAR(r3[0].value, 0.7, 1e-12);
}

TEST(RulesTest, R3StaysQuietWhenLastWeekWasOnPlan) {
    auto state = month_long_task(50);
    state.progress = {log_entry("2024-03-14", 50), log_entry("2024-03-20", 50)};  // 50% >= 46.7% on 03-15
    EXPECT_TRUE(of_rule(core::evaluate(state, day("2024-03-22")), Rule::r3_stagnation).empty());
    // And when this week is on plan, whatever last week was.
    auto on_plan = month_long_task(75);
    on_plan.progress = {log_entry("2024-03-10", 5), log_entry("2024-03-21", 75)};
    EXPECT_TRUE(of_rule(core::evaluate(on_plan, day("2024-03-22")), Rule::r3_stagnation).empty());
}

// --- R5, R6 ---------------------------------------------------------------------------------

TEST(RulesTest, R5ReportsBlockedTaskWithReasonAndDays) {
    auto state = fixtures::new_product_launch();
    auto& t003 = task_of(state, "T003");
    t003.status = Status::blocked;
    t003.blocked_reason = "设计稿待客户确认";
    t003.blocked_since = day("2024-03-20");
    auto r5 = find(core::evaluate(state, day("2024-03-23")), Rule::r5_blocked, "T003");
    ASSERT_TRUE(r5.has_value());
    EXPECT_EQ(r5->days, 3);
    EXPECT_EQ(r5->detail, "设计稿待客户确认");
    EXPECT_EQ(r5->key(), "R5:NPL/T003@2024-03-20");
}

core::ProjectState with_tasks_for(const std::string& owner, int count) {
    auto state = fixtures::empty_state();
    for (int i = 0; i < count; ++i) {
        auto task = fixtures::make_task("T" + std::to_string(i + 1), Level::task, "", "task", owner, "2024-03-01",
                                        "2024-03-10");
        task.status = Status::in_progress;
        task.completion = 60;
        task.last_update = day("2024-03-05");
        state.tasks.push_back(task);
    }
    return state;
}

TEST(RulesTest, R6FlagsAnOwnerWithSixActiveTasksButNotFive) {
    auto six = of_rule(core::evaluate(with_tasks_for("小李", 6), day("2024-03-05")), Rule::r6_overload);
    ASSERT_EQ(six.size(), 1u);
    EXPECT_EQ(six[0].person_id, "小李");
    EXPECT_EQ(six[0].days, 6);
    EXPECT_EQ(six[0].key(), "R6:P/@小李");
    EXPECT_TRUE(of_rule(core::evaluate(with_tasks_for("小李", 5), day("2024-03-05")), Rule::r6_overload).empty());
}

TEST(RulesTest, R6IgnoresDoneCancelledAndFarFutureTasks) {
    auto state = with_tasks_for("小李", 6);
    state.tasks[0].status = Status::done;
    state.tasks[1].status = Status::cancelled;
    EXPECT_TRUE(of_rule(core::evaluate(state, day("2024-03-05")), Rule::r6_overload).empty());
    auto future = with_tasks_for("小李", 5);
    auto later = fixtures::make_task("T9", Level::task, "", "later", "小李", "2024-06-01", "2024-06-10");
    future.tasks.push_back(later);
    EXPECT_TRUE(of_rule(core::evaluate(future, day("2024-03-05")), Rule::r6_overload).empty());
}

// --- R7 and the critical path ---------------------------------------------------------------

TEST(RulesTest, CriticalPathRunsBackFromTheLatestFinish) {
    auto state = fixtures::new_product_launch();
    std::vector<std::string> expected{"T003", "T004", "T005", "T006", "M4"};
    EXPECT_EQ(core::critical_path(state), expected);
    EXPECT_TRUE(core::critical_path(fixtures::empty_state()).empty());
}

TEST(RulesTest, R7RipplesALatePredecessorAlongTheChain) {
    // On 04-05 创意定稿 (due 03-25) is still open: 物料设计 cannot start before 04-06 (11 days
    // late), which pushes 线上预热 and 正式上线 6 days; 收尾阶段 still fits its buffer.
    auto state = fixtures::new_product_launch();
    task_of(state, "T001").status = Status::done;
    task_of(state, "T002").status = Status::done;
    task_of(state, "T003").status = Status::in_progress;
    task_of(state, "T003").completion = 80;
    auto r7 = of_rule(core::evaluate(state, day("2024-04-05")), Rule::r7_dependency);
    ASSERT_EQ(r7.size(), 3u);
    EXPECT_EQ(r7[0].task_id, "T004");
    EXPECT_EQ(r7[0].related_id, "T003");
    EXPECT_EQ(r7[0].days, 11);
    EXPECT_EQ(r7[0].detail, core::k_r7_unreachable);
    EXPECT_EQ(r7[1].task_id, "T005");
    EXPECT_EQ(r7[1].related_id, "T004");
    EXPECT_EQ(r7[1].days, 6);
    EXPECT_EQ(r7[2].task_id, "T006");
    EXPECT_EQ(r7[2].days, 6);
}

TEST(RulesTest, R7StaysQuietWhilePredecessorsAreOnTime) {
    auto state = fixtures::new_product_launch();
    EXPECT_TRUE(of_rule(core::evaluate(state, day("2024-03-23")), Rule::r7_dependency).empty());
}

TEST(RulesTest, R7WarnsWhenATaskStartsBeforeItsPredecessorIsDone) {
    auto state = fixtures::new_product_launch();
    auto& t004 = task_of(state, "T004");
    t004.status = Status::in_progress;
    t004.actual_start = day("2024-03-22");
    t004.last_update = day("2024-03-23");
    auto r7 = find(core::evaluate(state, day("2024-03-23")), Rule::r7_dependency, "T004");
    ASSERT_TRUE(r7.has_value());
    EXPECT_EQ(r7->detail, core::k_r7_started_early);
    EXPECT_EQ(r7->related_id, "T003");
    task_of(state, "T003").status = Status::done;
    EXPECT_FALSE(find(core::evaluate(state, day("2024-03-23")), Rule::r7_dependency, "T004").has_value());
}

// --- R9 cadence ------------------------------------------------------------------------------

struct CadenceCase {
    const char* what;
    core::Priority priority;
    const char* finish;  // planned finish (start 2024-03-01)
    int days_since_update;
    bool stale;
};

TEST(RulesTest, R9NudgesKeyDailyRoutineWeeklyAndLongFortnightly) {
    const CadenceCase cases[] = {
        {"P0 after 1 day", core::Priority::p0, "2024-03-10", 1, false},
        {"P0 after 2 days", core::Priority::p0, "2024-03-10", 2, true},
        {"routine after 7 days", core::Priority::p2, "2024-03-10", 7, false},
        {"routine after 8 days", core::Priority::p2, "2024-03-10", 8, true},
        {"long after 14 days", core::Priority::p2, "2024-03-30", 14, false},
        {"long after 15 days", core::Priority::p2, "2024-03-30", 15, true},
    };
    for (const auto& c : cases) {
        auto state = fixtures::empty_state();
        // A second, later task keeps T1 off the critical path.
        state.tasks = {fixtures::make_task("T1", Level::task, "", "x", "a", "2024-03-01", c.finish),
                       fixtures::make_task("T2", Level::task, "", "y", "b", "2024-04-01", "2024-04-10")};
        state.tasks[0].priority = c.priority;
        state.tasks[0].status = Status::in_progress;
        state.tasks[0].completion = 10;
        state.tasks[0].last_update = day("2024-03-02");
        auto today = core::add_days(day("2024-03-02"), c.days_since_update);
        auto r9 = find(core::evaluate(state, today), Rule::r9_stale_update, "T1");
        EXPECT_EQ(r9.has_value(), c.stale) << c.what;
        if (r9) {
            EXPECT_EQ(r9->days, c.days_since_update) << c.what;
        }
    }
}

TEST(RulesTest, R9TreatsCriticalPathTasksAsKeyAndCountsFromTheLatestLogEntry) {
    auto state = fixtures::new_product_launch();
    auto& t003 = task_of(state, "T003");  // on the critical path, priority P2
    t003.status = Status::in_progress;
    t003.actual_start = day("2024-03-16");
    t003.completion = 70;
    auto r9 = find(core::evaluate(state, day("2024-03-23")), Rule::r9_stale_update, "T003");
    ASSERT_TRUE(r9.has_value());
    EXPECT_EQ(r9->days, 7);
    EXPECT_EQ(r9->value, 1);
    core::ProgressEntry entry;
    entry.task_id = "t003";  // ids are case-insensitive
    entry.date = day("2024-03-22");
    state.progress.push_back(entry);
    EXPECT_FALSE(find(core::evaluate(state, day("2024-03-23")), Rule::r9_stale_update, "T003").has_value());
}

// --- R10 granularity -------------------------------------------------------------------------

struct GranularityCase {
    const char* start;
    const char* finish;
    bool flagged;
};

TEST(RulesTest, R10FlagsTasksLongerThanFifteenDaysOrShorterThanOne) {
    const GranularityCase cases[] = {
        {"2024-03-01", "2024-03-01", false},  // 1 day
        {"2024-03-01", "2024-03-15", false},  // 15 days
        {"2024-03-01", "2024-03-16", true},   // 16 days
        {"2024-03-05", "2024-03-04", true},   // finish before start
    };
    for (const auto& c : cases) {
        auto state = fixtures::empty_state();
        state.tasks = {fixtures::make_task("T1", Level::task, "", "x", "a", c.start, c.finish)};
        auto r10 = of_rule(core::evaluate(state, day("2024-02-01")), Rule::r10_granularity);
        EXPECT_EQ(r10.size(), c.flagged ? 1u : 0u) << c.start << ".." << c.finish;
    }
}

TEST(RulesTest, R10FlagsTheTwentyDayLaunchTaskOnly) {
    auto r10 = of_rule(core::evaluate(fixtures::new_product_launch(), day("2024-02-01")), Rule::r10_granularity);
    ASSERT_EQ(r10.size(), 1u);
    EXPECT_EQ(r10[0].task_id, "T006");  // 正式上线 04-21..05-10
    EXPECT_EQ(r10[0].days, 20);
}

// --- roll-up ---------------------------------------------------------------------------------

TEST(RulesTest, RollupWeighsChildrenByPlannedDurationAndSkipsCancelled) {
    auto state = fixtures::empty_state();
    state.tasks = {
        fixtures::make_task("M1", Level::module, "", "module", "a", "2024-03-01", "2024-04-30"),
        fixtures::make_task("T1", Level::task, "M1", "short", "a", "2024-03-01", "2024-03-10"),  // 10 days
        fixtures::make_task("T2", Level::task, "M1", "long", "a", "2024-03-11", "2024-04-09"),   // 30 days
        fixtures::make_task("T3", Level::task, "M1", "dropped", "a", "2024-03-01", "2024-04-30"),
    };
    state.tasks[1].status = Status::done;
    state.tasks[2].completion = 20;
    state.tasks[3].status = Status::cancelled;
    EXPECT_EQ(core::rollup_completion(state, "M1"), 40);  // (10*100 + 30*20) / 40
    EXPECT_EQ(core::rollup_completion(state, "t2"), 20);  // a leaf: its own completion
    EXPECT_EQ(core::rollup_completion(state, "nope"), 0);
    EXPECT_EQ(core::project_completion(state), 40);
}

TEST(RulesTest, RollupRecursesThroughModulesToThePhase) {
    auto state = fixtures::new_product_launch();
    task_of(state, "T001").status = Status::done;  // 8 days of M1's 19
    task_of(state, "T002").completion = 50;        // 11 days
    EXPECT_EQ(core::rollup_completion(state, "M1"), (8 * 100 + 11 * 50 + 19 / 2) / 19);
    int m1 = core::rollup_completion(state, "M1");
    // P1: M1 15 days, M2 26, M3 40, M4 11 (leaf, 0%).
    EXPECT_EQ(core::rollup_completion(state, "P1"), (15 * m1 + 92 / 2) / 92);
    EXPECT_EQ(core::project_completion(state), core::rollup_completion(state, "P1"));
}

TEST(RulesTest, RuleNamesAreStable) {
    EXPECT_STREQ(core::to_string(Rule::r1_late), "R1");
    EXPECT_STREQ(core::to_string(Rule::r7_dependency), "R7");
    EXPECT_STREQ(core::to_string(Rule::r9_stale_update), "R9");
    EXPECT_STREQ(core::to_string(Rule::r12_kpi), "R12");
}

}  // namespace
