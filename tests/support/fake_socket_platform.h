#pragma once
// A platform's long-connection side for end-to-end tests, on 127.0.0.1: an HTTP front whose
// connections-open endpoint hands out single-use wss:// URLs (tickets) to a FakeWsServer with
// a test certificate, and that passes every other request on to the platform's HTTP fake (so
// one api_base serves both). Events are delivered as the platform does it: over the current
// connection, and again on every new connection until the client acknowledges them. What a
// frame and an acknowledgement look like is the dialect's business (Slack envelopes, DingTalk
// Stream frames, Feishu protobuf frames).
//
// Thread safety: safe for concurrent use; state is guarded by one mutex.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <string>
#include <vector>

#include "bot/net/ws_client.h"
#include "tests/support/fake_ws_server.h"
#include "tests/support/test_tls.h"

namespace httplib {
class Server;
}

namespace testing_support {

struct SocketDialect {
    std::string open_path;  // e.g. "/api/apps.connections.open"
    // The open endpoint's answer (status, body), handing out `wss_url`; `body` and
    // `authorization` are the request's. Return a non-200 status to refuse.
    std::function<std::pair<int, std::string>(const std::string& body, const std::string& authorization,
                                              const std::string& wss_url)>
        open;
    // Sent when a connection is up, before redeliveries ("" = nothing; Slack's hello).
    std::function<std::string()> greeting;
    bool binary = false;  // frames are binary (Feishu)
    // The frame delivering event `id` with `body`; attempt 0 first, then 1, 2 … on redelivery.
    std::function<std::string(const std::string& id, const std::string& body, int attempt)> frame;
    // The id a client message acknowledges, "" when it is not an acknowledgement.
    std::function<std::string(const bot::WsFrame& message)> acked_id;
};

class FakeSocketPlatform {
public:
    // `backend_base`: "http://127.0.0.1:PORT" of the platform's HTTP fake ("" = none).
    FakeSocketPlatform(const TestTls& tls, SocketDialect dialect, std::string backend_base);
    ~FakeSocketPlatform();
    FakeSocketPlatform(const FakeSocketPlatform&) = delete;
    FakeSocketPlatform& operator=(const FakeSocketPlatform&) = delete;

    std::string base_url() const;  // "http://127.0.0.1:PORT": the front

    // Delivers now (when connected) and on each new connection until acknowledged. With
    // drop_after, the connection is cut right after this frame is written: its
    // acknowledgement can never arrive on this connection.
    void deliver(const std::string& id, const std::string& body, bool drop_after = false);
    void send_raw(const std::string& data);  // e.g. a disconnect request
    FakeWsServer& ws() { return *m_ws; }

    int opens() const;                        // answered open requests
    int connections() const;                  // accepted connections, greeted and caught up
    int deliveries(const std::string& id) const;
    int acks(const std::string& id) const;
    std::vector<bot::WsFrame> received() const;  // everything the client sent, in order
    bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;

private:
    bool on_connect(const std::string& target);
    void on_message(const bot::WsFrame& frame);

    SocketDialect m_dialect;
    std::string m_backend;
    std::unique_ptr<FakeWsServer> m_ws;
    std::unique_ptr<httplib::Server> m_front;
    int m_front_port = 0;
    std::unique_ptr<std::jthread> m_front_thread;

    mutable std::mutex m_mutex;
    int m_opens = 0;                                  // Guarded by m_mutex.
    int m_connections = 0;                            // Guarded by m_mutex.
    std::set<std::string> m_tickets;                  // Guarded by m_mutex; issued, unused
    std::vector<std::pair<std::string, std::string>> m_pending;  // Guarded by m_mutex; (id, body), unacked
    std::map<std::string, int> m_deliveries;          // Guarded by m_mutex.
    std::map<std::string, int> m_acks;                // Guarded by m_mutex.
    std::vector<bot::WsFrame> m_received;             // Guarded by m_mutex.
};

}  // namespace testing_support
