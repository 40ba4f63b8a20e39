// parse_chat_date: the date forms people type in chat, against fixed days (no wall clock).
#include <gtest/gtest.h>

#include <string_view>

#include "core/command_parser.h"
#include "core/date.h"

namespace core {
namespace {

struct DateRow {
    std::string_view today;     // ISO; the weekday is noted in the table comments
    std::string_view text;
    std::string_view expected;  // ISO, or "" when the text is not a date
};

// 2026-11-23 is a Monday, 2026-11-27 a Friday, 2026-12-28 a Monday, 2027-01-03 a Sunday,
// 2028-02-10 a Thursday in a leap year.
constexpr DateRow k_rows[] = {
    // Full dates.
    {"2026-11-23", "2026-12-05", "2026-12-05"},
    {"2026-11-23", "2026/12/5", "2026-12-05"},
    {"2026-11-23", "2026.12.05", "2026-12-05"},
    {"2026-11-23", "2026-1-5", "2026-01-05"},
    {"2026-11-23", "2026年12月5日", "2026-12-05"},
    {"2026-11-23", "２０２６－１２－０５", "2026-12-05"},
    {"2026-11-23", "  2026-12-05  ", "2026-12-05"},
    // Month-day: the first occurrence no more than 182 days before today.
    {"2026-11-23", "12-05", "2026-12-05"},
    {"2026-11-23", "12/5", "2026-12-05"},
    {"2026-11-23", "12.5", "2026-12-05"},
    {"2026-11-23", "12月5日", "2026-12-05"},
    {"2026-11-23", "12月5号", "2026-12-05"},
    {"2026-11-23", "12月5", "2026-12-05"},
    {"2026-11-23", "11-23", "2026-11-23"},
    {"2026-11-23", "11-20", "2026-11-20"},  // 3 days past: stays this year for the caller to refuse
    {"2026-11-23", "06-01", "2026-06-01"},  // 175 days past
    {"2026-11-23", "05-01", "2027-05-01"},  // 206 days past: next year
    {"2026-11-23", "1月10日", "2027-01-10"},
    {"2026-12-28", "01-05", "2027-01-05"},
    {"2026-12-28", "1月5日", "2027-01-05"},
    {"2026-12-28", "12-30", "2026-12-30"},
    {"2027-01-03", "12-28", "2026-12-28"},
    {"2028-02-10", "02-29", "2028-02-29"},
    // Day of month only: on or after today.
    {"2026-11-23", "5号", "2026-12-05"},
    {"2026-11-23", "25号", "2026-11-25"},
    {"2026-11-23", "23日", "2026-11-23"},
    {"2026-11-23", "31号", "2026-12-31"},  // November has no 31st
    {"2026-12-28", "5号", "2027-01-05"},
    {"2028-02-10", "29号", "2028-02-29"},
    {"2028-02-10", "30号", "2028-03-30"},
    // Relative days.
    {"2026-11-23", "今天", "2026-11-23"},
    {"2026-11-23", "today", "2026-11-23"},
    {"2026-11-23", "明天", "2026-11-24"},
    {"2026-11-23", "Tomorrow", "2026-11-24"},
    {"2026-11-23", "后天", "2026-11-25"},
    {"2026-11-23", "大后天", "2026-11-26"},
    {"2026-11-23", "3天后", "2026-11-26"},
    {"2026-11-23", "in 10 days", "2026-12-03"},
    {"2026-12-28", "明天", "2026-12-29"},
    // Weekdays: bare = the coming one (today included); 本周 = this ISO week; 下周 = next ISO week.
    {"2026-11-23", "周五", "2026-11-27"},
    {"2026-11-23", "星期五", "2026-11-27"},
    {"2026-11-23", "礼拜五", "2026-11-27"},
    {"2026-11-23", "本周五", "2026-11-27"},
    {"2026-11-23", "这周五", "2026-11-27"},
    {"2026-11-23", "下周五", "2026-12-04"},
    {"2026-11-23", "下个星期五", "2026-12-04"},
    {"2026-11-23", "fri", "2026-11-27"},
    {"2026-11-23", "Friday", "2026-11-27"},
    {"2026-11-23", "next fri", "2026-12-04"},
    {"2026-11-23", "next friday", "2026-12-04"},
    {"2026-11-23", "this friday", "2026-11-27"},
    {"2026-11-23", "周一", "2026-11-23"},
    {"2026-11-23", "下周一", "2026-11-30"},
    {"2026-11-23", "周日", "2026-11-29"},
    {"2026-11-23", "星期天", "2026-11-29"},
    {"2026-11-23", "mon", "2026-11-23"},
    {"2026-11-23", "wed", "2026-11-25"},
    {"2026-11-27", "周五", "2026-11-27"},
    {"2026-11-27", "fri", "2026-11-27"},
    {"2026-11-27", "下周五", "2026-12-04"},
    {"2026-11-27", "周四", "2026-12-03"},
    {"2026-12-28", "周五", "2027-01-01"},
    {"2026-12-28", "下周五", "2027-01-08"},
    {"2027-01-03", "周一", "2027-01-04"},
    {"2027-01-03", "下周一", "2027-01-04"},
    {"2027-01-03", "本周五", "2027-01-01"},  // this ISO week's Friday is already past on Sunday
    {"2027-01-03", "周日", "2027-01-03"},
    // Not dates.
    {"2026-11-23", "", ""},
    {"2026-11-23", "   ", ""},
    {"2026-11-23", "13-05", ""},
    {"2026-11-23", "02-30", ""},
    {"2026-11-23", "02-29", ""},  // no 29 February within the window
    {"2026-11-23", "2026-02-29", ""},
    {"2026-11-23", "2026-13-01", ""},
    {"2026-11-23", "12-5-", ""},
    {"2026-11-23", "12-05 原因", ""},
    {"2026-11-23", "12/5/2026", ""},
    {"2026-11-23", "123-5", ""},
    {"2026-11-23", "12月32日", ""},
    {"2026-11-23", "32号", ""},
    {"2026-11-23", "0号", ""},
    {"2026-11-23", "下周八", ""},
    {"2026-11-23", "五", ""},
    {"2026-11-23", "fridays", ""},
    {"2026-11-23", "next", ""},
    {"2026-11-23", "soon", ""},
    {"2026-11-23", "99999-12-05", ""},
};

TEST(ChatDateTest, ReadsEveryFormInTheTableAgainstItsToday) {
    for (const DateRow& row : k_rows) {
        SCOPED_TRACE(std::string(row.text) + " on " + std::string(row.today));
        std::optional<Date> today = parse_iso_date(row.today);
        ASSERT_TRUE(today.has_value());
        std::optional<Date> parsed = parse_chat_date(row.text, *today);
        if (row.expected.empty()) {
            EXPECT_FALSE(parsed.has_value()) << format_iso_date(*parsed);
        } else {
            ASSERT_TRUE(parsed.has_value());
            EXPECT_EQ(format_iso_date(*parsed), row.expected);
        }
    }
}

TEST(ChatDateTest, TableTodaysFallOnTheWeekdaysTheCommentsClaim) {
    EXPECT_EQ(iso_weekday(make_date(2026, 11, 23)), 0);
    EXPECT_EQ(iso_weekday(make_date(2026, 11, 27)), 4);
    EXPECT_EQ(iso_weekday(make_date(2026, 12, 28)), 0);
    EXPECT_EQ(iso_weekday(make_date(2027, 1, 3)), 6);
    EXPECT_EQ(iso_weekday(make_date(2028, 2, 10)), 3);
}

TEST(ChatDateTest, ArbitraryBytesAreNotADateAndDoNotCrash) {
    const Date today = make_date(2026, 11, 23);
    const std::string_view hostile[] = {
        std::string_view("\0\0\0", 3), "\xff\xfe\xfd", "12\xe6\x9c", "\xe6\x9c\x88", "12月\xff日",
        "1111111111111111111111111111-1", std::string_view("12-05\0", 6),
    };
    for (std::string_view text : hostile) {
        SCOPED_TRACE(testing::PrintToString(std::string(text)));
        EXPECT_FALSE(parse_chat_date(text, today).has_value());
    }
    EXPECT_FALSE(parse_chat_date(std::string(100000, '1'), today).has_value());
}

}  // namespace
}  // namespace core
