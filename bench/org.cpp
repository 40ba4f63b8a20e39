#include "bench/org.h"

#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace bench {
namespace {

constexpr int k_phases = 4;
constexpr int k_team = 8;

// A small deterministic generator (splitmix64), so the same shape gives the same org.
class Random {
public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
    bool chance(int percent) { return below(100) < percent; }

private:
    std::uint64_t m_state;
};

std::string numbered(const char* format, int value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

int team_member(const OrgShape& shape, int project, int slot) {
    return (project * 7 + slot * 13) % shape.people;
}

std::string task_id(int index) { return numbered("T%03d", index + 1); }

// Planned window, status, completion and the rest for leaf task `k` of a project.
void shape_task(core::Task& task, Random& random, const OrgShape& shape, core::Date project_start, int k) {
    core::Date start = core::add_days(project_start, k + random.below(10));
    int length = 2 + random.below(14);
    core::Date finish = core::add_days(start, length - 1);
    task.planned_start = start;
    task.planned_finish = finish;
    task.priority = random.chance(15) ? core::Priority::p0 : random.chance(50) ? core::Priority::p1 : core::Priority::p2;
    task.risk = random.chance(10) ? core::RiskLevel::high : core::RiskLevel::none;
    int elapsed = core::days_between(start, shape.today);
    if (random.chance(1)) {
        task.status = core::Status::cancelled;
    } else if (elapsed < 0) {
        task.status = core::Status::not_started;  // future work
    } else if (core::days_between(finish, shape.today) > 0 && random.chance(85)) {
        task.status = core::Status::done;  // past work, mostly finished (some late)
        task.completion = 100;
        task.actual_start = start;
        task.actual_finish = core::add_days(finish, random.chance(20) ? 1 + random.below(4) : 0);
        if (core::days_between(*task.actual_finish, shape.today) < 0) task.actual_finish = shape.today;
    } else {
        task.actual_start = core::add_days(start, random.below(2));
        if (core::days_between(*task.actual_start, shape.today) < 0) task.actual_start = start;
        int planned = elapsed >= length ? 100 : 100 * elapsed / length;
        int behind = random.chance(25) ? 20 + random.below(40) : random.below(10);
        task.completion = std::max(5, std::min(95, planned - behind));
        task.status = core::Status::in_progress;
        if (random.chance(6)) {
            task.status = core::Status::blocked;
            task.blocked_reason = "等待供应商报价 / waiting for the vendor's quote";
            task.blocked_since = core::add_days(shape.today, -1 - random.below(5));
        } else if (random.chance(5)) {
            task.status = core::Status::delayed;
        }
    }
    if (task.status != core::Status::not_started && task.status != core::Status::cancelled)
        task.last_update = core::add_days(shape.today, -random.below(9));
}

}  // namespace

core::Person person(int index) {
    core::Person p;
    p.id = numbered("u%05d", index);
    p.name = numbered("员工%05d", index);
    p.department = numbered("部门%02d", index % 20);
    p.slack = numbered("U%08d", index);
    p.feishu = numbered("ou_bench%024d", index);
    p.dingtalk = numbered("1665%07d", index);
    return p;
}

std::string project_id(int project) { return numbered("P%04d", project + 1); }

std::string chat_platform(int project) { return k_platforms[project % 3]; }

std::string chat_id(int project) {
    std::string platform = chat_platform(project);
    if (platform == "slack") return numbered("C%09d", project + 1);
    if (platform == "feishu") return numbered("oc_bench%024d", project + 1);
    return numbered("cidbench%06d==", project + 1);
}

core::ProjectState make_project(const OrgShape& shape, int project) {
    Random random(0x5eed0000ULL + static_cast<std::uint64_t>(project));
    core::ProjectState state;
    core::Project& p = state.project;
    p.id = project_id(project);
    p.name = numbered("新品上市活动 %04d", project + 1);
    p.department = numbered("部门%02d", project % 20);
    p.owner = person(team_member(shape, project, 0)).id;
    p.department_head = person(team_member(shape, project, 1)).id;
    core::Date start = core::add_days(shape.today, -40 - random.below(30));
    p.start = start;
    p.end = core::add_days(start, 120);
    p.goal = "上市首月销量 10 万件 / 100k units in the launch month";
    p.budget_total = 1000000;
    for (int slot = 0; slot < k_team; ++slot) {
        core::Person member = person(team_member(shape, project, slot));
        state.people.emplace(member.id, member);
    }
    int leaves = shape.tasks_per_project - k_phases;
    int per_phase = (leaves + k_phases - 1) / k_phases;
    for (int phase = 0; phase < k_phases; ++phase) {
        core::Task node;
        node.id = numbered("PH%d", phase + 1);
        node.project_id = p.id;
        node.level = core::Level::phase;
        node.position = static_cast<int>(state.tasks.size());
        node.name = numbered("阶段 %d", phase + 1);
        node.owner = p.owner;
        state.tasks.push_back(node);
        for (int k = phase * per_phase; k < std::min(leaves, (phase + 1) * per_phase); ++k) {
            core::Task task;
            task.id = task_id(k);
            task.project_id = p.id;
            task.level = core::Level::task;
            task.parent_id = node.id;
            task.position = static_cast<int>(state.tasks.size());
            task.name = numbered("物料与渠道任务 %03d", k + 1);
            task.deliverable = "主KV / 渠道排期表";
            task.owner = person(team_member(shape, project, 1 + k % (k_team - 1))).id;
            task.approver = p.owner;
            shape_task(task, random, shape, start, k);
            if (k > phase * per_phase && random.chance(40)) task.predecessors.push_back(task_id(k - 1));
            state.tasks.push_back(task);
        }
    }
    for (int k = 0; k < 3; ++k) {
        core::Kpi kpi;
        kpi.id = numbered("K%03d", k + 1);
        kpi.project_id = p.id;
        kpi.name = k == 0 ? "曝光量" : k == 1 ? "线索数" : "转化率";
        kpi.target = 1000 * (k + 1);
        kpi.current = static_cast<double>(random.below(1000 * (k + 1)));
        kpi.warn_below = 0.6;
        kpi.updated = core::add_days(shape.today, -random.below(7));
        state.kpis.push_back(kpi);
    }
    for (int k = 0; k < 2; ++k) {
        core::RiskItem risk;
        risk.id = numbered("R%03d", k + 1);
        risk.project_id = p.id;
        risk.title = "供应商产能不足";
        risk.owner = p.owner;
        risk.opened = start;
        state.risks.push_back(risk);
    }
    return state;
}

std::vector<Updatable> updatable_tasks(const OrgShape& shape, int project) {
    core::ProjectState state = make_project(shape, project);
    std::vector<Updatable> out;
    for (const auto& task : state.tasks) {
        if (task.level != core::Level::task || task.status == core::Status::cancelled) continue;
        out.push_back(Updatable{state.project.id, task.id, state.people.at(task.owner)});
    }
    return out;
}

core::Result<void> build_org(store::Store& store, const OrgShape& shape) {
    for (int project = 0; project < shape.projects; ++project) {
        core::ProjectState state = make_project(shape, project);
        core::ChangeSource import{"", "import", "", "", 1773600000};
        auto done = store.transaction([&]() -> core::Result<void> {
            auto imported = store.import_project(state, import);
            if (!imported) return imported;
            for (const auto& task : state.tasks) {
                if (!task.last_update || task.level != core::Level::task) continue;
                for (int h = shape.history_per_task; h >= 1; --h) {  // oldest first, ends at the plan's state
                    core::TaskUpdate update;
                    update.project_id = state.project.id;
                    update.task_id = task.id;
                    update.action = "progress";
                    update.completion = task.completion * (shape.history_per_task - h + 1) / shape.history_per_task;
                    update.date = core::add_days(*task.last_update, 1 - h);
                    update.note = "按计划推进 / on track";
                    core::ChangeSource source{task.owner, "cli", "", "", 1773600000 - 86400LL * h};
                    auto applied = store.apply(update, source);
                    if (!applied) return applied.error();
                }
            }
            return core::ok();
        });
        if (!done) return done;
    }
    return core::ok();
}

RoundRobin::RoundRobin(const OrgShape& shape, const std::string& platform) {
    for (int p = 0; p < shape.projects; ++p) {
        if (chat_platform(p) != platform) continue;
        m_tasks.push_back(updatable_tasks(shape, p));
        m_chats.push_back(chat_id(p));
    }
    if (m_tasks.empty()) throw std::runtime_error("no project on " + platform);
}

const Updatable& RoundRobin::task(long long i) const {
    const auto& tasks = m_tasks[project_of(i)];
    return tasks[static_cast<size_t>(i / static_cast<long long>(m_tasks.size())) % tasks.size()];
}

const std::string& RoundRobin::chat(long long i) const { return m_chats[project_of(i)]; }

}  // namespace bench
