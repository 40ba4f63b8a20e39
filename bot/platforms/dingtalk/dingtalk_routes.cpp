// DingTalk callback route and DingtalkOut (see dingtalk_routes.h).

#include "bot/platforms/dingtalk/dingtalk_routes.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/common/crypto.h"
#include "adapters/common/split.h"
#include "adapters/dingtalk/card.h"
#include "adapters/dingtalk/dingtalk.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"
#include "core/task_buttons.h"

namespace bot {
namespace {

// What DingTalk expects when the bot does not answer in the HTTP response (§3.2).
constexpr const char* k_empty_reply = "{\"msgtype\":\"empty\"}";

HttpReply empty_reply() { return HttpReply{200, "application/json", k_empty_reply, {}}; }

HttpReply json_error(int status, const std::string& reason) {
    nlohmann::json body{{"error", reason}};
    return HttpReply{status,
                     "application/json",
                     body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     {}};
}

constexpr const char* k_replayed =
    "this timestamp and sign were already used by another message (a replayed signature)";

HttpReply handle_callback(const HttpRequest& request, const config::DingtalkConfig& settings,
                          InboundHandler& inbound, const core::Clock& clock,
                          const std::function<void()>& wake, NotedOutcome& outcome) {
    const long long window_ms = settings.signature_window_seconds * 1000LL;
    auto verified = adapters::dingtalk::verify_callback(
        settings.app_secret, request.header("timestamp"), request.header("sign"), clock.now_unix_ms(), window_ms);
    if (!verified) {
        spdlog::warn("dingtalk {}: refused from {}: {}", request.path, request.remote_addr,
                     verified.error().message);
        outcome = refusal_outcome(verified.error());
        return json_error(401, verified.error().message);
    }
    auto decoded = adapters::dingtalk::decode_callback(request.body);
    if (!decoded) {
        spdlog::warn("dingtalk events: malformed payload: {}", decoded.error().message);
        return json_error(400, decoded.error().message);
    }
    // The sign covers only the timestamp (§3.2): the pair may carry this one message only.
    adapters::dingtalk::bind_callback_signature(decoded->message, request.header("timestamp"),
                                                request.header("sign"), window_ms);
    auto store_failure = [](const core::Error& error) {
        // Nothing was applied; a 5xx lets the sender know. Retries are undocumented (§3.2).
        spdlog::error("dingtalk events: not applied: {}", error.message);
        return json_error(error.code == core::ErrorCode::busy ? 503 : 500, "temporarily unable to apply; retry");
    };
    if (decoded->kind == adapters::dingtalk::Callback::Kind::ignored) {
        auto bound = inbound.bind_signature(decoded->message);  // so it cannot carry a text later
        if (!bound) return store_failure(bound.error());
        if (!*bound) {
            outcome = RequestOutcome::refused_replay;
            return json_error(401, k_replayed);
        }
        spdlog::debug("dingtalk events: ignored: {}", decoded->ignored_reason);
        outcome = RequestOutcome::ignored;
        return empty_reply();
    }
    DingtalkOut out(clock, settings);
    auto handled = inbound.handle(decoded->message, out);
    if (!handled) return store_failure(handled.error());
    if (handled->replayed_signature) {
        outcome = RequestOutcome::refused_replay;
        return json_error(401, k_replayed);
    }
    if (handled->duplicate) {
        outcome = RequestOutcome::duplicate;
        spdlog::info("dingtalk events: duplicate delivery {} ignored", decoded->message.dedup_key);
        return empty_reply();
    }
    spdlog::info("dingtalk events: {} from {} in {} handled (changed={})",
                 decoded->message.dedup_key, decoded->message.sender_id, decoded->message.chat_id,
                 handled->changed);
    wake();
    return empty_reply();
}

namespace dt = adapters::dingtalk;

// For logs: printable ASCII of what a callback said, at most 64 bytes.
std::string loggable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 64)) out += (c > 0x20 && c < 0x7f) ? c : '?';
    return out;
}

CardTapAnswer refused_tap(const dt::CardCallback& tap, const std::string& reason, core::Locale locale,
                          RequestOutcome outcome = RequestOutcome::refused_signature) {
    spdlog::warn("dingtalk card: tap by {} on {} refused: {}", loggable(tap.user_id), loggable(tap.out_track_id), reason);
    CardTapAnswer answer;
    answer.outcome = outcome;
    answer.card.private_to_tapper = {
        {"statusText", locale == core::Locale::en ? "This button is not valid or was already used" : "无效或已使用的按钮"}};
    return answer;
}

// The conversation of a Stream callback's spaceId (the bare openConversationId, or the
// openSpaceId it was delivered to: UNSURE which DingTalk sends).
std::string space_conversation(std::string_view space_id) {
    constexpr std::string_view k_group = "dtv1.card//IM_GROUP.";
    if (space_id.substr(0, k_group.size()) == k_group) space_id.remove_prefix(k_group.size());
    return std::string(space_id);
}

// The card's status after a tap that changed something.
std::string status_of(std::string_view action) {
    if (action == "task_done") return "done";
    if (action == "task_ack") return "acked";
    if (action == "task_delay") return "delay_asked";
    return "shown";
}

// The reply as one line of card text (no markdown heading), at most 1000 bytes.
std::string status_text(const core::ChatMessage& reply) {
    std::string text = reply.fallback_text.empty() ? reply.joined_text() : reply.fallback_text;
    return text.substr(0, adapters::utf8_floor(text, 1000));
}

HttpReply handle_card_callback(const HttpRequest& request, const config::DingtalkConfig& settings,
                               InboundHandler& inbound, const core::Clock& clock, const std::function<void()>& wake,
                               NotedOutcome& outcome) {
    auto verified = dt::verify_card_signature(settings.card_api_secret, request.header("x-ddpaas-signature-timestamp"),
                                              request.header("x-ddpaas-signature"), clock.now_unix_ms());
    if (!verified) {
        spdlog::warn("dingtalk {}: refused from {}: {}", request.path, request.remote_addr, verified.error().message);
        outcome = refusal_outcome(verified.error());
        return json_error(401, verified.error().message);
    }
    auto tap = dt::decode_card_callback(request.body);
    if (!tap) {
        spdlog::warn("dingtalk card: malformed callback: {}", tap.error().message);
        outcome = RequestOutcome::bad_request;
        return json_error(400, tap.error().message);
    }
    // The signature covers only the timestamp (§B.4): the pair may carry this one tap only.
    const std::string timestamp = request.header("x-ddpaas-signature-timestamp");
    long long expires_at = 0;
    std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), expires_at);
    if (expires_at < 100000000000LL) expires_at *= 1000;  // as verify_card_signature reads it
    expires_at = (expires_at + dt::k_card_signature_window_ms) / 1000 + 1;
    CardTapAnswer answer = handle_card_tap(*tap, settings, inbound, clock,
                                           timestamp + ":" + request.header("x-ddpaas-signature"), expires_at);
    outcome = answer.outcome;
    if (answer.failed) return json_error(503, "temporarily unable to apply; retry");
    if (answer.outcome == RequestOutcome::refused_replay) return json_error(401, k_replayed);
    if (answer.outcome == RequestOutcome::ok) wake();
    return HttpReply{200, "application/json", dt::render_card_answer(answer.card), {}};
}

}  // namespace

CardTapAnswer handle_card_tap(const dt::CardCallback& tap, const config::DingtalkConfig& settings,
                              InboundHandler& inbound, const core::Clock& clock, const std::string& signature,
                              long long signature_expires_at) {
    if (settings.card_token_secret.empty())
        return refused_tap(tap, "no card token secret: this trackerd issues no card buttons", core::Locale::zh_cn);
    auto token = dt::verify_card_token(dt::card_token_key(settings.card_token_secret), tap.token, clock.now_unix());
    if (!token) return refused_tap(tap, token.error().message, core::Locale::zh_cn);
    if (tap.out_track_id != dt::out_track_id(dt::card_nonce_of(token->nonce)))
        return refused_tap(tap, "the token belongs to another card than outTrackId " + loggable(tap.out_track_id),
                           token->locale);
    if (!tap.space_id.empty() && space_conversation(tap.space_id) != token->chat_id)
        return refused_tap(tap, "the token was issued to another chat than " + loggable(tap.space_id), token->locale);
    auto command = core::button_command(token->action, token->value, token->locale);
    if (!command) return refused_tap(tap, "the token names no command", token->locale);

    adapters::InboundMessage message;
    message.platform = "dingtalk";
    // One use per button and person: a double tap applies once, and someone who may not change
    // the task (refused) does not use up the owner's button.
    message.dedup_key = "card-tk:" + token->nonce + ":" + tap.user_id;
    message.message_id = tap.out_track_id;
    message.chat_id = token->chat_id;
    message.sender_id = tap.user_id;
    message.text = *command;
    message.created_ms = clock.now_unix_ms();
    if (!signature.empty()) {
        message.signature = signature;
        message.signature_binding = message.dedup_key;  // the button and the tapper
        message.signature_expires_at = signature_expires_at;
    }
    DingtalkOut out(clock, settings);
    auto handled = inbound.handle(message, out, /*enqueue_reply=*/false);  // the card shows the answer
    CardTapAnswer answer;
    if (!handled) {
        spdlog::error("dingtalk card: tap {} not applied: {}", loggable(message.dedup_key), handled.error().message);
        answer.failed = true;
        answer.outcome = RequestOutcome::error;
        return answer;
    }
    if (handled->replayed_signature)
        return refused_tap(tap, "replayed signature", token->locale, RequestOutcome::refused_replay);
    if (handled->duplicate)
        return refused_tap(tap, "token already used (" + loggable(message.dedup_key) + ")", token->locale,
                           RequestOutcome::duplicate);
    const std::string text = status_text(handled->reply);
    spdlog::info("dingtalk card: tap {} \"{}\" by {} in {} handled (changed={})", loggable(message.dedup_key),
                 loggable(token->action), loggable(tap.user_id), loggable(message.chat_id), handled->changed);
    if (handled->changed)
        answer.card.shared = {{"status", status_of(token->action)}, {"statusText", text}};
    else if (!text.empty())
        answer.card.private_to_tapper = {{"statusText", text}};
    return answer;
}

void add_dingtalk_routes(HttpServer& server, const config::DingtalkConfig& settings,
                         InboundHandler& inbound, const core::Clock& clock,
                         std::function<void()> wake, DaemonMetrics* metrics) {
    server.post("/dingtalk/events", counted_route(metrics, "dingtalk", [&inbound, &clock, settings, wake](
                                                                           const HttpRequest& request, NotedOutcome& outcome) {
        return handle_callback(request, settings, inbound, clock, wake, outcome);
    }), "application/json");
    server.post("/dingtalk/card", counted_route(metrics, "dingtalk", [&inbound, &clock, settings, wake](
                                                                         const HttpRequest& request, NotedOutcome& outcome) {
        return handle_card_callback(request, settings, inbound, clock, wake, outcome);
    }), "application/json");
}

}  // namespace bot
