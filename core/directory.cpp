#include "core/directory.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "core/text.h"

namespace core {
namespace {

constexpr std::array<std::array<std::string_view, 3>, 7> k_day_names{{
    {"mon", "monday", "周一"},
    {"tue", "tuesday", "周二"},
    {"wed", "wednesday", "周三"},
    {"thu", "thursday", "周四"},
    {"fri", "friday", "周五"},
    {"sat", "saturday", "周六"},
    {"sun", "sunday", "周日"},
}};

std::string two_digits(int n) { return std::string(1, static_cast<char>('0' + n / 10)) + static_cast<char>('0' + n % 10); }

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

}  // namespace

const char* to_string(EntrySource source) {
    switch (source) {
        case EntrySource::config: return "config";
        case EntrySource::chat: return "chat";
        case EntrySource::cli: return "cli";
        case EntrySource::directory: return "directory";
        case EntrySource::plan: return "plan";
    }
    return "config";
}

std::optional<EntrySource> parse_entry_source(std::string_view text) {
    for (auto s : {EntrySource::config, EntrySource::chat, EntrySource::cli, EntrySource::directory, EntrySource::plan})
        if (text == to_string(s)) return s;
    return std::nullopt;
}

const char* to_string(ChatSetting setting) {
    switch (setting) {
        case ChatSetting::digest_time: return "digest_time";
        case ChatSetting::reminder_time: return "reminder_time";
        case ChatSetting::weekly_time: return "weekly_time";
        case ChatSetting::timezone: return "timezone";
        case ChatSetting::language: return "locale";
        case ChatSetting::quiet_hours: return "quiet_hours";
    }
    return "digest_time";
}

std::optional<ChatSetting> parse_chat_setting(std::string_view name) {
    struct Word { std::string_view text; ChatSetting setting; };
    static constexpr std::array k_words = {
        Word{"digest_time", ChatSetting::digest_time},     Word{"digest", ChatSetting::digest_time},
        Word{"日报", ChatSetting::digest_time},            Word{"reminder_time", ChatSetting::reminder_time},
        Word{"reminder", ChatSetting::reminder_time},      Word{"提醒", ChatSetting::reminder_time},
        Word{"weekly_time", ChatSetting::weekly_time},     Word{"weekly", ChatSetting::weekly_time},
        Word{"周报", ChatSetting::weekly_time},            Word{"周会", ChatSetting::weekly_time},
        Word{"timezone", ChatSetting::timezone},           Word{"time_zone", ChatSetting::timezone},
        Word{"tz", ChatSetting::timezone},                 Word{"时区", ChatSetting::timezone},
        Word{"locale", ChatSetting::language},             Word{"language", ChatSetting::language},
        Word{"lang", ChatSetting::language},               Word{"语言", ChatSetting::language},
        Word{"quiet_hours", ChatSetting::quiet_hours},     Word{"quiet", ChatSetting::quiet_hours},
        Word{"免打扰", ChatSetting::quiet_hours},
    };
    std::string folded = lower_ascii(name);
    for (const auto& word : k_words)
        if (folded == word.text) return word.setting;
    return std::nullopt;
}

bool set_chat_setting(ChatEntry& chat, ChatSetting setting, std::string_view value) {
    switch (setting) {
        case ChatSetting::digest_time:
        case ChatSetting::reminder_time: {
            auto time = parse_time_of_day(value);
            if (!time) return false;
            (setting == ChatSetting::digest_time ? chat.digest_time : chat.reminder_time) = *time;
            return true;
        }
        case ChatSetting::weekly_time: {
            auto weekly = parse_weekly_time(value);
            if (!weekly) return false;
            chat.weekly_time = *weekly;
            return true;
        }
        case ChatSetting::timezone:
            if (!is_time_zone_name(value)) return false;
            chat.timezone = std::string(value);
            return true;
        case ChatSetting::language: {
            std::string folded = lower_ascii(value);
            auto locale = folded == "中文" || folded == "zh" ? std::optional<Locale>(Locale::zh_cn)
                          : folded == "英文" || folded == "english" ? std::optional<Locale>(Locale::en)
                                                                 : parse_locale(value);
            if (!locale) return false;
            chat.locale = *locale;
            return true;
        }
        case ChatSetting::quiet_hours: {
            std::string folded = lower_ascii(value);
            if (folded == "off" || folded == "none" || folded == "关闭" || folded == "无") {
                chat.quiet_hours.reset();
                return true;
            }
            auto quiet = parse_quiet_hours(value);
            if (!quiet) return false;
            chat.quiet_hours = *quiet;
            return true;
        }
    }
    return false;
}

std::string chat_setting_text(const ChatEntry& chat, ChatSetting setting) {
    switch (setting) {
        case ChatSetting::digest_time: return format_time_of_day(chat.digest_time);
        case ChatSetting::reminder_time: return format_time_of_day(chat.reminder_time);
        case ChatSetting::weekly_time: return format_weekly_time(chat.weekly_time);
        case ChatSetting::timezone: return chat.timezone.value_or("");
        case ChatSetting::language: return chat.locale ? to_string(*chat.locale) : "";
        case ChatSetting::quiet_hours: return chat.quiet_hours ? format_quiet_hours(*chat.quiet_hours) : "off";
    }
    return "";
}

std::optional<TimeOfDay> parse_time_of_day(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos) colon = text.find("：");  // a full-width colon typed in Chinese
    size_t after = colon == std::string_view::npos ? 0 : colon + (text[colon] == ':' ? 1 : 3);
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - after != 2) return std::nullopt;
    int parts[2] = {0, 0};
    std::string_view fields[2] = {text.substr(0, colon), text.substr(after)};
    for (int i = 0; i < 2; ++i)
        for (char c : fields[i]) {
            if (c < '0' || c > '9') return std::nullopt;
            parts[i] = parts[i] * 10 + (c - '0');
        }
    if (parts[0] > 23 || parts[1] > 59) return std::nullopt;
    return TimeOfDay{parts[0], parts[1]};
}

std::optional<WeeklyTime> parse_weekly_time(std::string_view text) {
    size_t space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    std::string day = lower_ascii(text.substr(0, space));
    auto time = parse_time_of_day(text.substr(space + 1));
    for (int weekday = 0; weekday < 7 && time; ++weekday)
        for (auto name : k_day_names[static_cast<size_t>(weekday)])
            if (day == name) return WeeklyTime{weekday, *time};
    return std::nullopt;
}

std::optional<QuietHours> parse_quiet_hours(std::string_view text) {
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto from = parse_time_of_day(text.substr(0, dash));
    auto to = parse_time_of_day(text.substr(dash + 1));
    if (!from || !to) return std::nullopt;
    return QuietHours{*from, *to};
}

bool is_time_zone_name(std::string_view name) {
    if (name == "UTC") return true;
    static constexpr std::array<std::string_view, 11> k_areas{
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific", "Etc"};
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    if (std::find(k_areas.begin(), k_areas.end(), name.substr(0, slash)) == k_areas.end()) return false;
    std::string_view rest = name.substr(slash + 1);
    if (rest.empty() || rest.front() == '/' || rest.back() == '/') return false;
    return std::all_of(rest.begin(), rest.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
               c == '+' || c == '/';
    });
}

std::string format_time_of_day(TimeOfDay time) { return two_digits(time.hour) + ":" + two_digits(time.minute); }

std::string format_weekly_time(const WeeklyTime& w) {
    std::string day(k_day_names[static_cast<size_t>(std::clamp(w.weekday, 0, 6))][0]);
    for (auto& c : day) c = static_cast<char>(c - 'a' + 'A');
    return day + " " + format_time_of_day(w.time);
}

std::string format_quiet_hours(const QuietHours& q) { return format_time_of_day(q.from) + "-" + format_time_of_day(q.to); }

std::string describe(const ChatEntry& chat) {
    // The webhook URL holds the robot's token: a digest of it is enough to see it changed.
    std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
    for (unsigned char c : chat.webhook_url) hash = (hash ^ c) * 1099511628211ULL;
    std::string webhook = chat.webhook_url.empty() ? "" : "fnv1a:" + std::to_string(hash);
    return "projects=" + join(chat.projects) + " locale=" + (chat.locale ? to_string(*chat.locale) : "") +
           " timezone=" + chat.timezone.value_or("") + " webhook_url=" + webhook +
           " digest_time=" + format_time_of_day(chat.digest_time) + " reminder_time=" + format_time_of_day(chat.reminder_time) +
           " weekly_time=" + format_weekly_time(chat.weekly_time) +
           " quiet_hours=" + (chat.quiet_hours ? format_quiet_hours(*chat.quiet_hours) : "off");
}

std::string describe(const Person& person) {
    return "name=" + person.name + " department=" + person.department + " email=" + person.email +
           " mobile=" + person.mobile + " slack=" + person.slack + " feishu=" + person.feishu +
           " dingtalk=" + person.dingtalk;
}

}  // namespace core
