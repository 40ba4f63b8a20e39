#include "adapters/dingtalk/stream.h"

#include <nlohmann/json.hpp>

#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "adapters/dingtalk/card.h"
#include "core/json_depth.h"

namespace adapters::dingtalk {

using json_fields::dump;
using json_fields::text_at;
namespace {

using Json = nlohmann::json;

}  // namespace

std::string render_stream_open_request(std::string_view client_id, std::string_view client_secret) {
    Json body{{"clientId", std::string(client_id)},
              {"clientSecret", std::string(client_secret)},
              {"subscriptions", Json::array({Json{{"type", "CALLBACK"}, {"topic", std::string(k_bot_message_topic)}},
                                             Json{{"type", "CALLBACK"}, {"topic", std::string(k_card_callback_topic)}}})},
              {"ua", "trackerd"},
              {"localIp", ""}};
    return dump(body);
}

core::Result<StreamEndpoint> parse_stream_open_response(int http_status, std::string_view body) {
    Json parsed = Json::parse(body, nullptr, false);
    if (http_status != 200) {
        std::string detail;
        if (parsed.is_object()) detail = text_at(parsed, "code") + " " + text_at(parsed, "message");
        return core::make_error(core::ErrorCode::upstream,
                                "gateway/connections/open: HTTP " + std::to_string(http_status) +
                                    (detail.size() > 1 ? ": " + detail : ""));
    }
    if (!parsed.is_object())
        return core::make_error(core::ErrorCode::upstream, "gateway/connections/open: unparseable body");
    StreamEndpoint endpoint{text_at(parsed, "endpoint"), text_at(parsed, "ticket")};
    if (endpoint.endpoint.rfind("wss://", 0) != 0 || endpoint.ticket.empty())
        return core::make_error(core::ErrorCode::upstream, "gateway/connections/open: no wss:// endpoint or ticket");
    return endpoint;
}

std::string stream_url(const StreamEndpoint& endpoint) {
    return endpoint.endpoint + (endpoint.endpoint.find('?') == std::string::npos ? "?" : "&") +
           "ticket=" + url_encode(endpoint.ticket);
}

core::Result<StreamFrame> decode_stream_frame(std::string_view text) {
    if (auto shallow = core::check_json_depth(text); !shallow)
        return core::make_error(core::ErrorCode::invalid_argument, "DingTalk stream frame: " + shallow.error().message);
    Json parsed = Json::parse(text, nullptr, false);
    if (!parsed.is_object()) return core::make_error(core::ErrorCode::invalid_argument, "DingTalk stream frame: not a JSON object");
    StreamFrame frame;
    frame.type = text_at(parsed, "type");
    if (auto headers = parsed.find("headers"); headers != parsed.end() && headers->is_object()) {
        frame.topic = text_at(*headers, "topic");
        frame.message_id = text_at(*headers, "messageId");
    }
    frame.data = text_at(parsed, "data");
    if (frame.type.empty() || frame.message_id.empty())
        return core::make_error(core::ErrorCode::invalid_argument, "DingTalk stream frame: missing type or headers.messageId");
    return frame;
}

std::string render_stream_ack(std::string_view message_id, std::string_view data, int code) {
    Json ack{{"code", code},
             {"headers", Json{{"contentType", "application/json"}, {"messageId", std::string(message_id)}}},
             {"message", code == 200 ? "OK" : "error"},
             {"data", std::string(data)}};
    return dump(ack);
}

}  // namespace adapters::dingtalk
