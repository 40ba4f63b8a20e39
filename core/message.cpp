#include "core/message.h"

namespace core {

std::string Markup::bold(std::string_view text) const {
    switch (dialect) {
        case Dialect::plain: return std::string(text);
        case Dialect::markdown: return "**" + std::string(text) + "**";
        case Dialect::slack_mrkdwn: return "*" + std::string(text) + "*";
    }
    return std::string(text);
}

std::string Markup::literal(std::string_view text) const { return escape ? escape(text) : std::string(text); }

std::string Markup::mention_of(const Person& person) const {
    if (mention) return mention(person);
    return "@" + (person.name.empty() ? person.id : person.name);
}

Markup plain_markup() {
    Markup markup;
    markup.dialect = Dialect::plain;
    markup.mention = [](const Person& p) { return "@" + (p.name.empty() ? p.id : p.name); };
    markup.user_id = [](const Person&) { return std::string(); };
    return markup;
}

std::string ChatMessage::joined_text() const {
    std::string out = title;
    for (const auto& section : sections) {
        if (!out.empty()) out += "\n";
        out += section;
    }
    return out;
}

}  // namespace core
