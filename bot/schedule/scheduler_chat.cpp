// The scheduler's work in one chat: its R8 ladders on its own clock, its warnings and asks,
// the reminder and the weekly review (scheduler.h).
#include <spdlog/spdlog.h>

#include "bot/schedule/scheduler.h"
#include "bot/schedule/scheduler_parts.h"
#include "core/digest.h"
#include "core/escalation.h"
#include "core/rules.h"
#include "core/store/ledger.h"
#include "core/weekly.h"

namespace bot {
namespace ledger = store::ledger;
using namespace scheduler_parts;

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
    if (const auto* settings = m_config->find_project(state.project.id)) {
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

    auto reminded = push_reminder(state, chat, findings, now);
    if (!reminded) return reminded.error();
    auto reviewed = push_weekly(state, chat, now);
    if (!reviewed) return reviewed.error();
    return enqueued + *reminded + *reviewed;
}

// The end-of-day reminder (R9, 日清日结), once a working day from the chat's reminder_time.
core::Result<int> Scheduler::push_reminder(const core::ProjectState& state, const Chat& chat,
                                           const std::vector<core::Finding>& findings, long long now) {
    const auto& cfg = *chat.config;
    const core::Date today = chat.clock.day;
    const std::string where = cfg.platform + "/" + cfg.chat_id + "/" + state.project.id;
    int enqueued = 0;
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

    return enqueued;
}

// The weekly review, on the week's first working day from its configured day.
core::Result<int> Scheduler::push_weekly(const core::ProjectState& state, const Chat& chat, long long now) {
    const auto& cfg = *chat.config;
    const core::Date today = chat.clock.day;
    const std::string where = cfg.platform + "/" + cfg.chat_id + "/" + state.project.id;
    int enqueued = 0;
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

}  // namespace bot
