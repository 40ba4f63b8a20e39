// Tests of core/calendar.h: working days with holidays and make-up days (调休), the weekly
// review day, and R8's "24 working hours".
#include "core/calendar.h"

#include <gtest/gtest.h>

#include "tests/core/fixtures.h"

namespace {

using core::LocalTime;
using core::WorkCalendar;
using fixtures::day;

LocalTime at(const char* iso, int hour, int minute = 0) {
    return LocalTime{day(iso), hour * 60 + minute};
}

// National Day week 2026 as a team would configure it: Thu 10-01 to Wed 10-07 off, Sat 10-10
// worked.
WorkCalendar national_day_2026() {
    std::vector<core::Date> holidays;
    for (int d = 1; d <= 7; ++d)
        holidays.push_back(core::make_date(2026, 10, static_cast<unsigned>(d)));
    return WorkCalendar(holidays, {day("2026-10-10")});
}

TEST(WorkCalendarTest, MondayToFridayAreWorkingDaysAndTheWeekendIsNot) {
    WorkCalendar calendar;
    // 2026-11-23 is a Monday.
    for (const char* working :
         {"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"})
        EXPECT_TRUE(calendar.is_working_day(day(working))) << working;
    EXPECT_FALSE(calendar.is_working_day(day("2026-11-28")));
    EXPECT_FALSE(calendar.is_working_day(day("2026-11-29")));
    EXPECT_EQ(calendar.next_working_day(day("2026-11-27")), day("2026-11-30"));
    EXPECT_EQ(calendar.next_working_day(day("2026-11-23")), day("2026-11-24"));
    EXPECT_EQ(calendar.working_day_on_or_after(day("2026-11-28")), day("2026-11-30"));
    EXPECT_EQ(calendar.working_day_on_or_after(day("2026-11-25")), day("2026-11-25"));
}

TEST(WorkCalendarTest, AHolidayOnAWeekdayIsNotAWorkingDay) {
    WorkCalendar calendar({day("2026-11-25")}, {});
    EXPECT_FALSE(calendar.is_working_day(day("2026-11-25")));
    EXPECT_EQ(calendar.next_working_day(day("2026-11-24")), day("2026-11-26"));
    EXPECT_EQ(calendar.working_days_between(day("2026-11-23"), day("2026-11-29")), 4);
}

TEST(WorkCalendarTest, SaturdayMakeUpDayIsAWorkingDay) {
    WorkCalendar calendar({}, {day("2026-11-28")});
    EXPECT_TRUE(calendar.is_working_day(day("2026-11-28")));
    EXPECT_FALSE(calendar.is_working_day(day("2026-11-29")));
    EXPECT_EQ(calendar.next_working_day(day("2026-11-27")), day("2026-11-28"));
    EXPECT_EQ(calendar.working_days_between(day("2026-11-23"), day("2026-11-29")), 6);
}

TEST(WorkCalendarTest, ADayListedAsBothHolidayAndWorkdayIsWorkedAndDuplicatesDoNotCount) {
    WorkCalendar calendar({day("2026-11-25"), day("2026-11-26"), day("2026-11-25")},
                          {day("2026-11-26"), day("2026-11-28"), day("2026-11-28")});
    EXPECT_FALSE(calendar.is_working_day(day("2026-11-25")));
    EXPECT_TRUE(calendar.is_working_day(day("2026-11-26")));
    EXPECT_EQ(calendar.working_days_between(day("2026-11-23"), day("2026-11-29")), 5);
}

TEST(WorkCalendarTest, WorkingDaysBetweenIsInclusiveAndZeroWhenReversed) {
    WorkCalendar calendar;
    EXPECT_EQ(calendar.working_days_between(day("2026-11-23"), day("2026-11-23")), 1);
    EXPECT_EQ(calendar.working_days_between(day("2026-11-28"), day("2026-11-29")), 0);
    EXPECT_EQ(calendar.working_days_between(day("2026-11-24"), day("2026-11-23")), 0);
    // Four whole weeks plus Monday: 21 days; the count does not depend on where it starts.
    EXPECT_EQ(calendar.working_days_between(day("2026-11-23"), day("2026-12-21")), 21);
    EXPECT_EQ(calendar.working_days_between(day("2026-11-26"), day("2026-12-02")), 5);
}

TEST(WorkCalendarTest, NationalDayWeek2026SkipsTheHolidaysAndWorksTheMakeUpSaturday) {
    auto calendar = national_day_2026();
    EXPECT_TRUE(calendar.is_working_day(day("2026-09-30")));
    for (int d = 1; d <= 7; ++d)
        EXPECT_FALSE(calendar.is_working_day(core::make_date(2026, 10, static_cast<unsigned>(d))))
            << d;
    EXPECT_EQ(calendar.next_working_day(day("2026-09-30")), day("2026-10-08"));
    EXPECT_TRUE(calendar.is_working_day(day("2026-10-10")));   // Saturday, worked
    EXPECT_FALSE(calendar.is_working_day(day("2026-10-11")));  // Sunday
    EXPECT_EQ(calendar.next_working_day(day("2026-10-09")), day("2026-10-10"));
    EXPECT_EQ(calendar.next_working_day(day("2026-10-10")), day("2026-10-12"));
    // Mon 09-28 .. Sun 10-11: three days before the holiday, then Thu, Fri and the Saturday.
    EXPECT_EQ(calendar.working_days_between(day("2026-09-28"), day("2026-10-11")), 6);
}

TEST(WorkCalendarTest, WeeklyDayMovesOffAMondayHolidayToTuesday) {
    WorkCalendar calendar({day("2026-11-23")}, {});
    EXPECT_EQ(calendar.weekly_day(day("2026-11-26"), 0), day("2026-11-24"));
    EXPECT_EQ(calendar.weekly_day(day("2026-11-30"), 0),
              day("2026-11-30"));  // next week: no holiday
    EXPECT_EQ(calendar.weekly_day(day("2026-11-29"), 4),
              day("2026-11-27"));  // Friday of Sunday's week
}

TEST(WorkCalendarTest, WeeklyDayNeverMovesIntoTheNextWeek) {
    auto calendar = national_day_2026();
    // Friday review in the week of 09-28: Fri 10-02 is a holiday and the weekend is off.
    EXPECT_EQ(calendar.weekly_day(day("2026-09-28"), 4), std::nullopt);
    // Monday review in the week of 10-05: the first working day is Thu 10-08.
    EXPECT_EQ(calendar.weekly_day(day("2026-10-07"), 0), day("2026-10-08"));
    // Saturday review in the week of 10-05 lands on the make-up Saturday.
    EXPECT_EQ(calendar.weekly_day(day("2026-10-05"), 5), day("2026-10-10"));
    EXPECT_EQ(calendar.weekly_day(day("2026-10-05"), 7), std::nullopt);
    EXPECT_EQ(calendar.weekly_day(day("2026-10-05"), -1), std::nullopt);
}

TEST(WorkCalendarTest, AllHolidaysFallsBackToTheNextDay) {
    std::vector<core::Date> every_day;
    for (int i = 0; i < 800; ++i) every_day.push_back(core::add_days(day("2026-01-01"), i));
    WorkCalendar calendar(every_day, {});
    EXPECT_EQ(calendar.next_working_day(day("2026-03-01")), day("2026-03-02"));
    EXPECT_EQ(calendar.working_day_on_or_after(day("2026-03-01")), day("2026-03-01"));
}

TEST(WorkingHoursTest, TwentyFourHoursFromFridayMorningEndOnMondayMorning) {
    WorkCalendar calendar;
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-27", 10), 24), at("2026-11-30", 10));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-26", 15), 24), at("2026-11-27", 15));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-26", 15, 30), 48),
              at("2026-11-30", 15, 30));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-23", 9), 3), at("2026-11-23", 12));
}

TEST(WorkingHoursTest, HolidaysAreSkippedAndTheMakeUpSaturdayCounts) {
    auto calendar = national_day_2026();
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-09-30", 10), 24), at("2026-10-08", 10));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-10-09", 10), 24), at("2026-10-10", 10));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-10-10", 18), 24), at("2026-10-12", 18));
}

TEST(WorkingHoursTest, FromANonWorkingDayCountingStartsAtMidnightOfTheNextWorkingDay) {
    WorkCalendar calendar;
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-28", 14), 10), at("2026-11-30", 10));
    EXPECT_EQ(core::add_working_hours(national_day_2026(), at("2026-10-03", 20), 12),
              at("2026-10-08", 12));
}

TEST(WorkingHoursTest, EndingExactlyAtMidnightGivesThatMidnightAndZeroHoursChangesNothing) {
    WorkCalendar calendar;
    // Friday 00:00 + 24 h is the end of Friday: Saturday 00:00, not Monday.
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-27", 0), 24), at("2026-11-28", 0));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-27", 10), 14), at("2026-11-28", 0));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-27", 10), 15), at("2026-11-30", 1));
    EXPECT_EQ(core::add_working_hours(calendar, at("2026-11-28", 10), 0), at("2026-11-28", 10));
}

TEST(WorkingHoursTest, MinutesPastTheDayAreNormalisedFirst) {
    WorkCalendar calendar;
    LocalTime thursday_late{day("2026-11-26"), 24 * 60 + 60};  // Friday 01:00
    EXPECT_EQ(core::add_working_hours(calendar, thursday_late, 24), at("2026-11-30", 1));
}

}  // namespace
