#pragma once
// The one door to the wall clock. Production code gets a SystemClock; tests a FakeClock
// (tests/support/fake_clock.h). Implementations must be safe for concurrent use.

#include <chrono>

namespace core {

class Clock {
public:
    virtual ~Clock() = default;
    // Unix time in seconds (UTC).
    virtual long long now_unix() const = 0;
    // Unix time in milliseconds (UTC); the DingTalk and Feishu protocols count in ms.
    virtual long long now_unix_ms() const { return now_unix() * 1000; }
};

class SystemClock final : public Clock {
public:
    long long now_unix() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
    long long now_unix_ms() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace core
