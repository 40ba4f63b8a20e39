// The dispatcher's plan changes (issue 23): add, assign, approver, re-plan, cancel, restore.
// The project's lead decides (core::may_edit_plan); core::plan_edit says what changes; the store
// writes the row, its log entry and its audit rows; the R7 ripple is announced in the reply and
// remembered as fired in this chat, so the scheduler does not announce it a second time.
#include <algorithm>

#include "bot/pipeline/dispatcher.h"
#include "core/plan_edit.h"
#include "core/store/ledger.h"

namespace bot {
namespace {

using core::CommandOutcome;

std::string joined(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}

}  // namespace

core::Result<std::string> Dispatcher::project_for_add(const core::Command& command, const DispatchContext& context,
                                                      std::string& refusal) {
    std::vector<std::string> candidates = context.project_ids;
    if (candidates.empty()) {
        auto projects = m_store.projects();
        if (!projects) return projects.error();
        for (const auto& p : *projects)
            if (p.status == core::ProjectStatus::active) candidates.push_back(p.id);
    }
    if (!command.project_id.empty()) {
        for (const auto& id : candidates)
            if (core::normalize_id(id) == command.project_id) return id;
        refusal = "unknown_project: " + command.project_id;
        return std::string();
    }
    for (const std::string* anchor : {&command.module_id, command.predecessors.empty() ? nullptr : &command.predecessors[0]}) {
        if (!anchor || anchor->empty()) continue;
        auto found = m_store.find_task(*anchor, candidates);
        if (!found) {
            if (found.error().code != core::ErrorCode::conflict) return found.error();
            refusal = "which_project: " + joined(candidates);
            return std::string();
        }
        if (*found) return (*found)->project_id;
        refusal = (anchor == &command.module_id ? "unknown_module: " : "unknown_predecessor: ") + *anchor;
        return std::string();
    }
    if (candidates.size() == 1) return candidates.front();
    refusal = candidates.empty() ? "unknown_project: -" : "which_project: " + joined(candidates);
    return std::string();
}

core::Result<CommandOutcome> Dispatcher::run_plan_edit(const core::ParsedLine& line, const DispatchContext& context) {
    core::Command command = *line.command;
    CommandOutcome outcome;
    outcome.line = line;
    if (context.sender.id.empty()) {
        outcome.kind = CommandOutcome::Kind::unknown_person;
        return outcome;
    }
    auto reject = [&](std::string detail) {
        outcome.kind = CommandOutcome::Kind::rejected;
        outcome.detail = std::move(detail);
        return outcome;
    };

    std::string project_id;
    if (command.kind == core::CommandKind::add_task) {
        std::string refusal;
        auto chosen = project_for_add(command, context, refusal);
        if (!chosen) return chosen.error();
        if (chosen->empty()) return reject(refusal);
        project_id = *chosen;
    } else {
        auto found = m_store.find_task(command.task_id, context.project_ids);
        if (!found) {
            if (found.error().code != core::ErrorCode::conflict) return found.error();
            return reject(found.error().message);
        }
        if (!*found) {
            outcome.kind = CommandOutcome::Kind::not_found;
            outcome.detail = command.task_id;
            return outcome;
        }
        project_id = (*found)->project_id;
        outcome.before = **found;
    }
    // The whole plan: the ripple reaches every successor, the id and the cycle check every task.
    auto state = m_store.load_plan(project_id);
    if (!state) return state.error();

    auto person_record = [&](const std::string& id) -> core::Result<std::optional<core::Person>> {
        if (const core::Person* known = state->find_person(id)) return std::optional<core::Person>(*known);
        return m_store.find_person(id);
    };
    const auto contacts = context.escalation_contacts.find(project_id);
    const std::vector<std::string> extra =
        contacts == context.escalation_contacts.end() ? std::vector<std::string>{} : contacts->second;
    if (!core::may_edit_plan(*state, context.sender.id, context.is_admin, extra)) {
        outcome.kind = CommandOutcome::Kind::forbidden;
        outcome.detail = context.sender.id + " may not change the plan of " + project_id;
        for (const auto& id : core::plan_leads(*state, extra)) {
            auto person = person_record(id);
            if (!person) return person.error();
            outcome.contacts.push_back(*person ? **person : core::Person{id, id, "", "", "", "", "", ""});
        }
        return outcome;
    }

    if (command.kind == core::CommandKind::add_task || command.kind == core::CommandKind::assign ||
        command.kind == core::CommandKind::set_approver) {
        const std::string wanted = command.person.empty() ? command.person_name : command.person;
        auto person = person_record(wanted);
        if (!person) return person.error();
        if (!*person) return reject("unknown_person: " + wanted);
        command.person = (*person)->id;
        state->people[(*person)->id] = **person;
    }

    auto edit = core::plan_edit(command, *state, context.today);
    if (!edit) {
        if (edit.error().code == core::ErrorCode::internal) return edit.error();
        return reject(edit.error().message);
    }
    core::ChangeSource source = context.source;
    source.person_id = context.sender.id;
    auto saved = m_store.save_task(edit->after, !edit->before, edit->action, edit->note, context.today, source);
    if (!saved) {
        if (saved.error().code == core::ErrorCode::conflict) return reject("exists: " + edit->after.id);
        return saved.error();
    }

    // R7: announced here, once: the scheduler finds these marked as fired in this chat until the
    // successor changes (its revision: the newest log entry that is not an acknowledgement).
    for (const core::Finding& finding : edit->ripple) {
        auto log = m_store.progress_log(project_id, finding.task_id);
        if (!log) return log.error();
        store::ledger::Fired fired{0, context.today};
        for (const auto& entry : *log)
            if (entry.action != core::to_string(core::CommandKind::ack) && entry.id > fired.revision) fired.revision = entry.id;
        auto marked = store::ledger::set_fired(
            m_store, store::ledger::fired_key(context.source.platform, context.source.chat_id, finding.key()), fired);
        if (!marked) return marked.error();
    }

    outcome.kind = CommandOutcome::Kind::applied;
    outcome.after = saved->after;
    outcome.ripple = edit->ripple;
    outcome.warnings = edit->warnings;
    outcome.module_chosen = edit->module_chosen;
    std::vector<std::string> concerned = {saved->after.owner};
    if (command.kind == core::CommandKind::set_approver) concerned = {saved->after.approver};
    for (const auto& finding : edit->ripple) concerned.push_back(finding.person_id);
    for (const auto& id : concerned) {
        if (id.empty() || std::any_of(outcome.contacts.begin(), outcome.contacts.end(),
                                      [&](const core::Person& p) { return p.id == id; }))
            continue;
        auto person = person_record(id);
        if (!person) return person.error();
        outcome.contacts.push_back(*person ? **person : core::Person{id, id, "", "", "", "", "", ""});
    }
    return outcome;
}

}  // namespace bot
