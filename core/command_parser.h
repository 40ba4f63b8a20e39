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

// Splits the message into lines (one command per line, "\n", "\r\n" or "\r") and reads each.
// Blank lines and lines holding only the bot's name are skipped; an empty message yields one
// line with error "empty". At most 50 lines are read; if more follow, one last line with error
// "too_many_lines" ends the list.
std::vector<ParsedLine> parse_message(std::string_view text, const ParseContext& context);

// One line. Any bytes are accepted: invalid UTF-8 becomes U+FFFD and control characters (NUL
// included) spaces, so every string in the result is valid UTF-8. Lines over 4096 bytes are not
// read (error "too_long", `text` is a short preview). Full-width forms (６０％, ：, Ｔ) read as
// ASCII; English words and task ids are case-insensitive.
//
// Task ids: 1–10 ASCII letters, then letters/digits optionally joined by '-', with at least one
// digit, at most 40 bytes, not touching another letter or digit: T003, t3, K001,
// MKT-202307-001-01. The id is returned normalised (normalize_id).
//
// Forms: "<id> <verb> …", "<verb> <id> …" and "<id> <percent> …", where the verbs are
// 更新/进度/update/progress, 完成/已完成/done/finished, 开始/start, 阻塞/卡住/block,
// 解除阻塞/unblock, 延期/推迟/delay/postpone, 偏差/deviation, 备注/note, 收到/ack,
// 查看/详情/show/status; the bare id shows the task. Lists: 我的任务/my tasks/tasks @someone/
// @someone 的任务, 逾期/延期任务/late, 阻塞/阻塞任务/blocked, 日报/今日简报/digest, 帮助/help/?;
// 确认复盘/confirm retro [project id] [summary] and 导出/export [project id], where the optional
// id (read like a task id) names a project and is returned in task_id.
// Delay, deviation and block read labelled parts: 原因:/因为/because/reason:/cause:,
// 影响:/impact:, 措施:/remedy:, and the cause kind 客观/主观/objective/subjective (as a prefix of
// the reason, "客观原因:", "原因(客观):" or "类型: 主观"). A URL in the text is also the evidence.
// A leading "@someone" not followed by a task list is skipped ("@经理 T003 完成").
//
// Errors: "empty", "too_long", "unknown_command", "missing_task_id", "bad_percent" (missing,
// negative or above 100), "bad_date", "missing_reason" (block R5, delay and deviation R8),
// "missing_note", "unknown_person" (a mention the adapter did not resolve to a person),
// "missing_parts" (ParsedLine::missing names them: a bare "T003 延期" asks for the date and the
// reason, which is what the "report a delay" button sends).
// Except for "too_long" and "too_many_lines", `suggestion` holds a valid command in the line's
// language, about the line's task id: the command whose keyword is nearest (edit distance) to a
// word of the line, else help (or progress when the line names a task).
ParsedLine parse_line(std::string_view line, const ParseContext& context);

// Dates as people type them: 2026-12-05, 2026/12/5, 2026年12月5日, 12-05, 12/5, 12.5, 12月5日,
// 12月5号, 5号, 今天, 明天, 后天, 大后天, 3天后, in 3 days, today, tomorrow; English month names
// Dec 24, Dec. 24, December 24th, 24 Dec, 24th of December (each with an optional ", 2026"); weekdays 周五 / 星期五 /
// 礼拜五 / fri / friday = the coming one (today if it is that day), 本周五 / this fri = that day
// of this ISO week (possibly past), 下周五 / next fri = that day of next ISO week.
// Month-day without a year: the first of last year's, this year's and next year's dates that is
// at most 182 days before `today` — so "01-05" typed on Dec 28 is next January, and "11-20"
// typed on Nov 23 stays in the past (for the caller to refuse) instead of meaning next year.
// Day only ("5号"): the first such day on or after `today`. Nullopt when not a valid date.
std::optional<Date> parse_chat_date(std::string_view text, Date today);

}  // namespace core
