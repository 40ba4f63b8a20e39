#pragma once
// The config file seeds the directory (issue 21): its people and chats are applied to the
// store at start and on every reload. What was last applied from the file is remembered per
// entry (core::describe), and an entry is applied again only when the file's text of it changed
// since: a change made at run time (a chat command, trackerctl) stays until somebody edits that
// entry in the file, and then the file's edit wins — the latest edit wins either way. A chat the
// file no longer names is removed only when nobody changed it at run time; people are never
// removed (plans and history name them). Empty fields in the file's entry of a person keep the
// stored values, so accounts linked at run time survive a file that does not name them.
//
// Thread safety: safe for concurrent use (the store serialises).

#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "core/store/store.h"

namespace bot {

struct SeedReport {
    int applied = 0;   // entries written from the file
    int kept = 0;      // entries the file did not change since last applied (run-time values kept)
    int removed = 0;   // chats removed from the file, unchanged at run time
    std::vector<std::string> warnings;  // entries that could not be applied (an account taken)
};

core::Result<SeedReport> seed_directory(store::Store& store, const config::Config& config, long long now_unix);

}  // namespace bot
