// HttpClient over cpp-httplib, with a pool of kept-alive connections per host. The only file in
// bot/ that sends HTTP requests.

#include "bot/net/http_client.h"

#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <exception>
#include <functional>
#include <poll.h>

#include "adapters/common/form.h"
#include "core/text.h"

namespace bot {
namespace {

// What went wrong, in words an operator can act on.
std::string describe(httplib::Error error) {
    switch (error) {
    case httplib::Error::Connection:
        return "connection refused or host unreachable";
    case httplib::Error::ConnectionTimeout:
        return "connect timed out";
    case httplib::Error::Read:
        return "read failed or timed out waiting for the response";
    case httplib::Error::Write:
        return "write failed while sending the request";
    case httplib::Error::SSLConnection:
        return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
        return "TLS: could not load CA certificates";
    case httplib::Error::SSLServerVerification:
        return "TLS: server certificate verification failed";
    case httplib::Error::BindIPAddress:
        return "could not bind the local address";
    case httplib::Error::Canceled:
        return "request canceled";
    case httplib::Error::Compression:
        return "response decompression failed";
    default:
        return "transport error (" + httplib::to_string(error) + ")";
    }
}

// True when an idle connection's socket has nothing to read: a server that closed its end (or
// sent anything unasked) makes it readable, and such a connection is not reused.
bool quiet(const httplib::Client& client) {
    pollfd fd{client.socket(), POLLIN, 0};
    return ::poll(&fd, 1, 0) == 0;
}

}  // namespace

// TLS session resumption. cpp-httplib 0.11.4 gives no access to a connection's SSL object, but
// each client has its own SSL_CTX (ssl_context()), and the context's callbacks see every SSL
// made from it: the info callback at the start of the handshake offers the host's last session
// (before the ClientHello is written), and the new-session callback keeps each session the
// server grants (TLS 1.3 sends its tickets after the handshake, read with the response).
struct HttpClient::TlsSessions {
    std::mutex mutex;
    std::map<std::string, SSL_SESSION*> by_base;  // Guarded by mutex; each entry owns one reference.
    std::atomic<long long> handshakes{0};
    std::atomic<long long> resumed{0};

    ~TlsSessions() {
        for (auto& [base, session] : by_base) SSL_SESSION_free(session);
    }
    // The host's session with a reference for the caller, or nullptr.
    SSL_SESSION* take_ref(const std::string& base) {
        std::lock_guard lock(mutex);
        auto found = by_base.find(base);
        if (found == by_base.end()) return nullptr;
        SSL_SESSION_up_ref(found->second);
        return found->second;
    }
    // Keeps `session` (and the reference it comes with) as the host's, instead of the one before.
    void put(const std::string& base, SSL_SESSION* session) {
        SSL_SESSION* before = nullptr;
        {
            std::lock_guard lock(mutex);
            auto [it, inserted] = by_base.try_emplace(base, session);
            if (!inserted) before = std::exchange(it->second, session);
        }
        if (before) SSL_SESSION_free(before);
    }
};

namespace {

// A connection's SSL_CTX app data: its host and the client's sessions.
struct TlsLink {
    HttpClient::TlsSessions* sessions = nullptr;
    std::string base;
};

TlsLink* link_of(const SSL* ssl) {
    return static_cast<TlsLink*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
}

int on_new_session(SSL* ssl, SSL_SESSION* session) {
    TlsLink* link = link_of(ssl);
    if (link == nullptr || !SSL_SESSION_is_resumable(session)) return 0;  // 0: not kept
    try {
        link->sessions->put(link->base, session);
    } catch (...) {
        return 0;  // out of memory: the next connection simply does a full handshake
    }
    return 1;  // the reference OpenSSL passed is ours now
}

void on_tls_info(const SSL* ssl, int where, int /*value*/) {
    TlsLink* link = link_of(ssl);
    if (link == nullptr || SSL_is_server(ssl)) return;
    if ((where & SSL_CB_HANDSHAKE_START) != 0) {
        if (SSL_get_session(ssl) != nullptr) return;  // not this connection's first handshake
        SSL_SESSION* session = nullptr;
        try {
            session = link->sessions->take_ref(link->base);
        } catch (...) {
            return;
        }
        if (session == nullptr) return;
        // The callback gets the SSL as const, but this is the moment to set the session: the
        // handshake has not begun, and OpenSSL reads it when it writes the ClientHello, next.
        SSL_set_session(const_cast<SSL*>(ssl), session);  // takes its own reference
        SSL_SESSION_free(session);
    } else if ((where & SSL_CB_HANDSHAKE_DONE) != 0) {
        ++link->sessions->handshakes;
        if (SSL_session_reused(ssl) != 0) ++link->sessions->resumed;
    }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    const auto it = headers.find(core::lower_ascii(name));
    return it == headers.end() ? std::string() : it->second;
}

struct HttpClient::Connection {
    std::string base;  // scheme://host:port
    TlsLink tls;       // https: the client's SSL_CTX points here, so it is destroyed after it
    std::unique_ptr<httplib::Client> client;
    std::chrono::steady_clock::time_point idle_since;
    bool reused = false;  // kept from an earlier request
};

HttpClient::HttpClient(HttpClientOptions options)
    : m_options(std::move(options)), m_sessions(std::make_unique<TlsSessions>()) {}

HttpClient::~HttpClient() = default;

std::unique_ptr<HttpClient::Connection> HttpClient::checkout(const std::string& base, bool fresh) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<Connection>> closing;  // closed after the lock is released
    if (!fresh) {
        std::lock_guard lock(m_mutex);
        auto idle = m_idle.find(base);
        while (idle != m_idle.end() && !idle->second.empty()) {
            std::unique_ptr<Connection> connection = std::move(idle->second.back());  // the most recent
            idle->second.pop_back();
            if (now - connection->idle_since < m_options.idle_timeout && connection->client->is_socket_open() &&
                quiet(*connection->client)) {
                ++m_stats.requests_reused;
                connection->reused = true;
                return connection;
            }
            closing.push_back(std::move(connection));
        }
    }
    auto connection = std::make_unique<Connection>();
    connection->base = base;
    connection->client = std::make_unique<httplib::Client>(base);
    httplib::Client& client = *connection->client;
    if (!client.is_valid()) return nullptr;
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.connections_opened;
    }
    client.set_connection_timeout(m_options.connect_timeout);
    client.set_read_timeout(m_options.read_timeout);
    client.set_write_timeout(m_options.read_timeout);
    client.set_follow_location(false);
    client.set_keep_alive(m_options.max_idle_per_host > 0);
    // The request line and headers go out before the body: with Nagle's algorithm the body
    // waited for the server's delayed ACK of the first segment, ~40 ms per request.
    client.set_tcp_nodelay(true);
    if (!m_options.ca_cert_path.empty()) client.set_ca_cert_path(m_options.ca_cert_path);
    SSL_CTX* context = client.ssl_context();  // https
    if (context != nullptr && m_options.resume_tls_sessions) {
        connection->tls = TlsLink{m_sessions.get(), base};
        SSL_CTX_set_app_data(context, &connection->tls);
        SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(context, on_new_session);
        SSL_CTX_set_info_callback(context, on_tls_info);
    }
    return connection;
}

void HttpClient::checkin(std::unique_ptr<Connection> connection, bool reusable) noexcept {
    // The server's "Connection: close" (or a failure) left the socket closed: nothing to keep.
    if (!reusable || m_options.max_idle_per_host == 0 || !connection->client->is_socket_open()) return;
    const auto now = std::chrono::steady_clock::now();
    connection->idle_since = now;
    std::vector<std::unique_ptr<Connection>> closing;  // closed after the lock is released
    try {
        std::lock_guard lock(m_mutex);
        // Idle too long, on any host: closed now rather than when that host is next asked.
        for (auto& [base, idle] : m_idle)
            while (!idle.empty() && now - idle.front()->idle_since >= m_options.idle_timeout) {
                closing.push_back(std::move(idle.front()));
                idle.erase(idle.begin());
            }
        auto& idle = m_idle[connection->base];
        if (idle.size() >= m_options.max_idle_per_host) {
            closing.push_back(std::move(idle.front()));
            idle.erase(idle.begin());
        }
        idle.push_back(std::move(connection));
    } catch (...) {
        // Out of memory: the request is done all the same; the connection is simply not kept.
    }
}

HttpClientStats HttpClient::stats() const {
    std::lock_guard lock(m_mutex);
    HttpClientStats stats = m_stats;
    stats.tls_handshakes = m_sessions->handshakes.load();
    stats.tls_resumed = m_sessions->resumed.load();
    return stats;
}

void HttpClient::close_idle() {
    std::map<std::string, std::vector<std::unique_ptr<Connection>>> closing;
    std::lock_guard lock(m_mutex);
    closing.swap(m_idle);
}

core::Result<HttpResponse> HttpClient::perform(std::string_view method, const std::string& url,
                                               const HttpHeaders& headers, const Call& call) {
    const auto parts = adapters::split_url(url);
    if (!parts) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                std::string(method) + ": not an http(s) URL: " + redact_url(url));
    }
    const std::string where = std::string(method) + " " + parts->base;
    try {
        const auto start = std::chrono::steady_clock::now();
        auto connection = checkout(parts->base, false);
        if (!connection) return core::make_error(core::ErrorCode::invalid_argument, where + ": unusable URL");
        HttpResponse response;
        std::string error;
        bool done = call(*connection, parts->path_and_query, headers, response, error);
        if (!done && connection->reused && std::chrono::steady_clock::now() - start < m_options.read_timeout) {
            // HTTP/1.1 keep-alive's race: the server closed the kept connection while the request
            // was on its way (it waited no read timeout, so the server did not sit on it). The
            // request goes once more, on a new connection, as curl does; the outbox would have
            // sent it again anyway, later.
            connection = checkout(parts->base, true);
            if (!connection) return core::make_error(core::ErrorCode::invalid_argument, where + ": unusable URL");
            response = HttpResponse{};
            error.clear();
            done = call(*connection, parts->path_and_query, headers, response, error);
        }
        checkin(std::move(connection), done);
        if (!done) return core::make_error(core::ErrorCode::upstream, where + ": " + error);
        return response;
    } catch (const std::exception& e) {
        return core::make_error(core::ErrorCode::internal, where + ": " + e.what());
    } catch (...) {
        return core::make_error(core::ErrorCode::internal, where + ": unknown exception");
    }
}

namespace {

// The response of `result` into `response`, or what went wrong into `error`; false on failure.
bool take(httplib::Result result, HttpResponse& response, std::string& error) {
    if (!result) {
        error = describe(result.error());
        return false;
    }
    response.status = result->status;
    response.body = std::move(result->body);
    for (const auto& [name, value] : result->headers) response.headers.emplace(core::lower_ascii(name), value);
    return true;
}

httplib::Headers to_httplib(const HttpHeaders& headers) {
    httplib::Headers out;
    for (const auto& [name, value] : headers) out.emplace(name, value);
    return out;
}

}  // namespace

core::Result<HttpResponse> HttpClient::post(const std::string& url, const HttpHeaders& headers,
                                            std::string_view body, std::string_view content_type) {
    const std::string type(content_type);
    return perform("POST", url, headers,
                   [&](Connection& connection, const std::string& path, const HttpHeaders& h, HttpResponse& response,
                       std::string& error) {
                       return take(connection.client->Post(path, to_httplib(h), body.data(), body.size(), type),
                                   response, error);
                   });
}

core::Result<HttpResponse> HttpClient::get(const std::string& url, const HttpHeaders& headers) {
    return perform("GET", url, headers,
                   [](Connection& connection, const std::string& path, const HttpHeaders& h, HttpResponse& response,
                      std::string& error) { return take(connection.client->Get(path, to_httplib(h)), response, error); });
}

std::string redact_url(std::string_view url_or_id) {
    const auto parts = adapters::split_url(url_or_id);
    if (!parts) {
        // Something URL-like that does not parse may still hold a secret.
        return url_or_id.find("://") == std::string_view::npos ? std::string(url_or_id) : "(url)";
    }
    if (parts->path_and_query == "/") return parts->base;
    return parts->base + "/…";
}

}  // namespace bot
