#pragma once
// The scheduler (issue 6): what trackerd pushes on its own, per chat, in the chat's time zone
// and working-day calendar — the daily digest, the end-of-day update reminder (R9), the weekly
// review, warnings as R1–R12 fire (merged per chat, each once per task and condition until the
// task changes) and the R8 escalation ladder (core/escalation.h). Everything goes through the
// durable outbox; what was done is remembered in the store (key/value ledger "sched/…") in the
// same transaction as the enqueue, so a restart never sends anything twice.
//
// When things go out (local time of each chat):
//   digest    working days, from digest_time (09:00) — once per day and project
//   warnings  working time, after that day's digest; new findings only
//   reminder  working days, from reminder_time (17:00), only when some task is past its R9
//             cadence
//   weekly    the first working day on or after weekly_time's weekday (Mon 09:30) of each week
//   retro     when the project closes (core::closing_day), the 复盘 draft once per chat (working
//             time, from digest_time); one reminder per chat after its due day if not confirmed
//   escalate  R8, per chat on the chat's own clock (ledger::ladders): the owner is asked in the
//             chat's working time with its warnings (one message, after its digest); pings
//             whenever that chat's deadline (24 working hours) passes — the only thing that may
//             go out outside working time; an answer given in any chat counts in all
// "Working time" = a working day (core::WorkCalendar) outside the chat's quiet hours. A digest,
// reminder or review missed while trackerd was down goes out on the next pass if it is still
// the same local working day, and is skipped once the day is over (only "today" is ever due).
//
// Thread safety: safe for concurrent use; passes are serialised by m_pass_mutex. start()/stop()
// run a std::jthread that calls run_once() every tick.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "bot/pipeline/platform_out.h"
#include "config/config.h"
#include "core/calendar.h"
#include "core/escalation.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

class DaemonMetrics;

// One push the scheduler made or would make (trackerctl schedule).
struct ScheduledSend {
    std::string kind;      // "digest" | "reminder" | "weekly" | "escalation"
    std::string platform;
    std::string chat_id;
    std::string project_id;  // "" for a chat-wide entry
    core::Date day{};        // the chat's local day
    int minutes = 0;         // local minutes after midnight it is due at
    long long at_unix = 0;
    std::string state;       // "sent" | "due" | "later" | "not a working day" | "no week slot"
    std::string timezone;
    std::string detail;      // escalation: "T003 -> approver"
};

struct SchedulerPass {
    int enqueued = 0;  // outbox rows written
    int failed = 0;    // chats or projects whose work failed (logged; retried next pass)
    int settled = 0;   // projects not reloaded: nothing they read changed since a pass that did nothing
    int run = 0;       // projects loaded and run
};

class Scheduler {
public:
    // Borrowed: store, clock and the PlatformOuts outlive the scheduler; the config is copied. `outs` maps a
    // platform name to its PlatformOut; chats of other platforms are skipped (logged once).
    // `wake` is called after rows were enqueued (the outbox worker's wake()).
    Scheduler(store::Store& store, const core::Clock& clock, const config::Config& config,
              std::map<std::string, const PlatformOut*> outs, std::function<void()> wake,
              std::chrono::milliseconds tick = std::chrono::seconds(20));
    ~Scheduler();  // stops
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    void start();
    void stop();
    bool running() const { return m_running.load(); }  // between start() and stop()
    // Counts pushes and rule firings there once their transaction committed. Before start().
    void set_metrics(DaemonMetrics* metrics) { m_metrics = metrics; }
    // Several replicas on one database: the thread's ticks run a pass only while `leads`
    // answers true (store::Leadership::lead, asked every tick). Before start(). run_once()
    // itself does not ask.
    void set_leadership(std::function<bool()> leads) { m_leads = std::move(leads); }
    // One pass at the clock's now.
    SchedulerPass run_once();
    // What the thread does every tick: run_once() when this replica leads (set_leadership),
    // nothing otherwise (nullopt); a change of leadership is logged.
    std::optional<SchedulerPass> tick();
    // A reload of the config file: its calendar, project settings and defaults apply from the
    // next pass. Chats and people come from the store (the directory), read at every pass.
    void reload(const config::Config& config);

    // Every scheduled push of local day `day` for every chat, with its state as of now, ordered
    // by time. Escalation entries list open ladders whose next rung falls on that day.
    core::Result<std::vector<ScheduledSend>> plan(core::Date day);
    // Pushes the digest of each project bound to the chat now (operator's request), whatever
    // the time; does not count as that day's scheduled digest. Returns the rows enqueued.
    core::Result<int> send_digest_now(const std::string& platform, const std::string& chat_id);

private:
    struct ChatClock;
    struct Chat;
    SchedulerPass pass(long long now);
    // Everything due for one project and the chats bound to it, in one store transaction.
    // Counts a project skipped as settled (see Settled) in `settled`.
    core::Result<int> run_project(const std::string& project_id, long long now, SchedulerPass& counts);
    // The rules evaluated once per local day within a project's pass (chats in different time
    // zones may be on different days).
    using FindingsByDay = std::map<core::Date, std::vector<core::Finding>>;
    // `plan`, when given, is `state` already indexed.
    static const std::vector<core::Finding>& findings_on(FindingsByDay& cache, const core::ProjectState& state,
                                                         core::Date day, const core::PlanIndex* plan = nullptr);
    // The R8 ladders as `chat` runs them, on its own clock (ledger::ladders); answers given in
    // the project's other chats count. Returns what to show in `chat`.
    core::Result<std::vector<core::LadderAction>> run_ladders(core::ProjectState& state, const Chat& chat,
                                                              const std::vector<Chat>& chats, FindingsByDay& findings,
                                                              long long now);
    core::Result<int> run_chat(const core::ProjectState& state, const Chat& chat,
                               const std::vector<core::LadderAction>& actions, FindingsByDay& findings, long long now);
    // run_chat's later steps: the end-of-day reminder (R9) and the weekly review.
    core::Result<int> push_reminder(const core::ProjectState& state, const Chat& chat,
                                    const std::vector<core::Finding>& findings, long long now);
    core::Result<int> push_weekly(const core::ProjectState& state, const Chat& chat, long long now);
    // The retrospective (复盘) of a closed project: scheduler_retro.h. Joins or opens a transaction.
    core::Result<int> run_retro(const core::ProjectState& state, const std::vector<Chat>& chats, long long now);
    core::Result<int> push(const Chat& chat, const core::ChatMessage& message, const std::string& kind,
                           const std::string& dedup_key, long long now);
    std::vector<Chat> chats_of(const std::string& project_id, long long now) const;
    core::Result<std::optional<core::ProjectState>> load(const std::string& project_id);
    std::function<long long(long long)> deadline_in(const std::string& zone) const;
    void loop(std::stop_token stop);
    void flush_tally();  // to m_metrics, then cleared

    store::Store& m_store;
    const core::Clock& m_clock;
    const std::map<std::string, const PlatformOut*> m_outs;
    const std::function<void()> m_wake;
    const std::chrono::milliseconds m_tick;
    std::atomic<bool> m_led{true};  // what tick() last found (as far as the log has said)
    std::function<bool()> m_leads;  // set before start(); empty: always leads
    // The config as last (re)loaded, the calendar built from it, and the bound chats as the
    // directory holds them at the start of a pass. Guarded by m_pass_mutex.
    std::shared_ptr<const config::Config> m_config;
    core::WorkCalendar m_calendar;
    std::vector<core::ChatEntry> m_chats;
    core::Result<void> refresh_chats();  // m_chats from the store; under m_pass_mutex

    // A project whose last pass did nothing (no push, no write) is not run again while nothing
    // it reads has changed (Store::change_generation) and its chats' clocks have crossed no
    // threshold (day, working time, quiet hours, digest / reminder / weekly times) and no
    // escalation deadline has come (`until`): such a pass would do nothing again. Most projects
    // of a large organisation are quiet most of the time; this keeps the tick cheap.
    struct Settled {
        std::uint64_t generation = 0;
        std::vector<long long> clocks;  // clock_key() of its chats
        long long until = 0;            // unix seconds: the next ladder deadline
    };
    static std::vector<long long> clock_key(const std::vector<Chat>& chats);
    void settle(const std::string& project_id, std::uint64_t generation, std::vector<long long> clocks,
                const std::vector<Chat>& chats, long long now);

    std::mutex m_pass_mutex;
    std::map<std::string, Settled> m_settled;  // by project id; guarded by m_pass_mutex
    DaemonMetrics* m_metrics = nullptr;  // borrowed; set before start()
    // Pushes (rows per kind) and rule firings of the current transaction, counted once it
    // commits. Guarded by m_pass_mutex.
    struct Tally {
        std::map<std::string, int> pushes;
        std::vector<core::Rule> fired;
    } m_tally;
    std::atomic<bool> m_running{false};

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake_cv;
    std::jthread m_thread;  // last: joined first on destruction
};

}  // namespace bot
