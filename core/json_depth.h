#pragma once
// A bound on how deeply a JSON text nests, checked on the raw bytes before any parser builds a
// value: parsing and destroying a deeply nested value recurses, and every inbound body, socket
// frame and the config file pass through here first. Pure functions; safe for concurrent use.

#include <string_view>

#include "core/result.h"

namespace core {

// Deeper than any real payload of the three platforms (a Slack block_actions payload, the
// deepest seen, nests 7 levels) or the config (4), shallow enough for any stack.
inline constexpr int k_max_json_depth = 64;

// invalid_argument ("JSON nests deeper than 64 levels") when an array or object opens more than
// max_depth levels deep, counting only brackets outside strings (and, with allow_comments,
// outside // and /* */ comments, as the config file allows). Says nothing else about validity:
// the parser still judges the rest. Linear in the text, no allocation.
Result<void> check_json_depth(std::string_view text, int max_depth = k_max_json_depth,
                              bool allow_comments = false);

}  // namespace core
