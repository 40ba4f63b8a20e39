// trackerctl chats: list, bind, unbind, set, remove (bot/trackerctl_commands.h).
#include <algorithm>
#include <iostream>

#include "bot/net/http_client.h"
#include "bot/ops/local_time.h"
#include "bot/trackerctl_commands.h"
#include "core/directory.h"
#include "core/store/store.h"
#include "core/text.h"

namespace bot::trackerctl {
namespace {

using core::ErrorCode;
using core::make_error;

struct ChatKey {
    std::string platform;
    std::string chat_id;
    std::string text() const { return platform + ":" + chat_id; }
};

core::Result<ChatKey> parse_chat_key(const std::string& text) {
    auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
        return make_error(ErrorCode::invalid_argument,
                          "'" + text + "': write the chat as platform:chat_id, e.g. slack:C0123");
    ChatKey key{core::lower_ascii(text.substr(0, colon)), text.substr(colon + 1)};
    if (std::find(k_platforms.begin(), k_platforms.end(), key.platform) == k_platforms.end())
        return make_error(ErrorCode::invalid_argument,
                          "'" + text + "': the platform must be slack, feishu or dingtalk");
    return key;
}

// The stored chat, or an error that says how to add it.
core::Result<store::ChatRecord> existing_chat(store::Store& store, const ChatKey& key) {
    auto record = store.chat(key.platform, key.chat_id);
    if (!record) return record.error();
    if (!*record)
        return make_error(ErrorCode::not_found,
                          "no chat " + key.text() +
                              " (trackerctl chats lists them; trackerctl chats bind " + key.text() +
                              " PROJECT adds it)");
    return **record;
}

core::Result<void> save_chat(store::Store& store, const core::ChatEntry& chat,
                             const std::string& seeded, long long now_unix) {
    return store.put_chat(chat, core::EntrySource::cli, seeded, cli_source(now_unix));
}

std::string bound_text(const core::ChatEntry& chat) {
    return chat.projects.empty() ? "bound to nothing" : "bound to " + join(chat.projects);
}

std::string expected_value(core::ChatSetting setting) {
    switch (setting) {
        case core::ChatSetting::digest_time:
        case core::ChatSetting::reminder_time:
            return "a time HH:MM, e.g. 09:30";
        case core::ChatSetting::weekly_time:
            return "a weekday and a time, e.g. \"MON 09:30\"";
        case core::ChatSetting::timezone:
            return "an IANA time zone, e.g. Asia/Shanghai or UTC";
        case core::ChatSetting::language:
            return "zh-CN or en";
        case core::ChatSetting::quiet_hours:
            return "HH:MM-HH:MM, e.g. 22:00-08:00, or off";
    }
    return "";
}

// Sets `setting` of `chat` from `value`, checked as trackerd would use it.
core::Result<void> apply_setting(core::ChatEntry& chat, core::ChatSetting setting,
                                 const std::string& value) {
    std::string name = core::to_string(setting);
    if (!core::set_chat_setting(chat, setting, value))
        return make_error(
            ErrorCode::invalid_argument,
            name + " '" + value + "' is not valid: expected " + expected_value(setting));
    if (setting == core::ChatSetting::timezone)
        if (auto zone = check_time_zone(value); !zone)
            return make_error(
                ErrorCode::invalid_argument,
                name + ": " + zone.error().message + " (expected " + expected_value(setting) + ")");
    return core::ok();
}

// The stored ids of the projects named, each once; an error names one that does not exist.
core::Result<std::vector<std::string>> project_ids(store::Store& store,
                                                   const std::vector<std::string>& names) {
    std::vector<std::string> ids;
    for (const auto& name : names) {
        auto project = store.find_project(core::normalize_id(name));
        if (!project) return project.error();
        if (!*project)
            return make_error(ErrorCode::not_found,
                              "no project '" + name +
                                  "': import its tracking table first (trackerctl import "
                                  "FILE.csv --project " +
                                  core::normalize_id(name) + "); nothing changed");
        if (std::find(ids.begin(), ids.end(), (*project)->id) == ids.end())
            ids.push_back((*project)->id);
    }
    return ids;
}

}  // namespace

int list_chats(store::Store& store) {
    auto records = store.chats();
    if (!records) return fail(records.error().message);
    using core::ChatSetting;
    std::cout << "chat\tprojects\tlocale\ttimezone\tdigest_time\treminder_time\tweekly_time"
                 "\tquiet_hours\twebhook_url\tsource\n";
    for (const auto& r : *records) {
        const core::ChatEntry& c = r.chat;
        std::cout << c.platform << ":" << c.chat_id << "\t" << join(c.projects, ",");
        for (auto setting :
             {ChatSetting::language, ChatSetting::timezone, ChatSetting::digest_time,
              ChatSetting::reminder_time, ChatSetting::weekly_time, ChatSetting::quiet_hours})
            std::cout << "\t" << core::chat_setting_text(c, setting);
        // The URL's path or query is the robot's secret: show where it goes, not the key.
        std::cout << "\t" << (c.webhook_url.empty() ? "" : redact_url(c.webhook_url)) << "\t"
                  << core::to_string(r.source) << "\n";
    }
    return 0;
}

int bind_chat(store::Store& store, const std::string& text,
              const std::vector<std::string>& projects, long long now_unix) {
    auto key = parse_chat_key(text);
    if (!key) return fail(key.error().message);
    auto ids = project_ids(store, projects);
    if (!ids) return fail(ids.error().message);
    auto record = store.chat(key->platform, key->chat_id);
    if (!record) return fail(record.error().message);
    core::ChatEntry chat;  // a new chat starts with the defaults
    if (*record) chat = (*record)->chat;
    chat.platform = key->platform;
    chat.chat_id = key->chat_id;
    std::vector<std::string> added;
    for (const auto& id : *ids)
        if (std::find(chat.projects.begin(), chat.projects.end(), id) == chat.projects.end()) {
            chat.projects.push_back(id);
            added.push_back(id);
        }
    if (added.empty()) {
        std::cout << key->text() << " is " << bound_text(chat) << " already; nothing changed\n";
        return 0;
    }
    auto saved = save_chat(store, chat, *record ? (*record)->seeded : "", now_unix);
    if (!saved) return fail(saved.error().message);
    if (*record)
        std::cout << "bound " << key->text() << " to " << join(added) << " (now "
                  << bound_text(chat) << ")\n";
    else
        std::cout << "added " << key->text() << " " << bound_text(chat)
                  << ", with the default settings\n";
    return 0;
}

int unbind_chat(store::Store& store, const std::string& text,
                const std::vector<std::string>& projects, long long now_unix) {
    auto key = parse_chat_key(text);
    if (!key) return fail(key.error().message);
    auto record = existing_chat(store, *key);
    if (!record) return fail(record.error().message);
    core::ChatEntry chat = record->chat;
    std::vector<std::string> removed =
        projects.empty() ? chat.projects : std::vector<std::string>{};
    for (const auto& name : projects) {
        std::string id = core::normalize_id(name);
        if (std::find(chat.projects.begin(), chat.projects.end(), id) == chat.projects.end())
            return fail(key->text() + " is not bound to " + id + " (it is " + bound_text(chat) +
                        ")");
        if (std::find(removed.begin(), removed.end(), id) == removed.end()) removed.push_back(id);
    }
    if (removed.empty()) {
        std::cout << key->text() << " is bound to nothing already; nothing changed\n";
        return 0;
    }
    std::erase_if(chat.projects, [&](const std::string& id) {
        return std::find(removed.begin(), removed.end(), id) != removed.end();
    });
    auto saved = save_chat(store, chat, record->seeded, now_unix);
    if (!saved) return fail(saved.error().message);
    std::cout << "unbound " << key->text() << " from " << join(removed) << " (now "
              << bound_text(chat)
              << (chat.projects.empty() ? "; trackerctl chats remove " + key->text() + " forgets it"
                                        : "")
              << ")\n";
    return 0;
}

int set_chat(store::Store& store, const std::string& text, const std::string& name,
             const std::vector<std::string>& words, long long now_unix) {
    auto key = parse_chat_key(text);
    if (!key) return fail(key.error().message);
    auto setting = core::parse_chat_setting(name);
    if (!setting)
        return fail("no setting '" + name +
                    "': the settings are digest_time, reminder_time, weekly_time, timezone, "
                    "locale, quiet_hours");
    auto record = existing_chat(store, *key);
    if (!record) return fail(record.error().message);
    core::ChatEntry chat = record->chat;
    std::string value = join(words, " ");
    if (auto applied = apply_setting(chat, *setting, value); !applied)
        return fail(applied.error().message + "; nothing changed");
    std::string before = core::chat_setting_text(record->chat, *setting);
    std::string after = core::chat_setting_text(chat, *setting);
    const char* setting_name = core::to_string(*setting);
    if (chat == record->chat) {
        std::cout << key->text() << " " << setting_name << " is " << after
                  << " already; nothing changed\n";
        return 0;
    }
    auto saved = save_chat(store, chat, record->seeded, now_unix);
    if (!saved) return fail(saved.error().message);
    std::cout << "set " << key->text() << " " << setting_name << ": "
              << (before.empty() ? "(default)" : before) << " -> " << after << "\n";
    return 0;
}

int remove_chat(store::Store& store, const std::string& text, long long now_unix) {
    auto key = parse_chat_key(text);
    if (!key) return fail(key.error().message);
    auto record = existing_chat(store, *key);
    if (!record) return fail(record.error().message);
    auto removed = store.remove_chat(key->platform, key->chat_id, cli_source(now_unix));
    if (!removed) return fail(removed.error().message);
    std::cout << "removed " << key->text() << " (it was " << bound_text(record->chat) << ")\n";
    // seed.h: a chat the file names comes back when trackerd next reads the file.
    if (!record->seeded.empty())
        std::cerr
            << "trackerctl: note: the config file names " << key->text()
            << "; delete it there too, or trackerd adds it back when it next reads the file\n";
    return 0;
}

}  // namespace bot::trackerctl
