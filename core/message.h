#pragma once
// A message to a chat, platform-neutral. Core renders replies, digests and warnings into it
// using the target platform's Markup; the adapter turns it into Block Kit, a Feishu card or
// DingTalk markdown. Plain value types; safe to share read-only.

#include <functional>
#include <string>
#include <vector>

#include "core/model.h"

namespace core {

enum class Dialect {
    plain,         // no markup (trackerctl, DingTalk text)
    markdown,      // **bold** (Feishu lark_md, DingTalk markdown)
    slack_mrkdwn,  // *bold* (Slack mrkdwn)
};

// How to write for one platform: markup dialect and how to mention a person so that they are
// notified (Slack "<@U1>", Feishu card "<at id=ou_1></at>", DingTalk "@16650246698", CLI "@小明").
struct Markup {
    Dialect dialect = Dialect::plain;
    std::function<std::string(const Person&)> mention;  // must not be empty
    // Platform user id of a person, "" when unknown (DingTalk at.atUserIds, Feishu, Slack).
    std::function<std::string(const Person&)> user_id;
    // Text a person wrote (an unreadable line, a note, a reason), made inert in this markup so
    // that echoing it cannot mention or ping anyone (Slack "<!channel>" -> "&lt;!channel&gt;",
    // Feishu "<at user_id=\"all\">" -> "＜at …＞"). Empty = shown as it is.
    std::function<std::string(std::string_view)> escape;

    std::string bold(std::string_view text) const;
    std::string mention_of(const Person& person) const;
    std::string literal(std::string_view text) const;  // escape(text), or text when unset
};

// Markup for the command line: plain text, "@name" mentions.
Markup plain_markup();

struct Button {
    std::string label;
    std::string action;  // "task_done", "task_open"
    std::string value;   // "P1/T003"
};

struct ChatMessage {
    std::string title;                  // header ("每日简报 · 2024-03-23"); "" for a plain reply
    std::vector<std::string> sections;  // body paragraphs, in the markup's dialect
    std::string fallback_text;          // the whole message as plain text (notifications)
    std::vector<std::string> mention_user_ids;  // platform user ids to notify
    std::vector<Button> buttons;
    Locale locale = Locale::zh_cn;

    // Title and sections joined with blank lines: what a text-only channel shows.
    std::string joined_text() const;
};

}  // namespace core
