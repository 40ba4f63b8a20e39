#include "bot/platforms/slack/slack_socket.h"

#include <spdlog/spdlog.h>

#include "adapters/slack/slack.h"
#include "bot/platforms/slack/slack_out.h"

namespace bot {

using adapters::slack::SocketEnvelope;

SlackSocketMode::SlackSocketMode(SlackSocketSettings settings, HttpClient& http, InboundHandler& inbound,
                                 std::function<void()> wake, DaemonMetrics* metrics)
    : m_settings(std::move(settings)), m_http(http), m_inbound(inbound), m_wake(std::move(wake)), m_metrics(metrics) {}

core::Result<std::string> SlackSocketMode::connect_url() {
    auto response = m_http.post(m_settings.api_base + "/apps.connections.open",
                                {{"Authorization", "Bearer " + m_settings.app_token}}, "",
                                "application/x-www-form-urlencoded");
    if (!response) return response.error();
    return adapters::slack::parse_connections_open(response->status, response->body);
}

void SlackSocketMode::count(RequestOutcome outcome) {
    if (m_metrics) m_metrics->count_request("slack", outcome);
}

bool SlackSocketMode::on_frame(const WsFrame& frame, WsConnection& connection) {
    auto envelope = adapters::slack::decode_socket_envelope(frame.data);
    if (!envelope) {  // refused, not acknowledged (no readable envelope_id); the connection stays
        spdlog::warn("slack socket: frame refused: {}", envelope.error().message);
        count(RequestOutcome::bad_request);
        return true;
    }
    switch (envelope->kind) {
        case SocketEnvelope::Kind::hello:
            spdlog::debug("slack socket: hello");
            return true;
        case SocketEnvelope::Kind::disconnect:
            spdlog::info("slack socket: disconnect ({}): reconnecting with a fresh URL", envelope->reason);
            return false;
        default:
            break;
    }
    auto payload = handle(*envelope);
    if (payload && !envelope->envelope_id.empty()) {
        auto sent = connection.send(adapters::slack::render_socket_ack(envelope->envelope_id, *payload));
        if (!sent) spdlog::warn("slack socket: ack of {} not sent: {}", envelope->envelope_id, sent.error().message);
    }
    return true;
}

std::optional<std::string> SlackSocketMode::handle(const SocketEnvelope& envelope) {
    SlackOut out;
    switch (envelope.kind) {
        case SocketEnvelope::Kind::events_api: {
            auto decoded = adapters::slack::decode_events(envelope.payload, m_settings.bot_user_id);
            if (!decoded) {  // acknowledged: a redelivery would be just as malformed
                spdlog::warn("slack socket: malformed event: {}", decoded.error().message);
                count(RequestOutcome::bad_request);
                return "";
            }
            if (decoded->kind != adapters::slack::EventsRequest::Kind::message) {
                count(RequestOutcome::ignored);
                return "";
            }
            auto handled = m_inbound.handle(decoded->message, out);
            if (!handled) {
                spdlog::error("slack socket: {} not applied, left for redelivery: {}", decoded->message.dedup_key,
                              handled.error().message);
                count(RequestOutcome::error);
                return std::nullopt;
            }
            if (handled->duplicate) {
                spdlog::info("slack socket: duplicate delivery {} ignored (retry {})", decoded->message.dedup_key,
                             envelope.retry_attempt);
                count(RequestOutcome::duplicate);
                return "";
            }
            spdlog::info("slack socket: {} from {} in {} handled (changed={})", decoded->message.dedup_key,
                         decoded->message.sender_id, decoded->message.chat_id, handled->changed);
            count(RequestOutcome::ok);
            m_wake();
            return "";
        }
        case SocketEnvelope::Kind::slash_commands: {
            auto message = adapters::slack::decode_socket_slash_command(envelope.payload);
            if (!message) {
                spdlog::warn("slack socket: malformed slash command: {}", message.error().message);
                count(RequestOutcome::bad_request);
                return "";
            }
            auto handled = m_inbound.handle(*message, out, /*enqueue_reply=*/false);
            if (!handled) {
                spdlog::error("slack socket: slash command not applied, left for redelivery: {}",
                              handled.error().message);
                count(RequestOutcome::error);
                return std::nullopt;
            }
            count(handled->duplicate ? RequestOutcome::duplicate : RequestOutcome::ok);
            if (handled->duplicate || !envelope.accepts_response_payload) return "";
            return adapters::slack::render_response(handled->reply, handled->changed);
        }
        case SocketEnvelope::Kind::interactive: {
            auto interaction = adapters::slack::decode_socket_interaction(envelope.payload);
            auto message = interaction ? adapters::slack::interaction_message(*interaction) : std::nullopt;
            if (!message) {
                count(interaction ? RequestOutcome::ignored : RequestOutcome::bad_request);
                return "";
            }
            auto handled = m_inbound.handle(*message, out);
            if (!handled) {
                count(RequestOutcome::error);
                return std::nullopt;
            }
            count(handled->duplicate ? RequestOutcome::duplicate : RequestOutcome::ok);
            if (!handled->duplicate) m_wake();
            return "";
        }
        default:
            return "";
    }
}

}  // namespace bot
