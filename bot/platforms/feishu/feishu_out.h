#pragma once
// How trackerd writes to Feishu: its markup, and the outbox rows of a reply (im/v1 reply to the
// message that asked) or a push (im/v1 send, or the chat's custom bot webhook), split to
// Feishu's size limits. Thread safety: immutable; safe for concurrent use.

#include <string>
#include <vector>

#include "bot/pipeline/inbound_types.h"
#include "bot/pipeline/platform_out.h"

namespace bot {

// Replies to the triggering message through im/v1 .../messages/{message_id}/reply, as text; an
// inbound message without a message_id (the bot was added to a group) is answered in its chat
// through im/v1 send.
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

// The answer to a tap on a card's button (card.action.trigger) once the pipeline handled it
// (nullptr: a duplicate tap, already answered): a toast with the reply's first line, and, when
// the tap changed the task of a card about one task, that card replaced by the reply. The reply
// itself is also sent to the chat, in the card's thread, as any reply is.
std::string feishu_card_answer(const InboundResult* handled, bool single_task_card, core::Locale locale);

// "tk-" + 32 hex digits of SHA-256(dedup_key): stable, within Feishu's 50-character uuid limit.
std::string feishu_reply_uuid(const std::string& dedup_key);

}  // namespace bot
