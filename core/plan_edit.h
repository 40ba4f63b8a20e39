#pragma once
// Plan changes from the chat (issue 23): add a task, give it another owner or approver, re-plan
// a task that has not started, cancel and restore one. Who may (the project's lead), what each
// changes, and the R7 ripple it causes. The dispatcher (bot/pipeline/dispatcher.h) resolves the
// people, reads the plan, calls these and writes the result through the store (PlanStore::
// save_task), audited field by field (R13).
// Pure functions over value types; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/command.h"
#include "core/model.h"
#include "core/result.h"
#include "core/rules.h"

namespace core {

// The people who may change a project's plan, owner first: the project's owner, every approver
// of its tasks and `extra` (the config's default approver and department head for it). Admins
// may too (the caller knows them).
std::vector<std::string> plan_leads(const ProjectState& state, const std::vector<std::string>& extra);
bool may_edit_plan(const ProjectState& state, std::string_view person_id, bool is_admin,
                   const std::vector<std::string>& extra);

// The next free task id of the plan: the prefix and width of its highest-numbered task id plus
// one ("T008" after "T007", "MKT-010" after "MKT-009"); "T001" for an empty plan.
std::string next_task_id(const ProjectState& state);

struct PlanEdit {
    std::optional<Task> before;  // nullopt for a new task
    Task after;                  // the whole row to write
    std::string action;          // the progress log's action: "add", "assign", "approver", ...
    std::string note;            // what the log records with it (the reason of a cancel ...)
    bool module_chosen = false;  // add: the module was not named; `after.parent_id` was chosen
    // R7: successors whose planned start the change made unreachable (findings new after it),
    // for the reply to announce once.
    std::vector<Finding> ripple;
    std::vector<std::string> warnings;  // "predecessor_not_done:T004" (a re-plan starting early)
};

// The change `command` (is_plan_edit) makes to `state` (the whole plan: the ripple needs every
// successor) on `today`. The person of add/assign/approver is `command.person`, already resolved
// and present in `state.people`. Errors carry a stable key before ": " for the reply:
// "exists", "unknown_module", "unknown_predecessor", "cycle", "out_of_period", "bad_range",
// "started", "not_a_task", "cancelled", "not_cancelled", "already_done", "unchanged",
// "missing_person".
Result<PlanEdit> plan_edit(const Command& command, const ProjectState& state, Date today);

// The state with `edit` applied (the row replaced or inserted in plan order).
ProjectState with_edit(ProjectState state, const PlanEdit& edit);

}  // namespace core
