// Server-rendered pages of the web view (core/web_view.h).

#include "core/web_view.h"

#include <algorithm>

#include "core/digest.h"
#include "core/gantt.h"
#include "core/html.h"
#include "core/rules.h"

namespace core {

namespace {

std::string esc(std::string_view text) { return html_escape(text); }

const char* k_style =
    "body{margin:0;font:14px/1.45 'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei',system-ui,sans-serif;"
    "color:#263238;background:#f4f6f8}"
    "header,main{max-width:1360px;margin:0 auto;padding:0 16px}"
    "header{padding-top:14px}h1{font-size:22px;margin:4px 0}h2{font-size:16px;margin:18px 0 8px}"
    ".meta{color:#546e7a;margin:2px 0}.meta b{color:#263238}"
    ".card{background:#fff;border:1px solid #dfe3e6;border-radius:6px;padding:10px 14px;margin:10px 0}"
    ".scroll{overflow-x:auto}.cols{display:flex;gap:14px;flex-wrap:wrap}.cols>.card{flex:1;min-width:420px}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff1;"
    "vertical-align:middle}th{color:#546e7a;font-weight:600;font-size:12px}"
    ".dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px;vertical-align:middle}"
    ".pill{display:inline-block;padding:0 8px;border-radius:9px;color:#fff;font-size:12px}"
    ".meter{display:inline-block;width:90px;height:8px;background:#eceff1;border-radius:4px;vertical-align:middle;"
    "margin-right:6px;overflow:hidden}.meter>span{display:block;height:100%}"
    ".big{font-size:20px;font-weight:700}.late-text{color:#d93025;font-weight:600}"
    ".legend span{margin-right:14px;white-space:nowrap}.empty{color:#78909c}"
    "tr.node td{font-weight:600;background:#fafbfc}a{color:#1565c0}"
    ".nav{float:right;font-size:13px}.nav a{margin-left:12px}";

std::string page(std::string_view title, Locale locale, const std::string& body) {
    return std::string("<!DOCTYPE html><html lang=\"") + (locale == Locale::zh_cn ? "zh-CN" : "en") +
           "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
           "<meta name=\"robots\" content=\"noindex\"><title>" +
           esc(title) + "</title><style>" + k_style + "</style></head><body>" + body + "</body></html>";
}

std::string nav(const WebPageLinks& links, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::string out = "<div class=\"nav\">";
    if (!links.projects.empty())
        out += "<a href=\"" + esc(links.projects) + "\">" + (zh ? "全部项目" : "All projects") + "</a>";
    if (!links.other_language.empty())
        out += "<a href=\"" + esc(links.other_language) + "\">" + (zh ? "English" : "中文") + "</a>";
    return out + "</div>";
}

std::string dot(Tone tone) {
    return "<span class=\"dot\" style=\"background:" + std::string(tone_colour(tone)) + "\"></span>";
}

std::string meter(int completion, Tone tone) {
    return "<span class=\"meter\"><span style=\"width:" + std::to_string(std::clamp(completion, 0, 100)) +
           "%;background:" + tone_colour(tone) + "\"></span></span>" + std::to_string(completion) + "%";
}

std::string date_text(const std::optional<Date>& date) { return date ? format_iso_date(*date) : "—"; }

std::string period(const std::optional<Date>& start, const std::optional<Date>& end) {
    return date_text(start) + " → " + date_text(end);
}

std::string legend(Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::string out = "<div class=\"legend\">";
    const std::pair<Tone, const char*> items[] = {
        {Tone::grey, zh ? "未开始" : "not started"}, {Tone::yellow, zh ? "进行中" : "in progress"},
        {Tone::green, zh ? "已完成" : "done"},       {Tone::red, zh ? "已延期" : "late"},
        {Tone::orange, zh ? "阻塞 / 有风险" : "blocked / at risk"}};
    for (const auto& [tone, text] : items) out += "<span>" + dot(tone) + text + "</span>";
    out += std::string("<span class=\"late-text\">- - ") + (zh ? "今天" : "today") + "</span>";
    return out + "</div>";
}

std::string status_text(const ProjectState& state, const Task& task, Date today, bool at_risk, Locale locale) {
    if (!is_leaf(state, task)) return "";
    std::string text = label(effective_status(task, today, state.project.thresholds), locale);
    if (at_risk) text += locale == Locale::zh_cn ? " · 有风险" : " · at risk";
    return text;
}

std::string wbs_tree(const ProjectState& state, Date today, const std::vector<std::string>& at_risk, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::string out = "<table class=\"wbs\"><tr><th>" + std::string(zh ? "编号 / 名称" : "Id / name") + "</th><th>" +
                      (zh ? "层级" : "Level") + "</th><th>" + (zh ? "负责人" : "Owner") + "</th><th>" +
                      (zh ? "状态" : "Status") + "</th><th>" + (zh ? "完成度" : "Completion") + "</th><th>" +
                      (zh ? "计划" : "Planned") + "</th><th>" + (zh ? "实际" : "Actual") + "</th></tr>";
    for (const auto& task : state.tasks) {
        int depth = 0;
        for (const Task* node = &task; !node->parent_id.empty() && depth < 16; ++depth)
            if (!(node = state.find_task(node->parent_id))) break;
        const bool leaf = is_leaf(state, task);
        const Tone tone = node_tone(state, task, today, at_risk);
        const int completion = leaf ? (task.status == Status::done ? 100 : task.completion)
                                    : rollup_completion(state, task.id);
        const bool at_risk_leaf = leaf && std::find(at_risk.begin(), at_risk.end(), task.id) != at_risk.end();
        std::string status = status_text(state, task, today, at_risk_leaf, locale);
        out += "<tr class=\"" + std::string(leaf ? "leaf" : "node") + " tone-" + tone_name(tone) + "\" data-node=\"" +
               esc(task.id) + "\" data-tone=\"" + tone_name(tone) + "\"><td style=\"padding-left:" +
               std::to_string(8 + depth * 22) + "px\">" + dot(tone) + esc(task.id) + " " + esc(task.name) +
               "</td><td>" + esc(label(task.level, locale)) + "</td><td>" + esc(state.person_name(task.owner)) +
               "</td><td>" +
               (status.empty() ? "" : "<span class=\"pill\" style=\"background:" + std::string(tone_colour(tone)) +
                                          "\">" + esc(status) + "</span>") +
               "</td><td>" + meter(completion, tone) + "</td><td>" + period(task.planned_start, task.planned_finish) +
               "</td><td>" + (task.actual_start || task.actual_finish ? period(task.actual_start, task.actual_finish) : "")
               + "</td></tr>";
    }
    return out + "</table>";
}

std::string late_list(const ProjectState& state, Date today, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::vector<Task> late = late_tasks(state, today);
    std::string out = "<div class=\"card late\"><h2>" + std::string(zh ? "逾期任务" : "Late tasks") + " (" +
                      std::to_string(late.size()) + ")</h2>";
    if (late.empty()) return out + "<p class=\"empty\">" + (zh ? "没有逾期任务。" : "Nothing is late.") + "</p></div>";
    out += "<table><tr><th>" + std::string(zh ? "任务" : "Task") + "</th><th>" + (zh ? "负责人" : "Owner") +
           "</th><th>" + (zh ? "计划完成" : "Planned finish") + "</th><th>" + (zh ? "逾期" : "Late by") +
           "</th><th>" + (zh ? "完成度" : "Done") + "</th></tr>";
    for (const auto& task : late) {
        const int days = days_late(task, today);
        out += "<tr data-late-task=\"" + esc(task.id) + "\"><td>" + dot(Tone::red) + esc(task.id) + " " +
               esc(task.name) + "</td><td>" + esc(state.person_name(task.owner)) + "</td><td>" +
               date_text(task.planned_finish) + "</td><td class=\"late-text\">" + std::to_string(days) +
               (zh ? " 天" : days == 1 ? " day" : " days") + "</td><td>" + std::to_string(task.completion) +
               "%</td></tr>";
    }
    return out + "</table></div>";
}

std::string blocked_list(const ProjectState& state, Date today, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::vector<Task> blocked = blocked_tasks(state);
    std::string out = "<div class=\"card blocked\"><h2>" + std::string(zh ? "阻塞任务" : "Blocked tasks") + " (" +
                      std::to_string(blocked.size()) + ")</h2>";
    if (blocked.empty())
        return out + "<p class=\"empty\">" + (zh ? "没有阻塞的任务。" : "Nothing is blocked.") + "</p></div>";
    out += "<table><tr><th>" + std::string(zh ? "任务" : "Task") + "</th><th>" + (zh ? "负责人" : "Owner") +
           "</th><th>" + (zh ? "原因" : "Reason") + "</th><th>" + (zh ? "阻塞天数" : "Blocked for") + "</th></tr>";
    for (const auto& task : blocked) {
        const int days = task.blocked_since ? std::max(0, days_between(*task.blocked_since, today)) : 0;
        out += "<tr data-blocked-task=\"" + esc(task.id) + "\"><td>" + dot(Tone::orange) + esc(task.id) + " " +
               esc(task.name) + "</td><td>" + esc(state.person_name(task.owner)) + "</td><td>" +
               esc(task.blocked_reason) + "</td><td>" + std::to_string(days) +
               (zh ? " 天" : days == 1 ? " day" : " days") + "</td></tr>";
    }
    return out + "</table></div>";
}

}  // namespace

WebProjectSummary summarize_project(const ProjectState& state, Date today, std::string href) {
    WebProjectSummary summary;
    summary.id = state.project.id;
    summary.name = state.project.name;
    summary.href = std::move(href);
    summary.start = state.project.start;
    summary.end = state.project.end;
    summary.completion = project_completion(state);
    for (const Task* leaf : leaf_tasks(state))
        if (leaf->status != Status::cancelled) ++summary.tasks;
    summary.late = static_cast<int>(late_tasks(state, today).size());
    summary.blocked = static_cast<int>(blocked_tasks(state).size());
    return summary;
}

std::string render_project_list_page(const std::vector<WebProjectSummary>& projects, Date today, Locale locale,
                                     const WebPageLinks& links) {
    const bool zh = locale == Locale::zh_cn;
    const std::string title = zh ? "项目看板" : "Projects";
    std::string body = "<header>" + nav(links, locale) + "<h1>" + esc(title) + "</h1><p class=\"meta\">" +
                       (zh ? "今天 " : "Today ") + format_iso_date(today) + "</p></header><main><div class=\"card\">";
    if (projects.empty()) {
        body += "<p class=\"empty\">" + std::string(zh ? "还没有项目。" : "No projects yet.") + "</p>";
    } else {
        body += "<table><tr><th>" + std::string(zh ? "项目" : "Project") + "</th><th>" + (zh ? "周期" : "Period") +
                "</th><th>" + (zh ? "完成度" : "Completion") + "</th><th>" + (zh ? "任务" : "Tasks") + "</th><th>" +
                (zh ? "逾期" : "Late") + "</th><th>" + (zh ? "阻塞" : "Blocked") + "</th></tr>";
        for (const auto& project : projects) {
            const Tone tone = project.late > 0 ? Tone::red : project.blocked > 0 ? Tone::orange
                              : project.completion >= 100 ? Tone::green : Tone::yellow;
            body += "<tr data-project=\"" + esc(project.id) + "\"><td><a href=\"" + esc(project.href) + "\">" +
                    esc(project.name) + "</a> <span class=\"meta\">" + esc(project.id) + "</span></td><td>" +
                    period(project.start, project.end) + "</td><td>" + meter(project.completion, tone) + "</td><td>" +
                    std::to_string(project.tasks) + "</td><td" + (project.late ? " class=\"late-text\"" : "") + ">" +
                    std::to_string(project.late) + "</td><td>" + std::to_string(project.blocked) + "</td></tr>";
        }
        body += "</table>";
    }
    return page(title, locale, body + "</div></main>");
}

std::string render_project_page(const ProjectState& state, Date today, Locale locale, const WebPageLinks& links) {
    const bool zh = locale == Locale::zh_cn;
    const Project& project = state.project;
    const std::vector<std::string> at_risk = at_risk_tasks(state, today);
    const int completion = project_completion(state);
    const OnTimeRate on_time = on_time_rate(state, today);
    std::string body = "<header>" + nav(links, locale) + "<h1>" + esc(project.name) + " <span class=\"meta\">" +
                       esc(project.id) + "</span></h1><p class=\"meta\">" + (zh ? "周期 " : "Period ") +
                       period(project.start, project.end) + " · " + (zh ? "负责人 " : "Owner ") + "<b>" +
                       esc(state.person_name(project.owner)) + "</b> · " + (zh ? "今天 " : "Today ") +
                       format_iso_date(today) + "</p>";
    if (!project.goal.empty())
        body += "<p class=\"meta\">" + std::string(zh ? "目标 " : "Goal ") + esc(project.goal) + "</p>";
    body += "<p><span class=\"big\">" + std::to_string(completion) + "%</span> " + (zh ? "完成" : "complete") +
            " · " + (zh ? "按时完成率 " : "on time ") + std::to_string(on_time.on_time) + "/" +
            std::to_string(on_time.due) + "</p></header><main>";
    body += "<div class=\"card\">" + legend(locale) + "<div class=\"scroll\">" +
            render_gantt_svg(layout_gantt(state, today), locale) + "</div></div>";
    body += "<div class=\"cols\">" + late_list(state, today, locale) + blocked_list(state, today, locale) + "</div>";
    body += "<div class=\"card\"><h2>" + std::string(zh ? "工作分解 (WBS)" : "Work breakdown (WBS)") + "</h2>" +
            wbs_tree(state, today, at_risk, locale) + "</div></main>";
    return page(project.name + (zh ? " · 看板" : " · plan"), locale, body);
}

std::string render_error_page(int status, std::string_view reason, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::string title = status == 401   ? (zh ? "需要登录链接" : "Sign-in link needed")
                        : status == 403 ? (zh ? "链接无效" : "Link not valid")
                        : status == 404 ? (zh ? "找不到" : "Not found")
                                        : (zh ? "出错了" : "Something went wrong");
    std::string hint = zh ? "请在群里发送「看板」获取新的链接。" : "Send \"web\" in the group chat to get a new link.";
    return page(title, locale,
                "<header><h1>" + std::to_string(status) + " · " + esc(title) + "</h1></header><main><div "
                "class=\"card\"><p>" + esc(reason) + "</p><p class=\"meta\">" + esc(hint) + "</p></div></main>");
}

}  // namespace core
