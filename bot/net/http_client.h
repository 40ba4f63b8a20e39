#pragma once
// A small blocking HTTP(S) client for talking to the chat platforms (Slack, Feishu, DingTalk).
// Transport failures (connection refused, timeout, TLS) are errors (ErrorCode::upstream, the
// message says which); an HTTP error status is not: the response comes back for the caller's
// adapter to judge. Request bodies and header values are never logged or put in error messages,
// and URLs appear in messages only as scheme://host:port, because webhook URLs carry secrets.
//
// Connections are kept alive and reused (issue 22): each platform host (scheme://host:port) has
// a small pool of idle connections. A call takes one (or opens a new one when none is idle),
// and gives it back after a complete response; a connection that failed, that the server closed
// ("Connection: close", or its end of an idle connection), or that sat idle longer than
// idle_timeout is closed and not reused. So a reply to a platform tens or hundreds of
// milliseconds away pays the TCP and TLS handshakes once per pooled connection, not per request.
// A new TLS connection to a host offers the session of the last one (TLS session resumption):
// the server may then skip the certificate exchange — a round trip less on TLS 1.2, and less
// work on both sides on TLS 1.3. Sessions are kept per scheme://host:port only.
// A failed request is re-sent only in one case, HTTP/1.1 keep-alive's race: it went out on a
// kept connection that failed before the read timeout (the server closed it as the request
// arrived); it then goes once more on a new connection, as curl does. Otherwise the outbox
// decides (a POST may have been applied).
//
// Thread safety: safe for concurrent use: a connection is used by one call at a time; the pool
// is guarded by a mutex, never held across a request.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace bot {

struct HttpResponse {
    int status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;

    // The first value of header `name` (any case), or "" when absent.
    std::string header(std::string_view name) const;
};

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds read_timeout{10000};
    std::string ca_cert_path;  // PEM bundle for https; empty = the system's trust store
    // Idle connections kept per host (0: a connection per request, closed after it), and how
    // long one may sit idle before it is closed rather than reused. Servers close idle
    // keep-alive connections after their own timeout (often 60 s or more; cpp-httplib's 5 s);
    // one closed by the server is noticed before it is reused.
    size_t max_idle_per_host = 8;
    std::chrono::milliseconds idle_timeout{30000};
    // A new TLS connection offers the host's last session (off only to measure the difference).
    bool resume_tls_sessions = true;
};

// What the pool did since the client was made: connections opened, requests that went out on a
// connection kept from an earlier one. For /metrics and the tests.
struct HttpClientStats {
    long long connections_opened = 0;
    long long requests_reused = 0;
    long long tls_handshakes = 0;  // completed TLS handshakes
    long long tls_resumed = 0;     // of which resumed an earlier connection's session
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    core::Result<HttpResponse> post(const std::string& url, const HttpHeaders& headers,
                                    std::string_view body, std::string_view content_type);
    core::Result<HttpResponse> get(const std::string& url, const HttpHeaders& headers);

    const HttpClientOptions& options() const { return m_options; }
    HttpClientStats stats() const;
    // Closes every idle connection (the next call opens new ones).
    void close_idle();

    struct Connection;  // one kept-alive connection to one host (http_client.cpp)
    struct TlsSessions;  // the last TLS session per host, offered by the next connection to it

private:
    using Call = std::function<bool(Connection&, const std::string& path, const HttpHeaders& headers,
                                    HttpResponse& response, std::string& error)>;
    core::Result<HttpResponse> perform(std::string_view method, const std::string& url, const HttpHeaders& headers,
                                       const Call& call);
    // An idle connection to `base` that is still usable (unless `fresh`), or a new one (nullptr
    // when `base` is not a usable URL).
    std::unique_ptr<Connection> checkout(const std::string& base, bool fresh);
    // Back into the pool when it may be reused; closed otherwise. Also closes connections idle
    // longer than idle_timeout on every host.
    void checkin(std::unique_ptr<Connection> connection, bool reusable) noexcept;

    const HttpClientOptions m_options;
    mutable std::mutex m_mutex;
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> m_idle;  // Guarded by m_mutex.
    HttpClientStats m_stats;                                                  // Guarded by m_mutex.
    std::unique_ptr<TlsSessions> m_sessions;
};

// "https://hooks.slack.com/services/T/B/X?x=1" -> "https://hooks.slack.com/…": fit to log.
// Text that is not a URL comes back unchanged (a channel id such as "C123").
std::string redact_url(std::string_view url_or_id);

}  // namespace bot
