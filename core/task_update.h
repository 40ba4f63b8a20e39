#pragma once
// A change to one task as the command semantics decided it (semantics.h), applied by the store
// in one transaction. Fields left empty stay as they are. Plain value type.

#include <optional>
#include <string>

#include "core/date.h"
#include "core/model.h"

namespace core {

struct TaskUpdate {
    std::string project_id;
    std::string task_id;
    std::string action;  // progress-log action: "progress", "start", "done", "block", ...
    std::optional<Status> status;
    std::optional<int> completion;
    std::optional<Date> actual_start;
    std::optional<std::optional<Date>> actual_finish;  // set, or clear (a done task reopened)
    std::optional<Date> planned_finish;      // a re-plan (delay)
    std::optional<std::string> blocked_reason;     // "" clears it
    std::optional<std::optional<Date>> blocked_since;  // set or clear
    Date date{};                             // the local day of the change
    // Progress-log content.
    std::string note;
    std::string problem;
    std::string solution;
    std::string evidence;
    std::optional<double> deviation_rate;
    std::optional<DeviationReport> deviation_report;  // stored too when present
    // false for an acknowledgement (收到 T003): logged, but it is not news about the task, so
    // it neither resets R9's last update nor counts as a change that re-arms warnings.
    bool counts_as_progress = true;
};

}  // namespace core
