#pragma once
// Feishu (Lark) wire format <-> core types: event-callback verification and decryption, the
// im.message.receive_v1 decoder, message/card rendering for im/v1 and the custom bot, token and
// API-response parsing (protocols.md §2). Pure functions, no I/O; safe for concurrent use.

#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/api_outcome.h"
#include "adapters/common/inbound.h"
#include "core/message.h"
#include "core/result.h"

namespace adapters::feishu {

// ---- Inbound ------------------------------------------------------------------------------

// X-Lark-Signature (§2.5): lowercase_hex(SHA-256(timestamp + nonce + encrypt_key + raw_body)),
// plain SHA-256 (not HMAC), over the raw HTTP body (the {"encrypt":…} envelope when encrypted),
// compared in constant time. Only meaningful when an Encrypt Key is configured; the caller skips
// it for url_verification (§2.3) — decode_event() below does both for you.
core::Result<void> verify_signature(std::string_view encrypt_key, std::string_view timestamp,
                                    std::string_view nonce, std::string_view signature,
                                    std::string_view raw_body);

// §2.4: key = SHA-256(encrypt_key), raw = base64(encrypt), IV = raw[0:16], AES-256-CBC, PKCS#7.
core::Result<std::string> decrypt_envelope(std::string_view encrypt_key,
                                           std::string_view encrypt_b64);
// The inverse, for tests and the fake server: base64(iv16 + AES-256-CBC(plaintext)).
// `iv16` must be 16 bytes (real traffic uses a random one); "" when it is not.
std::string encrypt_envelope(std::string_view encrypt_key, std::string_view plaintext,
                             std::string_view iv16);

struct EventConfig {
    std::string verification_token;  // "" = not checked (allowed only with an encrypt key)
    std::string encrypt_key;         // "" = payloads are plaintext and unsigned
    std::string bot_open_id;         // the bot's own open_id, "" when unknown
    // How old a request may be (s): X-Lark-Request-Timestamp when signed, else the event's
    // header.create_time (v2) or ts (v1). 0 = not checked (the long connection, which
    // authenticates the connection instead).
    long long window_seconds = 0;
    long long future_seconds = 300;  // how far ahead of our clock a timestamp may be
};

// The default window: Feishu documents no replay window and its SDKs check none (§2.5); it
// re-pushes an unanswered event after 5 s, 5 min, 1 h and 6 h (§2.6), and it is not known
// whether a re-push carries a fresh timestamp. 8 hours lets the last re-push in even if it
// carries the first push's timestamp; older requests are replays.
inline constexpr long long k_default_window_seconds = 8 * 3600;

// The X-Lark-Request-Timestamp / -Nonce / X-Lark-Signature header values, "" when absent.
struct SignatureHeaders {
    std::string timestamp;
    std::string nonce;
    std::string signature;
};

// The new-style card callback (card.action.trigger, schema 2.0): signed and encrypted as events
// are, its header.create_time in microseconds. The legacy card callback (SHA-1 over the
// Verification Token) is not accepted: Feishu delivers the new one over HTTP and the long
// connection alike.
inline constexpr std::string_view k_card_action_event = "card.action.trigger";

struct EventRequest {
    // card_action: a tap on a card's button, as the command it runs (message.text), to be
    // answered with card_action_response.
    enum class Kind { url_verification, message, card_action, ignored };
    Kind kind = Kind::ignored;
    std::string card_action;         // card_action: the button's action ("task_done")
    bool card_single = false;        // card_action: the card is about one task (may be replaced)
    std::string challenge;           // url_verification: answer {"challenge": challenge}
    std::string token;               // the Verification Token the payload carried
    adapters::InboundMessage message;  // kind == message (dedup_key also set when ignored)
    std::string ignored_reason;      // kind == ignored: why, fit to log
    bool was_encrypted = false;
};

// Verifies and decodes one event callback body. Steps: decrypt {"encrypt":…} when present;
// with an encrypt key, check X-Lark-Signature over the raw body (not for url_verification);
// check the Verification Token (header.token for schema 2.0, token for v1/url_verification);
// decode im.message.receive_v1 text messages (v2) and legacy "message" events (v1, uuid);
// im.chat.member.bot.added_v1 (the bot was added to a group) becomes a message with bot_added
// set, no text, chat_id = event.chat_id, sender_id = event.operator_id.open_id and no message_id.
// Bot mention: mentions whose open_id == config.bot_open_id are removed; when the bot's
// open_id is unknown, in a group chat the mention that starts the text is taken to be the bot
// (with the group_at_msg scope the bot only receives messages that @ it, §2.7). "@_all" is
// removed; other mentions become "@name" and are listed with user_id = open_id.
// De-duplication (§2.6): dedup_key = header.event_id (v2) or uuid (v1); for messages also
// alt_dedup_key = "message_id:" + the message's om_… id, which a re-push under a new event_id keeps.
// With config.window_seconds > 0, a request older than the window or further than
// future_seconds ahead of now_unix is refused (unauthorized, "stale …" / "… in the future"),
// url_verification excepted.
// Errors: unauthorized (signature, token, timestamp), invalid_argument (malformed body).
core::Result<EventRequest> decode_event(std::string_view raw_body, const EventConfig& config,
                                        const SignatureHeaders& headers, long long now_unix = 0);

// The answer to a card callback (§ card.action.trigger): a toast saying what happened
// (`toast_type` success | info | warning | error) and, when `card` is given, the card that
// replaces the tapped one (its buttons gone, so it is not tapped again). One JSON object, the
// HTTP body or the long connection's response data.
std::string card_action_response(std::string_view toast, std::string_view toast_type,
                                 const core::ChatMessage* card);

// ---- Outbound -----------------------------------------------------------------------------

inline constexpr std::string_view k_token_path = "/open-apis/auth/v3/tenant_access_token/internal";
inline constexpr std::string_view k_send_path = "/open-apis/im/v1/messages?receive_id_type=chat_id";
std::string reply_path(std::string_view message_id);  // /open-apis/im/v1/messages/{id}/reply

inline constexpr size_t k_card_body_limit = 30 * 1024;   // im/v1 interactive/post (§2.9)
inline constexpr size_t k_text_body_limit = 150 * 1024;  // im/v1 text (§2.9)
inline constexpr size_t k_bot_body_limit = 20 * 1024;    // custom bot, any type (§2.8)
// The most sign_bot_webhook_body adds: ,"timestamp":"<up to 20 chars>","sign":"<44>" is 89 bytes.
inline constexpr size_t k_bot_sign_bytes = 96;

// card: Dialect::markdown, mention "<at id=ou_x></at>"; text: Dialect::plain, mention
// "<at user_id=\"ou_x\">name</at>". user_id = person.feishu; "@name" when it is unknown.
core::Markup feishu_markup(bool card);

// A message with a title or buttons is sent as an interactive card, otherwise as text.
bool renders_as_card(const core::ChatMessage& message);
// The largest body allowed for this message (card or text; custom bot).
size_t body_limit(const core::ChatMessage& message, bool custom_bot);

// Mentions written for the other form are converted (text "<at user_id=…>" <-> card
// "<at id=…>"), and ids of mention_user_ids that the text does not mention are appended, so
// every listed person is notified. Buttons carry value {"action":…,"value":…}.
// Body of POST k_send_path; content is a serialised JSON string; uuid "" = omitted.
std::string render_message_request(const core::ChatMessage& message, std::string_view receive_id,
                                   std::string_view uuid);
// Body of POST reply_path(message_id).
std::string render_reply_request(const core::ChatMessage& message, std::string_view uuid,
                                 bool reply_in_thread = false);
// Custom bot (§2.8): content/card are objects; with a secret, "timestamp" (seconds) and "sign"
// go in the body; both omitted when secret is "".
std::string render_bot_webhook(const core::ChatMessage& message, std::string_view secret,
                               long long timestamp_s);
// base64(HMAC-SHA256(key = timestamp + "\n" + secret, message = "")) — not DingTalk's order.
std::string bot_sign(std::string_view secret, long long timestamp_s);
// A custom-bot body rendered unsigned (render_bot_webhook(…, "", 0)) with "timestamp" (seconds,
// a decimal string) and "sign" put in, replacing any already there; every other member is kept.
// invalid_argument when `body` is not a JSON object. The error never contains the secret.
core::Result<std::string> sign_bot_webhook_body(std::string_view body, std::string_view secret,
                                                long long timestamp_s);

// Splits a long message by sections (a too-long section by lines, a too-long line by bytes at
// a UTF-8 boundary) so that each part's im/v1 body stays within max_body_bytes. Every section
// is kept, in order; parts after the first get "(i/n)" titles; buttons go on the last part.
std::vector<core::ChatMessage> split_for_limit(const core::ChatMessage& message,
                                               size_t max_body_bytes);

// ---- Tokens and responses -----------------------------------------------------------------

std::string render_token_request(std::string_view app_id, std::string_view app_secret);

using adapters::ApiOutcome;     // adapters/common/api_outcome.h
using adapters::TokenResponse;
// Error upstream with the HTTP status or Feishu code and msg.
core::Result<TokenResponse> parse_token_response(int status, std::string_view body);

// For im/v1 and the custom bot. ok: code 0 / StatusCode 0. refresh_token: 99991661/63/64/71.
// retry: HTTP 429, codes 99991400/11232/230020 (after x-ogw-ratelimit-reset, default 1 s),
// HTTP 5xx. fatal: everything else, 19021 (bot sign/timestamp) and 19024 (keyword) explained.
ApiOutcome parse_api_response(int http_status, std::string_view ratelimit_reset_header,
                              std::string_view body);

}  // namespace adapters::feishu
