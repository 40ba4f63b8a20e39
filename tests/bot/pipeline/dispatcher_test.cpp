// The dispatcher over the real SQLite store with the demo campaign: permissions (an owner may
// change their own task; the approver, the project owner and admins any task of the project; the
// department head may only acknowledge), what changes, what is logged, and what the reply says.

#include <gtest/gtest.h>

#include "tests/support/demo_dispatcher.h"

namespace {


class DispatcherTest : public testing_support::DemoDispatcherTest {
protected:
    bot::DispatchResult say(const std::string& person, const std::string& text, bool admin = false) {
        bot::DispatchContext context;
        context.is_admin = admin;
        context.source = core::ChangeSource{"", "cli", "test-chat", "m1", 1710000000};
        return say_as(person, text, std::move(context));
    }

    core::Task task(const std::string& id) {
        auto found = m_store->find_task(id, {});
        EXPECT_TRUE(found && *found);
        return found && *found ? **found : core::Task{};
    }

    size_t log_entries(const std::string& id) {
        auto log = m_store->progress_log("P1", id);
        EXPECT_TRUE(log);
        return log ? log->size() : 0;
    }

    static bool contains(const std::string& text, const std::string& part) {
        return text.find(part) != std::string::npos;
    }

};

TEST_F(DispatcherTest, OwnerProgressWithNoteChangesTaskLogsNoteAndAnswersInChinese) {
    auto result = say("小明", "T003 进度 60% 主KV初稿已交");
    EXPECT_TRUE(result.changed);
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(task("T003").status, core::Status::in_progress);
    EXPECT_EQ(task("T003").actual_start, core::make_date(2024, 3, 23));
    auto log = m_store->progress_log("P1", "T003");
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ(log->front().actual_content, "主KV初稿已交");
    EXPECT_EQ(log->front().who, "小明");
    EXPECT_EQ(log->front().completion, 60);
    std::string reply = result.reply.joined_text();
    EXPECT_TRUE(contains(reply, "@小明")) << reply;
    EXPECT_TRUE(contains(reply, "0% → 60%")) << reply;
    EXPECT_TRUE(contains(reply, "进行中")) << reply;
    EXPECT_TRUE(contains(reply, "「T003 完成」")) << "tells what to do next: " << reply;
    auto audit = m_store->audit_log("P1", "T003");
    ASSERT_TRUE(audit);
    EXPECT_FALSE(audit->empty()) << "R13: every change is audited";
}

TEST_F(DispatcherTest, SomeoneWhoIsNeitherOwnerNorApproverIsRefusedAndNothingChanges) {
    auto result = say("小李", "T003 完成");
    EXPECT_FALSE(result.changed);
    ASSERT_EQ(result.outcomes.size(), 1u);
    EXPECT_EQ(result.outcomes[0].kind, core::CommandOutcome::Kind::forbidden);
    EXPECT_EQ(task("T003").status, core::Status::not_started);
    EXPECT_EQ(log_entries("T003"), 0u);
    std::string reply = result.reply.joined_text();
    EXPECT_TRUE(contains(reply, "不是 T003 的负责人或审批人")) << reply;
    EXPECT_TRUE(contains(reply, "@小明")) << "names whom to ask: " << reply;
}

TEST_F(DispatcherTest, ApproverProjectOwnerAndAdminMayChangeTasksTheyDoNotOwn) {
    EXPECT_TRUE(say("小红", "T004 开始").changed) << "小红 approves T004";
    EXPECT_EQ(task("T004").status, core::Status::in_progress);
    EXPECT_FALSE(say("小红", "T005 开始").changed) << "but does not approve T005";
    EXPECT_TRUE(say("经理", "T005 进度 10%").changed) << "经理 owns the project";
    EXPECT_EQ(task("T005").completion, 10);
    EXPECT_FALSE(say("小王", "T002 完成\nT001 完成").outcomes[1].kind == core::CommandOutcome::Kind::applied);
    EXPECT_TRUE(say("小王", "T001 完成", /*admin=*/true).changed) << "admins may change any task";
    EXPECT_EQ(task("T001").status, core::Status::done);
}

TEST_F(DispatcherTest, DepartmentHeadMayAcknowledgeAnyTaskOfTheProjectButNotChangeIt) {
    EXPECT_EQ(say("小李", "收到 T003").outcomes.at(0).kind, core::CommandOutcome::Kind::forbidden)
        << "小李 is not yet the department head";
    auto project = m_store->find_project("P1");
    ASSERT_TRUE(project && *project);
    core::Project with_head = **project;
    with_head.department_head = "小李";
    ASSERT_TRUE(m_store->upsert_project(with_head, core::ChangeSource{"", "cli", "", "", 1710000000}));

    auto acked = say("小李", "收到 T003");
    ASSERT_EQ(acked.outcomes.size(), 1u);
    EXPECT_EQ(acked.outcomes[0].kind, core::CommandOutcome::Kind::applied);
    EXPECT_TRUE(contains(acked.reply.joined_text(), "已确认收到，已记录。")) << acked.reply.joined_text();
    auto log = m_store->progress_log("P1", "T003");
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ(log->at(0).action, "ack");
    EXPECT_EQ(log->at(0).who, "小李");
    std::string english = say("小李", "ack T004").reply.joined_text();
    EXPECT_TRUE(contains(english, "acknowledged, recorded.")) << english;

    EXPECT_EQ(say("小李", "T003 完成").outcomes.at(0).kind, core::CommandOutcome::Kind::forbidden);
    EXPECT_EQ(task("T003").status, core::Status::not_started);
}

TEST_F(DispatcherTest, UnknownSenderIsAskedToGetLinkedAndNothingChanges) {
    auto result = say("nobody", "T003 完成");
    EXPECT_FALSE(result.changed);
    EXPECT_EQ(result.outcomes[0].kind, core::CommandOutcome::Kind::unknown_person);
    EXPECT_TRUE(contains(result.reply.joined_text(), "我是")) << result.reply.joined_text();  // how to claim
    EXPECT_EQ(task("T003").status, core::Status::not_started);
}

TEST_F(DispatcherTest, UnknownTaskAndUnreadableLineChangeNothingAndSayWhatToDo) {
    auto result = say("小明", "T999 完成\nT003 进展 60");
    EXPECT_FALSE(result.changed);
    ASSERT_EQ(result.outcomes.size(), 2u);
    EXPECT_EQ(result.outcomes[0].kind, core::CommandOutcome::Kind::not_found);
    EXPECT_EQ(result.outcomes[1].kind, core::CommandOutcome::Kind::parse_error);
    std::string reply = result.reply.joined_text();
    EXPECT_TRUE(contains(reply, "T999")) << reply;
    EXPECT_TRUE(contains(reply, "T003 进度 60%")) << "suggests the nearest command: " << reply;
    EXPECT_EQ(log_entries("T003"), 0u);
}

TEST_F(DispatcherTest, SeveralLinesApplyEachCommand) {
    auto result = say("小明", "T003 开始\nT003 阻塞 等待客户确认\nT003 解除阻塞\nT003 进度 80%");
    EXPECT_TRUE(result.changed);
    ASSERT_EQ(result.outcomes.size(), 4u);
    for (const auto& outcome : result.outcomes) EXPECT_EQ(outcome.kind, core::CommandOutcome::Kind::applied);
    EXPECT_EQ(task("T003").completion, 80);
    EXPECT_EQ(task("T003").status, core::Status::in_progress);
    EXPECT_EQ(task("T003").blocked_reason, "");
    EXPECT_EQ(log_entries("T003"), 4u);
}

TEST_F(DispatcherTest, BlockNeedsAReasonAndUnblockNeedsABlockedTask) {
    auto unblock = say("小明", "T003 解除阻塞");
    EXPECT_EQ(unblock.outcomes[0].kind, core::CommandOutcome::Kind::rejected);
    EXPECT_TRUE(contains(unblock.reply.joined_text(), "未处于阻塞状态")) << unblock.reply.joined_text();
    auto block = say("小明", "T003 阻塞 设计稿待客户确认");
    EXPECT_TRUE(block.changed);
    EXPECT_EQ(task("T003").status, core::Status::blocked);
    EXPECT_EQ(task("T003").blocked_reason, "设计稿待客户确认");
    EXPECT_EQ(task("T003").blocked_since, core::make_date(2024, 3, 23));
}

TEST_F(DispatcherTest, DelayRecordsTheDeviationReportAndMovesThePlannedFinish) {
    auto result = say("小明", "T003 延期 2024-03-29 原因: 客户反馈延迟 影响: T004 顺延 措施: 加派设计");
    EXPECT_TRUE(result.changed) << result.reply.joined_text();
    EXPECT_EQ(task("T003").planned_finish, core::make_date(2024, 3, 29));
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    ASSERT_EQ(state->deviation_reports.size(), 1u);
    EXPECT_EQ(state->deviation_reports[0].cause, "客户反馈延迟");
    EXPECT_EQ(state->deviation_reports[0].remedy, "加派设计");
    EXPECT_EQ(state->deviation_reports[0].new_planned_finish, core::make_date(2024, 3, 29));
}

TEST_F(DispatcherTest, PhasesAndModulesRollUpAndCannotBeUpdatedDirectly) {
    auto result = say("小红", "M1 进度 50%");
    EXPECT_FALSE(result.changed);
    EXPECT_EQ(result.outcomes[0].kind, core::CommandOutcome::Kind::rejected);
}

TEST_F(DispatcherTest, DigestOnTheDemoListsLateAndDueSoonTasksWithTheirOwners) {
    auto result = say("小明", "日报");
    std::string text = result.reply.joined_text();
    EXPECT_TRUE(contains(text, "T001")) << text;
    EXPECT_TRUE(contains(text, "@小李")) << text;
    EXPECT_TRUE(contains(text, "T002")) << text;
    EXPECT_TRUE(contains(text, "@小王")) << text;
    EXPECT_TRUE(contains(text, "T003")) << text;
    EXPECT_TRUE(contains(text, "@小明")) << text;
    EXPECT_FALSE(result.changed);
}

TEST_F(DispatcherTest, ListCommandsAnswerInTheMessagesLanguage) {
    std::string late = say("小明", "late").reply.joined_text();
    EXPECT_TRUE(contains(late, "Late tasks")) << late;
    EXPECT_TRUE(contains(late, "T001")) << late;
    EXPECT_FALSE(contains(late, "T003")) << "T003 is due on 03-25, not late on 03-23: " << late;
    std::string mine = say("小明", "我的任务").reply.joined_text();
    EXPECT_TRUE(contains(mine, "T003")) << mine;
    EXPECT_FALSE(contains(mine, "T001")) << mine;
    std::string help = say("小明", "help").reply.joined_text();
    EXPECT_TRUE(contains(help, "update T003 60%")) << help;
}

}  // namespace
