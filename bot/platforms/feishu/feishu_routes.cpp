#include "bot/platforms/feishu/feishu_routes.h"

#include <spdlog/spdlog.h>

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"

namespace bot {
namespace {

std::string json_escape(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '"' || c == '\\') escaped += '\\';
        if (static_cast<unsigned char>(c) >= 0x20) escaped += c;
    }
    return escaped;
}

// The Go SDK's answers (§2.5): 200 {"msg":"success"}, errors {"msg":"<reason>"}.
HttpReply json_msg(int status, const std::string& message) {
    return HttpReply{status, "application/json", "{\"msg\":\"" + json_escape(message) + "\"}", {}};
}

HttpReply handle_events(const HttpRequest& request, const adapters::feishu::EventConfig& config,
                        InboundHandler& inbound, const core::Clock& clock, const std::function<void()>& wake,
                        NotedOutcome& outcome) {
    adapters::feishu::SignatureHeaders headers{request.header("x-lark-request-timestamp"),
                                               request.header("x-lark-request-nonce"),
                                               request.header("x-lark-signature")};
    auto decoded = adapters::feishu::decode_event(request.body, config, headers, clock.now_unix());
    if (!decoded) {
        if (decoded.error().code == core::ErrorCode::unauthorized) {
            spdlog::warn("feishu events: refused from {}: {}", request.remote_addr, decoded.error().message);
            outcome = refusal_outcome(decoded.error());
            return json_msg(401, decoded.error().message);
        }
        spdlog::warn("feishu events: malformed payload: {}", decoded.error().message);
        return json_msg(400, decoded.error().message);
    }
    using Kind = adapters::feishu::EventRequest::Kind;
    if (decoded->kind == Kind::url_verification) {  // §2.3: answered in plaintext even when encrypted
        outcome = RequestOutcome::challenge;
        return HttpReply{200, "application/json", "{\"challenge\":\"" + json_escape(decoded->challenge) + "\"}", {}};
    }
    if (decoded->kind == Kind::ignored) {
        spdlog::debug("feishu events: ignored: {}", decoded->ignored_reason);
        outcome = RequestOutcome::ignored;
        return json_msg(200, "success");
    }
    FeishuOut out;
    auto handled = inbound.handle(decoded->message, out);
    if (!handled) {
        // Nothing was applied; a 5xx makes Feishu re-push the event (§2.6).
        spdlog::error("feishu events: not applied, asking for a retry: {}", handled.error().message);
        return json_msg(500, "temporarily unable to apply; retry");
    }
    if (decoded->kind == Kind::card_action) {  // a tap: answered with a toast, and the card updated
        outcome = handled->duplicate ? RequestOutcome::duplicate : RequestOutcome::ok;
        spdlog::info("feishu card: {} by {} in {} ran '{}' (duplicate={}, changed={})", decoded->card_action,
                     decoded->message.sender_id, decoded->message.chat_id, decoded->message.text, handled->duplicate,
                     handled->changed);
        if (!handled->duplicate) wake();
        return HttpReply{200, "application/json",
                         feishu_card_answer(handled->duplicate ? nullptr : &*handled, decoded->card_single,
                                            handled->reply.locale),
                         {}};
    }
    if (handled->duplicate) {
        outcome = RequestOutcome::duplicate;
        spdlog::info("feishu events: duplicate delivery {} of {} ignored", decoded->message.dedup_key,
                     decoded->message.bot_added ? "the bot added to a group" : decoded->message.message_id);
        return json_msg(200, "success");
    }
    spdlog::info("feishu events: {} from {} in {} handled (changed={})", decoded->message.dedup_key,
                 decoded->message.sender_id, decoded->message.chat_id, handled->changed);
    wake();
    return json_msg(200, "success");
}

}  // namespace

void add_feishu_routes(HttpServer& server, const config::FeishuConfig& config, InboundHandler& inbound,
                       const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics) {
    // Feishu publishes no replay window and its SDKs check none (§2.5): ours is the config's
    // (8 h by default, adapters::feishu::k_default_window_seconds), below the de-duplication
    // horizon; replays inside it are caught by event_id and message_id dedup (§2.6).
    // Without the bot's open_id, the decoder takes a group message's leading @ to be the bot's.
    adapters::feishu::EventConfig event_config{config.verification_token, config.encrypt_key, config.bot_open_id,
                                               config.signature_window_seconds};
    server.post("/feishu/events", counted_route(metrics, "feishu", [&inbound, &clock, event_config, wake](
                                                                       const HttpRequest& request, NotedOutcome& outcome) {
        return handle_events(request, event_config, inbound, clock, wake, outcome);
    }), "application/json");
}

}  // namespace bot
