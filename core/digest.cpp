#include "core/digest.h"

#include "core/plan_index.h"

#include <algorithm>

#include "core/chat_writer.h"

namespace core {
namespace {

std::string progress_section(ChatWriter& w, const Digest& d) {
    std::string out = w.bold(w.pick("总进度 ", "Overall ") + std::to_string(d.completion) + "%");
    // A single top-level phase is the project itself: its row would repeat the overall figure.
    auto top_rows = std::count_if(d.rows.begin(), d.rows.end(), [](const auto& row) { return row.top_level; });
    for (const auto& row : d.rows)
        if (!(row.top_level && top_rows == 1)) out += " · " + row.name + " " + std::to_string(row.completion) + "%";
    if (d.on_time.due > 0)
        out += "\n" + w.pick("按时完成率 ", "On time ") + std::to_string(d.on_time.on_time) + "/" +
               std::to_string(d.on_time.due) + " (" + percent_text(d.on_time.rate()) + ")";
    return out;
}

std::vector<std::string> task_problem_sections(ChatWriter& w, const Digest& d) {
    std::vector<std::string> lines;
    std::vector<std::string> out;
    auto flush = [&](std::string_view zh_heading, std::string_view en_heading) {
        std::string section = w.list_section(w.pick(zh_heading, en_heading), lines);
        if (!section.empty()) out.push_back(section);
        lines.clear();
    };
    for (const auto& t : d.done_since) lines.push_back(w.task_ref(t.task_id, t.name, t.owner));
    flush("已完成", "Done");
    for (const auto& t : d.late)
        lines.push_back(w.task_ref(t.task_id, t.name, t.owner) + " " +
                        (w.zh() ? "逾期 " + w.days(t.days_late) : w.days(t.days_late) + " late"));
    flush("逾期", "Late");
    for (const auto& t : d.blocked)
        lines.push_back(w.task_ref(t.task_id, t.name, t.owner) + " " +
                        (w.zh() ? "阻塞 " + w.days(t.days_blocked) + "：" : "blocked " + w.days(t.days_blocked) + ": ") +
                        w.literal(t.reason));
    flush("阻塞", "Blocked");
    for (const auto& t : d.due_soon)
        lines.push_back(w.task_ref(t.task_id, t.name, t.owner) + " " + w.due_phrase(t.days_left, t.planned_finish));
    flush("3 天内到期", "Due within 3 days");
    for (const auto& t : d.at_risk)
        lines.push_back(w.task_ref(t.task_id, t.name, t.owner) + " " +
                        (w.zh() ? "偏差 " + percent_text(t.deviation) + "（计划 " : "behind by " + percent_text(t.deviation) + " (plan ") +
                        std::to_string(t.planned_percent) + w.pick("%，实际 ", "%, actual ") +
                        std::to_string(t.completion) + w.pick("%）", "%)"));
    flush("进度偏差 ≥ 20%", "Behind plan ≥ 20%");
    for (const auto& t : d.stale_updates)
        lines.push_back(w.task_ref(t.task_id, t.name, t.owner) + " " +
                        (w.zh() ? w.days(t.days_since_update) + "未更新（应每 " + w.days(t.cadence_days) + "更新）"
                                : "no update for " + w.days(t.days_since_update) + " (expected every " +
                                      w.days(t.cadence_days) + ")"));
    flush("待更新", "Updates overdue");
    return out;
}

std::vector<std::string> other_sections(ChatWriter& w, const Digest& d) {
    std::vector<std::string> out;
    std::vector<std::string> lines;
    int limit = w.state().project.thresholds.overload_tasks;
    for (const auto& o : d.overloaded)
        lines.push_back(w.mention(o.person) + " " +
                        (w.zh() ? std::to_string(o.active_tasks) + " 个进行中任务（上限 " + std::to_string(limit) + "）"
                                : std::to_string(o.active_tasks) + " active tasks (limit " + std::to_string(limit) + ")"));
    std::string section = w.list_section(w.pick("负载过高", "Overloaded"), lines);
    if (!section.empty()) out.push_back(section);
    lines.clear();
    for (const auto& k : d.kpis_below)
        lines.push_back(k.kpi_id + " " + k.name + " " + percent_text(k.achievement) +
                        w.pick("（预警线 ", " (warning below ") + percent_text(k.warn_below) + w.pick("）", ")"));
    section = w.list_section(w.pick("指标低于预警线", "KPIs below threshold"), lines);
    if (!section.empty()) out.push_back(section);
    return out;
}

std::vector<std::string> digest_sections(ChatWriter& w, const Digest& d) {
    std::vector<std::string> out{progress_section(w, d)};
    for (auto& s : task_problem_sections(w, d)) out.push_back(std::move(s));
    for (auto& s : other_sections(w, d)) out.push_back(std::move(s));
    if (d.all_on_track()) out.push_back(w.pick("一切按计划进行。", "All on track."));
    return out;
}

Digest::Late late_line(const Task& task, int days) { return {{task.id, task.name, task.owner}, days}; }

void add_finding_to_digest(Digest& d, const PlanIndex& plan, const Finding& f) {
    const Task* task = plan.find(f.task_id);
    Digest::TaskLine line = task ? Digest::TaskLine{task->id, task->name, task->owner} : Digest::TaskLine{};
    switch (f.rule) {
        case Rule::r1_late:
            if (task && task->status != Status::done) d.late.push_back(late_line(*task, f.days));
            break;
        case Rule::r2_deviation:
            if (task) d.at_risk.push_back({line, f.value, f.days, task->completion});
            break;
        case Rule::r4_due_soon:
            if (task && task->planned_finish) d.due_soon.push_back({line, f.days, *task->planned_finish});
            break;
        case Rule::r5_blocked: d.blocked.push_back({line, f.detail, f.days}); break;
        case Rule::r9_stale_update: d.stale_updates.push_back({line, f.days, static_cast<int>(f.value)}); break;
        case Rule::r6_overload: d.overloaded.push_back({f.person_id, f.days}); break;
        case Rule::r12_kpi:
            for (const auto& kpi : plan.state().kpis)
                if (kpi.id == f.related_id) d.kpis_below.push_back({kpi.id, kpi.name, f.value, kpi.warn_below.value_or(0)});
            break;
        case Rule::r3_stagnation:
        case Rule::r7_dependency:
        case Rule::r10_granularity:
        case Rule::r11_on_time: break;  // warnings only; R11 shows as the on-time line
    }
}

}  // namespace

bool Digest::all_on_track() const {
    return late.empty() && blocked.empty() && at_risk.empty() && stale_updates.empty() && overloaded.empty() &&
           kpis_below.empty();
}

Digest build_digest(const ProjectState& state, Date today, std::optional<Date> since) {
    return build_digest(state, today, since, evaluate(state, today));
}

Digest build_digest(const ProjectState& state, Date today, std::optional<Date> since,
                    const std::vector<Finding>& findings) {
    return build_digest(PlanIndex(state), today, since, findings);
}

Digest build_digest(const PlanIndex& plan, Date today, std::optional<Date> since,
                    const std::vector<Finding>& findings) {
    const ProjectState& state = plan.state();
    Digest d;
    d.project_id = state.project.id;
    d.project_name = state.project.name;
    d.date = today;
    d.since = since;
    d.completion = project_completion(plan);
    for (const auto& node : state.tasks)
        if (node.level != Level::task && node.status != Status::cancelled)
            d.rows.push_back({node.id, node.name, node.level, rollup_completion(plan, node.id),
                              node.parent_id.empty() || !plan.find(node.parent_id)});
    Date from = since.value_or(add_days(today, -1));
    for (const Task* task : plan.leaves())
        if (task->status == Status::done && task->actual_finish && *task->actual_finish >= from &&
            *task->actual_finish <= today)
            d.done_since.push_back({{task->id, task->name, task->owner}, task->actual_finish});
    for (const auto& finding : findings) add_finding_to_digest(d, plan, finding);
    d.on_time = on_time_rate(plan, today);
    return d;
}

ChatMessage render_digest(const Digest& digest, const ProjectState& state, Locale locale, const Markup& markup) {
    std::string suffix = digest.project_name + " · " + format_iso_date(digest.date);
    ChatMessage message = write_message(state, locale, markup, "每日简报 · " + suffix, "Daily digest · " + suffix,
                                        [&](ChatWriter& w) { return digest_sections(w, digest); });
    bool zh = locale == Locale::zh_cn;
    for (const auto& late : digest.late)
        message.buttons.push_back({(zh ? "标记完成 " : "Mark done ") + late.task_id, "task_done",
                                   digest.project_id + "/" + late.task_id});
    return message;
}

std::vector<Task> late_tasks(const ProjectState& state, Date today) {
    std::vector<Task> out;
    for (const Task* task : leaf_tasks(state))
        if (task->status != Status::done && is_late(*task, today, state.project.thresholds)) out.push_back(*task);
    return out;
}

std::vector<Task> blocked_tasks(const ProjectState& state) {
    std::vector<Task> out;
    for (const Task* task : leaf_tasks(state))
        if (task->status == Status::blocked) out.push_back(*task);
    return out;
}

std::vector<Task> open_tasks_of(const ProjectState& state, std::string_view person_id) {
    std::vector<Task> out;
    for (const Task* task : leaf_tasks(state))
        if (task->owner == person_id && task->status != Status::done && task->status != Status::cancelled)
            out.push_back(*task);
    return out;
}

}  // namespace core
