#include "bot/platforms/dingtalk/dingtalk_out.h"

#include "adapters/common/crypto.h"
#include "adapters/dingtalk/dingtalk.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"

namespace bot {

DingtalkOut::DingtalkOut(const core::Clock& clock, std::string robot_code)
    : m_clock(clock), m_robot_code(std::move(robot_code)) {}

DingtalkOut::DingtalkOut(const core::Clock& clock, const config::DingtalkConfig& settings, WebLink web_link)
    : m_clock(clock), m_robot_code(settings.robot_code), m_web_link(std::move(web_link)) {
    if (settings.card_template_id.empty() || settings.card_token_secret.empty()) return;
    m_cards.template_id = settings.card_template_id;
    m_cards.robot_code = settings.robot_code;
    m_cards.stream = settings.mode == config::ConnectionMode::socket;
    m_cards.route_key = settings.card_callback_route_key;
    m_cards.token_key = adapters::dingtalk::card_token_key(settings.card_token_secret);
    m_cards.token_ttl_seconds = settings.card_token_ttl_hours * 3600LL;
}

std::optional<std::string> DingtalkOut::card(const core::ChatMessage& message, const std::string& chat_id) const {
    if (m_cards.template_id.empty() || message.buttons.empty()) return std::nullopt;
    std::string web_url;
    for (const auto& button : message.buttons)
        if (button.action == "web_view" && m_web_link && web_url.empty()) web_url = m_web_link(button.value);
    // Unguessable and unique: the card's outTrackId and the stem of its buttons' token nonces.
    const std::string nonce = adapters::to_hex(adapters::random_bytes(12));
    return adapters::dingtalk::render_card(message, m_cards, chat_id, nonce, m_clock.now_unix(), web_url);
}

core::Markup DingtalkOut::markup() const { return adapters::dingtalk::dingtalk_markup(); }

store::OutboxMessage DingtalkOut::reply(const core::ChatMessage& reply,
                                        const adapters::InboundMessage& message) const {
    store::OutboxMessage row;
    row.platform = "dingtalk";
    row.reply_to = message.message_id;
    if (auto body = message.direct ? std::nullopt : card(reply, message.chat_id)) {  // cards: groups only
        row.channel = "card";
        row.destination = message.chat_id;
        row.body = std::move(*body);
        return row;
    }
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
    if (target.webhook_url.empty()) {  // a custom robot sends no cards
        if (auto body = card(message, target.chat_id)) {
            auto rows = make_push_rows("dingtalk", {message}, target, kind, dedup_key, now_unix,
                                       [&](const core::ChatMessage&, const store::OutboxMessage&) { return *body; });
            for (auto& row : rows) row.channel = "card";
            return rows;
        }
    }
    auto parts = adapters::dingtalk::split_for_limit(message);
    return make_push_rows("dingtalk", parts, target, kind, dedup_key, now_unix,
                          [this](const core::ChatMessage& part, const store::OutboxMessage& row) {
                              if (row.channel == "webhook")  // the URL is signed by DingtalkSender at send time
                                  return adapters::dingtalk::render_custom_robot(part, dingtalk_msg_uuid(row.dedup_key));
                              return adapters::dingtalk::render_group_message(part, m_robot_code, row.destination);
                          });
}

}  // namespace bot
