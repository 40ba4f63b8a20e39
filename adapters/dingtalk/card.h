#pragma once
// DingTalk interactive cards with buttons (cards research §B): the capability token a button
// carries, the card callback (HTTP `x-ddpaas-signature`, or a Stream frame on
// k_card_callback_topic) decoded and turned into the command a person would type, the answer
// that updates the card, and the createAndDeliver request that sends one. Pure functions, no
// I/O; safe for concurrent use. Implemented in dingtalk.cpp (inbound) and dingtalk_render.cpp.
//
// Why a token: DingTalk's HTTP card callback signs only a timestamp, not the body (§B.4), so
// outTrackId, userId and the params are unauthenticated. Every tap is bound to a button trackerd
// issued: tk = "v1|dingtalk|<chat>|<PROJECT/TASK>|<op>|<exp unix s>|<nonce>|<mac>", mac =
// base64url(HMAC-SHA256(key, everything before "|<mac>"))[:16 bytes], checked in constant time.
// The nonce is "<card nonce>-<op letter>", the card's outTrackId "trk-<card nonce>"; its one use
// is the inbound de-duplication key "card-tk:<nonce>".

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/api_outcome.h"
#include "core/message.h"
#include "core/result.h"

namespace adapters::dingtalk {

inline constexpr std::string_view k_card_callback_topic = "/v1.0/card/instances/callback";
inline constexpr std::string_view k_create_and_deliver_path = "/v1.0/card/instances/createAndDeliver";
// x-ddpaas-signature-timestamp may be this far from now either way. DingTalk documents no
// window (§B.1); five minutes, as for Slack.
inline constexpr long long k_card_signature_window_ms = 300000;

// ---- Capability tokens ------------------------------------------------------------------------

// The token key: HMAC-SHA256(secret, "trackerd/dingtalk/card-token/v1"). `secret` is trackerd's
// own (the web link secret), never a DingTalk secret; the label keeps the two uses apart.
std::string card_token_key(std::string_view secret);

struct CardToken {
    std::string chat_id;   // the openConversationId the card was sent to
    std::string value;     // core::Button::value: "P1/T003" ("P1" for web_view)
    std::string action;    // core::Button::action: task_done, task_ack, task_delay, task_open, web_view
    core::Locale locale = core::Locale::zh_cn;  // the card's language: the tap's command is typed in it
    long long expires_unix = 0;
    std::string nonce;     // "<card nonce>-<op letter>"
};

// nullopt when a field could not stand in the token ('|' in it, an unknown action, empty).
std::optional<std::string> mint_card_token(std::string_view key, const CardToken& token);
// ok when tk is well formed, its mac matches (constant time) and it has not expired. Errors
// are unauthorized: "malformed token", "token signature does not match", "token expired".
core::Result<CardToken> verify_card_token(std::string_view key, std::string_view tk, long long now_unix);
// The card nonce of a token nonce ("abc-d" -> "abc"); the card's outTrackId is "trk-" + it.
std::string card_nonce_of(std::string_view token_nonce);
std::string out_track_id(std::string_view card_nonce);

// ---- Callback ---------------------------------------------------------------------------------

// x-ddpaas-signature = base64(HMAC-SHA256(key = api_secret, msg = decimal timestamp)) (§B.1).
std::string card_signature(std::string_view api_secret, long long timestamp);
// Checks both headers: present, the signature matching (constant time) and the timestamp within
// window_ms of now_ms. UNSURE (§B.1): the unit is undocumented; it is read as ms, and a value
// below 10^11 as seconds. Errors are unauthorized and say which check failed.
core::Result<void> verify_card_signature(std::string_view api_secret, std::string_view timestamp_header,
                                         std::string_view signature_header, long long now_ms,
                                         long long window_ms = k_card_signature_window_ms);

struct CardCallback {
    std::string out_track_id;
    std::string user_id;      // the tapper (userIdType 1: staff id)
    std::string corp_id;
    std::string space_type;   // Stream only: IM_GROUP, IM_ROBOT …; "" over HTTP
    std::string space_id;     // Stream only: the conversation; "" over HTTP
    std::string action_id;    // cardPrivateData.actionIds[0]
    std::string token;        // cardPrivateData.params.tk, "" when absent
};
// The HTTP body or the Stream frame's data (§B.1); `content` is a JSON string. invalid_argument
// when malformed or without outTrackId / userId.
core::Result<CardCallback> decode_card_callback(std::string_view body);

// What a callback answers (HTTP body, or Stream ack's "response"): `shared` updates the card
// for everyone (cardData), `private_to_tapper` only what the tapper sees (userPrivateData).
struct CardAnswer {
    std::vector<std::pair<std::string, std::string>> shared;
    std::vector<std::pair<std::string, std::string>> private_to_tapper;
};
std::string render_card_answer(const CardAnswer& answer);
// The Stream ack's data: {"response": <render_card_answer>}.
std::string render_card_stream_response(const CardAnswer& answer);

// ---- Sending ----------------------------------------------------------------------------------

struct CardSettings {
    std::string template_id;         // dingtalk.card_template_id
    std::string robot_code;
    bool stream = false;             // callbackType STREAM, else HTTP with route_key
    std::string route_key;           // dingtalk.card_callback_route_key
    std::string token_key;           // card_token_key(...)
    long long token_ttl_seconds = 7 * 86400;
};

// One card for `message` in group `open_conversation_id`: nullopt when the message cannot be a
// card (no request button, or buttons for more than one task: the template has one set of
// tk_* variables) — then it goes as markdown, the typed commands written in it. cardParamMap:
// title, markdown, tk_done / tk_ack / tk_delay / tk_open / tk_web (a token, or ""), web_url
// (`web_url`, may be ""), status "pending", statusText "". `card_nonce`: 16+ url-safe chars.
std::optional<std::string> render_card(const core::ChatMessage& message, const CardSettings& settings,
                                       std::string_view open_conversation_id, std::string_view card_nonce,
                                       long long now_unix, std::string_view web_url = "");
// The line a markdown message carries instead of buttons: 回复「T003 完成」「收到 T003」…
// ("" when no button runs a command).
std::string typed_commands_line(const core::ChatMessage& message);

// createAndDeliver's answer: 2xx with success (or a result) -> ok (message_id = outTrackId);
// 401/403 or a token code -> refresh_token; 429 -> retry after 1 s; 5xx -> retry; else fatal
// with DingTalk's code and message (or the failed deliverResults' errorMsg).
ApiOutcome parse_card_response(int status, std::string_view body);

}  // namespace adapters::dingtalk
