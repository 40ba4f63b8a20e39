#pragma once
// Every secret the tests hand to trackerd (signing secrets, bot tokens, app secrets, encrypt
// keys, verification tokens, custom-robot secrets), in one place, so that the SecretsNeverLogged
// check (tests/support/secrets_never_logged.cpp) can look for each of them in every test log and
// HTTP error reply. A test that gives trackerd a new secret adds it here and to k_all_secrets.

#include <string_view>

namespace testing_support::secrets {

// Slack
inline constexpr const char* k_slack_signing_secret = "test-signing-secret-0123456789ab";
inline constexpr const char* k_slack_bot_token = "xoxb-test-token";
inline constexpr const char* k_slack_official_secret = "8f742231b10e8888abcd99yyyzzz85a5";  // protocols.md §1.3

// Feishu
inline constexpr const char* k_feishu_app_secret = "test-app-secret-0123456789";
inline constexpr const char* k_feishu_verification_token = "v-token-demo";
inline constexpr const char* k_feishu_encrypt_key = "kudryavka-demo-encrypt-key";

// DingTalk
inline constexpr const char* k_dingtalk_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
inline constexpr const char* k_dingtalk_robot_secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";

// Every secret string the suite uses, these and the ones tests still spell out themselves
// (named after the test that does), for SecretsNeverLogged.
inline constexpr std::string_view k_all_secrets[] = {
    k_slack_signing_secret, k_slack_bot_token, k_slack_official_secret, k_feishu_app_secret,
    k_feishu_verification_token, k_feishu_encrypt_key, k_dingtalk_app_secret, k_dingtalk_robot_secret,
    "SECfedcba9876543210fedcba9876543210fedcba9876543210fedcba98765432",  // dingtalk_robot_test: other robot
    "ACCESS_TOKEN", "OTHER_ROBOT",                                          // dingtalk_robot_test: robot tokens
    "demoCardApiSecret_0123456789", "card-token-secret-for-tests-0123",    // dingtalk_card_test: card callbacks
    "crash-signing-secret-0123456789ab", "xoxb-crash-test",                // crash_test
    "xoxb-campaign-token",                                                  // campaign_test
    "operator-token-0123456789",                                            // web_view_test
    "sender-test-secret", "2d1a4a5b-hook-token", "demo-secret-abc",         // feishu_sender_test
    "5e3702a8-custom-bot", "custom-bot-secret-0123",                        // feishu_webhook_test
    "xoxb-123-456-secret",                                                  // slack_sender_test
    "xoxb-outbox-test",                                                     // outbox_worker_test
    "xoxb-faulty", "faulty-feishu-secret", "faulty-dingtalk-secret",      // faulty_platform_test
};

}  // namespace testing_support::secrets
