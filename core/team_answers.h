#pragma once
// The bot's sentences for setting a team up from the chat (core/team_command.h): binding a
// group, its settings, linking accounts to people. zh-CN and en, here and nowhere else. Names
// and mentions come in already rendered in the chat's markup. Pure; safe for concurrent use.

#include <string>
#include <vector>

#include "core/directory.h"
#include "core/model.h"

namespace core::team_answers {

struct ProjectName {
    std::string id;
    std::string name;  // "" when the same as the id
};

std::string bound(const std::vector<ProjectName>& added, const ChatEntry& chat, const std::string& zone, Locale locale);
std::string unbound(const std::vector<ProjectName>& removed, bool nothing_left, Locale locale);
std::string not_bound_to(const std::string& project_id, Locale locale);
std::string bound_projects(const std::vector<ProjectName>& projects, const ChatEntry& chat, const std::string& zone,
                           Locale locale);
std::string bot_added(Locale locale);  // the bot was just added to a group

std::string no_such_project(const std::string& id, const std::vector<std::string>& known, Locale locale);
// `action` in the locale ("绑定" / "bind"); `who` mentions of the people who may, may be empty.
std::string not_allowed(const std::string& action, const std::vector<std::string>& who, Locale locale);
std::string setting_changed(ChatSetting setting, const std::string& value, const std::string& zone, Locale locale);
std::string setting_unreadable(const std::string& word, const std::string& value, Locale locale);

std::string identified_as(const std::string& name, Locale locale);  // prefix of a reply: "已识别为 小明。"
std::string unlinked_sender(Locale locale);  // "I don't know you yet: send 我是 <name>"
std::string no_such_person(const std::string& name, Locale locale);
std::string several_people(const std::string& name, const std::vector<std::string>& ids, Locale locale);
std::string person_already_linked(const std::string& name, Locale locale);
std::string account_already_linked(const std::string& name, Locale locale);  // the sender is someone already
std::string claim_asked(const std::string& claimant, const std::string& name, const std::vector<std::string>& confirmers,
                        Locale locale);
std::string no_pending_claim(const std::string& name, Locale locale);
std::string several_claims(const std::string& name, Locale locale);  // confirm with the @account
std::string account_taken(const std::string& holder, Locale locale);  // the account is someone else's
std::string not_in_projects(const std::string& name, Locale locale);  // not a member of this chat's projects
std::string linked(const std::string& account, const std::string& name, Locale locale);
std::string unlinked(const std::string& name, Locale locale);
std::string not_linked(const std::string& name, Locale locale);
std::string claim_needs_bound_chat(Locale locale);

}  // namespace core::team_answers
