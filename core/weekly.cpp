#include "core/weekly.h"

#include <algorithm>
#include <map>

#include "core/chat_writer.h"
#include "core/task_buttons.h"

namespace core {
namespace {

bool within(Date day, Date from, Date to) { return day >= from && day <= to; }

bool same_task(std::string_view a, std::string_view b) {
    return normalize_id(a) == normalize_id(b);
}

// The completion of the newest progress-log entry dated before `from` (0 when none).
int logged_completion_before(const ProjectState& state, const Task& task, Date from) {
    const ProgressEntry* newest = nullptr;
    for (const auto& entry : state.progress) {
        if (!entry.completion || entry.date >= from || !same_task(entry.task_id, task.id)) continue;
        if (!newest || entry.date > newest->date ||
            (entry.date == newest->date && entry.at_unix >= newest->at_unix))
            newest = &entry;
    }
    return newest ? *newest->completion : 0;
}

// The plan as it stood before `from`, rolled up with the same weights as today's figure.
int completion_before(const ProjectState& state, Date from) {
    ProjectState before;
    before.project = state.project;
    before.tasks = state.tasks;
    for (auto& task : before.tasks) {
        bool finished_before =
            task.status == Status::done && task.actual_finish && *task.actual_finish < from;
        if (task.status == Status::cancelled || finished_before) continue;
        if (task.status == Status::done) task.status = Status::in_progress;
        task.completion = logged_completion_before(state, task, from);
    }
    return project_completion(before);
}

// The newest deviation report on the task dated within the period, if any.
const DeviationReport* newest_report(const ProjectState& state, const Task& task, Date from,
                                     Date to) {
    const DeviationReport* newest = nullptr;
    for (const auto& report : state.deviation_reports) {
        if (!within(report.date, from, to) || !same_task(report.task_id, task.id)) continue;
        if (!newest || report.date > newest->date ||
            (report.date == newest->date && report.at_unix >= newest->at_unix))
            newest = &report;
    }
    return newest;
}

// Every deviation report on the task dated within the period, oldest first.
std::vector<DeviationReport> reports_in(const ProjectState& state, const Task& task, Date from, Date to) {
    std::vector<DeviationReport> out;
    for (const auto& report : state.deviation_reports)
        if (within(report.date, from, to) && same_task(report.task_id, task.id)) out.push_back(report);
    std::stable_sort(out.begin(), out.end(), [](const DeviationReport& a, const DeviationReport& b) {
        return a.date != b.date ? a.date < b.date : a.at_unix < b.at_unix;
    });
    return out;
}

// A task blocked at some point and unblocked within the period (not blocked now): the newest
// "unblock" entry in the period and the "block" entry before it. The log is oldest first.
std::optional<WeeklyReview::Blocked> cleared_block(const ProjectState& state, const Task& task, Date from,
                                                   Date to) {
    std::optional<size_t> unblock;
    for (size_t i = 0; i < state.progress.size(); ++i) {
        const auto& entry = state.progress[i];
        if (entry.action == "unblock" && within(entry.date, from, to) && same_task(entry.task_id, task.id))
            unblock = i;
    }
    if (!unblock) return std::nullopt;
    const ProgressEntry& end = state.progress[*unblock];
    WeeklyReview::Blocked line{{task.id, task.name, task.owner, reports_in(state, task, from, to)}, "", 0, end.date};
    for (size_t i = *unblock; i-- > 0;) {
        const auto& entry = state.progress[i];
        if (entry.action != "block" || !same_task(entry.task_id, task.id)) continue;
        line.reason = entry.problem.empty() ? entry.actual_content : entry.problem;
        line.days_blocked = std::max(0, days_between(entry.date, end.date));
        break;
    }
    return line;
}

WeeklyReview::RiskLine risk_line(const RiskItem& risk) {
    return {risk.id, risk.title, risk.impact, risk.owner, risk.status, risk.opened, risk.closed};
}

void add_risks(WeeklyReview& r, const ProjectState& state) {
    r.has_risk_register = !state.risks.empty();
    for (const auto& risk : state.risks) {
        bool closed_by_end = risk.status == RiskStatus::resolved && (!risk.closed || *risk.closed <= r.to);
        if (risk.opened && within(*risk.opened, r.from, r.to)) r.risks_opened.push_back(risk_line(risk));
        if (risk.status == RiskStatus::resolved && risk.closed && within(*risk.closed, r.from, r.to))
            r.risks_closed.push_back(risk_line(risk));
        if (!closed_by_end && (!risk.opened || *risk.opened <= r.to)) ++r.risks_open;
    }
}

void add_task_lines(WeeklyReview& r, const ProjectState& state, const Task& task) {
    WeeklyReview::TaskLine line{task.id, task.name, task.owner, reports_in(state, task, r.from, r.to)};
    bool done = task.status == Status::done;
    if (done && task.actual_finish && within(*task.actual_finish, r.from, r.to)) {
        bool on_time = !task.planned_finish || *task.actual_finish <= *task.planned_finish;
        r.finished.push_back({line, *task.actual_finish, on_time});
    }
    if (task.planned_finish && within(*task.planned_finish, r.from, r.to)) {
        // A done task without an actual finish counts as on time, as in R11.
        bool open = !done || (task.actual_finish && *task.actual_finish > r.to);
        bool late = done && task.actual_finish && *task.actual_finish > *task.planned_finish;
        if (open || late) {
            // Open at the end of the period: late as of `to`, even if finished since.
            int late_days = open ? std::max(0, days_between(*task.planned_finish, r.to))
                                 : days_late(task, r.to);
            WeeklyReview::Slipped slipped{line, *task.planned_finish, late_days, "", "", ""};
            if (const DeviationReport* report = newest_report(state, task, r.from, r.to)) {
                slipped.cause = report->cause;
                slipped.impact = report->impact;
                slipped.remedy = report->remedy;
            }
            r.slipped.push_back(std::move(slipped));
        }
    }
    if (!done && task.planned_finish && *task.planned_finish > r.to &&
        *task.planned_finish <= add_days(r.to, 7))
        r.due_next.push_back(task);
}

// "Mar 18" for the English title.
std::string month_day(Date date) {
    static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::chrono::year_month_day ymd{date};
    return std::string(k_months[static_cast<unsigned>(ymd.month()) - 1]) + " " +
           std::to_string(static_cast<unsigned>(ymd.day()));
}

// "**阻塞**：无" — a section with nothing to report says so rather than vanishing.
std::string list_or_none(ChatWriter& w, const std::string& heading,
                         const std::vector<std::string>& lines) {
    if (!lines.empty()) return w.list_section(heading, lines);
    return w.bold(heading) + w.pick("：无", ": none");
}

std::string progress_section(ChatWriter& w, const WeeklyReview& r) {
    int delta = r.completion - r.completion_before;
    std::string out = w.pick("总进度 ", "Overall ") + std::to_string(r.completion_before) + "% → " +
                      std::to_string(r.completion) + "% ";
    std::string signed_delta = (delta > 0 ? "+" : "") + std::to_string(delta);
    if (delta != 0)
        out = w.bold(out + (delta > 0 ? "↑" : "↓")) + w.pick("（", " (") + signed_delta +
              w.pick(" 个百分点）", " points)");
    else
        out = w.bold(out + "→") + w.pick("（本周无变化）", " (no change this week)");
    if (r.deviation_reports > 0)
        out += "\n" + w.pick("本周偏差说明 " + std::to_string(r.deviation_reports) + " 份",
                             std::to_string(r.deviation_reports) + " deviation report" +
                                 (r.deviation_reports == 1 ? "" : "s") + " this week");
    return out;
}

std::string finished_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& t : r.finished) {
        std::string line = w.task_ref(t.task_id, t.name, t.owner) + " " +
                           w.pick(format_short_date(t.finished) + " 完成",
                                  "finished " + format_short_date(t.finished));
        const Task* task = w.state().find_task(t.task_id);
        int late = task ? days_late(*task, r.to) : 0;
        if (!t.on_time)
            line +=
                w.pick("（晚于计划 " + w.days(late) + "）", " (" + w.days(late) + " after plan)");
        if (!t.on_time && !t.reports.empty() && !t.reports.back().cause.empty())
            line += w.pick("；原因：", "; cause: ") + w.literal(t.reports.back().cause);
        lines.push_back(line);
    }
    return list_or_none(w, w.pick("本周完成", "Finished this week"), lines);
}

std::string slipped_line(ChatWriter& w, const WeeklyReview::Slipped& t, Date review_end) {
    const Task* task = w.state().find_task(t.task_id);
    bool done = task && task->status == Status::done && task->actual_finish &&
                *task->actual_finish <= review_end;
    std::string line = w.task_ref(t.task_id, t.name, t.owner) + " " + w.pick("计划 ", "planned ") +
                       format_short_date(t.planned_finish) + w.pick("，", ", ");
    if (done)
        line += w.pick("晚 " + w.days(t.days_late) + "完成",
                       "finished " + w.days(t.days_late) + " late");
    else if (t.days_late == 0)
        line += w.pick("今天到期未完成", "due today, not done");
    else
        line += w.pick("逾期 " + w.days(t.days_late), w.days(t.days_late) + " late");
    if (!t.cause.empty()) line += w.pick("；原因：", "; cause: ") + w.literal(t.cause);
    if (!t.impact.empty()) line += w.pick("；影响：", "; impact: ") + w.literal(t.impact);
    if (!t.remedy.empty()) line += w.pick("；措施：", "; remedy: ") + w.literal(t.remedy);
    if (t.cause.empty() && !done) line += w.pick("；尚无偏差说明", "; no deviation report yet");
    if (t.reports.size() > 1)
        line += w.pick("（本周共 " + std::to_string(t.reports.size()) + " 份偏差说明）",
                       " (" + std::to_string(t.reports.size()) + " deviation reports this week)");
    return line;
}

std::string slipped_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& t : r.slipped) lines.push_back(slipped_line(w, t, r.to));
    return list_or_none(w, w.pick("延误", "Slipped"), lines);
}

std::string blocked_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& t : r.blocked) {
        std::string line = w.task_ref(t.task_id, t.name, t.owner) + " ";
        if (t.cleared)
            line += w.pick("曾阻塞 " + w.days(t.days_blocked) + "，" + format_short_date(*t.cleared) + " 已解除",
                           "was blocked " + w.days(t.days_blocked) + ", cleared " + format_short_date(*t.cleared));
        else
            line += w.pick("阻塞 " + w.days(t.days_blocked), "blocked " + w.days(t.days_blocked));
        if (!t.reason.empty()) line += w.pick("：", ": ") + w.literal(t.reason);
        lines.push_back(line);
    }
    return list_or_none(w, w.pick("阻塞", "Blocked"), lines);
}

std::string on_time_section(ChatWriter& w, const WeeklyReview& r) {
    std::string heading = w.bold(w.pick("按时完成率", "On time"));
    if (r.on_time.due == 0) return heading + w.pick("：暂无到期任务", ": nothing due yet");
    double target = w.state().project.thresholds.on_time_target;
    std::string out = heading + " " + percent_text(r.on_time.rate()) + " (" +
                      std::to_string(r.on_time.on_time) + "/" + std::to_string(r.on_time.due) +
                      ")" + w.pick("，目标 ≥ ", ", target ≥ ") + percent_text(target);
    if (r.on_time.rate() >= target - 1e-9) return out + w.pick("，已达标", ": on target");
    std::string who = w.mention(w.state().project.owner);
    return out + w.pick("，未达标", ": below target") + (who.empty() ? "" : " " + who);
}

std::string kpi_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& k : r.kpis) {
        std::string line = k.kpi_id + " " + k.name + w.pick(" 达成 ", " ") +
                           percent_text(k.achievement) + w.pick("", " of target");
        if (k.below_warning) {
            double warn = 0;
            for (const auto& kpi : w.state().kpis)
                if (kpi.id == k.kpi_id) warn = kpi.warn_below.value_or(0);
            std::string who = w.mention(w.state().project.owner);
            line += w.pick("，低于预警线 ", ", below the warning line ") + percent_text(warn) +
                    (who.empty() ? "" : " " + who);
        }
        lines.push_back(line);
    }
    if (lines.empty()) return w.bold(w.pick("指标", "KPIs")) + w.pick("：未设置", ": none set");
    return w.list_section(w.pick("指标", "KPIs"), lines);
}

std::string risk_level_text(const ChatWriter& w, RiskLevel level) {
    switch (level) {
        case RiskLevel::high: return w.pick("高", "high");
        case RiskLevel::medium: return w.pick("中", "medium");
        case RiskLevel::low: return w.pick("低", "low");
        case RiskLevel::none: break;
    }
    return w.pick("无", "none");
}

// "R002 KOL 档期冲突（影响 高）@小明" — the register's owner is mentioned.
std::string risk_ref(ChatWriter& w, const WeeklyReview::RiskLine& risk) {
    std::string who = risk.owner.empty() ? "" : " " + w.mention(risk.owner);
    return risk.risk_id + " " + risk.title + w.pick("（影响 ", " (impact ") + risk_level_text(w, risk.impact) +
           w.pick("）", ")") + who;
}

// Only for a project that keeps a risk register (seed 001 表4).
std::string risk_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& risk : r.risks_opened)
        lines.push_back(w.pick("新增 ", "opened ") + risk_ref(w, risk) +
                        (risk.opened ? " " + format_short_date(*risk.opened) : ""));
    for (const auto& risk : r.risks_closed)
        lines.push_back(w.pick("已解决 ", "closed ") + risk_ref(w, risk) +
                        (risk.closed ? " " + format_short_date(*risk.closed) : ""));
    std::string open = w.pick("未解决 " + std::to_string(r.risks_open) + " 项",
                              std::to_string(r.risks_open) + " still open");
    if (lines.empty()) return w.bold(w.pick("风险", "Risks")) + w.pick("：本周无新增或解决，", ": none opened or closed, ") + open;
    return w.list_section(w.pick("风险", "Risks"), lines) + "\n" + open;
}

std::string due_next_section(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> lines;
    for (const auto& t : r.due_next)
        if (t.planned_finish)
            lines.push_back(w.task_ref(t.id, t.name, t.owner) + " " +
                            w.due_phrase(days_between(r.to, *t.planned_finish), *t.planned_finish));
    return list_or_none(w, w.pick("下周到期", "Due next week"), lines);
}

std::vector<std::string> review_sections(ChatWriter& w, const WeeklyReview& r) {
    std::vector<std::string> sections{progress_section(w, r), finished_section(w, r), slipped_section(w, r),
                                      blocked_section(w, r), on_time_section(w, r), kpi_section(w, r)};
    if (r.has_risk_register) sections.push_back(risk_section(w, r));
    sections.push_back(due_next_section(w, r));
    return sections;
}

// "@小明 请更新 T003 创意定稿（3 天未更新）…，回复 `T003 进度 60%`"
std::string reminder_line(ChatWriter& w, const std::string& person,
                          const std::vector<const Finding*>& stale) {
    std::string who = w.mention(person);
    std::string out = who.empty() ? "" : who + " ";
    out += w.pick("请更新 ", "please update ");
    for (size_t i = 0; i < stale.size(); ++i) {
        const Finding& f = *stale[i];
        std::string name = w.task_name(f.task_id);
        if (i > 0) out += w.pick("、", ", ");
        out +=
            f.task_id + (name.empty() ? "" : " " + name) +
            w.pick("（" + w.days(f.days) + "未更新）", " (no update for " + w.days(f.days) + ")");
    }
    out += w.pick("，回复 ", "; reply ") + w.reply_progress(stale.front()->task_id);
    if (stale.size() > 1) out += w.pick("（每个任务一行）", " (one line per task)");
    return out;
}

std::vector<std::string> reminder_sections(ChatWriter& w, const std::vector<Finding>& findings) {
    std::vector<std::string> order;  // owners in the order of their first finding
    std::map<std::string, std::vector<const Finding*>> by_owner;
    for (const auto& f : findings) {
        if (f.rule != Rule::r9_stale_update) continue;
        auto& list = by_owner[f.person_id];
        if (list.empty()) order.push_back(f.person_id);
        list.push_back(&f);
    }
    std::vector<std::string> out;
    for (const auto& person : order) out.push_back(reminder_line(w, person, by_owner[person]));
    return out;
}

}  // namespace

WeeklyReview build_weekly_review(const ProjectState& state, Date from, Date to) {
    WeeklyReview r;
    r.project_id = state.project.id;
    r.project_name = state.project.name;
    r.from = from;
    r.to = to;
    r.completion = project_completion(state);
    r.completion_before = completion_before(state, from);
    for (const Task* task : leaf_tasks(state))
        if (task->status != Status::cancelled) add_task_lines(r, state, *task);
    std::vector<Finding> findings = evaluate(state, to);
    for (const auto& f : findings) {
        if (f.rule != Rule::r5_blocked) continue;
        const Task* task = state.find_task(f.task_id);
        if (task)
            r.blocked.push_back({{task->id, task->name, task->owner, reports_in(state, *task, from, to)}, f.detail,
                                 f.days, std::nullopt});
    }
    for (const Task* task : leaf_tasks(state))
        if (task->status != Status::blocked && task->status != Status::cancelled)
            if (auto cleared = cleared_block(state, *task, from, to)) r.blocked.push_back(std::move(*cleared));
    r.on_time = on_time_rate(state, to);
    for (const auto& kpi : state.kpis) {
        bool below = false;
        for (const auto& f : findings)
            if (f.rule == Rule::r12_kpi && f.related_id == kpi.id) below = true;
        r.kpis.push_back({kpi.id, kpi.name, kpi.target, kpi.current, kpi_achievement(kpi), below});
    }
    for (const auto& report : state.deviation_reports)
        if (within(report.date, from, to)) ++r.deviation_reports;
    add_risks(r, state);
    return r;
}

ChatMessage render_weekly_review(const WeeklyReview& review, const ProjectState& state,
                                 Locale locale, const Markup& markup) {
    std::string zh_title = "周报 · " + review.project_name + " · " +
                           format_short_date(review.from) + " – " + format_short_date(review.to);
    std::string en_title = "Weekly review · " + review.project_name + " · " +
                           month_day(review.from) + " – " + month_day(review.to);
    return write_message(state, locale, markup, zh_title, en_title,
                                [&](ChatWriter& w) { return review_sections(w, review); });
}

std::optional<ChatMessage> render_update_reminder(const std::vector<Finding>& findings,
                                                  const ProjectState& state, Locale locale,
                                                  const Markup& markup) {
    bool any = false;
    for (const auto& f : findings) any = any || f.rule == Rule::r9_stale_update;
    if (!any) return std::nullopt;
    std::string project = state.project.name.empty() ? state.project.id : state.project.name;
    ChatMessage message = write_message(state, locale, markup, "日清日结 · 今日更新提醒 · " + project,
                                        "End-of-day update reminder · " + project,
                                        [&](ChatWriter& w) { return reminder_sections(w, findings); });
    std::size_t tasks = 0;
    for (const auto& f : findings) tasks += f.rule == Rule::r9_stale_update && !f.task_id.empty();
    for (const auto& f : findings)
        if (f.rule == Rule::r9_stale_update && !f.task_id.empty())
            add_buttons(message, task_buttons(state.project.id, f.task_id, locale, {.done = true}, tasks > 1));
    return message;
}

}  // namespace core
