#pragma once
// The small value syntaxes of the config file: "host:port", IANA zone names, "09:00",
// "MON 09:30", "22:00-08:00", http(s) URLs. Pure functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

namespace config {

struct TimeOfDay {
    int hour = 0;    // 0..23
    int minute = 0;  // 0..59
};

struct WeeklyTime {
    int weekday = 0;  // 0 = Monday ... 6 = Sunday (core::iso_weekday)
    TimeOfDay time;
};

// Pushes wait while the local time is in [from, to); from > to spans midnight.
struct QuietHours {
    TimeOfDay from{22, 0};
    TimeOfDay to{8, 0};
};

// "127.0.0.1:8080", "localhost:0", "[::1]:8080" (IPv6 needs brackets; host is given without).
bool parse_listen(std::string_view listen, std::string& host, int& port);
// Syntax only: "UTC", or Area/Location with a real IANA area (Asia, Europe, America, Etc ...);
// the bot checks the name against the tz database when it loads it.
bool is_time_zone_name(std::string_view name);
// "09:00" or "9:00".
std::optional<TimeOfDay> parse_time_of_day(std::string_view text);
// "MON 09:30"; day names case-insensitive, also "monday" and 周一 … 周日.
std::optional<WeeklyTime> parse_weekly_time(std::string_view text);
// "22:00-08:00".
std::optional<QuietHours> parse_quiet_hours(std::string_view text);
bool is_http_url(std::string_view url);

}  // namespace config
