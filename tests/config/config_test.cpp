// Tests for config/config.h and config/value_syntax.h: defaults, comments, environment overrides,
// the example file, and bad configs whose errors name the JSON path of the bad field.

#include "config/config.h"
#include "core/json_depth.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <map>

namespace config {
namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

const EnvLookup k_no_env = env_of({});

Config parse_ok(const std::string& text, const EnvLookup& env = k_no_env) {
    auto config = parse_config(text, env);
    EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message);
    return config ? std::move(config).value() : Config{};
}

const std::string k_slack =
    R"("slack": {"signing_secret": "signing-secret", "bot_token": "xoxb-file"})";

std::string demo_path() {
    return std::string(TRACKERD_TESTDATA_DIR) + "/../../demo/trackerd.example.json";
}

TEST(ConfigTest, EmptyObjectGivesTheDefaults) {
    for (const Config& config : {parse_ok("{}"), default_config()}) {
        EXPECT_EQ(config.listen, "127.0.0.1:8080");
        EXPECT_EQ(config.host, "127.0.0.1");
        EXPECT_EQ(config.port, 8080);
        EXPECT_EQ(config.database, "data/trackerd.db");
        EXPECT_EQ(config.timezone, "Asia/Shanghai");
        EXPECT_EQ(config.locale, core::Locale::zh_cn);
        EXPECT_TRUE(config.chats.empty());
        EXPECT_FALSE(config.slack.enabled);
        EXPECT_FALSE(config.feishu.enabled);
        EXPECT_FALSE(config.dingtalk.enabled);
        EXPECT_EQ(config.slack.api_base, "https://slack.com/api");
        EXPECT_EQ(config.feishu.api_base, "https://open.feishu.cn");
        EXPECT_EQ(config.dingtalk.api_base, "https://api.dingtalk.com");
        EXPECT_EQ(config.dingtalk.oapi_base, "https://oapi.dingtalk.com");
        EXPECT_EQ(config.dingtalk.signature_window_seconds, 3600);
        EXPECT_EQ(config.limits.max_body_bytes, 1024 * 1024);
        EXPECT_EQ(config.limits.commands_per_minute_per_person, 30);
        EXPECT_EQ(config.limits.commands_per_minute_per_chat, 120);
        EXPECT_EQ(config.log.level, "info");
        EXPECT_FALSE(config.log.json);
    }
}

TEST(ConfigTest, CommentsAreAccepted) {
    auto config = parse_ok(
        "// the listener\n{ /* bind all */ \"listen\": \"0.0.0.0:9000\", // trailing\n"
        "\"locale\": \"en\" }\n");
    EXPECT_EQ(config.host, "0.0.0.0");
    EXPECT_EQ(config.port, 9000);
    EXPECT_EQ(config.locale, core::Locale::en);
}

TEST(ConfigTest, ChatScheduleAndProjectsAreParsed) {
    auto config = parse_ok("{" + k_slack + R"(, "chats": [{"platform": "slack", "chat_id": "C1",
        "projects": ["p1", "npl-2024"], "locale": "en", "timezone": "Europe/Berlin",
        "digest_time": "8:30", "reminder_time": "18:05", "weekly_time": "fri 16:00",
        "quiet_hours": "23:00-07:30"}, {"platform": "slack", "chat_id": "C2", "projects": ["P1"],
        "quiet_hours": ""}]})");
    ASSERT_EQ(config.chats.size(), 2u);
    const ChatConfig& chat = config.chats[0];
    EXPECT_EQ(chat.projects, (std::vector<std::string>{"P1", "NPL-2024"}));
    EXPECT_EQ(chat.locale, core::Locale::en);
    EXPECT_EQ(chat.timezone, "Europe/Berlin");
    EXPECT_EQ(chat.digest_time.hour, 8);
    EXPECT_EQ(chat.digest_time.minute, 30);
    EXPECT_EQ(chat.reminder_time.hour, 18);
    EXPECT_EQ(chat.reminder_time.minute, 5);
    EXPECT_EQ(chat.weekly_time.weekday, 4);
    EXPECT_EQ(chat.weekly_time.time.hour, 16);
    ASSERT_TRUE(chat.quiet_hours.has_value());
    EXPECT_EQ(chat.quiet_hours->from.hour, 23);
    EXPECT_EQ(chat.quiet_hours->to.minute, 30);
    const ChatConfig& defaults = config.chats[1];
    EXPECT_FALSE(defaults.locale.has_value());
    EXPECT_EQ(defaults.digest_time.hour, 9);
    EXPECT_EQ(defaults.reminder_time.hour, 17);
    EXPECT_EQ(defaults.weekly_time.weekday, 0);
    EXPECT_EQ(defaults.weekly_time.time.minute, 30);
    EXPECT_FALSE(defaults.quiet_hours.has_value()) << "\"\" turns quiet hours off";
    EXPECT_EQ(config.find_chat("slack", "C2"), &config.chats[1]);
    EXPECT_EQ(config.find_chat("feishu", "C2"), nullptr);
}

TEST(ConfigTest, EnvironmentWinsOverTheFileForSecrets) {
    auto config =
        parse_ok("{" + k_slack + R"(, "feishu": {"app_id": "cli_1", "app_secret": "file-secret"},
        "dingtalk": {"app_key": "key"}})",
                 env_of({{"TRACKERD_SLACK_BOT_TOKEN", "xoxb-env"},
                         {"TRACKERD_SLACK_SIGNING_SECRET", ""},  // empty counts as unset
                         {"TRACKERD_SLACK_APP_TOKEN", "xapp-env"},
                         {"TRACKERD_FEISHU_APP_SECRET", "env-secret"},
                         {"TRACKERD_FEISHU_VERIFICATION_TOKEN", "env-verification"},
                         {"TRACKERD_FEISHU_ENCRYPT_KEY", "env-encrypt"},
                         {"TRACKERD_DINGTALK_APP_SECRET", "env-dingtalk"}}));
    EXPECT_EQ(config.slack.bot_token, "xoxb-env");
    EXPECT_EQ(config.slack.signing_secret, "signing-secret");
    EXPECT_EQ(config.slack.app_token, "xapp-env");
    EXPECT_EQ(config.feishu.app_secret, "env-secret");
    EXPECT_EQ(config.feishu.verification_token, "env-verification");
    EXPECT_EQ(config.feishu.encrypt_key, "env-encrypt");
    EXPECT_EQ(config.dingtalk.app_secret, "env-dingtalk");
    EXPECT_TRUE(config.slack.enabled && config.feishu.enabled && config.dingtalk.enabled);
}

TEST(ConfigTest, ASectionWithEnabledFalseNeedsNoSecrets) {
    auto config =
        parse_ok(R"({"slack": {"enabled": false}, "feishu": {"enabled": false, "app_id": "x"}})");
    EXPECT_FALSE(config.slack.enabled);
    EXPECT_FALSE(config.feishu.enabled);
    EXPECT_EQ(config.feishu.app_id, "x");
}

TEST(ConfigTest, PeopleAdminsAndProjectThresholds) {
    auto config =
        parse_ok(R"({"people": [{"id": "zhao", "name": "赵", "slack": "U1", "feishu": "ou_1"},
        {"id": "小明", "dingtalk": "1665"}], "admins": ["zhao"],
        "projects": [{"id": "p1", "owner": "zhao", "department_head": "经理", "approver": "zhao",
                      "thresholds": {"overload_tasks": 8, "deviation_at_risk": 0.3}}]})");
    ASSERT_EQ(config.people.size(), 2u);
    EXPECT_EQ(config.people[1].name, "小明") << "name defaults to the id";
    EXPECT_EQ(config.admins, std::vector<std::string>{"zhao"});
    EXPECT_EQ(config.find_person_by_platform_id("slack", "U1"), &config.people[0]);
    EXPECT_EQ(config.find_person_by_platform_id("dingtalk", "1665"), &config.people[1]);
    EXPECT_EQ(config.find_person_by_platform_id("feishu", "U1"), nullptr);
    const ProjectSettings* project = config.find_project("P1");
    ASSERT_NE(project, nullptr);
    EXPECT_EQ(project->department_head, "经理");
    EXPECT_EQ(project->thresholds.overload_tasks, 8);
    EXPECT_DOUBLE_EQ(project->thresholds.deviation_at_risk, 0.3);
    EXPECT_EQ(project->thresholds.advance_warning_days, 3) << "keys not given keep domain defaults";
}

TEST(ConfigTest, CalendarDates) {
    auto config =
        parse_ok(R"({"calendar": {"holidays": ["2024-10-01"], "workdays": ["2024-09-29"]}})");
    EXPECT_EQ(config.calendar.holidays, std::vector<core::Date>{core::make_date(2024, 10, 1)});
    EXPECT_EQ(config.calendar.workdays, std::vector<core::Date>{core::make_date(2024, 9, 29)});
}

TEST(ConfigTest, TheSocketSectionSetsTheLongConnections) {
    auto config = parse_ok("{" + k_slack + R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"]}],
        "socket": {"ca_file": "/etc/ssl/corp.pem", "reconnect_min_ms": 500, "reconnect_max_ms": 30000,
                   "down_alert_seconds": 120, "alert_chat": "slack:C1"}})");
    EXPECT_EQ(config.socket.ca_file, "/etc/ssl/corp.pem");
    EXPECT_EQ(config.socket.reconnect_min_ms, 500);
    EXPECT_EQ(config.socket.reconnect_max_ms, 30000);
    EXPECT_EQ(config.socket.down_alert_seconds, 120);
    EXPECT_EQ(config.socket.alert_chat, "slack:C1");
    auto defaults = parse_ok("{}");
    EXPECT_EQ(defaults.socket.ca_file, "");
    EXPECT_EQ(defaults.socket.reconnect_min_ms, 1000);
    EXPECT_EQ(defaults.socket.reconnect_max_ms, 60000);
    EXPECT_EQ(defaults.socket.down_alert_seconds, 300);
    EXPECT_EQ(defaults.socket.alert_chat, "");
}

struct BadConfig {
    const char* name;
    std::string json;
    std::string error;  // the start of the expected message: the JSON path and what is wrong
};

TEST(ConfigTest, BadConfigsNameTheJsonPathOfTheBadField) {
    const std::string chat = R"({"platform": "slack", "chat_id": "C1", "projects": ["P1"]})";
    const std::vector<BadConfig> cases{
        {"unknown platform",
         "{" + k_slack + R"(, "chats": [)" + chat +
             R"(, {"platform": "teams", "chat_id": "C2", "projects": ["P1"]}]})",
         "chats[1].platform: must be one of slack, feishu, dingtalk"},
        {"listen without port", R"({"listen": "localhost"})", "listen: expected host:port"},
        {"listen port too big", R"({"listen": "0.0.0.0:70000"})", "listen: expected host:port"},
        {"listen ipv6 without brackets", R"({"listen": "::1:8080"})", "listen: expected host:port"},
        {"timezone", R"({"timezone": "Mars/Base"})",
         "timezone: 'Mars/Base' is not an IANA time zone name"},
        {"timezone without area", R"({"timezone": "Shanghai"})",
         "timezone: 'Shanghai' is not an IANA"},
        {"unknown top-level key", R"({"databse": "x.db"})", "databse: unknown key"},
        {"wrong type", R"({"slack": {"signing_secret": "s", "bot_token": 5}})",
         "slack.bot_token: expected a string"},
        {"typo in a section", R"({"slack": {"signing_secret": "s", "bot_tokn": "b"}})",
         "slack.bot_tokn: unknown key"},
        {"slack without signing secret", R"({"slack": {"bot_token": "b"}})",
         "slack.signing_secret: required when the section is present (or set "
         "TRACKERD_SLACK_SIGNING_SECRET)"},
        {"slack without bot token", R"({"slack": {"signing_secret": "s"}})",
         "slack.bot_token: required"},
        {"slack socket without app token",
         R"({"slack": {"signing_secret": "s", "bot_token": "b", "mode": "socket"}})",
         "slack.app_token: required"},
        {"socket backoff cap below its start", R"({"socket": {"reconnect_min_ms": 5000, "reconnect_max_ms": 1000}})",
         "socket.reconnect_max_ms: must not be below reconnect_min_ms"},
        {"socket backoff of zero", R"({"socket": {"reconnect_min_ms": 0}})", "socket.reconnect_min_ms: must be from 1"},
        {"socket alert chat not in chats",
         "{" + k_slack + R"(, "chats": [)" + chat + R"(], "socket": {"alert_chat": "slack:C9"}})",
         "socket.alert_chat: must be \"platform:chat_id\" of a chat in chats"},
        {"socket alert chat without platform",
         "{" + k_slack + R"(, "chats": [)" + chat + R"(], "socket": {"alert_chat": "C1"}})",
         "socket.alert_chat: must be"},
        {"typo in the socket section", R"({"socket": {"reconect_min_ms": 10}})", "socket.reconect_min_ms: unknown key"},
        {"slack bad mode", R"({"slack": {"signing_secret": "s", "bot_token": "b", "mode": "rtm"}})",
         "slack.mode: must be webhook or socket"},
        {"slack api_base not http",
         R"({"slack": {"signing_secret": "s", "bot_token": "b", "api_base": "ftp://x"}})",
         "slack.api_base: must start with http:// or https://"},
        {"feishu without app_id", R"({"feishu": {"app_secret": "s", "verification_token": "v"}})",
         "feishu.app_id: required"},
        {"feishu without verification token", R"({"feishu": {"app_id": "a", "app_secret": "s"}})",
         "feishu.verification_token: required"},
        {"feishu bot_open_id not an open_id",
         R"({"feishu": {"app_id": "a", "app_secret": "s", "verification_token": "v", "bot_open_id": "TaskBot"}})",
         "feishu.bot_open_id: must be the bot's open_id (ou_…)"},
        {"feishu webhook without an encrypt key",
         R"({"feishu": {"app_id": "a", "app_secret": "s", "verification_token": "v"}})",
         "feishu.encrypt_key: webhook mode needs an Encrypt Key"},
        {"feishu window past half the de-duplication horizon",
         R"({"feishu": {"app_id": "a", "app_secret": "s", "verification_token": "v", "encrypt_key": "k",
             "signature_window_seconds": 86401}})",
         "feishu.signature_window_seconds: must be from 60 to 86400"},
        {"nested deeper than any config", "{\"people\": " + std::string(65, '[') + std::string(65, ']') + "}",
         "not accepted: JSON nests deeper than 64 levels"},
        {"dingtalk without secret", R"({"dingtalk": {"app_key": "k"}})",
         "dingtalk.app_secret: required"},
        {"dingtalk window",
         R"({"dingtalk": {"app_key": "k", "app_secret": "s", "signature_window_seconds": 0}})",
         "dingtalk.signature_window_seconds: must be from 1 to 86400"},
        {"chat on a platform not configured",
         R"({"chats": [{"platform": "feishu", "chat_id": "oc_1", "projects": ["P1"]}]})",
         "chats[0].platform: feishu is not configured"},
        {"chat with empty projects",
         "{" + k_slack + R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": []}]})",
         "chats[0].projects: must name at least one project"},
        {"chat without projects",
         "{" + k_slack + R"(, "chats": [{"platform": "slack", "chat_id": "C1"}]})",
         "chats[0].projects: must name at least one project"},
        {"chat project not a string",
         "{" + k_slack + R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": [1]}]})",
         "chats[0].projects[0]: expected a string"},
        {"chat without id",
         "{" + k_slack + R"(, "chats": [{"platform": "slack", "projects": ["P1"]}]})",
         "chats[0].chat_id: required"},
        {"duplicate chat", "{" + k_slack + R"(, "chats": [)" + chat + "," + chat + "]}",
         "chats[1].chat_id: duplicate chat slack:C1"},
        {"chat digest time",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "digest_time": "25:00"}]})",
         "chats[0].digest_time: '25:00' is not a time like \"09:00\""},
        {"chat weekly time",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "weekly_time": "FUNDAY 09:30"}]})",
         "chats[0].weekly_time: 'FUNDAY 09:30' is not a time like \"MON 09:30\""},
        {"chat quiet hours",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "quiet_hours": "22-08"}]})",
         "chats[0].quiet_hours: '22-08' is not a range"},
        {"chat locale",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "locale": "fr"}]})",
         "chats[0].locale: must be zh-CN or en"},
        {"chat timezone",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "timezone": "CST"}]})",
         "chats[0].timezone: 'CST' is not an IANA time zone name"},
        {"chat unknown key",
         "{" + k_slack +
             R"(, "chats": [{"platform": "slack", "chat_id": "C1", "projects": ["P1"], "channel": "x"}]})",
         "chats[0].channel: unknown key"},
        {"chats not an array", R"({"chats": {}})", "chats: expected an array, not an object"},
        {"person without id", R"({"people": [{"name": "赵"}]})", "people[0].id: required"},
        {"duplicate person", R"({"people": [{"id": "a"}, {"id": "a"}]})",
         "people[1].id: 'a' is already used by people[0]"},
        {"shared slack id",
         R"({"people": [{"id": "a", "slack": "U1"}, {"id": "b", "slack": "U1"}]})",
         "people[1].slack: 'U1' is already used by people[0]"},
        {"unknown admin", R"({"people": [{"id": "a"}], "admins": ["b"]})",
         "admins[0]: unknown person 'b' (not in people)"},
        {"project without id", R"({"projects": [{"owner": "a"}]})", "projects[0].id: required"},
        {"duplicate project", R"({"projects": [{"id": "p1"}, {"id": "P1"}]})",
         "projects[1].id: duplicate project 'P1'"},
        {"threshold out of range",
         R"({"projects": [{"id": "P1", "thresholds": {"deviation_at_risk": 2}}]})",
         "projects[0].thresholds.deviation_at_risk: must be from 0.01 to 1.0"},
        {"threshold not an integer",
         R"({"projects": [{"id": "P1", "thresholds": {"overload_tasks": 5.5}}]})",
         "projects[0].thresholds.overload_tasks: expected an integer, not a number"},
        {"unknown threshold", R"({"projects": [{"id": "P1", "thresholds": {"overload": 5}}]})",
         "projects[0].thresholds.overload: unknown key"},
        {"bad holiday", R"({"calendar": {"holidays": ["2024-10-01", "2024-13-01"]}})",
         "calendar.holidays[1]: '2024-13-01' is not a date (YYYY-MM-DD)"},
        {"workday that is a holiday",
         R"({"calendar": {"holidays": ["2024-10-01"], "workdays": ["2024-10-01"]}})",
         "calendar.workdays[0]: 2024-10-01 is also a holiday"},
        {"limit as a string", R"({"limits": {"max_body_bytes": "1MB"}})",
         "limits.max_body_bytes: expected an integer, not a string"},
        {"negative limit", R"({"limits": {"commands_per_minute_per_chat": -1}})",
         "limits.commands_per_minute_per_chat: must be from 0 to 100000"},
        {"huge limit", R"({"limits": {"max_body_bytes": 18446744073709551615}})",
         "limits.max_body_bytes: must be from 1024 to 1073741824"},
        {"log level", R"({"log": {"level": "verbose"}})",
         "log.level: must be one of trace, debug, info, warn, error, critical, off"},
        {"log json", R"({"log": {"json": "yes"}})", "log.json: expected a boolean, not a string"},
        {"locale", R"({"locale": "fr"})", "locale: must be zh-CN or en"},
        {"empty database", R"({"database": ""})", "database: must not be empty"},
        {"top level array", "[]", "(top level): expected an object, not an array"},
        {"syntax error", R"({"listen": })", "not valid JSON: "},
        {"number overflow", R"({"limits": {"max_body_bytes": 1e999}})", "not valid JSON: "},
    };
    for (const auto& c : cases) {
        auto config = parse_config(c.json, k_no_env);
        ASSERT_FALSE(config.has_value()) << c.name;
        EXPECT_EQ(config.error().code, core::ErrorCode::invalid_argument) << c.name;
        EXPECT_EQ(config.error().message.substr(0, c.error.size()), c.error)
            << c.name << ": " << config.error().message;
    }
}

TEST(ConfigTest, FeishuWithoutAnEncryptKeyIsAcceptedOnlyWhenSaidExplicitlyOrOverTheLongConnection) {
    const std::string section = R"("app_id": "cli_1", "app_secret": "s", "verification_token": "v")";
    auto refused = parse_config(R"({"feishu": {)" + section + "}}", env_of({}));
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("加密策略"), std::string::npos) << refused.error().message;
    EXPECT_NE(refused.error().message.find("accept_unsigned_events"), std::string::npos);
    auto opted_in = parse_ok(R"({"feishu": {)" + section + R"(, "accept_unsigned_events": true}})");
    EXPECT_TRUE(opted_in.feishu.accept_unsigned_events);
    auto socket = parse_ok(R"({"feishu": {"app_id": "cli_1", "app_secret": "s", "mode": "socket"}})");
    EXPECT_FALSE(socket.feishu.accept_unsigned_events);
    EXPECT_EQ(socket.feishu.signature_window_seconds, 8 * 3600);
    EXPECT_LT(config::k_max_signature_window_seconds, config::k_dedup_horizon_seconds);
}

TEST(ConfigTest, AConfigNestedToTheBoundWithCommentsHoldingBracketsIsRead) {
    // 64 levels are allowed; brackets in comments and strings do not count.
    std::string deep = std::string(62, '[') + std::string(62, ']');
    std::string brackets(70, '[');
    auto config = parse_ok("// " + brackets + "\n{\"database\": \"data/" + brackets + ".db\"} /* " + brackets + " */");
    EXPECT_EQ(config.database, "data/" + brackets + ".db");
    EXPECT_TRUE(core::check_json_depth("{\"a\": " + deep + "}"));
    EXPECT_TRUE(core::check_json_depth("{\"a\": [" + deep + "]}"));
    EXPECT_FALSE(core::check_json_depth("{\"a\": [[" + deep + "]]}"));
}

TEST(ConfigTest, FeishuBotOpenIdIsReadAndDefaultsToEmpty) {
    const std::string section = R"("app_id": "cli_1", "app_secret": "s", "verification_token": "v", "encrypt_key": "k")";
    EXPECT_EQ(parse_ok(R"({"feishu": {)" + section + "}}").feishu.bot_open_id, "");
    EXPECT_EQ(default_config().feishu.bot_open_id, "");
    auto config = parse_ok(R"({"feishu": {)" + section + R"(, "bot_open_id": "ou_bot0000000000"}})");
    EXPECT_EQ(config.feishu.bot_open_id, "ou_bot0000000000");
    EXPECT_EQ(parse_ok(R"({"feishu": {)" + section + R"(, "bot_open_id": ""}})").feishu.bot_open_id, "");
}

TEST(ConfigTest, TheWebSectionIsReadWithItsDefaultsAndTheEnvironmentWinsForItsSecrets) {
    const Config defaults = default_config();
    EXPECT_TRUE(defaults.web.enabled);
    EXPECT_EQ(defaults.web.link_ttl_hours, 72);
    EXPECT_EQ(defaults.web.public_url, "");
    auto config = parse_ok(R"({"web": {"enabled": false, "public_url": "https://track.example.com",
        "token": "file-token-0123456789", "link_secret": "file-secret-0123456789", "link_ttl_hours": 24}})",
                           env_of({{"TRACKERD_WEB_TOKEN", "env-token-0123456789"}}));
    EXPECT_FALSE(config.web.enabled);
    EXPECT_EQ(config.web.public_url, "https://track.example.com");
    EXPECT_EQ(config.web.token, "env-token-0123456789");
    EXPECT_EQ(config.web.link_secret, "file-secret-0123456789");
    EXPECT_EQ(config.web.link_ttl_hours, 24);
    const std::pair<const char*, const char*> bad[] = {
        {R"({"web": {"tokn": "x"}})", "web.tokn: unknown key"},
        {R"({"web": {"public_url": "track.example.com"}})", "web.public_url: must start with http:// or https://"},
        {R"({"web": {"token": "short"}})", "web.token: must be at least 16 characters"},
        {R"({"web": {"link_secret": "short"}})", "web.link_secret: must be at least 16 characters"},
        {R"({"web": {"link_ttl_hours": 0}})", "web.link_ttl_hours: must be from 1 to 8784"},
        {R"({"web": {"enabled": "yes"}})", "web.enabled:"},
    };
    for (const auto& [json, error] : bad) {
        auto parsed = parse_config(json, k_no_env);
        ASSERT_FALSE(parsed.has_value()) << json;
        EXPECT_EQ(parsed.error().message.rfind(error, 0), 0u) << parsed.error().message;
    }
}

TEST(ConfigTest, EnvironmentCanSupplyARequiredSecret) {
    const std::string text = R"({"dingtalk": {"app_key": "k"}})";
    EXPECT_FALSE(parse_config(text, k_no_env).has_value());
    auto config = parse_ok(text, env_of({{"TRACKERD_DINGTALK_APP_SECRET", "from-env"}}));
    EXPECT_EQ(config.dingtalk.app_secret, "from-env");
}

TEST(ConfigTest, TheExampleFileInDemoParses) {
    auto loaded = load_config_file(demo_path(), LoadOptions{.allow_readable = true});  // 0644 in git
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    const Config& config = *loaded;
    EXPECT_EQ(config.port, 8080);
    EXPECT_EQ(config.people.size(), 3u);
    EXPECT_EQ(config.admins, std::vector<std::string>{"zhao"});
    ASSERT_EQ(config.chats.size(), 3u);
    EXPECT_EQ(config.chats[2].platform, "dingtalk");
    EXPECT_FALSE(config.dingtalk.enabled);
    EXPECT_TRUE(config.slack.enabled);
    EXPECT_TRUE(config.feishu.enabled);
    EXPECT_EQ(config.feishu.bot_open_id, "");
    EXPECT_EQ(config.calendar.holidays.size(), 5u);
    ASSERT_EQ(config.projects.size(), 1u);
    EXPECT_EQ(config.projects[0].thresholds.report_deadline_hours, 24);
}

TEST(ConfigTest, LoadingAMissingFileIsAnIoErrorNamingThePath) {
    auto config = load_config_file("/nonexistent/trackerd.json");
    ASSERT_FALSE(config.has_value());
    EXPECT_EQ(config.error().code, core::ErrorCode::io);
    EXPECT_NE(config.error().message.find("/nonexistent/trackerd.json"), std::string::npos);
}

// A config file in a fresh directory with the given mode.
class ConfigFileModeTest : public ::testing::Test {
protected:
    std::string write(const std::string& text, std::filesystem::perms mode) {
        std::string path = m_dir.file("trackerd.json");
        std::ofstream(path) << text;
        std::filesystem::permissions(path, mode);
        return path;
    }
    testing_support::TempDir m_dir;
};

TEST_F(ConfigFileModeTest, AFileOtherUsersCanReadIsRefusedNamingTheFileItsModeAndTheFix) {
    using std::filesystem::perms;
    for (auto [mode, text] : {std::pair{perms::owner_read | perms::owner_write | perms::group_read | perms::others_read, "0644"},
                              std::pair{perms::owner_read | perms::owner_write | perms::group_read, "0640"},
                              std::pair{perms::owner_read | perms::others_read, "0404"}}) {
        std::string path = write(R"({"listen": "127.0.0.1:9000"})", mode);
        auto loaded = load_config_file(path);
        ASSERT_FALSE(loaded.has_value()) << text;
        EXPECT_EQ(loaded.error().code, core::ErrorCode::forbidden);
        EXPECT_NE(loaded.error().message.find(path + ": "), std::string::npos) << loaded.error().message;
        EXPECT_NE(loaded.error().message.find(std::string("mode ") + text), std::string::npos) << loaded.error().message;
        EXPECT_NE(loaded.error().message.find("chmod 600 " + path), std::string::npos) << loaded.error().message;
    }
}

TEST_F(ConfigFileModeTest, AFileOnlyItsOwnerCanReadLoads) {
    using std::filesystem::perms;
    for (auto mode : {perms::owner_read | perms::owner_write, perms::owner_read}) {
        auto loaded = load_config_file(write(R"({"listen": "127.0.0.1:9000"})", mode));
        ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
        EXPECT_EQ(loaded->port, 9000);
    }
}

TEST_F(ConfigFileModeTest, AllowReadableLoadsAFileOthersCanRead) {
    using std::filesystem::perms;
    auto loaded = load_config_file(write(R"({"listen": "127.0.0.1:9000"})", perms::owner_all | perms::group_read | perms::others_read),
                                   LoadOptions{.allow_readable = true});
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(loaded->port, 9000);
}

TEST(ConfigTest, RedactKeepsOnlyTheLastFourCharacters) {
    EXPECT_EQ(redact("xoxb-1234-5678-abcd"), "****abcd");
    EXPECT_EQ(redact("12345678"), "****5678");
    EXPECT_EQ(redact("short"), "****");
    EXPECT_EQ(redact(""), "");
}

// ---- value syntax --------------------------------------------------------------------------

TEST(ValueSyntaxTest, Listen) {
    const std::vector<std::tuple<std::string, bool, std::string, int>> cases{
        {"127.0.0.1:8080", true, "127.0.0.1", 8080},
        {"localhost:0", true, "localhost", 0},
        {"[::1]:9000", true, "::1", 9000},
        {"0.0.0.0:65535", true, "0.0.0.0", 65535},
        {":8080", false, "", 0},
        {"host:", false, "", 0},
        {"host:80a", false, "", 0},
        {"[::1:80", false, "", 0},
    };
    for (const auto& [text, valid, host, port] : cases) {
        std::string parsed_host;
        int parsed_port = -1;
        EXPECT_EQ(parse_listen(text, parsed_host, parsed_port), valid) << text;
        if (!valid) continue;
        EXPECT_EQ(parsed_host, host) << text;
        EXPECT_EQ(parsed_port, port) << text;
    }
}

TEST(ValueSyntaxTest, TimeZoneNames) {
    for (const char* name :
         {"UTC", "Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT+8", "Europe/Berlin"})
        EXPECT_TRUE(is_time_zone_name(name)) << name;
    for (const char* name :
         {"", "Mars/Base", "Asia/", "Asia", "CST", "Asia/Shang hai", "asia/shanghai"})
        EXPECT_FALSE(is_time_zone_name(name)) << name;
}

TEST(ValueSyntaxTest, WeeklyTimes) {
    const std::vector<std::tuple<std::string, int, int, int>> cases{{"MON 09:30", 0, 9, 30},
                                                                    {"sun 20:00", 6, 20, 0},
                                                                    {"Friday 7:05", 4, 7, 5},
                                                                    {"周三 10:00", 2, 10, 0}};
    for (const auto& [text, weekday, hour, minute] : cases) {
        auto parsed = parse_weekly_time(text);
        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(parsed->weekday, weekday) << text;
        EXPECT_EQ(parsed->time.hour, hour) << text;
        EXPECT_EQ(parsed->time.minute, minute) << text;
    }
    for (const char* text : {"MON", "MON 9", "MON 24:00", "XYZ 09:00", "09:30"})
        EXPECT_FALSE(parse_weekly_time(text).has_value()) << text;
}

}  // namespace
}  // namespace config
