#include "core/semantics.h"

#include "core/rules.h"

namespace core {
namespace {

// Status after work resumed: in progress once started or partly done, else not started.
Status resumed_status(const Task& task, int completion) {
    if (completion >= 100) return Status::done;
    if (completion > 0 || task.actual_start) return Status::in_progress;
    return Status::not_started;
}

void note_unfinished_predecessors(const Task& task, const ProjectState& state,
                                  std::vector<std::string>& warnings) {
    for (const auto& id : task.predecessors) {
        const Task* predecessor = state.find_task(id);
        if (predecessor && predecessor->status != Status::done &&
            predecessor->status != Status::cancelled)
            warnings.push_back("predecessor_not_done:" + predecessor->id);  // R7
    }
}

DeviationReport make_report(const Command& command, const Task& task, Date today) {
    DeviationReport report;
    report.project_id = task.project_id;
    report.task_id = task.id;
    report.date = today;
    report.cause_kind = command.cause_kind;
    report.cause = command.reason;
    report.impact = command.impact;
    report.remedy = command.remedy;
    report.new_planned_finish = command.new_date;
    return report;
}

}  // namespace

Authority authority_over(const Task& task, const Project& project, std::string_view person_id,
                         bool is_admin) {
    if (person_id.empty()) return Authority::none;
    if (task.owner == person_id) return Authority::owner;
    if (!task.approver.empty() && task.approver == person_id) return Authority::approver;
    if (!project.owner.empty() && project.owner == person_id) return Authority::project_owner;
    if (is_admin) return Authority::admin;
    return Authority::none;
}

Result<void> check_permission(const Task& task, const Project& project, std::string_view person_id,
                              bool is_admin) {
    if (person_id.empty())
        return make_error(ErrorCode::forbidden, "the sender is not bound to a person");
    if (authority_over(task, project, person_id, is_admin) != Authority::none) return ok();
    return make_error(ErrorCode::forbidden, std::string(person_id) + " is not the owner or approver of " +
                                                task.id);
}

Result<void> check_permission(const Task& task, const Project& project, std::string_view person_id,
                              bool is_admin, CommandKind kind) {
    if (kind == CommandKind::ack && !person_id.empty() && !project.department_head.empty() &&
        project.department_head == person_id)
        return ok();
    return check_permission(task, project, person_id, is_admin);
}

Result<TaskUpdate> plan_update(const Command& command, const Task& task, const ProjectState& state,
                               Date today, std::vector<std::string>& warnings) {
    TaskUpdate update;
    update.project_id = task.project_id;
    update.task_id = task.id;
    update.action = to_string(command.kind);
    update.date = today;
    update.note = command.note;
    update.evidence = command.evidence;

    if (task.status == Status::cancelled && command.kind != CommandKind::note)
        return make_error(ErrorCode::conflict, "cancelled: " + task.id + " is cancelled");
    bool mutates_progress = command.kind == CommandKind::progress || command.kind == CommandKind::start ||
                            command.kind == CommandKind::done;
    if (mutates_progress && !is_leaf(state, task))
        return make_error(ErrorCode::conflict, "rolls_up: " + task.id + " is a " + to_string(task.level) +
                                                   "; its progress rolls up from its tasks");

    switch (command.kind) {
        case CommandKind::progress: {
            int percent = command.percent.value_or(task.completion);
            if (percent < 0 || percent > 100)
                return make_error(ErrorCode::invalid_argument, "bad_percent: completion must be 0..100");
            update.completion = percent;
            if (percent >= 100) {
                update.status = Status::done;
                if (!task.actual_finish) update.actual_finish = std::optional<Date>(today);
            } else if (task.status == Status::blocked) {
                // Stays blocked: the reason still holds until someone says unblock (R5).
            } else {
                update.status = resumed_status(task, percent);
                if (task.status == Status::done) update.actual_finish = std::optional<Date>();
            }
            if (!task.actual_start && percent > 0) {
                update.actual_start = today;
                note_unfinished_predecessors(task, state, warnings);
            }
            break;
        }
        case CommandKind::start:
            if (task.status == Status::done)
                return make_error(ErrorCode::conflict, "already_done: " + task.id + " is already done");
            if (task.status == Status::blocked)
                return make_error(ErrorCode::conflict, "is_blocked: " + task.id + " is blocked");
            update.status = Status::in_progress;
            if (!task.actual_start) update.actual_start = today;
            note_unfinished_predecessors(task, state, warnings);
            break;
        case CommandKind::done:
            if (task.status == Status::done)
                return make_error(ErrorCode::conflict, "already_done: " + task.id + " is already done");
            update.status = Status::done;
            update.completion = 100;
            update.actual_finish = std::optional<Date>(today);
            update.blocked_reason = "";
            update.blocked_since = std::optional<Date>();
            if (!task.actual_start) update.actual_start = today;
            note_unfinished_predecessors(task, state, warnings);
            break;
        case CommandKind::block:
            if (command.reason.empty())
                return make_error(ErrorCode::invalid_argument, "missing_reason: blocking needs a reason");  // R5
            if (task.status == Status::done)
                return make_error(ErrorCode::conflict, "already_done: " + task.id + " is already done");
            update.status = Status::blocked;
            update.blocked_reason = command.reason;
            if (task.status != Status::blocked) update.blocked_since = std::optional<Date>(today);
            update.problem = command.reason;
            break;
        case CommandKind::unblock:
            if (task.status != Status::blocked)
                return make_error(ErrorCode::conflict, "not_blocked: " + task.id + " is not blocked");
            update.status = resumed_status(task, task.completion);
            update.blocked_reason = "";
            update.blocked_since = std::optional<Date>();
            break;
        case CommandKind::delay: {
            if (!command.new_date)
                return make_error(ErrorCode::invalid_argument, "bad_date: a new planned finish date is needed");
            if (task.planned_start && *command.new_date < *task.planned_start)
                return make_error(ErrorCode::invalid_argument,
                                  "before_start: the new date is before the planned start " +
                                      format_iso_date(*task.planned_start));
            if (task.status == Status::done)
                return make_error(ErrorCode::conflict, "already_done: " + task.id + " is already done");
            update.planned_finish = *command.new_date;
            update.problem = command.reason;
            update.solution = command.remedy;
            update.deviation_report = make_report(command, task, today);  // R8
            break;
        }
        case CommandKind::deviation:
            update.problem = command.reason;
            update.solution = command.remedy;
            update.deviation_report = make_report(command, task, today);  // R8
            break;
        case CommandKind::note:
            break;
        case CommandKind::ack:
            update.counts_as_progress = false;
            break;
        default:
            return make_error(ErrorCode::invalid_argument, "not_a_change: " + std::string(to_string(command.kind)) +
                                                           " does not change a task");
    }
    Task after = task;
    if (update.completion) after.completion = *update.completion;
    if (update.planned_finish) after.planned_finish = update.planned_finish;
    update.deviation_rate = deviation_rate(after, today);
    return update;
}

}  // namespace core
