// The HTTP server's elastic worker pool: threads start when jobs need them, up to the maximum,
// and retire after the idle timeout, down to the minimum.
#include "bot/net/worker_pool.h"

#include "bot/net/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace bot {
namespace {

using namespace std::chrono_literals;

// Jobs that hold their thread until released, like a keep-alive connection.
class Gate {
public:
    void wait() {
        std::unique_lock lock(m_mutex);
        ++m_waiting;
        m_cv.notify_all();
        m_cv.wait(lock, [&] { return m_open; });
    }
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_cv.notify_all();
    }
    bool wait_for_waiting(int n) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, 5s, [&] { return m_waiting >= n; });
    }
    int waiting() {
        std::lock_guard lock(m_mutex);
        return m_waiting;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_waiting = 0;
    bool m_open = false;
};

bool eventually(const std::function<bool()>& condition) {
    for (int i = 0; i < 500; ++i) {
        if (condition()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return condition();
}

TEST(WorkerPoolTest, StartsOnlyTheMinimumUntilJobsNeedMore) {
    WorkerPool pool({2, 64, 30s});
    EXPECT_EQ(pool.threads(), 2u);
    Gate gate;
    for (int i = 0; i < 5; ++i) pool.enqueue([&] { gate.wait(); });
    ASSERT_TRUE(gate.wait_for_waiting(5));  // five held connections: five threads, none queued
    EXPECT_EQ(pool.threads(), 5u);
    EXPECT_EQ(pool.idle(), 0u);
    gate.open();
    EXPECT_TRUE(eventually([&] { return pool.idle() == 5u; }));
}

TEST(WorkerPoolTest, AJobBeyondTheMaximumWaitsForAFreeThread) {
    WorkerPool pool({0, 3, 30s});
    Gate gate;
    std::atomic<int> fourth{0};
    for (int i = 0; i < 3; ++i) pool.enqueue([&] { gate.wait(); });
    pool.enqueue([&] { ++fourth; });
    ASSERT_TRUE(gate.wait_for_waiting(3));
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(pool.threads(), 3u);
    EXPECT_EQ(fourth.load(), 0);  // queued behind the three
    gate.open();
    EXPECT_TRUE(eventually([&] { return fourth.load() == 1; }));
}

TEST(WorkerPoolTest, IdleThreadsRetireDownToTheMinimumAndComeBackWhenNeeded) {
    WorkerPool pool({1, 8, 100ms});
    Gate gate;
    for (int i = 0; i < 6; ++i) pool.enqueue([&] { gate.wait(); });
    ASSERT_TRUE(gate.wait_for_waiting(6));
    EXPECT_EQ(pool.threads(), 6u);
    gate.open();
    EXPECT_TRUE(eventually([&] { return pool.threads() == 1u; })) << pool.threads();

    Gate again;
    for (int i = 0; i < 4; ++i) pool.enqueue([&] { again.wait(); });
    EXPECT_TRUE(again.wait_for_waiting(4));
    EXPECT_EQ(pool.threads(), 4u);
    again.open();
}

TEST(WorkerPoolTest, ShutdownRunsWhatWasQueuedAndJoinsEveryThread) {
    std::atomic<int> ran{0};
    {
        WorkerPool pool({0, 2, 30s});
        for (int i = 0; i < 50; ++i)
            pool.enqueue([&] {
                std::this_thread::sleep_for(1ms);
                ++ran;
            });
        pool.shutdown();
        EXPECT_EQ(ran.load(), 50);
        EXPECT_EQ(pool.threads(), 0u);
        pool.enqueue([&] { ++ran; });  // after shutdown: dropped, not run
    }
    EXPECT_EQ(ran.load(), 50);
}

TEST(WorkerPoolTest, AJobThatThrowsDoesNotTakeItsThreadDown) {
    WorkerPool pool({1, 1, 30s});
    std::atomic<bool> after{false};
    pool.enqueue([] { throw std::runtime_error("boom"); });
    pool.enqueue([&] { after = true; });
    EXPECT_TRUE(eventually([&] { return after.load(); }));
    EXPECT_EQ(pool.threads(), 1u);
}

// The server on top of the pool: 40 keep-alive connections each hold a request open at once
// (the handler returns only when all 40 are inside), so none may wait behind another, though
// the server started with two threads.
TEST(WorkerPoolTest, ServesAsManyKeepAliveConnectionsAtOnceAsItsMaximum) {
    HttpServerOptions options;
    options.worker_threads = 64;
    HttpServer server(options);
    const int connections = 40;
    Gate inside;
    server.get("/hold", [&](const HttpRequest&) {
        inside.wait();  // opened below once all are in
        return HttpReply{200, "text/plain", "ok", {}};
    });
    auto port = server.bind("127.0.0.1", 0);
    ASSERT_TRUE(port);
    server.start();
    std::vector<std::thread> clients;
    std::atomic<int> ok{0};
    for (int i = 0; i < connections; ++i)
        clients.emplace_back([&] {
            httplib::Client client("127.0.0.1", *port);
            client.set_keep_alive(true);
            client.set_read_timeout(10, 0);
            for (int round = 0; round < 2; ++round)  // the second request on the same connection
                if (auto response = client.Get("/hold"); response && response->status == 200) ++ok;
        });
    EXPECT_TRUE(inside.wait_for_waiting(connections)) << inside.waiting() << " of " << connections << " inside";
    inside.open();
    for (auto& client : clients) client.join();
    EXPECT_EQ(ok.load(), 2 * connections);
    server.stop();
}

}  // namespace
}  // namespace bot
