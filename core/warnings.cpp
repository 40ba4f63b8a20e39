// Renderers for warnings as they fire (R1–R12) and for the task lists of the chat commands.
// Declared in core/digest.h.
#include <algorithm>

#include "core/chat_writer.h"
#include "core/digest.h"
#include "core/task_buttons.h"

namespace core {
namespace {

std::string short_date(const std::optional<Date>& date) { return date ? format_short_date(*date) : "?"; }

// "【逾期】" / "[Late]"
std::string tag(ChatWriter& w, std::string_view zh_text, std::string_view en_text) {
    return w.zh() ? "【" + std::string(zh_text) + "】" : "[" + std::string(en_text) + "] ";
}

std::string late_line(ChatWriter& w, const Finding& f, const Task* task) {
    std::string ref = w.task_ref(f.task_id, w.task_name(f.task_id), f.person_id);
    std::string planned = short_date(task ? task->planned_finish : std::nullopt);
    if (f.detail == "done")
        return tag(w, "逾期完成", "Finished late") + ref +
               w.pick(" 晚于计划 " + w.days(f.days) + "完成（计划 " + planned + "），请在复盘中说明原因",
                      " finished " + w.days(f.days) + " after plan (" + planned + "); note the cause for the retrospective");
    return tag(w, "逾期", "Late") + ref +
           w.pick(" 已逾期 " + w.days(f.days) + "（计划 " + planned + " 完成）。请回复 " + w.reply_progress(f.task_id) +
                      " 更新，或 " + w.reply_delay(f.task_id) + " 提交偏差说明",
                  " is " + w.days(f.days) + " late (planned " + planned + "). Reply " + w.reply_progress(f.task_id) +
                      ", or " + w.reply_delay(f.task_id) + " with a deviation report");
}

std::string deviation_line(ChatWriter& w, const Finding& f, const Task* task, bool stalled) {
    int completion = task ? (task->status == Status::done ? 100 : task->completion) : 0;
    int planned = stalled ? static_cast<int>(f.value * 100 + 0.5) : f.days;
    std::string numbers = w.pick("（计划 ", " (plan ") + std::to_string(planned) + w.pick("%，实际 ", "%, actual ") +
                          std::to_string(completion) + w.pick("%）", "%)");
    std::string ref = w.task_ref(f.task_id, w.task_name(f.task_id), f.person_id);
    if (stalled)
        return tag(w, "停滞", "Stalled") + ref +
               w.pick(" 连续两周低于计划进度", " below plan at two weekly checks") + numbers +
               w.pick("。请回复 " + w.reply_progress(f.task_id) + " 更新，受阻请回复 " + w.reply_block(f.task_id),
                      ". Reply " + w.reply_progress(f.task_id) + ", or " + w.reply_block(f.task_id) + " if stuck");
    return tag(w, "进度偏差", "Behind plan") + ref + w.pick(" 偏差 ", " deviation ") + percent_text(f.value) +
           numbers + w.pick("。请回复 " + w.reply_progress(f.task_id) + " 更新",
                            ". Reply " + w.reply_progress(f.task_id));
}

std::string task_event_line(ChatWriter& w, const Finding& f, const Task* task) {
    std::string ref = w.task_ref(f.task_id, w.task_name(f.task_id), f.person_id);
    switch (f.rule) {
        case Rule::r4_due_soon: {
            std::string when = f.days > 0 ? w.pick(w.days(f.days) + "后到期", "due in " + w.days(f.days))
                                          : w.pick("今天到期", "due today");
            if (f.days < 0) when = w.pick("已过计划完成 " + w.days(-f.days), w.days(-f.days) + " past planned finish");
            return tag(w, "即将到期", "Due soon") + ref + " " + when + " (" +
                   short_date(task ? task->planned_finish : std::nullopt) + ")" +
                   w.pick("。完成后回复 " + w.reply_done(f.task_id), ". When finished, reply " + w.reply_done(f.task_id));
        }
        case Rule::r5_blocked:
            return tag(w, "阻塞", "Blocked") + ref + w.pick(" 已阻塞 " + w.days(f.days) + "：", " blocked for " + w.days(f.days) + ": ") +
                   f.detail + w.pick("。解除后回复 " + w.reply_unblock(f.task_id), ". Once clear, reply " + w.reply_unblock(f.task_id));
        case Rule::r9_stale_update:
            return tag(w, "待更新", "Update due") + ref +
                   w.pick(" 已 " + w.days(f.days) + "未更新（应每 " + w.days(static_cast<int>(f.value)) + "更新）。请回复 ",
                          " has no update for " + w.days(f.days) + " (expected every " + w.days(static_cast<int>(f.value)) +
                              "). Reply ") +
                   w.reply_progress(f.task_id);
        case Rule::r10_granularity: {
            int limit = w.state().project.thresholds.long_task_days;
            bool too_long = f.days > limit;
            return tag(w, "粒度", "Granularity") + ref +
                   (too_long ? w.pick(" 计划 " + w.days(f.days) + "，超过 " + w.days(limit) + "，建议拆分",
                                      " is planned for " + w.days(f.days) + ", over " + w.days(limit) + "; split it")
                             : w.pick(" 计划时长 " + w.days(f.days) + "，请检查计划日期",
                                      " is planned for " + w.days(f.days) + "; check its planned dates"));
        }
        default: return "";
    }
}

std::string dependency_line(ChatWriter& w, const Finding& f, const Task* task) {
    std::string ref = w.task_ref(f.task_id, w.task_name(f.task_id), f.person_id);
    if (f.detail == k_r7_started_early)
        return tag(w, "依赖", "Dependency") + ref +
               w.pick(" 已开始，但前置任务 " + f.related_id + " 尚未完成，请确认前置交付物已就绪",
                      " has started while its predecessor " + f.related_id + " is not done; check its inputs are ready");
    std::string start = short_date(task ? task->planned_start : std::nullopt);
    return tag(w, "依赖风险", "Dependency risk") + ref +
           w.pick(" 受前置任务 " + f.related_id + " 延误影响，计划开始 " + start + " 已无法达成（顺延 " + w.days(f.days) +
                      "）。请评估影响，必要时回复 " + w.reply_delay(f.task_id),
                  " cannot start on " + start + " because predecessor " + f.related_id + " runs late (slips " + w.days(f.days) +
                      "). Assess the impact; if needed reply " + w.reply_delay(f.task_id));
}

std::string project_line(ChatWriter& w, const Finding& f) {
    std::string who = w.mention(f.person_id);
    std::string suffix = who.empty() ? "" : " " + who;
    if (f.rule == Rule::r6_overload) {
        std::string limit = std::to_string(w.state().project.thresholds.overload_tasks);
        return tag(w, "负载过高", "Overloaded") + who +
               w.pick(" 同时负责 " + std::to_string(f.days) + " 个进行中任务（上限 " + limit + "），请调整分工",
                      " has " + std::to_string(f.days) + " active tasks (limit " + limit + "); rebalance the work");
    }
    if (f.rule == Rule::r11_on_time)
        return tag(w, "按时率", "On-time rate") +
               w.pick("按时完成率 " + percent_text(f.value) + "（" + f.detail + "），低于目标 ",
                      "on-time completion " + percent_text(f.value) + " (" + f.detail + ") is below the target ") +
               percent_text(w.state().project.thresholds.on_time_target) + suffix;
    std::string name;
    double warn = 0;
    for (const auto& kpi : w.state().kpis)
        if (kpi.id == f.related_id) {
            name = kpi.name;
            warn = kpi.warn_below.value_or(0);
        }
    return tag(w, "指标预警", "KPI warning") + f.related_id + " " + name +
           w.pick(" 达成 " + percent_text(f.value) + "，低于预警线 " + percent_text(warn) + "，请评估应急措施",
                  " at " + percent_text(f.value) + " of target, below " + percent_text(warn) + "; consider a response") +
           suffix;
}

std::string finding_line(ChatWriter& w, const Finding& f) {
    const Task* task = w.state().find_task(f.task_id);
    switch (f.rule) {
        case Rule::r1_late: return late_line(w, f, task);
        case Rule::r2_deviation: return deviation_line(w, f, task, false);
        case Rule::r3_stagnation: return deviation_line(w, f, task, true);
        case Rule::r7_dependency: return dependency_line(w, f, task);
        case Rule::r6_overload:
        case Rule::r11_on_time:
        case Rule::r12_kpi: return project_line(w, f);
        case Rule::r4_due_soon:
        case Rule::r5_blocked:
        case Rule::r9_stale_update:
        case Rule::r10_granularity: return task_event_line(w, f, task);
    }
    return "";
}

std::vector<std::string> finding_sections(ChatWriter& w, const std::vector<Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(finding_line(w, f));
    if (out.empty()) out.push_back(w.pick("没有新的预警。", "No new warnings."));
    return out;
}

std::string task_line(ChatWriter& w, const Task& task, Date today) {
    const Thresholds& t = w.state().project.thresholds;
    Status status = effective_status(task, today, t);
    int completion = task.status == Status::done ? 100 : task.completion;
    std::string line = task.id + " " + task.name + " · " + label(status, w.zh() ? Locale::zh_cn : Locale::en) +
                       " · " + std::to_string(completion) + "%";
    if (task.planned_finish) line += w.pick(" · 截止 ", " · due ") + format_short_date(*task.planned_finish);
    std::string who = w.mention(task.owner);
    if (!who.empty()) line += " · " + who;
    if (status == Status::blocked && !task.blocked_reason.empty())
        line += w.pick(" · 阻塞原因：", " · blocked: ") + w.literal(task.blocked_reason);
    else if (task.status != Status::done && is_late(task, today, t))
        line += " · " + w.pick("逾期 " + w.days(days_late(task, today)), w.days(days_late(task, today)) + " late");
    return line;
}

std::string task_list_body(ChatWriter& w, const std::vector<Task>& tasks, Date today) {
    if (tasks.empty()) return w.pick("没有任务。", "No tasks.");
    std::string body;
    for (const auto& task : tasks) {
        if (!body.empty()) body += "\n";
        body += "· " + task_line(w, task, today);
    }
    return body;
}

}  // namespace

ChatMessage render_findings(const std::vector<Finding>& findings, const ProjectState& state, Locale locale,
                            const Markup& markup) {
    ChatMessage message = write_message(state, locale, markup, "预警 · " + state.project.name,
                                        "Warnings · " + state.project.name,
                                        [&](ChatWriter& w) { return finding_sections(w, findings); });
    // One tap: done or report a delay, for each task a warning is about (late, behind, due soon).
    std::vector<std::string> tasks;
    for (const auto& f : findings)
        if (!f.task_id.empty() && (f.rule == Rule::r1_late || f.rule == Rule::r2_deviation || f.rule == Rule::r3_stagnation ||
                                   f.rule == Rule::r4_due_soon) &&
            std::find(tasks.begin(), tasks.end(), f.task_id) == tasks.end())
            tasks.push_back(f.task_id);
    for (const auto& task : tasks)
        add_buttons(message, task_buttons(state.project.id, task, locale, {.done = true, .delay = true}, tasks.size() > 1));
    return message;
}

ChatMessage render_task_list(std::string_view title, const std::vector<Task>& tasks, const ProjectState& state,
                             Date today, Locale locale, const Markup& markup) {
    return write_message(state, locale, markup, title, title, [&](ChatWriter& w) {
        return std::vector<std::string>{task_list_body(w, tasks, today)};
    });
}

}  // namespace core
