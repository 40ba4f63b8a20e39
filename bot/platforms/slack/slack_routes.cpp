#include "bot/platforms/slack/slack_routes.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "adapters/slack/slack.h"

namespace bot {
namespace {

// A parser's reason may quote the body's bytes: invalid UTF-8 is replaced, so the answer is JSON.
HttpReply json_error(int status, const std::string& reason) {
    nlohmann::json body{{"error", reason}};
    return HttpReply{status, "application/json", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

// Verification before anything else; logs and answers 401 with the reason.
std::optional<HttpReply> refuse_unverified(const HttpRequest& request, const SlackSettings& settings,
                                           const core::Clock& clock, NotedOutcome& outcome) {
    auto verified = adapters::slack::verify_request(settings.signing_secret, request.header("x-slack-request-timestamp"),
                                                    request.header("x-slack-signature"), request.body, clock.now_unix());
    if (verified) return std::nullopt;
    spdlog::warn("slack {}: refused from {}: {}", request.path, request.remote_addr, verified.error().message);
    outcome = refusal_outcome(verified.error());
    return json_error(401, verified.error().message);
}

// Store failures are the only errors left: tell Slack to retry (5xx), nothing was applied.
HttpReply store_failure(const HttpRequest& request, const core::Error& error) {
    spdlog::error("slack {}: not applied, asking for a retry: {}", request.path, error.message);
    return json_error(error.code == core::ErrorCode::busy ? 503 : 500, "temporarily unable to apply; retry");
}

HttpReply handle_events(const HttpRequest& request, const SlackSettings& settings, InboundHandler& inbound,
                        const core::Clock& clock, const std::function<void()>& wake, NotedOutcome& outcome) {
    if (auto refused = refuse_unverified(request, settings, clock, outcome)) return *refused;
    auto decoded = adapters::slack::decode_events(request.body, settings.bot_user_id);
    if (!decoded) {
        spdlog::warn("slack events: malformed payload: {}", decoded.error().message);
        return json_error(400, decoded.error().message);
    }
    using Kind = adapters::slack::EventsRequest::Kind;
    if (decoded->kind == Kind::url_verification) {
        outcome = RequestOutcome::challenge;
        return HttpReply{200, "application/json", adapters::slack::render_challenge_response(decoded->challenge), {}};
    }
    if (decoded->kind == Kind::ignored) {
        spdlog::debug("slack events: ignored: {}", decoded->ignored_reason);
        outcome = RequestOutcome::ignored;
        return HttpReply{200, "application/json", "{}", {}};
    }
    SlackOut out;
    auto handled = inbound.handle(decoded->message, out);
    if (!handled) return store_failure(request, handled.error());
    if (handled->duplicate) {
        outcome = RequestOutcome::duplicate;
        spdlog::info("slack events: duplicate delivery {} ignored (retry {})", decoded->message.dedup_key,
                     request.header("x-slack-retry-num"));
        return HttpReply{200, "application/json", "{}", {}};
    }
    spdlog::info("slack events: {} from {} in {} handled (changed={})", decoded->message.dedup_key,
                 decoded->message.sender_id, decoded->message.chat_id, handled->changed);
    wake();
    return HttpReply{200, "application/json", "{}", {}};
}

HttpReply handle_command(const HttpRequest& request, const SlackSettings& settings, InboundHandler& inbound,
                         const core::Clock& clock, NotedOutcome& outcome) {
    if (adapters::slack::is_ssl_check(request.body)) {
        outcome = RequestOutcome::challenge;
        return HttpReply{200, "text/plain", "", {}};  // Slack's unsigned certificate probe
    }
    if (auto refused = refuse_unverified(request, settings, clock, outcome)) return *refused;
    auto message = adapters::slack::decode_slash_command(request.body);
    if (!message) {
        spdlog::warn("slack commands: malformed payload: {}", message.error().message);
        return json_error(400, message.error().message);
    }
    SlackOut out;
    auto handled = inbound.handle(*message, out, /*enqueue_reply=*/false);
    if (!handled) return store_failure(request, handled.error());
    if (handled->duplicate) {
        outcome = RequestOutcome::duplicate;
        return HttpReply{200, "application/json", "", {}};
    }
    // Rate-limited after the chat was told once: an empty 200 shows the asker nothing.
    if (handled->limited && handled->reply.sections.empty()) return HttpReply{200, "application/json", "", {}};
    spdlog::info("slack commands: {} in {} handled (changed={})", message->sender_id, message->chat_id,
                 handled->changed);
    // Changes are shown to the channel; answers to questions only to the asker.
    return HttpReply{200, "application/json", adapters::slack::render_response(handled->reply, handled->changed), {}};
}

HttpReply handle_interactive(const HttpRequest& request, const SlackSettings& settings, InboundHandler& inbound,
                             const core::Clock& clock, const std::function<void()>& wake, NotedOutcome& outcome) {
    if (auto refused = refuse_unverified(request, settings, clock, outcome)) return *refused;
    auto interaction = adapters::slack::decode_interaction(request.body);
    if (!interaction) {
        spdlog::warn("slack interactive: malformed payload: {}", interaction.error().message);
        return json_error(400, interaction.error().message);
    }
    auto message = adapters::slack::interaction_message(*interaction);
    if (!message) {
        outcome = RequestOutcome::ignored;
        return HttpReply{200, "application/json", "", {}};
    }
    SlackOut out;
    auto handled = inbound.handle(*message, out);
    if (!handled) return store_failure(request, handled.error());
    if (handled->duplicate) outcome = RequestOutcome::duplicate;
    else wake();
    return HttpReply{200, "application/json", "", {}};
}

}  // namespace

void add_slack_routes(HttpServer& server, const SlackSettings& settings, InboundHandler& inbound,
                      const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics) {
    server.post("/slack/events", counted_route(metrics, "slack", [&, settings, wake](const HttpRequest& request, NotedOutcome& outcome) {
        return handle_events(request, settings, inbound, clock, wake, outcome);
    }), "application/json");
    server.post("/slack/commands", counted_route(metrics, "slack", [&, settings](const HttpRequest& request, NotedOutcome& outcome) {
        return handle_command(request, settings, inbound, clock, outcome);
    }), "application/x-www-form-urlencoded");
    server.post("/slack/interactive", counted_route(metrics, "slack", [&, settings, wake](const HttpRequest& request, NotedOutcome& outcome) {
        return handle_interactive(request, settings, inbound, clock, wake, outcome);
    }), "application/x-www-form-urlencoded");
}

}  // namespace bot
