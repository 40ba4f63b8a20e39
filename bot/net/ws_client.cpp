// WsConnection on Boost.Beast + Boost.Asio SSL (OpenSSL), and WsClient's reconnect loop.
//
// Every Asio operation is asynchronous on a private io_context that the owning thread runs only
// inside read/send/close, until the operation it waits for has completed: so timeouts (Beast's
// handshake and idle timers, the TCP connect deadline) work, a read can stay pending across
// read() calls without being cancelled (cancelling a TLS read leaves the stream unusable), and
// interrupt() from another thread is a post() onto that io_context.

#include "bot/net/ws_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <random>

namespace bot {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t k_max_message_bytes = 16 * 1024 * 1024;

struct WsUrl {
    std::string host;
    std::string port = "443";
    std::string target = "/";
};

std::optional<WsUrl> parse_wss_url(std::string_view url) {
    constexpr std::string_view scheme = "wss://";
    if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
    url.remove_prefix(scheme.size());
    size_t slash = url.find_first_of("/?");
    std::string_view authority = url.substr(0, slash);
    WsUrl parts;
    if (slash != std::string_view::npos) {
        parts.target = std::string(url.substr(slash));
        if (parts.target.front() == '?') parts.target = "/" + parts.target;
    }
    if (!authority.empty() && authority.front() == '[') {  // [::1]:443
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        parts.host = std::string(authority.substr(1, close - 1));
        if (close + 1 < authority.size() && authority[close + 1] == ':') parts.port = std::string(authority.substr(close + 2));
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        parts.host = std::string(authority.substr(0, colon));
        parts.port = std::string(authority.substr(colon + 1));
    } else {
        parts.host = std::string(authority);
    }
    if (parts.host.empty() || parts.port.empty()) return std::nullopt;
    return parts;
}

bool is_ip_address(const std::string& host) {
    beast::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

core::Error upstream(const std::string& what) { return core::make_error(core::ErrorCode::upstream, what); }

}  // namespace

struct WsConnection::Impl {
    asio::io_context ioc;
    ssl::context tls{ssl::context::tls_client};
    websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws{ioc, tls};
    beast::flat_buffer buffer;
    std::string where;  // host:port/path, for messages (no query: it may carry a ticket)
    std::chrono::milliseconds send_timeout{10000};

    bool reading = false;                   // an async_read is in flight
    std::optional<core::Result<WsFrame>> ready;  // a completed read not yet returned
    std::optional<std::string> broken;      // set once the connection failed
    std::atomic<bool> interrupted{false};

    Impl() = default;
    ~Impl() {
        beast::error_code ec;
        beast::get_lowest_layer(ws).socket().close(ec);
        ioc.restart();
        ioc.poll();  // lets aborted handlers finish while every member is alive
    }

    // Runs the io_context until `done` or, with a deadline, until it passes.
    void run_until(const bool& done, std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt) {
        if (ioc.stopped()) ioc.restart();
        while (!done) {
            std::size_t ran = deadline ? ioc.run_one_until(*deadline) : ioc.run_one();
            if (ran == 0) {
                if (deadline && std::chrono::steady_clock::now() >= *deadline) return;
                if (ioc.stopped()) ioc.restart();
                if (!deadline) return;  // nothing left to run: the operation cannot complete
            }
        }
    }

    core::Result<void> handshake(const WsUrl& url, const WsOptions& options) {
        beast::error_code ec;
        // On the stream: SSL_new copied the context's verify mode when the stream was built.
        ws.next_layer().set_verify_mode(ssl::verify_peer, ec);
        if (ec) return upstream("cannot enable certificate verification: " + ec.message());
        if (options.ca_file.empty())
            tls.set_default_verify_paths(ec);
        else
            tls.load_verify_file(options.ca_file, ec);
        if (ec) return upstream("cannot load the trust store: " + ec.message());
        SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);

        // Peer name checks: an IP address against the certificate's IP SANs, a name against its
        // DNS names (and SNI for names only).
        SSL* handle = ws.next_layer().native_handle();
        X509_VERIFY_PARAM* param = SSL_get0_param(handle);
        if (is_ip_address(url.host)) {
            X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str());
        } else {
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
            SSL_set_tlsext_host_name(handle, url.host.c_str());
        }

        bool done = false;
        auto deadline = std::chrono::steady_clock::now() + options.connect_timeout;
        tcp::resolver resolver(ioc);
        tcp::resolver::results_type endpoints;
        resolver.async_resolve(url.host, url.port, [&](beast::error_code e, tcp::resolver::results_type r) {
            ec = e;
            endpoints = std::move(r);
            done = true;
        });
        run_until(done, deadline);
        if (!done) return upstream("resolving " + url.host + " timed out");
        if (ec) return upstream("cannot resolve " + url.host + ": " + ec.message());

        done = false;
        beast::get_lowest_layer(ws).expires_at(deadline);
        beast::get_lowest_layer(ws).async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
            ec = e;
            done = true;
        });
        run_until(done);
        if (ec) return upstream("cannot connect to " + where + ": " + ec.message());

        done = false;
        ws.next_layer().async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
            ec = e;
            done = true;
        });
        run_until(done);
        if (ec) return upstream("TLS handshake with " + where + " failed: " + ec.message());

        beast::get_lowest_layer(ws).expires_never();  // the websocket's own timers take over
        websocket::stream_base::timeout timeouts{};
        timeouts.handshake_timeout = options.connect_timeout;
        timeouts.idle_timeout = options.idle_timeout;
        timeouts.keep_alive_pings = true;
        ws.set_option(timeouts);
        ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
            request.set(beast::http::field::user_agent, "trackerd");
        }));
        ws.read_message_max(k_max_message_bytes);
        done = false;
        std::string host_header = url.host + ":" + url.port;
        websocket::response_type response;
        ws.async_handshake(response, host_header, url.target, [&](beast::error_code e) {
            ec = e;
            done = true;
        });
        run_until(done);
        if (ec) {
            std::string status = response.result_int() ? " (HTTP " + std::to_string(response.result_int()) + ")" : "";
            return upstream("WebSocket handshake with " + where + " failed: " + ec.message() + status);
        }
        return core::ok();
    }

    void start_read() {
        reading = true;
        ws.async_read(buffer, [this](beast::error_code ec, std::size_t) {
            reading = false;
            if (ec) {
                std::string why = ec.message();
                if (ec == websocket::error::closed)
                    why = "closed by the server (code " + std::to_string(ws.reason().code) + " " +
                          std::string(ws.reason().reason.c_str()) + ")";
                if (interrupted) why = "interrupted";
                ready = upstream(why);
                return;
            }
            WsFrame frame;
            frame.binary = ws.got_binary();
            frame.data = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            ready = std::move(frame);
        });
    }
};

WsConnection::WsConnection(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

WsConnection::~WsConnection() = default;

core::Result<std::unique_ptr<WsConnection>> WsConnection::open(const std::string& url, const WsOptions& options) {
    auto parts = parse_wss_url(url);
    if (!parts) return core::make_error(core::ErrorCode::invalid_argument, "not a wss:// URL");
    auto impl = std::make_unique<Impl>();
    std::string path = parts->target.substr(0, parts->target.find('?'));
    impl->where = parts->host + ":" + parts->port + path;
    impl->send_timeout = options.send_timeout;
    auto ok = impl->handshake(*parts, options);
    if (!ok) return ok.error();
    return std::unique_ptr<WsConnection>(new WsConnection(std::move(impl)));
}

core::Result<std::optional<WsFrame>> WsConnection::read(std::chrono::milliseconds wait) {
    Impl& impl = *m_impl;
    if (impl.broken) return upstream(*impl.broken);
    if (impl.interrupted) {
        impl.broken = "interrupted";
        return upstream(*impl.broken);
    }
    if (!impl.ready && !impl.reading) impl.start_read();
    if (!impl.ready) {
        auto deadline = std::chrono::steady_clock::now() + wait;
        if (impl.ioc.stopped()) impl.ioc.restart();
        while (!impl.ready && impl.ioc.run_one_until(deadline) > 0) {
        }
    }
    if (!impl.ready) return std::optional<WsFrame>{};
    auto result = std::move(*impl.ready);
    impl.ready.reset();
    if (!result) {
        impl.broken = result.error().message;
        return result.error();
    }
    return std::optional<WsFrame>{std::move(*result)};
}

core::Result<void> WsConnection::send(std::string_view data, bool binary) {
    Impl& impl = *m_impl;
    if (impl.broken) return upstream(*impl.broken);
    bool done = false;
    beast::error_code ec;
    impl.ws.binary(binary);
    impl.ws.async_write(asio::buffer(data.data(), data.size()), [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    impl.run_until(done, std::chrono::steady_clock::now() + impl.send_timeout);
    if (!done) {
        // Closing the socket aborts the write, whose handler (it refers to this frame) then runs.
        beast::error_code ignored;
        beast::get_lowest_layer(impl.ws).socket().close(ignored);
        impl.run_until(done);
        impl.broken = "send timed out";
        return upstream("send to " + impl.where + " timed out after " + std::to_string(impl.send_timeout.count()) +
                        " ms (the server is not reading)");
    }
    if (ec) return upstream("send failed: " + ec.message());
    return core::ok();
}

void WsConnection::close() {
    Impl& impl = *m_impl;
    if (impl.broken) return;
    impl.broken = "closed";
    bool done = false;
    impl.ws.async_close(websocket::close_code::normal, [&](beast::error_code) { done = true; });
    impl.run_until(done, std::chrono::steady_clock::now() + std::chrono::seconds(1));
}

void WsConnection::interrupt() {
    Impl* impl = m_impl.get();
    impl->interrupted = true;
    asio::post(impl->ioc, [impl] {
        beast::error_code ec;
        beast::get_lowest_layer(impl->ws).socket().shutdown(tcp::socket::shutdown_both, ec);
        beast::get_lowest_layer(impl->ws).socket().close(ec);
    });
}

// ---- WsClient -------------------------------------------------------------------------------

const char* to_string(WsState state) {
    switch (state) {
        case WsState::stopped: return "stopped";
        case WsState::connecting: return "connecting";
        case WsState::up: return "up";
        case WsState::down: return "down";
    }
    return "unknown";
}

namespace {
long long steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}
}  // namespace

WsClient::WsClient(WsClientOptions options, WsProtocol& protocol, BackCallback on_back)
    : m_options(std::move(options)), m_protocol(protocol), m_on_back(std::move(on_back)) {
    m_status.name = m_options.name;
}

WsClient::~WsClient() { stop(); }

void WsClient::start() {
    if (m_thread.joinable()) return;
    m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
}

void WsClient::stop() {
    if (!m_thread.joinable()) return;
    m_thread.request_stop();
    {
        std::lock_guard lock(m_mutex);
        if (m_current) m_current->interrupt();
    }
    m_wake.notify_all();
    m_thread.join();
}

WsStatus WsClient::status() const {
    std::lock_guard lock(m_mutex);
    return m_status;
}

void WsClient::set_state(WsState state, const std::string& error) {
    std::lock_guard lock(m_mutex);
    if (state == WsState::down && m_status.state != WsState::down) m_status.down_since_ms = steady_ms();
    if (state == WsState::up) m_status.down_since_ms = 0;
    if (!error.empty()) m_status.last_error = error;
    m_status.state = state;
}

bool WsClient::back_off(int failures, const std::stop_token& stop) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    auto delay = m_options.reconnect_min;
    for (int i = 1; i < failures && delay < m_options.reconnect_max; ++i) delay *= 2;
    delay = std::min(delay, m_options.reconnect_max);
    std::uniform_int_distribution<long long> jitter(delay.count() / 2, std::max<long long>(delay.count(), 1));
    std::chrono::milliseconds wait{jitter(random)};
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, stop, wait, [] { return false; });
    return !stop.stop_requested();
}

void WsClient::run(std::stop_token stop) {
    int failures = 0;
    bool ever_up = false;
    while (!stop.stop_requested()) {
        set_state(WsState::connecting);
        auto url = m_protocol.connect_url();
        core::Result<std::unique_ptr<WsConnection>> connection =
            url ? WsConnection::open(*url, m_options.socket) : core::Result<std::unique_ptr<WsConnection>>(url.error());
        if (!connection) {
            ++failures;
            spdlog::warn("{} connection: {} (attempt {})", m_options.name, connection.error().message, failures);
            set_state(WsState::down, connection.error().message);
            {
                std::lock_guard lock(m_mutex);
                ++m_status.reconnects;
            }
            if (!back_off(failures, stop)) break;
            continue;
        }
        WsConnection& open = **connection;
        long long down_since = 0;
        {
            std::lock_guard lock(m_mutex);
            m_current = &open;
            down_since = m_status.down_since_ms;
            ++m_status.connects;
        }
        set_state(WsState::up);
        spdlog::info("{} connection: up", m_options.name);
        if (ever_up && down_since != 0 && m_on_back) m_on_back(std::chrono::milliseconds(steady_ms() - down_since));
        ever_up = true;
        m_protocol.on_connected(open);

        auto up_at = std::chrono::steady_clock::now();
        bool asked_to_reconnect = false;
        std::string why;
        while (!stop.stop_requested()) {
            auto frame = open.read(m_options.tick);
            if (!frame) {
                why = frame.error().message;
                break;
            }
            if (*frame && !m_protocol.on_frame(**frame, open)) {
                asked_to_reconnect = true;
                why = "the server asked for a new connection";
                break;
            }
            m_protocol.on_tick(open);
        }
        {
            std::lock_guard lock(m_mutex);
            m_current = nullptr;
        }
        open.close();
        if (stop.stop_requested()) break;
        spdlog::warn("{} connection: down: {}", m_options.name, why);
        set_state(WsState::down, why);
        {
            std::lock_guard lock(m_mutex);
            ++m_status.reconnects;
        }
        if (asked_to_reconnect || std::chrono::steady_clock::now() - up_at >= m_options.stable_after) failures = 0;
        if (asked_to_reconnect) continue;  // a clean hand-over: no backoff
        if (!back_off(++failures, stop)) break;
    }
    set_state(WsState::stopped);
}

}  // namespace bot
