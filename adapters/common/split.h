#pragma once
// Cutting a long message into parts that each fit a platform's size limit (Feishu 30 KB cards,
// DingTalk 15,000-byte msgParam ...). The platform says what fits; this packs. Pure functions;
// safe for concurrent use.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"

namespace adapters {

// The largest count in [1, available] for which fits_count holds, assuming it is monotone; 1 even
// when nothing fits (a piece must go somewhere).
size_t largest_fitting(size_t available, const std::function<bool(size_t)>& fits_count);

using core::utf8_floor;  // core/utf8.h: a byte length <= size that does not cut a UTF-8 sequence

// Whether these sections, as one message, fit the platform's limit.
using FitsSections = std::function<bool(const std::vector<std::string>& sections)>;

// Groups `sections` into as few consecutive runs as fit one message each. A section too large on
// its own is first cut into runs of whole lines, and a line too large into UTF-8-safe byte runs.
// Order and content are kept: joining every run gives the sections back.
std::vector<std::vector<std::string>> pack_sections(const std::vector<std::string>& sections,
                                                    const FitsSections& fits);

}  // namespace adapters
