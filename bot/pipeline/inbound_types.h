#pragma once
// The values the inbound pipeline passes between its steps: what is known of a chat, and what
// became of one delivery. Plain value types.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/message.h"

namespace bot {

// What the directory says about one chat.
struct ChatSettings {
    bool known = false;                    // bound to at least one project
    bool failed = false;                   // the directory could not be read: answer 5xx, retry
    std::vector<std::string> projects;     // bound projects
    std::optional<core::Locale> locale;    // unset = answer in the message's language
    std::string timezone;                  // IANA; "" = the global one
};
using ChatLookup = std::function<ChatSettings(const std::string& platform, const std::string& chat_id)>;

struct InboundResult {
    // The message's signature (InboundMessage::signature) is bound to another message: a
    // replayed signature with a forged body. Nothing done; the caller answers 401.
    bool replayed_signature = false;
    bool duplicate = false;    // seen before: nothing done
    bool limited = false;      // refused by the command limiter (inbound_limit.h): nothing done
    bool changed = false;      // the store changed
    core::ChatMessage reply;
    long long outbox_id = 0;   // 0 when no reply was enqueued
};

}  // namespace bot
