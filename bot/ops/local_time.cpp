#include "bot/ops/local_time.h"

#include <date/tz.h>

#include <exception>

namespace bot {
namespace {

const date::time_zone* find_zone(std::string_view name) {
    try {
        return date::locate_zone(std::string(name));
    } catch (const std::exception&) {
        return nullptr;
    }
}

}  // namespace

core::Result<void> check_time_zone(std::string_view name) {
    if (find_zone(name)) return core::ok();
    return core::make_error(core::ErrorCode::invalid_argument,
                            "'" + std::string(name) + "' is not a time zone of the tz database");
}

core::Date local_date(long long unix_seconds, std::string_view zone) {
    std::chrono::sys_seconds instant{std::chrono::seconds{unix_seconds}};
    const date::time_zone* tz = find_zone(zone);
    if (!tz) return std::chrono::floor<std::chrono::days>(instant);
    auto local = tz->to_local(instant);
    return core::Date{std::chrono::floor<std::chrono::days>(local).time_since_epoch()};
}

core::Date local_today(const core::Clock& clock, std::string_view zone) {
    return local_date(clock.now_unix(), zone);
}

int local_minutes_of_day(long long unix_seconds, std::string_view zone) {
    std::chrono::sys_seconds instant{std::chrono::seconds{unix_seconds}};
    const date::time_zone* tz = find_zone(zone);
    auto since_epoch = tz ? tz->to_local(instant).time_since_epoch() : instant.time_since_epoch();
    auto day_start = std::chrono::floor<std::chrono::days>(since_epoch);
    return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(since_epoch - day_start).count());
}

long long unix_at_local(core::Date day, int minutes, std::string_view zone) {
    auto local_seconds = std::chrono::seconds{day.time_since_epoch()} + std::chrono::minutes{minutes};
    const date::time_zone* tz = find_zone(zone);
    if (!tz) return local_seconds.count();
    date::local_seconds local{local_seconds};
    auto info = tz->get_info(local);
    std::chrono::sys_seconds instant;
    switch (info.result) {
        case date::local_info::unique: instant = std::chrono::sys_seconds{local_seconds - info.first.offset}; break;
        case date::local_info::ambiguous: instant = std::chrono::sys_seconds{local_seconds - info.first.offset}; break;
        case date::local_info::nonexistent: instant = info.second.begin; break;
    }
    return instant.time_since_epoch().count();
}

}  // namespace bot
