#pragma once
// The chat commands that set a team up (issue 21): bind a group to projects, change its
// settings, and link chat accounts to people. Read before the task grammar (command_parser.h);
// a line that is not one of these is the task grammar's. Pure; safe for concurrent use.
//
//   绑定 P1 [P2 …]          bind P1 [P2 …]          bind the group to projects
//   解绑 [P1 …]             unbind [P1 …]           all of them when none is named
//   项目                     projects                what the group is bound to
//   设置 日报 09:30          set digest 09:30        also 提醒/reminder, 周报/weekly "MON 09:30",
//                                                    时区/timezone, 语言/language, 免打扰/quiet
//   我是 小明                I am 小明               claim: an admin or the owner confirms
//   确认 小明                confirm 小明            confirm the pending claim for 小明
//   解除 小明                unlink 小明             undo 小明's link on this platform
//   绑定 @someone 小明       link @someone 小明      link the mentioned account directly

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory.h"
#include "core/model.h"

namespace core {

enum class TeamCommandKind { bind, unbind, list_projects, set, claim, confirm, unlink, link };
const char* to_string(TeamCommandKind kind);

// A mention in the message as the platform gave it: the text shown after '@' and the account.
struct AccountMention {
    std::string display;
    std::string account;
};

struct TeamCommand {
    TeamCommandKind kind = TeamCommandKind::list_projects;
    std::vector<std::string> projects;  // bind / unbind: normalised ids as typed
    std::optional<ChatSetting> setting; // set: empty when the word is unknown (`value` holds it)
    std::string setting_word;           // set: the word typed ("日报")
    std::string value;                  // set: the rest of the line
    std::string person;                 // claim / confirm / unlink / link: the name or id typed
    std::string account;                // link: the mentioned account
    Locale language = Locale::zh_cn;    // the language the line was written in
};

// The team command of one line, or nullopt when the line is not one. `bot_names` ("@TaskBot")
// are dropped at the start of the line.
std::optional<TeamCommand> parse_team_command(std::string_view line, const std::vector<AccountMention>& mentions,
                                              const std::vector<std::string>& bot_names);

// Every line of `text` read as a team command; empty when any line is not one (a message is
// either set-up or task updates, never a mix).
std::vector<TeamCommand> parse_team_message(std::string_view text, const std::vector<AccountMention>& mentions,
                                            const std::vector<std::string>& bot_names);

}  // namespace core
