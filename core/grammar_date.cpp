// parse_chat_date (declared in command_parser.h): dates as people type them in chat.
#include <array>
#include <chrono>

#include "core/command_parser.h"
#include "core/grammar_text.h"

namespace core {
namespace {

using namespace std::chrono;

// A month-day without a year may lie this far in the past before it means next year.
constexpr int k_past_window_days = 182;

// Reads up to `max_digits` digits at `at`; false when there is none.
bool read_number(std::string_view s, std::size_t& at, std::size_t max_digits, int& value,
                 std::size_t& digits) {
    value = 0;
    digits = 0;
    while (at < s.size() && grammar::is_ascii_digit(s[at]) && digits < max_digits) {
        value = value * 10 + (s[at] - '0');
        ++at, ++digits;
    }
    return digits > 0;
}

bool consume(std::string_view s, std::size_t& at, std::string_view word) {
    if (s.substr(at, word.size()) != word) return false;
    at += word.size();
    return true;
}

bool consume_any(std::string_view s, std::size_t& at, std::initializer_list<std::string_view> words) {
    for (std::string_view word : words)
        if (consume(s, at, word)) return true;
    return false;
}

std::optional<Date> checked(int y, int m, int d) {
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

// Month-day without a year: the first of last year's, this year's and next year's dates
// that is no more than k_past_window_days before today (so "01-05" typed on Dec 28 is next
// January, and "11-20" typed on Nov 23 stays this year, in the past, for the caller to refuse).
std::optional<Date> resolve_month_day(int m, int d, Date today) {
    int y = year_of(today);
    for (int candidate_year : {y - 1, y, y + 1}) {
        std::optional<Date> date = checked(candidate_year, m, d);
        if (date && days_between(today, *date) >= -k_past_window_days) return date;
    }
    return std::nullopt;
}

// Day of month only ("5号"): the first such day on or after today.
std::optional<Date> resolve_day(int d, Date today) {
    year_month_day now{today};
    year_month month_cursor{now.year(), now.month()};
    for (int step = 0; step < 3; ++step, month_cursor += months{1}) {
        std::optional<Date> date = checked(static_cast<int>(month_cursor.year()),
                                           static_cast<int>(static_cast<unsigned>(month_cursor.month())), d);
        if (date && *date >= today) return date;
    }
    return std::nullopt;
}

// "2026-12-05", "2026/12/5", "12-05", "12/5", "12.5".
std::optional<Date> parse_numeric(std::string_view s, Date today) {
    std::array<int, 3> parts{};
    std::array<std::size_t, 3> widths{};
    std::size_t count = 0, at = 0;
    char separator = 0;
    while (count < 3) {
        if (!read_number(s, at, 4, parts[count], widths[count])) return std::nullopt;
        ++count;
        if (at == s.size()) break;
        char c = s[at];
        if ((c != '-' && c != '/' && c != '.') || (separator && c != separator)) return std::nullopt;
        separator = c;
        ++at;
    }
    if (at != s.size()) return std::nullopt;
    if (count == 3 && widths[0] == 4 && widths[1] <= 2 && widths[2] <= 2) return checked(parts[0], parts[1], parts[2]);
    if (count == 2 && widths[0] <= 2 && widths[1] <= 2) return resolve_month_day(parts[0], parts[1], today);
    return std::nullopt;
}

// "2026年12月5日", "12月5日", "12月5号", "12月5", "5号", "5日".
std::optional<Date> parse_chinese(std::string_view s, Date today) {
    std::size_t at = 0, digits = 0;
    int first = 0;
    if (!read_number(s, at, 4, first, digits)) return std::nullopt;
    std::optional<int> year_value;
    if (digits == 4) {
        if (!consume(s, at, "年")) return std::nullopt;
        year_value = first;
        if (!read_number(s, at, 2, first, digits)) return std::nullopt;
    }
    if (digits > 2) return std::nullopt;
    if (!consume(s, at, "月")) {
        if (year_value || !consume_any(s, at, {"日", "号", "號"}) || at != s.size()) return std::nullopt;
        return resolve_day(first, today);
    }
    int day_value = 0;
    if (!read_number(s, at, 2, day_value, digits)) return std::nullopt;
    consume_any(s, at, {"日", "号", "號"});
    if (at != s.size()) return std::nullopt;
    return year_value ? checked(*year_value, first, day_value) : resolve_month_day(first, day_value, today);
}

// Weekday index (0 = Monday) of "五" (after 周/星期/礼拜) or of "fri", "friday" (alone).
std::optional<int> read_weekday(std::string_view s, std::size_t& at, bool chinese) {
    if (chinese) {
        static constexpr std::array<std::string_view, 8> k_chinese = {"一", "二", "三", "四", "五", "六", "日", "天"};
        for (std::size_t i = 0; i < k_chinese.size(); ++i)
            if (consume(s, at, k_chinese[i])) return i == 7 ? 6 : static_cast<int>(i);
        return std::nullopt;
    }
    static constexpr std::array<std::array<std::string_view, 3>, 7> k_english = {{
        {"monday", "mon", "mon"},        {"tuesday", "tues", "tue"},   {"wednesday", "weds", "wed"},
        {"thursday", "thurs", "thu"},    {"friday", "fri", "fri"},     {"saturday", "sat", "sat"},
        {"sunday", "sun", "sun"},
    }};
    for (std::size_t i = 0; i < k_english.size(); ++i)
        for (std::string_view name : k_english[i])
            if (s.substr(at) == name) {
                at = s.size();
                return static_cast<int>(i);
            }
    return std::nullopt;
}

// "周五", "星期五", "礼拜五", "fri", "friday" = the coming Friday (today if Friday);
// "本周五" / "this fri" = the Friday of this ISO week (may be past on a weekend);
// "下周五" / "next fri" = the Friday of next ISO week.
std::optional<Date> parse_weekday(std::string_view s, Date today) {
    std::size_t at = 0;
    enum class Week { coming, this_week, next_week } week = Week::coming;
    if (consume_any(s, at, {"next ", "下个", "下"})) {
        week = Week::next_week;
    } else if (consume_any(s, at, {"this ", "本", "这个", "这"})) {
        week = Week::this_week;
    }
    bool chinese = consume_any(s, at, {"星期", "礼拜", "周", "週"});
    std::optional<int> weekday_index = read_weekday(s, at, chinese);
    if (!weekday_index || at != s.size()) return std::nullopt;
    int today_index = iso_weekday(today);
    switch (week) {
        case Week::coming: return add_days(today, (*weekday_index - today_index + 7) % 7);
        case Week::this_week: return add_days(today, *weekday_index - today_index);
        case Week::next_week: return add_days(today, 7 - today_index + *weekday_index);
    }
    return std::nullopt;
}

std::optional<Date> parse_relative(std::string_view s, Date today) {
    struct Word {
        std::string_view text;
        int offset;
    };
    static constexpr std::array<Word, 10> k_words = {{
        {"今天", 0}, {"今日", 0}, {"today", 0}, {"明天", 1}, {"明日", 1}, {"tomorrow", 1},
        {"后天", 2}, {"後天", 2}, {"大后天", 3}, {"day after tomorrow", 2},
    }};
    for (const Word& word : k_words)
        if (s == word.text) return add_days(today, word.offset);
    // "3天后", "in 3 days"
    std::size_t at = 0, digits = 0;
    int count = 0;
    bool english = consume(s, at, "in ");
    if (!read_number(s, at, 3, count, digits)) return std::nullopt;
    if (english ? consume_any(s, at, {" days", " day"}) : consume_any(s, at, {"天后", "天後"}))
        if (at == s.size()) return add_days(today, count);
    return std::nullopt;
}

// A month's English name or abbreviation at `at` ("dec", "dec.", "december", "sept"), whole
// word; 1..12, or 0 when none.
int read_month_name(std::string_view s, std::size_t& at) {
    static constexpr std::array<std::array<std::string_view, 3>, 12> k_months = {{
        {"january", "jan", "jan"},     {"february", "feb", "feb"}, {"march", "mar", "mar"},
        {"april", "apr", "apr"},       {"may", "may", "may"},      {"june", "jun", "jun"},
        {"july", "jul", "jul"},        {"august", "aug", "aug"},   {"september", "sept", "sep"},
        {"october", "oct", "oct"},     {"november", "nov", "nov"}, {"december", "dec", "dec"},
    }};
    for (std::size_t m = 0; m < k_months.size(); ++m)
        for (std::string_view name : k_months[m]) {
            std::size_t end = at + name.size();
            if (s.substr(at, name.size()) != name || (end < s.size() && s[end] >= 'a' && s[end] <= 'z')) continue;
            at = end;
            consume(s, at, ".");
            return static_cast<int>(m) + 1;
        }
    return 0;
}

// A day of the month with an optional ordinal ending: "24", "24th", "1st", "2nd", "3rd".
bool read_day_of_month(std::string_view s, std::size_t& at, int& day_value) {
    std::size_t digits = 0;
    if (!read_number(s, at, 2, day_value, digits)) return false;
    if (at < s.size() && grammar::is_ascii_digit(s[at])) return false;
    consume_any(s, at, {"st", "nd", "rd", "th"});
    return at == s.size() || !(s[at] >= 'a' && s[at] <= 'z');
}

// English dates as people write them: "Dec 24", "Dec. 24", "December 24th", "24 Dec",
// "24th of December", each with an optional year ("Dec 24, 2026", "24 Dec 2026").
std::optional<Date> parse_english(std::string_view s, Date today) {
    std::size_t at = 0;
    int month_value = 0, day_value = 0;
    if ((month_value = read_month_name(s, at))) {
        while (at < s.size() && s[at] == ' ') ++at;
        if (!read_day_of_month(s, at, day_value)) return std::nullopt;
    } else {
        if (!read_day_of_month(s, at, day_value)) return std::nullopt;
        while (at < s.size() && s[at] == ' ') ++at;
        consume(s, at, "of ");
        if (!(month_value = read_month_name(s, at))) return std::nullopt;
    }
    if (at == s.size()) return resolve_month_day(month_value, day_value, today);
    consume(s, at, ",");
    if (!consume(s, at, " ")) return std::nullopt;
    int year_value = 0;
    std::size_t digits = 0;
    if (!read_number(s, at, 4, year_value, digits) || digits != 4 || at != s.size()) return std::nullopt;
    return checked(year_value, month_value, day_value);
}

}  // namespace

std::optional<Date> parse_chat_date(std::string_view text, Date today) {
    if (text.size() > 64) return std::nullopt;
    grammar::FoldedText folded = grammar::fold(text);
    std::string_view s = grammar::trim_spaces(folded.folded);
    if (s.empty()) return std::nullopt;
    if (std::optional<Date> date = parse_numeric(s, today)) return date;
    if (std::optional<Date> date = parse_chinese(s, today)) return date;
    if (std::optional<Date> date = parse_relative(s, today)) return date;
    if (std::optional<Date> date = parse_english(s, today)) return date;
    return parse_weekday(s, today);
}

}  // namespace core
