#pragma once
// What the scheduler's source files (scheduler.cpp, scheduler_chat.cpp, scheduler_plan.cpp)
// share: a chat's local clock at a pass, and small helpers. Internal to bot/schedule/.

#include <algorithm>
#include <optional>
#include <string>

#include "adapters/common/crypto.h"
#include "bot/schedule/scheduler.h"
#include "config/config.h"
#include "core/command.h"
#include "core/message.h"
#include "core/rules.h"

namespace bot {
namespace scheduler_parts {

inline int minutes_of(const config::TimeOfDay& t) { return t.hour * 60 + t.minute; }

inline bool in_quiet_hours(int minutes, const std::optional<config::QuietHours>& quiet) {
    if (!quiet) return false;
    int from = minutes_of(quiet->from), to = minutes_of(quiet->to);
    if (from == to) return false;
    return from < to ? (minutes >= from && minutes < to) : (minutes >= from || minutes < to);
}

// Warnings pushed as they fire. R5 (blocked) is announced by whoever blocks and listed in every
// digest, R9 goes into the 17:00 reminder, R11 into the weekly review.
inline bool is_pushed_warning(core::Rule rule) {
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
inline Revision task_revision(const core::ProjectState& state, const std::string& task_id) {
    static const std::string ack = core::to_string(core::CommandKind::ack);
    Revision revision;
    for (const auto& entry : state.progress)
        if (!task_id.empty() && entry.task_id == task_id && entry.id > revision.id && entry.action != ack)
            revision = {entry.id, entry.date};
    return revision;
}

inline std::string short_hash(const std::string& text) { return adapters::to_hex(adapters::sha256(text)).substr(0, 16); }

// One message out of several for the same chat: the first one's title, every section, mentions
// merged without duplicates.
inline core::ChatMessage merge(core::ChatMessage first, const core::ChatMessage& second) {
    for (const auto& section : second.sections) first.sections.push_back(section);
    for (const auto& id : second.mention_user_ids)
        if (std::find(first.mention_user_ids.begin(), first.mention_user_ids.end(), id) == first.mention_user_ids.end())
            first.mention_user_ids.push_back(id);
    if (!second.fallback_text.empty()) first.fallback_text += "\n\n" + second.fallback_text;
    return first;
}

}  // namespace scheduler_parts

// The chat's local time at one instant.
struct Scheduler::ChatClock {
    std::string zone;
    core::Date day{};
    int minutes = 0;
    bool working_day = false;
    bool quiet = false;
    bool working_time() const { return working_day && !quiet; }
};

// A bound chat with its platform and local time at the pass.
struct Scheduler::Chat {
    const core::ChatEntry* config = nullptr;
    const PlatformOut* out = nullptr;
    core::Locale locale = core::Locale::zh_cn;
    ChatClock clock;
};

}  // namespace bot
