#pragma once
// What a chat line asks for, once the grammar (command_parser.h) has read it.
// Plain value types; safe to share read-only.

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace core {

enum class CommandKind {
    progress,   // "update T003 60%", "T003 进度 60% 海报初稿已交"
    start,      // "start T003", "T003 开始"
    done,       // "done T003", "T003 完成"
    block,      // "block T003 waiting for ...", "T003 阻塞 等待客户确认" (reason required, R5)
    unblock,    // "unblock T003", "T003 解除阻塞"
    delay,      // "delay T003 to 2026-12-05 because ...", "T003 延期 12-05 原因: ..." (re-plan, R8)
    deviation,  // "T003 偏差 原因:… 影响:… 措施:…" (deviation report without a new date, R8)
    note,       // "note T003 ...", "T003 备注 ..."
    ack,        // "ack T003", "收到 T003" (stops the escalation ladder, R8)
    show,       // "T003", "查看 T003", "show T003"
    my_tasks,   // "我的任务", "my tasks" (or someone else's: "tasks @小明")
    late,       // "逾期", "late"
    blocked,    // "阻塞", "blocked" (the list)
    digest,     // "日报", "digest"
    help,       // "帮助", "help"
    web_link,   // "看板 [P1]", "web [P1]", "链接", "link": a signed link to the web view
    confirm_retro,  // "确认复盘 [P1] [总结]", "confirm retro [P1] [summary]" (the project's 复盘)
    export_xlsx,    // "导出 [P1]", "export [P1]": a signed link to the project's Excel workbook
    // Plan changes (issue 23), by the project's lead (plan_edit.h): the plan itself, not progress.
    // Kept last and together: is_plan_edit() is the range add_task..restore.
    add_task,       // "新建 [T008] 海报投放 负责人 @小红 04-20 到 04-28 [前置 T004] [模块 M3]"
    assign,         // "T003 负责人 @小红", "assign T003 to @小红"
    set_approver,   // "T003 审批 @经理", "T003 approver @经理"
    replan,         // "T005 计划 04-22 到 04-30", "plan T005 04-22 to 04-30" (not started yet)
    cancel,         // "T006 取消 原因…", "cancel T006 because …"
    restore,        // "T006 恢复", "restore T006"
};

const char* to_string(CommandKind kind);  // "progress", "start", ...
// Commands that change the store; the others only read.
bool is_mutation(CommandKind kind);
// The plan changes (add_task … restore): checked and applied by plan_edit.h, not semantics.h.
bool is_plan_edit(CommandKind kind);

struct Command {
    CommandKind kind = CommandKind::help;
    std::string task_id;                // normalised ("T003"); empty for list commands; the
                                        // project id for confirm_retro / export_xlsx when given
    std::optional<int> percent;         // progress: 0..100
    std::string note;                   // progress/start/done/note: free text after the command
    std::string reason;                 // block, delay, deviation: 原因 / because
    std::string impact;                 // deviation/delay: 影响 / impact
    std::string remedy;                 // deviation/delay: 措施 / remedy
    CauseKind cause_kind = CauseKind::unknown;  // "客观" / "主观" / objective / subjective
    std::optional<Date> new_date;       // delay: the new planned finish
    std::string evidence;               // a URL found in the note (R13)
    std::string target_person;          // my_tasks about someone else: resolved person id
    std::string help_topic;             // help: optional topic word
    // Plan changes (add_task, assign, set_approver, replan).
    std::string person;                 // assign / set_approver / add_task: the resolved person id
    std::string person_name;            // the same typed as a name or id ("小红"), not resolved yet
    std::string task_name;              // add_task: the new task's name as typed
    std::optional<Date> planned_start;  // add_task / replan (new_date is the planned finish)
    std::vector<std::string> predecessors;  // add_task: 前置 / after, normalised ids
    std::string module_id;              // add_task: 模块 / in, normalised id ("" = chosen for it)
    std::string project_id;             // add_task: 项目 / project, normalised id ("" = the chat's)
};

// The outcome of one line: a command, or why it could not be read (with the nearest valid
// command as a suggestion for the reply).
struct ParsedLine {
    std::string text;  // the line as the grammar saw it (mentions of the bot removed)
    std::optional<Command> command;
    std::string error;       // machine-readable reason when command is empty ("unknown_command", "missing_task_id", "bad_percent", "bad_date", "missing_reason", "missing_parts" ...)
    std::vector<std::string> missing;  // "missing_parts": what the line lacks ("name", "owner", "dates", "person")
    std::string suggestion;  // the nearest valid command, in the message's language ("T003 进度 60%")
    Locale language = Locale::zh_cn;  // the language the line was written in (for the reply)
};

}  // namespace core
