#pragma once
// Internal to trackerctl (bot/trackerctl_directory.h): the `people` and `chats` commands, one
// function each, `copy`, and the helpers they share. Each returns the process's exit code,
// prints its result on stdout and a failure, with how to fix it, on stderr. Not safe for
// concurrent use.

#include <array>
#include <string>
#include <vector>

#include "core/model.h"

namespace store {
class Store;
}

namespace bot::trackerctl {

// The platforms in the order of DirectoryCommands' --slack, --feishu, --dingtalk.
inline constexpr std::array<const char*, 3> k_platforms{"slack", "feishu", "dingtalk"};

int fail(const std::string& message);  // prints "trackerctl: message"; returns 1
core::ChangeSource cli_source(long long now_unix);
std::string join(const std::vector<std::string>& items, const char* separator = ", ");

// bot/trackerctl_people.cpp
int list_people(store::Store& store);
int import_people(store::Store& store, const std::string& file, long long now_unix);
int link_people(store::Store& store, const std::string& who, const std::string (&accounts)[3],
                long long now_unix);
int unlink_people(store::Store& store, const std::string& who, const bool (&platforms)[3],
                  long long now_unix);

// bot/trackerctl_chats.cpp; `chat` is "platform:chat_id".
int list_chats(store::Store& store);
int bind_chat(store::Store& store, const std::string& chat,
              const std::vector<std::string>& projects, long long now_unix);
int unbind_chat(store::Store& store, const std::string& chat,
                const std::vector<std::string>& projects, long long now_unix);
int set_chat(store::Store& store, const std::string& chat, const std::string& setting,
             const std::vector<std::string>& words, long long now_unix);
int remove_chat(store::Store& store, const std::string& chat, long long now_unix);

// bot/trackerctl_copy.cpp: `copy --from SRC --to DST`, a whole database (a file or a
// postgresql:// URI, either way) into an empty one (store::Store::copy_into). Prints each
// table's row count and the time taken; names the databases only as Store::describe does.
int copy_database(const std::string& from, const std::string& to);

}  // namespace bot::trackerctl
