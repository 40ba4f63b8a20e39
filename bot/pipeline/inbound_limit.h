#pragma once
// The command limiter's place in the inbound pipeline: after the adapter verified and decoded a
// message and before InboundHandler's transaction changes anything. A message the limiter would
// refuse but whose dedup key was seen before goes on untouched (the handler answers it as a
// duplicate); any other message is counted by the CommandLimiter (the store is asked about
// redeliveries only when the limiter would refuse — with room, being counted does no harm). A limited message changes
// nothing in the store — not even the de-duplication mark, so a later delivery of it is judged
// afresh — and the first refusal of a stretch gets a short reply in the chat's language ("太频繁
// 了，请 N 秒后再试" / "Too many commands, try again in N s"), queued in the outbox under its
// own key ("limit:<platform>:<dedup_key>") so it can never stand in for the real reply.
//
// Thread safety: safe for concurrent use. Two concurrent first deliveries of one message may
// both be counted (the check ahead of the transaction is not atomic with it).

#include <optional>

#include "adapters/common/inbound.h"
#include "bot/pipeline/command_limiter.h"
#include "bot/pipeline/inbound_types.h"
#include "bot/pipeline/platform_out.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

// nullopt: go on and handle the message. A value: it was limited; answer with that result
// (limited = true; reply or outbox_id set when this refusal is the one that notifies).
// Errors only when the store failed.
core::Result<std::optional<InboundResult>> limit_inbound(CommandLimiter& limiter, store::Store& store,
                                                         const core::Clock& clock, const ChatSettings& chat,
                                                         const adapters::InboundMessage& message,
                                                         const PlatformOut& out, bool enqueue_reply);

}  // namespace bot
