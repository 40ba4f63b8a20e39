#pragma once
// Everything in a trackerd database file as text, table by table (every row of every table in
// rowid order), to compare before and after a request that must change nothing. Opens its own
// read-only connection; WAL lets it read while trackerd writes.

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <string>
#include <vector>

namespace testing_support {

using StoreSnapshot = std::map<std::string, std::string>;  // table -> its rows, one a line

inline StoreSnapshot snapshot_store(const std::string& db_path) {
    SQLite::Database db(db_path, SQLite::OPEN_READONLY);
    std::vector<std::string> tables;
    SQLite::Statement names(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (names.executeStep()) tables.push_back(names.getColumn(0).getString());
    StoreSnapshot snapshot;
    for (const auto& table : tables) {
        std::string rows;
        // Tables without rowid have none of their own; the primary key order is as stable.
        SQLite::Statement all(db, "SELECT * FROM \"" + table + "\"");
        while (all.executeStep()) {
            for (int i = 0; i < all.getColumnCount(); ++i) rows += all.getColumn(i).getString() + "\x1f";
            rows += "\n";
        }
        snapshot[table] = rows;
    }
    return snapshot;
}

// The tables whose text differs, "" when none.
inline std::string changed_tables(const StoreSnapshot& before, const StoreSnapshot& after) {
    std::string changed;
    for (const auto& [table, rows] : after) {
        auto it = before.find(table);
        if (it == before.end() || it->second != rows) changed += (changed.empty() ? "" : ", ") + table;
    }
    for (const auto& [table, rows] : before)
        if (!after.count(table)) changed += (changed.empty() ? "" : ", ") + table + " (dropped)";
    return changed;
}

}  // namespace testing_support
