#pragma once
// How trackerd writes to DingTalk: its markup, and the outbox rows of a reply or a push.
// Thread safety: DingtalkOut is immutable; safe for concurrent use.

#include <string>
#include <vector>

#include "bot/pipeline/platform_out.h"
#include "core/clock.h"

namespace bot {

// Replies through the message's sessionWebhook while it is valid (it carries a real @, which the
// OpenAPI cannot, §3.6), else through the robot OpenAPI groupMessages/send.
//
// A session_webhook row's body is adapters::dingtalk::render_session_envelope: the
// sessionWebhook request and the groupMessages/send one to fall back to once it expires.
// Rows on channel "api" carry the groupMessages/send JSON itself (destination = conversationId).
// The custom robot's msgUuid for a pushed row: 32 hex digits of SHA-256(dedup_key).
std::string dingtalk_msg_uuid(const std::string& dedup_key);

class DingtalkOut final : public PlatformOut {
public:
    DingtalkOut(const core::Clock& clock, std::string robot_code);

    core::Markup markup() const override;
    store::OutboxMessage reply(const core::ChatMessage& reply,
                               const adapters::InboundMessage& message) const override;
    std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                           const std::string& kind, const std::string& dedup_key,
                                           long long now_unix) const override;

private:
    const core::Clock& m_clock;
    const std::string m_robot_code;
};

}  // namespace bot
