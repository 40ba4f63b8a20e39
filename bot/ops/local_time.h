#pragma once
// Local time in a chat's IANA time zone, over the system tz database (howard hinnant's date,
// built against /usr/share/zoneinfo). Safe for concurrent use.

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/date.h"
#include "core/result.h"

namespace bot {

// Ok when `name` is a zone the tz database knows ("Asia/Shanghai", "UTC").
core::Result<void> check_time_zone(std::string_view name);

// The local civil day at unix time `unix_seconds` in zone `name` (UTC when unknown).
core::Date local_date(long long unix_seconds, std::string_view zone);
core::Date local_today(const core::Clock& clock, std::string_view zone);

// Minutes since local midnight at `unix_seconds` in `zone`.
int local_minutes_of_day(long long unix_seconds, std::string_view zone);

// Unix seconds of local `date` at `minutes` after midnight in `zone` (the earliest instant for
// an ambiguous local time, the first valid one after a gap).
long long unix_at_local(core::Date date, int minutes, std::string_view zone);

}  // namespace bot
