#pragma once
// Moving a whole plan in time (issue 23, "a demo that looks alive"): the demo campaign is dated
// 2024, and `trackerctl import --shift-to today` places it around today. Pure functions over a
// ProjectState; safe for concurrent use on different states.

#include <optional>
#include <string>

#include "core/date.h"
#include "core/model.h"

namespace core {

// Adds `days` to every date of the plan: the project's period; each task's planned and actual
// start and finish, blocked_since and last_update; KPI update days; risks opened and closed;
// progress-log and deviation-report days (and a report's new planned finish). Durations,
// lateness and order are unchanged: a uniform shift.
void shift_plan(ProjectState& state, int days);

// The day on which the plan, as it stands, looks like a campaign in progress: an open leaf task
// (`due_task`) is due in two days, and another (`late_task`) is already late (R1: past planned
// finish by more than the grace days, not done). The due task is the first open, unblocked leaf
// in plan order for which some other task is late then; when none gives a late task too, the
// first open leaf with a planned finish. A blocked task (`blocked_task`) shows on any day — a
// shift cannot block a task, so it is "" when the plan has none. nullopt when no open leaf has
// a planned finish.
struct PlanAnchor {
    Date day{};
    std::string due_task;
    std::string late_task;     // "" when no day gives one
    std::string blocked_task;  // "" when the plan has no blocked task
};
std::optional<PlanAnchor> plan_anchor(const ProjectState& state);

// The whole number of days that moves the anchor day onto `target` (0 without an anchor).
int days_to_shift(const ProjectState& state, Date target);

}  // namespace core
