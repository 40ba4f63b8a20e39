#pragma once
// Feishu (Lark) long connection (长连接) wire format, as the official SDKs speak it (read in
// larksuite/oapi-sdk-go ws/client.go, ws/model.go, ws/const.go and ws/pbbp2.pb.go; our own
// code): POST {api_base}/callback/ws/endpoint {"AppID","AppSecret"} -> {"code":0,"data":{"URL":
// "wss://…?device_id=…&service_id=…","ClientConfig":{PingInterval, ReconnectInterval …}}};
// over the WebSocket, binary protobuf frames (pbbp2.Frame, encoded and decoded here by hand: one
// message type). Control frames (method 0) carry "type" ping/pong headers; data frames (method
// 1) carry "type" event with the plaintext event JSON as payload, possibly split in "sum"
// parts joined by "message_id"/"seq"; the client answers a data frame by sending it back with
// payload {"code":200,…} and a "biz_rt" header. Pure functions; safe for concurrent use.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/feishu/feishu.h"
#include "core/result.h"

namespace adapters::feishu {

inline constexpr std::string_view k_ws_endpoint_path = "/callback/ws/endpoint";
inline constexpr int32_t k_frame_control = 0;
inline constexpr int32_t k_frame_data = 1;

struct PbFrame {
    uint64_t seq_id = 0;
    uint64_t log_id = 0;
    int32_t service = 0;
    int32_t method = 0;  // k_frame_control | k_frame_data
    std::vector<std::pair<std::string, std::string>> headers;
    std::string payload_encoding;
    std::string payload_type;
    std::string payload;
    std::string log_id_new;

    std::string header(std::string_view key) const;  // "" when absent
};

std::string encode_frame(const PbFrame& frame);
// invalid_argument on truncated or malformed protobuf.
core::Result<PbFrame> decode_frame(std::string_view bytes);

// A control frame with header type=ping for `service_id` (the URL's service_id).
PbFrame ping_frame(int32_t service_id);

std::string render_ws_endpoint_request(std::string_view app_id, std::string_view app_secret);

struct WsEndpoint {
    std::string url;
    int32_t service_id = 0;         // the URL's service_id
    long long ping_interval_s = 120;  // ClientConfig.PingInterval (SDK default 2 min)
};
// Errors: upstream with the HTTP status or Feishu's code and msg.
core::Result<WsEndpoint> parse_ws_endpoint_response(int http_status, std::string_view body);

// The answer to a data frame: the frame itself with payload {"code":code,"data":null,"headers":{}}
// and header biz_rt = handling time in ms. `data`, when given (a card callback's answer, JSON),
// goes base64-encoded in "data", as the SDKs send it.
PbFrame response_frame(PbFrame frame, int code, long long biz_rt_ms, std::string_view data = {});

// A long-connection event payload (plaintext, im.message.receive_v1 …) decoded like a webhook
// body. The connection was opened with the app secret, so the payload's Verification Token is
// not checked.
core::Result<EventRequest> decode_long_connection_event(std::string_view payload, std::string_view bot_open_id);

}  // namespace adapters::feishu
