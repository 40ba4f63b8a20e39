// DingTalk inbound (callback signature and body, §3.2), custom-robot URL signing (§3.5),
// tokens and API responses (§3.5, §3.6).
#include "adapters/dingtalk/dingtalk.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
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
