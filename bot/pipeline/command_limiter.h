#pragma once
// How many chat commands one sender and one chat may give per minute (config `limits`): a
// sliding window of the last 60 s per (platform, sender) and per (platform, chat). A command
// is admitted only when both windows have room, and only admitted commands are counted, so a
// runaway sender who keeps typing is let in again 60 s after their oldest counted command —
// the refusals do not push that further out. A limit of 0 turns that window off.
//
// When a command is refused, `notify` is true for the first refusal of a limited stretch of
// that window only (until the time it named has passed), so the chat gets one "too many
// commands" reply rather than one per refused message.
//
// Thread safety: safe for concurrent use (one mutex around the windows).

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "core/clock.h"
#include "core/sliding_window.h"

namespace bot {

struct CommandLimits {
    int per_person_per_minute = 30;  // 0 = no limit
    int per_chat_per_minute = 120;   // 0 = no limit
};

struct LimitDecision {
    bool allowed = true;
    // When refused:
    std::string scope;              // "person" or "chat": which window is full
    int retry_after_seconds = 0;    // until that window has room again, at least 1
    bool notify = false;            // the first refusal of this stretch: tell the chat
};

class CommandLimiter {
public:
    CommandLimiter(const core::Clock& clock, CommandLimits limits);

    // Counts one command from `sender_id` in `chat_id` when both windows have room.
    LimitDecision admit(const std::string& platform, const std::string& sender_id, const std::string& chat_id);
    // Whether admit() would let a command in now; counts nothing. Callers ask it before a
    // costlier check that only matters for a refusal (is this a redelivery?).
    bool has_room(const std::string& platform, const std::string& sender_id, const std::string& chat_id);
    // A reload of the config: the windows stay, the new limits apply from the next command.
    void set_limits(CommandLimits limits);

private:
    struct Window {
        core::SlidingWindow admitted;      // commands admitted within the last minute
        long long notified_until_ms = 0;   // no second notice before this
    };
    using Key = std::pair<std::string, std::string>;  // (platform, sender or chat id)

    // Drops what fell out of the minute; ms until the window has room, 0 when it has now.
    static long long wait_ms(Window& window, int limit, long long now_ms);
    LimitDecision refuse(Window& window, const char* scope, long long wait, long long now_ms);
    void forget_idle(long long now_ms);

    const core::Clock& m_clock;
    std::mutex m_mutex;
    CommandLimits m_limits;          // Guarded by m_mutex.
    std::map<Key, Window> m_people;  // Guarded by m_mutex.
    std::map<Key, Window> m_chats;   // Guarded by m_mutex.
    long long m_admits = 0;          // Guarded by m_mutex. Every 1024 admits, idle windows go.
};

}  // namespace bot
