#pragma once
// How trackerd writes to DingTalk: its markup, and the outbox rows of a reply or a push.
// Thread safety: DingtalkOut is immutable; safe for concurrent use.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/dingtalk/card.h"
#include "bot/pipeline/platform_out.h"
#include "config/config.h"
#include "core/clock.h"

namespace bot {

// Replies through the message's sessionWebhook while it is valid (it carries a real @, which the
// OpenAPI cannot, §3.6), else through the robot OpenAPI groupMessages/send.
//
// A session_webhook row's body is adapters::dingtalk::render_session_envelope: the
// sessionWebhook request and the groupMessages/send one to fall back to once it expires.
// Rows on channel "api" carry the groupMessages/send JSON itself (destination = conversationId).
// Rows on channel "card" carry a createAndDeliver request (adapters::dingtalk::render_card,
// destination = conversationId): a message with buttons for one task, to a group, when the
// config names a card template and the card token secret is known. Every other message with
// buttons goes as markdown that says what to type instead (回复「T003 完成」).
// The custom robot's msgUuid for a pushed row: 32 hex digits of SHA-256(dedup_key).
std::string dingtalk_msg_uuid(const std::string& dedup_key);

class DingtalkOut final : public PlatformOut {
public:
    // The signed web-view URL of a project, for a card's web_url ("" = none).
    using WebLink = std::function<std::string(std::string_view project_id)>;

    // Without cards: buttons become typed commands.
    DingtalkOut(const core::Clock& clock, std::string robot_code);
    // Cards as `settings` say (card_template_id, card_token_secret, card_token_ttl_hours, mode).
    DingtalkOut(const core::Clock& clock, const config::DingtalkConfig& settings, WebLink web_link = {});

    core::Markup markup() const override;
    store::OutboxMessage reply(const core::ChatMessage& reply,
                               const adapters::InboundMessage& message) const override;
    std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                           const std::string& kind, const std::string& dedup_key,
                                           long long now_unix) const override;

private:
    // The createAndDeliver body when `message` goes to group `chat_id` as a card.
    std::optional<std::string> card(const core::ChatMessage& message, const std::string& chat_id) const;

    const core::Clock& m_clock;
    const std::string m_robot_code;
    adapters::dingtalk::CardSettings m_cards;  // template_id "" = no cards
    WebLink m_web_link;
};

}  // namespace bot
