#include "bot/pipeline/command_limiter.h"

#include <algorithm>
#include <iterator>

namespace bot {
namespace {

constexpr long long k_minute_ms = 60'000;

}  // namespace

CommandLimiter::CommandLimiter(const core::Clock& clock, CommandLimits limits) : m_clock(clock), m_limits(limits) {}

void CommandLimiter::set_limits(CommandLimits limits) {
    std::lock_guard lock(m_mutex);
    m_limits = limits;
}

long long CommandLimiter::wait_ms(Window& window, int limit, long long now_ms) {
    // A command admitted exactly a minute ago has left the window: spans of a minute less 1 ms,
    // both ends counting.
    window.admitted.forget_before(now_ms - k_minute_ms + 1);
    long long frees_at = window.admitted.ready_at_ms(limit, k_minute_ms - 1, now_ms);
    return frees_at == 0 ? 0 : std::max(1LL, frees_at - now_ms);
}

LimitDecision CommandLimiter::refuse(Window& window, const char* scope, long long wait, long long now_ms) {
    LimitDecision decision;
    decision.allowed = false;
    decision.scope = scope;
    decision.retry_after_seconds = static_cast<int>((wait + 999) / 1000);
    if (now_ms >= window.notified_until_ms) {
        decision.notify = true;
        window.notified_until_ms = now_ms + wait;
    }
    return decision;
}

LimitDecision CommandLimiter::admit(const std::string& platform, const std::string& sender_id,
                                    const std::string& chat_id) {
    const long long now_ms = m_clock.now_unix_ms();
    std::lock_guard lock(m_mutex);
    Window& person = m_people[{platform, sender_id}];
    Window& chat = m_chats[{platform, chat_id}];
    if (long long wait = wait_ms(person, m_limits.per_person_per_minute, now_ms)) return refuse(person, "person", wait, now_ms);
    if (long long wait = wait_ms(chat, m_limits.per_chat_per_minute, now_ms)) return refuse(chat, "chat", wait, now_ms);
    if (m_limits.per_person_per_minute > 0) person.admitted.record(now_ms);
    if (m_limits.per_chat_per_minute > 0) chat.admitted.record(now_ms);
    if (++m_admits % 1024 == 0) forget_idle(now_ms);
    return LimitDecision{};
}

bool CommandLimiter::has_room(const std::string& platform, const std::string& sender_id, const std::string& chat_id) {
    const long long now_ms = m_clock.now_unix_ms();
    std::lock_guard lock(m_mutex);
    auto room = [&](std::map<Key, Window>& windows, const std::string& id, int limit) {
        auto it = windows.find(Key{platform, id});
        return it == windows.end() || wait_ms(it->second, limit, now_ms) == 0;
    };
    return room(m_people, sender_id, m_limits.per_person_per_minute) && room(m_chats, chat_id, m_limits.per_chat_per_minute);
}

// Windows with nothing in the last minute and no notice pending hold no state worth keeping.
void CommandLimiter::forget_idle(long long now_ms) {
    for (auto* windows : {&m_people, &m_chats}) {
        for (auto it = windows->begin(); it != windows->end();) {
            Window& window = it->second;
            wait_ms(window, 0, now_ms);
            bool idle = window.admitted.empty() && now_ms >= window.notified_until_ms;
            it = idle ? windows->erase(it) : std::next(it);
        }
    }
}

}  // namespace bot
