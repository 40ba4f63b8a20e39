// Tests of core/escalation.h: the R8 ladder (ask the owner, ping the approver, ping the
// department head; stopped by a report, an ack or the task getting back on track) and its
// chat message in zh-CN and en.
#include "core/escalation.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/core/fixtures.h"

namespace {

using core::Ladder;
using core::LadderAction;
using core::LadderPass;
using core::LadderStep;
using core::Locale;
using fixtures::day;

constexpr long long k_t0 = 1711188000;  // the first pass
constexpr long long k_hour = 3600;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

// On 2024-03-23: T001 创意定稿 (小明) is 3 days late and on the critical path (T003 follows it);
// T002 海报 (小王, approver 小红) is 8 days late and off the path; T003 has not started yet.
core::ProjectState plan() {
    using core::Level;
    auto state = fixtures::empty_state("P1", "新品上市推广");
    state.project.department_head = "部长";
    state.tasks = {
        fixtures::make_task("T001", Level::task, "", "创意定稿", "小明", "2024-03-11",
                            "2024-03-20"),
        fixtures::make_task("T002", Level::task, "", "海报", "小王", "2024-03-01", "2024-03-15"),
        fixtures::make_task("T003", Level::task, "", "正式上线", "小陈", "2024-03-25",
                            "2024-04-30"),
    };
    state.tasks[1].approver = "小红";
    state.tasks[2].predecessors = {"T001"};
    fixtures::number_positions(state);
    int uid = 1;
    for (const char* name : {"经理", "部长", "小明", "小王", "小红", "小陈"})
        state.people[name] =
            core::Person{name, name, "市场部", "U" + std::to_string(uid++), "", "", "", ""};
    return state;
}

core::Task& task_of(core::ProjectState& state, const char* id) {
    for (auto& task : state.tasks)
        if (task.id == id) return task;
    ADD_FAILURE() << "no task " << id;
    return state.tasks.front();
}

// A plain 24-hour deadline: the working-hours arithmetic is the caller's (calendar_test.cpp).
core::LadderContext context_at(long long now) {
    core::LadderContext context;
    context.now = now;
    context.deadline = [](long long from) { return from + 24 * k_hour; };
    return context;
}

LadderPass run(const core::ProjectState& state, std::vector<Ladder> ladders,
               core::LadderContext context, const char* today = "2024-03-23") {
    return core::advance_ladders(state, std::move(ladders), core::evaluate(state, day(today)),
                                 context);
}

LadderPass run_at(const core::ProjectState& state, std::vector<Ladder> ladders, long long now) {
    return run(state, std::move(ladders), context_at(now));
}

const Ladder* ladder_of(const LadderPass& pass, const std::string& task_id) {
    const Ladder* found = nullptr;
    for (const auto& ladder : pass.ladders)
        if (ladder.task_id == task_id) found = &ladder;  // the newest one
    return found;
}

const LadderAction* action_for(const LadderPass& pass, const std::string& task_id) {
    for (const auto& action : pass.actions)
        if (action.ladder.task_id == task_id) return &action;
    return nullptr;
}

core::DeviationReport report(const char* task_id, const char* who, long long at) {
    core::DeviationReport r;
    r.project_id = "P1";
    r.task_id = task_id;
    r.who = who;
    r.at_unix = at;
    r.cause = "供应商产能不足";
    return r;
}

core::ProgressEntry ack(const char* task_id, const char* who, long long at) {
    core::ProgressEntry entry;
    entry.project_id = "P1";
    entry.task_id = task_id;
    entry.who = who;
    entry.at_unix = at;
    entry.action = "ack";
    return entry;
}

// Slack-like markup with platform ids, so that mentions are collected.
core::Markup slack_like() {
    core::Markup markup;
    markup.dialect = core::Dialect::slack_mrkdwn;
    markup.mention = [](const core::Person& p) {
        return p.slack.empty() ? "@" + p.name : "<@" + p.slack + ">";
    };
    markup.user_id = [](const core::Person& p) { return p.slack; };
    return markup;
}

// --- opening ----------------------------------------------------------------------------------

TEST(EscalationLadderTest, R1OpensALadderThatAsksTheOwner) {
    auto state = plan();
    auto pass = run_at(state, {}, k_t0);
    ASSERT_EQ(pass.ladders.size(), 2u);  // T001 and T002 are late; T003 is not
    const LadderAction* asked = action_for(pass, "T002");
    ASSERT_NE(asked, nullptr);
    EXPECT_EQ(asked->kind, LadderAction::Kind::ask_owner);
    EXPECT_EQ(asked->to, std::vector<std::string>{"小王"});
    EXPECT_EQ(asked->trigger.rule, core::Rule::r1_late);
    EXPECT_EQ(asked->trigger.days, 8);
    const Ladder& ladder = *ladder_of(pass, "T002");
    EXPECT_EQ(ladder.project_id, "P1");
    EXPECT_EQ(ladder.trigger, "R1:P1/T002@2024-03-15");
    EXPECT_EQ(ladder.step, LadderStep::asked_owner);
    EXPECT_EQ(ladder.opened_at, k_t0);
    EXPECT_EQ(ladder.stepped_at, k_t0);
    EXPECT_EQ(ladder.pinged, std::vector<std::string>{"小王"});
    EXPECT_EQ(asked->ladder, ladder);
}

TEST(EscalationLadderTest, R2OpensALadderForATaskBehindPlan) {
    auto state = plan();
    auto& t3 = task_of(state, "T003");
    t3.status = core::Status::in_progress;
    t3.completion = 10;  // 28 of 37 days (76%) planned on 04-22
    auto pass = run(state, {}, context_at(k_t0), "2024-04-22");
    const Ladder* ladder = ladder_of(pass, "T003");
    ASSERT_NE(ladder, nullptr);
    EXPECT_EQ(ladder->trigger, "R2:P1/T003@2024-04-30");
    EXPECT_EQ(action_for(pass, "T003")->to, std::vector<std::string>{"小陈"});
}

TEST(EscalationLadderTest, AnOpenLadderIsNotOpenedTwiceAndNothingHappensBeforeTheDeadline) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto second = run_at(state, first.ladders, k_t0 + 23 * k_hour);
    EXPECT_TRUE(second.actions.empty());
    EXPECT_EQ(second.ladders, first.ladders);
}

TEST(EscalationLadderTest, DoesNotReopenForTheSameTriggerAfterBeingStopped) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    state.deviation_reports.push_back(report("T002", "小王", k_t0 + k_hour));
    auto stopped = run_at(state, first.ladders, k_t0 + 2 * k_hour);
    ASSERT_EQ(ladder_of(stopped, "T002")->step, LadderStep::stopped);
    auto later = run_at(state, stopped.ladders, k_t0 + 72 * k_hour);
    EXPECT_EQ(action_for(later, "T002"), nullptr);
    EXPECT_EQ(later.ladders.size(), 2u);
    EXPECT_EQ(ladder_of(later, "T002")->step, LadderStep::stopped);
}

TEST(EscalationLadderTest, ReopensWhenThePlannedFinishChangedAndR1FiresAgain) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    state.deviation_reports.push_back(report("T002", "小王", k_t0 + k_hour));
    auto stopped = run_at(state, first.ladders, k_t0 + 2 * k_hour);
    task_of(state, "T002").planned_finish = day("2024-03-20");  // re-planned, late again by 04-01
    auto reopened = run(state, stopped.ladders, context_at(k_t0 + 200 * k_hour), "2024-04-01");
    ASSERT_EQ(reopened.ladders.size(), 4u);  // by 04-01 T003 is behind plan and has its own
    EXPECT_EQ(reopened.ladders[1].step, LadderStep::stopped);  // the old one is kept as it was
    EXPECT_EQ(reopened.ladders[1], stopped.ladders[1]);
    const Ladder& fresh = reopened.ladders[2];  // R1 findings come before R2 ones
    EXPECT_EQ(fresh.task_id, "T002");
    EXPECT_EQ(fresh.trigger, "R1:P1/T002@2024-03-20");
    EXPECT_EQ(fresh.opened_at, k_t0 + 200 * k_hour);
    ASSERT_NE(action_for(reopened, "T002"), nullptr);
    EXPECT_EQ(action_for(reopened, "T002")->kind, LadderAction::Kind::ask_owner);
}

// --- climbing ---------------------------------------------------------------------------------

TEST(EscalationLadderTest, ApproverIsPingedOnceTheDeadlinePasses) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto pinged = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    const LadderAction* ping = action_for(pinged, "T002");
    ASSERT_NE(ping, nullptr);
    EXPECT_EQ(ping->kind, LadderAction::Kind::ping);
    EXPECT_EQ(ping->to, std::vector<std::string>{"小红"});
    EXPECT_EQ(ping->trigger.rule, core::Rule::r1_late);
    const Ladder& ladder = *ladder_of(pinged, "T002");
    EXPECT_EQ(ladder.step, LadderStep::pinged_approver);
    EXPECT_EQ(ladder.stepped_at, k_t0 + 24 * k_hour);
    EXPECT_EQ(ladder.opened_at, k_t0);
    EXPECT_EQ(ladder.pinged, (std::vector<std::string>{"小王", "小红"}));
}

TEST(EscalationLadderTest, WithoutATaskApproverTheProjectDefaultThenTheProjectOwnerIsPinged) {
    auto state = plan();
    task_of(state, "T002").approver.clear();
    auto first = run_at(state, {}, k_t0);
    auto with_default = context_at(k_t0 + 24 * k_hour);
    with_default.default_approver = "小陈";
    EXPECT_EQ(action_for(run(state, first.ladders, with_default), "T002")->to,
              std::vector<std::string>{"小陈"});
    EXPECT_EQ(action_for(run_at(state, first.ladders, k_t0 + 24 * k_hour), "T002")->to,
              std::vector<std::string>{"经理"});
}

TEST(EscalationLadderTest, CriticalPathTaskAlsoPingsTheDepartmentHeadWithTheApprover) {
    auto state = plan();
    ASSERT_EQ(core::critical_path(state), (std::vector<std::string>{"T001", "T003"}));
    auto first = run_at(state, {}, k_t0);
    auto pinged = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    EXPECT_EQ(action_for(pinged, "T001")->to, (std::vector<std::string>{"经理", "部长"}));
    EXPECT_EQ(action_for(pinged, "T002")->to, std::vector<std::string>{"小红"});  // off the path
    // The config's department head wins over the project's.
    auto context = context_at(k_t0 + 24 * k_hour);
    context.department_head = "总监";
    EXPECT_EQ(action_for(run(state, first.ladders, context), "T001")->to,
              (std::vector<std::string>{"经理", "总监"}));
    // The head already pinged: no third rung.
    auto after = run_at(state, pinged.ladders, k_t0 + 48 * k_hour);
    EXPECT_EQ(action_for(after, "T001"), nullptr);
    EXPECT_EQ(ladder_of(after, "T001")->step, LadderStep::pinged_approver);
}

TEST(EscalationLadderTest, ThirdRungPingsTheDepartmentHeadAndThereIsNoFourth) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto approver = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    EXPECT_EQ(action_for(run_at(state, approver.ladders, k_t0 + 47 * k_hour), "T002"), nullptr);
    auto head = run_at(state, approver.ladders, k_t0 + 48 * k_hour);
    const LadderAction* ping = action_for(head, "T002");
    ASSERT_NE(ping, nullptr);
    EXPECT_EQ(ping->to, std::vector<std::string>{"部长"});
    EXPECT_EQ(ladder_of(head, "T002")->step, LadderStep::pinged_head);
    EXPECT_EQ(ladder_of(head, "T002")->pinged, (std::vector<std::string>{"小王", "小红", "部长"}));
    auto after = run_at(state, head.ladders, k_t0 + 200 * k_hour);
    EXPECT_EQ(action_for(after, "T002"), nullptr);
    EXPECT_EQ(ladder_of(after, "T002")->step, LadderStep::pinged_head);
}

TEST(EscalationLadderTest, WithNoDepartmentHeadTheLadderStopsClimbingAtTheApprover) {
    auto state = plan();
    state.project.department_head.clear();
    auto first = run_at(state, {}, k_t0);
    auto approver = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    EXPECT_EQ(action_for(approver, "T001")->to, std::vector<std::string>{"经理"});
    auto after = run_at(state, approver.ladders, k_t0 + 48 * k_hour);
    EXPECT_TRUE(after.actions.empty());
}

// --- stopping ---------------------------------------------------------------------------------

TEST(EscalationLadderTest, ADeviationReportAfterOpeningStopsItButAnEarlierOneDoesNot) {
    auto state = plan();
    state.deviation_reports.push_back(report("T002", "小王", k_t0 - k_hour));  // before the ask
    auto first = run_at(state, {}, k_t0);
    EXPECT_TRUE(run_at(state, first.ladders, k_t0 + 2 * k_hour).actions.empty());

    auto pinged = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    state.deviation_reports.push_back(
        report("t002", "小红", k_t0 + 30 * k_hour));  // the approver's
    auto stopped = run_at(state, pinged.ladders, k_t0 + 31 * k_hour);
    const LadderAction* action = action_for(stopped, "T002");
    ASSERT_NE(action, nullptr);
    EXPECT_EQ(action->kind, LadderAction::Kind::stopped);
    EXPECT_TRUE(action->to.empty());
    const Ladder& ladder = *ladder_of(stopped, "T002");
    EXPECT_EQ(ladder.step, LadderStep::stopped);
    EXPECT_EQ(ladder.stop_reason, "report");
    EXPECT_EQ(ladder.stopped_by, "小红");
    EXPECT_EQ(ladder.stopped_at, k_t0 + 30 * k_hour);
    EXPECT_EQ(ladder.pinged, (std::vector<std::string>{"小王", "小红"}));  // remembered
}

TEST(EscalationLadderTest, AnAckByAPingedPersonStopsItAndAnAckBySomeoneElseDoesNot) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto pinged = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    state.progress.push_back(ack("T002", "小陈", k_t0 + 25 * k_hour));  // never pinged
    state.progress.push_back(ack("T001", "小红", k_t0 + 25 * k_hour));  // another task
    EXPECT_TRUE(run_at(state, pinged.ladders, k_t0 + 26 * k_hour).actions.empty());

    state.progress.push_back(ack("T002", "小红", k_t0 + 26 * k_hour));
    auto stopped = run_at(state, pinged.ladders, k_t0 + 27 * k_hour);
    const Ladder& ladder = *ladder_of(stopped, "T002");
    EXPECT_EQ(ladder.step, LadderStep::stopped);
    EXPECT_EQ(ladder.stop_reason, "ack");
    EXPECT_EQ(ladder.stopped_by, "小红");
    EXPECT_EQ(ladder.stopped_at, k_t0 + 26 * k_hour);
    EXPECT_EQ(ladder_of(stopped, "T001")->step, LadderStep::pinged_approver);
}

TEST(EscalationLadderTest, AnAckBeforeTheLatestPingDoesNotCount) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    state.progress.push_back(ack("T002", "小红", k_t0 + 2 * k_hour));  // before 小红 was pinged
    auto pinged = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    EXPECT_EQ(ladder_of(pinged, "T002")->step, LadderStep::pinged_approver);
    EXPECT_EQ(ladder_of(run_at(state, pinged.ladders, k_t0 + 25 * k_hour), "T002")->step,
              LadderStep::pinged_approver);
}

TEST(EscalationLadderTest, ResolvedWhenTheTaskIsDoneOrCancelled) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto& t2 = task_of(state, "T002");
    t2.status = core::Status::done;
    t2.completion = 100;
    t2.actual_finish = day("2024-03-23");  // finished late: R1 still fires, with detail "done"
    task_of(state, "T001").status = core::Status::cancelled;
    auto pass = run_at(state, first.ladders, k_t0 + 3 * k_hour);
    ASSERT_EQ(pass.actions.size(), 2u);
    for (const char* id : {"T001", "T002"}) {
        const Ladder& ladder = *ladder_of(pass, id);
        EXPECT_EQ(ladder.step, LadderStep::stopped) << id;
        EXPECT_EQ(ladder.stop_reason, "resolved") << id;
        EXPECT_EQ(ladder.stopped_by, "") << id;
        EXPECT_EQ(ladder.stopped_at, k_t0 + 3 * k_hour) << id;
    }
    EXPECT_EQ(pass.ladders.size(), 2u);  // a done task does not open a new one
}

TEST(EscalationLadderTest, ResolvedWhenTheTaskIsBackOnPlan) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto& t2 = task_of(state, "T002");
    t2.planned_finish = day("2024-03-30");  // re-planned in the table, and well on the way
    t2.status = core::Status::in_progress;
    t2.completion = 80;
    auto pass = run_at(state, first.ladders, k_t0 + 3 * k_hour);
    EXPECT_EQ(ladder_of(pass, "T002")->stop_reason, "resolved");
}

TEST(EscalationLadderTest, StepNamesRoundTrip) {
    for (LadderStep step : {LadderStep::asked_owner, LadderStep::pinged_approver,
                            LadderStep::pinged_head, LadderStep::stopped}) {
        LadderStep parsed = LadderStep::stopped;
        ASSERT_TRUE(core::parse_ladder_step(core::to_string(step), parsed))
            << core::to_string(step);
        EXPECT_EQ(parsed, step);
    }
    EXPECT_STREQ(core::to_string(LadderStep::pinged_approver), "pinged_approver");
    LadderStep untouched = LadderStep::asked_owner;
    EXPECT_FALSE(core::parse_ladder_step("pinged", untouched));
    EXPECT_FALSE(core::parse_ladder_step("", untouched));
    EXPECT_EQ(untouched, LadderStep::asked_owner);
}

// --- rendering --------------------------------------------------------------------------------

TEST(EscalationMessageTest, ChineseAskNamesTheOwnerTheDelayAndTheRepliesThatStopIt) {
    auto state = plan();
    auto pass = run_at(state, {}, k_t0);
    auto message = core::render_ladder_actions(pass.actions, state, Locale::zh_cn, slack_like());
    EXPECT_EQ(message.title, "升级提醒 · 新品上市推广");
    ASSERT_EQ(message.sections.size(), 2u);
    EXPECT_EQ(message.sections[1],
              "<@U4> T002 海报已延期 8 天，请在 24 小时内提交偏差说明：回复 `T002 偏差 原因: … "
              "影响: … 措施: …` "
              "或 `T002 延期 MM-DD 原因: …`");
    EXPECT_EQ(message.mention_user_ids, (std::vector<std::string>{"U3", "U4"}));  // 小明, 小王
    EXPECT_TRUE(contains(message.fallback_text, "@小王 T002 海报已延期 8 天"))
        << message.fallback_text;
    EXPECT_FALSE(contains(message.fallback_text, "<@U4>"));
}

TEST(EscalationMessageTest, ChinesePingMentionsApproverHeadAndOwnerAndAsksForAnAck) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto pinged = run_at(state, first.ladders, k_t0 + 26 * k_hour);
    auto message = core::render_ladder_actions(pinged.actions, state, Locale::zh_cn, slack_like());
    ASSERT_EQ(message.sections.size(), 2u);
    const std::string& critical = message.sections[0];  // T001: project owner and head
    EXPECT_TRUE(contains(
        critical, "<@U1> <@U2> T001 创意定稿已延期 3 天，负责人 <@U3> 已 26 小时未提交偏差说明"))
        << critical;
    EXPECT_TRUE(contains(critical, "关键路径")) << critical;
    EXPECT_TRUE(contains(critical, "请跟进，处理后回复 `收到 T001`")) << critical;
    EXPECT_FALSE(contains(message.sections[1], "关键路径")) << message.sections[1];
    EXPECT_TRUE(contains(message.sections[1], "<@U5> T002 海报已延期 8 天")) << message.sections[1];
    EXPECT_EQ(message.mention_user_ids, (std::vector<std::string>{"U1", "U2", "U3", "U5", "U4"}));
}

TEST(EscalationMessageTest, HeadPingNamesWhoWasPingedBeforeWithoutNotifyingThem) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    auto approver = run_at(state, first.ladders, k_t0 + 24 * k_hour);
    auto head = run_at(state, approver.ladders, k_t0 + 72 * k_hour);
    auto message = core::render_ladder_actions(head.actions, state, Locale::zh_cn, slack_like());
    ASSERT_EQ(message.sections.size(), 1u);
    EXPECT_EQ(message.sections[0],
              "<@U2> T002 海报已延期 8 天，负责人 <@U4> 已 3 天未提交偏差说明（已提醒 "
              "小红）。请跟进，处理后回复 "
              "`收到 T002`");
    EXPECT_EQ(message.mention_user_ids, (std::vector<std::string>{"U2", "U4"}));
}

TEST(EscalationMessageTest, EnglishUsesEnglishRepliesAndR2SaysHowFarBehindPlan) {
    auto state = plan();
    auto& t3 = task_of(state, "T003");
    t3.status = core::Status::in_progress;
    t3.completion = 10;
    auto first = run(state, {}, context_at(k_t0), "2024-04-22");
    auto message = core::render_ladder_actions(first.actions, state, Locale::en, slack_like());
    EXPECT_EQ(message.title, "Escalation · 新品上市推广");
    const std::string text = message.joined_text();
    for (const char* part :
         {"<@U6> T003 正式上线 is behind plan (plan 76%, actual 10%, deviation 87%)",
          "Please send a deviation report within 24 hours: reply "
          "`deviation T003 cause: … impact: … remedy: …` or `delay T003 to YYYY-MM-DD because …`",
          "T002 海报 is 38 days late"})
        EXPECT_TRUE(contains(text, part)) << part << "\n" << text;

    auto pinged = run(state, first.ladders, context_at(k_t0 + 30 * k_hour), "2024-04-22");
    auto en = core::render_ladder_actions(pinged.actions, state, Locale::en, slack_like());
    EXPECT_TRUE(
        contains(en.joined_text(), "its owner <@U6> has not sent a deviation report for 30 hours"))
        << en.joined_text();
    EXPECT_TRUE(contains(en.joined_text(), "Please follow up, then reply `ack T003`"))
        << en.joined_text();
    EXPECT_FALSE(contains(en.joined_text(), "小时"));
}

TEST(EscalationMessageTest, StoppedActionsAreNotShown) {
    auto state = plan();
    auto first = run_at(state, {}, k_t0);
    state.deviation_reports.push_back(report("T002", "小王", k_t0 + k_hour));
    auto stopped = run_at(state, first.ladders, k_t0 + 2 * k_hour);
    ASSERT_EQ(stopped.actions.size(), 1u);
    auto message = core::render_ladder_actions(stopped.actions, state, Locale::zh_cn, slack_like());
    EXPECT_TRUE(message.sections.empty());
    EXPECT_TRUE(message.mention_user_ids.empty());
    EXPECT_EQ(message.title, "升级提醒 · 新品上市推广");
}

}  // namespace
