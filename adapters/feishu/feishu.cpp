// Feishu inbound: signature, decryption and event decoding (protocols.md §2.2–§2.7).
#include "adapters/feishu/feishu.h"

#include <charconv>
#include <optional>
#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/common/json_fields.h"
#include "adapters/feishu/at_tags.h"
#include "core/json_depth.h"
#include "core/task_buttons.h"
#include "core/text.h"

namespace adapters::feishu {

using json_fields::text_at;
using json_fields::integer_at;
using json_fields::object_at;
using json_fields::member;
namespace {

using nlohmann::json;
using core::ErrorCode;
using core::make_error;

// Drops a removed token's neighbouring space so "a @bot b" reads "a b", not "a  b".
void drop_token(std::string& out, std::string_view text, size_t& next) {
    if (next < text.size() && text[next] == ' ') {
        ++next;
    } else if (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
}

struct Mention {
    std::string key;  // "@_user_1"
    std::string open_id;
    std::string name;
};

bool is_key_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// The longest mention key at `pos`, ending at a word boundary ("@_user_1" must not match the
// start of "@_user_10"); nullptr when none.
const Mention* key_at(std::string_view text, size_t pos, const std::vector<Mention>& mentions) {
    const Mention* best = nullptr;
    for (const Mention& m : mentions) {
        if (m.key.empty() || text.compare(pos, m.key.size(), m.key) != 0) continue;
        size_t after = pos + m.key.size();
        if (after < text.size() && is_key_char(text[after])) continue;
        if (!best || m.key.size() > best->key.size()) best = &m;
    }
    return best;
}

// Replaces the "@_user_N" placeholders (§2.7): the bot's are removed, "@_all" is removed,
// others become "@name" and are listed (once per open_id).
void resolve_placeholders(std::string_view text, std::vector<Mention> mentions,
                          std::string_view bot_open_id, bool group, InboundMessage& out) {
    if (!key_at("@_all", 0, mentions)) mentions.push_back({"@_all", "", ""});
    std::string bot_key;  // only used when the bot's open_id is unknown
    if (bot_open_id.empty() && group) {
        std::string lead(core::trim_ascii(text));
        if (const Mention* m = key_at(lead, 0, mentions); m && m->key != "@_all") bot_key = m->key;
    }
    std::string result;
    size_t pos = 0;
    while (pos < text.size()) {
        const Mention* m = text[pos] == '@' ? key_at(text, pos, mentions) : nullptr;
        if (!m) {
            result += text[pos++];
            continue;
        }
        pos += m->key.size();
        bool is_bot = bot_open_id.empty() ? m->key == bot_key : m->open_id == bot_open_id;
        if (is_bot || m->key == "@_all") {
            drop_token(result, text, pos);
            continue;
        }
        std::string display = m->name.empty() ? m->open_id : m->name;
        result += "@" + display;
        bool listed = false;
        for (const auto& seen : out.mentions) listed = listed || seen.user_id == m->open_id;
        if (!listed) out.mentions.push_back({display, m->open_id});
    }
    out.text = core::trim_ascii(result);
}

// §2.6: Feishu may re-push one message under a new event_id; its message_id stays. Prefixed
// so that it can never equal an event_id or uuid in the same de-duplication table.
std::string message_dedup_key(const std::string& message_id) { return "message_id:" + message_id; }

core::Result<void> check_token(std::string_view expected, std::string_view got) {
    if (expected.empty()) return core::ok();  // allowed only with an encrypt key (checked above)
    if (got.empty()) return make_error(ErrorCode::unauthorized, "the payload carries no Verification Token");
    if (!constant_time_equals(expected, got))
        return make_error(ErrorCode::unauthorized, "the Verification Token does not match");
    return core::ok();
}

// Whole seconds of a decimal text ("1700000000", or v1's "1502199207.7171419"); nullopt when none.
std::optional<long long> seconds_of(std::string_view text) {
    long long out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec != std::errc() || end == text.data()) return std::nullopt;
    if (end != text.data() + text.size() && *end != '.') return std::nullopt;
    return out;
}

// The request's age (EventConfig::window_seconds): the signed header when there is a
// signature, else the only time there is, the event's own (unsigned, but a captured body
// replayed as it was still carries it).
core::Result<void> check_age(const json& payload, bool v2, const EventConfig& config,
                             const SignatureHeaders& headers, long long now_unix) {
    if (config.window_seconds <= 0) return core::ok();
    std::optional<long long> at;
    std::string what;
    if (!config.encrypt_key.empty()) {
        at = seconds_of(headers.timestamp);
        what = "X-Lark-Request-Timestamp";
    } else if (v2) {
        const json& header = object_at(payload, "header");
        long long ms = integer_at(header, "create_time");
        // A card callback's create_time is in microseconds, an event's in milliseconds.
        if (text_at(header, "event_type") == k_card_action_event) ms /= 1000;
        if (ms > 0) at = ms / 1000;
        what = "header.create_time";
    } else {
        at = seconds_of(text_at(payload, "ts"));
        what = "ts";
    }
    if (!at) return make_error(ErrorCode::unauthorized, "the request carries no readable " + what);
    if (now_unix - *at > config.window_seconds)
        return make_error(ErrorCode::unauthorized, "stale " + what + " (" + std::to_string(now_unix - *at) +
                                                       " s old, the window is " +
                                                       std::to_string(config.window_seconds) + " s)");
    if (*at - now_unix > config.future_seconds)
        return make_error(ErrorCode::unauthorized, what + " is " + std::to_string(*at - now_unix) +
                                                       " s in the future");
    return core::ok();
}

EventRequest ignored(EventRequest request, std::string reason) {
    request.kind = EventRequest::Kind::ignored;
    request.ignored_reason = std::move(reason);
    return request;
}

// im.chat.member.bot.added_v1: the bot was added to a group. No message to reply to: the answer
// goes to the chat. The operator (who added it) is the sender.
core::Result<EventRequest> decode_bot_added(const json& payload, EventRequest request) {
    const json& event = object_at(payload, "event");
    InboundMessage& msg = request.message;
    msg.chat_id = text_at(event, "chat_id");
    if (msg.chat_id.empty()) return make_error(ErrorCode::invalid_argument, "event.chat_id is missing");
    msg.sender_id = text_at(object_at(event, "operator_id"), "open_id");
    msg.bot_added = true;
    msg.created_ms = integer_at(object_at(payload, "header"), "create_time");
    request.kind = EventRequest::Kind::message;
    return request;
}

// card.action.trigger: a tap on a button of a card trackerd sent. The button's value is
// {"action","value","lang"} (render_card); the tap becomes the command a person would type
// (core::button_command), sent by the operator in the card's chat, in the thread of the card.
core::Result<EventRequest> decode_card_action(const json& payload, EventRequest request) {
    const json& event = object_at(payload, "event");
    InboundMessage& msg = request.message;
    msg.sender_id = text_at(object_at(event, "operator"), "open_id");
    const json& context = object_at(event, "context");
    msg.message_id = text_at(context, "open_message_id");
    msg.chat_id = text_at(context, "open_chat_id");
    // Older surfaces put the ids at the top of the event.
    if (msg.message_id.empty()) msg.message_id = text_at(event, "open_message_id");
    if (msg.chat_id.empty()) msg.chat_id = text_at(event, "open_chat_id");
    if (msg.sender_id.empty() || msg.chat_id.empty())
        return make_error(ErrorCode::invalid_argument, "card.action.trigger lacks operator.open_id or open_chat_id");
    msg.created_ms = integer_at(object_at(payload, "header"), "create_time") / 1000;
    const json& action = object_at(event, "action");
    const json& value = object_at(action, "value");
    std::string name = text_at(value, "action");
    std::string lang = text_at(value, "lang");
    auto command = core::button_command(name, text_at(value, "value"), lang == "en" ? core::Locale::en : core::Locale::zh_cn);
    if (!command) return ignored(std::move(request), "card action '" + name + "' runs no command");
    msg.text = *command;
    request.kind = EventRequest::Kind::card_action;
    request.card_action = name;
    const json* single = member(value, "single");
    request.card_single = single && single->is_boolean() && single->get<bool>();
    return request;
}

core::Result<EventRequest> decode_v2(const json& payload, const EventConfig& config,
                                     EventRequest request) {
    const json& header = object_at(payload, "header");
    InboundMessage& msg = request.message;
    msg.dedup_key = text_at(header, "event_id");
    if (msg.dedup_key.empty()) return make_error(ErrorCode::invalid_argument, "header.event_id is missing");
    std::string event_type = text_at(header, "event_type");
    if (event_type == "im.chat.member.bot.added_v1") return decode_bot_added(payload, std::move(request));
    if (event_type == k_card_action_event) return decode_card_action(payload, std::move(request));
    if (event_type != "im.message.receive_v1")
        return ignored(std::move(request), "event type '" + event_type + "' is not handled");

    const json& event = object_at(payload, "event");
    const json& sender = object_at(event, "sender");
    const json& message = object_at(event, "message");
    msg.message_id = text_at(message, "message_id");
    msg.chat_id = text_at(message, "chat_id");
    if (msg.message_id.empty() || msg.chat_id.empty())
        return make_error(ErrorCode::invalid_argument, "event.message lacks message_id or chat_id");
    msg.alt_dedup_key = message_dedup_key(msg.message_id);
    std::string chat_type = text_at(message, "chat_type");
    msg.direct = chat_type == "p2p";
    msg.sender_id = text_at(object_at(sender, "sender_id"), "open_id");
    msg.created_ms = integer_at(message, "create_time");

    std::string sender_type = text_at(sender, "sender_type");
    if (sender_type != "user")  // §2.7 loop prevention: apps, including this bot
        return ignored(std::move(request), "sender_type '" + sender_type + "' is not a person");
    std::string message_type = text_at(message, "message_type");
    if (message_type != "text")
        return ignored(std::move(request), "message_type '" + message_type + "' is not handled (text only)");

    std::string content_text = text_at(message, "content");  // a JSON string, parsed again
    if (auto shallow = core::check_json_depth(content_text); !shallow)
        return make_error(ErrorCode::invalid_argument, "event.message.content: " + shallow.error().message);
    json content = json::parse(content_text, nullptr, false);
    const json* text = member(content, "text");
    if (!text || !text->is_string())
        return make_error(ErrorCode::invalid_argument, "event.message.content is not {\"text\":…}");

    std::vector<Mention> mentions;
    if (const json* list = member(message, "mentions"); list && list->is_array()) {
        for (const json& m : *list)
            mentions.push_back({text_at(m, "key"), text_at(object_at(m, "id"), "open_id"), text_at(m, "name")});
    }
    resolve_placeholders(text->get<std::string>(), std::move(mentions), config.bot_open_id,
                         !msg.direct, msg);
    request.kind = EventRequest::Kind::message;
    return request;
}

// Legacy v1 "message" event: open_chat_id, open_message_id, open_id, chat_type private|group,
// text with "<at open_id=…>@name</at>" tags and text_without_at_bot.
core::Result<EventRequest> decode_v1(const json& payload, const EventConfig& config,
                                     EventRequest request) {
    InboundMessage& msg = request.message;
    msg.dedup_key = text_at(payload, "uuid");
    const json& event = object_at(payload, "event");
    std::string event_type = text_at(event, "type");
    if (event_type != "message")
        return ignored(std::move(request), "v1 event type '" + event_type + "' is not handled");
    msg.message_id = text_at(event, "open_message_id");
    msg.chat_id = text_at(event, "open_chat_id");
    if (msg.message_id.empty() || msg.chat_id.empty())
        return make_error(ErrorCode::invalid_argument, "v1 event lacks open_message_id or open_chat_id");
    msg.alt_dedup_key = message_dedup_key(msg.message_id);
    std::string chat_type = text_at(event, "chat_type");
    msg.direct = chat_type == "private" || chat_type == "p2p";
    msg.sender_id = text_at(event, "open_id");
    std::string msg_type = text_at(event, "msg_type");
    if (msg_type != "text")
        return ignored(std::move(request), "v1 msg_type '" + msg_type + "' is not handled (text only)");

    std::string text = text_at(event, "text_without_at_bot");
    // Without text_without_at_bot and without the bot's open_id, a group message's opening tag
    // is taken to be the bot's, as for v2 events (a group message reaches the bot only when it
    // is mentioned).
    size_t bot_tag_at = std::string::npos;
    if (text.empty()) {
        text = text_at(event, "text");
        if (config.bot_open_id.empty() && !msg.direct) {
            size_t lead = text.find_first_not_of(" \t\r\n");
            auto tags = find_at_tags(text);
            if (lead != std::string::npos && !tags.empty() && tags.front().begin == lead) bot_tag_at = lead;
        }
    }
    std::string result = rewrite_at_tags(text, [&](const AtTag& tag) -> std::string {
        if (tag.begin == bot_tag_at) return "";
        if (tag.id == "all" || (!config.bot_open_id.empty() && tag.id == config.bot_open_id)) return "";
        std::string display = tag.inner;
        if (!display.empty() && display.front() == '@') display.erase(0, 1);
        if (display.empty()) display = tag.id;
        msg.mentions.push_back({display, tag.id});
        return "@" + display;
    });
    msg.text = core::trim_ascii(result);
    request.kind = EventRequest::Kind::message;
    return request;
}

}  // namespace

core::Result<void> verify_signature(std::string_view encrypt_key, std::string_view timestamp,
                                    std::string_view nonce, std::string_view signature,
                                    std::string_view raw_body) {
    if (encrypt_key.empty())
        return make_error(ErrorCode::invalid_argument, "X-Lark-Signature needs an Encrypt Key to check");
    if (signature.empty()) return make_error(ErrorCode::unauthorized, "missing X-Lark-Signature header");
    if (timestamp.empty() || nonce.empty())
        return make_error(ErrorCode::unauthorized, "missing X-Lark-Request-Timestamp or X-Lark-Request-Nonce header");
    std::string signed_bytes;
    signed_bytes.reserve(timestamp.size() + nonce.size() + encrypt_key.size() + raw_body.size());
    signed_bytes.append(timestamp).append(nonce).append(encrypt_key).append(raw_body);
    // §2.5: plain SHA-256, not HMAC; §0.2: constant-time compare.
    if (!constant_time_equals(to_hex(sha256(signed_bytes)), signature))
        return make_error(ErrorCode::unauthorized, "X-Lark-Signature does not match the request body");
    return core::ok();
}

core::Result<std::string> decrypt_envelope(std::string_view encrypt_key,
                                           std::string_view encrypt_b64) {
    std::optional<std::string> raw = base64_decode(encrypt_b64);
    if (!raw) return make_error(ErrorCode::invalid_argument, "'encrypt' is not valid base64");
    if (raw->size() < 32 || raw->size() % 16 != 0)
        return make_error(ErrorCode::invalid_argument,
                          "'encrypt' holds " + std::to_string(raw->size()) +
                              " bytes; expected a 16-byte IV and whole AES blocks");
    std::string_view bytes = *raw;
    auto plain = aes256_cbc_decrypt(sha256(encrypt_key), bytes.substr(0, 16), bytes.substr(16));
    if (!plain)
        return make_error(ErrorCode::invalid_argument,
                          "cannot decrypt 'encrypt' (wrong Encrypt Key?): " + plain.error().message);
    return plain;
}

std::string encrypt_envelope(std::string_view encrypt_key, std::string_view plaintext,
                             std::string_view iv16) {
    if (iv16.size() != 16) return {};
    auto cipher = aes256_cbc_encrypt(sha256(encrypt_key), iv16, plaintext);
    if (!cipher) return {};
    return base64_encode(std::string(iv16) + *cipher);
}

core::Result<EventRequest> decode_event(std::string_view raw_body, const EventConfig& config,
                                        const SignatureHeaders& headers, long long now_unix) {
    if (config.verification_token.empty() && config.encrypt_key.empty())
        return make_error(ErrorCode::unauthorized,
                          "neither a Verification Token nor an Encrypt Key is configured");
    // Checked before parsing and decrypting so that a forged request learns nothing from
    // either's errors (url_verification, never signed, is told apart only after parsing).
    core::Result<void> signature = core::ok();
    if (!config.encrypt_key.empty())
        signature = verify_signature(config.encrypt_key, headers.timestamp, headers.nonce,
                                     headers.signature, raw_body);
    auto fail = [&](core::Error error) -> core::Error { return signature ? error : signature.error(); };
    if (auto shallow = core::check_json_depth(raw_body); !shallow) return fail(shallow.error());
    json payload = json::parse(raw_body, nullptr, false);
    if (!payload.is_object()) return fail(make_error(ErrorCode::invalid_argument, "the body is not a JSON object"));

    EventRequest request;
    request.message.platform = "feishu";
    if (const json* encrypted = member(payload, "encrypt")) {
        if (config.encrypt_key.empty())
            return make_error(ErrorCode::invalid_argument, "the body is encrypted but no Encrypt Key is configured");
        if (!encrypted->is_string()) return fail(make_error(ErrorCode::invalid_argument, "'encrypt' is not a string"));
        auto plain = decrypt_envelope(config.encrypt_key, encrypted->get<std::string>());
        if (!plain) return fail(plain.error());
        if (auto shallow = core::check_json_depth(*plain); !shallow) return fail(shallow.error());
        payload = json::parse(*plain, nullptr, false);
        if (!payload.is_object())
            return fail(make_error(ErrorCode::invalid_argument, "the decrypted payload is not a JSON object"));
        request.was_encrypted = true;
    }

    bool v2 = member(payload, "schema") != nullptr;
    if (text_at(payload, "type") == "url_verification") {  // §2.3: token only, never signed
        request.token = text_at(payload, "token");
        if (auto ok = check_token(config.verification_token, request.token); !ok) return ok.error();
        request.challenge = text_at(payload, "challenge");
        if (request.challenge.empty())
            return make_error(ErrorCode::invalid_argument, "url_verification without a challenge");
        request.kind = EventRequest::Kind::url_verification;
        return request;
    }
    if (!signature) return signature.error();
    request.token = v2 ? text_at(object_at(payload, "header"), "token") : text_at(payload, "token");
    if (auto ok = check_token(config.verification_token, request.token); !ok) return ok.error();
    if (auto fresh = check_age(payload, v2, config, headers, now_unix); !fresh) return fresh.error();
    if (v2) return decode_v2(payload, config, std::move(request));
    if (member(payload, "uuid")) return decode_v1(payload, config, std::move(request));
    return make_error(ErrorCode::invalid_argument, "the payload is neither schema 2.0 nor a v1 event (no uuid)");
}

}  // namespace adapters::feishu
