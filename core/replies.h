#pragma once
// Replies to chat commands, in zh-CN or en: what changed, and what to do next. Short, with the
// sender mentioned in the platform's own syntax (Markup). Pure; safe for concurrent use.

#include <optional>
#include <string>
#include <vector>

#include "core/command.h"
#include "core/message.h"
#include "core/model.h"
#include "core/rules.h"

namespace core {

// The result of one chat line, as the dispatcher saw it.
struct CommandOutcome {
    enum class Kind {
        applied,      // a change was written (`answer` holds the reply when it is not about a task)
        query,        // a read command: `answer` holds the result
        parse_error,  // the grammar could not read the line
        not_found,    // no such task in the chat's projects
        forbidden,    // the sender may not change this task
        rejected,     // conflict or invalid value (e.g. unblock a task that is not blocked)
        unknown_person,  // the sender is not bound to a person
    };
    Kind kind = Kind::parse_error;
    ParsedLine line;
    std::optional<Task> before;
    std::optional<Task> after;
    std::string detail;                 // the error message (conflict, forbidden ...)
    std::vector<std::string> warnings;  // from plan_update ("predecessor_not_done:T003")
    std::vector<Person> contacts;       // forbidden: the people who may change the task; a plan
                                        // change: the people it concerns (new owner, ripple owners)
    std::vector<Finding> ripple;        // a plan change: R7 successors it made late (plan_edit.h)
    bool module_chosen = false;         // add_task: the module was chosen for the sender
    std::vector<Button> buttons;        // actions the answer offers (show: done, ack, delay, web)
    std::vector<std::string> answer;    // query: body sections, already in the markup
    std::string answer_title;
};

// One message answering every line of the sender's message.
ChatMessage render_replies(const std::vector<CommandOutcome>& outcomes, const Person& sender,
                           Locale locale, const Markup& markup);

// The help text: every command, in the locale's language.
std::vector<std::string> help_sections(Locale locale, const Markup& markup);

// One task in detail (the "show T003" answer).
std::vector<std::string> task_detail_sections(const Task& task, const ProjectState& state,
                                              Date today, Locale locale, const Markup& markup);

}  // namespace core
