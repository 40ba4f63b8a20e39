#pragma once
// A sliding-window rate limit over event times, the one copy: at most `limit` events in any
// span of `span_ms` milliseconds, both ends of a span counting. The command limits
// (bot/pipeline/command_limiter.h, a minute per sender and per chat) and the outbox's windows
// per destination (bot/pipeline/outbox_worker.h, e.g. 20 a minute per DingTalk robot) use it.
//
// Thread safety: none; its owner guards it.

#include <algorithm>
#include <cstddef>
#include <deque>

namespace core {

class SlidingWindow {
public:
    // Records an event at `at_ms`, in time order among the others (answers to parallel sends
    // may come back out of order).
    void record(long long at_ms) { m_times.insert(std::upper_bound(m_times.begin(), m_times.end(), at_ms), at_ms); }
    // Forgets events before `cutoff_ms`: they count in no span that ends at or after
    // cutoff_ms + span_ms.
    void forget_before(long long cutoff_ms) {
        while (!m_times.empty() && m_times.front() < cutoff_ms) m_times.pop_front();
    }
    // The earliest instant (ms) from which one more event keeps every span within `limit`;
    // 0 when it already does at `now_ms`, or when limit or span_ms is 0 (no limit).
    long long ready_at_ms(int limit, long long span_ms, long long now_ms) const {
        if (limit <= 0 || span_ms <= 0) return 0;
        // An event now would share the span [now - span, now] with these.
        auto first_inside = std::lower_bound(m_times.begin(), m_times.end(), now_ms - span_ms);
        const long long inside = m_times.end() - first_inside;
        if (inside < limit) return 0;
        // Free once enough of them are more than `span_ms` old.
        return *(first_inside + (inside - limit)) + span_ms + 1;
    }
    bool empty() const { return m_times.empty(); }
    const std::deque<long long>& times() const { return m_times; }  // oldest first
    std::size_t size() const { return m_times.size(); }

private:
    std::deque<long long> m_times;  // oldest first
};

}  // namespace core
