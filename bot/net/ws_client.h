#pragma once
// The transport of the platforms' long connections (Slack Socket Mode, DingTalk Stream, Feishu
// long connection): a WebSocket over TLS, and a loop that keeps one open, reconnecting with
// jittered exponential backoff. What travels over it is the platform's business (WsProtocol);
// Boost.Beast stays inside ws_client.cpp.
//
// Thread safety: WsConnection is used by one thread, except interrupt(), which any thread may
// call. WsClient: start/stop from one thread; status() from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/result.h"

namespace bot {

struct WsOptions {
    std::string ca_file;  // PEM file of trusted CAs; "" = the system's trust store
    std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS + WebSocket handshakes
    // No frame (data, ping or pong) for this long and the connection is dead. Beast pings the
    // server when half of it has passed in silence, so a live but quiet server answers in time.
    std::chrono::milliseconds idle_timeout{30000};
    // A message not written by then — the server stopped reading and the TCP buffers are full —
    // breaks the connection (the caller reconnects) instead of blocking its thread for good.
    std::chrono::milliseconds send_timeout{10000};
};

struct WsFrame {
    bool binary = false;
    std::string data;
};

// One open wss:// connection. The server certificate is verified against the trust store and
// the URL's host (DNS name or IP address). Server pings are answered automatically.
class WsConnection {
public:
    // wss://host[:port]/path?query. Errors: invalid_argument (not a wss URL), upstream (DNS,
    // TCP, TLS or handshake failure; the message says which and never contains the query).
    static core::Result<std::unique_ptr<WsConnection>> open(const std::string& url, const WsOptions& options);
    ~WsConnection();
    WsConnection(const WsConnection&) = delete;
    WsConnection& operator=(const WsConnection&) = delete;

    // Waits up to `wait` for the next text or binary message. nullopt: none yet, still open.
    // Error (upstream): closed by the server (with its close code and reason), idle timeout,
    // reset, or interrupted. After an error the connection is unusable.
    core::Result<std::optional<WsFrame>> read(std::chrono::milliseconds wait);
    // Error (upstream): broken before, failed, or not written within WsOptions::send_timeout
    // (the connection is then closed and unusable).
    core::Result<void> send(std::string_view data, bool binary = false);
    // Sends a close frame and waits briefly for the server's; errors are ignored.
    void close();
    // From any thread: the current or next read() fails soon with "interrupted".
    void interrupt();

private:
    struct Impl;
    explicit WsConnection(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// What a platform does over the connection WsClient keeps open. Called on WsClient's thread.
class WsProtocol {
public:
    virtual ~WsProtocol() = default;
    // A fresh wss:// URL (the platforms hand out single-use ones over HTTPS). Errors back off.
    virtual core::Result<std::string> connect_url() = 0;
    // Called with each message. Return false to drop the connection and reconnect (the
    // platform asked for it); errors sending on `connection` may be ignored: a broken
    // connection shows up on the next read.
    virtual bool on_frame(const WsFrame& frame, WsConnection& connection) = 0;
    // Called at least every `tick` while connected (application-level pings).
    virtual void on_tick(WsConnection& connection) { (void)connection; }
    // Called after each successful WebSocket handshake.
    virtual void on_connected(WsConnection& connection) { (void)connection; }
};

struct WsClientOptions {
    std::string name;  // "slack", "dingtalk", "feishu": for logs and status
    WsOptions socket;
    std::chrono::milliseconds reconnect_min{1000};   // first backoff; doubles per failure
    std::chrono::milliseconds reconnect_max{60000};  // cap
    std::chrono::milliseconds tick{1000};
    // A connection that stayed up this long resets the backoff to reconnect_min.
    std::chrono::milliseconds stable_after{30000};
};

enum class WsState { stopped, connecting, up, down };
const char* to_string(WsState state);

struct WsStatus {
    std::string name;
    WsState state = WsState::stopped;
    long long connects = 0;      // successful handshakes
    long long reconnects = 0;    // connection attempts after the first
    long long down_since_ms = 0; // steady-clock ms when it last went down (0 = never up / up)
    std::string last_error;
};

// Keeps one connection open on its own thread: connect_url(), open, read and hand frames to
// the protocol, and on any failure back off (uniformly jittered in [d/2, d], d doubling from
// reconnect_min to reconnect_max) and start again. `on_back` is called (on the client's
// thread) when a connection comes up after having been down, with how long it was down.
class WsClient {
public:
    using BackCallback = std::function<void(std::chrono::milliseconds down_for)>;
    WsClient(WsClientOptions options, WsProtocol& protocol, BackCallback on_back = {});
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    void start();
    // Interrupts the connection or the backoff wait and joins the thread. Idempotent.
    void stop();
    WsStatus status() const;

private:
    void run(std::stop_token stop);
    void set_state(WsState state, const std::string& error = "");
    // Sleeps the backoff for `failures` consecutive failures; false when stopping.
    bool back_off(int failures, const std::stop_token& stop);

    const WsClientOptions m_options;
    WsProtocol& m_protocol;
    BackCallback m_on_back;

    mutable std::mutex m_mutex;
    std::condition_variable_any m_wake;
    WsStatus m_status;                     // Guarded by m_mutex.
    WsConnection* m_current = nullptr;     // Guarded by m_mutex; the open connection, if any.
    std::jthread m_thread;
};

}  // namespace bot
