#pragma once
// The team directory as trackerd keeps it at run time (issue 21): the group chats bound to
// projects with their settings, and the claims of chat accounts waiting for a confirmation.
// People are core::Person (model.h). The config file seeds both; chat commands and trackerctl
// change them; the store keeps them (core/store/directory_store.h). Plain values and pure
// functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace core {

struct TimeOfDay {
    int hour = 0;    // 0..23
    int minute = 0;  // 0..59
    bool operator==(const TimeOfDay&) const = default;
};

struct WeeklyTime {
    int weekday = 0;  // 0 = Monday ... 6 = Sunday (core::iso_weekday)
    TimeOfDay time;
    bool operator==(const WeeklyTime&) const = default;
};

// Pushes wait while the local time is in [from, to); from > to spans midnight.
struct QuietHours {
    TimeOfDay from{22, 0};
    TimeOfDay to{8, 0};
    bool operator==(const QuietHours&) const = default;
};

// A group chat and what it is bound to.
struct ChatEntry {
    std::string platform;  // "slack" | "feishu" | "dingtalk"
    std::string chat_id;
    std::vector<std::string> projects;    // normalised project ids; empty = bound to nothing
    std::optional<Locale> locale;         // else the daemon's
    std::optional<std::string> timezone;  // IANA; else the daemon's
    std::string webhook_url;              // an incoming-webhook robot instead of the app API
    TimeOfDay digest_time{9, 0};          // daily digest
    TimeOfDay reminder_time{17, 0};       // R9: owners update before the end of the day
    WeeklyTime weekly_time{0, {9, 30}};   // weekly review ("MON 09:30")
    std::optional<QuietHours> quiet_hours = QuietHours{};  // unset = none
    bool operator==(const ChatEntry&) const = default;
};

// Where a directory entry's current value came from: the config file, a chat command, the
// command line (trackerctl), a platform's directory lookup, or a plan table's import.
enum class EntrySource { config, chat, cli, directory, plan };
const char* to_string(EntrySource source);  // "config", "chat", "cli", "directory", "plan"
std::optional<EntrySource> parse_entry_source(std::string_view text);

// A chat account that said "我是 小明" / "I am 小明" and waits for an admin or the project's
// owner to confirm it.
struct Claim {
    std::string platform;
    std::string account;    // the platform's user id of the claimant
    std::string person_id;  // who they claim to be
    std::string chat_id;    // where they claimed
    long long at_unix = 0;
};

// The chat's settings as the chat command `设置` / `set` names them.
enum class ChatSetting { digest_time, reminder_time, weekly_time, timezone, language, quiet_hours };
const char* to_string(ChatSetting setting);  // "digest_time", ... (trackerctl's names)
std::optional<ChatSetting> parse_chat_setting(std::string_view name);  // those names and the chat's words
// Sets `setting` of `chat` from its text ("09:30", "Asia/Tokyo", "en", "22:00-08:00", "off");
// false when the text does not fit (nothing changed). A time zone is checked for syntax only.
bool set_chat_setting(ChatEntry& chat, ChatSetting setting, std::string_view value);
std::string chat_setting_text(const ChatEntry& chat, ChatSetting setting);  // "" when unset

// The small value syntaxes: "09:00" / "9:00"; "MON 09:30" (also "monday", 周一 … 周日);
// "22:00-08:00"; time zone names ("UTC" or Area/Location with a real IANA area).
std::optional<TimeOfDay> parse_time_of_day(std::string_view text);
std::optional<WeeklyTime> parse_weekly_time(std::string_view text);
std::optional<QuietHours> parse_quiet_hours(std::string_view text);
bool is_time_zone_name(std::string_view name);
std::string format_time_of_day(TimeOfDay time);       // "09:30"
std::string format_weekly_time(const WeeklyTime& w);  // "MON 09:30"
std::string format_quiet_hours(const QuietHours& q);  // "22:00-08:00"

// One line of text that says everything the entry holds, for comparing a config file's entry
// with what was last applied from it, and for the audit trail.
std::string describe(const ChatEntry& chat);
std::string describe(const Person& person);

}  // namespace core
