// The dispatcher's report commands: "确认复盘" / "confirm retro" confirms a project's
// retrospective (复盘, drafted by the scheduler when the project closed: scheduler_retro.h), and
// "导出" / "export" answers with a signed link to the project's Excel workbook (links.h; the web part serves it).
#include <algorithm>

#include "bot/pipeline/dispatcher.h"
#include "core/answers.h"
#include "core/store/ledger.h"

namespace bot {
namespace ledger = store::ledger;
namespace {

// The chat answer to `导出`: one signed link per project, valid links.ttl_seconds from now_unix;
// when links are off or web.public_url is not set, what to configure.
std::vector<std::string> export_link_answer(const std::vector<core::Project>& projects, const LinkSettings& links,
                                            long long now_unix, core::Locale locale, const core::Markup& markup) {
    const long long expires = now_unix + links.ttl_seconds;
    std::vector<core::answers::ProjectLink> lines;
    for (const auto& project : projects)
        lines.push_back({project.name.empty() ? project.id : project.name,
                         links.ready() ? links.export_xlsx(project.id, expires) : ""});
    return core::answers::export_links(links.state(), lines, links.ttl_seconds / 3600, locale, markup);
}


using core::CommandOutcome;

std::string project_title(const core::Project& project) { return project.name.empty() ? project.id : project.name; }

core::Person person_or_id(store::PlanStore& store, const std::string& id) {
    auto found = store.find_person(id);
    if (found && *found) return **found;
    return core::Person{id, id, "", "", "", "", "", ""};
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
    CommandOutcome outcome = query_outcome(line);
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
            outcome.answer.push_back(core::answers::retro_already_confirmed(title, by, on, locale));
            continue;
        }
        if (!may_confirm(project, context)) {
            std::string owner = context.markup.mention_of(person_or_id(m_store, project.owner));
            outcome.answer.push_back(core::answers::retro_not_yours(title, owner, locale));
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
        outcome.answer.push_back(core::answers::retro_confirmed(title, command.note, locale));
    }
    if (outcome.answer.empty())
        outcome.answer.push_back(core::answers::no_retro_waiting(locale));
    return outcome;
}

core::Result<CommandOutcome> Dispatcher::run_export(const core::ParsedLine& line, const DispatchContext& context,
                                                    core::Locale locale) {
    const core::Command& command = *line.command;
    CommandOutcome outcome = query_outcome(line);
    auto projects = report_projects(command, context);
    if (!projects) return projects.error();
    outcome.answer = export_link_answer(*projects, context.links, context.source.at_unix, locale, context.markup);
    if (projects->empty())
        outcome.answer = {core::answers::no_project(command.task_id, locale)};
    return outcome;
}

}  // namespace bot
