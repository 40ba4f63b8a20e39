#pragma once
// The scheduler's retrospective step (复盘, core/retrospective.h): when a project closes, the
// draft goes once to each of its chats (working time, from the chat's digest time); when it is
// still not confirmed once its due day (core::retro_due_day: 3 working days after the draft) has
// passed, each chat gets one reminder, on the next working day.
// The project's record and each chat's sends are ledger entries (core/store/ledger.h) written in
// the caller's transaction with the outbox rows, so a restart never sends either twice.
// Free functions over borrowed objects; safe for concurrent use as the Store is.

#include <functional>
#include <string>
#include <vector>

#include "bot/pipeline/platform_out.h"
#include "config/config.h"
#include "core/calendar.h"
#include "core/message.h"
#include "core/model.h"
#include "core/store/store.h"

namespace bot {

// One chat bound to the project, with its local time at the pass.
struct RetroChat {
    const core::ChatEntry* config = nullptr;
    const PlatformOut* out = nullptr;
    core::Locale locale = core::Locale::zh_cn;
    core::Date day{};
    int minutes = 0;  // local minutes after midnight
    bool working_time = false;
};

// Enqueues `message` to the chat as `kind` with `dedup_key`; returns rows inserted.
using RetroPush = std::function<core::Result<int>(const RetroChat& chat, const core::ChatMessage& message,
                                                  const std::string& kind, const std::string& dedup_key)>;

// Call inside the store transaction of the project's pass. `chats` is not empty; the first
// chat's local day dates the record. Returns the outbox rows enqueued.
core::Result<int> run_retrospective(store::Store& store, const core::WorkCalendar& calendar,
                                    const core::ProjectState& state, const std::vector<RetroChat>& chats,
                                    const RetroPush& push);

}  // namespace bot
