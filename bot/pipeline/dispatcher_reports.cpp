// The dispatcher's report commands: "确认复盘" / "confirm retro" confirms a project's
// retrospective (复盘, drafted by the scheduler when the project closed: scheduler_retro.h), and
// "导出" / "export" answers with a signed link to the project's Excel workbook (links.h; the web part serves it).
#include <algorithm>

#include "bot/pipeline/dispatcher.h"
#include "core/store/ledger.h"

namespace bot {
namespace ledger = store::ledger;
namespace {

// The chat answer to `导出`: one signed link per project, valid links.ttl_seconds from now_unix;
// when links are off or web.public_url is not set, a line saying what to configure and that
// `trackerctl export --xlsx` works without it.
std::vector<std::string> export_link_answer(const std::vector<core::Project>& projects, const LinkSettings& links,
                                            long long now_unix, core::Locale locale, const core::Markup& markup) {
    const bool zh = locale == core::Locale::zh_cn;
    if (!links.enabled())
        return {zh ? "下载链接没有开启（配置 web.enabled）。可以在服务器上用 `trackerctl export --xlsx 文件名` 导出。"
                   : "Download links are turned off (config web.enabled). `trackerctl export --xlsx FILE` exports on "
                     "the server."};
    if (!links.public_url_set)
        return {zh ? "还不能发送下载链接：请管理员在配置里设置 web.public_url（trackerd 的对外地址）。也可以在服务器上用 "
                     "`trackerctl export --xlsx 文件名` 导出。"
                   : "I cannot send download links yet: an admin must set web.public_url (trackerd's public address) in "
                     "the config. `trackerctl export --xlsx FILE` exports on the server."};
    const long long expires = now_unix + links.ttl_seconds;
    const std::string hours = std::to_string(links.ttl_seconds / 3600);
    std::vector<std::string> answer;
    for (const auto& project : projects) {
        std::string url = links.export_xlsx(project.id, expires) + (zh ? "" : "&lang=en");
        std::string title = markup.bold(project.name.empty() ? project.id : project.name);
        answer.push_back(zh ? "📊 " + title + " 的 Excel（跟踪表、进度日志、风险、KPI、周报），" + hours + " 小时内有效：" + url
                            : "📊 " + title + " as Excel (tracking table, progress log, risks, KPIs, weekly review), valid " +
                                  hours + " h: " + url);
    }
    return answer;
}


using core::CommandOutcome;

std::string project_title(const core::Project& project) { return project.name.empty() ? project.id : project.name; }

core::Person person_or_id(store::Store& store, const std::string& id) {
    auto found = store.find_person(id);
    if (found && *found) return **found;
    return core::Person{id, id, "", "", "", ""};
}

// The project owner, its department head, the config's approver / department head (the R8
// contacts) and admins may confirm: the seeds give the retrospective to the project lead.
bool may_confirm(const core::Project& project, const DispatchContext& context) {
    const std::string& who = context.sender.id;
    if (context.is_admin || who == project.owner || (!project.department_head.empty() && who == project.department_head))
        return true;
    auto contacts = context.escalation_contacts.find(project.id);
    return contacts != context.escalation_contacts.end() &&
           std::find(contacts->second.begin(), contacts->second.end(), who) != contacts->second.end();
}

}  // namespace

core::Result<std::vector<core::Project>> Dispatcher::report_projects(const core::Command& command,
                                                                     const DispatchContext& context) {
    auto all = m_store.projects();
    if (!all) return all.error();
    std::vector<core::Project> out;
    for (const auto& project : *all) {
        bool in_chat = context.project_ids.empty() ||
                       std::find(context.project_ids.begin(), context.project_ids.end(), project.id) !=
                           context.project_ids.end();
        if (!in_chat || (!command.task_id.empty() && project.id != command.task_id)) continue;
        out.push_back(project);
    }
    return out;
}

core::Result<CommandOutcome> Dispatcher::run_confirm_retro(const core::ParsedLine& line, const DispatchContext& context,
                                                           core::Locale locale) {
    const core::Command& command = *line.command;
    const bool zh = locale == core::Locale::zh_cn;
    CommandOutcome outcome;
    outcome.line = line;
    outcome.kind = CommandOutcome::Kind::query;
    if (context.sender.id.empty()) {
        outcome.kind = CommandOutcome::Kind::unknown_person;
        return outcome;
    }
    auto projects = report_projects(command, context);
    if (!projects) return projects.error();
    for (const auto& project : *projects) {
        auto record = ledger::retro(m_store, project.id);
        if (!record) return record.error();
        if (!*record) continue;
        const std::string title = context.markup.bold(project_title(project));
        if ((*record)->confirmed()) {
            std::string by = context.markup.mention_of(person_or_id(m_store, (*record)->confirmed_by));
            std::string on = core::format_iso_date(core::date_from_unix_seconds((*record)->confirmed_at));
            outcome.answer.push_back(zh ? title + " 的复盘已由 " + by + " 于 " + on + " 确认。"
                                        : "The retrospective of " + title + " was confirmed by " + by + " on " + on + ".");
            continue;
        }
        if (!may_confirm(project, context)) {
            std::string owner = context.markup.mention_of(person_or_id(m_store, project.owner));
            outcome.answer.push_back(zh ? "🚫 " + title + " 的复盘由项目负责人 " + owner + "、部门负责人或管理员确认。"
                                        : "🚫 The retrospective of " + title + " is confirmed by the project owner " + owner +
                                              ", the department head or an admin.");
            continue;
        }
        ledger::Retro confirmed = **record;
        confirmed.confirmed_by = context.sender.id;
        confirmed.confirmed_at = context.source.at_unix;
        confirmed.confirmed_from = context.source.describe();
        confirmed.summary = command.note;
        auto saved = ledger::set_retro(m_store, project.id, confirmed);
        if (!saved) return saved.error();
        outcome.kind = CommandOutcome::Kind::applied;
        std::string text = zh ? "✅ " + title + " 的复盘已确认，归档备查。" : "✅ The retrospective of " + title + " is confirmed and filed.";
        if (!command.note.empty()) text += zh ? "总结已记录：" + command.note : " Summary recorded: " + command.note;
        outcome.answer.push_back(text);
    }
    if (outcome.answer.empty())
        outcome.answer.push_back(zh ? "没有待确认的复盘：项目收尾（全部任务完成或项目关闭）后会自动发出复盘草稿。"
                                    : "No retrospective is waiting: a draft is sent when a project closes (every task done, "
                                      "or the project closed).");
    return outcome;
}

core::Result<CommandOutcome> Dispatcher::run_export(const core::ParsedLine& line, const DispatchContext& context,
                                                    core::Locale locale) {
    const core::Command& command = *line.command;
    const bool zh = locale == core::Locale::zh_cn;
    CommandOutcome outcome;
    outcome.line = line;
    outcome.kind = CommandOutcome::Kind::query;
    auto projects = report_projects(command, context);
    if (!projects) return projects.error();
    outcome.answer = export_link_answer(*projects, context.links, context.source.at_unix, locale, context.markup);
    if (projects->empty())
        outcome.answer = {command.task_id.empty() ? (zh ? "还没有项目。" : "No projects yet.")
                                                  : (zh ? "这个群没有项目 " : "This chat has no project ") + command.task_id +
                                                        (zh ? "。" : ".")};
    return outcome;
}

}  // namespace bot
