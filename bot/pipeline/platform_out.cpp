#include "bot/pipeline/platform_out.h"

namespace bot {

std::vector<store::OutboxMessage> make_push_rows(
    const std::string& platform, const std::vector<core::ChatMessage>& parts, const PushTarget& target,
    const std::string& kind, const std::string& dedup_key, long long now_unix,
    const std::function<std::string(const core::ChatMessage&, const store::OutboxMessage&)>& render) {
    std::vector<store::OutboxMessage> rows;
    for (size_t i = 0; i < parts.size(); ++i) {
        store::OutboxMessage row;
        row.platform = platform;
        bool webhook = !target.webhook_url.empty();
        row.channel = webhook ? "webhook" : "api";
        row.destination = webhook ? target.webhook_url : target.chat_id;
        row.kind = kind;
        row.dedup_key = i == 0 ? dedup_key : dedup_key + "#" + std::to_string(i);
        row.created_at = now_unix;
        row.next_attempt_at = now_unix;
        row.body = render(parts[i], row);
        rows.push_back(std::move(row));
    }
    return rows;
}

core::Result<long long> queue_reply(store::Store& store, const PlatformOut& out, const core::ChatMessage& reply,
                                      const adapters::InboundMessage& message, const std::string& dedup_key,
                                      long long now_unix) {
    store::OutboxMessage row = out.reply(reply, message);
    row.kind = "reply";
    row.dedup_key = dedup_key;
    row.created_at = now_unix;
    row.next_attempt_at = now_unix;
    auto queued = store.enqueue(row);
    if (!queued) return queued.error();
    return queued->id;
}

}  // namespace bot
