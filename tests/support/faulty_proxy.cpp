// FaultyProxy: plain POSIX sockets, one thread per connection.

#include "tests/support/faulty_proxy.h"

#include "tests/support/loopback.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <regex>

namespace testing_support {
namespace {

constexpr int k_slice_ms = 50;          // how often a blocked connection looks at m_stopping
constexpr int k_idle_limit_ms = 10000;  // a peer silent this long is given up

bool send_all(int fd, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// Reads one HTTP message (headers, then Content-Length bytes of body) from `fd`; "" when the
// peer closed first, stopped for too long, or `stopping` turned true.
std::string read_message(int fd, const std::atomic<bool>& stopping) {
    std::string data;
    size_t needed = std::string::npos;  // total size once the headers are known
    int idle_ms = 0;
    char buffer[8192];
    while (needed == std::string::npos || data.size() < needed) {
        if (stopping) return "";
        pollfd ready{fd, POLLIN, 0};
        const int polled = ::poll(&ready, 1, k_slice_ms);
        if (polled == 0) {
            if ((idle_ms += k_slice_ms) >= k_idle_limit_ms) return "";
            continue;
        }
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return needed == std::string::npos ? "" : data;
        idle_ms = 0;
        data.append(buffer, static_cast<size_t>(n));
        if (needed == std::string::npos) {
            const size_t end = data.find("\r\n\r\n");
            if (end == std::string::npos) continue;
            static const std::regex k_length(R"(\r\ncontent-length:\s*(\d+))");
            std::smatch match;
            const std::string head = lower(data.substr(0, end + 2));
            needed = end + 4 + (std::regex_search(head, match, k_length) ? std::stoul(match[1]) : 0);
        }
    }
    return data;
}

const char* reason(int status) {
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

std::string head(int status, const std::string& content_type, size_t length,
                 const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string text = "HTTP/1.1 " + std::to_string(status) + " " + reason(status) + "\r\n";
    if (!content_type.empty()) text += "Content-Type: " + content_type + "\r\n";
    text += "Content-Length: " + std::to_string(length) + "\r\nConnection: close\r\n";
    for (const auto& [name, value] : headers) text += name + ": " + value + "\r\n";
    return text + "\r\n";
}

}  // namespace

FaultyProxy::FaultyProxy(const std::string& upstream_base) : m_upstream_base(upstream_base) {
    static const std::regex k_port(R"(^http://127\.0\.0\.1:(\d+)$)");
    std::smatch match;
    if (!std::regex_match(upstream_base, match, k_port)) {
        std::fprintf(stderr, "FaultyProxy: upstream must be http://127.0.0.1:PORT, not %s\n", upstream_base.c_str());
        std::abort();
    }
    m_upstream_port = std::stoi(match[1]);
    m_listen = listen_on_loopback(&m_port);
    if (m_listen < 0) {
        std::fprintf(stderr, "FaultyProxy: cannot listen on 127.0.0.1\n");
        std::abort();
    }
    m_acceptor = std::jthread([this] { accept_loop(); });
}

FaultyProxy::~FaultyProxy() {
    m_stopping = true;
    ::shutdown(m_listen, SHUT_RDWR);  // wakes accept()
    m_changed.notify_all();           // wakes hangs
    if (m_acceptor.joinable()) m_acceptor.join();
    std::vector<std::jthread> workers;
    {
        std::lock_guard lock(m_mutex);
        workers.swap(m_workers);
    }
    workers.clear();  // joins
    ::close(m_listen);
}

std::string FaultyProxy::base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

std::string FaultyProxy::through(const std::string& upstream_url) const {
    if (upstream_url.rfind(m_upstream_base, 0) != 0) return upstream_url;
    return base_url() + upstream_url.substr(m_upstream_base.size());
}

void FaultyProxy::add_rule(std::string match, Fault fault, int times) {
    std::lock_guard lock(m_mutex);
    m_rules.push_back({std::move(match), std::move(fault), times});
}

void FaultyProxy::clear_rules() {
    std::lock_guard lock(m_mutex);
    m_rules.clear();
}

void FaultyProxy::release_hangs() {
    {
        std::lock_guard lock(m_mutex);
        ++m_release_generation;
    }
    m_changed.notify_all();
}

int FaultyProxy::faults_served() const {
    std::lock_guard lock(m_mutex);
    return m_faults;
}

int FaultyProxy::forwarded() const {
    std::lock_guard lock(m_mutex);
    return m_forwarded;
}

int FaultyProxy::hanging() const {
    std::lock_guard lock(m_mutex);
    return m_hanging;
}

bool FaultyProxy::wait_for_hanging(int count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_hanging >= count; });
}

void FaultyProxy::accept_loop() {
    while (!m_stopping) {
        const int client = ::accept(m_listen, nullptr, nullptr);
        if (client < 0) {
            if (m_stopping) return;
            continue;
        }
        std::lock_guard lock(m_mutex);
        m_workers.emplace_back([this, client] {
            serve(client);
            ::close(client);
        });
    }
}

bool FaultyProxy::pick_fault(const std::string& request, Fault* fault) {
    std::lock_guard lock(m_mutex);
    for (Rule& rule : m_rules) {
        if (rule.times == 0 || request.find(rule.match) == std::string::npos) continue;
        if (rule.times > 0) --rule.times;
        *fault = rule.fault;
        ++m_faults;
        return true;
    }
    ++m_forwarded;
    return false;
}

void FaultyProxy::serve(int client) {
    // Requests follow one another on a kept-alive connection until the client closes it, a
    // fault ends it, or a canned answer said "Connection: close".
    while (true) {
        const std::string request = read_message(client, m_stopping);
        if (request.empty()) return;
        Fault fault;
        if (!pick_fault(request, &fault)) {
            if (!forward(client, request)) return;
            continue;
        }
        switch (fault.kind) {
        case Fault::Kind::respond:
            send_all(client, head(fault.status, fault.content_type, fault.body.size(), fault.headers) + fault.body);
            return;
        case Fault::Kind::cut:
            send_all(client, head(fault.status, fault.content_type, fault.body.size() + 64, fault.headers) + fault.body);
            return;
        case Fault::Kind::close:
            return;
        case Fault::Kind::hang:
            hang_until_released(client);
            return;
        }
    }
}

void FaultyProxy::hang_until_released(int client) {
    std::unique_lock lock(m_mutex);
    const long long generation = m_release_generation;
    ++m_hanging;
    m_changed.notify_all();
    // Until released, stopped, or the client hung up (it timed out).
    while (!m_stopping && m_release_generation == generation) {
        m_changed.wait_for(lock, std::chrono::milliseconds(k_slice_ms));
        pollfd peer{client, POLLIN, 0};
        lock.unlock();
        const bool gone = ::poll(&peer, 1, 0) > 0 && (peer.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
        lock.lock();
        if (gone) break;
    }
    --m_hanging;
}

bool FaultyProxy::forward(int client, const std::string& request) {
    const int upstream = connect_loopback(m_upstream_port);
    if (upstream < 0) return false;
    bool answered = false;
    if (send_all(upstream, request)) {
        const std::string answer = read_message(upstream, m_stopping);
        answered = !answer.empty() && send_all(client, answer);
    }
    ::close(upstream);
    return answered;
}

}  // namespace testing_support
