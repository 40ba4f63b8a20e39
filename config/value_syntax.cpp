#include "config/value_syntax.h"

#include <algorithm>
#include <array>

namespace config {

bool parse_listen(std::string_view listen, std::string& host, int& port) {
    std::string text(listen);
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
        text.size() - colon - 1 > 5)
        return false;
    std::string name = text.substr(0, colon);
    if (name.front() == '[') {
        if (name.size() < 3 || name.back() != ']') return false;
        name = name.substr(1, name.size() - 2);
    } else if (name.find(':') != std::string::npos) {
        return false;  // an IPv6 address needs brackets
    }
    int number = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + (c - '0');
    }
    if (number > 65535) return false;
    host = name;
    port = number;
    return true;
}

bool is_time_zone_name(std::string_view name) {
    if (name == "UTC") return true;
    static const std::array<std::string_view, 11> areas{
        "Africa",    "America", "Antarctica", "Arctic",  "Asia", "Atlantic",
        "Australia", "Europe",  "Indian",     "Pacific", "Etc"};
    size_t slash = name.find('/');
    if (slash == std::string_view::npos) return false;
    std::string_view area = std::string_view(name).substr(0, slash);
    if (std::find(areas.begin(), areas.end(), area) == areas.end()) return false;
    std::string_view rest = std::string_view(name).substr(slash + 1);
    if (rest.empty() || rest.front() == '/' || rest.back() == '/') return false;
    for (char c : rest) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '+' || c == '/';
        if (!ok) return false;
    }
    return true;
}

std::optional<TimeOfDay> parse_time_of_day(std::string_view text) {
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() - colon - 1 != 2)
        return std::nullopt;
    int parts[2] = {0, 0};
    std::string_view fields[2] = {text.substr(0, colon), text.substr(colon + 1)};
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
    std::string day;
    for (char c : text.substr(0, space))
        day += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    static const std::array<std::array<std::string_view, 3>, 7> names{{
        {"mon", "monday", "周一"},
        {"tue", "tuesday", "周二"},
        {"wed", "wednesday", "周三"},
        {"thu", "thursday", "周四"},
        {"fri", "friday", "周五"},
        {"sat", "saturday", "周六"},
        {"sun", "sunday", "周日"},
    }};
    auto time = parse_time_of_day(text.substr(space + 1));
    for (int weekday = 0; weekday < 7 && time; ++weekday)
        for (auto name : names[static_cast<size_t>(weekday)])
            if (day == name) return WeeklyTime{weekday, *time};
    return std::nullopt;
}

bool is_http_url(std::string_view url) {
    return url.starts_with("https://") || url.starts_with("http://");
}

std::optional<QuietHours> parse_quiet_hours(std::string_view text) {
    size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    auto from = parse_time_of_day(text.substr(0, dash));
    auto to = parse_time_of_day(text.substr(dash + 1));
    if (!from || !to) return std::nullopt;
    return QuietHours{*from, *to};
}

}  // namespace config
