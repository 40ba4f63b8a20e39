#pragma once
// The weekly review (周报, domain.md "What it pushes") and the end-of-day update reminder
// (R9, 日清日结) as structured data and platform-neutral ChatMessages in zh-CN or en.
// Pure functions over value types; safe for concurrent use.

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/digest.h"
#include "core/message.h"
#include "core/model.h"
#include "core/rules.h"

namespace core {

struct WeeklyReview {
    struct TaskLine {
        std::string task_id;
        std::string name;
        std::string owner;  // person id
        // Every deviation report (偏差说明) on the task dated within the period, oldest first.
        std::vector<DeviationReport> reports;
    };
    struct Finished : TaskLine { Date finished{}; bool on_time = true; };
    struct Slipped : TaskLine {   // planned finish inside the period, not done by it (or done late)
        Date planned_finish{};
        int days_late = 0;
        std::string cause;      // the newest deviation report's cause in the period, if any
        std::string impact;
        std::string remedy;
    };
    // Blocked now, or blocked during the period and cleared within it (`cleared` set: the day
    // of the unblock; days_blocked then counts from the block to the unblock).
    struct Blocked : TaskLine {
        std::string reason;
        int days_blocked = 0;
        std::optional<Date> cleared;
    };
    // A risk register entry (seed 001 表4) opened or closed within the period.
    struct RiskLine {
        std::string risk_id;
        std::string title;
        RiskLevel impact = RiskLevel::medium;
        std::string owner;
        RiskStatus status = RiskStatus::open;
        std::optional<Date> opened;
        std::optional<Date> closed;
    };
    struct KpiLine { std::string kpi_id; std::string name; double target = 0; double current = 0; double achievement = 0; bool below_warning = false; };

    std::string project_id;
    std::string project_name;
    Date from{};  // first day of the period (inclusive)
    Date to{};    // last day (inclusive): the day the review is made
    int completion = 0;         // project roll-up now
    int completion_before = 0;  // project roll-up at the start of the period (from the progress log)
    std::vector<Finished> finished;  // done within the period
    std::vector<Slipped> slipped;
    std::vector<Blocked> blocked;    // blocked now (first), then cleared within the period
    std::vector<Task> due_next;      // not done, planned finish within the 7 days after `to`
    OnTimeRate on_time;              // R11 as of `to`
    std::vector<KpiLine> kpis;       // every KPI, R12 flag when below its warning threshold
    int deviation_reports = 0;       // deviation reports recorded in the period
    std::vector<RiskLine> risks_opened;  // opened within the period
    std::vector<RiskLine> risks_closed;  // closed (resolved) within the period
    int risks_open = 0;                  // not resolved as of `to`
    bool has_risk_register = false;      // the project has any risk at all
};

// The review of [from, to]. completion_before uses, per task, the completion of the newest
// progress-log entry dated before `from` (0 when none; done tasks finished before `from` count
// as 100).
WeeklyReview build_weekly_review(const ProjectState& state, Date from, Date to);

// Title "周报 · <project> · 03-18 – 03-24" / "Weekly review · <project> · Mar 18 – Mar 24";
// sections: progress (before → now, trend arrow), finished, slipped (with the newest deviation
// report's cause, impact and remedy; earlier reports of the period listed under it), blocked
// (now, and cleared this week), on-time rate vs the 90% target (seed 002 K004), KPIs, risks
// opened and closed (only when the project keeps a risk register), next week's due tasks.
// Owners mentioned.
ChatMessage render_weekly_review(const WeeklyReview& review, const ProjectState& state, Locale locale,
                                 const Markup& markup);

// The 17:00 reminder (R9): one line per owner mentioning them once with their tasks past the
// update cadence and the reply to send ("回复 `T003 进度 60%`"). Only r9_stale_update findings
// are used; nullopt when there are none (nothing is sent).
std::optional<ChatMessage> render_update_reminder(const std::vector<Finding>& findings, const ProjectState& state,
                                                  Locale locale, const Markup& markup);

}  // namespace core
