#pragma once
// The daemon's config file (JSON with // and /* */ comments) read into plain structs.
// Pure values once parsed; safe to share read-only. parse_config is safe for concurrent use;
// load_config_file reads the process environment (std::getenv), so call it before starting threads.
//
// Secrets may come from the environment, which wins over the file (an empty variable counts as
// unset):
//   TRACKERD_SLACK_SIGNING_SECRET       slack.signing_secret
//   TRACKERD_SLACK_BOT_TOKEN            slack.bot_token
//   TRACKERD_SLACK_APP_TOKEN            slack.app_token
//   TRACKERD_FEISHU_APP_SECRET          feishu.app_secret
//   TRACKERD_FEISHU_VERIFICATION_TOKEN  feishu.verification_token
//   TRACKERD_FEISHU_ENCRYPT_KEY         feishu.encrypt_key
//   TRACKERD_DINGTALK_APP_SECRET        dingtalk.app_secret
//   TRACKERD_DINGTALK_CARD_API_SECRET   dingtalk.card_api_secret
//   TRACKERD_DINGTALK_CARD_TOKEN_SECRET dingtalk.card_token_secret
//   TRACKERD_WEB_TOKEN                  web.token
//   TRACKERD_WEB_LINK_SECRET            web.link_secret
//   TRACKERD_DATABASE_URL               database (a postgresql:// URI may hold a password)
// Every error names the JSON path of the bad field ("chats[1].platform: ..."); unknown keys are
// errors so that a typo never passes silently. See demo/trackerd.example.json for every key.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/value_syntax.h"
#include "core/date.h"
#include "core/directory.h"
#include "core/model.h"
#include "core/result.h"

namespace config {

// Per-project settings; the projects themselves live in the database (imported tables).
struct ProjectSettings {
    std::string id;               // normalised (core::normalize_id)
    std::string owner;            // person id
    std::string department_head;  // person id; R8's top rung
    std::string approver;         // default A for tasks that name none (R8)
    core::Thresholds thresholds;  // domain defaults with this project's overrides applied
};

// A group chat the file binds to one or more projects (core::ChatEntry), and the secret that
// signs its custom robot's pushes (kept in the file, never in the database).
struct ChatConfig : core::ChatEntry {
    std::string webhook_secret;
};

struct Calendar {
    std::vector<core::Date> holidays;  // days off that would be workdays
    std::vector<core::Date> workdays;  // 调休: weekend days that are workdays
};

// "webhook": the platform calls us over HTTP; "socket": we hold a long connection to it.
enum class ConnectionMode { webhook, socket };

struct SlackConfig {
    bool enabled = false;  // true when the section is present, unless "enabled": false
    std::string signing_secret;
    std::string bot_token;
    std::string bot_user_id;
    std::string api_base = "https://slack.com/api";
    ConnectionMode mode = ConnectionMode::webhook;
    std::string app_token;  // required in socket mode
};

// Inbound de-duplication marks (and signatures bound to a message) are kept this long: longer
// than any platform redelivers (Feishu's last re-push comes about 7 h after the first push,
// §2.6; Slack's after about 6 min; DingTalk's stream SDK remembers 5 min) and longer than any
// signature window below, so that a request old enough to have lost its mark is refused by its
// timestamp instead of applied again.
inline constexpr int k_dedup_horizon_seconds = 48 * 3600;
// The largest signature window a config may set: half the horizon.
inline constexpr int k_max_signature_window_seconds = 24 * 3600;

// Why a Feishu webhook without an Encrypt Key (and without accept_unsigned_events) is refused,
// and how to fix it: the error of parse_config at feishu.encrypt_key, and of bot::App::create.
inline constexpr const char* k_feishu_unsigned_refusal =
    "webhook mode needs an Encrypt Key: without one Feishu signs nothing, and anyone who has seen one event "
    "body (its Verification Token) can forge events. In the Feishu developer console, open your app → "
    "事件与回调 (Events & Callbacks) → 加密策略 (Encryption Strategy), set an Encrypt Key and copy it into "
    "feishu.encrypt_key (or TRACKERD_FEISHU_ENCRYPT_KEY); or use \"mode\": \"socket\"; or, knowing the risk, "
    "set feishu.accept_unsigned_events: true";

struct FeishuConfig {
    bool enabled = false;
    std::string app_id;
    std::string app_secret;
    std::string verification_token;
    std::string encrypt_key;  // "" when events are not encrypted
    // Webhook mode without an Encrypt Key: events are signed by nothing but the Verification
    // Token, a static secret in every body. Refused at start unless this says so explicitly.
    bool accept_unsigned_events = false;
    // How old an event request may be (see adapters::feishu::k_default_window_seconds).
    int signature_window_seconds = 8 * 3600;
    // The bot's own open_id (ou_…): its @ is dropped wherever it stands in a message. "" = in a
    // group, the @ that starts the message is taken to be the bot's.
    std::string bot_open_id;
    std::string api_base = "https://open.feishu.cn";
    ConnectionMode mode = ConnectionMode::webhook;
};

struct DingtalkConfig {
    bool enabled = false;
    std::string app_key;
    std::string app_secret;
    std::string robot_code;
    std::string api_base = "https://api.dingtalk.com";
    std::string oapi_base = "https://oapi.dingtalk.com";
    int signature_window_seconds = 3600;
    ConnectionMode mode = ConnectionMode::webhook;
    // Interactive cards (README, DingTalk cards). Messages with buttons go out as this
    // template's cards when it is set and card_token_secret is known; else as markdown.
    std::string card_template_id;
    // Webhook mode: the callbackRouteKey registered with /v1.0/card/callbacks/register (URL
    // <public>/dingtalk/card) and the apiSecret given there, which signs each callback.
    std::string card_callback_route_key;
    std::string card_api_secret;
    // trackerd's own secret the buttons' capability tokens are derived from; "" = the web link
    // secret, which bot::App fills in once it is resolved.
    std::string card_token_secret;
    int card_token_ttl_hours = 7 * 24;  // how long a card's buttons work
};

struct Limits {
    long long max_body_bytes = 1024 * 1024;
    int commands_per_minute_per_person = 30;  // 0 = no limit (bot/pipeline/command_limiter.h)
    int commands_per_minute_per_chat = 120;   // 0 = no limit
};

// The long connections (mode "socket"): Slack Socket Mode, DingTalk Stream, Feishu long connection.
struct SocketConfig {
    std::string ca_file;          // PEM file of CAs trusted for wss://; "" = the system's trust store
    int reconnect_min_ms = 1000;  // first reconnect backoff; doubles per failure, jittered
    int reconnect_max_ms = 60000; // backoff cap
    // A connection down at least this long is reported (log, and alert_chat) once it is back.
    int down_alert_seconds = 300;
    std::string alert_chat;       // "platform:chat_id" told when a connection was down; "" = log only
};

// The read-only web view (bot/web/web_routes.h): opened with a signed link sent in chat or with the
// operator's bearer token.
struct WebConfig {
    bool enabled = true;      // the /web/ routes and the chat command that sends a link
    std::string public_url;   // absolute base of links sent in chat ("https://track.example.com")
    std::string token;        // static bearer token for operators; "" = links only
    std::string link_secret;  // "" = generated once and kept in the database
    int link_ttl_hours = 72;  // how long a link sent in chat stays valid
};

struct LogConfig {
    std::string level = "info";  // trace | debug | info | warn | error | critical | off
    bool json = false;
};

struct Config {
    std::string listen = "127.0.0.1:8080";
    std::string host = "127.0.0.1";  // parsed from listen ("[::1]:8080" -> "::1")
    int port = 8080;                 // 0 picks a free port
    std::string database = "data/trackerd.db";
    std::string timezone = "Asia/Shanghai";
    core::Locale locale = core::Locale::zh_cn;
    std::vector<std::string> admins;  // person ids, each one of `people`
    std::vector<core::Person> people;
    std::vector<ProjectSettings> projects;
    std::vector<ChatConfig> chats;
    Calendar calendar;
    SlackConfig slack;
    FeishuConfig feishu;
    DingtalkConfig dingtalk;
    Limits limits;
    LogConfig log;
    WebConfig web;
    SocketConfig socket;

    const core::Person* find_person(std::string_view id) const;
    // The person whose platform user id is `user_id` ("slack" -> Person::slack ...), or nullptr.
    const core::Person* find_person_by_platform_id(std::string_view platform,
                                                   std::string_view user_id) const;
    const ProjectSettings* find_project(std::string_view id) const;  // case-insensitive
    const ChatConfig* find_chat(std::string_view platform, std::string_view chat_id) const;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The defaults, as when running with no file.
Config default_config();
// Errors are ErrorCode::invalid_argument with the JSON path first.
core::Result<Config> parse_config(std::string_view json_text, const EnvLookup& env);
struct LoadOptions {
    // The file holds secrets: unless this is set, a file that group or other users may read
    // (mode & 077) is refused with ErrorCode::forbidden naming the file, its mode and the fix.
    bool allow_readable = false;
};
// Reads `path` (ErrorCode::io when it cannot) and the real environment; errors start with the path.
core::Result<Config> load_config_file(const std::string& path, LoadOptions options = {});

// For logs: "****" and the last 4 characters; "****" alone when the secret is shorter than 8
// characters, "" when it is empty.
std::string redact(std::string_view secret);

const char* to_string(ConnectionMode mode);  // "webhook" | "socket"

}  // namespace config
