#include "core/command.h"

namespace core {

const char* to_string(CommandKind kind) {
    switch (kind) {
        case CommandKind::progress: return "progress";
        case CommandKind::start: return "start";
        case CommandKind::done: return "done";
        case CommandKind::block: return "block";
        case CommandKind::unblock: return "unblock";
        case CommandKind::delay: return "delay";
        case CommandKind::deviation: return "deviation";
        case CommandKind::note: return "note";
        case CommandKind::ack: return "ack";
        case CommandKind::show: return "show";
        case CommandKind::my_tasks: return "my_tasks";
        case CommandKind::late: return "late";
        case CommandKind::blocked: return "blocked";
        case CommandKind::digest: return "digest";
        case CommandKind::help: return "help";
        case CommandKind::web_link: return "web";
        case CommandKind::confirm_retro: return "confirm_retro";
        case CommandKind::export_xlsx: return "export";
        case CommandKind::add_task: return "add_task";
        case CommandKind::assign: return "assign";
        case CommandKind::set_approver: return "set_approver";
        case CommandKind::replan: return "replan";
        case CommandKind::cancel: return "cancel";
        case CommandKind::restore: return "restore";
    }
    return "unknown";
}

bool is_mutation(CommandKind kind) {
    switch (kind) {
        case CommandKind::progress:
        case CommandKind::start:
        case CommandKind::done:
        case CommandKind::block:
        case CommandKind::unblock:
        case CommandKind::delay:
        case CommandKind::deviation:
        case CommandKind::note:
        case CommandKind::ack:
        case CommandKind::confirm_retro:
        case CommandKind::add_task:
        case CommandKind::assign:
        case CommandKind::set_approver:
        case CommandKind::replan:
        case CommandKind::cancel:
        case CommandKind::restore:
            return true;
        case CommandKind::show:
        case CommandKind::my_tasks:
        case CommandKind::late:
        case CommandKind::blocked:
        case CommandKind::digest:
        case CommandKind::help:
        case CommandKind::web_link:
        case CommandKind::export_xlsx:
            return false;
    }
    return false;
}

// The plan changes are the enum's last kinds, add_task to restore (command.h keeps them there).
bool is_plan_edit(CommandKind kind) { return kind >= CommandKind::add_task && kind <= CommandKind::restore; }

}  // namespace core
