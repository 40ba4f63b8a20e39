#pragma once
// The labelled parts of a deviation report in a chat line (R8): 原因/because, 影响/impact,
// 措施/remedy and the cause kind 客观/主观 (objective/subjective). Used by the delay, deviation
// and block commands of command_parser.h. Pure functions; safe for concurrent use.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/grammar_text.h"
#include "core/model.h"

namespace core::grammar {

struct Segments {
    std::string lead;    // text before the first label ("T003 延期 12-05 供应商产能不足")
    std::string reason;  // 原因: / 因为 / because / reason: / cause:
    std::string impact;  // 影响: / impact:
    std::string remedy;  // 措施: / 补救措施: / remedy: / measures:
    CauseKind cause_kind = CauseKind::unknown;
};

// Reads folded bytes [from, folded.size()) of `line`; values are cut from the original text
// (line.origin maps back), trimmed of spaces and trailing separators. Only the first label of
// each kind counts; a later one is part of the text. Labels need a colon ("影响：", "impact:"),
// except that Chinese labels may be followed by a space ("原因 供应商…") and the conjunctions
// 因为 / 由于 / because / due to need nothing but a word boundary before them.
Segments read_segments(const FoldedText& line, std::string_view original, std::size_t from);

// Strips a leading cause kind from `text` ("客观，供应商…" -> objective, "供应商…") when something
// follows it; leaves `text` alone otherwise.
CauseKind take_cause_kind(std::string& text);

}  // namespace core::grammar
