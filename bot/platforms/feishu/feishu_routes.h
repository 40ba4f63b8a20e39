#pragma once
// Feishu's event callback URL (protocols.md §2.1 webhook mode) wired to the inbound handler.
// decode_event() verifies first (X-Lark-Signature over the raw body when an Encrypt Key is
// configured, then the Verification Token inside the payload) and only then decodes.
// Thread safety: handlers are safe for concurrent use.

#include <functional>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_server.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/feishu/feishu_out.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

// Registers POST /feishu/events. `wake` tells the outbox worker that a message was queued.
// Each request is counted in `metrics` when set.
void add_feishu_routes(HttpServer& server, const config::FeishuConfig& config, InboundHandler& inbound,
                       const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
