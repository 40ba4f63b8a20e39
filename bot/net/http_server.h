#pragma once
// The inbound HTTP server: cpp-httplib behind a narrow interface, so handlers see only plain
// structs. Limits body size, answers 413/404/405 itself, and wraps every handler in a
// last-resort catch (logged, counted, 500).
//
// Thread safety: routes are registered before start(); handlers run on the server's worker
// threads concurrently and must be thread-safe themselves. stop() may be called from any thread.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"

namespace bot {

struct HttpRequest {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;                            // the raw bytes, as signed
    std::string remote_addr;
    std::map<std::string, std::string> query;  // decoded query parameters, the first of each name (GET routes only)
    std::vector<std::string> path_params;      // the route pattern's capture groups, in order
    std::string header(const std::string& lower_name) const;
    std::string query_param(const std::string& name) const;  // "" when absent
};

struct HttpReply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

struct HttpServerOptions {
    size_t max_body_bytes = 1 << 20;
    int read_timeout_seconds = 5;
    int write_timeout_seconds = 5;
    // cpp-httplib gives each connection a worker thread for as long as it stays open, so a
    // keep-alive connection beyond this many waits for another to close: size it above the
    // connections expected at once. Threads start when connections need them and stop after
    // `idle_worker_seconds` without work, down to two (bot/worker_pool.h).
    size_t worker_threads = 64;
    int idle_worker_seconds = 30;
    size_t keep_alive_max_requests = 1000;  // per connection, then closed (httplib's default: 5)
    int keep_alive_timeout_seconds = 5;     // an idle keep-alive connection frees its thread
};

class HttpServer {
public:
    explicit HttpServer(HttpServerOptions options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // `path` is a regular expression matched against the whole (decoded) path, so
    // "/web/p/([^/]+)" puts the segment in HttpRequest::path_params.
    // With `media_type` ("application/json"), a request whose Content-Type names another media
    // type (parameters such as charset aside) is answered 415 with the reason, and logged,
    // before `handler` sees it.
    void post(const std::string& path, HttpHandler handler, std::string media_type = {});
    void get(const std::string& path, HttpHandler handler);
    // Binds host:port (port 0 picks a free one); returns the bound port.
    core::Result<int> bind(const std::string& host, int port);
    // Serves on a background thread until stop().
    void start();
    // Stops accepting, lets in-flight requests finish, joins the thread.
    void stop();
    long long handler_failures() const { return m_failures.load(); }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::jthread m_thread;
    std::atomic<long long> m_failures{0};
};

}  // namespace bot
