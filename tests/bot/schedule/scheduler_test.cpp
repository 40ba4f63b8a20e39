// The scheduler on the demo campaign with a fake clock and the real store: when each push is
// queued (time zones, daylight saving, working days, quiet hours, downtime) and that nothing is
// queued twice. What the messages say is covered by the campaign golden file.

#include <gtest/gtest.h>

#include <map>

#include <SQLiteCpp/SQLiteCpp.h>

#include "bot/ops/local_time.h"
#include "bot/schedule/scheduler.h"
#include "bot/team/seed.h"
#include "bot/platforms/slack/slack_routes.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::FakeClock;
using testing_support::TempDir;

config::ChatConfig chat(const std::string& id, std::optional<std::string> zone = std::nullopt) {
    config::ChatConfig c;
    c.platform = "slack";
    c.chat_id = id;
    c.projects = {"P1"};
    c.timezone = std::move(zone);
    return c;
}

class SchedulerTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_db = m_dir.file("trackerd.db");
        ASSERT_EQ(testing_support::import_demo(m_db, 1700000000), "");
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        m_store = std::move(*store);
        m_config = config::default_config();
        m_config.database = m_db;
        m_config.timezone = "Asia/Shanghai";
        m_config.slack.enabled = true;
        m_config.people.push_back(core::Person{"小王", "小王", "市场部", "U0XIAOWANG", "", "", "", ""});
    }

    std::unique_ptr<bot::Scheduler> scheduler() {
        // As App::create does: the config's people and chats into the directory.
        auto seeded = bot::seed_directory(*m_store, m_config, m_clock.now_unix());
        EXPECT_TRUE(seeded) << (seeded ? "" : seeded.error().message);
        return std::make_unique<bot::Scheduler>(*m_store, m_clock, m_config,
                                                std::map<std::string, const bot::PlatformOut*>{{"slack", &m_out}},
                                                std::function<void()>{});
    }

    // Runs passes every `step` seconds over [from, to] and returns the rows queued.
    std::vector<store::OutboxMessage> run(bot::Scheduler& s, long long from, long long to, long long step = 300) {
        for (long long now = from; now <= to; now += step) {
            m_clock.set_unix(now);
            auto pass = s.run_once();
            EXPECT_EQ(pass.failed, 0);
        }
        return rows();
    }

    std::vector<store::OutboxMessage> rows(const std::string& kind = "") {
        auto all = m_store->outbox(std::nullopt, 10000);
        EXPECT_TRUE(all);
        std::vector<store::OutboxMessage> out;
        for (auto& row : *all)
            if (kind.empty() || row.kind == kind) out.push_back(std::move(row));
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
        return out;
    }

    static long long at(const std::string& zone, int y, unsigned m, unsigned d, int hh, int mm) {
        return bot::unix_at_local(core::make_date(y, m, d), hh * 60 + mm, zone);
    }

    TempDir m_dir;
    std::string m_db;
    std::unique_ptr<store::Store> m_store;
    FakeClock m_clock;
    config::Config m_config;
    bot::SlackOut m_out;
};

// Each (chat, UTC time) of the digests queued.
std::vector<std::pair<std::string, long long>> digests(const std::vector<store::OutboxMessage>& rows) {
    std::vector<std::pair<std::string, long long>> out;
    for (const auto& row : rows)
        if (row.kind == "digest") out.emplace_back(row.destination, row.created_at);
    return out;
}

TEST_F(SchedulerTest, ShanghaiAndLosAngelesChatsGetTheirDigestsAtTheirOwn0900AcrossTheDaylightSavingChange) {
    // US daylight saving time ended on Sunday 2024-11-03; China has none. Start on a weekend
    // in both zones, so that no digest is owed from before the start.
    m_config.chats = {chat("C_SHANGHAI", "Asia/Shanghai"), chat("C_LOS_ANGELES", "America/Los_Angeles")};
    auto s = scheduler();
    auto queued = digests(run(*s, at("UTC", 2024, 10, 27, 0, 0), at("UTC", 2024, 11, 6, 0, 0)));
    ASSERT_EQ(queued.size(), 14u);  // Mon 10-28 .. Tue 11-05: 7 working days x 2 chats
    queued.erase(queued.begin(), queued.begin() + 6);  // Mon 10-28 .. Wed 10-30 go as Thu does

    const long long hour = 3600;
    std::vector<std::pair<std::string, long long>> expected = {
        {"C_SHANGHAI", at("UTC", 2024, 10, 31, 1, 0)},      // Thu 09:00 CST = 01:00 UTC
        {"C_LOS_ANGELES", at("UTC", 2024, 10, 31, 16, 0)},  // Thu 09:00 PDT = 16:00 UTC
        {"C_SHANGHAI", at("UTC", 2024, 11, 1, 1, 0)},
        {"C_LOS_ANGELES", at("UTC", 2024, 11, 1, 16, 0)},
        {"C_SHANGHAI", at("UTC", 2024, 11, 4, 1, 0)},       // Mon: the weekend had none
        {"C_LOS_ANGELES", at("UTC", 2024, 11, 4, 17, 0)},   // Mon 09:00 PST = 17:00 UTC
        {"C_SHANGHAI", at("UTC", 2024, 11, 5, 1, 0)},
        {"C_LOS_ANGELES", at("UTC", 2024, 11, 5, 17, 0)},
    };
    EXPECT_EQ(queued, expected);
    EXPECT_EQ(expected[5].second - expected[3].second, 3 * 24 * hour + hour);  // the clocks went back
    for (const auto& [chat_id, when] : queued) {
        std::string zone = chat_id == "C_SHANGHAI" ? "Asia/Shanghai" : "America/Los_Angeles";
        EXPECT_EQ(bot::local_minutes_of_day(when, zone), 9 * 60) << chat_id;
    }
}

TEST_F(SchedulerTest, DigestMissedWhileDownGoesOutOnceTheSameDayAndIsSkippedTheNextDay) {
    m_config.chats = {chat("C1")};
    const std::string zone = "Asia/Shanghai";
    {
        auto s = scheduler();  // up before 09:00, then "killed"
        run(*s, at(zone, 2024, 3, 4, 8, 0), at(zone, 2024, 3, 4, 8, 55));
    }
    EXPECT_TRUE(digests(rows()).empty());
    {
        auto s = scheduler();  // back at 11:20: today's digest goes out now, once
        run(*s, at(zone, 2024, 3, 4, 11, 20), at(zone, 2024, 3, 4, 12, 0));
    }
    {
        auto s = scheduler();  // a second restart the same day sends nothing again
        run(*s, at(zone, 2024, 3, 4, 12, 5), at(zone, 2024, 3, 4, 13, 0));
    }
    auto monday = digests(rows());
    ASSERT_EQ(monday.size(), 1u);
    EXPECT_EQ(monday[0].second, at(zone, 2024, 3, 4, 11, 20));
    {
        auto s = scheduler();  // down all Tuesday, back on Wednesday: Tuesday's is not sent late
        run(*s, at(zone, 2024, 3, 6, 7, 0), at(zone, 2024, 3, 6, 9, 0));
    }
    auto all = digests(rows());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[1].second, at(zone, 2024, 3, 6, 9, 0));
}

TEST_F(SchedulerTest, HolidaysAndWeekendsAreQuietAndAMakeUpSaturdayIsAWorkingDay) {
    m_config.chats = {chat("C1")};
    m_config.calendar.holidays = {core::make_date(2024, 3, 5)};  // a Tuesday
    m_config.calendar.workdays = {core::make_date(2024, 3, 9)};  // 调休: Saturday is worked
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    auto queued = run(*s, at(zone, 2024, 3, 4, 0, 0), at(zone, 2024, 3, 11, 0, 0), 600);
    std::vector<core::Date> days;
    for (const auto& [chat_id, when] : digests(queued)) days.push_back(bot::local_date(when, zone));
    std::vector<core::Date> expected = {core::make_date(2024, 3, 4), core::make_date(2024, 3, 6),
                                        core::make_date(2024, 3, 7), core::make_date(2024, 3, 8),
                                        core::make_date(2024, 3, 9)};
    EXPECT_EQ(days, expected);
    for (const auto& row : queued) {
        core::Date day = bot::local_date(row.created_at, zone);
        if (row.kind == "escalation") continue;
        EXPECT_TRUE(day != core::make_date(2024, 3, 5) && day != core::make_date(2024, 3, 10))
            << row.kind << " on " << core::format_iso_date(day);
    }
}

TEST_F(SchedulerTest, QuietHoursHoldTheDigestUntilTheyEnd) {
    auto c = chat("C1");
    c.digest_time = {7, 0};
    c.quiet_hours = config::QuietHours{{22, 0}, {8, 30}};
    m_config.chats = {c};
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    auto queued = digests(run(*s, at(zone, 2024, 3, 4, 6, 0), at(zone, 2024, 3, 4, 10, 0)));
    ASSERT_EQ(queued.size(), 1u);
    EXPECT_EQ(queued[0].second, at(zone, 2024, 3, 4, 8, 30));
}

TEST_F(SchedulerTest, WarningsAreMergedIntoOneMessagePerChatAndNotRepeated) {
    m_config.chats = {chat("C1"), chat("C2")};
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    // 2024-03-18: T001 and T002 are long late, T003 behind plan — several findings at once.
    run(*s, at(zone, 2024, 3, 18, 8, 0), at(zone, 2024, 3, 18, 16, 0));
    auto warnings = rows("warning");
    ASSERT_EQ(warnings.size(), 2u);  // one per chat
    EXPECT_EQ(warnings[0].destination, "C1");
    EXPECT_EQ(warnings[1].destination, "C2");
    EXPECT_NE(warnings[0].body.find("T001"), std::string::npos);
    EXPECT_NE(warnings[0].body.find("T002"), std::string::npos);
    EXPECT_NE(warnings[0].body.find("<@U0XIAOWANG>"), std::string::npos);  // 小王, T002's owner
    EXPECT_GE(warnings[0].created_at, rows("digest")[0].created_at);        // after the day's digest
    // The next day the same conditions do not fire again (no task changed).
    run(*s, at(zone, 2024, 3, 19, 8, 0), at(zone, 2024, 3, 19, 16, 0));
    for (const auto& row : rows("warning"))
        if (bot::local_date(row.created_at, zone) == core::make_date(2024, 3, 19)) {
            EXPECT_EQ(row.body.find("T001"), std::string::npos) << row.body;
        }
}

// Issue 25: one project in three chats on three clocks. Each chat gets its digest at its own
// time, then — in the same message — T001's delay warning with the R8 request for a deviation
// report, never before its digest nor in its quiet hours, each once; the approver's ping one
// working day (24 working hours) later on that chat's clock; across a restart in the middle of
// the first morning.
TEST_F(SchedulerTest, ChatsInThreeZonesEachGetTheirPushesOnTheirOwnClockOnceAcrossARestart) {
    struct Zone {
        const char* id;
        const char* zone;
        config::TimeOfDay digest;
        config::QuietHours quiet;
        size_t digests;  // working days whose digest time comes before the run ends
    };
    // The run ends at Thu 00:00 in Los Angeles: Thu 15:00 in Shanghai, Thu 07:00 UTC.
    const std::vector<Zone> zones = {{"C_SHANGHAI", "Asia/Shanghai", {8, 59}, {{22, 0}, {8, 0}}, 4},
                                     {"C_UTC", "UTC", {9, 30}, {{21, 0}, {7, 30}}, 3},
                                     {"C_LOS_ANGELES", "America/Los_Angeles", {10, 0}, {{20, 0}, {9, 0}}, 3}};
    m_config.chats.clear();
    for (const auto& z : zones) {
        auto c = chat(z.id, z.zone);
        c.digest_time = z.digest;
        c.quiet_hours = z.quiet;
        m_config.chats.push_back(c);
    }
    // Mon 2024-03-18 to Wed 2024-03-20 (T001 and T002 long late), restarted at 09:30 in
    // Shanghai on Monday: after its digest and ask, before the other two chats' mornings.
    const long long from = at("Asia/Shanghai", 2024, 3, 18, 0, 0);
    const long long restart = at("Asia/Shanghai", 2024, 3, 18, 9, 30);
    const long long to = at("America/Los_Angeles", 2024, 3, 21, 0, 0);
    run(*scheduler(), from, restart);
    run(*scheduler(), restart + 300, to);

    for (const auto& z : zones) {
        SCOPED_TRACE(z.id);
        std::map<core::Date, long long> digest_at;  // local day -> when its digest was queued
        std::vector<store::OutboxMessage> t001_warnings, t001_pings;
        for (const auto& row : rows()) {
            if (row.destination != z.id) continue;
            core::Date day = bot::local_date(row.created_at, z.zone);
            int minutes = bot::local_minutes_of_day(row.created_at, z.zone);
            if (row.kind == "digest") {
                EXPECT_EQ(digest_at.count(day), 0u) << "two digests on one day";
                digest_at[day] = row.created_at;
                EXPECT_GE(minutes, z.digest.hour * 60 + z.digest.minute);
                EXPECT_LT(minutes, z.digest.hour * 60 + z.digest.minute + 5);
                continue;
            }
            bool quiet = minutes >= z.quiet.from.hour * 60 + z.quiet.from.minute ||
                         minutes < z.quiet.to.hour * 60 + z.quiet.to.minute;
            EXPECT_FALSE(quiet) << row.kind << " at local minute " << minutes;
            if (row.kind != "warning" && row.kind != "escalation") continue;  // the reminder, the weekly review
            ASSERT_EQ(digest_at.count(day), 1u) << row.kind << " before the chat's digest on its own day";
            EXPECT_GE(row.created_at, digest_at[day]);
            if (row.body.find("T001") == std::string::npos) continue;
            (row.kind == "warning" ? t001_warnings : t001_pings).push_back(row);
        }
        EXPECT_EQ(digest_at.size(), z.digests);
        // One message on the first day: the R1 warning carrying the R8 request (R8 asks for a
        // deviation report; the owner is mentioned).
        ASSERT_EQ(t001_warnings.size(), 1u);
        EXPECT_EQ(bot::local_date(t001_warnings[0].created_at, z.zone), core::make_date(2024, 3, 18));
        EXPECT_EQ(t001_warnings[0].created_at, digest_at[core::make_date(2024, 3, 18)]);  // the digest's pass
        // The approver's ping: 24 working hours later, on this chat's clock (the next working day).
        ASSERT_GE(t001_pings.size(), 1u);
        long long after = t001_pings[0].created_at - t001_warnings[0].created_at;
        EXPECT_GE(after, 24 * 3600);
        EXPECT_LT(after, 24 * 3600 + 300);
    }
}

TEST_F(SchedulerTest, AQuietProjectIsNotReloadedUntilItChangesOrItsChatCrossesATime) {
    m_config.chats = {chat("C1")};
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    auto pass_at = [&](int hh, int mm) {
        m_clock.set_unix(at(zone, 2024, 3, 18, hh, mm));
        return s->run_once();
    };
    EXPECT_EQ(pass_at(9, 0).settled, 0);  // digest and warnings queued
    EXPECT_EQ(pass_at(9, 5).settled, 0);  // the pass after a push runs again, and does nothing
    auto quiet = pass_at(9, 10);
    EXPECT_EQ(quiet.settled, 1);
    EXPECT_EQ(quiet.run, 0);
    EXPECT_EQ(pass_at(9, 15).settled, 1);

    // A change through the store: run again.
    core::TaskUpdate update;
    update.project_id = "P1";
    update.task_id = "T003";
    update.completion = 20;
    update.date = core::make_date(2024, 3, 18);
    ASSERT_TRUE(m_store->apply(update, core::ChangeSource{"小明", "slack", "C1", "m1", at(zone, 2024, 3, 18, 9, 16)}));
    EXPECT_EQ(pass_at(9, 20).settled, 0);
    pass_at(9, 25);  // runs again if the pass before wrote (a ladder the update stopped)
    EXPECT_EQ(pass_at(9, 26).settled, 1);

    // A plan change made by another process (trackerctl import, an operator's SQL): T004 falls
    // late. The next pass sees it and warns, without anything in this process noticing.
    auto warnings = rows("warning").size();
    {
        SQLite::Database other(m_db, SQLite::OPEN_READWRITE);
        other.exec("UPDATE tasks SET planned_start = '2024-03-10', planned_finish = '2024-03-15' WHERE id = 'T004'");
    }
    EXPECT_EQ(pass_at(9, 30).settled, 0);
    ASSERT_EQ(rows("warning").size(), warnings + 1);
    EXPECT_NE(rows("warning").back().body.find("T004"), std::string::npos) << rows("warning").back().body;
    EXPECT_EQ(pass_at(9, 35).settled, 0);
    EXPECT_EQ(pass_at(9, 40).settled, 1);

    // The reminder time (17:00) and the next day are thresholds of the chat's clock.
    EXPECT_EQ(pass_at(16, 55).settled, 1);
    EXPECT_EQ(pass_at(17, 0).settled, 0);
    pass_at(17, 5);
    EXPECT_EQ(pass_at(17, 10).settled, 1);
    auto digests_before = rows("digest").size();
    m_clock.set_unix(at(zone, 2024, 3, 19, 9, 0));
    EXPECT_EQ(s->run_once().settled, 0);
    EXPECT_EQ(rows("digest").size(), digests_before + 1);
}

TEST_F(SchedulerTest, ScheduleListsEachChatsPushesWithTheirState) {
    m_config.chats = {chat("C1")};
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    run(*s, at(zone, 2024, 3, 4, 9, 0), at(zone, 2024, 3, 4, 9, 40));
    m_clock.set_unix(at(zone, 2024, 3, 4, 10, 0));
    auto plan = s->plan(core::make_date(2024, 3, 4));
    ASSERT_TRUE(plan) << plan.error().message;
    std::map<std::string, std::string> states;
    for (const auto& send : *plan) states[send.kind] = send.state;
    EXPECT_EQ(states["digest"], "sent");
    EXPECT_EQ(states["weekly"], "sent");  // Monday 09:30
    EXPECT_EQ(states["reminder"], "later");
    auto saturday = s->plan(core::make_date(2024, 3, 9));
    ASSERT_TRUE(saturday);
    for (const auto& send : *saturday)
        if (send.kind == "digest") {
            EXPECT_EQ(send.state, "not a working day");
        }
}

TEST_F(SchedulerTest, DigestSentOnRequestDoesNotReplaceTheScheduledOne) {
    m_config.chats = {chat("C1")};
    const std::string zone = "Asia/Shanghai";
    auto s = scheduler();
    m_clock.set_unix(at(zone, 2024, 3, 4, 8, 0));
    auto queued = s->send_digest_now("slack", "C1");
    ASSERT_TRUE(queued) << queued.error().message;
    EXPECT_EQ(*queued, 1);
    run(*s, at(zone, 2024, 3, 4, 8, 5), at(zone, 2024, 3, 4, 9, 0));
    EXPECT_EQ(digests(rows()).size(), 2u);
    EXPECT_FALSE(s->send_digest_now("slack", "C_UNKNOWN"));
}

}  // namespace
