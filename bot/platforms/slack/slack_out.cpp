#include "bot/platforms/slack/slack_out.h"

#include "adapters/slack/slack.h"

namespace bot {

core::Markup SlackOut::markup() const { return adapters::slack::slack_markup(); }

store::OutboxMessage SlackOut::reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const {
    store::OutboxMessage row;
    row.platform = "slack";
    row.channel = "reply";
    row.destination = message.chat_id;
    row.reply_to = message.thread_id.empty() ? message.message_id : message.thread_id;
    row.body = adapters::slack::render_post_message(reply, row.destination, row.reply_to);
    return row;
}

std::vector<store::OutboxMessage> SlackOut::push(const core::ChatMessage& message, const PushTarget& target,
                                                const std::string& kind, const std::string& dedup_key,
                                                long long now_unix) const {
    // Block Kit folds what does not fit (render_post_message), so one row is enough.
    return make_push_rows("slack", {message}, target, kind, dedup_key, now_unix,
                          [](const core::ChatMessage& part, const store::OutboxMessage& row) {
                              return row.channel == "webhook" ? adapters::slack::render_webhook(part)
                                                              : adapters::slack::render_post_message(part, row.destination, "");
                          });
}

}  // namespace bot
