#pragma once
// Slack Socket Mode wire format (no public URL needed): the apps.connections.open answer, the
// envelopes Slack sends over the WebSocket, and the acknowledgement of an envelope by its
// envelope_id. An envelope's payload is what the HTTP request URLs would have received (as
// JSON, also for slash commands and interactivity), so the decoders of slack.h do the rest.
// Pure functions; safe for concurrent use.

#include <string>
#include <string_view>

#include "adapters/common/inbound.h"
#include "adapters/slack/slack.h"
#include "core/result.h"

namespace adapters::slack {

// apps.connections.open with the app-level token (xapp-…): {"ok":true,"url":"wss://…"} -> the
// URL (single use). Errors: upstream with the HTTP status or Slack's error code
// ("invalid_auth", "not_allowed_token_type" …).
core::Result<std::string> parse_connections_open(int http_status, std::string_view body);

struct SocketEnvelope {
    enum class Kind {
        hello,           // the connection is ready
        disconnect,      // Slack will close this connection: open a new one (reason says why)
        events_api,      // payload = an Events API body (decode_events)
        slash_commands,  // payload = a slash command's fields (decode_socket_slash_command)
        interactive,     // payload = a block_actions payload (decode_socket_interaction)
        other,           // anything else: acknowledge it when it has an envelope_id
    };
    Kind kind = Kind::other;
    std::string type;                // as Slack wrote it
    std::string envelope_id;         // "" for hello / disconnect
    std::string payload;             // the payload object, serialised; "" when absent
    bool accepts_response_payload = false;
    long long retry_attempt = 0;     // > 0 when Slack delivers this envelope again
    std::string retry_reason;
    std::string reason;              // disconnect: "warning", "refresh_requested", "link_disabled" …
};

// One WebSocket text message. invalid_argument when it is not a JSON object with a type.
core::Result<SocketEnvelope> decode_socket_envelope(std::string_view text);

// {"envelope_id":"…"} — and "payload" (a JSON object, e.g. a slash command's response from
// render_response) when not "". Slack redelivers an envelope that is not acknowledged.
std::string render_socket_ack(std::string_view envelope_id, std::string_view payload_json = "");

// A slash_commands payload as decode_slash_command reads the form body (same dedup key).
core::Result<InboundMessage> decode_socket_slash_command(std::string_view payload_json);
// An interactive payload as decode_interaction reads the form body.
core::Result<Interaction> decode_socket_interaction(std::string_view payload_json);

}  // namespace adapters::slack
