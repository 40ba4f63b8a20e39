// The platform sections of the config: slack, feishu, dingtalk (config/json_reader.h).

#include "config/json_reader.h"

namespace config::detail {

void read_slack(const json& root, Config& config, const EnvLookup& env, Errors& errors) {
    if (!root.contains("slack") || root["slack"].is_null()) return;
    Object section(
        root["slack"], "slack", errors,
        {"enabled", "signing_secret", "bot_token", "bot_user_id", "api_base", "mode", "app_token"});
    SlackConfig& slack = config.slack;
    slack.enabled = true;
    section.boolean("enabled", slack.enabled);
    section.string("signing_secret", slack.signing_secret);
    section.string("bot_token", slack.bot_token);
    section.string("bot_user_id", slack.bot_user_id);
    read_url(section, "api_base", slack.api_base, errors);
    read_mode(section, slack.mode, errors);
    section.string("app_token", slack.app_token);
    override_from_env(slack.signing_secret, "TRACKERD_SLACK_SIGNING_SECRET", env);
    override_from_env(slack.bot_token, "TRACKERD_SLACK_BOT_TOKEN", env);
    override_from_env(slack.app_token, "TRACKERD_SLACK_APP_TOKEN", env);
    if (!slack.enabled) return;
    if (slack.mode == ConnectionMode::webhook)  // Socket Mode is authenticated by the app token
        require(section, slack.signing_secret, "signing_secret", "TRACKERD_SLACK_SIGNING_SECRET",
                errors);
    require(section, slack.bot_token, "bot_token", "TRACKERD_SLACK_BOT_TOKEN", errors);
    if (slack.mode == ConnectionMode::socket)
        require(section, slack.app_token, "app_token", "TRACKERD_SLACK_APP_TOKEN", errors);
}

void read_feishu(const json& root, Config& config, const EnvLookup& env, Errors& errors) {
    if (!root.contains("feishu") || root["feishu"].is_null()) return;
    Object section(root["feishu"], "feishu", errors,
                   {"enabled", "app_id", "app_secret", "verification_token", "encrypt_key",
                    "accept_unsigned_events", "signature_window_seconds", "bot_open_id", "api_base", "mode"});
    FeishuConfig& feishu = config.feishu;
    feishu.enabled = true;
    section.boolean("enabled", feishu.enabled);
    section.string("app_id", feishu.app_id);
    section.string("app_secret", feishu.app_secret);
    section.string("verification_token", feishu.verification_token);
    section.string("encrypt_key", feishu.encrypt_key);
    section.boolean("accept_unsigned_events", feishu.accept_unsigned_events);
    section.integer("signature_window_seconds", feishu.signature_window_seconds, 60, k_max_signature_window_seconds);
    section.string("bot_open_id", feishu.bot_open_id);
    if (!feishu.bot_open_id.empty() && feishu.bot_open_id.rfind("ou_", 0) != 0)
        errors.fail(section.path_of("bot_open_id"), "must be the bot's open_id (ou_…), or \"\"");
    read_url(section, "api_base", feishu.api_base, errors);
    read_mode(section, feishu.mode, errors);
    override_from_env(feishu.app_secret, "TRACKERD_FEISHU_APP_SECRET", env);
    override_from_env(feishu.verification_token, "TRACKERD_FEISHU_VERIFICATION_TOKEN", env);
    override_from_env(feishu.encrypt_key, "TRACKERD_FEISHU_ENCRYPT_KEY", env);
    if (!feishu.enabled) return;
    require(section, feishu.app_id, "app_id", nullptr, errors);
    require(section, feishu.app_secret, "app_secret", "TRACKERD_FEISHU_APP_SECRET", errors);
    if (feishu.mode != ConnectionMode::webhook) return;  // the long connection is opened with the app secret
    require(section, feishu.verification_token, "verification_token", "TRACKERD_FEISHU_VERIFICATION_TOKEN", errors);
    if (feishu.encrypt_key.empty() && !feishu.accept_unsigned_events)
        errors.fail(section.path_of("encrypt_key"), k_feishu_unsigned_refusal);
}

void read_dingtalk(const json& root, Config& config, const EnvLookup& env, Errors& errors) {
    if (!root.contains("dingtalk") || root["dingtalk"].is_null()) return;
    Object section(root["dingtalk"], "dingtalk", errors,
                   {"enabled", "app_key", "app_secret", "robot_code", "api_base", "oapi_base",
                    "signature_window_seconds", "mode", "card_template_id", "card_callback_route_key",
                    "card_api_secret", "card_token_secret", "card_token_ttl_hours"});
    DingtalkConfig& dingtalk = config.dingtalk;
    dingtalk.enabled = true;
    section.boolean("enabled", dingtalk.enabled);
    section.string("app_key", dingtalk.app_key);
    section.string("app_secret", dingtalk.app_secret);
    section.string("robot_code", dingtalk.robot_code);
    read_url(section, "api_base", dingtalk.api_base, errors);
    read_url(section, "oapi_base", dingtalk.oapi_base, errors);
    section.integer("signature_window_seconds", dingtalk.signature_window_seconds, 1, k_max_signature_window_seconds);
    read_mode(section, dingtalk.mode, errors);
    section.string("card_template_id", dingtalk.card_template_id);
    section.string("card_callback_route_key", dingtalk.card_callback_route_key);
    section.string("card_api_secret", dingtalk.card_api_secret);
    section.string("card_token_secret", dingtalk.card_token_secret);
    section.integer("card_token_ttl_hours", dingtalk.card_token_ttl_hours, 1, 30 * 24);
    override_from_env(dingtalk.app_secret, "TRACKERD_DINGTALK_APP_SECRET", env);
    override_from_env(dingtalk.card_api_secret, "TRACKERD_DINGTALK_CARD_API_SECRET", env);
    override_from_env(dingtalk.card_token_secret, "TRACKERD_DINGTALK_CARD_TOKEN_SECRET", env);
    if (!dingtalk.enabled) return;
    require(section, dingtalk.app_key, "app_key", nullptr, errors);
    require(section, dingtalk.app_secret, "app_secret", "TRACKERD_DINGTALK_APP_SECRET", errors);
    // Cards in webhook mode call back over HTTP: through a registered route, signed with the
    // api secret given at registration (cards research §B.1).
    if (dingtalk.card_template_id.empty() || dingtalk.mode != ConnectionMode::webhook) return;
    require(section, dingtalk.card_callback_route_key, "card_callback_route_key", nullptr, errors);
    require(section, dingtalk.card_api_secret, "card_api_secret", "TRACKERD_DINGTALK_CARD_API_SECRET", errors);
}

}  // namespace config::detail
