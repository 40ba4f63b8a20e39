// Feishu outbound: markup, im/v1 and custom-bot bodies, splitting, tokens and API responses
// (protocols.md §2.8, §2.9).
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/common/crypto.h"
#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "adapters/feishu/at_tags.h"
#include "adapters/feishu/feishu.h"

namespace adapters::feishu {

using json_fields::dump;
using json_fields::text_at;
using json_fields::integer_at;
namespace {

using nlohmann::json;

std::string display_name(const core::Person& person) {
    return person.name.empty() ? person.id : person.name;
}

// Text messages want <at user_id="ou">Name</at>; cards want <at id=ou></at> (§2.8, §2.9).
std::string to_text_form(std::string_view text) {
    return rewrite_at_tags(text, [](const AtTag& tag) {
        return "<at user_id=\"" + tag.id + "\">" + tag.inner + "</at>";
    });
}

std::string to_card_form(std::string_view text) {
    return rewrite_at_tags(text, [](const AtTag& tag) { return "<at id=" + tag.id + "></at>"; });
}

// mention_user_ids that no tag in `text` mentions yet.
std::vector<std::string> unmentioned(std::string_view text, const std::vector<std::string>& ids) {
    std::set<std::string> present;
    for (const AtTag& tag : find_at_tags(text)) present.insert(tag.id);
    std::vector<std::string> out;
    for (const auto& id : ids)
        if (!id.empty() && present.insert(id).second) out.push_back(id);
    return out;
}

std::string text_content(const core::ChatMessage& message) {
    std::string text = to_text_form(message.joined_text());
    std::string extra;
    for (const auto& id : unmentioned(text, message.mention_user_ids))
        extra += (extra.empty() ? "" : " ") + std::string("<at user_id=\"") + id + "\"></at>";
    if (!extra.empty()) text += (text.empty() ? "" : "\n") + extra;
    return text;
}

json lark_md_div(std::string content) {
    return {{"tag", "div"}, {"text", {{"tag", "lark_md"}, {"content", std::move(content)}}}};
}

// Card JSON 1.0 as in §2.9: header, lark_md divs, hr, action buttons. update_multi: a tap's
// answer replaces the card for everyone in the chat, not only for whoever tapped (1.0's default).
// A button's value says what a tap runs (core::button_command) in the message's language, and
// whether the card is about one task (then the answer replaces it; a digest keeps its card).
json card(const core::ChatMessage& message) {
    json out = {{"config", {{"wide_screen_mode", true}, {"update_multi", true}}}};
    if (!message.title.empty())
        out["header"] = {{"title", {{"tag", "plain_text"}, {"content", message.title}}}, {"template", "blue"}};
    json elements = json::array();
    std::string all_text;
    for (const auto& section : message.sections) {
        if (section.empty()) continue;
        std::string content = to_card_form(section);
        all_text += content;
        elements.push_back(lark_md_div(std::move(content)));
    }
    std::string extra;
    for (const auto& id : unmentioned(all_text, message.mention_user_ids))
        extra += (extra.empty() ? "" : " ") + std::string("<at id=") + id + "></at>";
    if (!extra.empty()) elements.push_back(lark_md_div(extra));
    if (!message.buttons.empty()) {
        json actions = json::array();
        bool single = true;
        for (const auto& button : message.buttons)
            single = single && button.value.substr(button.value.find('/') + 1) ==
                                   message.buttons.front().value.substr(message.buttons.front().value.find('/') + 1);
        for (size_t i = 0; i < message.buttons.size(); ++i) {
            const core::Button& button = message.buttons[i];
            actions.push_back({{"tag", "button"},
                               {"text", {{"tag", "plain_text"}, {"content", button.label}}},
                               {"type", i == 0 ? "primary" : "default"},
                               {"value", {{"action", button.action},
                                          {"value", button.value},
                                          {"lang", message.locale == core::Locale::en ? "en" : "zh-CN"},
                                          {"single", single}}}});
        }
        elements.push_back({{"tag", "hr"}});
        elements.push_back({{"tag", "action"}, {"actions", std::move(actions)}});
    }
    out["elements"] = std::move(elements);
    return out;
}

// msg_type and the serialised content string of an im/v1 body.
std::pair<std::string, std::string> im_content(const core::ChatMessage& message) {
    if (renders_as_card(message)) return {"interactive", dump(card(message))};
    return {"text", dump(json{{"text", text_content(message)}})};
}

long long parse_seconds(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() && end == text.data() + text.size() && value > 0 ? value : 0;
}

}  // namespace

std::string reply_path(std::string_view message_id) {
    return "/open-apis/im/v1/messages/" + url_encode(message_id) + "/reply";
}

core::Markup feishu_markup(bool card_form) {
    core::Markup markup;
    markup.dialect = card_form ? core::Dialect::markdown : core::Dialect::plain;
    markup.mention = [card_form](const core::Person& person) -> std::string {
        if (person.feishu.empty()) return "@" + display_name(person);  // notifies no one (§2.9)
        if (card_form) return "<at id=" + person.feishu + "></at>";
        return "<at user_id=\"" + person.feishu + "\">" + display_name(person) + "</at>";
    };
    markup.user_id = [](const core::Person& person) { return person.feishu; };
    // Feishu reads <at …> (and card tags) in text and lark_md and has no escape for them: a
    // person's '<' and '>' come back full-width, as readable and inert.
    markup.escape = [](std::string_view text) {
        std::string out;
        for (char c : text) out += c == '<' ? "＜" : c == '>' ? "＞" : std::string(1, c);
        return out;
    };
    return markup;
}

bool renders_as_card(const core::ChatMessage& message) {
    return !message.title.empty() || !message.buttons.empty();
}

size_t body_limit(const core::ChatMessage& message, bool custom_bot) {
    if (custom_bot) return k_bot_body_limit;
    return renders_as_card(message) ? k_card_body_limit : k_text_body_limit;
}

std::string render_message_request(const core::ChatMessage& message, std::string_view receive_id,
                                   std::string_view uuid) {
    auto [msg_type, content] = im_content(message);
    json body = {{"receive_id", receive_id}, {"msg_type", msg_type}, {"content", content}};
    if (!uuid.empty()) body["uuid"] = uuid;
    return dump(body);
}

std::string render_reply_request(const core::ChatMessage& message, std::string_view uuid,
                                 bool reply_in_thread) {
    auto [msg_type, content] = im_content(message);
    json body = {{"msg_type", msg_type}, {"content", content}};
    if (reply_in_thread) body["reply_in_thread"] = true;
    if (!uuid.empty()) body["uuid"] = uuid;
    return dump(body);
}

std::string bot_sign(std::string_view secret, long long timestamp_s) {
    // §2.8: the key is timestamp + "\n" + secret and the message is empty.
    return base64_encode(hmac_sha256(std::to_string(timestamp_s) + "\n" + std::string(secret), ""));
}

std::string render_bot_webhook(const core::ChatMessage& message, std::string_view secret,
                               long long timestamp_s) {
    json body = json::object();
    if (!secret.empty()) {
        body["timestamp"] = std::to_string(timestamp_s);
        body["sign"] = bot_sign(secret, timestamp_s);
    }
    if (renders_as_card(message)) {
        body["msg_type"] = "interactive";
        body["card"] = card(message);
    } else {
        body["msg_type"] = "text";
        body["content"] = {{"text", text_content(message)}};
    }
    return dump(body);
}

core::Result<std::string> sign_bot_webhook_body(std::string_view body, std::string_view secret,
                                                long long timestamp_s) {
    json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return core::make_error(core::ErrorCode::invalid_argument, "the custom bot body is not a JSON object");
    parsed["timestamp"] = std::to_string(timestamp_s);  // §2.8: seconds, as a string
    parsed["sign"] = bot_sign(secret, timestamp_s);
    return dump(parsed);
}

std::string render_token_request(std::string_view app_id, std::string_view app_secret) {
    return dump(json{{"app_id", app_id}, {"app_secret", app_secret}});
}

core::Result<TokenResponse> parse_token_response(int status, std::string_view body) {
    json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return core::make_error(core::ErrorCode::upstream,
                                "tenant_access_token: HTTP " + std::to_string(status) + ", unreadable body");
    long long code = integer_at(parsed, "code", -1);
    if (status != 200 || code != 0)
        return core::make_error(core::ErrorCode::upstream,
                                "tenant_access_token: HTTP " + std::to_string(status) + ", code " +
                                    std::to_string(code) + ": " + text_at(parsed, "msg"));
    TokenResponse out{text_at(parsed, "tenant_access_token"), integer_at(parsed, "expire", 0)};
    if (out.token.empty() || out.expire_seconds <= 0)
        return core::make_error(core::ErrorCode::upstream, "tenant_access_token: no token or expire in the answer");
    return out;
}

ApiOutcome parse_api_response(int http_status, std::string_view ratelimit_reset_header,
                              std::string_view body) {
    using Kind = ApiOutcome::Kind;
    ApiOutcome out;
    json parsed = json::parse(body, nullptr, false);
    bool has_json = parsed.is_object();
    if (has_json) {
        out.code = integer_at(parsed, "code", integer_at(parsed, "StatusCode", -1));
        out.message = text_at(parsed, "msg");
        if (out.message.empty()) out.message = text_at(parsed, "StatusMessage");
    }
    long long reset = parse_seconds(ratelimit_reset_header);
    switch (out.code) {
        case 99991661: case 99991663: case 99991664: case 99991671:
            out.kind = Kind::refresh_token;
            return out;
        case 99991400: case 11232: case 230020:
            out.kind = Kind::retry;
            out.retry_after_seconds = reset > 0 ? reset : 1;
            return out;
        default: break;
    }
    if (http_status == 429) {
        out.kind = Kind::retry;
        out.retry_after_seconds = reset > 0 ? reset : 1;
        if (out.message.empty()) out.message = "HTTP 429";
    } else if (http_status >= 500) {
        out.kind = Kind::retry;
        out.retry_after_seconds = reset;
        if (out.message.empty()) out.message = "HTTP " + std::to_string(http_status);
    } else if (!has_json && http_status >= 200 && http_status < 300) {
        // A success status with a body that is not JSON (cut off, or a proxy's page): whether
        // Feishu took the message is unknown; the uuid makes another attempt safe.
        out.kind = Kind::retry;
        out.message = "HTTP " + std::to_string(http_status) + ": unreadable answer (not a JSON object)";
    } else if (!has_json || out.code < 0) {
        out.kind = Kind::fatal;
        out.code = 0;
        out.message = "HTTP " + std::to_string(http_status) + ": the answer carries no code";
    } else if (out.code == 0 && http_status >= 200 && http_status < 300) {
        out.kind = Kind::ok;
        auto data = parsed.find("data");
        if (data != parsed.end() && data->is_object()) out.message_id = text_at(*data, "message_id");
    } else {
        out.kind = Kind::fatal;
        if (out.code == 19021)
            out.message = "custom bot rejected the signature or timestamp (19021): check the secret and the clock; " + out.message;
        else if (out.code == 19024)
            out.message = "custom bot keyword security rejected the message (19024): add a configured keyword; " + out.message;
        else
            out.message = "code " + std::to_string(out.code) + ": " + out.message;
    }
    return out;
}

std::string card_action_response(std::string_view toast, std::string_view toast_type,
                                 const core::ChatMessage* replacement) {
    json out = {{"toast", {{"type", toast_type}, {"content", toast}}}};
    if (replacement) {
        core::ChatMessage shown = *replacement;
        shown.buttons.clear();  // answered: not to be tapped again
        out["card"] = {{"type", "raw"}, {"data", card(shown)}};
    }
    return dump(out);
}

}  // namespace adapters::feishu
