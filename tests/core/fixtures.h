#pragma once
// ProjectState fixtures built in code, mirroring tests/testdata/samples/*.csv (seed 000's
// 新品上市推广 plan and seed 002's Q3 线上推广 strategy), plus small builders for hand-made
// plans. Header-only; each call returns a fresh value, so safe for concurrent use.

#include <string>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace fixtures {

// "2024-03-23" -> Date; a bad literal is a bug in the test, so it aborts via value().
inline core::Date day(const char* iso) { return core::parse_iso_date(iso).value(); }

inline core::Task make_task(std::string id, core::Level level, std::string parent, std::string name,
                            std::string owner, const char* planned_start, const char* planned_finish) {
    core::Task task;
    task.id = std::move(id);
    task.level = level;
    task.parent_id = std::move(parent);
    task.name = std::move(name);
    task.owner = std::move(owner);
    if (planned_start) task.planned_start = day(planned_start);
    if (planned_finish) task.planned_finish = day(planned_finish);
    return task;
}

// A plain project with default thresholds and no tasks.
inline core::ProjectState empty_state(std::string project_id = "P", std::string name = "Test") {
    core::ProjectState state;
    state.project.id = std::move(project_id);
    state.project.name = std::move(name);
    state.project.owner = "经理";
    return state;
}

inline void number_positions(core::ProjectState& state) {
    for (size_t i = 0; i < state.tasks.size(); ++i) {
        state.tasks[i].project_id = state.project.id;
        state.tasks[i].position = static_cast<int>(i);
    }
}

// new-product-launch.csv: P1 → M1..M4 → T001..T006, nothing updated yet (all 0%, 未开始).
// Every owner is a known Person whose id is their name.
inline core::ProjectState new_product_launch() {
    using core::Level;
    core::ProjectState state = empty_state("NPL", "新品上市推广");
    state.project.goal = "实现新品3个月销售额500万";
    state.project.start = day("2024-03-01");
    state.project.end = day("2024-05-31");
    state.tasks = {
        make_task("P1", Level::phase, "", "新品上市推广", "经理", "2024-03-01", "2024-05-31"),
        make_task("M1", Level::module, "P1", "调研阶段", "小红", "2024-03-01", "2024-03-15"),
        make_task("T001", Level::task, "M1", "用户调研", "小李", "2024-03-01", "2024-03-08"),
        make_task("T002", Level::task, "M1", "竞品分析", "小王", "2024-03-05", "2024-03-15"),
        make_task("M2", Level::module, "P1", "筹备阶段", "小明", "2024-03-16", "2024-04-10"),
        make_task("T003", Level::task, "M2", "创意定稿", "小明", "2024-03-16", "2024-03-25"),
        make_task("T004", Level::task, "M2", "物料设计", "小张", "2024-03-26", "2024-04-05"),
        make_task("M3", Level::module, "P1", "执行阶段", "经理", "2024-04-11", "2024-05-20"),
        make_task("T005", Level::task, "M3", "线上预热", "小陈", "2024-04-11", "2024-04-20"),
        make_task("T006", Level::task, "M3", "正式上线", "经理", "2024-04-21", "2024-05-10"),
        make_task("M4", Level::module, "P1", "收尾阶段", "小红", "2024-05-21", "2024-05-31"),
    };
    state.tasks[6].predecessors = {"T003"};   // T004 物料设计 依赖创意定稿
    state.tasks[8].predecessors = {"T004"};   // T005
    state.tasks[9].predecessors = {"T005"};   // T006
    state.tasks[10].predecessors = {"T006"};  // M4
    state.tasks[2].remark = "需协调销售部提供客户资源";
    number_positions(state);
    for (const char* name : {"经理", "小红", "小李", "小王", "小明", "小张", "小陈"})
        state.people[name] = core::Person{name, name, "市场部", "", "", "", "", ""};
    return state;
}

// q3-online-strategy.csv and -kpis.csv (seed 002): three tasks done, T001 and T003 five days
// late. People are not registered, so owners are bare ids (王, 李, 张).
inline core::ProjectState q3_online_strategy() {
    using core::Level;
    core::ProjectState state = empty_state("Q3", "2024年Q3新品线上推广策略");
    state.project.owner = "赵";
    state.tasks = {
        make_task("P1", Level::phase, "", "2024年Q3新品线上推广策略", "赵", "2024-07-01", "2024-09-30"),
        make_task("T001", Level::task, "P1", "抖音直播引流", "王", "2024-07-15", "2024-08-15"),
        make_task("T002", Level::task, "P1", "详情页优化", "李", "2024-07-01", "2024-07-10"),
        make_task("T003", Level::task, "P1", "会员积分体系上线", "张", "2024-07-01", "2024-07-20"),
    };
    state.tasks[0].status = core::Status::in_progress;
    state.tasks[0].actual_start = day("2024-07-01");
    const char* finishes[] = {"2024-08-20", "2024-07-08", "2024-07-25"};
    for (int i = 0; i < 3; ++i) {
        core::Task& task = state.tasks[static_cast<size_t>(i) + 1];
        task.actual_start = task.planned_start;
        task.actual_finish = day(finishes[i]);
        task.status = core::Status::done;
        task.completion = 100;
    }
    number_positions(state);
    auto kpi = [](const char* id, const char* name, double target, double current, bool percent) {
        core::Kpi k;
        k.id = id;
        k.project_id = "Q3";
        k.name = name;
        k.target = target;
        k.current = current;
        k.percent = percent;
        k.updated = day("2024-09-30");
        return k;
    };
    state.kpis = {kpi("K001", "线上销售额", 5000000, 4200000, false), kpi("K002", "新客占比", 35, 28, true),
                  kpi("K003", "品牌搜索量增长", 20, 15, true), kpi("K004", "任务按时完成率", 90, 85, true)};
    state.kpis[3].kind = core::KpiKind::process;
    return state;
}

}  // namespace fixtures
