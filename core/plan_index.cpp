#include "core/plan_index.h"

namespace core {
namespace {

const std::vector<const Task*> k_no_tasks;
const std::vector<const ProgressEntry*> k_no_entries;

}  // namespace

PlanIndex::PlanIndex(const ProjectState& state) : m_state(state) {
    m_by_id.reserve(state.tasks.size());
    for (const auto& task : state.tasks) {
        m_by_id.emplace(task.id, &task);  // as find_task: the stored id, the first of a repeated one
        if (!task.parent_id.empty()) m_children[normalize_id(task.parent_id)].push_back(&task);
    }
    for (const auto& task : state.tasks)
        if (is_leaf(task)) m_leaves.push_back(&task);
    for (const auto& entry : state.progress) m_progress[normalize_id(entry.task_id)].push_back(&entry);
}

const Task* PlanIndex::find(std::string_view id) const {
    auto found = m_by_id.find(normalize_id(id));
    return found == m_by_id.end() ? nullptr : found->second;
}

const std::vector<const Task*>& PlanIndex::children(std::string_view id) const {
    if (id.empty()) return k_no_tasks;
    auto found = m_children.find(normalize_id(id));
    return found == m_children.end() ? k_no_tasks : found->second;
}

bool PlanIndex::is_leaf(const Task& task) const { return task.level == Level::task || children(task.id).empty(); }

const std::vector<const ProgressEntry*>& PlanIndex::progress(std::string_view task_id) const {
    auto found = m_progress.find(normalize_id(task_id));
    return found == m_progress.end() ? k_no_entries : found->second;
}

}  // namespace core
