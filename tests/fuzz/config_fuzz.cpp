// libFuzzer target: the config loader (config/config.h parse_config) with an empty environment.
// Checked: an error is invalid_argument with a message (the JSON path first), and parsing is
// deterministic (a second parse of the same text agrees).

#include <optional>
#include <string>

#include "config/config.h"
#include "core/json_depth.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const config::EnvLookup no_env = [](const std::string&) -> std::optional<std::string> {
        return std::nullopt;
    };
    std::string_view text = fuzz::as_text(data, size);
    auto parsed = config::parse_config(text, no_env);
    if (!core::check_json_depth(text, core::k_max_json_depth, true)) FUZZ_CHECK(!parsed);
    if (!parsed) {
        FUZZ_CHECK(parsed.error().code == core::ErrorCode::invalid_argument);
        FUZZ_CHECK(!parsed.error().message.empty());
        auto again = config::parse_config(text, no_env);
        FUZZ_CHECK(!again && again.error().message == parsed.error().message);
    }
    return 0;
}
