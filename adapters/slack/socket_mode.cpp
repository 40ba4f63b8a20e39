#include "adapters/slack/socket_mode.h"

#include <nlohmann/json.hpp>

#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "core/json_depth.h"

namespace adapters::slack {

using json_fields::dump;
using json_fields::text_at;
namespace {

using Json = nlohmann::json;

core::Error invalid(const std::string& what) { return core::make_error(core::ErrorCode::invalid_argument, what); }

}  // namespace

core::Result<std::string> parse_connections_open(int http_status, std::string_view body) {
    if (http_status != 200)
        return core::make_error(core::ErrorCode::upstream, "apps.connections.open: HTTP " + std::to_string(http_status));
    Json parsed = Json::parse(body, nullptr, false);
    if (!parsed.is_object()) return core::make_error(core::ErrorCode::upstream, "apps.connections.open: unparseable body");
    if (parsed.value("ok", false) != true) {
        std::string error = text_at(parsed, "error");
        return core::make_error(core::ErrorCode::upstream,
                                "apps.connections.open: " + (error.empty() ? std::string("ok is not true") : error));
    }
    std::string url = text_at(parsed, "url");
    if (url.rfind("wss://", 0) != 0)
        return core::make_error(core::ErrorCode::upstream, "apps.connections.open: no wss:// url in the answer");
    return url;
}

core::Result<SocketEnvelope> decode_socket_envelope(std::string_view text) {
    if (auto shallow = core::check_json_depth(text); !shallow)
        return invalid("Slack socket envelope: " + shallow.error().message);
    Json parsed = Json::parse(text, nullptr, false);
    if (!parsed.is_object()) return invalid("Slack socket envelope: not a JSON object");
    SocketEnvelope envelope;
    envelope.type = text_at(parsed, "type");
    if (envelope.type.empty()) return invalid("Slack socket envelope: missing field type");
    envelope.envelope_id = text_at(parsed, "envelope_id");
    if (auto payload = parsed.find("payload"); payload != parsed.end() && payload->is_object())
        envelope.payload = dump(*payload);
    if (auto accepts = parsed.find("accepts_response_payload"); accepts != parsed.end() && accepts->is_boolean())
        envelope.accepts_response_payload = accepts->get<bool>();
    if (auto retry = parsed.find("retry_attempt"); retry != parsed.end() && retry->is_number_integer())
        envelope.retry_attempt = retry->get<long long>();
    envelope.retry_reason = text_at(parsed, "retry_reason");
    envelope.reason = text_at(parsed, "reason");

    using Kind = SocketEnvelope::Kind;
    if (envelope.type == "hello") envelope.kind = Kind::hello;
    else if (envelope.type == "disconnect") envelope.kind = Kind::disconnect;
    else if (envelope.type == "events_api") envelope.kind = Kind::events_api;
    else if (envelope.type == "slash_commands") envelope.kind = Kind::slash_commands;
    else if (envelope.type == "interactive") envelope.kind = Kind::interactive;
    bool needs_payload = envelope.kind == Kind::events_api || envelope.kind == Kind::slash_commands ||
                         envelope.kind == Kind::interactive;
    if (needs_payload && (envelope.envelope_id.empty() || envelope.payload.empty()))
        return invalid("Slack socket envelope: " + envelope.type + " without envelope_id or payload");
    return envelope;
}

std::string render_socket_ack(std::string_view envelope_id, std::string_view payload_json) {
    Json ack{{"envelope_id", std::string(envelope_id)}};
    if (!payload_json.empty()) {
        Json payload = Json::parse(payload_json, nullptr, false);
        if (payload.is_object()) ack["payload"] = std::move(payload);
    }
    return dump(ack);
}

core::Result<InboundMessage> decode_socket_slash_command(std::string_view payload_json) {
    Json parsed = Json::parse(payload_json, nullptr, false);
    if (!parsed.is_object()) return invalid("Slack slash command: payload is not a JSON object");
    // The same fields the form body carries: one decoder for both transports.
    std::string form;
    for (auto it = parsed.begin(); it != parsed.end(); ++it) {
        if (!it.value().is_string()) continue;
        if (!form.empty()) form += '&';
        form += url_encode(it.key()) + "=" + url_encode(it.value().get<std::string>());
    }
    return decode_slash_command(form);
}

core::Result<Interaction> decode_socket_interaction(std::string_view payload_json) {
    return decode_interaction("payload=" + url_encode(payload_json));
}

}  // namespace adapters::slack
