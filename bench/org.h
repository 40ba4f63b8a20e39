#pragma once
// A synthetic organisation for the benchmarks: N projects x M tasks with a realistic mix of
// statuses (done, in progress, late, blocked, delayed, not started), finish-to-start
// dependencies, owners and approvers from a shared pool of people with Slack / Feishu /
// DingTalk ids, KPIs, risks, and a progress-log history. Deterministic for a given shape.
//
// Project p (0-based) is bound to one chat on platform k_platforms[p % 3]; its leaf tasks are
// the ones the ingest benchmark updates, each as its owner.
//
// Thread safety: plain functions; build_org writes through the (thread-safe) store.

#include <string>
#include <vector>

#include "core/model.h"
#include "core/result.h"
#include "core/store/store.h"

namespace bench {

inline const char* const k_platforms[] = {"slack", "feishu", "dingtalk"};

struct OrgShape {
    int projects = 1000;
    int tasks_per_project = 100;  // 4 phases + leaf tasks
    int people = 2000;
    int history_per_task = 2;     // progress-log entries per started leaf task
    core::Date today = core::make_date(2026, 3, 16);
};

core::Person person(int index);
std::string project_id(int project);
std::string chat_platform(int project);
std::string chat_id(int project);  // the platform's spelling of a chat id

// The plan of one project (tasks, KPIs, risks, people) as of shape.today.
core::ProjectState make_project(const OrgShape& shape, int project);

// One leaf task of a project and the person allowed to update it.
struct Updatable {
    std::string project_id;
    std::string task_id;
    core::Person owner;
};
std::vector<Updatable> updatable_tasks(const OrgShape& shape, int project);

// The order the benchmarks update tasks in: every updatable task of one platform's projects,
// round robin over those projects so that chats interleave; task(i) wraps around.
class RoundRobin {
public:
    RoundRobin(const OrgShape& shape, const std::string& platform);  // throws when no project is on it
    const Updatable& task(long long i) const;
    const std::string& chat(long long i) const;  // the chat of task(i)'s project

private:
    size_t project_of(long long i) const { return static_cast<size_t>(i) % m_tasks.size(); }
    std::vector<std::vector<Updatable>> m_tasks;  // per project
    std::vector<std::string> m_chats;             // per project
};

// Imports every project and writes the progress history (one transaction per project).
core::Result<void> build_org(store::Store& store, const OrgShape& shape);

}  // namespace bench
