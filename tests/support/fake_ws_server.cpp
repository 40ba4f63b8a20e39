#include "tests/support/fake_ws_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <future>
#include <thread>

namespace testing_support {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

struct Outgoing {
    std::string data;
    bool binary = false;
    bool drop_after = false;
};

}  // namespace

struct FakeWsServer::Impl {
    ssl::context tls{ssl::context::tls_server};
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    Handlers handlers;
    int port = 0;

    struct Session : std::enable_shared_from_this<Session> {
        Impl& server;
        websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        std::deque<Outgoing> queue;  // server thread only
        bool writing = false;
        bool open = false;
        int number = 0;

        Session(Impl& owner, tcp::socket socket) : server(owner), ws(std::move(socket), owner.tls) {}

        void start() {
            auto self = shared_from_this();
            ws.next_layer().async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
                if (ec) return;
                http::async_read(self->ws.next_layer(), self->buffer, self->request,
                                 [self](beast::error_code e, std::size_t) { self->on_request(e); });
            });
        }

        void on_request(beast::error_code ec) {
            if (ec || !websocket::is_upgrade(request)) return;
            auto self = shared_from_this();
            // The callback is stored in ws, which the session owns: it must not hold the session
            // (a shared_ptr here is a cycle, and every session leaked). The server outlives it.
            ws.control_callback([&owner = server](websocket::frame_type kind, beast::string_view) {
                if (kind == websocket::frame_type::pong) owner.count_pong();
            });
            ws.async_accept(request, [self](beast::error_code e) {
                if (e) return;
                self->number = self->server.register_session(self);
                std::string target(self->request.target());
                if (self->server.handlers.on_connect && !self->server.handlers.on_connect(self->number, target)) {
                    self->cut();
                    return;
                }
                self->read();
            });
        }

        void read() {
            auto self = shared_from_this();
            buffer.consume(buffer.size());
            ws.async_read(buffer, [self](beast::error_code ec, std::size_t) {
                if (ec) {
                    self->open = false;
                    return;
                }
                bot::WsFrame frame{self->ws.got_binary(), beast::buffers_to_string(self->buffer.data())};
                if (self->server.handlers.on_message) self->server.handlers.on_message(self->number, frame);
                self->server.notify();
                self->read();
            });
        }

        void write(Outgoing message) {
            if (!open) return;
            queue.push_back(std::move(message));
            if (!writing) write_next();
        }

        void write_next() {
            if (queue.empty() || !open) {
                writing = false;
                return;
            }
            writing = true;
            auto self = shared_from_this();
            ws.binary(queue.front().binary);
            ws.async_write(asio::buffer(queue.front().data), [self](beast::error_code ec, std::size_t) {
                if (self->queue.empty()) return;  // cut() emptied the queue while this write was in flight
                bool drop = self->queue.front().drop_after;
                self->queue.pop_front();
                if (ec || drop) {
                    self->cut();
                    return;
                }
                self->write_next();
            });
        }

        void cut() {
            open = false;
            writing = false;
            queue.clear();
            beast::error_code ec;
            beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ec);
            beast::get_lowest_layer(ws).socket().close(ec);
        }
    };

    std::shared_ptr<Session> current;  // server thread only
    std::vector<std::shared_ptr<Session>> sessions;  // server thread only; kept until the end

    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    int connection_count = 0;  // Guarded by mutex.
    int pong_count = 0;        // Guarded by mutex.

    std::thread thread;

    int register_session(const std::shared_ptr<Session>& session) {
        session->open = true;
        current = session;
        sessions.push_back(session);
        int number = 0;
        {
            std::lock_guard lock(mutex);
            number = ++connection_count;
        }
        changed.notify_all();
        return number;
    }

    void count_pong() {
        {
            std::lock_guard lock(mutex);
            ++pong_count;
        }
        changed.notify_all();
    }

    void notify() {
        { std::lock_guard lock(mutex); }
        changed.notify_all();
    }

    void accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec) return;
            std::make_shared<Session>(*this, std::move(socket))->start();
            accept();
        });
    }

    template <typename F>
    void on_current(F action) {
        asio::post(ioc, [this, action = std::move(action)]() mutable {
            if (current && current->open) action(*current);
        });
    }
};

FakeWsServer::FakeWsServer(const TestTls& tls, Handlers handlers) : m_impl(std::make_unique<Impl>()) {
    Impl& impl = *m_impl;
    impl.handlers = std::move(handlers);
    impl.tls.use_certificate_chain(asio::buffer(tls.cert_pem));
    impl.tls.use_private_key(asio::buffer(tls.key_pem), ssl::context::pem);
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.set_option(asio::socket_base::reuse_address(true));
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen();
    impl.port = impl.acceptor.local_endpoint().port();
    impl.accept();
    impl.thread = std::thread([&impl] { impl.ioc.run(); });
}

FakeWsServer::~FakeWsServer() { stop(); }

void FakeWsServer::stop() {
    Impl& impl = *m_impl;
    if (!impl.thread.joinable()) return;
    std::promise<void> closed;
    asio::post(impl.ioc, [&impl, &closed] {
        beast::error_code ec;
        impl.acceptor.close(ec);
        for (auto& session : impl.sessions) session->cut();
        impl.current.reset();
        closed.set_value();
    });
    closed.get_future().wait_for(std::chrono::seconds(5));  // the sockets close on the server's thread
    impl.ioc.stop();
    impl.thread.join();
    impl.sessions.clear();
}

int FakeWsServer::port() const { return m_impl->port; }

std::string FakeWsServer::url(const std::string& path_and_query) const {
    return "wss://127.0.0.1:" + std::to_string(m_impl->port) + path_and_query;
}

void FakeWsServer::send(std::string data, bool binary, bool drop_after) {
    m_impl->on_current([message = Outgoing{std::move(data), binary, drop_after}](Impl::Session& session) mutable {
        session.write(std::move(message));
    });
}

void FakeWsServer::drop() {
    m_impl->on_current([](Impl::Session& session) { session.cut(); });
}

void FakeWsServer::close(int code) {
    m_impl->on_current([code](Impl::Session& session) {
        auto self = session.shared_from_this();
        session.ws.async_close(static_cast<websocket::close_code>(code), [self](beast::error_code) {});
    });
}

void FakeWsServer::ping() {
    m_impl->on_current([](Impl::Session& session) {
        auto self = session.shared_from_this();
        session.ws.async_ping({}, [self](beast::error_code) {});
    });
}

int FakeWsServer::connections() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->connection_count;
}

int FakeWsServer::pongs() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->pong_count;
}

bool FakeWsServer::wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
    // Woken by the server's events, and every 10 ms for state that changes elsewhere (the store).
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::unique_lock lock(m_impl->mutex);
        m_impl->changed.wait_for(lock, std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace testing_support
