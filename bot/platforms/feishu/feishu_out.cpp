#include "bot/platforms/feishu/feishu_out.h"

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"

namespace bot {

std::string feishu_reply_uuid(const std::string& dedup_key) {
    return "tk-" + adapters::to_hex(adapters::sha256("reply:" + dedup_key)).substr(0, 32);
}

core::Markup FeishuOut::markup() const { return adapters::feishu::feishu_markup(false); }

store::OutboxMessage FeishuOut::reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const {
    store::OutboxMessage row;
    row.platform = "feishu";
    row.destination = message.chat_id;
    if (message.message_id.empty()) {  // no message to reply to (the bot was added): sent to the chat
        row.channel = "api";
        row.body = adapters::feishu::render_message_request(reply, message.chat_id,
                                                            feishu_reply_uuid(message.dedup_key));
        return row;
    }
    row.channel = "reply";
    row.reply_to = message.message_id;
    row.body = adapters::feishu::render_reply_request(reply, feishu_reply_uuid(message.dedup_key));
    return row;
}

std::vector<store::OutboxMessage> FeishuOut::push(const core::ChatMessage& message, const PushTarget& target,
                                                 const std::string& kind, const std::string& dedup_key,
                                                 long long now_unix) const {
    bool webhook = !target.webhook_url.empty();
    auto parts = adapters::feishu::split_for_limit(message, adapters::feishu::body_limit(message, webhook));
    return make_push_rows("feishu", parts, target, kind, dedup_key, now_unix,
                          [](const core::ChatMessage& part, const store::OutboxMessage& row) {
                              if (row.channel == "webhook")  // signed by FeishuSender at send time
                                  return adapters::feishu::render_bot_webhook(part, "", 0);
                              return adapters::feishu::render_message_request(part, row.destination,
                                                                              feishu_reply_uuid(row.dedup_key));
                          });
}

}  // namespace bot
