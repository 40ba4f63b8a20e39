#pragma once
// AppUnderTest for the long connections (socket mode): a test CA in m_dir that the App trusts,
// reconnects within 10–50 ms, and a start() that returns once the App has connected to the
// suite's FakeSocketPlatform (a member of the suite, built on m_tls, returned by platform()).
//
// Thread safety: as AppUnderTest.

#include <chrono>
#include <functional>

#include "tests/support/app_under_test.h"
#include "tests/support/fake_socket_platform.h"
#include "tests/support/test_tls.h"

namespace testing_support {

class SocketAppUnderTest : public AppUnderTest {
protected:
    static constexpr std::chrono::seconds k_wait{10};

    virtual FakeSocketPlatform& platform() = 0;

    config::Config base_config() const override {
        config::Config config = AppUnderTest::base_config();
        config.socket.ca_file = m_tls.ca_file;
        config.socket.reconnect_min_ms = 10;
        config.socket.reconnect_max_ms = 50;
        return config;
    }

    // Starts the App on make_config(), changed by `adjust`, and waits for its first connection.
    void start(const std::function<void(config::Config&)>& adjust = {}) {
        config::Config config = make_config();
        if (adjust) adjust(config);
        ASSERT_NO_FATAL_FAILURE(AppUnderTest::start(config));
        ASSERT_TRUE(wait([&] { return platform().connections() == 1; }));
    }

    bool wait(const std::function<bool()>& predicate) { return platform().wait_until(predicate, k_wait); }

    TestTls m_tls = make_test_tls(m_dir.path().string());
};

}  // namespace testing_support
