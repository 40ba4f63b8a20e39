#pragma once
// DingTalk's HTTP-callback URL (protocols.md §3.2) wired to the inbound handler. Verification
// first: nothing is parsed before the `timestamp`/`sign` headers pass. The signature does not
// cover the body, so the pair is bound to the message it came with (a replay with another body
// is refused) and msgId dedup stops the same message applying twice (§3.2).
// Thread safety: the handlers are safe for concurrent use.

#include <functional>
#include <string>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_server.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/dingtalk/dingtalk_out.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

// Registers POST /dingtalk/events. `wake` tells the outbox worker that a message was queued.
// Each request is counted in `metrics` when set.
void add_dingtalk_routes(HttpServer& server, const config::DingtalkConfig& settings,
                         InboundHandler& inbound, const core::Clock& clock,
                         std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
