// The retrospective (复盘) end to end over the real store and a fake clock: the scheduler drafts it
// once when the demo campaign closes, reminds once after the due day, never twice across a
// restart; `确认复盘` from the project owner stops the reminder, anyone else is refused; a project
// whose status is closed gets only the draft.
#include <gtest/gtest.h>

#include <map>

#include "bot/pipeline/dispatcher.h"
#include "bot/ops/local_time.h"
#include "bot/schedule/scheduler.h"
#include "bot/team/seed.h"
#include "core/store/ledger.h"
#include "bot/platforms/slack/slack_routes.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::FakeClock;
using testing_support::TempDir;

constexpr const char* k_zone = "Asia/Shanghai";

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

class RetroTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_db = m_dir.file("trackerd.db");
        ASSERT_EQ(testing_support::import_demo(m_db, 1700000000), "");
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        m_store = std::move(*store);
        m_config = config::default_config();
        m_config.database = m_db;
        m_config.timezone = k_zone;
        m_config.slack.enabled = true;
        m_config.people.push_back(core::Person{"经理", "经理", "市场部", "U0MANAGER", "", "", "", ""});
        config::ChatConfig chat;
        chat.platform = "slack";
        chat.chat_id = "C1";
        chat.projects = {"P1"};
        m_config.chats = {chat};
    }

    // Every leaf task done, the last on Fri 2024-05-31 (T003 a week late with a report).
    void finish_every_task() {
        auto state = m_store->load_project("P1");
        ASSERT_TRUE(state);
        for (const core::Task* task : core::leaf_tasks(*state)) {
            core::TaskUpdate done;
            done.project_id = "P1";
            done.task_id = task->id;
            done.action = "done";
            done.status = core::Status::done;
            done.completion = 100;
            core::Date finish = task->id == "T003" ? core::make_date(2024, 4, 1)
                                                   : task->planned_finish.value_or(core::make_date(2024, 5, 31));
            done.actual_finish = std::optional<core::Date>(finish);
            done.date = finish;
            if (task->id == "T003") {
                core::DeviationReport report;
                report.cause = "客户改稿三次";
                report.cause_kind = core::CauseKind::objective;
                done.deviation_report = report;
            }
            ASSERT_TRUE(m_store->apply(done, core::ChangeSource{"经理", "cli", "", "", 1717000000}));
        }
    }

    std::unique_ptr<bot::Scheduler> scheduler() {
        // As App::create does: the config's people and chats into the directory.
        auto seeded = bot::seed_directory(*m_store, m_config, m_clock.now_unix());
        EXPECT_TRUE(seeded) << (seeded ? "" : seeded.error().message);
        return std::make_unique<bot::Scheduler>(*m_store, m_clock, m_config,
                                                std::map<std::string, const bot::PlatformOut*>{{"slack", &m_out}},
                                                std::function<void()>{});
    }

    void run(bot::Scheduler& s, long long from, long long to, long long step = 1800) {
        for (long long now = from; now <= to; now += step) {
            m_clock.set_unix(now);
            EXPECT_EQ(s.run_once().failed, 0);
        }
    }

    std::vector<store::OutboxMessage> rows(const std::string& kind) {
        auto all = m_store->outbox(std::nullopt, 10000);
        EXPECT_TRUE(all);
        std::vector<store::OutboxMessage> out;
        for (auto& row : *all)
            if (row.kind == kind) out.push_back(std::move(row));
        return out;
    }

    std::string say(const std::string& person, const std::string& text) {
        bot::Dispatcher dispatcher(*m_store);
        bot::DispatchContext context;
        auto found = m_store->find_person(person);
        if (found && *found) context.sender = **found;
        context.project_ids = {"P1"};
        context.today = bot::local_date(m_clock.now_unix(), k_zone);
        context.source = core::ChangeSource{context.sender.id, "slack", "C1", "m1", m_clock.now_unix()};
        auto result = dispatcher.handle(text, context);
        EXPECT_TRUE(result);
        return result ? result->reply.joined_text() : "";
    }

    static long long at(int y, unsigned m, unsigned d, int hh, int mm) {
        return bot::unix_at_local(core::make_date(y, m, d), hh * 60 + mm, k_zone);
    }

    TempDir m_dir;
    std::string m_db;
    std::unique_ptr<store::Store> m_store;
    FakeClock m_clock;
    config::Config m_config;
    bot::SlackOut m_out;
};

TEST_F(RetroTest, DraftedOnceWhenTheLastTaskIsDoneAndRemindedOnceAfterThreeWorkingDays) {
    finish_every_task();
    {
        auto s = scheduler();
        run(*s, at(2024, 6, 3, 0, 0), at(2024, 6, 5, 12, 0));  // Mon .. Wed noon
    }
    auto drafts = rows("retro");
    ASSERT_EQ(drafts.size(), 1u);
    EXPECT_EQ(bot::local_date(drafts[0].created_at, k_zone), core::make_date(2024, 6, 3));
    EXPECT_EQ(bot::local_minutes_of_day(drafts[0].created_at, k_zone), 9 * 60);  // with the day's digest
    EXPECT_TRUE(contains(drafts[0].body, "复盘草稿")) << drafts[0].body;
    EXPECT_TRUE(contains(drafts[0].body, "客户改稿三次")) << drafts[0].body;
    EXPECT_TRUE(contains(drafts[0].body, "U0MANAGER")) << "the project owner is asked to confirm";
    auto record = store::ledger::retro(*m_store, "P1");
    ASSERT_TRUE(record && *record);
    EXPECT_EQ((*record)->closed_on, core::make_date(2024, 5, 31));
    EXPECT_EQ((*record)->drafted, core::make_date(2024, 6, 3));
    EXPECT_TRUE(rows("retro-reminder").empty());

    auto restarted = scheduler();  // a restart: the ledger remembers both
    run(*restarted, at(2024, 6, 5, 12, 0), at(2024, 6, 11, 23, 30));
    EXPECT_EQ(rows("retro").size(), 1u);
    auto reminders = rows("retro-reminder");
    ASSERT_EQ(reminders.size(), 1u);
    // Drafted Mon 06-03, due Thu 06-06: reminded Fri 06-07 at 09:00.
    EXPECT_EQ(bot::local_date(reminders[0].created_at, k_zone), core::make_date(2024, 6, 7));
    EXPECT_TRUE(contains(reminders[0].body, "确认复盘")) << reminders[0].body;
}

TEST_F(RetroTest, TheOwnersConfirmationStopsTheReminderAndOthersAreRefused) {
    finish_every_task();
    auto s = scheduler();
    run(*s, at(2024, 6, 3, 0, 0), at(2024, 6, 4, 12, 0));
    ASSERT_EQ(rows("retro").size(), 1u);

    std::string refused = say("小明", "确认复盘");
    EXPECT_TRUE(contains(refused, "由项目负责人")) << refused;
    ASSERT_TRUE(store::ledger::retro(*m_store, "P1"));
    EXPECT_FALSE((*store::ledger::retro(*m_store, "P1"))->confirmed());

    std::string confirmed = say("经理", "确认复盘 P1 提前锁定 KOL 档期");
    EXPECT_TRUE(contains(confirmed, "复盘已确认")) << confirmed;
    auto record = store::ledger::retro(*m_store, "P1");
    ASSERT_TRUE(record && *record);
    EXPECT_EQ((*record)->confirmed_by, "经理");
    EXPECT_EQ((*record)->summary, "提前锁定 KOL 档期");
    EXPECT_EQ((*record)->confirmed_from, "slack:C1:m1");

    run(*s, at(2024, 6, 4, 12, 0), at(2024, 6, 12, 12, 0));
    EXPECT_TRUE(rows("retro-reminder").empty());
    EXPECT_TRUE(contains(say("经理", "confirm retro"), "was confirmed by"));
}

TEST_F(RetroTest, NothingToConfirmWhileTheProjectRuns) {
    auto s = scheduler();
    run(*s, at(2024, 3, 4, 0, 0), at(2024, 3, 5, 12, 0));
    EXPECT_TRUE(rows("retro").empty());
    EXPECT_FALSE(*store::ledger::retro(*m_store, "P1"));
    EXPECT_TRUE(contains(say("经理", "确认复盘"), "没有待确认的复盘"));
}

TEST_F(RetroTest, AClosedProjectGetsOnlyTheDraft) {
    auto project = m_store->find_project("P1");
    ASSERT_TRUE(project && *project);
    core::Project closed = **project;
    closed.status = core::ProjectStatus::closed;
    ASSERT_TRUE(m_store->upsert_project(closed, core::ChangeSource{"经理", "cli", "", "", 1710000000}));
    auto s = scheduler();
    run(*s, at(2024, 3, 11, 0, 0), at(2024, 3, 12, 23, 0));  // plenty of late tasks by then
    EXPECT_EQ(rows("retro").size(), 1u);
    EXPECT_TRUE(rows("digest").empty());
    EXPECT_TRUE(rows("warning").empty());
    auto record = store::ledger::retro(*m_store, "P1");
    ASSERT_TRUE(record && *record);
    EXPECT_EQ((*record)->closed_on, core::make_date(2024, 3, 11));  // the status carries no date: the day seen
}

}  // namespace
