#include "bot/platforms/feishu/feishu_out.h"

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"

namespace bot {

std::string feishu_reply_uuid(const std::string& dedup_key) {
    return "tk-" + adapters::to_hex(adapters::sha256("reply:" + dedup_key)).substr(0, 32);
}

namespace {

// A reply's first line as a toast: plain text, the leading mention of the sender removed, at
// most ~120 bytes cut on a character boundary.
std::string toast_text(const core::ChatMessage& reply) {
    std::string text = reply.sections.empty() ? reply.fallback_text : reply.sections.front();
    if (text.rfind("<at ", 0) == 0) {
        auto end = text.find("</at>");
        if (end != std::string::npos) text = text.substr(end + 5);
    }
    while (!text.empty() && text.front() == ' ') text.erase(0, 1);
    if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {  // lark_md bold markers are noise in a toast
        if (text.compare(i, 2, "**") == 0) {
            ++i;
            continue;
        }
        plain += text[i];
    }
    if (plain.size() > 120) {
        std::size_t cut = 120;
        while (cut > 0 && (static_cast<unsigned char>(plain[cut]) & 0xC0) == 0x80) --cut;
        plain = plain.substr(0, cut) + "…";
    }
    return plain;
}

}  // namespace

std::string feishu_card_answer(const InboundResult* handled, bool single_task_card, core::Locale locale) {
    const bool zh = locale == core::Locale::zh_cn;
    if (!handled) return adapters::feishu::card_action_response(zh ? "已处理过这次点击" : "Already handled", "info", nullptr);
    if (handled->limited)
        return adapters::feishu::card_action_response(zh ? "操作太频繁，请稍后再试" : "Too many commands; try again shortly",
                                                      "warning", nullptr);
    const core::ChatMessage& reply = handled->reply;
    std::string toast = toast_text(reply);
    if (toast.empty()) toast = zh ? "已收到" : "Received";
    const bool replace = handled->changed && single_task_card && !reply.sections.empty();
    return adapters::feishu::card_action_response(toast, handled->changed ? "success" : "info", replace ? &reply : nullptr);
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
    const bool webhook = !target.webhook_url.empty();
    const size_t limit = adapters::feishu::body_limit(message, webhook);
    auto render = [](const core::ChatMessage& part, const store::OutboxMessage& row) {
        if (row.channel == "webhook")  // signed by FeishuSender at send time
            return adapters::feishu::render_bot_webhook(part, "", 0);
        return adapters::feishu::render_message_request(part, row.destination, feishu_reply_uuid(row.dedup_key));
    };
    // Most messages fit whole: render the row once, as it is sent, and keep it when it fits
    // (issue 22: measuring a probe render and then rendering again cost the sweep ~20 ms).
    auto rows = make_push_rows("feishu", {message}, target, kind, dedup_key, now_unix, render);
    const size_t added_at_send = webhook ? adapters::feishu::k_bot_sign_bytes : 0;
    if (rows.front().body.size() + added_at_send <= limit) return rows;
    return make_push_rows("feishu", adapters::feishu::split_for_limit(message, limit), target, kind, dedup_key,
                          now_unix, render);
}

}  // namespace bot
