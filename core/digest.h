#pragma once
// The daily digest (domain.md "What it pushes") as structured data, and the renderers that turn
// it, warnings (R1–R12 findings) and task lists into platform-neutral ChatMessages in zh-CN or en.
// Pure functions over value types; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/message.h"
#include "core/model.h"
#include "core/rules.h"

namespace core {

struct Digest {
    struct CompletionRow {  // a phase or module and its roll-up
        std::string node_id;
        std::string name;
        Level level = Level::phase;
        int completion = 0;
        bool top_level = false;  // no parent in the plan
    };
    struct TaskLine {  // a task in one of the lists
        std::string task_id;
        std::string name;
        std::string owner;  // person id
    };
    struct Done : TaskLine { std::optional<Date> finished; };
    struct Late : TaskLine { int days_late = 0; };
    struct Blocked : TaskLine { std::string reason; int days_blocked = 0; };
    struct DueSoon : TaskLine { int days_left = 0; Date planned_finish{}; };
    struct AtRisk : TaskLine { double deviation = 0; int planned_percent = 0; int completion = 0; };
    struct Stale : TaskLine { int days_since_update = 0; int cadence_days = 0; };
    struct Overloaded { std::string person; int active_tasks = 0; };
    struct KpiBelow { std::string kpi_id; std::string name; double achievement = 0; double warn_below = 0; };

    std::string project_id;
    std::string project_name;
    Date date{};
    std::optional<Date> since;  // "done since": the last digest's day (inclusive)
    int completion = 0;         // the whole project
    std::vector<CompletionRow> rows;  // phases and modules in plan order
    std::vector<Done> done_since;
    std::vector<Late> late;          // R1, open tasks only (finished-late ones count in R11)
    std::vector<Blocked> blocked;    // R5
    std::vector<DueSoon> due_soon;   // R4
    std::vector<AtRisk> at_risk;     // R2
    std::vector<Stale> stale_updates;  // R9
    std::vector<Overloaded> overloaded;  // R6
    std::vector<KpiBelow> kpis_below;    // R12
    OnTimeRate on_time;                  // R11

    // No problem to report: nothing late, blocked, at risk, stale, overloaded or below a KPI
    // threshold. (Tasks due soon and tasks done are news, not problems.)
    bool all_on_track() const;
};

// Builds the digest of `today`. Without `since`, "done since" covers yesterday and today.
Digest build_digest(const ProjectState& state, Date today, std::optional<Date> since = {});
// The same with the rules already evaluated: `findings` is evaluate(state, today) (a caller that
// needs them anyway — the scheduler, for warnings and escalations — evaluates once).
Digest build_digest(const ProjectState& state, Date today, std::optional<Date> since,
                    const std::vector<Finding>& findings);
// The same on a plan already indexed (the one `findings` were evaluated on).
Digest build_digest(const PlanIndex& plan, Date today, std::optional<Date> since,
                    const std::vector<Finding>& findings);

// Title "每日简报 · 新品上市推广 · 2024-03-23" / "Daily digest · … · 2024-03-23"; owners mentioned
// with the markup, their platform ids in mention_user_ids; a "mark done" button per late task;
// a short "all on track" line when there is nothing else to say.
ChatMessage render_digest(const Digest& digest, const ProjectState& state, Locale locale, const Markup& markup);

// Warnings that fired at once, merged into one message: one line per finding with the owner
// mentioned and the reply that moves it on ("回复 `T003 进度 60%` 更新").
ChatMessage render_findings(const std::vector<Finding>& findings, const ProjectState& state, Locale locale,
                            const Markup& markup);

// The lists behind the chat commands "逾期/late", "阻塞/blocked", "我的任务/my tasks".
std::vector<Task> late_tasks(const ProjectState& state, Date today);       // open and R1-late
std::vector<Task> blocked_tasks(const ProjectState& state);                // R5
std::vector<Task> open_tasks_of(const ProjectState& state, std::string_view person_id);  // not done/cancelled

// One line per task: id, name, effective status, completion, planned finish, owner mention,
// and days late or the blocked reason. An empty list says so.
ChatMessage render_task_list(std::string_view title, const std::vector<Task>& tasks, const ProjectState& state,
                             Date today, Locale locale, const Markup& markup);

}  // namespace core
