#pragma once
// The buttons trackerd puts on what it pushes (issue 23, "one tap on every platform"): done,
// acknowledge, report a delay, show, open the web view. A tap runs the command a person would
// type, so it goes through the same grammar, permission check and de-duplication; each
// platform only carries `Button::action` and `Button::value` there and back.
// Pure functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"
#include "core/model_enums.h"

namespace core {

inline constexpr std::string_view k_action_done = "task_done";
inline constexpr std::string_view k_action_ack = "task_ack";
inline constexpr std::string_view k_action_delay = "task_delay";  // answers with the 延期 prompt
inline constexpr std::string_view k_action_show = "task_open";
inline constexpr std::string_view k_action_web = "web_view";

struct ButtonOffer {
    bool done = false;
    bool ack = false;
    bool delay = false;
    bool show = false;
    bool web = false;
};

// The buttons of one task, labelled in `locale`; with `name_task` the label carries the task id
// ("完成 T003"), for a message about several tasks. Values are "PROJECT/TASK" (the web view's,
// "PROJECT").
std::vector<Button> task_buttons(std::string_view project_id, std::string_view task_id, Locale locale,
                                 const ButtonOffer& offer, bool name_task);

// Appends `more` to `message`'s buttons, at most `limit` buttons in all (a card's room).
void add_buttons(ChatMessage& message, std::vector<Button> more, std::size_t limit = 10);

// The command a tap on `action` with `value` runs, as a person would type it in `locale`
// ("T003 完成" / "done T003", "收到 T003", "T003 延期" (a prompt for the date and reason),
// "查看 T003", "看板 P1"); nullopt for an action that runs none or a value that names no task.
std::optional<std::string> button_command(std::string_view action, std::string_view value, Locale locale);

}  // namespace core
