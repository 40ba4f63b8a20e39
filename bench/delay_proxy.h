#pragma once
// A TCP proxy on 127.0.0.1 that holds every byte for `delay` in each direction, as a platform
// that far away would: a connection costs one round trip (2 × delay) before the first byte of a
// request can leave, a TLS handshake one more, and each request one. For the reply-latency
// benchmark (bench_reply); not used by tests or the daemon.
//
// Thread safety: the proxy runs its own threads (an acceptor, and two per connection and
// direction); construct and destroy it from one thread.

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace bench {

class DelayProxy {
public:
    DelayProxy(int upstream_port, std::chrono::milliseconds delay);
    ~DelayProxy();
    DelayProxy(const DelayProxy&) = delete;
    DelayProxy& operator=(const DelayProxy&) = delete;

    int port() const { return m_port; }
    long long connections() const { return m_connections.load(); }

private:
    void accept_loop();
    void relay(int client);

    const int m_upstream_port;
    const std::chrono::milliseconds m_delay;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};
    std::atomic<long long> m_connections{0};
    std::thread m_acceptor;
    std::mutex m_mutex;
    std::vector<std::thread> m_relays;  // Guarded by m_mutex.
};

}  // namespace bench
