#pragma once
// R8, the escalation ladder, as a pure state machine over a project's state. The scheduler
// (bot/schedule/scheduler.h) persists the ladders, calls advance_ladders() on each pass with the day's
// findings, and sends what it returns.
//
// One ladder per task at a time:
//   opened        R1 or R2 fires for an open task with no open ladder, unless a report or an
//                 ack already answered a ladder of the task for the same plan (the finding's
//                 condition, its planned finish: a re-plan starts afresh, R2 turning into R1
//                 does not); a ladder that stopped because the task caught up does not count:
//                 the owner is asked for a deviation report (step asked_owner).
//   approver      no report `deadline(opened_at)` later (24 working hours, computed by the
//                 caller): the approver A is pinged — the task's approver, else the project's
//                 default approver, else the project owner (step pinged_approver). When the task
//                 is on the critical path (R7: its slip moves the project's end) the department
//                 head is pinged in the same message.
//   department    still nothing `deadline(stepped_at)` later: the department head is pinged
//                 (step pinged_head), unless already pinged or unknown. No rung above that.
//   stopped       a deviation report on the task recorded at or after opened_at (anyone, usually
//                 the owner: "T003 偏差 原因:…" or "T003 延期 …"), or an `ack T003` / `收到 T003`
//                 progress-log entry (action "ack") at or after the latest ping by a person that
//                 ladder pinged; or the task is done or cancelled or neither R1 nor R2 holds any
//                 more ("resolved"). A stopped ladder is kept (it remembers its trigger) and
//                 reports who stopped it and how.
// Pure functions over value types; safe for concurrent use.

#include <functional>
#include <string>
#include <vector>

#include "core/message.h"
#include "core/model.h"
#include "core/rules.h"

namespace core {

enum class LadderStep { asked_owner, pinged_approver, pinged_head, stopped };
const char* to_string(LadderStep step);  // "asked_owner", "pinged_approver", "pinged_head", "stopped"
bool parse_ladder_step(std::string_view text, LadderStep& out);

struct Ladder {
    std::string project_id;
    std::string task_id;
    std::string trigger;  // Finding::key() of the R1/R2 finding that opened it
    LadderStep step = LadderStep::asked_owner;
    long long opened_at = 0;   // unix seconds: the owner was asked
    long long stepped_at = 0;  // unix seconds: the latest ping (== opened_at until then)
    std::vector<std::string> pinged;  // person ids pinged so far (the owner first)
    std::string stop_reason;  // "report" | "ack" | "resolved" when stopped
    std::string stopped_by;   // person id ("" for resolved)
    long long stopped_at = 0;
    friend bool operator==(const Ladder&, const Ladder&) = default;
};

struct LadderAction {
    enum class Kind { ask_owner, ping, stopped };
    Kind kind = Kind::ask_owner;
    Ladder ladder;                  // the ladder after the action
    Finding trigger;                // ask_owner: the finding; ping: the current R1/R2 finding if any
    std::vector<std::string> to;    // ask_owner: {owner}; ping: the people pinged now; stopped: {}
};

struct LadderContext {
    long long now = 0;  // unix seconds
    // now + 24 working hours, in the project's chat time zone and calendar (the caller's).
    std::function<long long(long long from_unix)> deadline;
    std::string default_approver;  // config's per-project approver; "" = none
    std::string department_head;   // config's, else Project::department_head; "" = none
};

struct LadderPass {
    std::vector<Ladder> ladders;       // every ladder of the project after the pass (input order,
                                       // new ones appended)
    std::vector<LadderAction> actions; // what to send / record, in the order they happened
};

// `ladders` are this project's ladders as persisted; `findings` the findings of evaluate() for
// today (only R1/R2 are looked at). Stopped ladders stay in the result unchanged.
LadderPass advance_ladders(const ProjectState& state, std::vector<Ladder> ladders,
                           const std::vector<Finding>& findings, const LadderContext& context);

// The escalation message for one chat: one line per ask_owner / ping action (stopped actions
// are not shown), each mentioning the people concerned, saying how late or behind the task is
// and how long the owner has not answered, and the exact reply that stops it:
//   ask_owner: "@小明 T003 创意定稿已延期 5 天，请在 24 小时内提交偏差说明：回复
//               `T003 偏差 原因:… 影响:… 措施:…` 或 `T003 延期 12-05 原因:…`"
//   ping:      "@经理 T003 创意定稿已延期 6 天，负责人 @小明 24 小时内未提交偏差说明。请跟进，
//               处理后回复 `收到 T003`"
// Title "升级提醒 · <project name>" / "Escalation · <project name>". Empty sections when no
// action is shown.
ChatMessage render_ladder_actions(const std::vector<LadderAction>& actions, const ProjectState& state,
                                  Locale locale, const Markup& markup);

}  // namespace core
