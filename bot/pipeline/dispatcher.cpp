#include "bot/pipeline/dispatcher.h"

#include <algorithm>

#include "core/answers.h"
#include "core/digest.h"
#include "core/semantics.h"
#include "core/task_buttons.h"

namespace bot {
namespace {

using core::CommandKind;
using core::CommandOutcome;

// "看板 [P1]" / "web [P1]": one signed link per project of the chat (or the one named).
std::vector<std::string> web_link_answer(const core::Command& command, const std::vector<core::ProjectState>& states,
                                         const DispatchContext& context, core::Locale locale) {
    const LinkSettings& links = context.links;
    const long long expires = context.source.at_unix + links.ttl_seconds;
    std::vector<core::answers::ProjectLink> lines;
    for (const auto& state : states) {
        if (!command.task_id.empty() && state.project.id != command.task_id) continue;
        lines.push_back({state.project.name, links.ready() ? links.web_view(state.project.id, expires) : ""});
    }
    if (links.state() == core::answers::LinkState::ready && lines.empty())
        return {core::answers::no_project(command.task_id, locale)};
    return core::answers::web_view_links(links.state(), lines, links.ttl_seconds / 3600, locale, context.markup);
}

core::Locale reply_locale(const std::vector<core::ParsedLine>& lines, const DispatchContext& context) {
    if (context.locale) return *context.locale;
    // No chat language configured: Chinese as soon as any line is written in Chinese.
    for (const auto& line : lines)
        if (line.language == core::Locale::zh_cn) return core::Locale::zh_cn;
    return lines.empty() ? core::Locale::zh_cn : core::Locale::en;
}

std::vector<core::Person> contacts_for(const core::Task& task, const core::ProjectState& state) {
    std::vector<core::Person> people;
    auto add = [&](const std::string& id) {
        if (id.empty()) return;
        for (const auto& p : people)
            if (p.id == id) return;
        const core::Person* person = state.find_person(id);
        people.push_back(person ? *person : core::Person{id, id, "", "", "", "", "", ""});
    };
    add(task.owner);
    add(task.approver);
    add(state.project.owner);
    return people;
}

}  // namespace

core::Result<DispatchResult> Dispatcher::handle(std::string_view text, const DispatchContext& context) {
    core::ParseContext parse;
    parse.today = context.today;
    parse.mentions = context.mentions;
    parse.bot_names = context.bot_names;
    std::vector<core::ParsedLine> lines = core::parse_message(text, parse);
    core::Locale locale = reply_locale(lines, context);

    DispatchResult result;
    auto status = m_store.transaction([&]() -> core::Result<void> {
        result.outcomes.clear();
        result.changed = false;
        for (const auto& line : lines) {
            auto outcome = run_line(line, context, locale);
            if (!outcome) return outcome.error();
            if (outcome->kind == CommandOutcome::Kind::applied) result.changed = true;
            result.outcomes.push_back(std::move(*outcome));
        }
        return core::ok();
    });
    if (!status) return status.error();
    result.reply = core::render_replies(result.outcomes, context.sender, locale, context.markup);
    return result;
}

core::Result<CommandOutcome> Dispatcher::run_line(const core::ParsedLine& line, const DispatchContext& context,
                                                  core::Locale locale) {
    CommandOutcome outcome;
    outcome.line = line;
    if (!line.command) {
        outcome.kind = CommandOutcome::Kind::parse_error;
        return outcome;
    }
    if (line.command->kind == CommandKind::confirm_retro) return run_confirm_retro(line, context, locale);
    if (line.command->kind == CommandKind::export_xlsx) return run_export(line, context, locale);
    if (core::is_plan_edit(line.command->kind)) return run_plan_edit(line, context);
    if (core::is_mutation(line.command->kind)) return run_mutation(line, context, locale);
    return run_query(line, context, locale);
}

core::Result<CommandOutcome> Dispatcher::run_mutation(const core::ParsedLine& line, const DispatchContext& context,
                                                      core::Locale) {
    const core::Command& command = *line.command;
    CommandOutcome outcome;
    outcome.line = line;
    if (context.sender.id.empty()) {
        outcome.kind = CommandOutcome::Kind::unknown_person;
        return outcome;
    }
    auto found = m_store.find_task(command.task_id, context.project_ids);
    if (!found) {
        if (found.error().code != core::ErrorCode::conflict) return found.error();
        outcome.kind = CommandOutcome::Kind::rejected;  // the id names tasks in several projects
        outcome.detail = found.error().message;
        return outcome;
    }
    if (!*found) {
        outcome.kind = CommandOutcome::Kind::not_found;
        outcome.detail = command.task_id;
        return outcome;
    }
    // Only what a change reads (the task, its predecessors and children): not the whole plan.
    // Inside handle()'s transaction: the row find_task read is current, so neither this nor
    // apply() reads it again.
    auto state = m_store.load_task_plan(**found);
    if (!state) return state.error();
    const core::Task* task = state->find_task(command.task_id);
    if (!task) return core::make_error(core::ErrorCode::internal, "task vanished while loading its project");
    outcome.before = *task;

    auto allowed = core::check_permission(*task, state->project, context.sender.id, context.is_admin,
                                          command.kind);
    if (!allowed && command.kind == core::CommandKind::ack && !context.sender.id.empty()) {
        auto contacts = context.escalation_contacts.find(state->project.id);
        if (contacts != context.escalation_contacts.end() &&
            std::find(contacts->second.begin(), contacts->second.end(), context.sender.id) != contacts->second.end())
            allowed = core::ok();
    }
    if (!allowed) {
        outcome.kind = CommandOutcome::Kind::forbidden;
        outcome.detail = allowed.error().message;
        outcome.contacts = contacts_for(*task, *state);
        return outcome;
    }
    auto update = core::plan_update(command, *task, *state, context.today, outcome.warnings);
    if (!update) {
        outcome.kind = CommandOutcome::Kind::rejected;
        outcome.detail = update.error().message;
        return outcome;
    }
    core::ChangeSource source = context.source;
    source.person_id = context.sender.id;
    auto change = m_store.apply(*update, source, &**found);
    if (!change) return change.error();
    outcome.kind = CommandOutcome::Kind::applied;
    outcome.after = change->after;
    return outcome;
}

core::Result<std::vector<core::ProjectState>> Dispatcher::load_projects(const DispatchContext& context) {
    std::vector<std::string> ids = context.project_ids;
    if (ids.empty()) {
        auto projects = m_store.projects();
        if (!projects) return projects.error();
        for (const auto& p : *projects)
            if (p.status == core::ProjectStatus::active) ids.push_back(p.id);
    }
    std::vector<core::ProjectState> states;
    for (const auto& id : ids) {
        auto state = m_store.load_project(id);
        if (!state) {
            if (state.error().code == core::ErrorCode::not_found) continue;  // a chat bound to a project not imported yet
            return state.error();
        }
        states.push_back(std::move(*state));
    }
    return states;
}

core::Result<CommandOutcome> Dispatcher::run_query(const core::ParsedLine& line, const DispatchContext& context,
                                                   core::Locale locale) {
    const core::Command& command = *line.command;
    CommandOutcome outcome = query_outcome(line);

    if (command.kind == CommandKind::help) {
        outcome.answer = core::help_sections(locale, context.markup);
        return outcome;
    }
    auto states = load_projects(context);
    if (!states) return states.error();

    if (command.kind == CommandKind::show) {
        for (const auto& state : *states) {
            if (const core::Task* task = state.find_task(command.task_id)) {
                outcome.answer = core::task_detail_sections(*task, state, context.today, locale, context.markup);
                const bool open = task->status != core::Status::done && task->status != core::Status::cancelled;
                outcome.buttons = core::task_buttons(state.project.id, task->id, locale,
                                                     {.done = open, .ack = open, .delay = open, .web = true}, false);
                return outcome;
            }
        }
        outcome.kind = CommandOutcome::Kind::not_found;
        outcome.detail = command.task_id;
        return outcome;
    }
    if (command.kind == CommandKind::web_link) {
        outcome.answer = web_link_answer(command, *states, context, locale);
        return outcome;
    }
    if (command.kind == CommandKind::digest) {
        for (const auto& state : *states) {
            core::Digest digest = core::build_digest(state, context.today);
            core::ChatMessage message = core::render_digest(digest, state, locale, context.markup);
            outcome.answer.push_back(context.markup.bold(message.title));
            for (auto& section : message.sections) outcome.answer.push_back(std::move(section));
        }
        if (states->empty()) outcome.answer.push_back(core::answers::no_project("", locale));
        return outcome;
    }

    std::string person = command.target_person.empty() ? context.sender.id : command.target_person;
    if (command.kind == CommandKind::my_tasks && person.empty()) {
        outcome.kind = CommandOutcome::Kind::unknown_person;
        return outcome;
    }
    for (const auto& state : *states) {
        std::vector<core::Task> selected = command.kind == CommandKind::my_tasks ? core::open_tasks_of(state, person)
                                           : command.kind == CommandKind::late   ? core::late_tasks(state, context.today)
                                                                                  : core::blocked_tasks(state);
        std::string title;
        if (command.kind == CommandKind::my_tasks)
            title = core::answers::open_tasks_title(state.person_name(person), locale);
        else if (command.kind == CommandKind::late)
            title = core::answers::late_tasks_title(locale);
        else
            title = core::answers::blocked_tasks_title(locale);
        title += " · " + state.project.name;
        core::ChatMessage list = core::render_task_list(title, selected, state, context.today, locale, context.markup);
        if (!list.title.empty()) outcome.answer.push_back(context.markup.bold(list.title));
        for (auto& section : list.sections) outcome.answer.push_back(std::move(section));
    }
    if (outcome.answer.empty()) outcome.answer.push_back(core::answers::no_project("", locale));
    return outcome;
}

}  // namespace bot
