#include "bot/platforms/dingtalk/dingtalk_out.h"

#include "adapters/common/crypto.h"
#include "adapters/dingtalk/dingtalk.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"

namespace bot {

DingtalkOut::DingtalkOut(const core::Clock& clock, std::string robot_code)
    : m_clock(clock), m_robot_code(std::move(robot_code)) {}

core::Markup DingtalkOut::markup() const { return adapters::dingtalk::dingtalk_markup(); }

store::OutboxMessage DingtalkOut::reply(const core::ChatMessage& reply,
                                        const adapters::InboundMessage& message) const {
    store::OutboxMessage row;
    row.platform = "dingtalk";
    row.reply_to = message.message_id;
    if (session_webhook_usable(message.reply_url_expires_ms, m_clock.now_unix_ms()) &&
        !message.reply_url.empty()) {
        row.channel = "session_webhook";
        row.destination = message.reply_url;
        row.expires_at = message.reply_url_expires_ms / 1000;
        row.body = adapters::dingtalk::render_session_envelope(reply, m_robot_code, message.chat_id);
        return row;
    }
    row.channel = "api";
    row.destination = message.chat_id;
    row.body = adapters::dingtalk::render_group_message(reply, m_robot_code, message.chat_id);
    return row;
}

std::string dingtalk_msg_uuid(const std::string& dedup_key) {
    return adapters::to_hex(adapters::sha256("push:" + dedup_key)).substr(0, 32);
}

std::vector<store::OutboxMessage> DingtalkOut::push(const core::ChatMessage& message, const PushTarget& target,
                                                   const std::string& kind, const std::string& dedup_key,
                                                   long long now_unix) const {
    auto parts = adapters::dingtalk::split_for_limit(message);
    return make_push_rows("dingtalk", parts, target, kind, dedup_key, now_unix,
                          [this](const core::ChatMessage& part, const store::OutboxMessage& row) {
                              if (row.channel == "webhook")  // the URL is signed by DingtalkSender at send time
                                  return adapters::dingtalk::render_custom_robot(part, dingtalk_msg_uuid(row.dedup_key));
                              return adapters::dingtalk::render_group_message(part, m_robot_code, row.destination);
                          });
}

}  // namespace bot
