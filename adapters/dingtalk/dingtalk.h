#pragma once
// DingTalk wire format <-> core types: HTTP-callback signature and body, sessionWebhook /
// custom-robot / robot OpenAPI bodies, custom-robot URL signing, tokens and API responses
// (protocols.md §3). Pure functions, no I/O; safe for concurrent use.

#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/api_outcome.h"
#include "adapters/common/inbound.h"
#include "core/message.h"
#include "core/result.h"

namespace adapters::dingtalk {

// ---- Inbound ------------------------------------------------------------------------------

// §3.2: sign = base64(HMAC-SHA256(key = app_secret, msg = timestamp + "\n" + app_secret)),
// compared in constant time with the raw `sign` header (not URL-decoded); the `timestamp`
// header (ms) must be within window_ms of now_ms either way. The body is NOT covered: dedup on
// msgId. Errors are unauthorized and say which check failed.
core::Result<void> verify_callback(std::string_view app_secret, std::string_view timestamp_ms_header,
                                   std::string_view sign_header, long long now_ms,
                                   long long window_ms = 3600000);

// The sign covers only the timestamp, so one captured (timestamp, sign) pair would carry any
// body for the whole window. For a verified callback: fills message.signature (the pair),
// signature_binding (the msgId and a digest of conversation, sender and text — what a
// redelivery of the same message repeats) and signature_expires_at (timestamp + window, unix s),
// for the inbound handler to bind the pair to this one message.
void bind_callback_signature(InboundMessage& message, std::string_view timestamp_ms_header,
                             std::string_view sign_header, long long window_ms);

// The sign value itself, for tests and the fake server (no URL-encoding).
std::string callback_sign(std::string_view app_secret, long long timestamp_ms);

struct Callback {
    enum class Kind { message, ignored };
    Kind kind = Kind::ignored;
    adapters::InboundMessage message;  // filled as far as the body allows, also when ignored
    std::string ignored_reason;        // kind == ignored: why, fit to log
    std::string robot_code;            // robotCode ("" for custom robots)
    std::string conversation_title;    // groups only
};

// Decodes a robot callback body (§3.2). Text messages only (richText, picture, … are ignored
// with a reason). text.content is trimmed (the @bot token is already removed by DingTalk);
// sender = senderStaffId, else senderId; mentions from atUsers[] with a staffId, the bot
// (dingtalkId == chatbotUserId) excluded; their display is the staffId, because DingTalk does
// not say how a mention reads in the text. Error invalid_argument when malformed.
core::Result<Callback> decode_callback(std::string_view raw_body);

// ---- Outbound -----------------------------------------------------------------------------

inline constexpr std::string_view k_token_url = "https://api.dingtalk.com/v1.0/oauth2/accessToken";
inline constexpr std::string_view k_group_send_url = "https://api.dingtalk.com/v1.0/robot/groupMessages/send";
inline constexpr size_t k_msg_param_limit = 15000;  // groupMessages msgParam bytes (§3.6)

// Dialect::markdown; mention "@" + person.dingtalk when set, else "@" + name;
// user_id = person.dingtalk (goes to at.atUserIds).
core::Markup dingtalk_markup();

// sessionWebhook reply (§3.6, same formats as §3.5): "text" when the message has no title and
// no buttons, else "markdown" {title, text ("### title" + sections)}; at.atUserIds lists
// mention_user_ids and each is written "@id" in the text (appended when missing). Buttons are
// dropped: sessionWebhook carries no callback buttons.
std::string render_session_reply(const core::ChatMessage& message);

// POST k_group_send_url: sampleMarkdown {title,text} or sampleText {content}; msgParam is a JSON
// string. A msgParam over k_msg_param_limit is truncated at a line (or UTF-8) boundary with a
// note; use split_for_limit first to keep everything.
std::string render_group_message(const core::ChatMessage& message, std::string_view robot_code,
                                 std::string_view open_conversation_id);
// Splits by sections (long sections by lines) so that each part's msgParam fits max_bytes.
// Every section is kept, in order; "(i/n)" titles; buttons and mention ids kept on each part
// that needs them.
std::vector<core::ChatMessage> split_for_limit(const core::ChatMessage& message,
                                               size_t max_msg_param_bytes = k_msg_param_limit);

// A reply row through the sessionWebhook must stay deliverable after the webhook expires (the
// outbox may retry for a while), so its one body carries both requests:
// {"session": <render_session_reply>, "api": <render_group_message>}.
std::string render_session_envelope(const core::ChatMessage& message, std::string_view robot_code,
                                    std::string_view open_conversation_id);
struct SessionEnvelope {
    std::string session;  // the sessionWebhook request JSON
    std::string api;      // the groupMessages/send request JSON; "" when the body had none
};
// The two requests of a render_session_envelope body; a JSON object without "session" is the
// sessionWebhook request itself (api ""). invalid_argument when the body is not a JSON object.
core::Result<SessionEnvelope> read_session_envelope(std::string_view body);

// Custom robot webhook body (§3.5): as render_session_reply, plus "msgUuid" when not "".
std::string render_custom_robot(const core::ChatMessage& message, std::string_view msg_uuid);
// Appends &timestamp=<ms>&sign=urlencode(base64(HMAC-SHA256(key = secret, msg = ts+"\n"+secret)))
// ('?' when the URL has no query). Returns the URL unchanged when secret is "".
std::string sign_custom_robot_url(std::string_view webhook_url, std::string_view secret,
                                  long long timestamp_ms);

// Several messages for one group as one (the custom robot allows 20 per minute, §3.5): the
// sections of each, each message's title first as a bold line; mention ids and buttons
// merged without duplicates. One message is returned as is; none gives an empty message.
core::ChatMessage merge_messages(const std::vector<core::ChatMessage>& messages);

// A merged custom-robot body stays within this many bytes. The robot's own limit is not in
// protocols.md; DingtalkOut splits every part to k_msg_param_limit, so merging never makes a
// body larger than one the splitter could have produced.
inline constexpr size_t k_custom_robot_merge_limit = k_msg_param_limit;

struct MergedBody {
    std::string body;      // the request JSON
    size_t count = 0;      // how many of the bodies (a prefix, in order) it carries; 0 = none given
    std::string msg_uuid;  // the merged body's msgUuid ("" when count < 2 or a part had none)
};
// Custom-robot bodies (render_custom_robot) queued for one robot as one request, so a burst
// stays under 20 requests a minute (§3.5) without dropping anything. Merges the longest prefix
// of `bodies` that are "text"/"markdown" JSON objects and whose merge fits max_bytes; when no
// second body can join, the first comes back unchanged (count 1). All text -> "text", contents
// joined by a blank line; any markdown -> "markdown" titled as the first message plus " (+n)",
// texts (each with its "### title") joined by a blank line. at.atUserIds and at.atMobiles are
// united, isAtAll if any. msgUuid = 32 hex digits of SHA-256 over the parts' msgUuids (none
// when a part has none): DingTalk drops a repeated msgUuid, so a retry of the same rows is not
// shown twice, and a different set of rows is never mistaken for one already sent.
MergedBody merge_custom_robot_bodies(const std::vector<std::string>& bodies,
                                     size_t max_bytes = k_custom_robot_merge_limit);

// ---- Tokens and responses -----------------------------------------------------------------

std::string render_token_request(std::string_view app_key, std::string_view app_secret);

using adapters::ApiOutcome;     // adapters/common/api_outcome.h
using adapters::TokenResponse;
// {"accessToken","expireIn"}; error upstream with the status and DingTalk code/message.
core::Result<TokenResponse> parse_token_response(int status, std::string_view body);

// groupMessages: processQueryKey -> ok; HTTP 401/403 or a token error code -> refresh_token.
// sessionWebhook / custom robot: errcode 0 -> ok; 130101 (over 20/min) -> retry after 600 s;
// 310000 (keyword, sign, timestamp or IP security) -> fatal, explained; other codes fatal.
// HTTP 429 -> retry after 1 s; 5xx -> retry.
ApiOutcome parse_api_response(int status, std::string_view body);

}  // namespace adapters::dingtalk
