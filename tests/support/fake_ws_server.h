#pragma once
// A WebSocket-over-TLS server on 127.0.0.1 (Boost.Beast's server side, in its own thread) for
// the platforms' long-connection fakes. It accepts any number of connections, one after the
// other being "current"; the platform fake scripts what it says through the handlers and the
// send/drop/close calls. Beast stays inside the .cpp.
//
// Thread safety: safe for concurrent use. Handlers run on the server's thread and may call
// any method (they are queued behind the handler).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/net/ws_client.h"
#include "tests/support/test_tls.h"

namespace testing_support {

class FakeWsServer {
public:
    struct Handlers {
        // A new connection (numbered from 1) was upgraded; `target` is its path and query.
        // Return false to close it at once (e.g. an unknown ticket).
        std::function<bool(int connection, const std::string& target)> on_connect;
        std::function<void(int connection, const bot::WsFrame& frame)> on_message;
    };

    FakeWsServer(const TestTls& tls, Handlers handlers);
    ~FakeWsServer();  // stop()
    // Closes every connection and joins the server's thread: no handler runs after it returns.
    // Idempotent.
    void stop();
    FakeWsServer(const FakeWsServer&) = delete;
    FakeWsServer& operator=(const FakeWsServer&) = delete;

    int port() const;
    // "wss://127.0.0.1:PORT" + path_and_query
    std::string url(const std::string& path_and_query) const;

    // Sends to the current connection (a no-op when there is none). With drop_after, the TCP
    // connection is cut (no close frame) as soon as this message has been written, so nothing
    // the client answers to it is ever read.
    void send(std::string data, bool binary = false, bool drop_after = false);
    void drop();                   // cuts the current connection's TCP connection
    void close(int code = 1000);   // a WebSocket close frame
    void ping();                   // a WebSocket ping; pongs() counts the answers

    int connections() const;       // upgraded so far
    int pongs() const;
    // Waits until `predicate` holds (checked under the server's lock after every event).
    bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace testing_support
