// DingTalk callback route and DingtalkOut (see dingtalk_routes.h).

#include "bot/platforms/dingtalk/dingtalk_routes.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <utility>

#include "adapters/common/crypto.h"
#include "adapters/dingtalk/dingtalk.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"

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
    DingtalkOut out(clock, settings.robot_code);
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

}  // namespace

void add_dingtalk_routes(HttpServer& server, const config::DingtalkConfig& settings,
                         InboundHandler& inbound, const core::Clock& clock,
                         std::function<void()> wake, DaemonMetrics* metrics) {
    server.post("/dingtalk/events", counted_route(metrics, "dingtalk", [&inbound, &clock, settings, wake](
                                                                           const HttpRequest& request, NotedOutcome& outcome) {
        return handle_callback(request, settings, inbound, clock, wake, outcome);
    }), "application/json");
}

}  // namespace bot
