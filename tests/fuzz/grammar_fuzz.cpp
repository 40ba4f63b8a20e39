// libFuzzer target: the chat grammar (core/command_parser.h). Any bytes are a message; the
// header promises every string in the result is valid UTF-8, progress percents are 0..100,
// at most 50 lines (+1 "too_many_lines") come back, and a failed line suggests a valid command.

#include <cstdio>
#include <string>

#include "adapters/common/form.h"
#include "core/command_parser.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

core::ParseContext make_context(int day_offset) {
    core::ParseContext context;
    context.today = core::add_days(core::make_date(2024, 1, 1), day_offset);
    context.mentions = {{"小明", "xiaoming"}, {"Bob", "bob"}, {"stranger", ""}};
    context.bot_names = {"@TaskBot", "@bot"};
    return context;
}

void check_utf8(const core::ParsedLine& line) {
    FUZZ_CHECK(adapters::is_valid_utf8(line.text));
    FUZZ_CHECK(adapters::is_valid_utf8(line.error));
    FUZZ_CHECK(adapters::is_valid_utf8(line.suggestion));
    if (!line.command) return;
    const core::Command& c = *line.command;
    const char* names[] = {"task_id", "note", "reason", "impact", "remedy", "evidence", "target_person", "help_topic"};
    int field = 0;
    for (const std::string* s : {&c.task_id, &c.note, &c.reason, &c.impact, &c.remedy, &c.evidence,
                                 &c.target_person, &c.help_topic}) {
        if (!adapters::is_valid_utf8(*s))
            std::fprintf(stderr, "kind %s, field %s: '%s' (line '%s')\n", core::to_string(c.kind), names[field],
                         s->c_str(), line.text.c_str());
        FUZZ_CHECK(adapters::is_valid_utf8(*s));
        ++field;
    }
}

void check_line(const core::ParsedLine& line, const core::ParseContext& context, bool nested) {
    check_utf8(line);
    FUZZ_CHECK(line.command.has_value() != !line.error.empty());
    if (line.command) {
        const core::Command& c = *line.command;
        if (c.percent) FUZZ_CHECK(*c.percent >= 0 && *c.percent <= 100);
        if (c.kind == core::CommandKind::progress) FUZZ_CHECK(c.percent.has_value());
        FUZZ_CHECK(c.task_id.size() <= 40);
        return;
    }
    if (line.error == "too_long" || line.error == "too_many_lines" || nested) return;
    // "suggestion holds a valid command in the line's language".
    FUZZ_CHECK(!line.suggestion.empty());
    core::ParsedLine suggested = core::parse_line(line.suggestion, context);
    if (!suggested.command) {
        std::fprintf(stderr, "suggestion '%s' for '%s' (%s) does not parse: %s\n",
                     line.suggestion.c_str(), line.text.c_str(), line.error.c_str(),
                     suggested.error.c_str());
    }
    FUZZ_CHECK(suggested.command.has_value());
    check_line(suggested, context, true);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The first two bytes pick "today" (about two years from 2024-01-01), the rest is the message.
    int day_offset = 0;
    if (size >= 2) {
        day_offset = ((data[0] << 8) | data[1]) % 800;
        data += 2;
        size -= 2;
    }
    const core::ParseContext context = make_context(day_offset);
    std::string_view text = fuzz::as_text(data, size);

    std::vector<core::ParsedLine> lines = core::parse_message(text, context);
    FUZZ_CHECK(!lines.empty());
    FUZZ_CHECK(lines.size() <= 51);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].error == "too_many_lines") FUZZ_CHECK(i == 50 && i + 1 == lines.size());
        check_line(lines[i], context, false);
    }
    check_line(core::parse_line(text, context), context, false);
    (void)core::parse_chat_date(text, context.today);
    return 0;
}
