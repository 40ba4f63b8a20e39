#pragma once
// The small value syntaxes of the config file: "host:port", IANA zone names, "09:00",
// "MON 09:30", "22:00-08:00", http(s) URLs. Pure functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

#include "core/directory.h"

namespace config {

using core::QuietHours;  // the types and their syntax live in core/directory.h
using core::TimeOfDay;
using core::WeeklyTime;
using core::is_time_zone_name;
using core::parse_quiet_hours;
using core::parse_time_of_day;
using core::parse_weekly_time;

// "127.0.0.1:8080", "localhost:0", "[::1]:8080" (IPv6 needs brackets; host is given without).
bool parse_listen(std::string_view listen, std::string& host, int& port);
bool is_http_url(std::string_view url);

}  // namespace config
