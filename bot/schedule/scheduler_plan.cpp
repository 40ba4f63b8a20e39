// The scheduler on request: a digest pushed now, and the day's plan of pushes (scheduler.h).
#include <spdlog/spdlog.h>

#include "bot/schedule/scheduler.h"
#include "bot/schedule/scheduler_parts.h"
#include "core/digest.h"
#include "core/escalation.h"
#include "core/rules.h"
#include "core/store/ledger.h"
#include "core/weekly.h"
#include "bot/ops/local_time.h"

namespace bot {
namespace ledger = store::ledger;
using namespace scheduler_parts;

core::Result<int> Scheduler::send_digest_now(const std::string& platform, const std::string& chat_id) {
    std::lock_guard lock(m_pass_mutex);
    if (auto refreshed = refresh_chats(); !refreshed) return refreshed.error();
    auto found = std::find_if(m_chats.begin(), m_chats.end(),
                              [&](const core::ChatEntry& c) { return c.platform == platform && c.chat_id == chat_id; });
    if (found == m_chats.end())
        return core::make_error(core::ErrorCode::not_found, "no chat " + platform + "/" + chat_id + " bound to a project");
    const core::ChatEntry* config = &*found;
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
    if (auto refreshed = refresh_chats(); !refreshed) return refreshed.error();
    for (const auto& cfg : m_chats) {
        std::string zone = cfg.timezone.value_or(m_config->timezone);
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
