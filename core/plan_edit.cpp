#include "core/plan_edit.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "core/grammar_text.h"

namespace core {
namespace {

Error refused(ErrorCode code, std::string key, std::string detail) {
    return Error{code, std::move(key) + ": " + std::move(detail)};
}

std::string iso(const std::optional<Date>& date) { return date ? format_iso_date(*date) : std::string(); }

// Is `node` `ancestor` or below it?
bool within(const ProjectState& state, const Task& node, std::string_view ancestor) {
    const Task* at = &node;
    for (int depth = 0; at && depth < 16; ++depth) {
        if (at->id == ancestor) return true;
        if (at->parent_id.empty()) return false;
        at = state.find_task(at->parent_id);
    }
    return false;
}

// Where a new task goes when the line names no module: the module of its first predecessor,
// else the plan's last module, else its last phase, else the top level.
std::string default_parent(const ProjectState& state, const std::vector<std::string>& predecessors) {
    for (const auto& id : predecessors)
        if (const Task* pred = state.find_task(id); pred && !pred->parent_id.empty()) return pred->parent_id;
    for (Level level : {Level::module, Level::phase})
        for (auto it = state.tasks.rbegin(); it != state.tasks.rend(); ++it)
            if (it->level == level) return it->id;
    return "";
}

// The index in state.tasks after which a new child of `parent` goes: after its last descendant.
std::size_t insertion_index(const ProjectState& state, const std::string& parent) {
    std::size_t at = state.tasks.size();
    for (std::size_t i = 0; i < state.tasks.size(); ++i)
        if (parent.empty() || within(state, state.tasks[i], parent)) at = i + 1;
    return at;
}

// A finish-to-start cycle through `start_id` in `state`: the chain, first id repeated at the
// end ("T004 → T008 → T004"), or "" when none.
std::string cycle_through(const ProjectState& state, const std::string& start_id) {
    std::vector<std::string> path;
    std::set<std::string> seen;
    std::string found;
    auto walk = [&](auto&& self, const std::string& id) -> bool {
        const Task* task = state.find_task(id);
        if (!task) return false;
        path.push_back(id);
        for (const auto& pred : task->predecessors) {
            if (normalize_id(pred) == start_id) {
                path.push_back(start_id);
                return true;
            }
            if (seen.insert(normalize_id(pred)).second && path.size() < 256 && self(self, normalize_id(pred))) return true;
        }
        path.pop_back();
        return false;
    };
    if (!walk(walk, start_id)) return "";
    // path runs from the task back through its predecessors: show it in finish-to-start order.
    std::reverse(path.begin(), path.end());
    for (std::size_t i = 0; i < path.size(); ++i) found += (i ? " → " : "") + path[i];
    return found;
}

Result<void> check_period(const Project& project, const std::optional<Date>& start, const std::optional<Date>& finish) {
    if (start && finish && *start > *finish)
        return refused(ErrorCode::invalid_argument, "bad_range", iso(start) + " > " + iso(finish));
    if (project.start && start && *start < *project.start)
        return refused(ErrorCode::invalid_argument, "out_of_period", iso(start) + " < " + iso(project.start));
    if (project.end && finish && *finish > *project.end)
        return refused(ErrorCode::invalid_argument, "out_of_period", iso(finish) + " > " + iso(project.end));
    return ok();
}

std::set<std::string> unreachable_keys(const ProjectState& state, Date today) {
    std::set<std::string> keys;
    for (const Finding& finding : evaluate(state, today))
        if (finding.rule == Rule::r7_dependency && finding.detail == k_r7_unreachable) keys.insert(finding.key());
    return keys;
}

// R7 findings about other tasks that the edit made new.
std::vector<Finding> ripple_of(const ProjectState& before, const ProjectState& after, const std::string& changed,
                               Date today) {
    std::set<std::string> had = unreachable_keys(before, today);
    std::vector<Finding> out;
    for (Finding& finding : evaluate(after, today))
        if (finding.rule == Rule::r7_dependency && finding.detail == k_r7_unreachable && finding.task_id != changed &&
            !had.count(finding.key()))
            out.push_back(std::move(finding));
    return out;
}

Result<PlanEdit> add_task(const Command& command, const ProjectState& state) {
    PlanEdit edit;
    edit.action = "add";
    Task& task = edit.after;
    task.id = command.task_id.empty() ? next_task_id(state) : normalize_id(command.task_id);
    if (state.find_task(task.id)) return refused(ErrorCode::conflict, "exists", task.id);
    task.project_id = state.project.id;
    task.level = Level::task;
    task.name = command.task_name;
    task.owner = command.person;
    if (task.owner.empty()) return refused(ErrorCode::invalid_argument, "missing_person", task.id);
    task.planned_start = command.planned_start;
    task.planned_finish = command.new_date;
    if (auto period = check_period(state.project, task.planned_start, task.planned_finish); !period)
        return period.error();
    for (const auto& pred : command.predecessors) {
        std::string id = normalize_id(pred);
        const Task* found = state.find_task(id);
        if (!found || id == task.id) return refused(ErrorCode::not_found, "unknown_predecessor", id);
        if (std::find(task.predecessors.begin(), task.predecessors.end(), id) == task.predecessors.end())
            task.predecessors.push_back(id);
    }
    if (!command.module_id.empty()) {
        const Task* parent = state.find_task(command.module_id);
        if (!parent || parent->level == Level::task)
            return refused(ErrorCode::not_found, "unknown_module", normalize_id(command.module_id));
        task.parent_id = parent->id;
    } else {
        task.parent_id = default_parent(state, task.predecessors);
        edit.module_chosen = !task.parent_id.empty();
    }
    if (const Task* parent = state.find_task(task.parent_id))
        if (parent->approver.size()) task.approver = parent->approver;  // the module's A reviews its tasks
    std::size_t index = insertion_index(state, task.parent_id);
    task.position = index == 0 ? 0 : state.tasks[index - 1].position;
    edit.note = command.task_name;
    return edit;
}

Result<PlanEdit> change_task(const Command& command, const Task& task, const ProjectState& state) {
    PlanEdit edit;
    edit.before = task;
    edit.after = task;
    edit.note = command.note;
    Task& after = edit.after;
    switch (command.kind) {
        case CommandKind::assign:
        case CommandKind::set_approver: {
            if (command.person.empty()) return refused(ErrorCode::invalid_argument, "missing_person", task.id);
            if (task.status == Status::cancelled) return refused(ErrorCode::conflict, "cancelled", task.id);
            std::string& field = command.kind == CommandKind::assign ? after.owner : after.approver;
            if (field == command.person) return refused(ErrorCode::conflict, "unchanged", task.id);
            field = command.person;
            edit.action = command.kind == CommandKind::assign ? "assign" : "approver";
            return edit;
        }
        case CommandKind::replan: {
            if (task.level != Level::task && !is_leaf(state, task)) return refused(ErrorCode::conflict, "not_a_task", task.id);
            if (task.status == Status::cancelled) return refused(ErrorCode::conflict, "cancelled", task.id);
            if (task.status == Status::done) return refused(ErrorCode::conflict, "already_done", task.id);
            if (has_started(task)) return refused(ErrorCode::conflict, "started", task.id);
            if (command.planned_start) after.planned_start = command.planned_start;
            after.planned_finish = command.new_date;
            if (auto period = check_period(state.project, after.planned_start, after.planned_finish); !period)
                return period.error();
            if (after.planned_start == task.planned_start && after.planned_finish == task.planned_finish)
                return refused(ErrorCode::conflict, "unchanged", task.id);
            for (const auto& pred_id : after.predecessors) {
                const Task* pred = state.find_task(pred_id);
                if (pred && pred->status != Status::done && pred->status != Status::cancelled && pred->planned_finish &&
                    after.planned_start && *after.planned_start <= *pred->planned_finish)
                    edit.warnings.push_back("predecessor_not_done:" + pred->id);
            }
            edit.action = "plan";
            return edit;
        }
        case CommandKind::cancel:
            if (task.level != Level::task && !is_leaf(state, task)) return refused(ErrorCode::conflict, "not_a_task", task.id);
            if (task.status == Status::cancelled) return refused(ErrorCode::conflict, "cancelled", task.id);
            if (task.status == Status::done) return refused(ErrorCode::conflict, "already_done", task.id);
            after.status = Status::cancelled;
            after.blocked_reason.clear();
            after.blocked_since.reset();
            edit.note = command.reason;
            edit.action = "cancel";
            return edit;
        case CommandKind::restore:
            if (task.status != Status::cancelled) return refused(ErrorCode::conflict, "not_cancelled", task.id);
            after.status = task.actual_start || task.completion > 0 ? Status::in_progress : Status::not_started;
            edit.action = "restore";
            return edit;
        default: break;
    }
    return make_error(ErrorCode::internal, std::string("not a plan change: ") + to_string(command.kind));
}

}  // namespace

std::vector<std::string> plan_leads(const ProjectState& state, const std::vector<std::string>& extra) {
    std::vector<std::string> leads;
    auto add = [&](const std::string& id) {
        if (!id.empty() && std::find(leads.begin(), leads.end(), id) == leads.end()) leads.push_back(id);
    };
    add(state.project.owner);
    for (const auto& task : state.tasks) add(task.approver);
    for (const auto& id : extra) add(id);
    return leads;
}

bool may_edit_plan(const ProjectState& state, std::string_view person_id, bool is_admin,
                   const std::vector<std::string>& extra) {
    if (person_id.empty()) return false;
    if (is_admin) return true;
    auto leads = plan_leads(state, extra);
    return std::find(leads.begin(), leads.end(), person_id) != leads.end();
}

std::string next_task_id(const ProjectState& state) {
    std::string prefix = "T";
    std::size_t width = 3;
    long long highest = 0;
    for (const auto& task : state.tasks) {
        if (task.level != Level::task) continue;
        std::size_t digits = task.id.size();
        while (digits > 0 && grammar::is_ascii_digit(task.id[digits - 1])) --digits;
        std::size_t count = task.id.size() - digits;
        if (count == 0 || count > 9) continue;
        long long number = std::stoll(task.id.substr(digits));
        if (number >= highest) {
            highest = number;
            prefix = task.id.substr(0, digits);
            width = count;
        }
    }
    for (long long next = highest + 1;; ++next) {
        std::string digits = std::to_string(next);
        if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
        std::string id = prefix + digits;
        if (!state.find_task(id)) return id;
    }
}

Result<PlanEdit> plan_edit(const Command& command, const ProjectState& state, Date today) {
    if (!is_plan_edit(command.kind))
        return make_error(ErrorCode::internal, std::string("not a plan change: ") + to_string(command.kind));
    Result<PlanEdit> edit = [&]() -> Result<PlanEdit> {
        if (command.kind == CommandKind::add_task) return add_task(command, state);
        const Task* task = state.find_task(command.task_id);
        if (!task) return make_error(ErrorCode::not_found, "task " + command.task_id + " not found");
        return change_task(command, *task, state);
    }();
    if (!edit) return edit;
    ProjectState after = with_edit(state, *edit);
    if (command.kind == CommandKind::add_task) {
        if (std::string cycle = cycle_through(after, edit->after.id); !cycle.empty())
            return refused(ErrorCode::invalid_argument, "cycle", cycle);
    }
    edit->ripple = ripple_of(state, after, edit->after.id, today);
    return edit;
}

ProjectState with_edit(ProjectState state, const PlanEdit& edit) {
    for (auto& task : state.tasks)
        if (task.id == edit.after.id) {
            task = edit.after;
            return state;
        }
    std::size_t index = insertion_index(state, edit.after.parent_id);
    state.tasks.insert(state.tasks.begin() + static_cast<std::ptrdiff_t>(index), edit.after);
    return state;
}

}  // namespace core
