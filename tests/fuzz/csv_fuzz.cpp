// libFuzzer target: the CSV importers (core/table_csv.h). The first byte picks the tracking
// table or the KPI table, and the options. Checked for the tracking table, as the header
// promises: a table that imports exports, the export re-imports, and export -> import -> export
// is byte-identical. The KPI import is only required not to crash (its header promises no
// round trip).

#include <string>

#include "core/table_csv.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

void fuzz_tracking(std::string_view csv, const core::ImportOptions& options) {
    auto first = core::import_tracking_csv(csv, options);
    if (!first) {
        FUZZ_CHECK(first.error().code == core::ErrorCode::invalid_argument);
        return;
    }
    for (core::Locale locale : {core::Locale::zh_cn, core::Locale::en}) {
        std::string exported = core::export_tracking_csv(first->state, locale);
        auto second = core::import_tracking_csv(exported, options);
        if (!second) std::fprintf(stderr, "re-import failed: %s\n", second.error().message.c_str());
        FUZZ_CHECK(second.has_value());
        FUZZ_CHECK(core::export_tracking_csv(second->state, locale) == exported);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t mode = data[0];
    std::string_view csv = fuzz::as_text(data + 1, size - 1);
    if (mode & 1) {
        (void)core::import_kpi_csv(csv, "p1");
        return 0;
    }
    core::ImportOptions options;
    options.project_id = (mode & 2) ? "P9" : "";
    options.header_locale = (mode & 4) ? core::Locale::en : core::Locale::zh_cn;
    fuzz_tracking(csv, options);
    return 0;
}
