#pragma once
// Test data shared by the suites that run on the demo campaign (seed 000's 营销执行进度跟踪表).

#include <fstream>
#include <sstream>
#include <string>

#include "core/store/store.h"
#include "core/table_csv.h"
#include "tests/support/temp_dir.h"

namespace testing_support {

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Imports `csv` (default: the demo campaign) into a new or existing database file. The error
// message names what failed; "" when it worked.
inline std::string import_demo(const std::string& db_path, long long at_unix,
                               const std::string& csv = read_file(samples_dir() + "/new-product-launch.csv")) {
    auto store = store::Store::open(db_path);
    if (!store) return store.error().message;
    auto table = core::import_tracking_csv(csv, {});
    if (!table) return table.error().message;
    auto saved = (*store)->import_project(table->state, core::ChangeSource{"", "import", "", "", at_unix});
    return saved ? "" : saved.error().message;
}

}  // namespace testing_support
