#pragma once
// A chat message as every platform adapter hands it to the bot: verified, decoded and
// normalised. Plain value type.

#include <string>
#include <vector>

namespace adapters {

// A person mentioned in the text. The adapter replaces the platform's mention token with
// "@" + display (e.g. "<@U2> " -> "@U2 " or "@小明 "), and lists it here.
struct MentionedUser {
    std::string display;  // as it now stands in `text` after '@'
    std::string user_id;  // the platform's user id (Slack U…, Feishu open_id, DingTalk staffId)
};

struct InboundMessage {
    std::string platform;    // "slack" | "feishu" | "dingtalk"
    std::string dedup_key;   // event_id / header.event_id / msgId / derived for slash commands
    // A second key naming the same message, "" when none: a platform that may redeliver one
    // message under a new event id (Feishu, §2.6) sets it from the message's own id. The
    // message is a duplicate when either key was seen; both are remembered.
    std::string alt_dedup_key;
    std::string chat_id;     // channel / chat_id / conversationId
    bool direct = false;     // a one-to-one chat with the bot
    std::string sender_id;   // the platform's user id of the sender
    std::string sender_name; // as the platform gave it, may be ""
    std::string message_id;  // Slack ts, Feishu om_…, DingTalk msgId
    std::string thread_id;   // Slack thread_ts to reply in ("" = reply in the thread of message_id)
    std::string text;        // the bot's own mention removed, other mentions as "@display"
    // No text: the bot was just added to this group (Slack member_joined_channel of the bot's
    // own user, Feishu im.chat.member.bot.added_v1). Answered once with how to bind the group.
    bool bot_added = false;
    std::vector<MentionedUser> mentions;  // people mentioned, the bot excluded
    std::string reply_url;   // Slack response_url / DingTalk sessionWebhook, or ""
    long long reply_url_expires_ms = 0;  // DingTalk sessionWebhookExpiredTime; 0 = unknown
    long long created_ms = 0;
    // A signature that covers only part of the request (DingTalk's callback signs nothing but a
    // timestamp, §3.2), so that whoever saw one request could send any other body under it:
    // the handler binds `signature` to this message (`signature_binding`: what identifies the
    // message) until `signature_expires_at` (unix s), and refuses another message under it.
    // "" = the request's signature covers the body, or there is none to bind.
    std::string signature;
    std::string signature_binding;
    long long signature_expires_at = 0;
};

}  // namespace adapters
