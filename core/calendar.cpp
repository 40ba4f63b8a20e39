#include "core/calendar.h"

#include <algorithm>
#include <utility>

namespace core {
namespace {

constexpr int k_search_days = 366;
constexpr int k_minutes_per_day = 24 * 60;

std::vector<Date> sorted_unique(std::vector<Date> days) {
    std::sort(days.begin(), days.end());
    days.erase(std::unique(days.begin(), days.end()), days.end());
    return days;
}

bool contains(const std::vector<Date>& sorted, Date day) {
    return std::binary_search(sorted.begin(), sorted.end(), day);
}

// Monday to Friday in [from, to], both inclusive; 0 when to < from.
int weekdays_between(Date from, Date to) {
    int total = days_between(from, to) + 1;
    if (total <= 0) return 0;
    int count = total / 7 * 5;
    int start = iso_weekday(from);
    for (int i = 0; i < total % 7; ++i)
        if ((start + i) % 7 < 5) ++count;
    return count;
}

// The entries of `sorted` in [from, to].
std::pair<std::vector<Date>::const_iterator, std::vector<Date>::const_iterator> range_of(
    const std::vector<Date>& sorted, Date from, Date to) {
    return {std::lower_bound(sorted.begin(), sorted.end(), from),
            std::upper_bound(sorted.begin(), sorted.end(), to)};
}

}  // namespace

WorkCalendar::WorkCalendar(std::vector<Date> holidays, std::vector<Date> workdays)
    : m_holidays(sorted_unique(std::move(holidays))),
      m_workdays(sorted_unique(std::move(workdays))) {}

bool WorkCalendar::is_working_day(Date day) const {
    if (contains(m_workdays, day)) return true;
    if (contains(m_holidays, day)) return false;
    return iso_weekday(day) < 5;
}

Date WorkCalendar::next_working_day(Date day) const {
    for (int i = 1; i <= k_search_days; ++i)
        if (is_working_day(add_days(day, i))) return add_days(day, i);
    return add_days(day, 1);
}

Date WorkCalendar::working_day_on_or_after(Date day) const {
    for (int i = 0; i <= k_search_days; ++i)
        if (is_working_day(add_days(day, i))) return add_days(day, i);
    return day;
}

std::optional<Date> WorkCalendar::weekly_day(Date day, int weekday) const {
    if (weekday < 0 || weekday > 6) return std::nullopt;
    Date monday = add_days(day, -iso_weekday(day));
    for (Date candidate = add_days(monday, weekday); candidate < add_days(monday, 7);
         candidate = add_days(candidate, 1))
        if (is_working_day(candidate)) return candidate;
    return std::nullopt;
}

int WorkCalendar::working_days_between(Date from, Date to) const {
    if (to < from) return 0;
    int count = weekdays_between(from, to);
    auto [holiday, holidays_end] = range_of(m_holidays, from, to);
    for (; holiday != holidays_end; ++holiday)
        if (iso_weekday(*holiday) < 5 && !contains(m_workdays, *holiday)) --count;
    auto [workday, workdays_end] = range_of(m_workdays, from, to);
    for (; workday != workdays_end; ++workday)
        if (iso_weekday(*workday) >= 5) ++count;
    return count;
}

LocalTime add_working_hours(const WorkCalendar& calendar, LocalTime from, int hours) {
    // Normalise minutes outside 0..1439 onto the right day first.
    long long minutes_in = from.minutes;
    long long day_shift = minutes_in >= 0
                              ? minutes_in / k_minutes_per_day
                              : -((-minutes_in + k_minutes_per_day - 1) / k_minutes_per_day);
    Date day = add_days(from.day, static_cast<int>(day_shift));
    long long minute = minutes_in - day_shift * k_minutes_per_day;
    if (hours <= 0) return {day, static_cast<int>(minute)};

    if (!calendar.is_working_day(day)) {
        day = calendar.next_working_day(day);
        minute = 0;
    }
    long long remaining = static_cast<long long>(hours) * 60;
    while (remaining >= k_minutes_per_day - minute) {
        remaining -= k_minutes_per_day - minute;
        // Exactly at the end of a working day: the instant is midnight that follows it.
        if (remaining == 0) return {add_days(day, 1), 0};
        day = calendar.next_working_day(day);
        minute = 0;
    }
    return {day, static_cast<int>(minute + remaining)};
}

}  // namespace core
