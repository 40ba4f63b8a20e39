#include "bot/pipeline/inbound_limit.h"

#include <spdlog/spdlog.h>

#include "core/answers.h"
#include "core/grammar_text.h"

namespace bot {
namespace {

core::Result<bool> seen_before(store::Store& store, const adapters::InboundMessage& message) {
    auto seen = store.seen_inbound(message.platform, message.dedup_key);
    if (!seen || *seen || message.alt_dedup_key.empty()) return seen;
    return store.seen_inbound(message.platform, message.alt_dedup_key);
}

// In the chat's language; else the message's (Chinese as soon as it has a CJK character).
core::ChatMessage notice(const ChatSettings& chat, const adapters::InboundMessage& message, int seconds) {
    core::Locale locale = chat.locale.value_or(core::grammar::contains_cjk(message.text) || message.text.empty()
                                                   ? core::Locale::zh_cn
                                                   : core::Locale::en);
    core::ChatMessage reply;
    reply.locale = locale;
    reply.sections.push_back(core::answers::too_many_commands(seconds, locale));
    reply.fallback_text = reply.sections.front();
    return reply;
}

}  // namespace

core::Result<std::optional<InboundResult>> limit_inbound(CommandLimiter& limiter, store::Store& store,
                                                         const core::Clock& clock, const ChatSettings& chat,
                                                         const adapters::InboundMessage& message,
                                                         const PlatformOut& out, bool enqueue_reply) {
    // A redelivery of something already applied is answered as a duplicate, never limited. The
    // store is asked only when the limiter would refuse: the question costs a query, and with
    // room in both windows the answer does not matter (a redelivery admitted here is counted).
    if (!limiter.has_room(message.platform, message.sender_id, message.chat_id)) {
        auto seen = seen_before(store, message);
        if (!seen) return seen.error();
        if (*seen) return std::optional<InboundResult>();
    }
    LimitDecision decision = limiter.admit(message.platform, message.sender_id, message.chat_id);
    if (decision.allowed) return std::optional<InboundResult>();
    spdlog::warn("{}: command {} from {} in {} refused: rate limit per {} reached, retry in {} s{}", message.platform,
                 message.dedup_key, message.sender_id, message.chat_id, decision.scope, decision.retry_after_seconds,
                 decision.notify ? " (told the chat)" : "");
    InboundResult result;
    result.limited = true;
    if (!decision.notify) return std::optional<InboundResult>(std::move(result));
    result.reply = notice(chat, message, decision.retry_after_seconds);
    if (enqueue_reply) {
        // Its own key, so idempotency keys derived from it (Feishu's uuid) differ from the real reply's.
        adapters::InboundMessage keyed = message;
        keyed.dedup_key = "limit:" + message.dedup_key;
        auto queued = queue_reply(store, out, result.reply, keyed,
                                    "limit:" + message.platform + ":" + message.dedup_key, clock.now_unix());
        if (!queued) return queued.error();
        result.outbox_id = *queued;
    }
    return std::optional<InboundResult>(std::move(result));
}

}  // namespace bot
