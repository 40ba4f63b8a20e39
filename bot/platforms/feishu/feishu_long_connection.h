#pragma once
// Feishu long connection (长连接, no public URL): the WsProtocol that asks
// {api_base}/callback/ws/endpoint for a URL with the app id/secret, pings every PingInterval
// (from the endpoint's ClientConfig, updated by pongs), joins split data frames, and hands
// each event to the same decoder (plaintext; no token or signature: the connection is
// authenticated) and InboundHandler as the webhook. A data frame is answered {"code":200}
// only after handle() returned (the store committed); one whose handling failed gets no
// answer, so Feishu pushes it again (its deadline is 3 s; a slower answer also leads to a
// re-push, which the event_id / message_id de-duplication absorbs).
//
// Thread safety: the WsProtocol calls come from one WsClient thread.

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adapters/feishu/long_connection.h"
#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_client.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/net/ws_client.h"
#include "config/config.h"

namespace bot {

class FeishuLongConnection final : public WsProtocol {
public:
    // `metrics` may be null; `wake` tells the outbox worker that a reply was queued.
    FeishuLongConnection(const config::FeishuConfig& settings, HttpClient& http, InboundHandler& inbound,
                         std::function<void()> wake, DaemonMetrics* metrics = nullptr);

    core::Result<std::string> connect_url() override;
    void on_connected(WsConnection& connection) override;
    bool on_frame(const WsFrame& frame, WsConnection& connection) override;
    void on_tick(WsConnection& connection) override;

private:
    void ping(WsConnection& connection);
    // The whole payload once every part of a split message arrived; "" until then.
    std::string join_parts(const adapters::feishu::PbFrame& frame);
    // The answer's code (200), or 0: do not answer.
    int handle_event(const std::string& payload, std::string& answer);  // answer: a card tap's JSON
    void count(RequestOutcome outcome);

    const config::FeishuConfig m_settings;
    HttpClient& m_http;
    InboundHandler& m_inbound;
    std::function<void()> m_wake;
    DaemonMetrics* m_metrics;

    int32_t m_service_id = 0;
    std::chrono::seconds m_ping_interval{120};
    std::chrono::steady_clock::time_point m_next_ping{};
    struct Parts {
        std::vector<std::string> parts;
        std::chrono::steady_clock::time_point started;
    };
    std::map<std::string, Parts> m_partial;  // by message_id
};

}  // namespace bot
