#pragma once
// Slack's three request URLs (Events API, slash commands, interactivity) wired to the inbound
// handler. Verification first (protocols.md §1.2): nothing is parsed before the signature and
// timestamp check passes. Thread safety: handlers are safe for concurrent use.

#include <functional>
#include <string>

#include "bot/ops/daemon_metrics.h"
#include "adapters/slack/slack.h"
#include "bot/net/http_server.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/slack/slack_out.h"
#include "core/clock.h"

namespace bot {

struct SlackSettings {
    std::string signing_secret;
    std::string bot_user_id;  // "" = learn it from authorizations[] in each event
};

// Registers POST /slack/events, /slack/commands and /slack/interactive. `wake` tells the outbox
// worker that a message was queued. Each request is counted in `metrics` when set.
void add_slack_routes(HttpServer& server, const SlackSettings& settings, InboundHandler& inbound,
                      const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
