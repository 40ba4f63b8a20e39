#include "bot/net/http_server.h"

#include "bot/net/worker_pool.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <exception>
#include <optional>
#include <string_view>

#include "core/text.h"

namespace bot {

std::string HttpRequest::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::query_param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

namespace {

// Connections waiting to be accepted (the kernel caps it at net.core.somaxconn).
constexpr int k_listen_backlog = 1024;

}  // namespace

struct HttpServer::Impl {
    httplib::Server server;
    HttpServerOptions options;
    int listen_fd = -1;  // the socket cpp-httplib bound last (set_socket_options sees it first)
};

namespace {

// `with_query`: the URL's query parameters. Not for POST: cpp-httplib puts a form body's fields
// among them too, and every POST route reads its body itself (a copy of each field was ~2 % of
// a slash command's CPU).
HttpRequest to_request(const httplib::Request& in, bool with_query) {
    HttpRequest out;
    out.method = in.method;
    out.path = in.path;
    out.body = in.body;
    out.remote_addr = in.remote_addr;
    for (const auto& [name, value] : in.headers) out.headers.emplace(core::lower_ascii(name), value);
    if (with_query)
        for (const auto& [name, value] : in.params) out.query.emplace(name, value);
    for (size_t i = 1; i < in.matches.size(); ++i) out.path_params.push_back(in.matches[i].str());
    return out;
}

void write_reply(const HttpReply& reply, httplib::Response& out) {
    out.status = reply.status;
    for (const auto& [name, value] : reply.headers) out.set_header(name, value);
    out.set_content(reply.body, reply.content_type);
}

// The media type of a Content-Type value, lower-cased, parameters and spaces dropped; a byte
// outside a token's characters becomes '?' and it stops at 64, so it is safe to log and echo.
std::string media_type_of(const std::string& content_type) {
    std::string type;
    for (char c : content_type.substr(0, content_type.find(';'))) {
        if (c == ' ' || c == '\t') continue;
        bool token = std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$&^_.+-/").find(c) != std::string_view::npos;
        type += token ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '?';
        if (type.size() == 64) break;
    }
    return type;
}

std::optional<HttpReply> refuse_media_type(const httplib::Request& in, const std::string& expected) {
    if (expected.empty()) return std::nullopt;
    std::string got = media_type_of(in.get_header_value("Content-Type"));
    if (got == expected) return std::nullopt;
    std::string reason = "unsupported content type " + (got.empty() ? std::string("(none)") : got) + ", expected " + expected;
    spdlog::warn("http POST {} -> 415 ({})", in.path, reason);
    return HttpReply{415, "application/json", "{\"error\":\"" + reason + "\"}", {}};
}

// cpp-httplib's task queue interface over WorkerPool (httplib's own ThreadPool starts every
// thread up front and keeps them).
class PoolQueue : public httplib::TaskQueue {
public:
    explicit PoolQueue(WorkerPoolOptions options) : m_pool(options) {}
    void enqueue(std::function<void()> job) override { m_pool.enqueue(std::move(job)); }
    void shutdown() override { m_pool.shutdown(); }

private:
    WorkerPool m_pool;
};

}  // namespace

HttpServer::HttpServer(HttpServerOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = options;
    auto& server = m_impl->server;
    server.set_payload_max_length(options.max_body_bytes);
    server.set_read_timeout(options.read_timeout_seconds, 0);
    server.set_write_timeout(options.write_timeout_seconds, 0);
    server.set_keep_alive_max_count(options.keep_alive_max_requests);
    server.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
    // Headers and body go out in separate writes: with Nagle's algorithm the body waited for
    // the client's delayed ACK, 40 ms per response on a keep-alive connection.
    server.set_tcp_nodelay(true);
    server.set_socket_options([impl = m_impl.get()](socket_t sock) {
        httplib::default_socket_options(sock);
        impl->listen_fd = sock;
    });
    WorkerPoolOptions pool{std::min<size_t>(2, options.worker_threads), options.worker_threads,
                           std::chrono::seconds(options.idle_worker_seconds)};
    server.new_task_queue = [pool] { return new PoolQueue(pool); };
    server.set_error_handler([](const httplib::Request& request, httplib::Response& response) {
        if (!response.body.empty()) return;
        std::string reason = response.status == 413   ? "request body too large"
                             : response.status == 404 ? "no such endpoint"
                                                      : "request refused";
        spdlog::warn("http {} {} -> {} ({})", request.method, request.path, response.status, reason);
        response.set_content("{\"error\":\"" + reason + "\"}", "application/json");
    });
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::post(const std::string& path, HttpHandler handler, std::string media_type) {
    m_impl->server.Post(path, [this, handler = std::move(handler), media_type = std::move(media_type)](
                                  const httplib::Request& in, httplib::Response& out) {
        if (auto refused = refuse_media_type(in, media_type)) return write_reply(*refused, out);
        try {
            write_reply(handler(to_request(in, false)), out);
        } catch (const std::exception& e) {
            ++m_failures;
            spdlog::error("http POST {}: handler failed: {}", in.path, e.what());
            write_reply(HttpReply{500, "application/json", "{\"error\":\"internal error\"}", {}}, out);
        }
    });
}

void HttpServer::get(const std::string& path, HttpHandler handler) {
    m_impl->server.Get(path, [this, handler = std::move(handler)](const httplib::Request& in, httplib::Response& out) {
        try {
            write_reply(handler(to_request(in, true)), out);
        } catch (const std::exception& e) {
            ++m_failures;
            spdlog::error("http GET {}: handler failed: {}", in.path, e.what());
            write_reply(HttpReply{500, "application/json", "{\"error\":\"internal error\"}", {}}, out);
        }
    });
}

core::Result<int> HttpServer::bind(const std::string& host, int port) {
    int bound = port == 0 ? m_impl->server.bind_to_any_port(host) : (m_impl->server.bind_to_port(host, port) ? port : -1);
    if (bound <= 0)
        return core::make_error(core::ErrorCode::io, "cannot listen on " + host + ":" + std::to_string(port));
    // cpp-httplib listens with a backlog of 5. When keep-alive connections end together (each
    // after keep_alive_max_requests) and their clients reconnect at once, the kernel dropped the
    // handshakes beyond 5, and each such client waited for its retransmission: the 200–430 ms
    // stalls of issue 22 (TcpExtListenOverflows counted them). Listening again resizes it.
    if (m_impl->listen_fd >= 0 && ::listen(m_impl->listen_fd, k_listen_backlog) != 0)
        spdlog::warn("http: could not raise the listen backlog to {}: {}", k_listen_backlog, std::strerror(errno));
    return bound;
}

void HttpServer::start() {
    auto finished = std::make_shared<std::atomic<bool>>(false);
    m_thread = std::jthread([this, finished] {
        m_impl->server.listen_after_bind();
        *finished = true;
    });
    // cpp-httplib's stop() does nothing until listen_after_bind has begun, so a stop() right
    // after start() would leave the thread serving for ever: return once it listens.
    while (!m_impl->server.is_running() && !*finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

void HttpServer::stop() {
    if (!m_impl) return;
    m_impl->server.stop();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace bot
