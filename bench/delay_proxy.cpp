// DelayProxy (delay_proxy.h): each direction of a connection is a reader that stamps what it
// receives and a writer that sends it once its stamp is `delay` old, in order.

#include "bench/delay_proxy.h"

#include "tests/support/loopback.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <string>

namespace bench {
namespace {

using Clock = std::chrono::steady_clock;
using testing_support::connect_loopback;
using testing_support::listen_on_loopback;

// One direction: bytes read from `from` reach `to` `delay` later. Ends when `from` closes (then
// shuts `to` down for writing once everything queued is out) or `stopping`.
void pipe_delayed(int from, int to, std::chrono::milliseconds delay, const std::atomic<bool>& stopping) {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::pair<Clock::time_point, std::string>> queue;
    bool closed = false;
    std::thread writer([&] {
        std::unique_lock lock(mutex);
        while (true) {
            changed.wait(lock, [&] { return closed || !queue.empty(); });
            if (queue.empty()) break;  // closed and drained
            const auto due = queue.front().first + delay;
            if (Clock::now() < due) {
                changed.wait_until(lock, due);
                continue;
            }
            std::string data = std::move(queue.front().second);
            queue.pop_front();
            lock.unlock();
            size_t sent = 0;
            while (sent < data.size()) {
                const ssize_t n = ::send(to, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
                if (n <= 0) break;
                sent += static_cast<size_t>(n);
            }
            lock.lock();
        }
        ::shutdown(to, SHUT_WR);
    });
    char buffer[16384];
    while (!stopping) {
        pollfd ready{from, POLLIN, 0};
        if (::poll(&ready, 1, 50) <= 0) continue;
        const ssize_t n = ::recv(from, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        std::lock_guard lock(mutex);
        queue.emplace_back(Clock::now(), std::string(buffer, static_cast<size_t>(n)));
        changed.notify_all();
    }
    {
        std::lock_guard lock(mutex);
        closed = true;
        changed.notify_all();
    }
    writer.join();
}

}  // namespace

DelayProxy::DelayProxy(int upstream_port, std::chrono::milliseconds delay)
    : m_upstream_port(upstream_port), m_delay(delay) {
    m_listen = listen_on_loopback(&m_port);
    m_acceptor = std::thread([this] { accept_loop(); });
}

DelayProxy::~DelayProxy() {
    m_stopping = true;
    ::shutdown(m_listen, SHUT_RDWR);
    m_acceptor.join();
    std::vector<std::thread> relays;
    {
        std::lock_guard lock(m_mutex);
        relays.swap(m_relays);
    }
    for (auto& relay : relays) relay.join();
    ::close(m_listen);
}

void DelayProxy::accept_loop() {
    while (!m_stopping) {
        const int client = ::accept(m_listen, nullptr, nullptr);
        if (client < 0) continue;
        const int one = 1;
        ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ++m_connections;
        std::lock_guard lock(m_mutex);
        m_relays.emplace_back([this, client] { relay(client); });
    }
}

void DelayProxy::relay(int client) {
    // The connection itself takes a round trip: the client's SYN and the server's SYN-ACK.
    std::this_thread::sleep_for(2 * m_delay);
    const int upstream = connect_loopback(m_upstream_port, /*nodelay=*/true);
    if (upstream >= 0) {
        std::thread back([&] { pipe_delayed(upstream, client, m_delay, m_stopping); });
        pipe_delayed(client, upstream, m_delay, m_stopping);
        back.join();
        ::close(upstream);
    }
    ::close(client);
}

}  // namespace bench
