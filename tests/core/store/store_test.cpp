// The store on both engines — a real SQLite file and a real PostgreSQL database on a throw-away
// server: plans, updates with their audit trail (R13), transactions, look-ups, inbound
// de-duplication, the outbox and k/v state, and concurrent writers. Every test runs on each.
#include <gtest/gtest.h>

#include <tuple>

#include <thread>
#include <vector>

#include "core/store/store.h"
#include "tests/support/backends.h"
#include "tests/support/temp_dir.h"

namespace {

using core::Date;
using core::ErrorCode;
using core::make_date;
using store::OutboxMessage;
using store::OutboxState;
using store::Store;
using store::TaskUpdate;
using testing_support::TempDir;

core::ChangeSource chat_source(long long at = 1710900000) {
    return core::ChangeSource{"xiaoming", "slack", "C123", "1710900000.000100", at};
}

core::Task make_task(std::string id, std::string name, int position) {
    core::Task t;
    t.id = std::move(id);
    t.name = std::move(name);
    t.position = position;
    t.owner = "xiaoming";
    t.planned_start = make_date(2024, 3, 18);
    t.planned_finish = make_date(2024, 3, 25);
    return t;
}

core::ProjectState make_plan(const std::string& project_id = "P1") {
    core::ProjectState s;
    s.project.id = project_id;
    s.project.name = "新品上市推广";
    s.project.owner = "laowang";
    s.project.department_head = "boss";
    s.project.start = make_date(2024, 3, 1);
    s.project.end = make_date(2024, 4, 30);
    s.project.goal = "Q3 线上销售额 500 万元";
    s.project.budget_total = 100000.5;
    s.project.thresholds.deviation_at_risk = 0.25;

    core::Task phase = make_task("PH1", "预热期", 0);
    phase.level = core::Level::phase;
    core::Task t2 = make_task("t002", "KV 设计", 1);
    t2.parent_id = "ph1";
    t2.level = core::Level::task;
    t2.approver = "laowang";
    t2.consulted = {"designer", "copywriter"};
    t2.informed = {"sales"};
    t2.collaborators = {"supplier"};
    t2.priority = core::Priority::p0;
    t2.estimated_days = 5;
    t2.risk = core::RiskLevel::high;
    t2.budget = 2000;
    t2.remark = "设计稿待客户确认";
    t2.deliverable = "KV 终稿";
    t2.acceptance = "客户签字";
    core::Task t3 = make_task("T003", "海报设计", 2);
    t3.parent_id = "PH1";
    t3.predecessors = {"t002"};
    t3.status = core::Status::in_progress;
    t3.completion = 30;
    t3.actual_start = make_date(2024, 3, 19);
    s.tasks = {phase, t2, t3};

    core::Kpi kpi;
    kpi.id = "K001";
    kpi.project_id = project_id;
    kpi.name = "报名量";
    kpi.target = 1000;
    kpi.current = 400;
    kpi.warn_below = 0.5;
    kpi.updated = make_date(2024, 3, 20);
    s.kpis = {kpi};

    core::RiskItem risk;
    risk.id = "R001";
    risk.project_id = project_id;
    risk.task_id = "t003";
    risk.title = "供应商产能不足";
    risk.owner = "supplier_mgr";
    risk.impact = core::RiskLevel::high;
    risk.opened = make_date(2024, 3, 10);
    s.risks = {risk};

    s.people["xiaoming"] = core::Person{"xiaoming", "小明", "市场部", "U1", "ou_1", "1001", "", ""};
    s.people["laowang"] = core::Person{"laowang", "老王", "市场部", "U2", "", "", "", ""};
    return s;
}

void expect_same_task(const core::Task& a, const core::Task& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.level, b.level) << a.id;
    EXPECT_EQ(a.parent_id, b.parent_id) << a.id;
    EXPECT_EQ(a.position, b.position) << a.id;
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.deliverable, b.deliverable);
    EXPECT_EQ(a.acceptance, b.acceptance);
    EXPECT_EQ(a.owner, b.owner);
    EXPECT_EQ(a.approver, b.approver);
    EXPECT_EQ(a.consulted, b.consulted);
    EXPECT_EQ(a.informed, b.informed);
    EXPECT_EQ(a.collaborators, b.collaborators);
    EXPECT_EQ(a.priority, b.priority);
    EXPECT_EQ(a.planned_start, b.planned_start);
    EXPECT_EQ(a.planned_finish, b.planned_finish);
    EXPECT_EQ(a.actual_start, b.actual_start);
    EXPECT_EQ(a.actual_finish, b.actual_finish);
    EXPECT_EQ(a.estimated_days, b.estimated_days);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.completion, b.completion);
    EXPECT_EQ(a.risk, b.risk);
    EXPECT_EQ(a.predecessors, b.predecessors);
    EXPECT_EQ(a.budget, b.budget);
    EXPECT_EQ(a.remark, b.remark);
    EXPECT_EQ(a.blocked_reason, b.blocked_reason);
    EXPECT_EQ(a.blocked_since, b.blocked_since);
}

TaskUpdate progress_update(std::string task, int completion, std::string project = "P1") {
    TaskUpdate u;
    u.project_id = std::move(project);
    u.task_id = std::move(task);
    u.action = "progress";
    u.completion = completion;
    u.date = make_date(2024, 3, 21);
    u.note = "海报初稿已交";
    return u;
}

class StoreTest : public ::testing::TestWithParam<testing_support::Backend> {
protected:
    void SetUp() override {
        TRACKERD_BACKEND_OR_SKIP(GetParam());
        m_where = testing_support::fresh_database(GetParam(), m_dir);
        reopen();
    }
    void reopen() {
        m_store.reset();
        auto opened = Store::open(m_where);
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
    }
    void import_plan(const core::ProjectState& plan = make_plan()) {
        auto done = m_store->import_project(plan, core::ChangeSource{"admin", "import", "", "", 100});
        ASSERT_TRUE(done) << done.error().message;
    }
    size_t audit_rows(const std::string& project = "P1") { return m_store->audit_log(project, "")->size(); }

    TempDir m_dir;
    std::string m_where;  // a file or a postgresql:// URI
    std::unique_ptr<Store> m_store;
};

INSTANTIATE_TEST_SUITE_P(Engines, StoreTest, testing_support::all_backends(), testing_support::backend_name);

TEST_P(StoreTest, ImportThenLoadGivesTheSamePlan) {
    auto plan = make_plan();
    import_plan(plan);
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state) << state.error().message;

    EXPECT_EQ(state->project.name, plan.project.name);
    EXPECT_EQ(state->project.owner, "laowang");
    EXPECT_EQ(state->project.start, plan.project.start);
    EXPECT_EQ(state->project.budget_total, plan.project.budget_total);
    EXPECT_DOUBLE_EQ(state->project.thresholds.deviation_at_risk, 0.25);
    ASSERT_EQ(state->tasks.size(), 3u);
    // Ids, parents and predecessors come back normalised.
    auto expected = plan.tasks;
    expected[1].id = "T002";
    expected[1].parent_id = "PH1";
    expected[2].predecessors = {"T002"};
    for (size_t i = 0; i < expected.size(); ++i) {
        expect_same_task(state->tasks[i], expected[i]);
        EXPECT_EQ(state->tasks[i].project_id, "P1");
    }
    ASSERT_EQ(state->kpis.size(), 1u);
    EXPECT_EQ(state->kpis[0].name, "报名量");
    EXPECT_EQ(state->kpis[0].warn_below, 0.5);
    EXPECT_EQ(state->kpis[0].updated, make_date(2024, 3, 20));
    ASSERT_EQ(state->risks.size(), 1u);
    EXPECT_EQ(state->risks[0].task_id, "T003");
    EXPECT_EQ(state->risks[0].impact, core::RiskLevel::high);
    EXPECT_TRUE(state->progress.empty());
    // Everyone named who exists in the people table; unknown ids (designer, boss) are absent.
    ASSERT_EQ(state->people.size(), 2u);
    EXPECT_EQ(state->people.at("xiaoming").feishu, "ou_1");
    EXPECT_EQ(state->people.count("boss"), 0u);
}

TEST_P(StoreTest, LoadPlanGivesTheTasksAndPeopleOfLoadProjectWithoutTheHistory) {
    import_plan();
    ASSERT_TRUE(m_store->apply(progress_update("T003", 60), chat_source()));
    auto full = m_store->load_project("p1");
    auto plan = m_store->load_plan("p1");
    ASSERT_TRUE(full && plan);
    EXPECT_EQ(plan->project.id, "P1");
    EXPECT_EQ(plan->project.owner, full->project.owner);
    ASSERT_EQ(plan->tasks.size(), full->tasks.size());
    for (size_t i = 0; i < plan->tasks.size(); ++i) expect_same_task(plan->tasks[i], full->tasks[i]);
    ASSERT_EQ(plan->people.size(), full->people.size());
    EXPECT_EQ(plan->people.at("xiaoming").feishu, "ou_1");
    EXPECT_FALSE(full->progress.empty());
    EXPECT_TRUE(plan->progress.empty());
    EXPECT_TRUE(plan->kpis.empty());
    EXPECT_TRUE(plan->risks.empty());
    EXPECT_EQ(m_store->load_plan("nope").error().code, core::ErrorCode::not_found);
}

TEST_P(StoreTest, LoadTaskPlanGivesTheTaskItsPredecessorsAndChildren) {
    import_plan();  // PH1 > T002; T003 after T002
    auto t003 = m_store->load_task_plan("p1", "t003");
    ASSERT_TRUE(t003) << t003.error().message;
    EXPECT_EQ(t003->project.id, "P1");
    ASSERT_EQ(t003->tasks.size(), 2u);
    EXPECT_EQ(t003->tasks[0].id, "T003");
    EXPECT_EQ(t003->tasks[1].id, "T002");
    for (const auto& [id, person] : t003->people) EXPECT_EQ(m_store->load_plan("P1")->people.count(id), 1u) << id;
    auto phase = m_store->load_task_plan("P1", "PH1");
    ASSERT_TRUE(phase);
    ASSERT_EQ(phase->tasks.size(), 3u);  // its children: a change must see it rolls up
    EXPECT_EQ(phase->tasks[1].id, "T002");
    EXPECT_EQ(phase->tasks[2].id, "T003");
    EXPECT_EQ(m_store->load_task_plan("P1", "T404").error().code, core::ErrorCode::not_found);
    EXPECT_EQ(m_store->load_task_plan("P9", "T003").error().code, core::ErrorCode::not_found);
}

TEST_P(StoreTest, LoadTaskPlanAroundARowAlreadyReadGivesTheSameSlice) {
    import_plan();
    for (const char* id : {"T003", "PH1", "T002"}) {
        auto row = m_store->find_task(id, {"P1"});
        ASSERT_TRUE(row && *row) << id;
        auto by_row = m_store->load_task_plan(**row);
        auto by_id = m_store->load_task_plan("P1", id);
        ASSERT_TRUE(by_row && by_id) << id;
        EXPECT_EQ(by_row->project.id, by_id->project.id);
        ASSERT_EQ(by_row->tasks.size(), by_id->tasks.size()) << id;
        for (size_t i = 0; i < by_row->tasks.size(); ++i) expect_same_task(by_row->tasks[i], by_id->tasks[i]);
        EXPECT_EQ(by_row->people.size(), by_id->people.size()) << id;
    }
}

TEST_P(StoreTest, ApplyOnARowAlreadyReadChangesTheSameAndRefusesAnotherTasksRow) {
    import_plan();
    auto row = m_store->find_task("T003", {"P1"});
    ASSERT_TRUE(row && *row);
    auto change = m_store->apply(progress_update("t003", 60), chat_source(), &**row);
    ASSERT_TRUE(change) << change.error().message;
    EXPECT_EQ(change->before.completion, 30);
    EXPECT_EQ(change->after.completion, 60);
    EXPECT_EQ((*m_store->find_task("T003", {"P1"}))->completion, 60);
    ASSERT_EQ(m_store->progress_log("P1", "T003")->size(), 1u);

    auto other = m_store->find_task("T002", {"P1"});
    ASSERT_TRUE(other && *other);
    auto refused = m_store->apply(progress_update("t003", 80), chat_source(), &**other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, core::ErrorCode::internal);
    EXPECT_EQ((*m_store->find_task("T003", {"P1"}))->completion, 60);  // nothing written
    EXPECT_EQ(m_store->progress_log("P1", "T003")->size(), 1u);
}

TEST_P(StoreTest, ProjectIdsMatchWhateverTheCase) {
    import_plan();
    auto state = m_store->load_project("p1");
    ASSERT_TRUE(state) << state.error().message;
    EXPECT_EQ(state->project.id, "P1");
    EXPECT_EQ(state->tasks.size(), 3u);
}

TEST_P(StoreTest, LoadingAnUnknownProjectIsNotFound) {
    auto state = m_store->load_project("NOPE");
    ASSERT_FALSE(state);
    EXPECT_EQ(state.error().code, ErrorCode::not_found);
    EXPECT_NE(state.error().message.find("NOPE"), std::string::npos);
}

TEST_P(StoreTest, ReimportReplacesThePlanKeepsTheLogAndAuditsTheChanges) {
    import_plan();
    ASSERT_TRUE(m_store->apply(progress_update("T003", 60), chat_source()));
    size_t before = audit_rows();

    auto plan = make_plan();
    plan.tasks[2].name = "海报设计 (终稿)";
    plan.tasks.erase(plan.tasks.begin() + 1);  // T002 dropped from the plan
    import_plan(plan);

    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    ASSERT_EQ(state->tasks.size(), 2u);
    EXPECT_EQ(state->tasks[1].name, "海报设计 (终稿)");
    EXPECT_EQ(state->tasks[1].last_update, make_date(2024, 3, 21)) << "kept across the import";
    ASSERT_EQ(state->progress.size(), 1u);

    auto audit = m_store->audit_log("P1", "");
    ASSERT_TRUE(audit);
    std::vector<std::pair<std::string, std::string>> changes;
    for (size_t i = before; i < audit->size(); ++i)
        changes.emplace_back((*audit)[i].entity_id, (*audit)[i].field);
    // T003: name changed, completion 60 -> 30 from the plan; T002 deleted.
    EXPECT_NE(std::find(changes.begin(), changes.end(), std::pair<std::string, std::string>{"P1/T003", "name"}), changes.end());
    EXPECT_NE(std::find(changes.begin(), changes.end(), std::pair<std::string, std::string>{"P1/T003", "completion"}), changes.end());
    EXPECT_NE(std::find(changes.begin(), changes.end(), std::pair<std::string, std::string>{"P1/T002", "deleted"}), changes.end());
    EXPECT_EQ(changes.size(), 3u);
}

TEST_P(StoreTest, ImportDoesNotWipePlatformIdsOfKnownPeople) {
    ASSERT_TRUE(m_store->upsert_person(core::Person{"laowang", "老王", "市场部", "U2", "ou_2", "2002", "", ""}));
    import_plan();  // names laowang without Feishu/DingTalk ids
    auto person = m_store->find_person("laowang");
    ASSERT_TRUE(person && *person);
    EXPECT_EQ((*person)->feishu, "ou_2");
    EXPECT_EQ((*person)->dingtalk, "2002");
}

TEST_P(StoreTest, ImportRejectsDuplicateTaskIds) {
    auto plan = make_plan();
    plan.tasks[2].id = "T002";  // collides with "t002" once normalised
    auto done = m_store->import_project(plan, chat_source());
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, ErrorCode::invalid_argument);
    EXPECT_FALSE(*m_store->find_project("P1"));
}

TEST_P(StoreTest, ApplyWritesTheTaskAProgressEntryAndAuditRows) {
    import_plan();
    TaskUpdate u = progress_update("t003", 60);
    u.status = core::Status::in_progress;  // unchanged: no audit row
    u.evidence = "https://drive/poster-v1.png";
    u.problem = "字体授权";
    u.solution = "换开源字体";
    u.deviation_rate = 0.125;
    auto change = m_store->apply(u, chat_source());
    ASSERT_TRUE(change) << change.error().message;
    EXPECT_EQ(change->before.completion, 30);
    EXPECT_EQ(change->after.completion, 60);
    EXPECT_EQ(change->after.last_update, make_date(2024, 3, 21));

    auto task = m_store->find_task("T003", {"P1"});
    ASSERT_TRUE(task && *task);
    EXPECT_EQ((*task)->completion, 60);
    EXPECT_EQ((*task)->last_update, make_date(2024, 3, 21));

    auto log = m_store->progress_log("P1", "T003");
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 1u);
    const auto& e = log->front();
    EXPECT_EQ(e.id, change->progress_entry_id);
    EXPECT_EQ(e.action, "progress");
    EXPECT_EQ(e.actual_content, "海报初稿已交");
    EXPECT_EQ(e.completion, 60);
    EXPECT_EQ(e.deviation_rate, 0.125);
    EXPECT_EQ(e.problem, "字体授权");
    EXPECT_EQ(e.solution, "换开源字体");
    EXPECT_EQ(e.evidence, "https://drive/poster-v1.png");
    EXPECT_EQ(e.source, "slack:C123:1710900000.000100");
    EXPECT_EQ(e.who, "xiaoming");
    EXPECT_EQ(e.date, make_date(2024, 3, 21));
    EXPECT_EQ(e.at_unix, 1710900000);

    auto audit = m_store->audit_log("P1", "T003");
    ASSERT_TRUE(audit);
    std::vector<core::AuditEntry> by_chat;
    for (const auto& a : *audit)
        if (a.source == "slack:C123:1710900000.000100") by_chat.push_back(a);
    ASSERT_EQ(by_chat.size(), 1u);
    EXPECT_EQ(by_chat[0].field, "completion");
    EXPECT_EQ(by_chat[0].old_value, "30");
    EXPECT_EQ(by_chat[0].new_value, "60");
    EXPECT_EQ(by_chat[0].who, "xiaoming");
    EXPECT_EQ(by_chat[0].entity, "task");
    EXPECT_EQ(by_chat[0].entity_id, "P1/T003");
    EXPECT_EQ(by_chat[0].at_unix, 1710900000);
}

TEST_P(StoreTest, AnAcknowledgementIsLoggedButIsNotAnUpdateOfTheTask) {
    import_plan();
    auto before = m_store->find_task("T003", {"P1"});
    ASSERT_TRUE(before && *before);
    TaskUpdate ack;
    ack.project_id = "P1";
    ack.task_id = "T003";
    ack.action = "ack";
    ack.date = make_date(2024, 3, 22);
    ack.counts_as_progress = false;
    auto change = m_store->apply(ack, chat_source());
    ASSERT_TRUE(change) << change.error().message;
    auto after = m_store->find_task("T003", {"P1"});
    ASSERT_TRUE(after && *after);
    EXPECT_EQ((*after)->last_update, (*before)->last_update) << "R9 still sees the owner's last update";
    auto log = m_store->progress_log("P1", "T003");
    ASSERT_TRUE(log);
    ASSERT_EQ(log->size(), 1u);
    EXPECT_EQ(log->front().action, "ack");
    EXPECT_EQ(log->front().who, "xiaoming");
}

TEST_P(StoreTest, ApplyAuditsDatesAsIsoAndEnumsByName) {
    import_plan();
    TaskUpdate u;
    u.project_id = "P1";
    u.task_id = "T003";
    u.action = "delay";
    u.status = core::Status::delayed;
    u.planned_finish = make_date(2024, 4, 5);
    u.date = make_date(2024, 3, 26);
    core::DeviationReport report;
    report.cause_kind = core::CauseKind::objective;
    report.cause = "供应商产能不足";
    report.remedy = "加急";
    report.new_planned_finish = make_date(2024, 4, 5);
    u.deviation_report = report;
    ASSERT_TRUE(m_store->apply(u, chat_source(1711400000)));

    auto audit = m_store->audit_log("P1", "T003");
    ASSERT_TRUE(audit);
    std::map<std::string, std::pair<std::string, std::string>> fields;
    for (const auto& a : *audit)
        if (a.at_unix == 1711400000) fields[a.field] = {a.old_value, a.new_value};
    ASSERT_EQ(fields.size(), 2u);
    EXPECT_EQ(fields["status"], std::make_pair(std::string("in_progress"), std::string("delayed")));
    EXPECT_EQ(fields["planned_finish"], std::make_pair(std::string("2024-03-25"), std::string("2024-04-05")));

    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    ASSERT_EQ(state->deviation_reports.size(), 1u);
    const auto& stored = state->deviation_reports[0];
    EXPECT_EQ(stored.task_id, "T003");
    EXPECT_EQ(stored.cause_kind, core::CauseKind::objective);
    EXPECT_EQ(stored.cause, "供应商产能不足");
    EXPECT_EQ(stored.new_planned_finish, make_date(2024, 4, 5));
    EXPECT_EQ(stored.date, make_date(2024, 3, 26));
    EXPECT_EQ(stored.who, "xiaoming");
}

TEST_P(StoreTest, ApplyCanClearBlockedState) {
    import_plan();
    TaskUpdate block;
    block.project_id = "P1";
    block.task_id = "T003";
    block.action = "block";
    block.status = core::Status::blocked;
    block.blocked_reason = "等待客户确认";
    block.blocked_since = std::optional<Date>(make_date(2024, 3, 21));
    block.date = make_date(2024, 3, 21);
    ASSERT_TRUE(m_store->apply(block, chat_source()));
    TaskUpdate unblock = block;
    unblock.action = "unblock";
    unblock.status = core::Status::in_progress;
    unblock.blocked_reason = "";
    unblock.blocked_since = std::optional<Date>();
    auto change = m_store->apply(unblock, chat_source());
    ASSERT_TRUE(change);
    EXPECT_EQ(change->before.blocked_reason, "等待客户确认");
    auto task = m_store->find_task("T003", {});
    ASSERT_TRUE(task && *task);
    EXPECT_EQ((*task)->status, core::Status::in_progress);
    EXPECT_EQ((*task)->blocked_reason, "");
    EXPECT_FALSE((*task)->blocked_since.has_value());
}

TEST_P(StoreTest, UpdateToAnUnknownTaskChangesNothing) {
    import_plan();
    size_t before = audit_rows();
    auto change = m_store->apply(progress_update("T999", 50), chat_source());
    ASSERT_FALSE(change);
    EXPECT_EQ(change.error().code, ErrorCode::not_found);
    EXPECT_NE(change.error().message.find("T999"), std::string::npos);
    EXPECT_NE(change.error().message.find("P1"), std::string::npos);
    EXPECT_TRUE(m_store->progress_log("P1", "")->empty());
    EXPECT_EQ(audit_rows(), before);
}

TEST_P(StoreTest, CompletionOutsideZeroToHundredIsRejected) {
    import_plan();
    auto change = m_store->apply(progress_update("T003", 120), chat_source());
    ASSERT_FALSE(change);
    EXPECT_EQ(change.error().code, ErrorCode::invalid_argument);
    EXPECT_EQ((*m_store->find_task("T003", {}))->completion, 30);
}

TEST_P(StoreTest, FailingTransactionBodyLeavesNothing) {
    import_plan();
    size_t before = audit_rows();
    auto result = m_store->transaction([&]() -> core::Result<void> {
        EXPECT_TRUE(m_store->apply(progress_update("T003", 90), chat_source()));
        EXPECT_TRUE(m_store->put_state("cursor", "42"));
        EXPECT_TRUE(*m_store->remember_inbound("slack", "Ev42", 1));
        return core::make_error(ErrorCode::conflict, "injected failure");
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().message, "injected failure");
    EXPECT_EQ((*m_store->find_task("T003", {}))->completion, 30);
    EXPECT_TRUE(m_store->progress_log("P1", "")->empty());
    EXPECT_EQ(audit_rows(), before);
    EXPECT_FALSE(*m_store->get_state("cursor"));
    EXPECT_TRUE(*m_store->remember_inbound("slack", "Ev42", 2)) << "the key was rolled back";
}

TEST_P(StoreTest, FailingNestedBodyRollsBackTheWholeTransaction) {
    import_plan();
    auto result = m_store->transaction([&]() -> core::Result<void> {
        EXPECT_TRUE(m_store->put_state("outer", "1"));
        auto inner = m_store->apply(progress_update("T404", 10), chat_source());  // nested, fails
        EXPECT_FALSE(inner);
        return core::ok();  // the outer body ignores the failure
    });
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::not_found);
    EXPECT_FALSE(*m_store->get_state("outer"));
}

TEST_P(StoreTest, NestedTransactionsCommitWithTheOuterOne) {
    import_plan();
    auto result = m_store->transaction([&]() -> core::Result<void> {
        if (auto r = m_store->put_state("a", "1"); !r) return r;
        return m_store->transaction([&]() -> core::Result<void> { return m_store->put_state("b", "2"); });
    });
    ASSERT_TRUE(result) << result.error().message;
    reopen();
    EXPECT_EQ(m_store->get_state("a")->value_or(""), "1");
    EXPECT_EQ(m_store->get_state("b")->value_or(""), "2");
}

TEST_P(StoreTest, FindTaskIgnoresCaseAndNamesProjectsWhenAmbiguous) {
    import_plan(make_plan("P1"));
    import_plan(make_plan("P2"));

    auto only_p2 = m_store->find_task("t003", {"p2"});
    ASSERT_TRUE(only_p2 && *only_p2) << (only_p2 ? "" : only_p2.error().message);
    EXPECT_EQ((*only_p2)->project_id, "P2");
    EXPECT_EQ((*only_p2)->id, "T003");

    auto ambiguous = m_store->find_task("T003", {});
    ASSERT_FALSE(ambiguous);
    EXPECT_EQ(ambiguous.error().code, ErrorCode::conflict);
    EXPECT_NE(ambiguous.error().message.find("P1"), std::string::npos);
    EXPECT_NE(ambiguous.error().message.find("P2"), std::string::npos);

    auto missing = m_store->find_task("T404", {});
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());

    auto bound_to_both = m_store->find_task("t003", {"p2", "P1"});
    ASSERT_FALSE(bound_to_both);
    EXPECT_EQ(bound_to_both.error().message, "task T003 exists in several projects: P1, P2");
    auto listed_twice = m_store->find_task("T003", {"P1", "p1"});
    ASSERT_TRUE(listed_twice && *listed_twice);
    EXPECT_EQ((*listed_twice)->project_id, "P1");
    auto missing_in_bound = m_store->find_task("T404", {"P1", "P2"});
    ASSERT_TRUE(missing_in_bound);
    EXPECT_FALSE(missing_in_bound->has_value());
}

TEST_P(StoreTest, FindPersonByIdThenNameThenPlatform) {
    ASSERT_TRUE(m_store->upsert_person(core::Person{"xiaoming", "小明", "市场部", "U1", "ou_1", "1001", "", ""}));
    ASSERT_TRUE(m_store->upsert_person(core::Person{"xiaohong", "小红", "设计部", "", "ou_2", "", "", ""}));

    EXPECT_EQ((*m_store->find_person("xiaoming"))->name, "小明");
    EXPECT_EQ((*m_store->find_person("小红"))->id, "xiaohong");
    EXPECT_FALSE(m_store->find_person("nobody")->has_value());

    struct Case {
        const char* platform;
        const char* user_id;
        const char* expected;  // "" = nobody
    };
    for (const Case& c : {Case{"slack", "U1", "xiaoming"}, Case{"feishu", "ou_2", "xiaohong"},
                          Case{"dingtalk", "1001", "xiaoming"}, Case{"slack", "", ""},
                          Case{"dingtalk", "9999", ""}}) {
        auto found = m_store->find_person_by_platform(c.platform, c.user_id);
        ASSERT_TRUE(found) << c.platform;
        EXPECT_EQ(found->has_value() ? (*found)->id : "", c.expected) << c.platform << " " << c.user_id;
    }
    auto bad = m_store->find_person_by_platform("telegram", "1");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
}

// The lookups every message makes (a chat, a person by account and by id) are answered from
// memory; what another connection commits (trackerctl, another replica) must still show.
TEST_P(StoreTest, LookupsSeeWhatAnotherConnectionCommitted) {
    import_plan();
    ASSERT_FALSE(m_store->find_person_by_platform("slack", "U9")->has_value());
    ASSERT_FALSE(m_store->chat("slack", "C9")->has_value());
    ASSERT_EQ(m_store->load_task_plan("P1", "T003")->person_name("laowang"), "老王");

    auto other = Store::open(m_where);
    ASSERT_TRUE(other) << other.error().message;
    ASSERT_TRUE((*other)->upsert_person(core::Person{"xiaoming", "小明", "市场部", "U9", "", "", "", ""}));
    ASSERT_TRUE((*other)->upsert_person(core::Person{"laowang", "王总", "市场部", "U2", "", "", "", ""}));
    core::ChatEntry chat;
    chat.platform = "slack";
    chat.chat_id = "C9";
    chat.projects = {"P1"};
    ASSERT_TRUE((*other)->put_chat(chat, core::EntrySource::chat, "", core::ChangeSource{"admin", "test", "", "", 1}));

    // The store looks for other connections' commits at most once a window (SQLite's is short:
    // the lookups of one message share a look).
    const bool postgresql = GetParam() == testing_support::Backend::postgresql;
    std::this_thread::sleep_for((postgresql ? Store::k_read_cache_window : Store::k_read_cache_window_free) +
                                std::chrono::milliseconds(20));
    auto person = m_store->find_person_by_platform("slack", "U9");
    ASSERT_TRUE(person && person->has_value());
    EXPECT_EQ((*person)->id, "xiaoming");
    auto record = m_store->chat("slack", "C9");
    ASSERT_TRUE(record && record->has_value());
    EXPECT_EQ((*record)->chat.projects, std::vector<std::string>{"P1"});
    EXPECT_EQ(m_store->load_task_plan("P1", "T003")->person_name("laowang"), "王总");
}

TEST_P(StoreTest, LookupsSeeThisStoresOwnWritesAtOnce) {
    ASSERT_FALSE(m_store->find_person_by_platform("feishu", "ou_9")->has_value());  // "nobody" is remembered too
    ASSERT_TRUE(m_store->upsert_person(core::Person{"xiaohong", "小红", "设计部", "", "ou_9", "", "", ""}));
    auto found = m_store->find_person_by_platform("feishu", "ou_9");
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->id, "xiaohong");
    ASSERT_TRUE(m_store->link_account("xiaohong", "slack", "U5", core::EntrySource::chat, core::ChangeSource{"admin", "test", "", "", 1}));
    found = m_store->find_person_by_platform("slack", "U5");
    ASSERT_TRUE(found && found->has_value());
    EXPECT_EQ((*found)->id, "xiaohong");
}

// What a transaction wrote and then undid is never answered from memory afterwards, even
// when it was looked up inside the transaction.
TEST_P(StoreTest, LookupsForgetWhatARollbackUndid) {
    core::ChatEntry chat;
    chat.platform = "slack";
    chat.chat_id = "C7";
    chat.projects = {"P1"};
    const core::ChangeSource by{"admin", "test", "", "", 1};
    auto failed_item = m_store->transaction([&]() -> core::Result<void> {
        auto saved = m_store->savepoint([&]() -> core::Result<void> {
            EXPECT_TRUE(m_store->upsert_person(core::Person{"lisi", "李四", "", "U7", "", "", "", ""}));
            EXPECT_TRUE(m_store->put_chat(chat, core::EntrySource::chat, "", by));
            EXPECT_TRUE(m_store->find_person_by_platform("slack", "U7")->has_value());
            EXPECT_TRUE(m_store->chat("slack", "C7")->has_value());
            return core::make_error(ErrorCode::conflict, "injected failure");
        });
        EXPECT_FALSE(saved);
        return core::ok();
    });
    ASSERT_TRUE(failed_item) << failed_item.error().message;
    EXPECT_FALSE(m_store->find_person_by_platform("slack", "U7")->has_value());
    EXPECT_FALSE(m_store->chat("slack", "C7")->has_value());

    auto failed = m_store->transaction([&]() -> core::Result<void> {
        EXPECT_TRUE(m_store->upsert_person(core::Person{"lisi", "李四", "", "U7", "", "", "", ""}));
        EXPECT_TRUE(m_store->find_person_by_platform("slack", "U7")->has_value());
        return core::make_error(ErrorCode::conflict, "injected failure");
    });
    ASSERT_FALSE(failed);
    EXPECT_FALSE(m_store->find_person_by_platform("slack", "U7")->has_value());
}

TEST_P(StoreTest, TwoPeopleWithTheSameNameAreAConflict) {
    ASSERT_TRUE(m_store->upsert_person(core::Person{"wang1", "王伟", "", "", "", "", "", ""}));
    ASSERT_TRUE(m_store->upsert_person(core::Person{"wang2", "王伟", "", "", "", "", "", ""}));
    auto found = m_store->find_person("王伟");
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, ErrorCode::conflict);
    EXPECT_EQ((*m_store->find_person("wang2"))->id, "wang2");
}

TEST_P(StoreTest, KpiAndRiskUpsertsAreAudited) {
    import_plan();
    core::Kpi kpi = make_plan().kpis[0];
    kpi.current = 600;
    ASSERT_TRUE(m_store->upsert_kpi(kpi, chat_source(5)));
    core::RiskItem risk = make_plan().risks[0];
    risk.status = core::RiskStatus::resolved;
    ASSERT_TRUE(m_store->upsert_risk(risk, chat_source(5)));

    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->kpis[0].current, 600);
    EXPECT_EQ(state->risks[0].status, core::RiskStatus::resolved);
    std::vector<std::string> fields;
    auto audit = m_store->audit_log("P1", "");
    ASSERT_TRUE(audit);
    for (const auto& a : *audit)
        if (a.at_unix == 5) fields.push_back(a.entity_id + ":" + a.field + ":" + a.old_value + "->" + a.new_value);
    EXPECT_EQ(fields, (std::vector<std::string>{"P1/K001:current:400->600", "P1/R001:status:open->resolved"}));

    kpi.project_id = "NOPE";
    auto missing = m_store->upsert_kpi(kpi, chat_source());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(StoreTest, InboundKeysAreRememberedAcrossRestarts) {
    EXPECT_TRUE(*m_store->remember_inbound("slack", "Ev1", 100));
    EXPECT_FALSE(*m_store->remember_inbound("slack", "Ev1", 101));
    EXPECT_TRUE(*m_store->remember_inbound("feishu", "Ev1", 102)) << "keys are per platform";
    reopen();
    EXPECT_FALSE(*m_store->remember_inbound("slack", "Ev1", 200));
    EXPECT_TRUE(*m_store->remember_inbound("slack", "Ev2", 300));

    auto removed = m_store->forget_inbound_before(150);
    ASSERT_TRUE(removed);
    EXPECT_EQ(*removed, 2);
    EXPECT_TRUE(*m_store->remember_inbound("slack", "Ev1", 400));
    EXPECT_FALSE(*m_store->remember_inbound("slack", "Ev2", 400));
}

TEST_P(StoreTest, ASignatureIsBoundToItsFirstMessageAcrossRestartsUntilItExpires) {
    ASSERT_TRUE(*m_store->bind_signature("dingtalk", "1700000000000:sig", "msgA d1", 3700, 1000));
    EXPECT_TRUE(*m_store->bind_signature("dingtalk", "1700000000000:sig", "msgA d1", 3700, 1001)) << "a redelivery";
    EXPECT_FALSE(*m_store->bind_signature("dingtalk", "1700000000000:sig", "msgB d2", 3700, 1002));
    EXPECT_TRUE(*m_store->bind_signature("slack", "1700000000000:sig", "msgB d2", 3700, 1002)) << "per platform";
    reopen();
    EXPECT_FALSE(*m_store->bind_signature("dingtalk", "1700000000000:sig", "msgB d2", 3700, 1003));
    EXPECT_EQ(*m_store->signature_binding("dingtalk", "1700000000000:sig", 1003), std::optional<std::string>("msgA d1"));
    EXPECT_EQ(*m_store->signature_binding("dingtalk", "other", 1003), std::nullopt);
    // Past its expiry the binding is as good as gone, and pruning removes it.
    EXPECT_EQ(*m_store->signature_binding("dingtalk", "1700000000000:sig", 3701), std::nullopt);
    EXPECT_TRUE(*m_store->bind_signature("dingtalk", "1700000000000:sig", "msgC d3", 9000, 3701));
    EXPECT_EQ(*m_store->forget_signatures_before(3800), 1) << "the slack one expired at 3700";
    EXPECT_EQ(*m_store->forget_signatures_before(9001), 1);
    EXPECT_EQ(*m_store->signature_binding("dingtalk", "1700000000000:sig", 100), std::nullopt);
}

OutboxMessage message(std::string dedup_key, long long next_attempt_at = 1000) {
    OutboxMessage m;
    m.platform = "slack";
    m.channel = "api";
    m.destination = "C123";
    m.kind = "digest";
    m.body = R"({"text":"日报"})";
    m.dedup_key = std::move(dedup_key);
    m.created_at = 900;
    m.next_attempt_at = next_attempt_at;
    return m;
}

TEST_P(StoreTest, EnqueueIsIdempotentOnTheDedupKey) {
    auto first = m_store->enqueue(message("digest:P1:2024-03-21"));
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(first->inserted);
    auto again = m_store->enqueue(message("digest:P1:2024-03-21"));
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->inserted);
    EXPECT_EQ(again->id, first->id);
    // No key: never de-duplicated.
    EXPECT_TRUE(m_store->enqueue(message(""))->inserted);
    EXPECT_TRUE(m_store->enqueue(message(""))->inserted);
    EXPECT_EQ(m_store->outbox(std::nullopt, 0)->size(), 3u);
}

TEST_P(StoreTest, DueHeadsVisitEachDestinationOnceAndTakeTheOldestFewOfTheWantedOnes) {
    auto to = [](std::string key, std::string platform, std::string destination) {
        OutboxMessage m = message(std::move(key));
        m.platform = std::move(platform);
        m.destination = std::move(destination);
        return m;
    };
    std::vector<long long> ids;
    for (const auto& [key, platform, destination] :
         std::vector<std::tuple<std::string, std::string, std::string>>{{"a1", "slack", "A"},
                                                                        {"a2", "slack", "A"},
                                                                        {"a3", "slack", "A"},
                                                                        {"b1", "slack", "B"},
                                                                        {"a4", "slack", "A"},
                                                                        {"fa", "feishu", "A"},  // another platform's A
                                                                        {"b2", "slack", "B"},
                                                                        {"b3", "slack", "B"}})
        ids.push_back(m_store->enqueue(to(key, platform, destination))->id);
    auto id_list = [](const std::vector<OutboxMessage>& rows) {
        std::vector<long long> out;
        for (const auto& row : rows) out.push_back(row.id);
        return out;
    };
    std::vector<std::string> asked;
    auto two = [&](const OutboxMessage& head) {
        asked.push_back(head.platform + "/" + head.destination + "/" + head.channel);
        return 2;
    };
    auto heads = m_store->due_heads(1000, 10, two);
    ASSERT_TRUE(heads) << heads.error().message;
    // Destination by destination (feishu/A, slack/A, slack/B), two of each, oldest first.
    EXPECT_EQ(asked, (std::vector<std::string>{"feishu/A/api", "slack/A/api", "slack/B/api"}));
    EXPECT_EQ(id_list(*heads), (std::vector<long long>{ids[5], ids[0], ids[1], ids[3], ids[6]}));
    EXPECT_EQ((*heads)[0].platform, "feishu");
    EXPECT_EQ((*heads)[0].destination, "A");
    EXPECT_EQ((*heads)[0].channel, "api");
    EXPECT_TRUE((*heads)[0].body.empty());
    EXPECT_EQ(id_list(*m_store->due_heads(1000, 3, two)), (std::vector<long long>{ids[5], ids[0], ids[1]}));
    auto all = [](const OutboxMessage&) { return -1; };
    EXPECT_EQ(m_store->due_heads(1000, 0, all)->size(), 8u);  // no limits
    auto not_slack_a = [](const OutboxMessage& head) { return head.platform == "slack" && head.destination == "A" ? 0 : 2; };
    EXPECT_EQ(id_list(*m_store->due_heads(1000, 10, not_slack_a)), (std::vector<long long>{ids[5], ids[3], ids[6]}));

    ASSERT_TRUE(m_store->mark_sent(ids[0], 1001, ""));
    ASSERT_TRUE(m_store->mark_failed(ids[1], 5000, "HTTP 500", false));  // a2 not due
    EXPECT_EQ(id_list(*m_store->due_heads(1000, 10, two)), (std::vector<long long>{ids[5], ids[2], ids[4], ids[3], ids[6]}));

    // Whole rows in the order asked; a row no longer pending (a1 sent) or missing is left out.
    auto rows = m_store->outbox_messages({ids[5], ids[0], 999999, ids[2]});
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(id_list(*rows), (std::vector<long long>{ids[5], ids[2]}));
    EXPECT_EQ((*rows)[0].dedup_key, "fa");
    EXPECT_EQ((*rows)[1].body, R"({"text":"日报"})");
}

TEST_P(StoreTest, OutboxLifecycleSurvivesRestarts) {
    long long a = m_store->enqueue(message("a", 1000))->id;
    long long b = m_store->enqueue(message("b", 1000))->id;
    long long c = m_store->enqueue(message("c", 5000))->id;

    auto due = m_store->due_messages(1000, 10);
    ASSERT_TRUE(due);
    ASSERT_EQ(due->size(), 2u);
    EXPECT_EQ((*due)[0].id, a);
    EXPECT_EQ((*due)[1].id, b);
    EXPECT_EQ((*due)[0].body, R"({"text":"日报"})");
    EXPECT_EQ(m_store->due_messages(1000, 1)->size(), 1u);

    ASSERT_TRUE(m_store->mark_sent(a, 1001, "1710900000.000200"));
    ASSERT_TRUE(m_store->mark_failed(b, 1060, "HTTP 429", false));
    reopen();

    EXPECT_TRUE(m_store->due_messages(1059, 10)->empty());
    due = m_store->due_messages(1060, 10);
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].id, b);
    EXPECT_EQ((*due)[0].attempts, 1);
    EXPECT_EQ((*due)[0].last_error, "HTTP 429");

    ASSERT_TRUE(m_store->mark_failed(b, 2000, "HTTP 400 channel_not_found", true));
    auto dead = m_store->outbox(OutboxState::dead, 10);
    ASSERT_EQ(dead->size(), 1u);
    EXPECT_EQ((*dead)[0].id, b);
    EXPECT_EQ((*dead)[0].attempts, 2);
    EXPECT_TRUE(m_store->due_messages(9999, 10)->size() == 1u) << "only c; dead b is never retried";

    auto sent = m_store->outbox(OutboxState::sent, 10);
    ASSERT_EQ(sent->size(), 1u);
    EXPECT_EQ((*sent)[0].remote_id, "1710900000.000200");
    EXPECT_EQ((*sent)[0].sent_at, 1001);
    EXPECT_EQ(std::string(store::to_string((*sent)[0].state)), "sent");

    ASSERT_TRUE(m_store->requeue(b, 3000));
    reopen();
    due = m_store->due_messages(3000, 10);
    ASSERT_EQ(due->size(), 1u);
    EXPECT_EQ((*due)[0].id, b);
    EXPECT_EQ((*due)[0].attempts, 0);
    EXPECT_EQ(m_store->outbox(OutboxState::pending, 10)->size(), 2u);
    EXPECT_EQ(c, m_store->outbox(OutboxState::pending, 10)->back().id);
}

TEST_P(StoreTest, SentMessagesCannotBeFailedOrRequeued) {
    long long id = m_store->enqueue(message("x"))->id;
    ASSERT_TRUE(m_store->mark_sent(id, 1, "r1"));
    auto failed = m_store->mark_failed(id, 2, "late error", false);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, ErrorCode::conflict);
    EXPECT_EQ(m_store->requeue(id, 2).error().code, ErrorCode::conflict);
    EXPECT_EQ(m_store->mark_sent(9999, 1, "").error().code, ErrorCode::not_found);
    EXPECT_EQ(m_store->outbox(OutboxState::sent, 0)->size(), 1u);
}

TEST_P(StoreTest, StateValuesAreOverwrittenAndSurviveRestarts) {
    EXPECT_FALSE(m_store->get_state("digest:C1")->has_value());
    ASSERT_TRUE(m_store->put_state("digest:C1", "2024-03-20"));
    ASSERT_TRUE(m_store->put_state("digest:C1", "2024-03-21"));
    reopen();
    EXPECT_EQ(m_store->get_state("digest:C1")->value_or(""), "2024-03-21");
}

TEST_P(StoreTest, ConcurrentWritersLoseNothing) {
    auto plan = make_plan();
    constexpr int k_threads = 4;
    constexpr int k_updates = 50;
    plan.tasks.clear();
    for (int t = 0; t < k_threads; ++t) plan.tasks.push_back(make_task("W" + std::to_string(t), "task", t));
    import_plan(plan);
    size_t audit_before = audit_rows();
    {
        std::vector<std::jthread> threads;
        for (int t = 0; t < k_threads; ++t)
            threads.emplace_back([this, t] {
                for (int i = 1; i <= k_updates; ++i) {
                    auto done = m_store->apply(progress_update("W" + std::to_string(t), i), chat_source());
                    EXPECT_TRUE(done) << done.error().message;
                    EXPECT_TRUE(*m_store->remember_inbound("slack", std::to_string(t) + ":" + std::to_string(i), i));
                }
            });
    }
    auto state = m_store->load_project("P1");
    ASSERT_TRUE(state);
    EXPECT_EQ(state->progress.size(), static_cast<size_t>(k_threads * k_updates));
    for (const auto& task : state->tasks) EXPECT_EQ(task.completion, k_updates) << task.id;
    EXPECT_EQ(audit_rows() - audit_before, static_cast<size_t>(k_threads * k_updates));
    EXPECT_EQ(*m_store->forget_inbound_before(1000), k_threads * k_updates);
}

}  // namespace
