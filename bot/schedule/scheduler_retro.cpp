#include "bot/schedule/scheduler_retro.h"

#include <spdlog/spdlog.h>

#include "core/store/ledger.h"
#include "core/retrospective.h"

namespace bot {
namespace ledger = store::ledger;
namespace {

int minutes_of(const config::TimeOfDay& t) { return t.hour * 60 + t.minute; }

// Sends what the chat still lacks: the draft, then (once due) the reminder.
core::Result<int> run_chat(store::Store& store, const core::WorkCalendar& calendar, const core::ProjectState& state,
                           const ledger::Retro& record, const RetroChat& chat, const RetroPush& push) {
    const auto& cfg = *chat.config;
    if (!chat.working_time || chat.minutes < minutes_of(cfg.digest_time)) return 0;
    const std::string where = cfg.platform + "/" + cfg.chat_id + "/" + state.project.id;
    core::Retrospective retro =
        core::build_retrospective(state, record.closed_on, core::retro_due_day(calendar, record.drafted));
    int enqueued = 0;
    auto draft_key = ledger::day_key("retro", cfg.platform, cfg.chat_id, state.project.id);
    auto drafted = ledger::last_day(store, draft_key);
    if (!drafted) return drafted.error();
    if (!*drafted) {
        auto message = core::render_retrospective(retro, state, chat.locale, chat.out->markup());
        auto pushed = push(chat, message, "retro", "retro/" + where + "/" + core::format_iso_date(record.drafted));
        if (!pushed) return pushed.error();
        enqueued += *pushed;
        auto saved = ledger::set_last_day(store, draft_key, chat.day);
        if (!saved) return saved.error();
        return enqueued;  // the reminder, if already due, waits for the next day
    }
    if (chat.day <= retro.due) return enqueued;  // reminded once the due day has passed
    auto reminder_key = ledger::day_key("retro-reminder", cfg.platform, cfg.chat_id, state.project.id);
    auto reminded = ledger::last_day(store, reminder_key);
    if (!reminded) return reminded.error();
    if (*reminded) return enqueued;
    auto message = core::render_retro_reminder(retro, record.drafted, state, chat.locale, chat.out->markup());
    auto pushed = push(chat, message, "retro-reminder",
                       "retro-reminder/" + where + "/" + core::format_iso_date(record.drafted));
    if (!pushed) return pushed.error();
    enqueued += *pushed;
    auto saved = ledger::set_last_day(store, reminder_key, chat.day);
    if (!saved) return saved.error();
    return enqueued;
}

}  // namespace

core::Result<int> run_retrospective(store::Store& store, const core::WorkCalendar& calendar,
                                    const core::ProjectState& state, const std::vector<RetroChat>& chats,
                                    const RetroPush& push) {
    if (chats.empty()) return 0;
    auto record = ledger::retro(store, state.project.id);
    if (!record) return record.error();
    if (!*record) {
        auto closed_on = core::closing_day(state, chats.front().day);
        if (!closed_on) return 0;
        ledger::Retro fresh;
        fresh.closed_on = *closed_on;
        fresh.drafted = chats.front().day;
        auto saved = ledger::set_retro(store, state.project.id, fresh);
        if (!saved) return saved.error();
        spdlog::info("scheduler: project {} closed on {}; retrospective drafted", state.project.id,
                     core::format_iso_date(fresh.closed_on));
        *record = fresh;
    }
    if ((*record)->confirmed()) return 0;
    int enqueued = 0;
    for (const auto& chat : chats) {
        auto pushed = run_chat(store, calendar, state, **record, chat, push);
        if (!pushed) return pushed.error();
        enqueued += *pushed;
    }
    return enqueued;
}

}  // namespace bot
