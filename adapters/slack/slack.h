#pragma once
// Slack wire format <-> core types (protocols.md §1): request signing, Events API, slash
// commands, block_actions, Block Kit rendering and Web API / webhook response judging.
// Translation only: no sockets, no logging. Pure functions; safe for concurrent use.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/inbound.h"
#include "core/message.h"
#include "core/result.h"

namespace adapters::slack {

inline constexpr const char* k_platform = "slack";
inline constexpr long long k_signature_window_seconds = 300;           // §1.2, symmetric
inline constexpr long long k_response_url_lifetime_seconds = 30 * 60;  // §1.4: 5 uses in 30 min
inline constexpr size_t k_max_blocks = 50;                             // §1.7
inline constexpr size_t k_max_section_chars = 3000;                    // §1.7
inline constexpr size_t k_max_header_chars = 150;                      // §1.7
inline constexpr size_t k_max_text_chars = 40000;  // §1.7: Slack truncates beyond this

// --- Inbound -------------------------------------------------------------------------------

// Checks X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + ts + ":" + raw_body))
// in constant time, and that |now - ts| <= window (both directions). Unsigned `ssl_check`
// probes must be recognised (is_ssl_check) before calling this. ErrorCode::unauthorized with
// the reason: "missing X-Slack-Signature", "stale timestamp (412 s old)", "signature mismatch" …
core::Result<void> verify_request(std::string_view signing_secret,
                                  std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view raw_body,
                                  long long now_unix,
                                  long long window_seconds = k_signature_window_seconds);

struct EventsRequest {
    enum class Kind {
        url_verification,  // answer render_challenge_response(challenge)
        message,           // a message for the bot: `message` is set
        ignored,           // ack with 200 and do nothing; `ignored_reason` says why
    };
    Kind kind = Kind::ignored;
    std::string challenge;
    InboundMessage message;
    std::string ignored_reason;
};

// Decodes an Events API body (§1.3). `bot_user_id` is the bot's U… id; when "" the id is taken
// from authorizations[] (the bot entry, else the first). Delivered as messages: app_mention, and
// message events from people (channel_type "im" -> direct). Ignored: events with bot_id, with a
// subtype other than thread_broadcast/file_share, from the bot itself, other event types, and
// channel `message` events that mention the bot (Slack delivers those again as app_mention,
// under another event_id). The text is normalised as normalize_text() says.
// member_joined_channel of the bot's own user (it was added to the channel) is delivered as a
// message with bot_added set, no text, chat_id = event.channel, sender_id = event.inviter ("" when
// absent) and no message or thread id (the answer goes to the channel); another user's is ignored.
// Malformed JSON or missing fields -> ErrorCode::invalid_argument with the reason.
core::Result<EventsRequest> decode_events(std::string_view raw_body, std::string_view bot_user_id);

// Whether a slash-command form body is Slack's unsigned `ssl_check=1` probe: answer 200, no action.
bool is_ssl_check(std::string_view form_body);

// Decodes a slash-command form body (§1.4): text = the command's text (normalised), chat_id =
// channel_id, sender = user_id / user_name, reply_url = response_url, dedup_key derived from
// team_id, channel_id, user_id and trigger_id. message_id and thread_id are "" (a slash command
// is not a message); reply_url_expires_ms is left 0: the caller knows when it arrived
// (k_response_url_lifetime_seconds).
core::Result<InboundMessage> decode_slash_command(std::string_view form_body);

// A button click from a block_actions payload (§1.5). action_id is the Button::action the
// message was rendered with (the "#n" suffix that keeps repeated actions unique is removed).
struct Interaction {
    std::string action_id, value, user_id, channel_id, message_ts, response_url, trigger_id;
    std::string team_id, user_name;
};
// `form_body` is "payload=<url-encoded JSON>"; only block_actions is supported, its first action.
core::Result<Interaction> decode_interaction(std::string_view form_body);

// The command a button runs: a digest's ("done T003" / "show T003", from its "PROJECT/TASK"
// value) or a claim question's ("confirm @U0XL 小红", from its "ACCOUNT:PERSON" value: the
// presser confirms, with the same checks as typing it)
// as an inbound message keyed "interaction:<trigger_id>", in the thread of the message that
// carried the button; nullopt for other actions. Used by the request URL and Socket Mode.
std::optional<InboundMessage> interaction_message(const Interaction& interaction);

// Rewrites Slack message text as the bot wants it (§1.3): the bot's own mention removed;
// "<@U1>" / "<@U1|name>" -> "@U1" and listed in `mentions` (once each, the bot excluded);
// "<!here>" -> "@here"; "<!subteam^S1|@team>" -> "@team"; "<#C1|general>" -> "#general";
// "<https://x|label>" -> "label", "<https://x>" -> "https://x"; then &amp; &lt; &gt; unescaped.
// Surrounding whitespace is trimmed.
struct NormalizedText {
    std::string text;
    std::vector<MentionedUser> mentions;
};
NormalizedText normalize_text(std::string_view slack_text, std::string_view bot_user_id);

// --- Outbound ------------------------------------------------------------------------------

// Slack mrkdwn; a person is mentioned as "<@" + person.slack + ">" when the Slack id is known,
// else "@" + name; user_id = person.slack.
core::Markup slack_markup();

// "&" "<" ">" -> "&amp;" "&lt;" "&gt;": for user-provided text placed into mrkdwn or `text`.
std::string escape_text(std::string_view text);

// {"challenge":"…"}: the JSON answer to url_verification.
std::string render_challenge_response(std::string_view challenge);

// Block Kit rendering of a ChatMessage: `text` = fallback_text (joined_text() when empty), cut
// at k_max_text_chars; blocks = a plain_text header when there is a title (cut at 150 chars),
// one mrkdwn section per ChatMessage section (a section over 3000 chars split, at a line break
// where possible), and actions blocks of up to 25 buttons. At most 50 blocks: sections beyond
// the limit are folded into the last one, cut with a note saying how many were left out.
// Mentions are already in the sections (<@U…> via slack_markup()); mention_user_ids is unused.
// chat.postMessage body (§1.7); thread_ts is omitted when "".
std::string render_post_message(const core::ChatMessage& message, std::string_view channel,
                                std::string_view thread_ts);
// Slash-command / response_url body with response_type "in_channel" or "ephemeral" (§1.4).
std::string render_response(const core::ChatMessage& message, bool in_channel);
// Incoming-webhook body (§1.6).
std::string render_webhook(const core::ChatMessage& message);

// --- Response judging (for bot/slack_sender) -----------------------------------------------

struct ApiOutcome {
    enum class Kind { ok, retry, fatal };
    Kind kind = Kind::retry;
    std::string error;  // Slack's error code, or a description ("HTTP 503", "unparseable body")
    std::string ts;     // the posted message's ts when ok
    long long retry_after_seconds = 0;  // when retry: the platform's hint, or our default
};

// chat.postMessage (§1.7): 200 ok:true -> ok; HTTP 429 -> retry after Retry-After (1 s when
// absent); 5xx, 408, no response (status <= 0) and unparseable bodies -> retry;
// ok:false "ratelimited"/"rate_limited" -> retry (Retry-After, else 30 s); ok:false
// "internal_error"/"fatal_error"/"service_unavailable"/"request_timeout" -> retry; any
// other ok:false and other 4xx -> fatal with the code.
ApiOutcome parse_post_message_response(int http_status, std::string_view retry_after_header,
                                       std::string_view body);
// Incoming webhook or response_url (§1.6): 2xx "ok" (or empty, or JSON ok:true) -> ok;
// 429 -> retry (Retry-After, else 1 s); 5xx -> retry; a plain-text error ("no_text",
// "channel_not_found" …) or other 4xx -> fatal with the error; a JSON body is judged as above.
ApiOutcome parse_webhook_response(int http_status, std::string_view retry_after_header,
                                  std::string_view body);

}  // namespace adapters::slack
