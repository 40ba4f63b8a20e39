#include "bot/schedule/scheduler.h"

#include <spdlog/spdlog.h>

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
#include "core/rules.h"
#include "core/weekly.h"

namespace bot {
namespace ledger = store::ledger;
namespace {

int minutes_of(const config::TimeOfDay& t) { return t.hour * 60 + t.minute; }

bool in_quiet_hours(int minutes, const std::optional<config::QuietHours>& quiet) {
    if (!quiet) return false;
    int from = minutes_of(quiet->from), to = minutes_of(quiet->to);
    if (from == to) return false;
    return from < to ? (minutes >= from && minutes < to) : (minutes >= from || minutes < to);
}

// Warnings pushed as they fire. R5 (blocked) is announced by whoever blocks and listed in every
// digest, R9 goes into the 17:00 reminder, R11 into the weekly review.
bool is_pushed_warning(core::Rule rule) {
    switch (rule) {
        case core::Rule::r5_blocked:
        case core::Rule::r9_stale_update:
        case core::Rule::r11_on_time: return false;
        default: return true;
    }
}

// The newest progress-log entry of the task: a new one means the task changed. An
// acknowledgement is logged but is no news about the task (core::TaskUpdate::counts_as_progress).
struct Revision {
    long long id = 0;
    core::Date day{};  // the day of that entry
};
Revision task_revision(const core::ProjectState& state, const std::string& task_id) {
    static const std::string ack = core::to_string(core::CommandKind::ack);
    Revision revision;
    for (const auto& entry : state.progress)
        if (!task_id.empty() && entry.task_id == task_id && entry.id > revision.id && entry.action != ack)
            revision = {entry.id, entry.date};
    return revision;
}

std::string short_hash(const std::string& text) { return adapters::to_hex(adapters::sha256(text)).substr(0, 16); }

// One message out of several for the same chat: the first one's title, every section, mentions
// merged without duplicates.
core::ChatMessage merge(core::ChatMessage first, const core::ChatMessage& second) {
    for (const auto& section : second.sections) first.sections.push_back(section);
    for (const auto& id : second.mention_user_ids)
        if (std::find(first.mention_user_ids.begin(), first.mention_user_ids.end(), id) == first.mention_user_ids.end())
            first.mention_user_ids.push_back(id);
    if (!second.fallback_text.empty()) first.fallback_text += "\n\n" + second.fallback_text;
    return first;
}

}  // namespace

// The chat's local time at one instant.
struct Scheduler::ChatClock {
    std::string zone;
    core::Date day{};
    int minutes = 0;
    bool working_day = false;
    bool quiet = false;
    bool working_time() const { return working_day && !quiet; }
};

Scheduler::Scheduler(store::Store& store, const core::Clock& clock, const config::Config& config,
                     std::map<std::string, const PlatformOut*> outs, std::function<void()> wake,
                     std::chrono::milliseconds tick)
    : m_store(store),
      m_clock(clock),
      m_config(config),
      m_outs(std::move(outs)),
      m_wake(std::move(wake)),
      m_tick(tick),
      m_calendar(config.calendar.holidays, config.calendar.workdays) {}

Scheduler::~Scheduler() { stop(); }

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

void Scheduler::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        try {
            run_once();
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
    SchedulerPass result = pass(m_clock.now_unix());
    if (result.enqueued > 0 && m_wake) m_wake();
    return result;
}

// A bound chat with its platform and local time at the pass.
struct Scheduler::Chat {
    const config::ChatConfig* config = nullptr;
    const PlatformOut* out = nullptr;
    core::Locale locale = core::Locale::zh_cn;
    ChatClock clock;
};

std::vector<Scheduler::Chat> Scheduler::chats_of(const std::string& project_id, long long now) const {
    std::vector<Chat> chats;
    for (const auto& chat : m_config.chats) {
        if (std::find(chat.projects.begin(), chat.projects.end(), project_id) == chat.projects.end()) continue;
        auto out = m_outs.find(chat.platform);
        if (out == m_outs.end() || !out->second) continue;
        Chat c;
        c.config = &chat;
        c.out = out->second;
        c.locale = chat.locale.value_or(m_config.locale);
        c.clock.zone = chat.timezone.value_or(m_config.timezone);
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
    std::vector<std::string> projects;  // every project bound to a chat, in config order
    for (const auto& chat : m_config.chats)
        for (const auto& id : chat.projects)
            if (std::find(projects.begin(), projects.end(), id) == projects.end()) projects.push_back(id);
    for (const auto& project_id : projects) {
        auto enqueued = run_project(project_id, now, result.settled);
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
    // The config is the source of platform ids, and people named only there (an approver, a
    // department head) can be mentioned too.
    for (const auto& person : m_config.people) state->people.insert_or_assign(person.id, person);
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

core::Result<int> Scheduler::run_project(const std::string& project_id, long long now, int& settled) {
    auto chats = chats_of(project_id, now);
    if (chats.empty()) return 0;
    auto generation = m_store.change_generation(project_id);
    if (!generation) return generation.error();
    auto clocks = clock_key(chats);
    if (auto last = m_settled.find(project_id); last != m_settled.end()) {
        if (last->second.generation == *generation && last->second.clocks == clocks && now < last->second.until) {
            ++settled;
            return 0;
        }
        m_settled.erase(last);
    }
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
    auto done = m_store.transaction([&]() -> core::Result<void> {
        if (state.project.status == core::ProjectStatus::closed) {  // only the 复盘 is left to send
            auto retro = run_retro(state, chats, now);
            if (!retro) return retro.error();
            enqueued += *retro;
            return core::ok();
        }
        for (const auto& chat : chats) {  // digests first: warnings follow the day's digest
            if (!chat.clock.working_time() || chat.clock.minutes < minutes_of(chat.config->digest_time)) continue;
            auto key = ledger::day_key("digest", chat.config->platform, chat.config->chat_id, project_id);
            auto last = ledger::last_day(m_store, key);
            if (!last) return last.error();
            if (*last == chat.clock.day) continue;
            core::Digest digest =
                core::build_digest(state, chat.clock.day, *last, findings_on(findings, state, chat.clock.day));
            auto message = core::render_digest(digest, state, chat.locale, chat.out->markup());
            auto pushed = push(chat, message, "digest",
                               "digest/" + chat.config->platform + "/" + chat.config->chat_id + "/" + project_id +
                                   "/" + core::format_iso_date(chat.clock.day),
                               now);
            if (!pushed) return pushed.error();
            enqueued += *pushed;
            auto saved = ledger::set_last_day(m_store, key, chat.clock.day);
            if (!saved) return saved.error();
        }
        for (const auto& chat : chats) {  // each on its own clock: nothing is due before its time there
            auto actions = run_ladders(state, chat, chats, findings, now);
            if (!actions) return actions.error();
            auto pushed = run_chat(state, chat, *actions, findings, now);
            if (!pushed) return pushed.error();
            enqueued += *pushed;
        }
        auto retro = run_retro(state, chats, now);  // every task done: the 复盘 draft
        if (!retro) return retro.error();
        enqueued += *retro;
        return core::ok();
    });
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
                                                         core::Date day) {
    auto it = cache.find(day);
    if (it == cache.end()) it = cache.emplace(day, core::evaluate(state, day)).first;
    return it->second;
}

core::Result<std::vector<core::LadderAction>> Scheduler::run_ladders(core::ProjectState& state, const Chat& chat,
                                                                     const std::vector<Chat>& chats,
                                                                     FindingsByDay& evaluated, long long now) {
    const auto& cfg = *chat.config;
    const std::string& project_id = state.project.id;
    auto ladders = ledger::ladders(m_store, cfg.platform, cfg.chat_id, project_id);
    if (!ladders) return ladders.error();
    const std::vector<core::Ladder> before = *ladders;
    // A report or an ack given to a ladder in another chat answers the task here too (an owner
    // who answered the first group's ask is not asked again in the next group's morning).
    for (const auto& other : chats) {
        if (other.config == chat.config) continue;
        auto theirs = ledger::ladders(m_store, other.config->platform, other.config->chat_id, project_id);
        if (!theirs) return theirs.error();
        for (const auto& ladder : *theirs) {
            bool answered = ladder.stop_reason == "report" || ladder.stop_reason == "ack";
            bool known = std::any_of(ladders->begin(), ladders->end(), [&](const core::Ladder& mine) {
                return mine.task_id == ladder.task_id && mine.trigger == ladder.trigger && mine.opened_at == ladder.opened_at;
            });
            if (answered && !known) ladders->push_back(ladder);
        }
    }
    auto digest_day = ledger::last_day(m_store, ledger::day_key("digest", cfg.platform, cfg.chat_id, project_id));
    if (!digest_day) return digest_day.error();
    // The owner is first asked in working time, after the chat's digest, with that day's
    // warnings (one message); pings follow the deadlines, on this chat's clock.
    bool may_open = chat.clock.working_time() && *digest_day == chat.clock.day;
    std::vector<core::Finding> findings;
    for (const auto& finding : findings_on(evaluated, state, chat.clock.day)) {
        bool trigger = finding.rule == core::Rule::r1_late || finding.rule == core::Rule::r2_deviation;
        bool has_open = std::any_of(ladders->begin(), ladders->end(), [&](const core::Ladder& l) {
            return l.task_id == finding.task_id && l.step != core::LadderStep::stopped;
        });
        if (trigger && !may_open && !has_open) continue;
        findings.push_back(finding);
    }
    core::LadderContext context;
    context.now = now;
    context.deadline = deadline_in(chat.clock.zone);
    if (const auto* settings = m_config.find_project(state.project.id)) {
        context.default_approver = settings->approver;
        context.department_head = settings->department_head;
    }
    if (context.department_head.empty()) context.department_head = state.project.department_head;
    core::LadderPass result = core::advance_ladders(state, *ladders, findings, context);
    if (result.ladders != before) {
        auto saved = ledger::set_ladders(m_store, cfg.platform, cfg.chat_id, project_id, result.ladders);
        if (!saved) return saved.error();
    }
    for (const auto& action : result.actions)
        if (action.kind == core::LadderAction::Kind::stopped)
            spdlog::info("scheduler: escalation of {}/{} in {}/{} stopped ({} by {})", action.ladder.project_id,
                         action.ladder.task_id, cfg.platform, cfg.chat_id, action.ladder.stop_reason,
                         action.ladder.stopped_by);
    return std::move(result.actions);
}

core::Result<int> Scheduler::run_chat(const core::ProjectState& state, const Chat& chat,
                                      const std::vector<core::LadderAction>& actions, FindingsByDay& evaluated,
                                      long long now) {
    const auto& cfg = *chat.config;
    const core::Date today = chat.clock.day;
    const std::string where = cfg.platform + "/" + cfg.chat_id + "/" + state.project.id;
    int enqueued = 0;
    const std::vector<core::Finding>& findings = findings_on(evaluated, state, today);

    // Warnings (working time, after the day's digest) and R8 asks/pings (any time).
    std::vector<core::Finding> fresh;
    std::string keys;
    auto digest_day = ledger::last_day(m_store, ledger::day_key("digest", cfg.platform, cfg.chat_id, state.project.id));
    if (!digest_day) return digest_day.error();
    if (chat.clock.working_time() && *digest_day == today) {
        for (const auto& finding : findings) {
            if (!is_pushed_warning(finding.rule)) continue;
            std::string key = ledger::fired_key(cfg.platform, cfg.chat_id, finding.key());
            auto before = ledger::fired(m_store, key);
            if (!before) return before.error();
            Revision revision = task_revision(state, finding.task_id);
            // Once per task and condition; after the task changed it may fire again, but not
            // on the day of the change: whoever changed it has just seen the reply.
            if (*before && ((*before)->revision == revision.id || (*before)->day == today || revision.day == today))
                continue;
            auto saved = ledger::set_fired(m_store, key, {revision.id, today});
            if (!saved) return saved.error();
            keys += finding.key() + "#" + std::to_string(revision.id) + ";";
            fresh.push_back(finding);
            m_tally.fired.push_back(finding.rule);
        }
    }
    std::vector<core::LadderAction> shown;
    for (const auto& action : actions) {
        if (action.kind == core::LadderAction::Kind::stopped) continue;
        shown.push_back(action);
        keys += action.ladder.task_id + ":" + core::to_string(action.ladder.step) + "@" +
                std::to_string(action.ladder.stepped_at) + ";";
    }
    // An ask for a deviation report says all the delay warning would: one line per task.
    std::erase_if(fresh, [&](const core::Finding& f) {
        return std::any_of(shown.begin(), shown.end(), [&](const core::LadderAction& a) {
            return a.kind == core::LadderAction::Kind::ask_owner && a.ladder.task_id == f.task_id &&
                   (f.rule == core::Rule::r1_late || f.rule == core::Rule::r2_deviation);
        });
    });
    bool asks = std::any_of(shown.begin(), shown.end(),
                            [](const auto& a) { return a.kind == core::LadderAction::Kind::ask_owner; });
    if (!fresh.empty() || !shown.empty()) {
        std::optional<core::ChatMessage> message;
        if (!fresh.empty()) message = core::render_findings(fresh, state, chat.locale, chat.out->markup());
        if (!shown.empty()) {
            auto ladder = core::render_ladder_actions(shown, state, chat.locale, chat.out->markup());
            message = message ? merge(std::move(*message), ladder) : ladder;
        }
        std::string kind = !fresh.empty() || asks ? "warning" : "escalation";
        auto pushed = push(chat, *message, kind, kind + "/" + where + "/" + short_hash(keys), now);
        if (!pushed) return pushed.error();
        enqueued += *pushed;
    }

    // The end-of-day reminder (R9, 日清日结).
    if (chat.clock.working_time() && chat.clock.minutes >= minutes_of(cfg.reminder_time)) {
        auto key = ledger::day_key("reminder", cfg.platform, cfg.chat_id, state.project.id);
        auto last = ledger::last_day(m_store, key);
        if (!last) return last.error();
        if (*last != today) {
            auto message = core::render_update_reminder(findings, state, chat.locale, chat.out->markup());
            if (message) {
                auto pushed = push(chat, *message, "reminder", "reminder/" + where + "/" + core::format_iso_date(today), now);
                if (!pushed) return pushed.error();
                enqueued += *pushed;
            }
            auto saved = ledger::set_last_day(m_store, key, today);
            if (!saved) return saved.error();
        }
    }

    // The weekly review, on the week's first working day from its configured day.
    auto slot = m_calendar.weekly_day(today, cfg.weekly_time.weekday);
    if (slot && *slot == today && !chat.clock.quiet && chat.clock.minutes >= minutes_of(cfg.weekly_time.time)) {
        auto key = ledger::day_key("weekly", cfg.platform, cfg.chat_id, state.project.id);
        auto last = ledger::last_day(m_store, key);
        if (!last) return last.error();
        if (*last != today) {
            auto review = core::build_weekly_review(state, core::add_days(today, -6), today);
            auto message = core::render_weekly_review(review, state, chat.locale, chat.out->markup());
            auto pushed = push(chat, message, "weekly", "weekly/" + where + "/" + core::format_iso_date(today), now);
            if (!pushed) return pushed.error();
            enqueued += *pushed;
            auto saved = ledger::set_last_day(m_store, key, today);
            if (!saved) return saved.error();
        }
    }
    return enqueued;
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

core::Result<int> Scheduler::send_digest_now(const std::string& platform, const std::string& chat_id) {
    std::lock_guard lock(m_pass_mutex);
    const auto* config = m_config.find_chat(platform, chat_id);
    if (!config) return core::make_error(core::ErrorCode::not_found, "no chat " + platform + "/" + chat_id + " in the config");
    long long now = m_clock.now_unix();
    int enqueued = 0;
    m_tally = {};
    for (const auto& project_id : config->projects) {
        auto chats = chats_of(project_id, now);
        auto chat = std::find_if(chats.begin(), chats.end(), [&](const Chat& c) { return c.config == config; });
        if (chat == chats.end())
            return core::make_error(core::ErrorCode::invalid_argument, platform + " is not enabled in the config");
        auto loaded = load(project_id);
        if (!loaded) return loaded.error();
        if (!*loaded) return core::make_error(core::ErrorCode::not_found, "project " + project_id + " is not imported");
        auto last = ledger::last_day(m_store, ledger::day_key("digest", platform, chat_id, project_id));
        if (!last) return last.error();
        core::Digest digest = core::build_digest(**loaded, chat->clock.day, *last);
        auto message = core::render_digest(digest, **loaded, chat->locale, chat->out->markup());
        auto pushed = push(*chat, message, "digest",
                           "digest/manual/" + platform + "/" + chat_id + "/" + project_id + "/" +
                               std::to_string(m_clock.now_unix_ms()),
                           now);
        if (!pushed) return pushed.error();
        enqueued += *pushed;
    }
    flush_tally();  // each row above was committed on its own
    if (enqueued > 0 && m_wake) m_wake();
    return enqueued;
}

core::Result<std::vector<ScheduledSend>> Scheduler::plan(core::Date day) {
    std::lock_guard lock(m_pass_mutex);
    long long now = m_clock.now_unix();
    std::vector<ScheduledSend> out;
    for (const auto& cfg : m_config.chats) {
        std::string zone = cfg.timezone.value_or(m_config.timezone);
        bool working = m_calendar.is_working_day(day);
        auto slot = m_calendar.weekly_day(day, cfg.weekly_time.weekday);
        struct Item { const char* kind; config::TimeOfDay time; bool scheduled; };
        const Item items[] = {{"digest", cfg.digest_time, working},
                              {"weekly", cfg.weekly_time.time, slot && *slot == day},
                              {"reminder", cfg.reminder_time, working}};
        for (const auto& project_id : cfg.projects) {
            for (const auto& item : items) {
                if (std::string_view(item.kind) == "weekly" && !item.scheduled) continue;
                ScheduledSend send{item.kind, cfg.platform, cfg.chat_id, project_id, day, minutes_of(item.time),
                                   unix_at_local(day, minutes_of(item.time), zone), "", zone, ""};
                auto last = ledger::last_day(m_store, ledger::day_key(item.kind, cfg.platform, cfg.chat_id, project_id));
                if (!last) return last.error();
                if (!item.scheduled) send.state = "not a working day";
                else if (*last == day) send.state = "sent";
                else if (local_date(now, zone) > day) send.state = "missed";
                else send.state = now >= send.at_unix ? "due" : "later";
                if (std::string_view(item.kind) == "reminder" && send.state != "sent" && item.scheduled)
                    send.detail = "only if a task is past its update cadence (R9)";
                out.push_back(std::move(send));
            }
            auto ladders = ledger::ladders(m_store, cfg.platform, cfg.chat_id, project_id);
            if (!ladders) return ladders.error();
            auto deadline = deadline_in(zone);
            for (const auto& ladder : *ladders) {
                if (ladder.step == core::LadderStep::stopped || ladder.step == core::LadderStep::pinged_head) continue;
                long long at = deadline(ladder.stepped_at);
                if (local_date(at, zone) != day) continue;
                ScheduledSend send{"escalation", cfg.platform, cfg.chat_id, project_id, day, local_minutes_of_day(at, zone),
                                   at, now >= at ? "due" : "later", zone, ""};
                send.detail = ladder.task_id + (ladder.step == core::LadderStep::asked_owner ? " -> approver" : " -> department head") +
                              " unless a deviation report or an ack arrives";
                out.push_back(std::move(send));
            }
        }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.at_unix < b.at_unix; });
    return out;
}

}  // namespace bot
