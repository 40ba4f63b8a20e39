#pragma once
// Runs the chat's set-up commands (core/team_command.h) against the store's directory: binds
// the group to projects, changes its settings, records claims and links accounts to people.
// Who may: binding, unbinding, settings, confirming and unlinking need an admin or the owner
// (or department head) of the project concerned; linking an account directly needs an admin;
// anyone may list the projects and claim an identity. A refusal changes nothing and says who
// can. Every change is audited as coming from the chat (R13).
//
// Thread safety: safe for concurrent use (the store serialises). run() joins the caller's
// transaction (the inbound handler's), so a change and its reply commit together.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/message.h"
#include "core/model.h"
#include "core/result.h"
#include "core/store/store.h"
#include "core/team_command.h"

namespace bot {

// A claim waits this long for its confirmation; an older one is not confirmed.
inline constexpr long long k_claim_ttl_seconds = 7 * 24 * 3600;

struct TeamContext {
    std::string platform;
    std::string chat_id;
    std::string account;          // the sender's platform user id
    std::string sender_name;      // as the platform gave it
    std::string message_id;
    std::optional<core::Person> sender;  // when the account is linked
    bool is_admin = false;
    std::vector<std::string> admins;      // person ids, mentioned when a refusal says who can
    // Project id -> people who manage it besides the project's own owner and department head
    // (the config's per-project owner / department head).
    std::map<std::string, std::vector<std::string>> managers;
    core::Locale locale = core::Locale::zh_cn;  // of the reply
    core::Markup markup = core::plain_markup();
    std::string default_timezone;  // when the chat sets none
    long long now_unix = 0;
};

struct TeamResult {
    std::vector<std::string> answer;   // sections of the reply
    bool changed = false;
    std::vector<std::string> refusals; // for the log: "bind:not allowed", ...
    std::vector<core::Button> buttons; // Slack: the claim question's confirm button
};

class TeamCommands {
public:
    explicit TeamCommands(store::Store& store) : m_store(store) {}
    // Errors only when the store failed.
    core::Result<TeamResult> run(const std::vector<core::TeamCommand>& commands, const TeamContext& context);

private:
    struct Turn;  // one command's state (team_commands.cpp)
    core::Result<void> bind(Turn& turn);
    core::Result<void> unbind(Turn& turn);
    core::Result<void> list(Turn& turn);
    core::Result<void> set(Turn& turn);
    core::Result<void> claim(Turn& turn);
    core::Result<void> confirm(Turn& turn);
    core::Result<void> unlink(Turn& turn);
    core::Result<void> link(Turn& turn);
    // Ids of the people who may manage `project_id` (its owner and department head, the
    // config's, and the admins).
    core::Result<std::vector<std::string>> managers_of(const std::string& project_id, const TeamContext& context);
    core::Result<bool> may_manage(const std::vector<std::string>& project_ids, const TeamContext& context);
    core::Result<std::vector<std::string>> mentions_of(const std::vector<std::string>& person_ids,
                                                       const TeamContext& context);
    // Mentions of who may manage `project_ids`: their owners and department heads, and the admins.
    core::Result<std::vector<std::string>> who_can(const std::vector<std::string>& project_ids, const TeamContext& context);
    // True (and the refusal said) when the sender may not manage `project_ids`.
    core::Result<bool> refuse_unless_manager(Turn& turn, const std::vector<std::string>& project_ids,
                                             const char* action_zh, const char* action_en);
    // Whether the person is named by a project the chat is bound to (a task's contact, an owner).
    core::Result<bool> in_chat_projects(const core::Person& person, const Turn& turn);
    // True (and the refusal said) when a non-admin confirms or unlinks an admin or someone outside
    // the chat's projects.
    core::Result<bool> guard_target(Turn& turn, const core::Person& person);
    // Links the account (in a savepoint: a conflict is refused, not an error) and says so.
    core::Result<void> link_and_say(Turn& turn, const core::Person& person, const std::string& account);
    // A chat just bound: today's digest and reminder count as done when their time has passed.
    core::Result<void> mark_passed_slots(const core::ChatEntry& chat, const std::vector<std::string>& projects,
                                         const std::string& zone, long long now_unix);
    core::ChangeSource source(const TeamContext& context) const;

    store::Store& m_store;
};

}  // namespace bot
