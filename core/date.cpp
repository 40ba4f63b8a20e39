#include "core/date.h"

#include <cstdio>

namespace core {

using namespace std::chrono;

Date make_date(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / day{d}}; }

std::optional<Date> parse_iso_date(std::string_view text) {
    if (text.size() != 10) return std::nullopt;
    char sep = text[4];
    if ((sep != '-' && sep != '/' && sep != '.') || text[7] != sep) return std::nullopt;
    auto digits = [&](size_t from, size_t count, int& out) {
        out = 0;
        for (size_t i = from; i < from + count; ++i) {
            if (text[i] < '0' || text[i] > '9') return false;
            out = out * 10 + (text[i] - '0');
        }
        return true;
    };
    int y = 0, m = 0, d = 0;
    if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
    year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

std::string format_iso_date(Date date) {
    year_month_day ymd{date};
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return buffer;
}

std::string format_short_date(Date date) { return format_iso_date(date).substr(5); }

int days_between(Date from, Date to) { return static_cast<int>((to - from).count()); }

Date add_days(Date date, int n) { return date + days{n}; }

int iso_weekday(Date date) { return static_cast<int>(weekday{date}.iso_encoding()) - 1; }

int year_of(Date date) { return static_cast<int>(year_month_day{date}.year()); }

Date date_from_unix_seconds(long long seconds) {
    return floor<days>(sys_seconds{std::chrono::seconds{seconds}});
}

}  // namespace core
