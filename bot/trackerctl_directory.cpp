// trackerctl's `people` and `chats`: their arguments, and which command runs
// (bot/trackerctl_directory.h).
#include "bot/trackerctl_directory.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bot/trackerctl_commands.h"
#include "core/store/store.h"

namespace bot {
namespace trackerctl {

int fail(const std::string& message) {
    std::cerr << "trackerctl: " << message << "\n";
    return 1;
}

core::ChangeSource cli_source(long long now_unix) {
    return core::ChangeSource{"", "cli", "", "", now_unix};
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

}  // namespace trackerctl

using core::ErrorCode;
using core::make_error;
using trackerctl::fail;
using trackerctl::k_platforms;

DirectoryCommands::DirectoryCommands(CLI::App& app) {
    Arguments& a = m_arguments;
    m_people =
        app.add_subcommand("people", "list the team's people (and where each entry came from)");
    m_people->require_subcommand(0, 1);
    m_people_import =
        m_people->add_subcommand("import", "add or update people from a CSV people table");
    m_people_import
        ->add_option("file", a.file,
                     "CSV: 姓名/name, 编号/id, 部门/department, 邮箱/email, 手机/mobile, "
                     "slack, 飞书/feishu, 钉钉/dingtalk")
        ->required();
    m_people_link = m_people->add_subcommand("link", "link a person's chat accounts");
    m_people_link->add_option("person", a.person, "person id or name")->required();
    m_people_unlink = m_people->add_subcommand("unlink", "unlink a person's chat accounts");
    m_people_unlink->add_option("person", a.person, "person id or name")->required();
    const char* account_help[] = {"Slack user id, e.g. U0123", "Feishu open_id, e.g. ou_84aa",
                                  "DingTalk userId"};
    for (size_t i = 0; i < k_platforms.size(); ++i) {
        std::string flag = std::string("--") + k_platforms[i];
        m_people_link->add_option(flag, a.link[i], account_help[i]);
        m_people_unlink->add_flag(flag, a.unlink[i],
                                  std::string("unlink the ") + k_platforms[i] + " account");
    }

    m_chats =
        app.add_subcommand("chats", "list the chats, what they are bound to and their settings");
    m_chats->require_subcommand(0, 1);
    m_chats_bind =
        m_chats->add_subcommand("bind", "bind a chat to projects (adds the chat when new)");
    m_chats_bind->add_option("chat", a.chat, "platform:chat_id, e.g. slack:C0123")->required();
    m_chats_bind->add_option("projects", a.projects, "project ids")->required();
    m_chats_unbind =
        m_chats->add_subcommand("unbind", "unbind a chat from projects (all when none named)");
    m_chats_unbind->add_option("chat", a.chat, "platform:chat_id")->required();
    m_chats_unbind->add_option("projects", a.projects, "project ids");
    m_chats_set = m_chats->add_subcommand("set", "change a chat's setting");
    m_chats_set->add_option("chat", a.chat, "platform:chat_id")->required();
    m_chats_set
        ->add_option("setting", a.setting,
                     "digest_time, reminder_time, weekly_time, timezone, locale or quiet_hours")
        ->required();
    m_chats_set
        ->add_option("value", a.value,
                     "09:30 | \"MON 09:30\" | Asia/Shanghai | en | 22:00-08:00 | off")
        ->required();
    m_chats_remove = m_chats->add_subcommand("remove", "forget a chat");
    m_chats_remove->add_option("chat", a.chat, "platform:chat_id")->required();
}

bool DirectoryCommands::parsed() const { return m_people->parsed() || m_chats->parsed(); }

int DirectoryCommands::run(store::Store& store, long long now_unix) const {
    const Arguments& a = m_arguments;
    if (m_people_import->parsed()) return trackerctl::import_people(store, a.file, now_unix);
    if (m_people_link->parsed()) {
        if (std::all_of(std::begin(a.link), std::end(a.link),
                        [](const auto& s) { return s.empty(); }))
            return fail(
                "people link needs an account: --slack U0123, --feishu ou_... or --dingtalk "
                "123...");
        return trackerctl::link_people(store, a.person, a.link, now_unix);
    }
    if (m_people_unlink->parsed()) {
        if (std::none_of(std::begin(a.unlink), std::end(a.unlink), [](bool b) { return b; }))
            return fail("people unlink needs the platform: --slack, --feishu or --dingtalk");
        return trackerctl::unlink_people(store, a.person, a.unlink, now_unix);
    }
    if (m_people->parsed()) return trackerctl::list_people(store);
    if (m_chats_bind->parsed()) return trackerctl::bind_chat(store, a.chat, a.projects, now_unix);
    if (m_chats_unbind->parsed())
        return trackerctl::unbind_chat(store, a.chat, a.projects, now_unix);
    if (m_chats_set->parsed())
        return trackerctl::set_chat(store, a.chat, a.setting, a.value, now_unix);
    if (m_chats_remove->parsed()) return trackerctl::remove_chat(store, a.chat, now_unix);
    if (m_chats->parsed()) return trackerctl::list_chats(store);
    return fail("unknown command");
}

core::Result<core::ChatEntry> find_stored_chat(store::Store& store, const std::string& text) {
    auto chats = store.chats();
    if (!chats) return chats.error();
    auto colon = text.find(':');
    const core::ChatEntry* found = nullptr;
    for (const auto& record : *chats) {
        const core::ChatEntry& chat = record.chat;
        bool match = colon == std::string::npos ? chat.chat_id == text
                                                : chat.platform == text.substr(0, colon) &&
                                                      chat.chat_id == text.substr(colon + 1);
        if (!match) continue;
        if (found)
            return make_error(ErrorCode::invalid_argument,
                              "chat " + text + " is ambiguous: write platform:" + text);
        found = &chat;
    }
    if (!found)
        return make_error(
            ErrorCode::not_found,
            "no chat " + text + " (trackerctl chats lists them; trackerctl chats bind adds one)");
    return *found;
}

core::Result<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::io, "cannot read " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace bot
