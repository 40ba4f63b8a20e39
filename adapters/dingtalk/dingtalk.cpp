// DingTalk inbound (callback signature and body, §3.2; card callbacks and their capability
// tokens, cards research §B), custom-robot URL signing (§3.5), tokens and API responses (§3.5,
// §3.6, createAndDeliver).
#include "adapters/dingtalk/dingtalk.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "adapters/dingtalk/card.h"
#include "core/json_depth.h"
#include "core/text.h"

namespace adapters::dingtalk {

using json_fields::dump;
using json_fields::text_at;
using json_fields::integer_at;
namespace {

using nlohmann::json;
using core::ErrorCode;
using core::make_error;

// Shared by the callback header and the custom-robot URL: key = secret, msg = ts + "\n" + secret.
std::string sign(std::string_view secret, std::string_view timestamp) {
    std::string to_sign = std::string(timestamp) + "\n" + std::string(secret);
    return base64_encode(hmac_sha256(secret, to_sign));
}

ApiOutcome outcome(ApiOutcome::Kind kind, long long code, std::string message, long long retry_after = 0) {
    ApiOutcome out;
    out.kind = kind;
    out.code = code;
    out.message = std::move(message);
    out.retry_after_seconds = retry_after;
    return out;
}

// sessionWebhook / custom robot answers {"errcode":…,"errmsg":…} (§3.5).
ApiOutcome webhook_outcome(long long errcode, const std::string& errmsg) {
    using Kind = ApiOutcome::Kind;
    if (errcode == 0) return outcome(Kind::ok, 0, errmsg);
    if (errcode == 130101)  // over 20 messages a minute: the robot is blocked for 10 minutes
        return outcome(Kind::retry, errcode, "sending too fast (130101), blocked for 10 minutes: " + errmsg, 600);
    if (errcode == 310000)
        return outcome(Kind::fatal, errcode,
                       "robot security setting rejected the message (310000: keyword, sign, timestamp "
                       "or IP allow-list): " + errmsg);
    return outcome(Kind::fatal, errcode, "errcode " + std::to_string(errcode) + ": " + errmsg);
}

bool is_token_error(std::string_view code) {
    return code.find("InvalidAuthentication") != std::string_view::npos ||
           code.find("AccessToken") != std::string_view::npos ||
           code.find("accessToken") != std::string_view::npos;
}

}  // namespace

std::string callback_sign(std::string_view app_secret, long long timestamp_ms) {
    return sign(app_secret, std::to_string(timestamp_ms));
}

core::Result<void> verify_callback(std::string_view app_secret, std::string_view timestamp_ms_header,
                                   std::string_view sign_header, long long now_ms, long long window_ms) {
    if (timestamp_ms_header.empty()) return make_error(ErrorCode::unauthorized, "missing timestamp header");
    if (sign_header.empty()) return make_error(ErrorCode::unauthorized, "missing sign header");
    long long timestamp = 0;
    const char* first = timestamp_ms_header.data();
    const char* last = first + timestamp_ms_header.size();
    auto [end, ec] = std::from_chars(first, last, timestamp);
    if (ec != std::errc() || end != last)
        return make_error(ErrorCode::unauthorized, "timestamp header is not a number of milliseconds");
    long long skew = now_ms > timestamp ? now_ms - timestamp : timestamp - now_ms;
    if (skew > window_ms)  // §3.2: more than an hour either way is illegal
        return make_error(ErrorCode::unauthorized, "timestamp is " + std::to_string(skew / 1000) +
                                                       " s from now, outside the " +
                                                       std::to_string(window_ms / 1000) + " s window");
    if (!constant_time_equals(sign(app_secret, timestamp_ms_header), sign_header))
        return make_error(ErrorCode::unauthorized, "sign does not match timestamp and app secret");
    return core::ok();
}

void bind_callback_signature(InboundMessage& message, std::string_view timestamp_ms_header,
                             std::string_view sign_header, long long window_ms) {
    long long timestamp_ms = 0;
    std::from_chars(timestamp_ms_header.data(), timestamp_ms_header.data() + timestamp_ms_header.size(), timestamp_ms);
    message.signature = std::string(timestamp_ms_header) + ":" + std::string(sign_header);
    std::string content = message.chat_id + '\n' + message.sender_id + '\n' + message.text;
    message.signature_binding = message.dedup_key + " " + to_hex(sha256(content)).substr(0, 32);
    // Past this instant DingTalk's own rule (and verify_callback) refuses the pair anyway.
    message.signature_expires_at = (timestamp_ms + window_ms) / 1000 + 1;
}

core::Result<Callback> decode_callback(std::string_view raw_body) {
    if (auto shallow = core::check_json_depth(raw_body); !shallow) return shallow.error();
    json body = json::parse(raw_body, nullptr, false);
    if (!body.is_object()) return make_error(ErrorCode::invalid_argument, "the body is not a JSON object");
    Callback out;
    InboundMessage& msg = out.message;
    msg.platform = "dingtalk";
    msg.dedup_key = text_at(body, "msgId");
    msg.message_id = msg.dedup_key;
    msg.chat_id = text_at(body, "conversationId");
    if (msg.dedup_key.empty() || msg.chat_id.empty())
        return make_error(ErrorCode::invalid_argument, "the callback lacks msgId or conversationId");
    msg.direct = text_at(body, "conversationType") == "1";
    msg.sender_id = text_at(body, "senderStaffId");
    if (msg.sender_id.empty()) msg.sender_id = text_at(body, "senderId");
    msg.sender_name = text_at(body, "senderNick");
    msg.reply_url = text_at(body, "sessionWebhook");
    msg.reply_url_expires_ms = integer_at(body, "sessionWebhookExpiredTime", 0);
    msg.created_ms = integer_at(body, "createAt", 0);
    out.robot_code = text_at(body, "robotCode");
    out.conversation_title = text_at(body, "conversationTitle");

    std::string msgtype = text_at(body, "msgtype");
    if (msgtype != "text") {
        out.ignored_reason = "msgtype '" + msgtype + "' is not handled (text only)";
        return out;
    }
    auto text = body.find("text");
    if (text == body.end() || !text->is_object() || !text->contains("content") || !(*text)["content"].is_string())
        return make_error(ErrorCode::invalid_argument, "a text message without text.content");
    msg.text = core::trim_ascii(text_at(*text, "content"));  // DingTalk leaves a space where @bot was

    std::string bot = text_at(body, "chatbotUserId");
    if (auto users = body.find("atUsers"); users != body.end() && users->is_array()) {
        for (const json& user : *users) {
            std::string staff_id = text_at(user, "staffId");
            if (staff_id.empty() || (!bot.empty() && text_at(user, "dingtalkId") == bot)) continue;
            bool listed = false;
            for (const auto& seen : msg.mentions) listed = listed || seen.user_id == staff_id;
            if (!listed) msg.mentions.push_back({staff_id, staff_id});
        }
    }
    out.kind = Callback::Kind::message;
    return out;
}

std::string sign_custom_robot_url(std::string_view webhook_url, std::string_view secret,
                                  long long timestamp_ms) {
    std::string url(webhook_url);
    if (secret.empty()) return url;
    std::string timestamp = std::to_string(timestamp_ms);
    url += webhook_url.find('?') == std::string_view::npos ? "?" : "&";
    url += "timestamp=" + timestamp + "&sign=" + url_encode(sign(secret, timestamp));
    return url;
}

std::string render_token_request(std::string_view app_key, std::string_view app_secret) {
    return dump(json{{"appKey", app_key}, {"appSecret", app_secret}});
}

core::Result<TokenResponse> parse_token_response(int status, std::string_view body) {
    json parsed = json::parse(body, nullptr, false);
    std::string prefix = "accessToken: HTTP " + std::to_string(status);
    if (!parsed.is_object()) return make_error(ErrorCode::upstream, prefix + ", unreadable body");
    TokenResponse out{text_at(parsed, "accessToken"), integer_at(parsed, "expireIn", 0)};
    if (status != 200 || out.token.empty() || out.expire_seconds <= 0)
        return make_error(ErrorCode::upstream,
                          prefix + ", " + text_at(parsed, "code") + ": " + text_at(parsed, "message"));
    return out;
}

ApiOutcome parse_api_response(int status, std::string_view body) {
    using Kind = ApiOutcome::Kind;
    json parsed = json::parse(body, nullptr, false);
    bool has_json = parsed.is_object();
    std::string code = has_json ? text_at(parsed, "code") : "";
    std::string message = has_json ? text_at(parsed, "message") : "";
    std::string described = "HTTP " + std::to_string(status) + (code.empty() ? "" : ", " + code) +
                            (message.empty() ? "" : ": " + message);
    if (status >= 500) return outcome(Kind::retry, 0, described);
    if (status == 429 || code.find("Throttling") != std::string::npos)
        return outcome(Kind::retry, 0, described, 1);
    if (status == 401 || status == 403 || is_token_error(code)) return outcome(Kind::refresh_token, 0, described);
    if (has_json && parsed.contains("errcode"))
        return webhook_outcome(integer_at(parsed, "errcode", -1), text_at(parsed, "errmsg"));
    if (status >= 200 && status < 300 && has_json) {
        std::string key = text_at(parsed, "processQueryKey");
        if (!key.empty()) {
            ApiOutcome out = outcome(Kind::ok, 0, "");
            out.message_id = std::move(key);
            return out;
        }
    }
    // A success status with a body that is not JSON (cut off, or a proxy's page) says nothing
    // about the message: try again, within the worker's attempts.
    if (!has_json && status >= 200 && status < 300) return outcome(Kind::retry, 0, described + ", unreadable body");
    return outcome(Kind::fatal, 0, has_json ? described : described + ", unreadable body");
}

}  // namespace adapters::dingtalk

// ---- Card buttons: capability tokens and callbacks (cards research §B) ----------------------

namespace adapters::dingtalk {
namespace {

using nlohmann::json;
using core::ErrorCode;
using core::make_error;

struct Op {
    std::string_view action;  // core::Button::action
    std::string_view name;    // in the token
    char letter;              // in the nonce: one token per button of a card
};
constexpr Op k_ops[] = {{"task_done", "done", 'd'}, {"task_ack", "ack", 'a'}, {"task_delay", "delay", 'l'},
                        {"task_open", "open", 'o'}, {"web_view", "web", 'w'}};

const Op* op_by_action(std::string_view action) {
    for (const Op& op : k_ops)
        if (op.action == action) return &op;
    return nullptr;
}
const Op* op_by_name(std::string_view name) {
    for (const Op& op : k_ops)
        if (op.name == name) return &op;
    return nullptr;
}

std::string base64url_nopad(std::string_view bytes) {
    std::string out = base64_encode(bytes);
    while (!out.empty() && out.back() == '=') out.pop_back();
    for (char& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
    return out;
}

std::string token_mac(std::string_view key, std::string_view payload) {
    return base64url_nopad(hmac_sha256(key, payload).substr(0, 16));
}

std::vector<std::string_view> split_bars(std::string_view text) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t bar = text.find('|', start);
        parts.push_back(text.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
        if (bar == std::string_view::npos) return parts;
        start = bar + 1;
    }
}

bool parse_decimal(std::string_view text, long long& out) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

core::Error refused(std::string reason) { return make_error(ErrorCode::unauthorized, std::move(reason)); }

}  // namespace

std::string card_token_key(std::string_view secret) {
    return hmac_sha256(secret, "trackerd/dingtalk/card-token/v1");
}

std::optional<std::string> mint_card_token(std::string_view key, const CardToken& token) {
    const Op* op = op_by_action(token.action);
    for (std::string_view field : {std::string_view(token.chat_id), std::string_view(token.value),
                                   std::string_view(token.nonce)})
        if (field.empty() || field.find('|') != std::string_view::npos) return std::nullopt;
    if (!op || key.empty()) return std::nullopt;
    std::string payload = "v1|dingtalk|" + token.chat_id + "|" + token.value + "|" + std::string(op->name) +
                          (token.locale == core::Locale::en ? ".en" : "") + "|" +
                          std::to_string(token.expires_unix) + "|" + token.nonce;
    return payload + "|" + token_mac(key, payload);
}

core::Result<CardToken> verify_card_token(std::string_view key, std::string_view tk, long long now_unix) {
    if (tk.empty()) return refused("no token (params.tk) in the callback");
    if (tk.size() > 512) return refused("malformed token");
    auto parts = split_bars(tk);
    if (parts.size() != 8 || parts[0] != "v1" || parts[1] != "dingtalk") return refused("malformed token");
    const size_t mac_at = tk.size() - parts[7].size() - 1;
    if (key.empty() || !constant_time_equals(token_mac(key, tk.substr(0, mac_at)), parts[7]))
        return refused("token signature does not match");
    CardToken token;
    token.chat_id = std::string(parts[2]);
    token.value = std::string(parts[3]);
    std::string_view op_name = parts[4];
    if (op_name.size() > 3 && op_name.substr(op_name.size() - 3) == ".en") {
        token.locale = core::Locale::en;
        op_name.remove_suffix(3);
    }
    const Op* op = op_by_name(op_name);
    if (!op || !parse_decimal(parts[5], token.expires_unix) || parts[6].empty()) return refused("malformed token");
    token.action = std::string(op->action);
    token.nonce = std::string(parts[6]);
    if (token.expires_unix < now_unix) return refused("token expired");
    return token;
}

std::string card_nonce_of(std::string_view token_nonce) {
    return std::string(token_nonce.substr(0, token_nonce.rfind('-')));
}

std::string out_track_id(std::string_view card_nonce) { return "trk-" + std::string(card_nonce); }

std::string card_signature(std::string_view api_secret, long long timestamp) {
    return base64_encode(hmac_sha256(api_secret, std::to_string(timestamp)));
}

core::Result<void> verify_card_signature(std::string_view api_secret, std::string_view timestamp_header,
                                         std::string_view signature_header, long long now_ms, long long window_ms) {
    if (api_secret.empty()) return refused("no card api secret is configured (dingtalk.card_api_secret)");
    if (timestamp_header.empty()) return refused("missing x-ddpaas-signature-timestamp header");
    if (signature_header.empty()) return refused("missing x-ddpaas-signature header");
    long long timestamp = 0;
    if (!parse_decimal(timestamp_header, timestamp) || timestamp <= 0)
        return refused("x-ddpaas-signature-timestamp is not a number");
    // UNSURE (§B.1): the unit is not documented; ms is assumed, a seconds value still fits.
    const long long timestamp_ms = timestamp < 100000000000LL ? timestamp * 1000 : timestamp;
    const long long skew = now_ms > timestamp_ms ? now_ms - timestamp_ms : timestamp_ms - now_ms;
    if (skew > window_ms)
        return refused("x-ddpaas-signature-timestamp is " + std::to_string(skew / 1000) + " s from now, outside the " +
                       std::to_string(window_ms / 1000) + " s window");
    if (!constant_time_equals(card_signature(api_secret, timestamp), signature_header))
        return refused("x-ddpaas-signature does not match the timestamp and the card api secret");
    return core::ok();
}

core::Result<CardCallback> decode_card_callback(std::string_view body) {
    auto parsed = json_fields::parse(body, "DingTalk card callback");
    if (!parsed) return parsed.error();
    if (!parsed->is_object()) return make_error(ErrorCode::invalid_argument, "DingTalk card callback: not a JSON object");
    const json& root = *parsed;
    CardCallback out;
    out.out_track_id = text_at(root, "outTrackId");
    out.user_id = text_at(root, "userId");
    out.corp_id = text_at(root, "corpId");
    out.space_type = text_at(root, "spaceType");
    out.space_id = text_at(root, "spaceId");
    if (out.out_track_id.empty() || out.user_id.empty())
        return make_error(ErrorCode::invalid_argument, "DingTalk card callback: missing outTrackId or userId");
    // content is a JSON string (§B.1); an object is read as well.
    json content;
    if (const std::string* text = json_fields::string_member(root, "content")) {
        auto inner = json_fields::parse(*text, "DingTalk card callback content");
        if (!inner) return inner.error();
        content = std::move(*inner);
    } else if (const json* object = json_fields::object_member(root, "content")) {
        content = *object;
    }
    const json& data = json_fields::object_at(content, "cardPrivateData");
    if (const json* ids = json_fields::member(data, "actionIds"); ids && ids->is_array() && !ids->empty() &&
                                                                   ids->front().is_string())
        out.action_id = ids->front().get<std::string>();
    const json& params = json_fields::object_at(data, "params");
    out.token = text_at(params, "tk");
    return out;
}

ApiOutcome parse_card_response(int status, std::string_view body) {
    using Kind = ApiOutcome::Kind;
    json parsed = json::parse(body, nullptr, false);
    const bool has_json = parsed.is_object();
    const std::string code = has_json ? text_at(parsed, "code") : "";
    const std::string message = has_json ? text_at(parsed, "message") : "";
    const std::string described = "createAndDeliver: HTTP " + std::to_string(status) + (code.empty() ? "" : ", " + code) +
                                  (message.empty() ? "" : ": " + message);
    if (status >= 500) return outcome(Kind::retry, 0, described);
    if (status == 429 || code.find("Throttling") != std::string::npos) return outcome(Kind::retry, 0, described, 1);
    if (status == 401 || status == 403 || is_token_error(code)) return outcome(Kind::refresh_token, 0, described);
    if (status < 200 || status >= 300 || !has_json)
        return outcome(has_json ? Kind::fatal : Kind::retry, 0, described + (has_json ? "" : ", unreadable body"));
    const json& result = json_fields::object_at(parsed, "result");
    if (const json* deliveries = json_fields::member(result, "deliverResults"); deliveries && deliveries->is_array())
        for (const json& delivery : *deliveries)
            if (const json* ok = json_fields::member(delivery, "success"); ok && ok->is_boolean() && !ok->get<bool>())
                return outcome(Kind::fatal, 0, "createAndDeliver: not delivered to " + text_at(delivery, "spaceId") +
                                                   ": " + text_at(delivery, "errorMsg"));
    if (const json* success = json_fields::member(parsed, "success"); success && success->is_boolean() && !success->get<bool>())
        return outcome(Kind::fatal, 0, described);
    ApiOutcome out = outcome(Kind::ok, 0, "");
    out.message_id = text_at(result, "outTrackId");
    return out;
}

}  // namespace adapters::dingtalk
