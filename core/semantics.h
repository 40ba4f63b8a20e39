#pragma once
// Command semantics: who may change a task, and what each command changes (pure).
// The dispatcher (bot/pipeline/dispatcher.h) reads, calls these, and writes through the store.
// Pure functions; safe for concurrent use.

#include <string>
#include <vector>

#include "core/command.h"
#include "core/model.h"
#include "core/result.h"
#include "core/task_update.h"

namespace core {

// Why a person may change a task (or none): an owner may change their own task; the approver,
// the project owner and configured admins may change any task of the project.
enum class Authority { none, owner, approver, project_owner, admin };

Authority authority_over(const Task& task, const Project& project, std::string_view person_id,
                         bool is_admin);

// Ok when `person_id` may change `task` (authority_over is not none); ErrorCode::forbidden
// otherwise. An empty person_id (a chat user not bound to any person) is always refused.
Result<void> check_permission(const Task& task, const Project& project, std::string_view person_id,
                              bool is_admin);
// The same for command `kind`: the project's department head may also `ack` any task of the
// project (R8 pings them, and their ack stops the ladder).
Result<void> check_permission(const Task& task, const Project& project, std::string_view person_id,
                              bool is_admin, CommandKind kind);

// The change a mutating command makes to `task` on `today`. Errors: ErrorCode::conflict when
// the task's state does not allow it (unblock a task that is not blocked, start a done task,
// change a cancelled one), ErrorCode::invalid_argument for bad values (a new date before the
// planned start). Error messages start with a stable key ("already_done: …", "not_blocked: …",
// "missing_reason: …", "bad_date: …", "before_start: …", "cancelled: …", "rolls_up: …",
// "is_blocked: …", "bad_percent: …") that replies.cpp localises. `warnings` receives notes for the reply (R7: a predecessor not done).
Result<TaskUpdate> plan_update(const Command& command, const Task& task, const ProjectState& state,
                               Date today, std::vector<std::string>& warnings);

}  // namespace core
