#pragma once
// How a platform writes: its markup, and the outbox rows that carry a reply or a push. Each
// platform implements PlatformOut (bot/platforms/<platform>/); the inbound handler and the
// scheduler write through it without knowing the platform.
//
// Thread safety: implementations are immutable after construction; safe for concurrent use.

#include <functional>
#include <string>
#include <vector>

#include "adapters/common/inbound.h"
#include "core/message.h"
#include "core/result.h"
#include "core/store/outbox_types.h"
#include "core/store/store.h"

namespace bot {

// Where pushes for one chat go.
struct PushTarget {
    std::string chat_id;      // the platform's chat / channel / openConversationId
    std::string webhook_url;  // non-empty: push through this incoming webhook / custom robot
};

// How a platform writes: its markup, and how a reply to an inbound message is delivered.
class PlatformOut {
public:
    virtual ~PlatformOut() = default;
    virtual core::Markup markup() const = 0;
    // The outbox row answering `message` (dedup_key and kind are set by the caller).
    virtual store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const = 0;
    // The outbox rows that push `message` (a digest, warning, escalation ...) to one chat:
    // channel "webhook" (destination = target.webhook_url) when the chat has an incoming
    // webhook / custom robot, else "api" (destination = target.chat_id). Several rows when the
    // platform's size limit makes the message split; row i > 0 gets dedup_key + "#" + i, row 0
    // dedup_key itself. kind, created_at and next_attempt_at (= now) are set; idempotency keys
    // the platform supports (Feishu uuid, DingTalk msgUuid) derive from the row's dedup_key.
    // Webhook signatures are not in the body: the sender signs at send time (they expire).
    virtual std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                                   const std::string& kind, const std::string& dedup_key,
                                                   long long now_unix) const = 0;
};

// The rows of PlatformOut::push from the parts of a (split) message: row i has dedup_key
// (i > 0: + "#" + i), channel "webhook" / "api" and destination as PushTarget says, and the body
// render(part, row) returns (called after the row's other fields are set).
std::vector<store::OutboxMessage> make_push_rows(
    const std::string& platform, const std::vector<core::ChatMessage>& parts, const PushTarget& target,
    const std::string& kind, const std::string& dedup_key, long long now_unix,
    const std::function<std::string(const core::ChatMessage&, const store::OutboxMessage&)>& render);

// Queues the row replying `reply` to `message` (PlatformOut::reply): kind "reply", due now,
// under `dedup_key`. Returns the row's id (the existing row's when the key was queued before).
core::Result<long long> queue_reply(store::Store& store, const PlatformOut& out, const core::ChatMessage& reply,
                                      const adapters::InboundMessage& message, const std::string& dedup_key,
                                      long long now_unix);

}  // namespace bot
