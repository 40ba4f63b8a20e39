#pragma once
// A Clock the test moves by hand. Safe for concurrent use (atomic).

#include <atomic>

#include "core/clock.h"

namespace testing_support {

class FakeClock final : public core::Clock {
public:
    explicit FakeClock(long long unix_ms = 1700000000000LL) : m_ms(unix_ms) {}
    long long now_unix() const override { return m_ms.load() / 1000; }
    long long now_unix_ms() const override { return m_ms.load(); }
    void set_unix(long long seconds) { m_ms = seconds * 1000; }
    void set_unix_ms(long long ms) { m_ms = ms; }
    void advance_seconds(long long seconds) { m_ms += seconds * 1000; }

private:
    std::atomic<long long> m_ms;
};

}  // namespace testing_support
