#include "core/retrospective.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/chat_writer.h"
#include "core/command_parser.h"

namespace core {
namespace {

bool same_task(std::string_view a, std::string_view b) { return normalize_id(a) == normalize_id(b); }

std::vector<DeviationReport> reports_of(const ProjectState& state, const Task& task) {
    std::vector<DeviationReport> out;
    for (const auto& report : state.deviation_reports)
        if (same_task(report.task_id, task.id)) out.push_back(report);
    std::stable_sort(out.begin(), out.end(), [](const DeviationReport& a, const DeviationReport& b) {
        return a.date != b.date ? a.date < b.date : a.at_unix < b.at_unix;
    });
    return out;
}

// R1 over the whole life of the project: finished after the planned finish, or still open past it.
std::optional<Retrospective::SlipLine> slip_of(const ProjectState& state, const Task& task, Date closed_on) {
    if (!task.planned_finish) return std::nullopt;
    bool done = task.status == Status::done;
    int late = days_late(task, closed_on);
    if (late <= 0 || (done && !task.actual_finish)) return std::nullopt;
    Retrospective::SlipLine line{task.id, task.name, task.owner, *task.planned_finish,
                                 done ? task.actual_finish : std::nullopt, late, reports_of(state, task)};
    return line;
}

// "5000000", "4200000", "35%", "12.5".
std::string number_text(double value, bool percent) {
    char buffer[64];
    if (std::fabs(value - std::round(value)) < 1e-9) std::snprintf(buffer, sizeof buffer, "%.0f", value);
    else std::snprintf(buffer, sizeof buffer, "%.2f", value);
    std::string out = buffer;
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out + (percent ? "%" : "");
}

std::string date_or_dash(const std::optional<Date>& date) { return date ? format_iso_date(*date) : "-"; }

std::string cause_kind_text(const ChatWriter& w, CauseKind kind) {
    switch (kind) {
        case CauseKind::objective: return w.pick("（客观）", " (objective)");
        case CauseKind::subjective: return w.pick("（主观）", " (subjective)");
        case CauseKind::unknown: break;
    }
    return "";
}

// "原因（客观）：…；影响：…；措施：…；新计划 12-05"
std::string report_text(const ChatWriter& w, const DeviationReport& report) {
    std::string out = w.pick("原因", "cause") + cause_kind_text(w, report.cause_kind) + w.pick("：", ": ") +
                      (report.cause.empty() ? "-" : report.cause);
    if (!report.impact.empty()) out += w.pick("；影响：", "; impact: ") + report.impact;
    if (!report.remedy.empty()) out += w.pick("；措施：", "; remedy: ") + report.remedy;
    if (report.new_planned_finish)
        out += w.pick("；新计划 ", "; new finish ") + format_short_date(*report.new_planned_finish);
    return out;
}

std::string risk_status_text(const ChatWriter& w, RiskStatus status) {
    switch (status) {
        case RiskStatus::open: return w.pick("待处理", "open");
        case RiskStatus::in_progress: return w.pick("处理中", "in progress");
        case RiskStatus::resolved: return w.pick("已解决", "resolved");
    }
    return "";
}

std::string overview_section(ChatWriter& w, const Retrospective& r) {
    std::string out = w.bold(w.pick("目标", "Goal")) + w.pick("：", ": ") +
                      (r.goal.empty() ? w.pick("（未填写）", "(not written)") : r.goal);
    out += "\n" + w.pick("计划 ", "Planned ") + date_or_dash(r.planned_start) + " → " + date_or_dash(r.planned_finish) +
           w.pick("，最后完成 ", ", last finish ") + date_or_dash(r.actual_finish) + w.pick("，", ", ") +
           w.pick("收尾于 ", "closed ") + format_iso_date(r.closed_on);
    out += "\n" + w.pick("任务 " + std::to_string(r.tasks) + " 项，完成 " + std::to_string(r.tasks_done) + " 项",
                         std::to_string(r.tasks) + " tasks, " + std::to_string(r.tasks_done) + " done");
    if (r.tasks_cancelled > 0)
        out += w.pick("，取消 " + std::to_string(r.tasks_cancelled) + " 项", ", " + std::to_string(r.tasks_cancelled) + " cancelled");
    out += w.pick("，总进度 ", ", overall ") + std::to_string(r.completion) + "%";
    return out;
}

std::string kpi_section(ChatWriter& w, const Retrospective& r) {
    std::vector<std::string> lines;
    for (const auto& k : r.kpis)
        lines.push_back(k.kpi_id + " " + k.name + w.pick("：目标 ", ": target ") + number_text(k.target, k.percent) +
                        w.pick("，实际 ", ", actual ") + number_text(k.current, k.percent) + w.pick("，达成 ", ", ") +
                        percent_text(k.achievement) + (k.met ? w.pick(" ✅", " ✅ met") : w.pick(" ❌ 未达成", " ❌ not met")));
    if (lines.empty()) return w.bold(w.pick("指标达成", "KPIs")) + w.pick("：未设置指标", ": none set");
    return w.list_section(w.pick("指标达成", "KPIs"), lines);
}

std::string on_time_section(ChatWriter& w, const Retrospective& r) {
    std::string heading = w.bold(w.pick("按时完成率", "On-time rate"));
    if (r.on_time.due == 0) return heading + w.pick("：没有到期任务", ": no task was due");
    std::string out = heading + " " + percent_text(r.on_time.rate()) + " (" + std::to_string(r.on_time.on_time) + "/" +
                      std::to_string(r.on_time.due) + ")" + w.pick("，目标 ≥ ", ", target ≥ ") +
                      percent_text(r.on_time_target);
    return out + (r.on_time.rate() >= r.on_time_target - 1e-9 ? w.pick("，已达标", ": met") : w.pick("，未达标", ": not met"));
}

std::string slipped_section(ChatWriter& w, const Retrospective& r) {
    if (r.slipped.empty()) return w.bold(w.pick("延误", "Slipped")) + w.pick("：无，全部按计划完成", ": none, everything finished on plan");
    std::vector<std::string> lines;
    for (const auto& s : r.slipped) {
        std::string line = w.task_ref(s.task_id, s.name, s.owner) + " " + w.pick("计划 ", "planned ") +
                           format_short_date(s.planned_finish) + w.pick("，", ", ");
        if (s.actual_finish)
            line += w.pick(format_short_date(*s.actual_finish) + " 完成，晚 " + w.days(s.days_late),
                           "finished " + format_short_date(*s.actual_finish) + ", " + w.days(s.days_late) + " late");
        else
            line += w.pick("收尾时仍未完成（晚 " + w.days(s.days_late) + "）",
                           "still open at the close (" + w.days(s.days_late) + " late)");
        if (s.reports.empty()) line += w.pick("；没有偏差说明", "; no deviation report");
        for (const auto& report : s.reports)
            line += "\n  " + format_short_date(report.date) + w.pick(" 偏差说明 ", " deviation report ") + report_text(w, report);
        lines.push_back(line);
    }
    std::string out = w.list_section(w.pick("延误及原因", "Slipped, and why"), lines);
    if (r.objective_causes + r.subjective_causes > 0)
        out += "\n" + w.pick("原因归类：客观 " + std::to_string(r.objective_causes) + " 项，主观 " +
                                 std::to_string(r.subjective_causes) + " 项",
                             "Causes: " + std::to_string(r.objective_causes) + " objective, " +
                                 std::to_string(r.subjective_causes) + " subjective");
    return out;
}

std::string risk_section(ChatWriter& w, const Retrospective& r) {
    if (r.risks.empty()) return w.bold(w.pick("风险", "Risks")) + w.pick("：未登记风险", ": none registered");
    std::vector<std::string> lines;
    for (const auto& risk : r.risks) {
        std::string line = risk.id + " " + risk.title + w.pick("（影响 ", " (impact ") +
                           label(risk.impact, w.zh() ? Locale::zh_cn : Locale::en) + w.pick("）", ") ") +
                           risk_status_text(w, risk.status);
        if (!risk.owner.empty()) line += " " + w.mention(risk.owner);
        if (!risk.response.empty()) line += w.pick("；应对：", "; response: ") + risk.response;
        lines.push_back(line);
    }
    return w.list_section(w.pick("风险", "Risks"), lines);
}

// The judgement the facts cannot give: the team writes it (seed 001 表5).
std::string team_section(ChatWriter& w) {
    return w.bold(w.pick("待团队补充", "For the team to write")) + "\n" +
           w.pick("· 亮点：\n· 问题：\n· 改进措施：\n· 后续行动（负责人、完成时间）：",
                  "· Highlights:\n· Problems:\n· Improvements:\n· Follow-up actions (owner, date):");
}

std::string confirm_section(ChatWriter& w, const Retrospective& r) {
    std::string who = w.mention(r.owner);
    return (who.empty() ? "" : who + " ") +
           w.pick("请核对以上事实、补充经验教训，并在 " + format_iso_date(r.due) + " 前回复 `" +
                      retro_confirm_command(Locale::zh_cn, r.project_id) + "` 确认复盘（可在命令后附上总结）。",
                  "please check the facts above, add the lessons, and confirm by " + format_iso_date(r.due) +
                      " with `" + retro_confirm_command(Locale::en, r.project_id) +
                      "` (a summary may follow the command).");
}

std::string project_title(const Retrospective& r) { return r.project_name.empty() ? r.project_id : r.project_name; }

}  // namespace

std::optional<Date> closing_day(const ProjectState& state, Date today) {
    if (state.project.status == ProjectStatus::archived) return std::nullopt;
    if (state.project.status == ProjectStatus::closed) return today;
    std::optional<Date> last;
    int open_or_done = 0;
    for (const Task* task : leaf_tasks(state)) {
        if (task->status == Status::cancelled) continue;
        if (task->status != Status::done) return std::nullopt;
        ++open_or_done;
        if (task->actual_finish && (!last || *task->actual_finish > *last)) last = task->actual_finish;
    }
    if (open_or_done == 0) return std::nullopt;
    return last ? std::min(*last, today) : today;
}

Date retro_due_day(const WorkCalendar& calendar, Date drafted) {
    Date due = drafted;
    for (int i = 0; i < k_retro_due_working_days; ++i) due = calendar.next_working_day(due);
    return due;
}

Retrospective build_retrospective(const ProjectState& state, Date closed_on, Date due) {
    Retrospective r;
    r.project_id = state.project.id;
    r.project_name = state.project.name;
    r.goal = state.project.goal;
    r.owner = state.project.owner;
    r.closed_on = closed_on;
    r.due = due;
    r.planned_start = state.project.start;
    r.planned_finish = state.project.end;
    for (const Task* task : leaf_tasks(state)) {
        if (task->status == Status::cancelled) {
            ++r.tasks_cancelled;
            continue;
        }
        ++r.tasks;
        if (!r.planned_start || (task->planned_start && *task->planned_start < *r.planned_start))
            r.planned_start = task->planned_start ? task->planned_start : r.planned_start;
        if (!state.project.end && task->planned_finish && (!r.planned_finish || *task->planned_finish > *r.planned_finish))
            r.planned_finish = task->planned_finish;
        if (task->status == Status::done) ++r.tasks_done;
        if (task->actual_finish && (!r.actual_finish || *task->actual_finish > *r.actual_finish))
            r.actual_finish = task->actual_finish;
        if (auto slip = slip_of(state, *task, closed_on)) {
            if (!slip->reports.empty()) {
                CauseKind kind = slip->reports.back().cause_kind;
                if (kind == CauseKind::objective) ++r.objective_causes;
                if (kind == CauseKind::subjective) ++r.subjective_causes;
            }
            r.slipped.push_back(std::move(*slip));
        }
    }
    r.completion = project_completion(state);
    r.on_time = on_time_rate(state, closed_on);
    r.on_time_target = state.project.thresholds.on_time_target;
    for (const auto& kpi : state.kpis) {
        double achievement = kpi_achievement(kpi);
        r.kpis.push_back({kpi.id, kpi.name, kpi.target, kpi.current, kpi.percent, achievement, achievement >= 1.0 - 1e-9});
    }
    r.risks = state.risks;
    return r;
}

ChatMessage render_retrospective(const Retrospective& retro, const ProjectState& state, Locale locale,
                                 const Markup& markup) {
    return write_message(state, locale, markup, "复盘草稿 · " + project_title(retro),
                         "Retrospective draft · " + project_title(retro), [&](ChatWriter& w) {
                             return std::vector<std::string>{overview_section(w, retro), kpi_section(w, retro),
                                                             on_time_section(w, retro), slipped_section(w, retro),
                                                             risk_section(w, retro), team_section(w),
                                                             confirm_section(w, retro)};
                         });
}

ChatMessage render_retro_reminder(const Retrospective& retro, Date drafted, const ProjectState& state, Locale locale,
                                  const Markup& markup) {
    return write_message(
        state, locale, markup, "复盘待确认 · " + project_title(retro), "Retrospective not confirmed · " + project_title(retro),
        [&](ChatWriter& w) {
            std::string who = w.mention(retro.owner);
            std::string text =
                (who.empty() ? "" : who + " ") +
                w.pick("复盘草稿已于 " + format_iso_date(drafted) + " 发出，应在 " + format_iso_date(retro.due) +
                           " 前确认，目前仍未确认。请补充亮点、问题、改进措施和后续行动后回复 `" +
                           retro_confirm_command(Locale::zh_cn, retro.project_id) + "`。",
                       "the retrospective draft of " + format_iso_date(drafted) + " was due by " +
                           format_iso_date(retro.due) +
                           " and is not confirmed yet. Add the highlights, problems, improvements and follow-up "
                           "actions, then reply `" +
                           retro_confirm_command(Locale::en, retro.project_id) + "`.");
            std::string facts = w.pick("按时完成率 ", "On-time rate ") + percent_text(retro.on_time.rate()) +
                                w.pick("，延误 ", ", slipped ") + std::to_string(retro.slipped.size()) +
                                w.pick(" 项", "");
            return std::vector<std::string>{text, facts};
        });
}

std::string retro_confirm_command(Locale locale, const std::string& project_id) {
    std::string base = locale == Locale::zh_cn ? "确认复盘" : "confirm retro";
    if (project_id.empty()) return base;
    // Only ids the grammar reads as an id ("P1", "NPL-2024"; not "NPL") go into the command.
    std::string with_id = base + " " + project_id;
    ParsedLine line = parse_line(with_id, ParseContext{});
    bool read_back = line.command && line.command->kind == CommandKind::confirm_retro &&
                     line.command->task_id == normalize_id(project_id) && line.command->note.empty();
    return read_back ? with_id : base;
}

}  // namespace core
