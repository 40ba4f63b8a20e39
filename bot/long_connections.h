#pragma once
// The long connections of the platforms configured with "mode": "socket" — Slack Socket Mode,
// DingTalk Stream, Feishu long connection — each a WsProtocol kept open by its own WsClient.
// Their state shows in /readyz (one check per connection) and /metrics
// (trackerd_socket_up{platform}, trackerd_socket_reconnects_total{platform}); a connection
// that was down at least socket.down_alert_seconds is reported once it is back: in the log,
// and in socket.alert_chat through the outbox.
//
// Thread safety: start/stop from one thread; statuses(), readiness_checks() and
// refresh_metrics() from any thread.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_client.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/ops/ops_routes.h"
#include "bot/net/ws_client.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

struct LongConnectionsDeps {
    const config::Config& config;
    HttpClient& http;
    InboundHandler& inbound;
    store::Store& store;
    const core::Clock& clock;
    std::function<void()> wake;                           // a reply or alert was queued
    const std::map<std::string, const PlatformOut*>& outs;  // for the alert chat
    DaemonMetrics* metrics = nullptr;
};

class LongConnections {
public:
    explicit LongConnections(const LongConnectionsDeps& deps);
    ~LongConnections();
    LongConnections(const LongConnections&) = delete;
    LongConnections& operator=(const LongConnections&) = delete;

    bool empty() const { return m_entries.empty(); }
    void start();
    void stop();  // joins every connection's thread
    std::vector<WsStatus> statuses() const;
    // "<platform>_socket": ok when the connection is up, else its state and last error.
    std::vector<ReadinessCheck> readiness_checks() const;
    void refresh_metrics();

private:
    void add(const std::string& platform, std::unique_ptr<WsProtocol> protocol, std::chrono::milliseconds tick);
    void connection_back(const std::string& platform, std::chrono::milliseconds down_for);

    struct Entry {
        std::string platform;
        std::unique_ptr<WsProtocol> protocol;
        std::unique_ptr<WsClient> client;
    };
    const config::Config& m_config;
    store::Store& m_store;
    const core::Clock& m_clock;
    std::function<void()> m_wake;
    const std::map<std::string, const PlatformOut*>& m_outs;
    DaemonMetrics* m_metrics;
    GaugeFamily* m_up = nullptr;            // registered when there is a connection and metrics
    CounterFamily* m_reconnects = nullptr;
    std::vector<Entry> m_entries;
};

}  // namespace bot
