#pragma once
// DingTalk Stream mode (no public URL, protocols.md §3.4): the WsProtocol that registers a
// connection (client id/secret, the robot-message subscription) for an endpoint and a
// single-use ticket, answers SYSTEM pings, reconnects on SYSTEM disconnect, and hands robot
// messages (CALLBACK /v1.0/im/bot/messages/get, `data` = the HTTP callback body) to the same
// decoder and InboundHandler as the HTTP callback. Every frame is acknowledged by its
// messageId; a robot message only after handle() returned (the store committed), so one
// whose handling failed is pushed again. Redeliveries are caught by the msgId de-duplication.
// Card taps (CALLBACK /v1.0/card/instances/callback) go to handle_card_tap
// (dingtalk_routes.h); the ack's data is {"response": <the card update>} (cards research §B.1).
//
// Thread safety: the WsProtocol calls come from one WsClient thread.

#include <functional>
#include <optional>
#include <string>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_client.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/net/ws_client.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

class DingtalkStream final : public WsProtocol {
public:
    // `metrics` may be null; `wake` tells the outbox worker that a reply was queued.
    DingtalkStream(const config::DingtalkConfig& settings, HttpClient& http, InboundHandler& inbound,
                   const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics = nullptr);

    core::Result<std::string> connect_url() override;
    bool on_frame(const WsFrame& frame, WsConnection& connection) override;

private:
    // Whether to acknowledge the robot message in `data`.
    bool handle_message(const std::string& data);
    // The ack's data for a card callback in `data`; nullopt when it was not applied (no ack).
    std::optional<std::string> handle_card(const std::string& data);
    void count(RequestOutcome outcome);

    const config::DingtalkConfig m_settings;
    HttpClient& m_http;
    InboundHandler& m_inbound;
    const core::Clock& m_clock;
    std::function<void()> m_wake;
    DaemonMetrics* m_metrics;
};

}  // namespace bot
