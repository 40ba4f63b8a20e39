#pragma once
// Calendar dates (a civil day, no time zone) and the few operations the tracker needs.
// Pure functions and value types; safe for concurrent use.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace core {

// A civil day. Days since 1970-01-01 underneath; compare and subtract freely.
using Date = std::chrono::sys_days;

Date make_date(int year, unsigned month, unsigned day);
// Strict ISO form "YYYY-MM-DD" (also accepts "YYYY/MM/DD" and "YYYY.MM.DD"); nullopt when invalid.
std::optional<Date> parse_iso_date(std::string_view text);
std::string format_iso_date(Date date);        // "2024-03-25"
std::string format_short_date(Date date);      // "03-25"
int days_between(Date from, Date to);          // to - from, in days
Date add_days(Date date, int days);
// 0 = Monday ... 6 = Sunday (ISO).
int iso_weekday(Date date);
int year_of(Date date);

// Unix seconds -> the UTC civil day; callers convert to local time first where it matters.
Date date_from_unix_seconds(long long seconds);

}  // namespace core
