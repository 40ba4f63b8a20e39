#include "tests/support/fake_socket_platform.h"

#include <httplib.h>

#include <thread>

namespace testing_support {

FakeSocketPlatform::FakeSocketPlatform(const TestTls& tls, SocketDialect dialect, std::string backend_base)
    : m_dialect(std::move(dialect)), m_backend(std::move(backend_base)) {
    FakeWsServer::Handlers handlers;
    handlers.on_connect = [this](int, const std::string& target) { return on_connect(target); };
    handlers.on_message = [this](int, const bot::WsFrame& frame) { on_message(frame); };
    m_ws = std::make_unique<FakeWsServer>(tls, std::move(handlers));

    m_front = std::make_unique<httplib::Server>();
    m_front->Post(m_dialect.open_path.c_str(), [this](const httplib::Request& request, httplib::Response& response) {
        std::string ticket;
        {
            std::lock_guard lock(m_mutex);
            ticket = "t" + std::to_string(++m_opens);
            m_tickets.insert(ticket);
        }
        auto [status, body] = m_dialect.open(request.body, request.get_header_value("Authorization"),
                                             m_ws->url("/link/?ticket=" + ticket));
        if (status != 200) {
            std::lock_guard lock(m_mutex);
            m_tickets.erase(ticket);
        }
        response.status = status;
        response.set_content(body, "application/json");
    });
    auto forward = [this](const httplib::Request& request, httplib::Response& response) {
        if (m_backend.empty()) {
            response.status = 404;
            return;
        }
        httplib::Client client(m_backend);
        httplib::Headers headers;
        for (const auto& [name, value] : request.headers) {
            if (name == "Host" || name == "Content-Length" || name == "Content-Type" || name == "REMOTE_ADDR" ||
                name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT")
                continue;
            headers.emplace(name, value);
        }
        auto result = request.method == "GET"
                          ? client.Get(request.target.c_str(), headers)
                          : client.Post(request.target.c_str(), headers, request.body,
                                        request.get_header_value("Content-Type").c_str());
        if (!result) {
            response.status = 502;
            return;
        }
        response.status = result->status;
        for (const auto& [name, value] : result->headers)
            if (name != "Content-Length" && name != "Content-Type" && name != "Transfer-Encoding")
                response.set_header(name.c_str(), value);
        response.set_content(result->body, result->get_header_value("Content-Type").c_str());
    };
    m_front->Post(".*", forward);
    m_front->Get(".*", forward);
    m_front_port = m_front->bind_to_any_port("127.0.0.1");
    m_front_thread = std::make_unique<std::jthread>([this] { m_front->listen_after_bind(); });
}

FakeSocketPlatform::~FakeSocketPlatform() {
    m_front->stop();
    m_front_thread.reset();
    // The server's thread may be in on_connect, which sends through m_ws: join it before m_ws is
    // reset (unique_ptr::reset nulls the pointer before the destructor joins that thread).
    m_ws->stop();
    m_ws.reset();
}

std::string FakeSocketPlatform::base_url() const { return "http://127.0.0.1:" + std::to_string(m_front_port); }

bool FakeSocketPlatform::on_connect(const std::string& target) {
    std::vector<std::pair<std::string, std::string>> pending;
    std::vector<int> attempts;
    {
        std::lock_guard lock(m_mutex);
        size_t at = target.find("ticket=");
        std::string ticket = at == std::string::npos ? "" : target.substr(at + 7);
        ticket = ticket.substr(0, ticket.find('&'));
        if (!m_tickets.erase(ticket)) return false;  // unknown or used ticket: single use
        pending = m_pending;
        for (const auto& [id, body] : pending) attempts.push_back(m_deliveries[id]++);
    }
    if (m_dialect.greeting) {
        std::string greeting = m_dialect.greeting();
        if (!greeting.empty()) m_ws->send(greeting, m_dialect.binary);
    }
    for (size_t i = 0; i < pending.size(); ++i)
        m_ws->send(m_dialect.frame(pending[i].first, pending[i].second, attempts[i]), m_dialect.binary);
    std::lock_guard lock(m_mutex);
    ++m_connections;
    return true;
}

void FakeSocketPlatform::on_message(const bot::WsFrame& frame) {
    std::string id = m_dialect.acked_id(frame);
    std::lock_guard lock(m_mutex);
    m_received.push_back(frame);
    if (id.empty()) return;
    ++m_acks[id];
    std::erase_if(m_pending, [&](const auto& entry) { return entry.first == id; });
}

void FakeSocketPlatform::deliver(const std::string& id, const std::string& body, bool drop_after) {
    int attempt = 0;
    {
        std::lock_guard lock(m_mutex);
        m_pending.emplace_back(id, body);
        attempt = m_deliveries[id]++;
    }
    m_ws->send(m_dialect.frame(id, body, attempt), m_dialect.binary, drop_after);
}

void FakeSocketPlatform::send_raw(const std::string& data) { m_ws->send(data, m_dialect.binary); }

int FakeSocketPlatform::opens() const {
    std::lock_guard lock(m_mutex);
    return m_opens;
}

int FakeSocketPlatform::connections() const {
    std::lock_guard lock(m_mutex);
    return m_connections;
}

int FakeSocketPlatform::deliveries(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    auto it = m_deliveries.find(id);
    return it == m_deliveries.end() ? 0 : it->second;
}

int FakeSocketPlatform::acks(const std::string& id) const {
    std::lock_guard lock(m_mutex);
    auto it = m_acks.find(id);
    return it == m_acks.end() ? 0 : it->second;
}

std::vector<bot::WsFrame> FakeSocketPlatform::received() const {
    std::lock_guard lock(m_mutex);
    return m_received;
}

bool FakeSocketPlatform::wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
    return m_ws->wait_until(predicate, timeout);
}

}  // namespace testing_support
