#pragma once
// How trackerd writes to Slack: Block Kit markup, and the outbox rows of a reply (in the thread
// of the message that asked) or a push (chat.postMessage, or the chat's incoming webhook).
// Thread safety: immutable; safe for concurrent use.

#include <string>
#include <vector>

#include "bot/pipeline/platform_out.h"

namespace bot {

// Replies through chat.postMessage in the thread of the message that asked.
class SlackOut final : public PlatformOut {
public:
    core::Markup markup() const override;
    store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const override;
    std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                           const std::string& kind, const std::string& dedup_key,
                                           long long now_unix) const override;
};

}  // namespace bot
