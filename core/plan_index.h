#pragma once
// The plan indexed once (issue 22): tasks by id, children by parent, the leaves, and each
// task's progress-log entries — what the rules, the roll-ups and the digest look up many times
// per pass. Walking the whole plan for every lookup made the 100,000-task sweep quadratic in
// each project's size. Built in O(n); ids compare as normalize_id does (ASCII case-insensitive).
//
// Holds pointers into `state`, which must outlive the index and not change while it is used.
// Immutable once built; safe to share read-only across threads.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"

namespace core {

class PlanIndex {
public:
    explicit PlanIndex(const ProjectState& state);

    const ProjectState& state() const { return m_state; }
    // As ProjectState::find_task: the first task with that id, or nullptr.
    const Task* find(std::string_view id) const;
    // The nodes whose parent_id is `id`, in plan order (none for "").
    const std::vector<const Task*>& children(std::string_view id) const;
    // A leaf carries the task rules (R1–R10): a Level::task node, or any node without children.
    bool is_leaf(const Task& task) const;
    const std::vector<const Task*>& leaves() const { return m_leaves; }  // plan order, cancelled kept
    // The progress-log entries of a task, in log order.
    const std::vector<const ProgressEntry*>& progress(std::string_view task_id) const;

private:
    const ProjectState& m_state;
    std::unordered_map<std::string, const Task*> m_by_id;
    std::unordered_map<std::string, std::vector<const Task*>> m_children;
    std::unordered_map<std::string, std::vector<const ProgressEntry*>> m_progress;
    std::vector<const Task*> m_leaves;
};

}  // namespace core
