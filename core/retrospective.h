#pragma once
// The retrospective (复盘; domain.md "Model" and "What it pushes"; seed 000 第五步, seed 001 表5,
// seed 002 复盘总结): when a project closes, a draft made of the plan's facts — the goal and each
// KPI's achievement, the on-time rate (R11), what slipped and why (the deviation reports), the
// risk register — with the judgement parts (highlights, problems, improvements, follow-up
// actions with owners) left for the team to write. The project owner confirms it in chat
// (`确认复盘` / `confirm retro`); it is due within 3 working days of the close.
// Pure functions over value types; safe for concurrent use.

#include <optional>
#include <string>
#include <vector>

#include "core/calendar.h"
#include "core/date.h"
#include "core/message.h"
#include "core/model.h"
#include "core/rules.h"

namespace core {

// Working days the team has to confirm the retrospective after the project closes.
inline constexpr int k_retro_due_working_days = 3;

struct Retrospective {
    struct KpiLine {
        std::string kpi_id;
        std::string name;
        double target = 0;
        double current = 0;
        bool percent = false;  // written as "35%"
        double achievement = 0;
        bool met = false;  // achievement >= 100%
    };
    // A leaf task that finished after its planned finish, or was still open past it (R1).
    struct SlipLine {
        std::string task_id;
        std::string name;
        std::string owner;
        Date planned_finish{};
        std::optional<Date> actual_finish;  // unset: not done when the project closed
        int days_late = 0;
        std::vector<DeviationReport> reports;  // every report on the task, oldest first
    };

    std::string project_id;
    std::string project_name;
    std::string goal;
    std::string owner;  // person id: asked to confirm
    Date closed_on{};   // the day the project counts as closed
    Date due{};         // the day it is to be confirmed by (retro_due_day)
    std::optional<Date> planned_start;
    std::optional<Date> planned_finish;
    std::optional<Date> actual_finish;  // the latest actual finish of a leaf task
    int tasks = 0;      // leaf tasks, cancelled excluded
    int tasks_done = 0;
    int tasks_cancelled = 0;
    int completion = 0;  // project roll-up
    OnTimeRate on_time;  // R11 as of closed_on
    double on_time_target = 0.90;
    std::vector<KpiLine> kpis;
    std::vector<SlipLine> slipped;
    int objective_causes = 0;   // slipped tasks whose newest report says 客观
    int subjective_causes = 0;  // ... 主观
    std::vector<RiskItem> risks;  // the whole register
};

// The day the project counts as closed, if it does on `today`: its status is `closed` (then
// `today`: the status carries no date), or every leaf task not cancelled is done and there is
// at least one (then the latest actual finish, else `today`). Archived projects: nullopt.
std::optional<Date> closing_day(const ProjectState& state, Date today);

// The k_retro_due_working_days-th working day after `drafted`: the team gets three working days
// from the draft it receives (seed 000 第五步: within 3 working days of the end).
Date retro_due_day(const WorkCalendar& calendar, Date drafted);

// The facts as of `closed_on`, to be confirmed by `due`.
Retrospective build_retrospective(const ProjectState& state, Date closed_on, Date due);

// Title "复盘草稿 · <project>" / "Retrospective draft · <project>"; sections: goal and period,
// KPIs (achieved or not), on-time rate vs target, slipped tasks with their deviation reports and
// the objective/subjective split, risks, the parts for the team to fill in, and the owner
// mentioned with the due day and the reply that confirms it.
ChatMessage render_retrospective(const Retrospective& retro, const ProjectState& state, Locale locale,
                                 const Markup& markup);

// The reminder when the draft of `drafted` is still not confirmed after its due day.
ChatMessage render_retro_reminder(const Retrospective& retro, Date drafted, const ProjectState& state,
                                  Locale locale, const Markup& markup);

// The chat command that confirms the retrospective of `project_id` ("确认复盘 P1" /
// "confirm retro P1"); the bare command when the grammar would not read the project id as an id
// ("NPL": ids need a digit) — it then confirms every pending retrospective of the chat's projects.
std::string retro_confirm_command(Locale locale, const std::string& project_id);

}  // namespace core
