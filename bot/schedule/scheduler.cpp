#include "bot/schedule/scheduler.h"
#include "bot/schedule/scheduler_parts.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>

#include "adapters/common/crypto.h"
#include "bot/ops/daemon_metrics.h"
#include "bot/ops/local_time.h"
#include "core/store/ledger.h"
#include "bot/schedule/scheduler_retro.h"
#include "core/command.h"
#include "core/digest.h"
#include "core/escalation.h"
#include "core/plan_index.h"
#include "core/rules.h"
#include "core/weekly.h"

namespace bot {
namespace ledger = store::ledger;
using namespace scheduler_parts;


Scheduler::Scheduler(store::Store& store, const core::Clock& clock, const config::Config& config,
                     std::map<std::string, const PlatformOut*> outs, std::function<void()> wake,
                     std::chrono::milliseconds tick)
    : m_store(store),
      m_clock(clock),
      m_outs(std::move(outs)),
      m_wake(std::move(wake)),
      m_tick(tick),
      m_config(std::make_shared<const config::Config>(config)),
      m_calendar(config.calendar.holidays, config.calendar.workdays) {}

void Scheduler::reload(const config::Config& config) {
    auto next = std::make_shared<const config::Config>(config);
    std::lock_guard lock(m_pass_mutex);
    m_config = std::move(next);
    m_calendar = core::WorkCalendar(config.calendar.holidays, config.calendar.workdays);
    m_settled.clear();  // thresholds, people or the calendar may have changed
}

core::Result<void> Scheduler::refresh_chats() {
    auto records = m_store.chats();
    if (!records) return records.error();
    m_chats.clear();
    for (auto& record : *records)
        if (!record.chat.projects.empty()) m_chats.push_back(std::move(record.chat));
    return core::ok();
}

Scheduler::~Scheduler() { stop(); }

namespace {
constexpr int k_scheduler_nice = 10;
}  // namespace

void Scheduler::start() {
    if (m_thread.joinable()) return;
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
    m_running = true;
}

void Scheduler::stop() {
    if (!m_thread.joinable()) return;
    m_running = false;
    m_thread.request_stop();
    m_wake_cv.notify_all();
    m_thread.join();
}

std::optional<SchedulerPass> Scheduler::tick() {
    const bool leads = !m_leads || m_leads();
    if (m_led.exchange(leads) != leads)
        spdlog::info("scheduler: {}", leads ? "leading: this replica runs the scheduled pushes"
                                            : "standby: another replica runs the scheduled pushes");
    if (!leads) return std::nullopt;
    return run_once();
}

void Scheduler::loop(std::stop_token stop) {
    // Below the threads that answer chat messages (Linux: a nice value per thread). A pass re-runs
    // every project changed since the last; under load that is seconds of CPU, and at equal
    // priority it took it from the updates waiting for a reply (issue 22's stall runs).
    if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), k_scheduler_nice) != 0)
        spdlog::debug("scheduler: could not lower the thread's priority");
    while (!stop.stop_requested()) {
        try {
            tick();
        } catch (const std::exception& e) {  // safety net: skip the tick, keep running
            spdlog::error("scheduler: pass failed: {}", e.what());
        } catch (...) {
            spdlog::error("scheduler: pass failed");
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake_cv.wait_for(lock, stop, m_tick, [] { return false; });
    }
}

SchedulerPass Scheduler::run_once() {
    std::lock_guard lock(m_pass_mutex);
    const auto start = std::chrono::steady_clock::now();
    SchedulerPass result = pass(m_clock.now_unix());
    if (m_metrics)
        m_metrics->count_scheduler_pass(result.run, result.settled,
                                        std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::steady_clock::now() - start).count());
    if (result.enqueued > 0 && m_wake) m_wake();
    return result;
}


std::vector<Scheduler::Chat> Scheduler::chats_of(const std::string& project_id, long long now) const {
    std::vector<Chat> chats;
    for (const auto& chat : m_chats) {
        if (std::find(chat.projects.begin(), chat.projects.end(), project_id) == chat.projects.end()) continue;
        auto out = m_outs.find(chat.platform);
        if (out == m_outs.end() || !out->second) continue;
        Chat c;
        c.config = &chat;
        c.out = out->second;
        c.locale = chat.locale.value_or(m_config->locale);
        c.clock.zone = chat.timezone.value_or(m_config->timezone);
        c.clock.day = local_date(now, c.clock.zone);
        c.clock.minutes = local_minutes_of_day(now, c.clock.zone);
        c.clock.working_day = m_calendar.is_working_day(c.clock.day);
        c.clock.quiet = in_quiet_hours(c.clock.minutes, chat.quiet_hours);
        chats.push_back(c);
    }
    return chats;
}

std::function<long long(long long)> Scheduler::deadline_in(const std::string& zone) const {
    return [zone, calendar = m_calendar](long long from) {
        core::LocalTime start{local_date(from, zone), local_minutes_of_day(from, zone)};
        core::LocalTime due = core::add_working_hours(calendar, start, 24);  // R8: 24 working hours
        return unix_at_local(due.day, due.minutes, zone);
    };
}

SchedulerPass Scheduler::pass(long long now) {
    SchedulerPass result;
    if (auto refreshed = refresh_chats(); !refreshed) {
        ++result.failed;
        spdlog::warn("scheduler: chats: {}", refreshed.error().message);
        return result;
    }
    std::vector<std::string> projects;  // every project bound to a chat, in the directory's order
    for (const auto& chat : m_chats)
        for (const auto& id : chat.projects)
            if (std::find(projects.begin(), projects.end(), id) == projects.end()) projects.push_back(id);
    for (const auto& project_id : projects) {
        auto enqueued = run_project(project_id, now, result);
        if (!enqueued) {
            ++result.failed;
            spdlog::warn("scheduler: project {}: {}", project_id, enqueued.error().message);
            continue;
        }
        result.enqueued += *enqueued;
    }
    return result;
}

core::Result<std::optional<core::ProjectState>> Scheduler::load(const std::string& project_id) {
    auto state = m_store.load_project(project_id);
    if (!state) {
        if (state.error().code == core::ErrorCode::not_found) return std::optional<core::ProjectState>{};
        return state.error();
    }
    // People the config names for the project but its plan may not (a default approver, a
    // department head) can be mentioned too; the store has their platform ids.
    if (const auto* settings = m_config->find_project(project_id)) {
        for (const auto* id : {&settings->owner, &settings->approver, &settings->department_head}) {
            if (id->empty() || state->people.count(*id)) continue;
            auto person = m_store.find_person(*id);
            if (!person) return person.error();
            if (*person) state->people.emplace(*id, **person);
        }
    }
    return std::optional<core::ProjectState>{std::move(*state)};
}

std::vector<long long> Scheduler::clock_key(const std::vector<Chat>& chats) {
    std::vector<long long> key;
    for (const auto& chat : chats) {
        const auto& cfg = *chat.config;
        int flags = (chat.clock.working_day ? 1 : 0) | (chat.clock.quiet ? 2 : 0) |
                    (chat.clock.minutes >= minutes_of(cfg.digest_time) ? 4 : 0) |
                    (chat.clock.minutes >= minutes_of(cfg.reminder_time) ? 8 : 0) |
                    (chat.clock.minutes >= minutes_of(cfg.weekly_time.time) ? 16 : 0);
        key.push_back(static_cast<long long>(chat.clock.day.time_since_epoch().count()) * 32 + flags);
    }
    return key;
}

void Scheduler::settle(const std::string& project_id, std::uint64_t generation, std::vector<long long> clocks,
                       const std::vector<Chat>& chats, long long now) {
    auto after = m_store.change_generation(project_id);
    if (!after || *after != generation) return;  // it wrote, or someone else did: run it again
    long long until = std::numeric_limits<long long>::max();
    for (const auto& chat : chats) {  // each chat's ladders on its own clock
        auto ladders = ledger::ladders(m_store, chat.config->platform, chat.config->chat_id, project_id);
        if (!ladders) return;
        auto deadline = deadline_in(chat.clock.zone);
        for (const auto& ladder : *ladders) {
            if (ladder.step != core::LadderStep::stopped) until = std::min(until, deadline(ladder.stepped_at));
            else if (ladder.stopped_at >= now) until = std::min(until, ladder.stopped_at + 1);  // may reopen then
        }
    }
    m_settled[project_id] = Settled{generation, std::move(clocks), until};
}

core::Result<int> Scheduler::run_project(const std::string& project_id, long long now, SchedulerPass& counts) {
    auto chats = chats_of(project_id, now);
    if (chats.empty()) return 0;
    auto generation = m_store.change_generation(project_id);
    if (!generation) return generation.error();
    auto clocks = clock_key(chats);
    if (auto last = m_settled.find(project_id); last != m_settled.end()) {
        if (last->second.generation == *generation && last->second.clocks == clocks && now < last->second.until) {
            ++counts.settled;
            return 0;
        }
        m_settled.erase(last);
    }
    ++counts.run;
    auto loaded = load(project_id);
    if (!loaded) return loaded.error();
    if (!*loaded || (*loaded)->project.status == core::ProjectStatus::archived) {  // not imported, or archived
        settle(project_id, *generation, std::move(clocks), chats, now);
        return 0;
    }
    core::ProjectState& state = **loaded;
    int enqueued = 0;
    m_tally = {};
    FindingsByDay findings;
    // A transaction per chat (the 复盘 has its own): on PostgreSQL a write transaction holds the
    // cluster's write lock, and a project bound to hundreds of chats must not hold every
    // replica's inbound writes for the whole pass (with 256 chats: 7 s, past the writers' 5 s
    // lock timeout). Each push has its dedup key and its ledger entry in the same transaction,
    // so a pass cut between two chats goes on from there the next time.
    auto done = [&]() -> core::Result<void> {
        if (state.project.status == core::ProjectStatus::closed) {  // only the 复盘 is left to send
            auto retro = run_retro(state, chats, now);
            if (!retro) return retro.error();
            enqueued += *retro;
            return core::ok();
        }
        // The digests' rules and roll-ups share one index of the plan; it goes before the ladders
        // run (they may change the state it points into).
        std::optional<core::PlanIndex> plan;
        for (const auto& chat : chats) {  // digests first: warnings follow the day's digest
            if (!chat.clock.working_time() || chat.clock.minutes < minutes_of(chat.config->digest_time)) continue;
            auto digested = m_store.transaction([&]() -> core::Result<void> {
                auto key = ledger::day_key("digest", chat.config->platform, chat.config->chat_id, project_id);
                auto last = ledger::last_day(m_store, key);
                if (!last) return last.error();
                if (*last == chat.clock.day) return core::ok();
                if (!plan) plan.emplace(state);
                core::Digest digest = core::build_digest(*plan, chat.clock.day, *last,
                                                         findings_on(findings, state, chat.clock.day, &*plan));
                auto message = core::render_digest(digest, state, chat.locale, chat.out->markup());
                auto pushed = push(chat, message, "digest",
                                   "digest/" + chat.config->platform + "/" + chat.config->chat_id + "/" + project_id +
                                       "/" + core::format_iso_date(chat.clock.day),
                                   now);
                if (!pushed) return pushed.error();
                enqueued += *pushed;
                return ledger::set_last_day(m_store, key, chat.clock.day);
            });
            if (!digested) return digested.error();
        }
        plan.reset();
        for (const auto& chat : chats) {  // each on its own clock: nothing is due before its time there
            auto warned = m_store.transaction([&]() -> core::Result<void> {
                auto actions = run_ladders(state, chat, chats, findings, now);
                if (!actions) return actions.error();
                auto pushed = run_chat(state, chat, *actions, findings, now);
                if (!pushed) return pushed.error();
                enqueued += *pushed;
                return core::ok();
            });
            if (!warned) return warned.error();
        }
        auto retro = run_retro(state, chats, now);  // every task done: the 复盘 draft
        if (!retro) return retro.error();
        enqueued += *retro;
        return core::ok();
    }();
    if (!done) return done.error();
    flush_tally();
    if (enqueued == 0) settle(project_id, *generation, std::move(clocks), chats, now);
    return enqueued;
}

void Scheduler::flush_tally() {
    if (m_metrics) {
        for (const auto& [kind, rows] : m_tally.pushes) m_metrics->count_scheduler_push(kind, rows);
        for (core::Rule rule : m_tally.fired) m_metrics->count_rule_firing(rule);
    }
    m_tally = {};
}

const std::vector<core::Finding>& Scheduler::findings_on(FindingsByDay& cache, const core::ProjectState& state,
                                                         core::Date day, const core::PlanIndex* plan) {
    auto it = cache.find(day);
    if (it == cache.end()) it = cache.emplace(day, plan ? core::evaluate(*plan, day) : core::evaluate(state, day)).first;
    return it->second;
}

core::Result<int> Scheduler::run_retro(const core::ProjectState& state, const std::vector<Chat>& chats, long long now) {
    std::vector<RetroChat> retro_chats;
    for (const auto& chat : chats)
        retro_chats.push_back({chat.config, chat.out, chat.locale, chat.clock.day, chat.clock.minutes, chat.clock.working_time()});
    int enqueued = 0;
    auto done = m_store.transaction([&]() -> core::Result<void> {
        auto pushed = run_retrospective(m_store, m_calendar, state, retro_chats,
                                        [&](const RetroChat& chat, const core::ChatMessage& message,
                                            const std::string& kind, const std::string& dedup_key) {
                                            Chat target;  // push needs the chat's config and platform only
                                            target.config = chat.config;
                                            target.out = chat.out;
                                            return push(target, message, kind, dedup_key, now);
                                        });
        if (!pushed) return pushed.error();
        enqueued = *pushed;
        return core::ok();
    });
    if (!done) return done.error();
    return enqueued;
}

core::Result<int> Scheduler::push(const Chat& chat, const core::ChatMessage& message, const std::string& kind,
                                  const std::string& dedup_key, long long now) {
    PushTarget target{chat.config->chat_id, chat.config->webhook_url};
    int inserted = 0;
    for (const auto& row : chat.out->push(message, target, kind, dedup_key, now)) {
        auto result = m_store.enqueue(row);
        if (!result) return result.error();
        if (result->inserted) ++inserted;
    }
    m_tally.pushes[kind] += inserted;
    if (inserted > 0)
        spdlog::info("scheduler: {} queued for {}/{} ({} row{})", kind, chat.config->platform, chat.config->chat_id,
                     inserted, inserted == 1 ? "" : "s");
    return inserted;
}

}  // namespace bot
