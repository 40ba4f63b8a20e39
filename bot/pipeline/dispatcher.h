#pragma once
// The dispatcher: a chat message + who sent it -> permission check -> store change -> reply.
// Every line of the message is handled in one store transaction: either all its changes are
// written or, when the store fails, none (the caller answers the platform with a retryable
// error). Refusals (unknown task, not the owner, unreadable line) are replies, not errors.
//
// Thread safety: safe for concurrent use (holds only a reference to the thread-safe Store).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/pipeline/links.h"
#include "core/command_parser.h"
#include "core/message.h"
#include "core/model.h"
#include "core/replies.h"
#include "core/result.h"
#include "core/store/store.h"

namespace bot {

struct DispatchContext {
    core::Person sender;                    // id "" when the chat user is not bound to a person
    bool is_admin = false;                  // listed in the config's admins
    std::vector<std::string> project_ids;   // the chat's projects; empty = every project
    std::optional<core::Locale> locale;     // the chat's language; unset = the message's own
    core::Markup markup = core::plain_markup();
    core::ChangeSource source;              // for the audit trail (R13)
    core::Date today{};                     // the chat's local day
    std::vector<core::Mention> mentions;    // people mentioned in the text
    std::vector<std::string> bot_names;     // "@TaskBot" and the like, stripped by the grammar
    // Project id -> people the R8 ladder may ping besides the task's own contacts (the config's
    // default approver and department head): they may `ack` any task of that project.
    std::map<std::string, std::vector<std::string>> escalation_contacts;
    LinkSettings links;  // "看板" / "web": signed links to the web view (source.at_unix + ttl)
};

struct DispatchResult {
    core::ChatMessage reply;
    std::vector<core::CommandOutcome> outcomes;  // one per line, for logs and metrics
    bool changed = false;                        // at least one line changed the store
};

class Dispatcher {
public:
    // A Store rather than its facets (PlanStore, StateStore): handle() runs all of a message's
    // lines in one Store::transaction(), which no facet offers.
    explicit Dispatcher(store::Store& store) : m_store(store) {}

    // Errors only when the store failed (ErrorCode::busy, io, internal); nothing was changed.
    core::Result<DispatchResult> handle(std::string_view text, const DispatchContext& context);

private:
    core::Result<core::CommandOutcome> run_line(const core::ParsedLine& line, const DispatchContext& context,
                                                core::Locale locale);
    core::Result<core::CommandOutcome> run_mutation(const core::ParsedLine& line, const DispatchContext& context,
                                                    core::Locale locale);
    core::Result<core::CommandOutcome> run_query(const core::ParsedLine& line, const DispatchContext& context,
                                                 core::Locale locale);
    // dispatcher_plan.cpp: the plan changes (core/plan_edit.h), by the project's lead.
    core::Result<core::CommandOutcome> run_plan_edit(const core::ParsedLine& line, const DispatchContext& context);
    // The project an `add` line is about: named, or holding its module or first predecessor,
    // or the chat's only one. "" with outcome.detail set when the line cannot say.
    core::Result<std::string> project_for_add(const core::Command& command, const DispatchContext& context,
                                              std::string& refusal);
    core::Result<std::vector<core::ProjectState>> load_projects(const DispatchContext& context);
    // An answer to `line` that changes nothing (kind query), for the query commands to fill.
    static core::CommandOutcome query_outcome(const core::ParsedLine& line) {
        core::CommandOutcome outcome;
        outcome.line = line;
        outcome.kind = core::CommandOutcome::Kind::query;
        return outcome;
    }
    // dispatcher_reports.cpp: "确认复盘" (the project's retrospective) and "导出" (the workbook link).
    core::Result<core::CommandOutcome> run_confirm_retro(const core::ParsedLine& line, const DispatchContext& context,
                                                         core::Locale locale);
    core::Result<core::CommandOutcome> run_export(const core::ParsedLine& line, const DispatchContext& context,
                                                  core::Locale locale);
    // The projects a report command is about: the one it names (if the chat has it), else the
    // chat's, else every project whatever its status.
    core::Result<std::vector<core::Project>> report_projects(const core::Command& command,
                                                             const DispatchContext& context);

    store::Store& m_store;
};

}  // namespace bot
