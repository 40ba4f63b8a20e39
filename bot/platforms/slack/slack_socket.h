#pragma once
// Slack Socket Mode (no public URL): the WsProtocol that gets a fresh wss:// URL from
// apps.connections.open with the app-level token, hands each envelope's payload to the same
// decoders and InboundHandler as the request URLs, and acknowledges an envelope by its
// envelope_id only after handle() returned (the store committed): an envelope whose handling
// failed is left unacknowledged, so Slack delivers it again. A slash command's answer travels
// in its acknowledgement's payload, as it would in the HTTP response. "disconnect" (warning,
// refresh_requested …) drops the connection and reconnects at once with a fresh URL.
//
// Thread safety: the WsProtocol calls come from one WsClient thread.

#include <functional>
#include <string>

#include "adapters/slack/socket_mode.h"
#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_client.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/net/ws_client.h"

namespace bot {

struct SlackSocketSettings {
    std::string app_token;    // xapp-…
    std::string api_base;     // https://slack.com/api
    std::string bot_user_id;  // "" = from authorizations[] in each event
};

class SlackSocketMode final : public WsProtocol {
public:
    // `metrics` may be null; `wake` tells the outbox worker that a reply was queued.
    SlackSocketMode(SlackSocketSettings settings, HttpClient& http, InboundHandler& inbound,
                    std::function<void()> wake, DaemonMetrics* metrics = nullptr);

    core::Result<std::string> connect_url() override;
    bool on_frame(const WsFrame& frame, WsConnection& connection) override;

private:
    // The acknowledgement's payload ("" = a plain ack), or nullopt: do not acknowledge.
    std::optional<std::string> handle(const adapters::slack::SocketEnvelope& envelope);
    void count(RequestOutcome outcome);

    const SlackSocketSettings m_settings;
    HttpClient& m_http;
    InboundHandler& m_inbound;
    std::function<void()> m_wake;
    DaemonMetrics* m_metrics;
};

}  // namespace bot
