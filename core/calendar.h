#pragma once
// The working-day calendar of a team (issue 6): Monday–Friday are working days, minus the
// configured holidays, plus the configured make-up working days (调休: a Saturday or Sunday
// that is worked). Time arithmetic in "working hours" for R8's 24-hour deadline.
// Pure value type; safe for concurrent use once built.

#include <vector>

#include "core/date.h"

namespace core {

class WorkCalendar {
public:
    WorkCalendar() = default;
    // Order and duplicates do not matter. A day listed in both is a working day.
    WorkCalendar(std::vector<Date> holidays, std::vector<Date> workdays);

    bool is_working_day(Date day) const;
    // The first working day strictly after / on or after `day` (searches at most 366 days;
    // returns day + 1 / day when none is found, which only a calendar of all holidays does).
    Date next_working_day(Date day) const;
    Date working_day_on_or_after(Date day) const;
    // The first working day on or after the Monday of `day`'s ISO week that is on or after
    // weekday `weekday` (0 = Monday) of that week, if it is still in that week (the weekly
    // review moves to the next working day when its day is a holiday, but never into the next
    // week). nullopt when no such day exists.
    std::optional<Date> weekly_day(Date day, int weekday) const;
    // Working days in [from, to] (both inclusive); 0 when to < from.
    int working_days_between(Date from, Date to) const;

private:
    std::vector<Date> m_holidays;  // sorted, unique
    std::vector<Date> m_workdays;  // sorted, unique
};

// A local wall-clock instant: a civil day and minutes after midnight (0..1439).
struct LocalTime {
    Date day{};
    int minutes = 0;
    friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

// R8: the local instant when `hours` hours of working-day time have passed after `from`.
// Only time on working days counts (whole days: 00:00–24:00); time on other days is skipped.
// From a non-working day, counting starts at 00:00 of the next working day.
// Example (Mon–Fri working): Fri 10:00 + 24 h = Mon 10:00; Thu 15:00 + 24 h = Fri 15:00.
LocalTime add_working_hours(const WorkCalendar& calendar, LocalTime from, int hours);

}  // namespace core
