#pragma once
// The chat grammar, Chinese and English (domain.md "What the chat side must support").
// Pure functions; safe for concurrent use. Never throws, never crashes on any input.

#include <string>
#include <string_view>
#include <vector>

#include "core/command.h"
#include "core/date.h"

namespace core {

// A person mentioned in the message, as the adapter resolved it. The adapter replaces each
// mention in the text by "@" + display (e.g. "@小明"); the grammar maps it back to person_id.
struct Mention {
    std::string display;    // text after '@' as it now stands in the message
    std::string person_id;  // "" when the mentioned user is not a known person
};

struct ParseContext {
    Date today{};                       // local day of the chat, for 明天 / 下周五 / fri / 12-05
    std::vector<Mention> mentions;      // people mentioned (the bot's own mention already removed)
    std::vector<std::string> bot_names; // names the bot answers to ("@TaskBot", "@bot"), stripped
};

// Splits the message into lines (one command per line) and reads each. Blank lines are
// skipped; an empty message yields one line with error "empty".
std::vector<ParsedLine> parse_message(std::string_view text, const ParseContext& context);

// One line.
ParsedLine parse_line(std::string_view line, const ParseContext& context);

// Dates as people type them: 2026-12-05, 12-05, 12/5, 12月5日, 5号, 今天, 明天, 后天, 下周五,
// 周五, fri, friday, next fri, tomorrow, today. Month-day forms pick the next such day on or
// after `today` (a date in the past this year means next year only if more than 6 months past).
std::optional<Date> parse_chat_date(std::string_view text, Date today);

}  // namespace core
