#include "bot/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <exception>

namespace bot {

std::string HttpRequest::header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
}

std::string HttpRequest::query_param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
}

struct HttpServer::Impl {
    httplib::Server server;
    HttpServerOptions options;
};

namespace {

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

HttpRequest to_request(const httplib::Request& in) {
    HttpRequest out;
    out.method = in.method;
    out.path = in.path;
    out.body = in.body;
    out.remote_addr = in.remote_addr;
    for (const auto& [name, value] : in.headers) out.headers.emplace(lower(name), value);
    for (const auto& [name, value] : in.params) out.query.emplace(name, value);
    for (size_t i = 1; i < in.matches.size(); ++i) out.path_params.push_back(in.matches[i].str());
    return out;
}

void write_reply(const HttpReply& reply, httplib::Response& out) {
    out.status = reply.status;
    for (const auto& [name, value] : reply.headers) out.set_header(name, value);
    out.set_content(reply.body, reply.content_type);
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options) : m_impl(std::make_unique<Impl>()) {
    m_impl->options = options;
    auto& server = m_impl->server;
    server.set_payload_max_length(options.max_body_bytes);
    server.set_read_timeout(options.read_timeout_seconds, 0);
    server.set_write_timeout(options.write_timeout_seconds, 0);
    server.set_keep_alive_max_count(options.keep_alive_max_requests);
    server.set_keep_alive_timeout(options.keep_alive_timeout_seconds);
    size_t threads = options.worker_threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
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

void HttpServer::post(const std::string& path, HttpHandler handler) {
    m_impl->server.Post(path, [this, handler = std::move(handler)](const httplib::Request& in, httplib::Response& out) {
        try {
            write_reply(handler(to_request(in)), out);
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
            write_reply(handler(to_request(in)), out);
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
    return bound;
}

void HttpServer::start() {
    m_thread = std::jthread([this] { m_impl->server.listen_after_bind(); });
}

void HttpServer::stop() {
    if (!m_impl) return;
    m_impl->server.stop();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace bot
