#pragma once
// What the scheduler remembers between passes and across restarts, in the store's key/value
// table: the last day each scheduled push went to a chat, the warnings already fired, and the
// R8 ladders of each project (JSON). Written in the same transaction as the outbox rows they
// account for. Functions over a borrowed Store; safe for concurrent use as the Store is.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/escalation.h"
#include "core/result.h"
#include "core/store/facets.h"

namespace store::ledger {

// "sched/<what>/<platform>/<chat>/<project>"; what = "digest" | "reminder" | "weekly".
std::string day_key(std::string_view what, std::string_view platform, std::string_view chat_id,
                    std::string_view project_id);
core::Result<std::optional<core::Date>> last_day(StateStore& store, const std::string& key);
core::Result<void> set_last_day(StateStore& store, const std::string& key, core::Date day);

// A warning once fired in a chat: the task's revision then and the day.
struct Fired {
    long long revision = 0;
    core::Date day{};
};
// "sched/fired/<platform>/<chat>/<finding key>".
std::string fired_key(std::string_view platform, std::string_view chat_id, std::string_view finding_key);
core::Result<std::optional<Fired>> fired(StateStore& store, const std::string& key);
core::Result<void> set_fired(StateStore& store, const std::string& key, const Fired& fired);

// The R8 ladders of a project as one chat sees them: each chat runs them on its own clock (its
// zone, calendar, digest and working time), so a step is shown there when it is due there.
// "sched/ladders/<platform>/<chat>/<project>" as a JSON array. A chat with none yet reads the
// project's ladders from before they were per chat ("sched/ladders/<project>", when every chat
// got every step at once), so an upgrade asks nobody again. A value that cannot be read is an
// internal error.
core::Result<std::vector<core::Ladder>> ladders(StateStore& store, std::string_view platform,
                                                std::string_view chat_id, std::string_view project_id);
core::Result<void> set_ladders(StateStore& store, std::string_view platform, std::string_view chat_id,
                               std::string_view project_id, const std::vector<core::Ladder>& ladders);

// The retrospective (复盘) of a project: drafted once when the project closes, confirmed from
// chat (`确认复盘`). "sched/retro/<project>" as JSON; a value that cannot be read is an internal
// error. Per chat, the draft and the reminder are day keys ("retro", "retro-reminder").
struct Retro {
    core::Date closed_on{};    // the day the project counted as closed (core::closing_day)
    core::Date drafted{};      // the day the draft was made (the first chat's local day)
    std::string confirmed_by;  // person id; "" while not confirmed
    long long confirmed_at = 0;
    std::string confirmed_from;  // ChangeSource::describe() of the confirming message
    std::string summary;         // what the confirming message added ("确认复盘 提前锁定 KOL 档期")
    bool confirmed() const { return !confirmed_by.empty(); }
    friend bool operator==(const Retro&, const Retro&) = default;
};
core::Result<std::optional<Retro>> retro(StateStore& store, std::string_view project_id);
core::Result<void> set_retro(StateStore& store, std::string_view project_id, const Retro& retro);

std::string encode_ladders(const std::vector<core::Ladder>& ladders);
std::optional<std::vector<core::Ladder>> decode_ladders(std::string_view json);

}  // namespace store::ledger
