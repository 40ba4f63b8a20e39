#pragma once
// trackerctl's team directory commands (issue 21): set a team up without editing the config.
//   people                                  list people (tab-separated, with a header line)
//   people import FILE.csv                  add or update people from a people table
//   (core/people_csv.h) people link PERSON --slack U0123        link chat accounts (--feishu
//   ou_..., --dingtalk 123...) people unlink PERSON --slack            unlink them (flags, as many
//   as wanted) chats                                   list chats chats bind PLATFORM:CHAT P1 [P2
//   ...]    bind a chat to projects (created with defaults when new) chats unbind PLATFORM:CHAT [P1
//   ...]     unbind projects (all when none named) chats set PLATFORM:CHAT SETTING VALUE
//   digest_time, reminder_time, weekly_time, timezone, locale, quiet_hours chats remove
//   PLATFORM:CHAT              forget the chat
// Each change is written to the store with the change source "cli" and EntrySource::cli, and
// audited there; a running trackerd reads it at its next message or scheduler pass. Every
// command prints one line per change on stdout; a failure prints what is wrong and how to fix
// it on stderr and exits 1.
//
// Not safe for concurrent use: one object per trackerctl process.

#include <string>
#include <vector>

#include "core/directory.h"
#include "core/result.h"

namespace CLI {
class App;
}
namespace store {
class Store;
}

namespace bot {

class DirectoryCommands {
public:
    // Adds `people` and `chats` with their subcommands to `app`, which writes the arguments
    // into this object: it must outlive the parse and stay where it is.
    explicit DirectoryCommands(CLI::App& app);
    DirectoryCommands(const DirectoryCommands&) = delete;
    DirectoryCommands& operator=(const DirectoryCommands&) = delete;

    bool parsed() const;  // `people` or `chats` was given
    // Runs the parsed command; the process's exit code.
    int run(store::Store& store, long long now_unix) const;

private:
    struct Arguments {
        std::string file;
        std::string person;
        std::string chat;
        std::string setting;
        std::vector<std::string> projects;
        std::vector<std::string> value;  // `chats set`: the words of the value ("MON 09:30")
        std::string link[3];             // --slack, --feishu, --dingtalk accounts to link
        bool unlink[3] = {false, false, false};
    };
    Arguments m_arguments;
    CLI::App* m_people = nullptr;
    CLI::App* m_people_import = nullptr;
    CLI::App* m_people_link = nullptr;
    CLI::App* m_people_unlink = nullptr;
    CLI::App* m_chats = nullptr;
    CLI::App* m_chats_bind = nullptr;
    CLI::App* m_chats_unbind = nullptr;
    CLI::App* m_chats_set = nullptr;
    CLI::App* m_chats_remove = nullptr;
};

// The chat `text` names in the store: "slack:C123", or a bare chat id that only one platform
// uses. not_found / invalid_argument (ambiguous) with a message that says what to do.
core::Result<core::ChatEntry> find_stored_chat(store::Store& store, const std::string& text);

// The whole file, or ErrorCode::io naming it.
core::Result<std::string> read_text_file(const std::string& path);

}  // namespace bot
