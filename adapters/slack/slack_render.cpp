// The rendering half of adapters/slack/slack.h: Slack markup and Block Kit bodies for
// chat.postMessage, response_url and incoming webhooks (protocols.md §1.6, §1.7).
// Pure functions; safe for concurrent use.

#include <map>
#include <nlohmann/json.hpp>

#include "adapters/common/json_fields.h"
#include "adapters/slack/slack.h"
#include "core/utf8.h"

namespace adapters::slack {

using json_fields::dump;

namespace {

using Json = nlohmann::json;

constexpr size_t k_max_buttons_per_block = 25;
constexpr size_t k_max_button_label_chars = 75;
constexpr size_t k_max_button_value_chars = 2000;
constexpr const char* k_ellipsis = "…";

// Slack counts characters, not bytes; code points are a close, safe measure.
size_t char_count(std::string_view text) { return core::utf8_length(text); }

// The byte length of the longest prefix of `text` with at most `max_chars` characters.
size_t prefix_bytes(std::string_view text, size_t max_chars) {
    size_t chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if (core::is_utf8_continuation(text[i])) continue;
        if (chars == max_chars) return i;
        ++chars;
    }
    return text.size();
}

// `text` cut to at most `max_chars` characters, the cut marked with an ellipsis.
std::string cut(std::string_view text, size_t max_chars) {
    if (char_count(text) <= max_chars) return std::string(text);
    return std::string(text.substr(0, prefix_bytes(text, max_chars - 1))) + k_ellipsis;
}

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Splits a section into pieces of at most k_max_section_chars: at the last line break that
// fits, else the last space, else anywhere; never inside a "<@U…>" sequence.
std::vector<std::string> split_section(std::string_view text) {
    std::vector<std::string> pieces;
    while (char_count(text) > k_max_section_chars) {
        std::string_view piece = text.substr(0, prefix_bytes(text, k_max_section_chars));
        size_t at = piece.rfind('\n');
        if (at == std::string_view::npos || at == 0) at = piece.rfind(' ');
        if (at == std::string_view::npos || at == 0) at = piece.size();
        piece = piece.substr(0, at);
        const size_t open = piece.rfind('<');
        if (open != std::string_view::npos && open > 0 &&
            (piece.rfind('>') == std::string_view::npos || piece.rfind('>') < open)) {
            piece = piece.substr(0, open);
        }
        pieces.emplace_back(piece);
        text.remove_prefix(piece.size());
        if (!text.empty() && (text.front() == '\n' || text.front() == ' ')) text.remove_prefix(1);
    }
    if (!is_blank(text)) pieces.emplace_back(text);
    return pieces;
}

std::string omitted_note(size_t omitted, core::Locale locale) {
    if (locale == core::Locale::en) return "_… " + std::to_string(omitted) + " more not shown_";
    return "_…（另有 " + std::to_string(omitted) + " 段未显示）_";
}

// Fits `pieces` into `budget` sections: the last one takes as many of the rest as fit, then a
// note saying how many were left out.
std::vector<std::string> fit_sections(std::vector<std::string> pieces, size_t budget,
                                      core::Locale locale) {
    if (pieces.size() <= budget || budget == 0) {
        if (budget == 0) pieces.clear();
        return pieces;
    }
    std::vector<std::string> kept(pieces.begin(),
                                  pieces.begin() + static_cast<std::ptrdiff_t>(budget - 1));
    const size_t room = k_max_section_chars - char_count(omitted_note(pieces.size(), locale)) - 1;
    std::string folded;
    size_t next = budget - 1;
    for (; next < pieces.size(); ++next) {
        const std::string candidate =
            folded.empty() ? pieces[next] : folded + "\n\n" + pieces[next];
        if (char_count(candidate) > room) break;
        folded = candidate;
    }
    if (folded.empty())
        folded = cut(pieces[next++], room);  // a single piece too long to fold whole
    if (next < pieces.size()) folded += "\n" + omitted_note(pieces.size() - next, locale);
    kept.push_back(std::move(folded));
    return kept;
}

Json plain_text(std::string text) {
    return Json{{"type", "plain_text"}, {"text", std::move(text)}, {"emoji", true}};
}

// Actions blocks of up to 25 buttons. action_id must be unique within a block, and digests
// repeat an action per task, so repeats get "#2", "#3" … (decode_interaction strips it).
std::vector<Json> action_blocks(const std::vector<core::Button>& buttons, size_t max_blocks) {
    std::vector<Json> blocks;
    std::map<std::string, int> uses;
    for (const auto& button : buttons) {
        if (blocks.size() == max_blocks &&
            blocks.back()["elements"].size() == k_max_buttons_per_block)
            break;
        if (blocks.empty() || blocks.back()["elements"].size() == k_max_buttons_per_block) {
            blocks.push_back(Json{{"type", "actions"}, {"elements", Json::array()}});
        }
        const int use = ++uses[button.action];
        Json element{
            {"type", "button"},
            {"text", plain_text(cut(button.label, k_max_button_label_chars))},
            {"action_id", use == 1 ? button.action : button.action + "#" + std::to_string(use)}};
        if (!button.value.empty()) element["value"] = cut(button.value, k_max_button_value_chars);
        blocks.back()["elements"].push_back(std::move(element));
    }
    return blocks;
}

Json render_blocks(const core::ChatMessage& message) {
    Json blocks = Json::array();
    const bool has_header = !is_blank(message.title);
    if (has_header)
        blocks.push_back(
            Json{{"type", "header"}, {"text", plain_text(cut(message.title, k_max_header_chars))}});
    // Keep at least one slot for a section; buttons beyond what fits are dropped.
    const size_t max_action_blocks = k_max_blocks - (has_header ? 1 : 0) - 1;
    std::vector<Json> actions = action_blocks(message.buttons, max_action_blocks);
    std::vector<std::string> pieces;
    for (const auto& section : message.sections) {
        for (auto& piece : split_section(section)) pieces.push_back(std::move(piece));
    }
    const size_t budget = k_max_blocks - blocks.size() - actions.size();
    for (auto& text : fit_sections(std::move(pieces), budget, message.locale)) {
        blocks.push_back(Json{{"type", "section"},
                              {"text", Json{{"type", "mrkdwn"}, {"text", std::move(text)}}}});
    }
    for (auto& block : actions) blocks.push_back(std::move(block));
    return blocks;
}

// The notification text: fallback_text, or everything joined when there is none.
std::string fallback_of(const core::ChatMessage& message) {
    return cut(message.fallback_text.empty() ? message.joined_text() : message.fallback_text,
               k_max_text_chars);
}

Json message_body(const core::ChatMessage& message) {
    Json body{{"text", fallback_of(message)}};
    Json blocks = render_blocks(message);
    if (!blocks.empty()) body["blocks"] = std::move(blocks);
    return body;
}

}  // namespace

core::Markup slack_markup() {
    core::Markup markup;
    markup.dialect = core::Dialect::slack_mrkdwn;
    markup.mention = [](const core::Person& person) {
        if (!person.slack.empty()) return "<@" + person.slack + ">";
        return "@" + (person.name.empty() ? person.id : person.name);
    };
    markup.user_id = [](const core::Person& person) { return person.slack; };
    markup.escape = [](std::string_view text) { return escape_text(text); };
    return markup;
}

std::string escape_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string render_challenge_response(std::string_view challenge) {
    return dump(Json{{"challenge", std::string(challenge)}});
}

std::string render_post_message(const core::ChatMessage& message, std::string_view channel,
                                std::string_view thread_ts) {
    Json body = message_body(message);
    body["channel"] = std::string(channel);
    if (!thread_ts.empty()) body["thread_ts"] = std::string(thread_ts);
    return dump(body);
}

std::string render_response(const core::ChatMessage& message, bool in_channel) {
    Json body = message_body(message);
    body["response_type"] = in_channel ? "in_channel" : "ephemeral";
    return dump(body);
}

std::string render_webhook(const core::ChatMessage& message) { return dump(message_body(message)); }

}  // namespace adapters::slack
