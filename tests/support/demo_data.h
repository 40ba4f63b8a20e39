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

// The demo table plus an approver for T004 (小红) through the optional 审批人 column.
inline std::string demo_with_approver() {
    std::istringstream lines(read_file(samples_dir() + "/new-product-launch.csv"));
    std::string line, out;
    bool header = true;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        out += line + "," + (header ? "审批人" : line.rfind("T004,", 0) == 0 ? "小红" : "") + "\n";
        header = false;
    }
    return out;
}

}  // namespace testing_support
