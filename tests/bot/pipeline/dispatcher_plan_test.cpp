// Plan changes from the chat (issue 23) through the dispatcher over the real SQLite store with
// the demo campaign (P1, 2024-03-01..05-31; 经理 owns it, 小红 approves T004): who may change the
// plan, what each change writes (the row, the log, the audit), the refusals that change nothing,
// and the R7 ripple announced once. Today is 2024-03-23.

#include <gtest/gtest.h>

#include "core/plan_edit.h"
#include "core/rules.h"
#include "core/store/ledger.h"
#include "tests/support/demo_dispatcher.h"

namespace {

using Kind = core::CommandOutcome::Kind;
class PlanChangeTest : public testing_support::DemoDispatcherTest {
protected:
    bot::DispatchResult say(const std::string& person, const std::string& text,
                            std::vector<core::Mention> mentions = {}, bool admin = false) {
        bot::DispatchContext context;
        context.is_admin = admin;
        context.mentions = std::move(mentions);
        context.source = core::ChangeSource{"", "slack", "C1", "m" + std::to_string(++m_messages), 1711000000};
        return say_as(person, text, std::move(context));
    }

    std::optional<core::Task> task(const std::string& id) {
        auto found = m_store->find_task(id, {});
        EXPECT_TRUE(found);
        return found ? *found : std::nullopt;
    }

    std::vector<core::AuditEntry> audit(const std::string& id) {
        auto rows = m_store->audit_log("P1", id);
        EXPECT_TRUE(rows);
        return rows ? *rows : std::vector<core::AuditEntry>{};
    }

    static bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

    int m_messages = 0;
};

TEST_F(PlanChangeTest, LeadAddsATaskWithTheNextFreeIdAndItsOwnerFindsItInMyTasks) {
    auto added = say("经理", "新建 海报投放 负责人 @小红 04-20 到 04-28 前置 T005 模块 M3", {{"小红", "小红"}});
    ASSERT_EQ(added.outcomes.size(), 1u);
    ASSERT_EQ(added.outcomes[0].kind, Kind::applied) << added.reply.joined_text();
    EXPECT_TRUE(added.changed);
    auto t007 = task("T007");
    ASSERT_TRUE(t007);
    EXPECT_EQ(t007->name, "海报投放");
    EXPECT_EQ(t007->owner, "小红");
    EXPECT_EQ(t007->parent_id, "M3");
    EXPECT_EQ(t007->planned_start, core::make_date(2024, 4, 20));
    EXPECT_EQ(t007->planned_finish, core::make_date(2024, 4, 28));
    EXPECT_EQ(t007->predecessors, std::vector<std::string>{"T005"});
    EXPECT_EQ(t007->status, core::Status::not_started);
    std::string reply = added.reply.joined_text();
    EXPECT_TRUE(has(reply, "T007")) << "the id taken is said: " << reply;
    EXPECT_TRUE(has(reply, "@小红")) << reply;
    EXPECT_TRUE(has(reply, "「T007 开始」")) << "what to do next: " << reply;

    // R13: the new row's fields are audited with who and where; the log says what happened.
    auto rows = audit("T007");
    ASSERT_FALSE(rows.empty());
    EXPECT_TRUE(std::all_of(rows.begin(), rows.end(), [](const auto& r) { return r.who == "经理"; }));
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.field == "created"; }));
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.field == "owner" && r.new_value == "小红"; }));
    auto log = m_store->progress_log("P1", "T007");
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ(log->at(0).action, "add");
    EXPECT_EQ(log->at(0).source, "slack:C1:m1");

    // The plan shows it in M3's place, and its owner gets it in 我的任务.
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    auto at = std::find_if(state->tasks.begin(), state->tasks.end(), [](const auto& t) { return t.id == "T007"; });
    ASSERT_NE(at, state->tasks.end());
    EXPECT_EQ(std::prev(at)->id, "T006") << "after M3's last task";
    EXPECT_EQ(std::next(at)->id, "M4");
    EXPECT_TRUE(has(say("小红", "我的任务").reply.joined_text(), "T007"));
}

TEST_F(PlanChangeTest, OnlyTheProjectsLeadMayChangeThePlanAndOthersAreToldWhoCan) {
    auto refused = say("小李", "add T010 poster run owner 小红 from 04-20 to 04-28");
    ASSERT_EQ(refused.outcomes.at(0).kind, Kind::forbidden);
    EXPECT_FALSE(refused.changed);
    EXPECT_FALSE(task("T010"));
    std::string reply = refused.reply.joined_text();
    EXPECT_TRUE(has(reply, "只有项目负责人、审批人或管理员可以修改计划")) << "a Chinese name makes the line Chinese: " << reply;
    EXPECT_TRUE(has(reply, "@经理")) << "names who can: " << reply;
    EXPECT_TRUE(has(reply, "@小红")) << "an approver can too: " << reply;
    EXPECT_EQ(say("小明", "T003 负责人 小李").outcomes.at(0).kind, Kind::forbidden) << "owning a task is not leading";
    EXPECT_EQ(task("T003")->owner, "小明");

    EXPECT_EQ(say("小红", "T003 负责人 小李").outcomes.at(0).kind, Kind::applied) << "小红 approves T004: a lead";
    EXPECT_EQ(say("小王", "T003 负责人 小王", {}, /*admin=*/true).outcomes.at(0).kind, Kind::applied);
    EXPECT_EQ(task("T003")->owner, "小王");
}

TEST_F(PlanChangeTest, RefusalsSayWhyAndChangeNothing) {
    const struct {
        const char* line;
        const char* says;
    } cases[] = {
        {"新建 T001 重复 负责人 小红 04-20 到 04-28", "已存在"},
        {"新建 海报投放 负责人 小黑 04-20 到 04-28", "找不到「小黑」"},
        {"新建 海报投放 负责人 小红 04-20 到 04-28 模块 M9", "没有模块 M9"},
        {"新建 海报投放 负责人 小红 04-20 到 04-28 模块 T003", "没有模块 T003"},
        {"新建 海报投放 负责人 小红 04-20 到 06-28 模块 M3", "超出项目周期"},
        {"新建 海报投放 负责人 小红 04-28 到 04-20 模块 M3", "开始日期晚于完成日期"},
        {"新建 海报投放 负责人 小红 04-20 到 04-28 前置 T099", "T099"},
        {"T003 负责人 小明", "没有变化"},
        {"T003 计划 04-22 到 06-30", "超出项目周期"},
        {"M2 取消 原因: 调整", "阶段/模块"},
        {"T003 恢复", "没有被取消"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        auto result = say("经理", c.line);
        ASSERT_EQ(result.outcomes.size(), 1u);
        EXPECT_NE(result.outcomes[0].kind, Kind::applied);
        EXPECT_FALSE(result.changed);
        EXPECT_TRUE(has(result.reply.joined_text(), c.says)) << result.reply.joined_text();
    }
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->tasks.size(), 11u) << "nothing added";
    EXPECT_TRUE(state->progress.empty()) << "nothing logged";
    auto missing = say("经理", "新建 海报投放 负责人 小红").reply.joined_text();
    EXPECT_TRUE(has(missing, "还缺起止日期")) << missing;
}

TEST_F(PlanChangeTest, ReplanBeforeTheStartNeedsNoReportAndAnnouncesTheRippleOnce) {
    auto result = say("经理", "T005 计划 04-15 到 04-25");
    ASSERT_EQ(result.outcomes.at(0).kind, Kind::applied) << result.reply.joined_text();
    EXPECT_EQ(task("T005")->planned_start, core::make_date(2024, 4, 15));
    EXPECT_EQ(task("T005")->planned_finish, core::make_date(2024, 4, 25));
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    EXPECT_TRUE(state->deviation_reports.empty()) << "not started: no deviation report (R8 is for started tasks)";
    std::string reply = result.reply.joined_text();
    EXPECT_TRUE(has(reply, "无需偏差说明")) << reply;
    // T006 starts 04-21, after T005: it now cannot, and its owner hears it in this reply.
    ASSERT_EQ(result.outcomes[0].ripple.size(), 1u);
    const core::Finding& ripple = result.outcomes[0].ripple[0];
    EXPECT_EQ(ripple.task_id, "T006");
    EXPECT_EQ(ripple.days, 5);
    EXPECT_TRUE(has(reply, "连带影响：T006")) << reply;
    // Remembered as fired in this chat: the scheduler's pass does not announce it again.
    auto fired = store::ledger::fired(*m_store, store::ledger::fired_key("slack", "C1", ripple.key()));
    ASSERT_TRUE(fired);
    ASSERT_TRUE(fired->has_value());
    EXPECT_EQ((*fired)->day, core::make_date(2024, 3, 23));
    auto findings = core::evaluate(*state, core::make_date(2024, 3, 23));
    EXPECT_TRUE(std::any_of(findings.begin(), findings.end(), [&](const core::Finding& f) { return f.key() == ripple.key(); }))
        << "the scheduler computes the same finding, with the same key";

    EXPECT_EQ(say("小明", "T003 开始").outcomes.at(0).kind, Kind::applied);
    auto started = say("经理", "T003 计划 03-20 到 03-30");
    EXPECT_EQ(started.outcomes.at(0).kind, Kind::rejected);
    EXPECT_TRUE(has(started.reply.joined_text(), "「T003 延期 05-10 原因: …」")) << started.reply.joined_text();
}

TEST_F(PlanChangeTest, CancelledTaskLeavesTheRollUpsAndRestoreBringsItBack) {
    EXPECT_EQ(say("小李", "T001 完成").outcomes.at(0).kind, Kind::applied);
    auto before = m_store->load_project("P1");
    ASSERT_TRUE(before);
    EXPECT_LT(core::rollup_completion(*before, "M1"), 100);

    auto cancelled = say("经理", "cancel T002 because the competitor study moved to the agency");
    ASSERT_EQ(cancelled.outcomes.at(0).kind, Kind::applied) << cancelled.reply.joined_text();
    EXPECT_EQ(task("T002")->status, core::Status::cancelled);
    auto after = m_store->load_project("P1");
    ASSERT_TRUE(after);
    EXPECT_EQ(core::rollup_completion(*after, "M1"), 100) << "M1 now holds only T001, done";
    EXPECT_TRUE(has(cancelled.reply.joined_text(), "restore T002")) << cancelled.reply.joined_text();
    auto log = m_store->progress_log("P1", "T002");
    ASSERT_TRUE(log);
    EXPECT_EQ(log->back().action, "cancel");
    EXPECT_EQ(log->back().actual_content, "the competitor study moved to the agency");

    EXPECT_EQ(say("经理", "T002 取消 原因: 重复").outcomes.at(0).kind, Kind::rejected) << "already cancelled";
    EXPECT_EQ(say("小王", "T002 完成").outcomes.at(0).kind, Kind::rejected) << "a cancelled task takes no progress";
    EXPECT_EQ(say("经理", "T002 恢复").outcomes.at(0).kind, Kind::applied);
    EXPECT_EQ(task("T002")->status, core::Status::not_started);
    auto rows = audit("T002");
    EXPECT_EQ(std::count_if(rows.begin(), rows.end(), [](const auto& r) { return r.field == "status"; }), 2);
}

TEST(PlanEditTest, NextIdFollowsThePlansOwnPrefixAndWidth) {
    core::ProjectState state;
    EXPECT_EQ(core::next_task_id(state), "T001");
    for (const char* id : {"MKT-009", "MKT-010", "M1"}) {
        core::Task task;
        task.id = id;
        task.level = std::string_view(id) == "M1" ? core::Level::module : core::Level::task;
        state.tasks.push_back(task);
    }
    EXPECT_EQ(core::next_task_id(state), "MKT-011");
}

TEST(PlanEditTest, AddingATaskThatClosesADependencyLoopIsRefused) {
    core::ProjectState state;
    state.project.id = "P1";
    core::Task module;
    module.id = "M1";
    module.level = core::Level::module;
    core::Task t1;
    t1.id = "T001";
    t1.parent_id = "M1";
    t1.predecessors = {"T002"};  // imported with a predecessor the plan did not have yet
    state.tasks = {module, t1};
    core::Command add;
    add.kind = core::CommandKind::add_task;
    add.task_id = "T002";
    add.task_name = "brief";
    add.person = "p";
    add.planned_start = core::make_date(2024, 3, 1);
    add.new_date = core::make_date(2024, 3, 2);
    add.predecessors = {"T001"};
    auto edit = core::plan_edit(add, state, core::make_date(2024, 3, 1));
    ASSERT_FALSE(edit);
    EXPECT_EQ(edit.error().message, "cycle: T002 → T001 → T002");
    add.predecessors.clear();
    EXPECT_TRUE(core::plan_edit(add, state, core::make_date(2024, 3, 1)));
}

}  // namespace
