#include "core/plan_shift.h"

#include "core/rules.h"

namespace core {
namespace {

void shift(std::optional<Date>& date, int days) {
    if (date) date = add_days(*date, days);
}

void shift(Date& date, int days) { date = add_days(date, days); }

bool is_open(const Task& task) { return task.status != Status::done && task.status != Status::cancelled; }

}  // namespace

void shift_plan(ProjectState& state, int days) {
    if (days == 0) return;
    shift(state.project.start, days);
    shift(state.project.end, days);
    for (auto& task : state.tasks) {
        for (auto* date : {&task.planned_start, &task.planned_finish, &task.actual_start, &task.actual_finish,
                           &task.blocked_since, &task.last_update})
            shift(*date, days);
    }
    for (auto& kpi : state.kpis) shift(kpi.updated, days);
    for (auto& risk : state.risks) {
        shift(risk.opened, days);
        shift(risk.closed, days);
    }
    for (auto& entry : state.progress) shift(entry.date, days);
    for (auto& report : state.deviation_reports) {
        shift(report.date, days);
        shift(report.new_planned_finish, days);
    }
}

std::optional<PlanAnchor> plan_anchor(const ProjectState& state) {
    std::vector<const Task*> open;
    std::string blocked;
    for (const Task* task : leaf_tasks(state)) {
        if (!is_open(*task)) continue;
        if (task->status == Status::blocked) {
            if (blocked.empty()) blocked = task->id;
            continue;
        }
        if (task->planned_finish) open.push_back(task);
    }
    if (open.empty()) return std::nullopt;
    const Thresholds& thresholds = state.project.thresholds;
    for (const Task* due : open) {
        Date day = add_days(*due->planned_finish, -2);
        for (const Task* other : open)
            if (other != due && is_late(*other, day, thresholds))
                return PlanAnchor{day, due->id, other->id, blocked};
    }
    return PlanAnchor{add_days(*open.front()->planned_finish, -2), open.front()->id, "", blocked};
}

int days_to_shift(const ProjectState& state, Date target) {
    auto anchor = plan_anchor(state);
    return anchor ? days_between(anchor->day, target) : 0;
}

}  // namespace core
