// DingTalk outbound bodies: sessionWebhook / custom robot (§3.5, §3.6), robot OpenAPI group
// messages with the 15,000-byte msgParam limit, splitting and merging; interactive cards sent
// with createAndDeliver and the answers to their callbacks (cards research §B).
#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>

#include "adapters/common/crypto.h"
#include "adapters/common/json_fields.h"
#include "adapters/common/split.h"
#include "adapters/dingtalk/card.h"
#include "adapters/dingtalk/dingtalk.h"
#include "core/task_buttons.h"

namespace adapters::dingtalk {

using json_fields::dump;
namespace {

using nlohmann::json;

bool is_markdown(const core::ChatMessage& message) {
    return !message.title.empty() || !message.buttons.empty();
}

std::vector<std::string> mention_ids(const core::ChatMessage& message) {
    std::vector<std::string> ids;
    for (const auto& id : message.mention_user_ids) {
        bool seen = false;
        for (const auto& kept : ids) seen = seen || kept == id;
        if (!id.empty() && !seen) ids.push_back(id);
    }
    return ids;
}


// §3.5: at.atUserIds notifies only when "@userId" is also written in the text.
std::string with_mentions(std::string text, const std::vector<std::string>& ids) {
    std::string missing;
    for (const auto& id : ids)
        if (text.find("@" + id) == std::string::npos) missing += (missing.empty() ? "@" : " @") + id;
    if (!missing.empty()) text += (text.empty() ? "" : "\n\n") + missing;
    return text;
}

std::string plain_text(const core::ChatMessage& message) {
    return with_mentions(message.joined_text(), mention_ids(message));
}

// The body without the typed commands (a card has buttons instead).
std::string markdown_body(const core::ChatMessage& message) {
    std::string text = message.title.empty() ? "" : "### " + message.title;
    for (const auto& section : message.sections) {
        if (section.empty()) continue;
        text += (text.empty() ? "" : "\n\n") + section;
    }
    return with_mentions(text, mention_ids(message));
}

// Markdown carries no callback buttons: it says what to type instead.
std::string markdown_text(const core::ChatMessage& message) {
    std::string text = markdown_body(message);
    std::string commands = typed_commands_line(message);
    if (!commands.empty()) text += (text.empty() ? "" : "\n\n") + commands;
    return text;
}

// The markdown title is what notifications show; a message without one uses its first line.
std::string markdown_title(const core::ChatMessage& message) {
    if (!message.title.empty()) return message.title;
    std::string text = message.joined_text();
    std::string first = text.substr(0, text.find('\n'));
    first = first.substr(0, utf8_floor(first, 64));
    if (!first.empty()) return first;
    return message.locale == core::Locale::en ? "Notice" : "通知";
}

json webhook_body(const core::ChatMessage& message) {
    json body;
    if (is_markdown(message)) {
        body["msgtype"] = "markdown";
        body["markdown"] = {{"title", markdown_title(message)}, {"text", markdown_text(message)}};
    } else {
        body["msgtype"] = "text";
        body["text"] = {{"content", plain_text(message)}};
    }
    body["at"] = {{"atUserIds", mention_ids(message)}, {"isAtAll", false}};
    return body;
}

// msgParam of groupMessages/send; `text` replaces the rendered text when given.
std::string msg_param(const core::ChatMessage& message, const std::string* text = nullptr) {
    if (is_markdown(message))
        return dump(json{{"title", markdown_title(message)}, {"text", text ? *text : markdown_text(message)}});
    return dump(json{{"content", text ? *text : plain_text(message)}});
}

// ---- Merging rendered custom-robot bodies ----

std::string string_in(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// One custom-robot body read back: what a merge keeps of it.
struct RobotPart {
    bool markdown = false;
    std::string title;  // markdown.title, or the text's first line
    std::string text;   // markdown.text or text.content
    json at_user_ids = json::array();
    json at_mobiles = json::array();
    bool at_all = false;
    std::optional<std::string> uuid;
};

void unite(json& into, const json& from) {
    if (!from.is_array()) return;
    for (const auto& item : from)
        if (item.is_string() && std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
}

// nullopt unless a "text" or "markdown" body: other kinds (actionCard, link, …) are not merged.
std::optional<RobotPart> read_robot_body(const std::string& body) {
    json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object()) return std::nullopt;
    RobotPart part;
    const std::string type = string_in(parsed, "msgtype");
    part.markdown = type == "markdown";
    auto content = parsed.find(part.markdown ? "markdown" : "text");
    if ((type != "text" && type != "markdown") || content == parsed.end() || !content->is_object())
        return std::nullopt;
    auto text = content->find(part.markdown ? "text" : "content");
    if (text == content->end() || !text->is_string()) return std::nullopt;
    part.text = text->get<std::string>();
    if (part.markdown) {
        part.title = string_in(*content, "title");
    } else {  // as markdown_title: the first line stands for a message without a title
        part.title = part.text.substr(0, part.text.find('\n'));
        part.title.resize(utf8_floor(part.title, 64));
    }
    if (auto at = parsed.find("at"); at != parsed.end() && at->is_object()) {
        unite(part.at_user_ids, at->value("atUserIds", json::array()));
        unite(part.at_mobiles, at->value("atMobiles", json::array()));
        auto all = at->find("isAtAll");
        part.at_all = all != at->end() && all->is_boolean() && all->get<bool>();
    }
    if (auto uuid = parsed.find("msgUuid"); uuid != parsed.end() && uuid->is_string())
        part.uuid = uuid->get<std::string>();
    return part;
}

// The msgUuid of a merge: 32 hex digits of SHA-256 over the parts' msgUuids, one a line.
std::string merged_uuid(const std::string& uuids) { return to_hex(sha256("merge:" + uuids)).substr(0, 32); }

std::string render_merged(const std::vector<RobotPart>& parts, size_t count) {
    bool markdown = false;
    bool every_uuid = true;
    std::string text;
    std::string uuids;
    json at = {{"atUserIds", json::array()}, {"atMobiles", json::array()}, {"isAtAll", false}};
    for (size_t i = 0; i < count; ++i) {
        const RobotPart& part = parts[i];
        markdown = markdown || part.markdown;
        text += (i == 0 ? "" : "\n\n") + part.text;
        unite(at["atUserIds"], part.at_user_ids);
        unite(at["atMobiles"], part.at_mobiles);
        if (part.at_all) at["isAtAll"] = true;
        every_uuid = every_uuid && part.uuid.has_value();
        if (part.uuid) uuids += *part.uuid + "\n";
    }
    if (at["atMobiles"].empty()) at.erase("atMobiles");
    json body;
    if (markdown) {
        std::string more = "(+" + std::to_string(count - 1) + ")";
        body["msgtype"] = "markdown";
        body["markdown"] = {{"title", parts[0].title.empty() ? more : parts[0].title + " " + more}, {"text", text}};
    } else {
        body["msgtype"] = "text";
        body["text"] = {{"content", text}};
    }
    body["at"] = std::move(at);
    if (every_uuid) body["msgUuid"] = merged_uuid(uuids);
    return dump(body);
}

}  // namespace

core::Markup dingtalk_markup() {
    core::Markup markup;
    markup.dialect = core::Dialect::markdown;
    markup.mention = [](const core::Person& person) {
        if (!person.dingtalk.empty()) return "@" + person.dingtalk;
        return "@" + (person.name.empty() ? person.id : person.name);
    };
    markup.user_id = [](const core::Person& person) { return person.dingtalk; };
    return markup;
}

std::string render_session_reply(const core::ChatMessage& message) { return dump(webhook_body(message)); }

std::string render_session_envelope(const core::ChatMessage& message, std::string_view robot_code,
                                    std::string_view open_conversation_id) {
    json envelope{{"session", webhook_body(message)},
                  {"api", json::parse(render_group_message(message, robot_code, open_conversation_id))}};
    return dump(envelope);
}

core::Result<SessionEnvelope> read_session_envelope(std::string_view body) {
    json parsed = json::parse(body, nullptr, false);
    if (!parsed.is_object())
        return core::Error{core::ErrorCode::invalid_argument, "the message body is not a JSON object"};
    auto session = parsed.find("session");
    if (session == parsed.end()) return SessionEnvelope{std::string(body), ""};
    auto api = parsed.find("api");
    return SessionEnvelope{dump(*session), api != parsed.end() && api->is_object() ? dump(*api) : ""};
}

std::string render_custom_robot(const core::ChatMessage& message, std::string_view msg_uuid) {
    json body = webhook_body(message);
    if (!msg_uuid.empty()) body["msgUuid"] = msg_uuid;
    return dump(body);
}

std::string render_group_message(const core::ChatMessage& message, std::string_view robot_code,
                                 std::string_view open_conversation_id) {
    std::string param = msg_param(message);
    if (param.size() > k_msg_param_limit) {
        // Last resort (callers split first): keep the longest head that fits, cut at a line.
        std::string text = is_markdown(message) ? markdown_text(message) : plain_text(message);
        std::string note = message.locale == core::Locale::en ? "\n\n… (truncated: too long)"
                                                               : "\n\n…（内容过长，已截断）";
        auto head = [&](size_t n) {
            std::string cut = text.substr(0, utf8_floor(text, n));
            size_t line_end = cut.rfind('\n');
            if (line_end != std::string::npos && line_end > cut.size() / 2) cut.resize(line_end);
            return cut + note;
        };
        size_t keep = largest_fitting(text.size(), [&](size_t n) {
            std::string candidate = head(n);
            return msg_param(message, &candidate).size() <= k_msg_param_limit;
        });
        std::string truncated = head(keep);
        param = msg_param(message, &truncated);
    }
    json body = {{"robotCode", robot_code},
                 {"openConversationId", open_conversation_id},
                 {"msgKey", is_markdown(message) ? "sampleMarkdown" : "sampleText"},
                 {"msgParam", param}};
    return dump(body);
}

std::vector<core::ChatMessage> split_for_limit(const core::ChatMessage& message,
                                               size_t max_msg_param_bytes) {
    if (msg_param(message).size() <= max_msg_param_bytes) return {message};
    core::ChatMessage shell = message;  // every mention appended, longest "(i/n)" suffix
    shell.sections.clear();
    if (!shell.title.empty()) shell.title += " (999/999)";
    auto fits_sections = [&](const std::vector<std::string>& sections) {
        core::ChatMessage candidate = shell;
        candidate.sections = sections;
        return msg_param(candidate).size() <= max_msg_param_bytes;
    };
    std::vector<core::ChatMessage> parts;
    for (auto& run : pack_sections(message.sections, fits_sections)) {
        core::ChatMessage part;
        part.title = message.title;
        part.locale = message.locale;
        part.buttons = message.buttons;
        part.sections = std::move(run);
        parts.push_back(std::move(part));
    }
    if (parts.empty()) parts.emplace_back();
    // Each part notifies whom it mentions; ids mentioned nowhere go with the first part.
    std::vector<std::string> ids = mention_ids(message);
    std::vector<bool> placed(ids.size(), false);
    for (auto& part : parts) {
        std::string text = part.joined_text();
        for (size_t m = 0; m < ids.size(); ++m) {
            if (text.find("@" + ids[m]) == std::string::npos) continue;
            part.mention_user_ids.push_back(ids[m]);
            placed[m] = true;
        }
    }
    for (size_t m = 0; m < ids.size(); ++m)
        if (!placed[m]) parts.front().mention_user_ids.push_back(ids[m]);
    for (size_t i = 0; i < parts.size(); ++i) {
        if (!message.title.empty() && parts.size() > 1)
            parts[i].title += " (" + std::to_string(i + 1) + "/" + std::to_string(parts.size()) + ")";
        parts[i].fallback_text = parts[i].joined_text();
    }
    return parts;
}

core::ChatMessage merge_messages(const std::vector<core::ChatMessage>& messages) {
    if (messages.empty()) return {};
    if (messages.size() == 1) return messages.front();
    core::ChatMessage merged;
    merged.locale = messages.front().locale;
    bool titled = false;
    for (const auto& message : messages) {
        titled = titled || !message.title.empty();
        if (!message.title.empty()) merged.sections.push_back("**" + message.title + "**");
        merged.sections.insert(merged.sections.end(), message.sections.begin(), message.sections.end());
        for (const auto& id : message.mention_user_ids) merged.mention_user_ids.push_back(id);
        for (const auto& button : message.buttons) {
            bool seen = false;
            for (const auto& kept : merged.buttons)
                seen = seen || (kept.action == button.action && kept.value == button.value);
            if (!seen) merged.buttons.push_back(button);
        }
        std::string fallback = message.fallback_text.empty() ? message.joined_text() : message.fallback_text;
        merged.fallback_text += (merged.fallback_text.empty() ? "" : "\n\n") + fallback;
    }
    merged.mention_user_ids = mention_ids(merged);
    if (titled) {
        std::string count = std::to_string(messages.size());
        merged.title = merged.locale == core::Locale::en ? count + " notifications" : count + " 条通知";
    }
    return merged;
}

MergedBody merge_custom_robot_bodies(const std::vector<std::string>& bodies, size_t max_bytes) {
    if (bodies.empty()) return {};
    std::vector<RobotPart> parts;
    for (const auto& body : bodies) {
        auto part = read_robot_body(body);
        if (!part) break;  // rows keep their order: nothing after an unmergeable one joins
        parts.push_back(std::move(*part));
    }
    MergedBody merged{bodies.front(), 1, ""};
    // A merge only grows with each part, so the first that does not fit ends it.
    for (size_t count = 2; count <= parts.size(); ++count) {
        std::string candidate = render_merged(parts, count);
        if (candidate.size() > max_bytes) break;
        merged = {std::move(candidate), count, ""};
    }
    if (merged.count > 1) {
        bool every_uuid = true;
        std::string uuids;
        for (size_t i = 0; i < merged.count; ++i) {
            every_uuid = every_uuid && parts[i].uuid.has_value();
            if (parts[i].uuid) uuids += *parts[i].uuid + "\n";
        }
        if (every_uuid) merged.msg_uuid = merged_uuid(uuids);
    }
    return merged;
}

}  // namespace adapters::dingtalk

// ---- Interactive cards (cards research §B.1, §B.2) ------------------------------------------

namespace adapters::dingtalk {
namespace {

bool is_request_action(const std::string& action) {
    return action == "task_done" || action == "task_ack" || action == "task_delay" || action == "task_open";
}

// The template's variable for a button's token.
std::string token_variable(const std::string& action) {
    if (action == "task_done") return "tk_done";
    if (action == "task_ack") return "tk_ack";
    if (action == "task_delay") return "tk_delay";
    if (action == "task_open") return "tk_open";
    return "tk_web";
}

char op_letter(const std::string& action) {
    if (action == "task_done") return 'd';
    if (action == "task_ack") return 'a';
    if (action == "task_delay") return 'l';
    if (action == "task_open") return 'o';
    return 'w';
}

json param_map(const std::vector<std::pair<std::string, std::string>>& entries) {
    json map = json::object();
    for (const auto& [key, value] : entries) map[key] = value;  // values are strings (§B.1)
    return map;
}

}  // namespace

std::string typed_commands_line(const core::ChatMessage& message) {
    const bool zh = message.locale != core::Locale::en;
    std::vector<std::string> commands;
    for (const auto& button : message.buttons) {
        auto command = core::button_command(button.action, button.value, message.locale);
        if (command && std::find(commands.begin(), commands.end(), *command) == commands.end())
            commands.push_back(std::move(*command));
    }
    if (commands.empty()) return "";
    std::string line = zh ? "回复" : "Reply";
    for (size_t i = 0; i < commands.size(); ++i)
        line += zh ? "「" + commands[i] + "」" : std::string(i == 0 ? " " : " or ") + "\"" + commands[i] + "\"";
    return line;
}

std::optional<std::string> render_card(const core::ChatMessage& message, const CardSettings& settings,
                                       std::string_view open_conversation_id, std::string_view card_nonce,
                                       long long now_unix, std::string_view web_url) {
    if (settings.template_id.empty() || settings.token_key.empty() || open_conversation_id.empty()) return std::nullopt;
    std::string task_value;  // the one task the card's request buttons are about
    bool request = false;
    for (const auto& button : message.buttons) {
        if (!is_request_action(button.action)) continue;
        if (request && button.value != task_value) return std::nullopt;  // one set of tk_* per card
        request = true;
        task_value = button.value;
    }
    if (!request) return std::nullopt;
    std::vector<std::pair<std::string, std::string>> params = {
        {"title", markdown_title(message)}, {"markdown", markdown_body(message)}, {"tk_done", ""},
        {"tk_ack", ""}, {"tk_delay", ""}, {"tk_open", ""}, {"tk_web", ""},
        {"web_url", std::string(web_url)}, {"status", "pending"}, {"statusText", ""}};
    for (const auto& button : message.buttons) {
        if (!is_request_action(button.action) && button.action != "web_view") continue;
        CardToken token{std::string(open_conversation_id), button.value, button.action, message.locale,
                        now_unix + settings.token_ttl_seconds, std::string(card_nonce) + "-" + op_letter(button.action)};
        auto tk = mint_card_token(settings.token_key, token);
        if (!tk) return std::nullopt;
        for (auto& [key, value] : params)
            if (key == token_variable(button.action) && value.empty()) value = *tk;
    }
    json at_users = json::object();
    for (const auto& id : mention_ids(message)) at_users[id] = id;  // userId -> nick; the id stands in
    json deliver{{"robotCode", settings.robot_code}};
    if (!at_users.empty()) deliver["atUserIds"] = std::move(at_users);
    json body{{"cardTemplateId", settings.template_id},
              {"outTrackId", out_track_id(card_nonce)},
              {"callbackType", settings.stream ? "STREAM" : "HTTP"},
              {"cardData", {{"cardParamMap", param_map(params)}}},
              {"openSpaceId", "dtv1.card//IM_GROUP." + std::string(open_conversation_id)},
              {"imGroupOpenSpaceModel", {{"supportForward", false}}},  // a forwarded card's tokens fit no other chat
              {"imGroupOpenDeliverModel", std::move(deliver)},
              {"userIdType", 1}};
    if (!settings.stream) body["callbackRouteKey"] = settings.route_key;
    return dump(body);
}

std::string render_card_answer(const CardAnswer& answer) {
    json body = json::object();
    json options = json::object();
    if (!answer.shared.empty()) {
        options["updateCardDataByKey"] = true;
        body["cardData"] = {{"cardParamMap", param_map(answer.shared)}};
    }
    if (!answer.private_to_tapper.empty()) {
        options["updatePrivateDataByKey"] = true;
        body["userPrivateData"] = {{"cardParamMap", param_map(answer.private_to_tapper)}};
    }
    if (!options.empty()) body["cardUpdateOptions"] = std::move(options);
    return dump(body);
}

std::string render_card_stream_response(const CardAnswer& answer) {
    return dump(json{{"response", json::parse(render_card_answer(answer))}});
}

}  // namespace adapters::dingtalk
