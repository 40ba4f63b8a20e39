#pragma once
// The words of the chat grammar (command_parser.h) and the example commands used as
// suggestions when a line cannot be read. Pure data and functions; safe for concurrent use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/command.h"

namespace core::grammar {

// One command word, written folded and lower-case (see fold()). A word may mean one command
// with a task id and another without: "阻塞 T003 …" blocks, "阻塞" alone lists blocked tasks.
struct Keyword {
    std::string_view text;
    std::optional<CommandKind> with_task;     // "T003 完成", "完成 T003"
    std::optional<CommandKind> without_task;  // "逾期", "日报" (lists, help)
};

// The longest keyword starting at `at` of the folded line; English words must end at a word
// boundary. Returns nullptr when none, otherwise sets `end` past the keyword.
const Keyword* match_keyword(std::string_view folded, std::size_t at, std::size_t& end);

// The command whose keyword is nearest (edit distance) to a word of the line, if any is close
// enough to be a typo ("updte" -> progress, "进展" -> progress). With `about_a_task`, only
// commands that take a task id are considered.
std::optional<CommandKind> nearest_command(std::string_view folded, bool about_a_task);

// A valid command of `kind` in `language`, about `task_id` ("T003" when empty) and `percent`
// (60 when absent): "T003 进度 60%", "update T003 60%", "帮助" ...
std::string example_command(CommandKind kind, Locale language, std::string_view task_id,
                            std::optional<int> percent);

// The normalised help topic for a word ("延期" -> "delay"); the word itself when unknown.
std::string help_topic(std::string_view folded_word);

}  // namespace core::grammar
