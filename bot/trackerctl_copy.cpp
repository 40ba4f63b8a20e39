// trackerctl copy --from SRC --to DST: a whole trackerd database moved to another place — a
// SQLite file into PostgreSQL, typically, or back (bot/trackerctl_commands.h). Both ends are
// opened (and migrated) as trackerd opens them; the store copies in one transaction of the
// target, which must be empty. A location is only ever printed as Store::describe gives it: a
// URI's password never reaches the terminal.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "bot/trackerctl_commands.h"
#include "core/store/store.h"

namespace bot::trackerctl {

int copy_database(const std::string& from, const std::string& to) {
    const std::string source_name = store::Store::describe(from);
    const std::string target_name = store::Store::describe(to);
    if (from == to) return fail("--from and --to name the same database (" + source_name + ")");
    // Opening a file that is not there would create it: an empty source copies nothing, silently.
    std::error_code error;
    if (!store::Store::is_database_uri(from) && !std::filesystem::exists(from, error))
        return fail("--from: no database file " + source_name);
    std::cerr << "copying " << source_name << " to " << target_name << "\n";
    auto started = std::chrono::steady_clock::now();
    auto source = store::Store::open(from);  // its message names the place as describe() does
    if (!source) return fail("--from: " + source.error().message);
    auto target = store::Store::open(to);
    if (!target) return fail("--to: " + target.error().message);
    auto report = (*source)->copy_into(**target);
    if (!report) return fail(target_name + ": " + report.error().message);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    long long total = 0;
    for (const auto& [table, rows] : report->rows_per_table) {
        char line[96];
        std::snprintf(line, sizeof line, "%-18s %10lld\n", table.c_str(), rows);
        std::cout << line;
        total += rows;
    }
    char summary[96];
    std::snprintf(summary, sizeof summary, "copied %lld rows in %.1f s\n", total, seconds);
    std::cout << summary;
    return 0;
}

}  // namespace bot::trackerctl
