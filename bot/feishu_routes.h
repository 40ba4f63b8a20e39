#pragma once
// Feishu's event callback URL (protocols.md §2.1 webhook mode) wired to the inbound handler.
// decode_event() verifies first (X-Lark-Signature over the raw body when an Encrypt Key is
// configured, then the Verification Token inside the payload) and only then decodes.
// Thread safety: handlers are safe for concurrent use.

#include <functional>

#include "bot/daemon_metrics.h"
#include "bot/http_server.h"
#include "bot/inbound.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

// Replies to the triggering message through im/v1 .../messages/{message_id}/reply, as text.
// The request's uuid is derived from the inbound dedup key, so re-sending the row (at-least-once
// outbox) is idempotent on Feishu's side (§2.9: one success per uuid per hour).
class FeishuOut final : public PlatformOut {
public:
    core::Markup markup() const override;
    store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const override;
    std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                           const std::string& kind, const std::string& dedup_key,
                                           long long now_unix) const override;
};

// "tk-" + 32 hex digits of SHA-256(dedup_key): stable, within Feishu's 50-character uuid limit.
std::string feishu_reply_uuid(const std::string& dedup_key);

// Registers POST /feishu/events. `wake` tells the outbox worker that a message was queued.
// Each request is counted in `metrics` when set.
void add_feishu_routes(HttpServer& server, const config::FeishuConfig& config, InboundHandler& inbound,
                       const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics = nullptr);

}  // namespace bot
