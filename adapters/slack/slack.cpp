// The parsing half of adapters/slack/slack.h: request signatures, Events API bodies, slash
// commands, block_actions payloads and API/webhook responses. Rendering is in slack_render.cpp.
// Pure functions; safe for concurrent use.

#include "adapters/slack/slack.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "core/task_buttons.h"
#include "core/text.h"

namespace adapters::slack {

namespace {

using Json = nlohmann::json;

core::Error invalid(std::string reason) {
    return core::make_error(core::ErrorCode::invalid_argument, std::move(reason));
}
core::Error unauthorized(std::string reason) {
    return core::make_error(core::ErrorCode::unauthorized, std::move(reason));
}

// "1700000000.000100" -> 1700000000000; 0 when it is not a Slack ts.
long long ts_to_ms(std::string_view ts) {
    const size_t dot = ts.find('.');
    const std::string_view seconds = ts.substr(0, dot);
    if (!core::is_all_digits(seconds) || seconds.size() > 12) return 0;
    long long value = 0;
    std::from_chars(seconds.data(), seconds.data() + seconds.size(), value);
    long long millis = 0;
    if (dot != std::string_view::npos) {
        const std::string_view fraction = ts.substr(dot + 1, 3);
        for (size_t i = 0; i < 3; ++i) {
            millis = millis * 10 + (i < fraction.size() && fraction[i] >= '0' && fraction[i] <= '9'
                                        ? fraction[i] - '0'
                                        : 0);
        }
    }
    return value * 1000 + millis;
}

bool is_user_id(std::string_view id) {
    if (id.size() < 2 || (id.front() != 'U' && id.front() != 'W')) return false;
    return std::all_of(id.begin() + 1, id.end(),
                       [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

// Slack escapes only these three (§1.3); one pass, so "&amp;lt;" becomes "&lt;", not "<".
std::string unescape_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const std::string_view rest = text.substr(i);
        if (rest.starts_with("&amp;")) {
            out.push_back('&');
            i += 4;
        } else if (rest.starts_with("&lt;")) {
            out.push_back('<');
            i += 3;
        } else if (rest.starts_with("&gt;")) {
            out.push_back('>');
            i += 3;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

// One "<…>" control sequence as it should read; "" for the bot's own mention; nullopt when
// it is not a sequence Slack writes (then it stays as literal text).
std::optional<std::string> render_token(std::string_view token, std::string_view bot_user_id,
                                        std::vector<MentionedUser>& mentions) {
    const size_t bar = token.find('|');
    const std::string_view head = token.substr(0, bar);
    const std::string label =
        bar == std::string_view::npos ? std::string() : unescape_entities(token.substr(bar + 1));
    if (head.starts_with("@")) {
        const std::string_view id = head.substr(1);
        if (!is_user_id(id)) return std::nullopt;
        if (id == bot_user_id) return std::string();
        const bool seen = std::any_of(mentions.begin(), mentions.end(),
                                      [&](const auto& m) { return m.user_id == id; });
        if (!seen) mentions.push_back(MentionedUser{std::string(id), std::string(id)});
        return "@" + std::string(id);
    }
    if (head.starts_with("!")) {
        const std::string_view name = head.substr(1);
        if (name == "here" || name == "channel" || name == "everyone")
            return "@" + std::string(name);
        if (name.starts_with("subteam^")) {
            if (label.empty()) return "@" + std::string(name.substr(8));
            return label.starts_with("@") ? label : "@" + label;
        }
        if (!label.empty()) return label;  // <!date^…|fallback> and the like
        return std::nullopt;
    }
    if (head.starts_with("#")) return "#" + (label.empty() ? std::string(head.substr(1)) : label);
    if (head.find(':') != std::string_view::npos)
        return label.empty() ? unescape_entities(head) : label;
    return std::nullopt;
}

// The bot's user id: the caller's, else the bot entry of authorizations[], else the first entry.
std::string bot_id_from(const Json& root, std::string_view bot_user_id) {
    if (!bot_user_id.empty()) return std::string(bot_user_id);
    const auto it = root.find("authorizations");
    if (it == root.end() || !it->is_array() || it->empty()) return {};
    for (const auto& entry : *it) {
        const auto is_bot = entry.is_object() ? entry.find("is_bot") : entry.end();
        if (entry.is_object() && is_bot != entry.end() && is_bot->is_boolean() &&
            is_bot->get<bool>()) {
            return json_fields::text_at(entry, "user_id");
        }
    }
    return json_fields::text_at(it->front(), "user_id");
}

bool mentions_user(std::string_view text, std::string_view user_id) {
    if (user_id.empty()) return false;
    const std::string token = "<@" + std::string(user_id);
    for (size_t at = text.find(token); at != std::string_view::npos;
         at = text.find(token, at + 1)) {
        const size_t after = at + token.size();
        if (after < text.size() && (text[after] == '>' || text[after] == '|')) return true;
    }
    return false;
}

EventsRequest ignored(std::string reason) {
    EventsRequest request;
    request.kind = EventsRequest::Kind::ignored;
    request.ignored_reason = std::move(reason);
    return request;
}

// A message or app_mention event, already known to be an event_callback (§1.3).
// A message request from event `event_id` in `channel`: the fields every kind of message sets.
EventsRequest message_request(const std::string& event_id, const std::string& channel) {
    EventsRequest request;
    request.kind = EventsRequest::Kind::message;
    request.message.platform = k_platform;
    request.message.dedup_key = event_id;
    request.message.chat_id = channel;
    return request;
}

core::Result<EventsRequest> decode_message_event(const Json& root, const Json& event,
                                                 std::string_view event_type,
                                                 const std::string& event_id,
                                                 std::string_view bot_user_id) {
    const std::string bot = bot_id_from(root, bot_user_id);
    // Loop protection (§1.3 recommendation): never react to bots, edits or the bot itself.
    if (json_fields::has_member(event, "bot_id")) return ignored("posted by a bot");
    if (const std::string* subtype = json_fields::string_member(event, "subtype")) {
        if (*subtype != "thread_broadcast" && *subtype != "file_share")
            return ignored("message subtype " + *subtype);
    } else if (json_fields::has_member(event, "subtype")) {
        return invalid("Slack event: event.subtype is not a string");
    }
    const std::string* user = json_fields::string_member(event, "user");
    if (!user) return invalid("Slack event: missing field event.user");
    if (!bot.empty() && *user == bot) return ignored("posted by the bot itself");
    const std::string* channel = json_fields::string_member(event, "channel");
    if (!channel) return invalid("Slack event: missing field event.channel");
    const std::string* ts = json_fields::string_member(event, "ts");
    if (!ts) return invalid("Slack event: missing field event.ts");
    if (json_fields::has_member(event, "text") && !json_fields::string_member(event, "text"))
        return invalid("Slack event: event.text is not a string");
    const std::string text = json_fields::text_at(event, "text");
    const bool direct = json_fields::text_at(event, "channel_type") == "im";
    if (event_type == "message" && !direct && mentions_user(text, bot)) {
        return ignored("channel message mentioning the bot: handled as its app_mention event");
    }

    EventsRequest request = message_request(event_id, *channel);
    InboundMessage& message = request.message;
    message.direct = direct;
    message.sender_id = *user;
    message.message_id = *ts;
    const std::string thread_ts = json_fields::text_at(event, "thread_ts");
    message.thread_id = thread_ts.empty() ? *ts : thread_ts;  // reply in the asker's thread
    NormalizedText normalized = normalize_text(text, bot);
    message.text = std::move(normalized.text);
    message.mentions = std::move(normalized.mentions);
    message.created_ms = ts_to_ms(*ts);
    if (message.created_ms == 0) {
        const auto time = root.find("event_time");
        if (time != root.end() && time->is_number_integer())
            message.created_ms = time->get<long long>() * 1000;
    }
    return request;
}

// member_joined_channel (§1.3): the bot's own join becomes a bot_added message for the channel,
// with the inviter (absent or "" when nobody invited it) as sender; anyone else's is ignored.
core::Result<EventsRequest> decode_member_joined(const Json& root, const Json& event,
                                                 const std::string& event_id,
                                                 std::string_view bot_user_id) {
    const std::string* user = json_fields::string_member(event, "user");
    if (!user) return invalid("Slack event: missing field event.user");
    const std::string bot = bot_id_from(root, bot_user_id);
    if (bot.empty() || *user != bot) return ignored("member_joined_channel of another user");
    const std::string* channel = json_fields::string_member(event, "channel");
    if (!channel) return invalid("Slack event: missing field event.channel");

    EventsRequest request = message_request(event_id, *channel);
    InboundMessage& message = request.message;
    message.sender_id = json_fields::text_at(event, "inviter");
    message.bot_added = true;
    message.created_ms = ts_to_ms(json_fields::text_at(event, "event_ts"));
    if (message.created_ms == 0) {
        const auto time = root.find("event_time");
        if (time != root.end() && time->is_number_integer())
            message.created_ms = time->get<long long>() * 1000;
    }
    return request;
}

}  // namespace

core::Result<void> verify_request(std::string_view signing_secret,
                                  std::string_view timestamp_header,
                                  std::string_view signature_header, std::string_view raw_body,
                                  long long now_unix, long long window_seconds) {
    if (signing_secret.empty()) return unauthorized("no Slack signing secret configured");
    if (signature_header.empty()) return unauthorized("missing X-Slack-Signature");
    if (timestamp_header.empty()) return unauthorized("missing X-Slack-Request-Timestamp");
    const size_t equals = signature_header.find('=');
    if (equals == std::string_view::npos) return unauthorized("malformed X-Slack-Signature");
    if (signature_header.substr(0, equals) != "v0")
        return unauthorized("unsupported signature version");
    if (!core::is_all_digits(timestamp_header) || timestamp_header.size() > 12) {
        return unauthorized("malformed X-Slack-Request-Timestamp");
    }
    long long timestamp = 0;
    std::from_chars(timestamp_header.data(), timestamp_header.data() + timestamp_header.size(),
                    timestamp);
    const long long age = now_unix - timestamp;
    if (age > window_seconds)
        return unauthorized("stale timestamp (" + std::to_string(age) + " s old)");
    if (-age > window_seconds)
        return unauthorized("timestamp " + std::to_string(-age) + " s in the future");

    std::string base = "v0:";
    base.append(timestamp_header).append(":").append(raw_body);
    const std::string expected = "v0=" + to_hex(hmac_sha256(signing_secret, base));
    if (!constant_time_equals(expected, signature_header))
        return unauthorized("signature mismatch");
    return core::ok();
}

NormalizedText normalize_text(std::string_view slack_text, std::string_view bot_user_id) {
    NormalizedText out;
    std::string text;
    std::string literal;  // pending plain text, unescaped when flushed (after tokens are taken)
    const auto flush = [&] {
        text += unescape_entities(literal);
        literal.clear();
    };
    size_t i = 0;
    while (i < slack_text.size()) {
        const size_t close =
            slack_text[i] == '<' ? slack_text.find('>', i + 1) : std::string_view::npos;
        std::optional<std::string> rendered;
        if (close != std::string_view::npos)
            rendered =
                render_token(slack_text.substr(i + 1, close - i - 1), bot_user_id, out.mentions);
        if (!rendered) {
            literal.push_back(slack_text[i++]);
            continue;
        }
        flush();
        i = close + 1;
        if (rendered->empty()) {  // the bot's mention: drop it and the space it leaves doubled
            if (i < slack_text.size() && slack_text[i] == ' ' &&
                (text.empty() || text.back() == ' ' || text.back() == '\n'))
                ++i;
            continue;
        }
        text += *rendered;
    }
    flush();
    out.text = std::string(core::trim_ascii(text));
    return out;
}

core::Result<EventsRequest> decode_events(std::string_view raw_body, std::string_view bot_user_id) {
    auto parsed = json_fields::parse(raw_body, "Slack event");
    if (!parsed) return parsed.error();
    const Json& root = *parsed;
    if (!root.is_object()) return invalid("Slack event: the body is not a JSON object");
    const std::string* type = json_fields::string_member(root, "type");
    if (!type) return invalid("Slack event: missing field type");
    if (*type == "url_verification") {
        const std::string* challenge = json_fields::string_member(root, "challenge");
        if (!challenge) return invalid("Slack url_verification: missing field challenge");
        EventsRequest request;
        request.kind = EventsRequest::Kind::url_verification;
        request.challenge = *challenge;
        return request;
    }
    if (*type != "event_callback") return ignored("envelope type " + *type);
    const Json* event = json_fields::object_member(root, "event");
    if (!event) return invalid("Slack event: missing field event");
    const std::string* event_id = json_fields::string_member(root, "event_id");
    if (!event_id) return invalid("Slack event: missing field event_id");
    const std::string* event_type = json_fields::string_member(*event, "type");
    if (!event_type) return invalid("Slack event: missing field event.type");
    if (*event_type == "member_joined_channel")
        return decode_member_joined(root, *event, *event_id, bot_user_id);
    if (*event_type != "app_mention" && *event_type != "message")
        return ignored("event type " + *event_type);
    return decode_message_event(root, *event, *event_type, *event_id, bot_user_id);
}

bool is_ssl_check(std::string_view form_body) {
    const auto form = parse_form(form_body);
    if (!form) return false;
    const auto it = form->find("ssl_check");
    return it != form->end() && it->second == "1";
}

core::Result<InboundMessage> decode_slash_command(std::string_view form_body) {
    const auto form = parse_form(form_body);
    if (!form) return invalid("Slack slash command: malformed form encoding");
    const auto field = [&](const char* key) {
        const auto it = form->find(key);
        return it == form->end() ? std::string() : it->second;
    };
    for (const char* key : {"command", "team_id", "channel_id", "user_id", "trigger_id"}) {
        if (field(key).empty())
            return invalid(std::string("Slack slash command: missing field ") + key);
    }
    const std::string text = field("text");
    if (!is_valid_utf8(text)) return invalid("Slack slash command: text is not valid UTF-8");

    InboundMessage message;
    message.platform = k_platform;
    // Slash commands carry no event id and are not retried (§1.4); this key is unique per
    // invocation.
    message.dedup_key = "slash:" + field("team_id") + ":" + field("channel_id") + ":" +
                        field("user_id") + ":" + field("trigger_id");
    message.chat_id = field("channel_id");
    message.direct = field("channel_name") == "directmessage" || message.chat_id.starts_with("D");
    message.sender_id = field("user_id");
    message.sender_name = field("user_name");
    NormalizedText normalized = normalize_text(text, "");
    message.text = std::move(normalized.text);
    message.mentions = std::move(normalized.mentions);
    message.reply_url = field("response_url");
    return message;
}

core::Result<Interaction> decode_interaction(std::string_view form_body) {
    const auto form = parse_form(form_body);
    if (!form) return invalid("Slack interaction: malformed form encoding");
    const auto payload_field = form->find("payload");
    if (payload_field == form->end()) return invalid("Slack interaction: missing field payload");
    auto parsed = json_fields::parse(payload_field->second, "Slack interaction");
    if (!parsed) return parsed.error();
    const Json& payload = *parsed;
    const std::string* type = json_fields::string_member(payload, "type");
    if (!type) return invalid("Slack interaction: missing field type");
    if (*type != "block_actions") return invalid("Slack interaction: unsupported type " + *type);
    const auto actions = payload.find("actions");
    if (actions == payload.end() || !actions->is_array() || actions->empty()) {
        return invalid("Slack interaction: missing field actions");
    }
    const Json& action = actions->front();
    const std::string* action_id = json_fields::string_member(action, "action_id");
    if (!action_id) return invalid("Slack interaction: missing field actions[0].action_id");
    const Json* user = json_fields::object_member(payload, "user");
    if (!user || !json_fields::string_member(*user, "id"))
        return invalid("Slack interaction: missing field user.id");

    Interaction interaction;
    interaction.action_id =
        action_id->substr(0, action_id->find('#'));  // see render: "task_done#2"
    interaction.value = json_fields::text_at(action, "value");
    interaction.user_id = json_fields::text_at(*user, "id");
    interaction.user_name = json_fields::text_at(*user, "username");
    if (interaction.user_name.empty()) interaction.user_name = json_fields::text_at(*user, "name");
    if (const Json* channel = json_fields::object_member(payload, "channel"))
        interaction.channel_id = json_fields::text_at(*channel, "id");
    if (const Json* message = json_fields::object_member(payload, "message"))
        interaction.message_ts = json_fields::text_at(*message, "ts");
    if (const Json* container = json_fields::object_member(payload, "container");
        container && interaction.message_ts.empty()) {
        interaction.message_ts = json_fields::text_at(*container, "message_ts");
    }
    if (const Json* team = json_fields::object_member(payload, "team"))
        interaction.team_id = json_fields::text_at(*team, "id");
    interaction.response_url = json_fields::text_at(payload, "response_url");
    interaction.trigger_id = json_fields::text_at(payload, "trigger_id");
    return interaction;
}

std::optional<InboundMessage> interaction_message(const Interaction& interaction) {
    // Buttons carry "PROJECT/TASK"; they run the same command a person would type.
    InboundMessage message;
    message.platform = "slack";
    message.dedup_key = "interaction:" + interaction.trigger_id;
    message.chat_id = interaction.channel_id;
    message.sender_id = interaction.user_id;
    message.message_id = interaction.message_ts;
    message.thread_id = interaction.message_ts;
    if (auto command = core::button_command(interaction.action_id, interaction.value, core::Locale::en))
        message.text = *command;  // done / ack / delay (the prompt) / show / web: core/task_buttons.h
    else if (interaction.action_id == "claim_confirm") {  // "ACCOUNT:PERSON" from a claim's question
        auto colon = interaction.value.find(':');
        if (colon == std::string::npos || colon == 0 || colon + 1 == interaction.value.size()) return std::nullopt;
        std::string account = interaction.value.substr(0, colon);
        message.text = "confirm @" + account + " " + interaction.value.substr(colon + 1);
        message.mentions.push_back(MentionedUser{account, account});
    } else
        return std::nullopt;
    return message;
}

}  // namespace adapters::slack
