#pragma once
// DingTalk Stream mode wire format (protocols.md §3.4): registering a connection with
// v1.0/gateway/connections/open (client id/secret, subscriptions) -> endpoint + single-use
// ticket, the JSON frames of the WebSocket, and the acknowledgement every frame needs (by its
// headers.messageId). A robot message's `data` is the HTTP callback body of §3.2, for
// decode_callback; a card callback's (k_card_callback_topic, adapters/dingtalk/card.h) is the
// card HTTP callback body plus spaceType/spaceId, for decode_card_callback, and its ack's data
// is render_card_stream_response. Pure functions; safe for concurrent use.

#include <string>
#include <string_view>

#include "core/result.h"

namespace adapters::dingtalk {

inline constexpr std::string_view k_stream_open_path = "/v1.0/gateway/connections/open";
inline constexpr std::string_view k_bot_message_topic = "/v1.0/im/bot/messages/get";

// {"clientId","clientSecret","subscriptions":[{"type":"CALLBACK","topic":k_bot_message_topic},
//  {"type":"CALLBACK","topic":k_card_callback_topic}],"ua","localIp"}
std::string render_stream_open_request(std::string_view client_id, std::string_view client_secret);

struct StreamEndpoint {
    std::string endpoint;  // wss://…/connect
    std::string ticket;    // single use, valid 90 s
};
// {"endpoint","ticket"}. Errors: upstream with the HTTP status and DingTalk's code/message.
core::Result<StreamEndpoint> parse_stream_open_response(int http_status, std::string_view body);
// endpoint + "?ticket=" + the URL-encoded ticket (§3.4 step 2).
std::string stream_url(const StreamEndpoint& endpoint);

struct StreamFrame {
    std::string type;        // "SYSTEM" | "CALLBACK" | "EVENT"
    std::string topic;       // headers.topic: "ping", "disconnect", k_bot_message_topic …
    std::string message_id;  // headers.messageId: what the ack names
    std::string data;        // the data string (JSON text for robot messages)
};
// One WebSocket text message. invalid_argument when it is not such a frame.
core::Result<StreamFrame> decode_stream_frame(std::string_view text);

// {"code":code,"headers":{"contentType":"application/json","messageId":…},"message":"OK"|…,
// "data":data}. A SYSTEM ping is answered with its own data; a callback with
// "{\"response\": null}". Frames that are not acknowledged are pushed again.
std::string render_stream_ack(std::string_view message_id, std::string_view data, int code = 200);

}  // namespace adapters::dingtalk
