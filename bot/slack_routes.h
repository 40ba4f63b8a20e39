#pragma once
// Slack's three request URLs (Events API, slash commands, interactivity) wired to the inbound
// handler. Verification first (protocols.md §1.2): nothing is parsed before the signature and
// timestamp check passes. Thread safety: handlers are safe for concurrent use.

#include <functional>
#include <string>

#include "bot/daemon_metrics.h"
#include "adapters/slack/slack.h"
#include "bot/http_server.h"
#include "bot/inbound.h"
#include "core/clock.h"

namespace bot {

struct SlackSettings {
    std::string signing_secret;
    std::string bot_user_id;  // "" = learn it from authorizations[] in each event
};

// Replies through chat.postMessage in the thread of the message that asked.
class SlackOut final : public PlatformOut {
public:
    core::Markup markup() const override;
    store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const override;
    std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                           const std::string& kind, const std::string& dedup_key,
                                           long long now_unix) const override;
};

// The command a digest button runs ("done T003" / "show T003", from its "PROJECT/TASK" value)
// as an inbound message; nullopt for other actions. Used by the request URL and Socket Mode.
std::optional<adapters::InboundMessage> interaction_message(const adapters::slack::Interaction& interaction);

// Registers POST /slack/events, /slack/commands and /slack/interactive. `wake` tells the outbox
// worker that a message was queued. Each request is counted in `metrics` when set.
void add_slack_routes(HttpServer& server, const SlackSettings& settings, InboundHandler& inbound,
                      const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
