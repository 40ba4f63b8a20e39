#pragma once
// The tracker's rules (domain.md R1–R7, R9–R12) as pure functions of a project's state, a day
// and the project's thresholds. R8 (escalation) is driven by the scheduler from R1/R2 findings;
// R13 (audit) lives in the store. No I/O, no clock: `today` is passed in.
// Pure functions over value types; safe for concurrent use.
//
// Day counting (used by every rule): a task planned start..finish lasts finish - start + 1
// days (both ends inclusive). On a given day, the days already elapsed are the whole days
// *before* it, i.e. planned progress is measured as of the start of `today` (the morning
// digest reflects the work of the previous days): 0 on the start day, (d-1)/d on the finish
// day, 1 from the day after the finish.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace core {
class PlanIndex;
}

namespace core {

enum class Rule {
    r1_late,
    r2_deviation,
    r3_stagnation,
    r4_due_soon,
    r5_blocked,
    r6_overload,
    r7_dependency,
    r9_stale_update,
    r10_granularity,
    r11_on_time,
    r12_kpi,
};

const char* to_string(Rule rule);  // "R1" ... "R12"

// R7 has two conditions; Finding::detail says which.
inline constexpr std::string_view k_r7_started_early = "started_before_predecessor";
inline constexpr std::string_view k_r7_unreachable = "start_unreachable";

// One rule firing for one task (or person, KPI, project).
//   R1  days = days late; detail = "done" when the task finished late, else "".
//   R2  value = deviation rate (0..1); days = planned progress in percent.
//   R3  value = planned progress (0..1) today; days = completion today.
//   R4  days = days left until planned finish (0 = due today, negative = in the R1 grace).
//   R5  days = days blocked; detail = the reason.
//   R6  person_id = the overloaded person, task_id = ""; days = active tasks.
//   R7  related_id = the predecessor; detail = k_r7_started_early or k_r7_unreachable
//       (then days = how far the start slips).
//   R9  days = days since the last update; value = the cadence in days.
//   R10 days = planned duration in days.
//   R11 value = on-time rate; detail = "on_time/due".
//   R12 related_id = the KPI id; value = achievement; person_id = the project owner.
struct Finding {
    Rule rule = Rule::r1_late;
    std::string project_id;
    std::string task_id;
    std::string person_id;  // who to mention: the task owner, the person (R6), the project owner
    int days = 0;
    double value = 0;
    std::string detail;
    std::string related_id;  // R7 predecessor, R12 KPI id
    std::string condition;   // what makes it a new condition (planned finish, blocked since ...)

    // Stable identity of "this task and condition", e.g. "R1:P1/T003@2024-03-08", so the
    // scheduler fires each warning once until the condition changes.
    std::string key() const;
};

// --- per-task helpers -------------------------------------------------------------------

// Planned duration in days (inclusive), from the planned dates or else estimated_days; nullopt
// when neither is known.
std::optional<int> planned_duration_days(const Task& task);
// R2: share of the planned duration elapsed before `today`, 0..1 (see "Day counting").
double planned_progress(const Task& task, Date today);
// R2: (planned - actual) / planned; nullopt when planned progress is 0 (or dates unknown).
std::optional<double> deviation_rate(const Task& task, Date today);
// Days past planned finish: to actual finish for a done task, to today otherwise; >= 0.
int days_late(const Task& task, Date today);
// R1: not done and today more than grace days past planned finish, or done with actual finish
// more than grace days after planned finish. Cancelled tasks are never late.
bool is_late(const Task& task, Date today, const Thresholds& thresholds);
// The status to show: `delayed` when R1 holds for a task that is not done, blocked or cancelled
// (a done task that finished late stays `done` here but counts as late for R1/R11). A stored
// `delayed` is kept as set.
Status effective_status(const Task& task, Date today, const Thresholds& thresholds);
// Started in fact: an actual start, some progress, or status in_progress / done.
bool has_started(const Task& task);

// --- the plan as a whole ----------------------------------------------------------------

// A leaf carries the task rules (R1–R10): a Level::task node, or any node without children.
bool is_leaf(const ProjectState& state, const Task& task);
std::vector<const Task*> leaf_tasks(const ProjectState& state);  // plan order, cancelled kept
// Duration-weighted completion (0..100) of a node's children, cancelled excluded; a leaf (or a
// node whose children are all cancelled) returns its own completion (100 when done). Unknown
// durations weigh 1 day. Unknown node -> 0.
int rollup_completion(const ProjectState& state, std::string_view node_id);
// The same roll-up over the top-level nodes.
int project_completion(const ProjectState& state);
// The same two on a plan indexed once (core/plan_index.h), for a caller that asks for many.
int rollup_completion(const PlanIndex& plan, std::string_view node_id);
int project_completion(const PlanIndex& plan);

// R11: leaf tasks (not cancelled) done on or before planned finish / leaf tasks due so far
// (planned finish before or on today, or already done).
struct OnTimeRate {
    int on_time = 0;
    int due = 0;
    double rate() const;  // 1.0 when nothing is due yet
};
OnTimeRate on_time_rate(const ProjectState& state, Date today);
OnTimeRate on_time_rate(const PlanIndex& plan, Date today);

// R12: current / target (0 when the target is 0).
double kpi_achievement(const Kpi& kpi);

// R7: the finish-to-start chain that sets the project end: from the leaf with the latest
// planned finish, back through the predecessor with the latest planned finish each time.
// Ids in chain order (first task first); empty when no leaf has a planned finish.
std::vector<std::string> critical_path(const ProjectState& state);

// R9: the cadence (days) expected of a task: key (P0 or on the critical path), long (planned
// duration > long_task_days) or routine.
int update_cadence_days(const Task& task, bool on_critical_path, const Thresholds& thresholds);
// R9: the latest of last_update, the newest progress-log entry and actual_start.
std::optional<Date> last_activity(const ProjectState& state, const Task& task);

// All findings of R1–R7 and R9–R12 on `today` with the project's thresholds, grouped by rule
// (in the enum's order) and in plan order within a rule. The caller decides which projects to
// evaluate (closed ones are not special here). R2 and R3 are not reported for a task that R1
// already reports as late and open: the delay warning says more.
std::vector<Finding> evaluate(const ProjectState& state, Date today);
// The same on a plan already indexed (a caller that also builds the digest indexes once).
std::vector<Finding> evaluate(const PlanIndex& plan, Date today);

}  // namespace core
