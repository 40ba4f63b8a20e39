#include "config/config.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "config/json_reader.h"
#include "config/value_syntax.h"
#include "core/json_depth.h"

namespace config {
namespace {

using namespace detail;

void read_people(const Object& root, Config& config, Errors& errors) {
    std::map<std::string, std::string> seen;  // "slack:U1" / "id:x" -> path of its first use
    root.array("people", [&](const json& element, const std::string& path) {
        Object item(element, path, errors,
                    {"id", "name", "department", "slack", "feishu", "dingtalk", "email", "mobile"});
        core::Person person;
        item.string("id", person.id);
        item.string("name", person.name);
        item.string("department", person.department);
        item.string("slack", person.slack);
        item.string("feishu", person.feishu);
        item.string("dingtalk", person.dingtalk);
        item.string("email", person.email);
        item.string("mobile", person.mobile);
        if (person.id.empty()) return errors.fail(item.path_of("id"), "required");
        if (person.name.empty()) person.name = person.id;
        for (auto [key, value] : {std::pair<const char*, std::string*>{"id", &person.id},
                                  {"slack", &person.slack},
                                  {"feishu", &person.feishu},
                                  {"dingtalk", &person.dingtalk}}) {
            if (value->empty()) continue;
            auto [it, inserted] = seen.emplace(std::string(key) + ":" + *value, path);
            if (!inserted)
                errors.fail(item.path_of(key), "'" + *value + "' is already used by " + it->second);
        }
        config.people.push_back(std::move(person));
    });
    root.array("admins", [&](const json& element, const std::string& path) {
        if (!element.is_string())
            return errors.fail(path, std::string("expected a string, not ") + type_name(element));
        std::string id = element.get<std::string>();
        if (!config.find_person(id))
            return errors.fail(path, "unknown person '" + id + "' (not in people)");
        config.admins.push_back(id);
    });
}

void read_thresholds(const json& value, const std::string& path, core::Thresholds& t,
                     Errors& errors) {
    Object section(
        value, path, errors,
        {"delay_grace_days", "deviation_at_risk", "advance_warning_days", "overload_tasks",
         "cadence_key_days", "cadence_routine_days", "cadence_long_days", "long_task_days",
         "min_task_days", "on_time_target", "report_deadline_hours"});
    section.integer("delay_grace_days", t.delay_grace_days, 0, 365);
    section.number("deviation_at_risk", t.deviation_at_risk, 0.01, 1.0);
    section.integer("advance_warning_days", t.advance_warning_days, 0, 365);
    section.integer("overload_tasks", t.overload_tasks, 1, 1000);
    section.integer("cadence_key_days", t.cadence_key_days, 1, 365);
    section.integer("cadence_routine_days", t.cadence_routine_days, 1, 365);
    section.integer("cadence_long_days", t.cadence_long_days, 1, 365);
    section.integer("long_task_days", t.long_task_days, 1, 3650);
    section.integer("min_task_days", t.min_task_days, 0, 3650);
    section.number("on_time_target", t.on_time_target, 0.0, 1.0);
    section.integer("report_deadline_hours", t.report_deadline_hours, 1, 24 * 365);
}

void read_projects(const Object& root, Config& config, Errors& errors) {
    root.array("projects", [&](const json& element, const std::string& path) {
        Object item(element, path, errors,
                    {"id", "owner", "department_head", "approver", "thresholds"});
        ProjectSettings project;
        item.string("id", project.id);
        project.id = core::normalize_id(project.id);
        item.string("owner", project.owner);
        item.string("department_head", project.department_head);
        item.string("approver", project.approver);
        if (const json* thresholds = item.get("thresholds"))
            read_thresholds(*thresholds, item.path_of("thresholds"), project.thresholds, errors);
        if (project.id.empty()) return errors.fail(item.path_of("id"), "required");
        if (config.find_project(project.id))
            return errors.fail(item.path_of("id"), "duplicate project '" + project.id + "'");
        config.projects.push_back(std::move(project));
    });
}

bool platform_configured(const Config& config, const std::string& platform) {
    if (platform == "slack") return config.slack.enabled;
    if (platform == "feishu") return config.feishu.enabled;
    return config.dingtalk.enabled;
}

template <typename T>
void read_schedule(const Object& item, const char* key, T& out,
                   std::optional<T> (*parse)(std::string_view), const char* example,
                   Errors& errors) {
    std::string text;
    item.string(key, text);
    if (text.empty() || errors.failed()) return;
    if (auto parsed = parse(text))
        out = *parsed;
    else
        errors.fail(item.path_of(key), "'" + text + "' is not a time like \"" + example + "\"");
}

void read_chat_times(const Object& item, ChatConfig& chat, Errors& errors) {
    read_schedule(item, "digest_time", chat.digest_time, parse_time_of_day, "09:00", errors);
    read_schedule(item, "reminder_time", chat.reminder_time, parse_time_of_day, "17:00", errors);
    read_schedule(item, "weekly_time", chat.weekly_time, parse_weekly_time, "MON 09:30", errors);
    if (!item.has("quiet_hours")) return;
    std::string quiet;
    item.string("quiet_hours", quiet);
    if (quiet.empty()) {
        chat.quiet_hours.reset();
        return;
    }
    chat.quiet_hours = parse_quiet_hours(quiet);
    if (!chat.quiet_hours)
        errors.fail(item.path_of("quiet_hours"),
                    "'" + quiet + "' is not a range like \"22:00-08:00\"");
}

void read_chat(const json& element, const std::string& path, Config& config, Errors& errors) {
    Object item(element, path, errors,
                {"platform", "chat_id", "projects", "locale", "timezone", "webhook_url",
                 "webhook_secret", "digest_time", "reminder_time", "weekly_time", "quiet_hours"});
    ChatConfig chat;
    item.string("platform", chat.platform);
    if (!errors.failed() && chat.platform != "slack" && chat.platform != "feishu" &&
        chat.platform != "dingtalk")
        return errors.fail(item.path_of("platform"), "must be one of slack, feishu, dingtalk");
    item.string("chat_id", chat.chat_id);
    if (chat.chat_id.empty()) errors.fail(item.path_of("chat_id"), "required");
    item.strings("projects", chat.projects);
    if (chat.projects.empty())
        errors.fail(item.path_of("projects"), "must name at least one project");
    for (auto& id : chat.projects) id = core::normalize_id(id);
    if (item.has("locale")) {
        std::string text;
        item.string("locale", text);
        chat.locale = core::parse_locale(text);
        if (!chat.locale) errors.fail(item.path_of("locale"), "must be zh-CN or en");
    }
    if (item.has("timezone")) {
        std::string zone;
        item.string("timezone", zone);
        if (!is_time_zone_name(zone))
            errors.fail(item.path_of("timezone"), "'" + zone + "' is not an IANA time zone name");
        chat.timezone = zone;
    }
    read_url(item, "webhook_url", chat.webhook_url, errors);
    item.string("webhook_secret", chat.webhook_secret);
    read_chat_times(item, chat, errors);
    if (errors.failed()) return;
    if (!platform_configured(config, chat.platform) && chat.webhook_url.empty())
        return errors.fail(item.path_of("platform"),
                           chat.platform + " is not configured (add a \"" + chat.platform +
                               "\" section or a webhook_url)");
    if (config.find_chat(chat.platform, chat.chat_id))
        return errors.fail(item.path_of("chat_id"),
                           "duplicate chat " + chat.platform + ":" + chat.chat_id);
    config.chats.push_back(std::move(chat));
}

void read_calendar(const json& root, Config& config, Errors& errors) {
    if (!root.contains("calendar") || root["calendar"].is_null()) return;
    Object section(root["calendar"], "calendar", errors, {"holidays", "workdays"});
    auto dates = [&](const char* key, std::vector<core::Date>& out) {
        section.array(key, [&](const json& element, const std::string& path) {
            std::string text = element.is_string() ? element.get<std::string>() : "";
            auto date = core::parse_iso_date(text);
            if (!element.is_string())
                errors.fail(path, std::string("expected a string, not ") + type_name(element));
            else if (!date)
                errors.fail(path, "'" + text + "' is not a date (YYYY-MM-DD)");
            else
                out.push_back(*date);
        });
    };
    dates("holidays", config.calendar.holidays);
    dates("workdays", config.calendar.workdays);
    for (size_t i = 0; i < config.calendar.workdays.size(); ++i)
        for (core::Date holiday : config.calendar.holidays)
            if (holiday == config.calendar.workdays[i])
                errors.fail(index_path("calendar.workdays", i),
                            core::format_iso_date(holiday) + " is also a holiday");
}

void read_limits_and_log(const json& root, Config& config, Errors& errors) {
    if (root.contains("limits") && !root["limits"].is_null()) {
        Object limits(
            root["limits"], "limits", errors,
            {"max_body_bytes", "commands_per_minute_per_person", "commands_per_minute_per_chat"});
        limits.integer("max_body_bytes", config.limits.max_body_bytes, 1024, 1LL << 30);
        // 0 turns that limit off.
        limits.integer("commands_per_minute_per_person",
                       config.limits.commands_per_minute_per_person, 0, 100000);
        limits.integer("commands_per_minute_per_chat", config.limits.commands_per_minute_per_chat,
                       0, 100000);
    }
    if (root.contains("log") && !root["log"].is_null()) {
        Object log(root["log"], "log", errors, {"level", "json"});
        log.string("level", config.log.level);
        log.boolean("json", config.log.json);
        static const std::set<std::string> levels{"trace", "debug",    "info", "warn",
                                                  "error", "critical", "off"};
        if (!errors.failed() && !levels.count(config.log.level))
            errors.fail("log.level",
                        "must be one of trace, debug, info, warn, error, critical, off");
    }
}

void read_socket(const json& root, Config& config, Errors& errors) {
    if (!root.contains("socket") || root["socket"].is_null()) return;
    SocketConfig& socket = config.socket;
    Object section(root["socket"], "socket", errors,
                   {"ca_file", "reconnect_min_ms", "reconnect_max_ms", "down_alert_seconds", "alert_chat"});
    section.string("ca_file", socket.ca_file);
    section.integer("reconnect_min_ms", socket.reconnect_min_ms, 1, 3600000);
    section.integer("reconnect_max_ms", socket.reconnect_max_ms, 1, 3600000);
    section.integer("down_alert_seconds", socket.down_alert_seconds, 0, 7 * 86400);
    section.string("alert_chat", socket.alert_chat);
    if (!errors.failed() && socket.reconnect_max_ms < socket.reconnect_min_ms)
        errors.fail("socket.reconnect_max_ms", "must not be below reconnect_min_ms");
    if (!errors.failed() && !socket.alert_chat.empty() && !config.find_chat(socket.alert_chat.substr(0, socket.alert_chat.find(':')),
                                                                              socket.alert_chat.substr(socket.alert_chat.find(':') + 1)))
        errors.fail("socket.alert_chat", "must be \"platform:chat_id\" of a chat in chats");
}

void read_web(const json& root, Config& config, const EnvLookup& env, Errors& errors) {
    WebConfig& web = config.web;
    if (root.contains("web") && !root["web"].is_null()) {
        Object section(root["web"], "web", errors,
                       {"enabled", "public_url", "token", "link_secret", "link_ttl_hours"});
        section.boolean("enabled", web.enabled);
        read_url(section, "public_url", web.public_url, errors);
        section.string("token", web.token);
        section.string("link_secret", web.link_secret);
        section.integer("link_ttl_hours", web.link_ttl_hours, 1, 24 * 366);
    }
    override_from_env(web.token, "TRACKERD_WEB_TOKEN", env);
    override_from_env(web.link_secret, "TRACKERD_WEB_LINK_SECRET", env);
    // A guessable token or secret would open every project's plan to anyone.
    if (!errors.failed() && !web.token.empty() && web.token.size() < 16)
        errors.fail("web.token", "must be at least 16 characters");
    if (!errors.failed() && !web.link_secret.empty() && web.link_secret.size() < 16)
        errors.fail("web.link_secret", "must be at least 16 characters");
}

void read_top_level(const Object& root, Config& config, const EnvLookup& env, Errors& errors) {
    root.string("listen", config.listen);
    if (!errors.failed() && !parse_listen(config.listen, config.host, config.port))
        errors.fail("listen", "expected host:port, not '" + config.listen + "'");
    root.string("database", config.database);
    override_from_env(config.database, "TRACKERD_DATABASE_URL", env);
    if (!errors.failed() && config.database.empty()) errors.fail("database", "must not be empty");
    root.string("timezone", config.timezone);
    if (!errors.failed() && !is_time_zone_name(config.timezone))
        errors.fail("timezone", "'" + config.timezone + "' is not an IANA time zone name");
    if (root.has("locale")) {
        std::string text;
        root.string("locale", text);
        auto locale = core::parse_locale(text);
        if (locale)
            config.locale = *locale;
        else
            errors.fail("locale", "must be zh-CN or en");
    }
}

core::Result<json> parse_json(std::string_view text) {
    if (auto shallow = core::check_json_depth(text, core::k_max_json_depth, /*allow_comments=*/true); !shallow)
        return core::make_error(core::ErrorCode::invalid_argument, "not accepted: " + shallow.error().message);
    try {
        return json::parse(text, nullptr, true, /*ignore_comments=*/true);
    } catch (const json::exception& error) {  // parse_error, and out_of_range for 1e999
        std::string what = error.what();
        if (size_t end = what.find("] ");
            what.starts_with("[json.exception") && end != std::string::npos)
            what = what.substr(end + 2);
        return core::make_error(core::ErrorCode::invalid_argument, "not valid JSON: " + what);
    }
}

}  // namespace

const char* to_string(ConnectionMode mode) {
    return mode == ConnectionMode::socket ? "socket" : "webhook";
}

Config default_config() { return Config{}; }

core::Result<Config> parse_config(std::string_view json_text, const EnvLookup& env) {
    auto document = parse_json(json_text);
    if (!document) return document.error();
    const json& root = *document;
    Config config;
    Errors errors;
    try {
        Object top(root, "", errors,
                   {"listen", "database", "timezone", "locale", "admins", "people", "projects",
                    "chats", "calendar", "slack", "feishu", "dingtalk", "limits", "log", "socket", "web"});
        if (errors.failed()) return errors.error();
        read_top_level(top, config, env, errors);
        read_people(top, config, errors);
        read_projects(top, config, errors);
        read_slack(root, config, env, errors);
        read_feishu(root, config, env, errors);
        read_dingtalk(root, config, env, errors);
        top.array("chats", [&](const json& element, const std::string& path) {
            read_chat(element, path, config, errors);
        });
        read_calendar(root, config, errors);
        read_limits_and_log(root, config, errors);
        read_web(root, config, env, errors);
        read_socket(root, config, errors);
    } catch (const std::exception& error) {  // a nlohmann accessor we did not expect to throw
        return core::make_error(core::ErrorCode::internal, std::string("config: ") + error.what());
    }
    if (errors.failed()) return errors.error();
    return config;
}

namespace {

// "0644" for the permission bits of `path`; nullopt when they cannot be read.
std::optional<std::string> readable_mode(const std::string& path) {
    std::error_code ec;
    auto permissions = std::filesystem::status(path, ec).permissions();
    if (ec) return std::nullopt;
    auto bits = static_cast<unsigned>(permissions) & 0777u;
    if ((bits & 077u) == 0) return std::string();
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", bits);
    return std::string(mode);
}

}  // namespace

core::Result<Config> load_config_file(const std::string& path, LoadOptions options) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::make_error(core::ErrorCode::io, path + ": cannot open the config file");
    if (!options.allow_readable) {
        auto mode = readable_mode(path);
        if (mode && !mode->empty())
            return core::make_error(core::ErrorCode::forbidden,
                                    path + ": readable by other users (mode " + *mode +
                                        ") and it may hold secrets; run: chmod 600 " + path);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        return core::make_error(core::ErrorCode::io, path + ": cannot read the config file");
    auto config =
        parse_config(buffer.str(), [](const std::string& name) -> std::optional<std::string> {
            const char* value = std::getenv(name.c_str());
            return value ? std::optional<std::string>(value) : std::nullopt;
        });
    if (!config) return core::make_error(config.error().code, path + ": " + config.error().message);
    return config;
}

std::string redact(std::string_view secret) {
    if (secret.empty()) return "";
    if (secret.size() < 8) return "****";
    return "****" + std::string(secret.substr(secret.size() - 4));
}

const core::Person* Config::find_person(std::string_view id) const {
    for (const auto& person : people)
        if (person.id == id) return &person;
    return nullptr;
}

const core::Person* Config::find_person_by_platform_id(std::string_view platform,
                                                       std::string_view user_id) const {
    if (user_id.empty()) return nullptr;
    for (const auto& person : people) {
        const std::string* id = platform == "slack"      ? &person.slack
                                : platform == "feishu"   ? &person.feishu
                                : platform == "dingtalk" ? &person.dingtalk
                                                         : nullptr;
        if (id && *id == user_id) return &person;
    }
    return nullptr;
}

const ProjectSettings* Config::find_project(std::string_view id) const {
    std::string key = core::normalize_id(id);
    for (const auto& project : projects)
        if (project.id == key) return &project;
    return nullptr;
}

const ChatConfig* Config::find_chat(std::string_view platform, std::string_view chat_id) const {
    for (const auto& chat : chats)
        if (chat.platform == platform && chat.chat_id == chat_id) return &chat;
    return nullptr;
}

}  // namespace config
