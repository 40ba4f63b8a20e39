#pragma once
// Delivers DingTalk outbox rows: one attempt per call (plus one retry after a token refresh),
// the outcome judged by adapters::dingtalk::parse_api_response. Channels:
//   "session_webhook" -> POST the envelope's "session" body to `destination` (the
//                        sessionWebhook URL, no auth, §3.6) while it is valid; once it has
//                        expired (expires_at, with k_session_webhook_margin_ms to spare) the
//                        envelope's "api" body goes through groupMessages/send instead (the
//                        envelope: adapters::dingtalk::render_session_envelope).
//   "webhook"         -> a custom group robot (§3.5): POST the row's body (render_custom_robot)
//                        to `destination` (the robot's webhook URL, stored unsigned), signed
//                        at send time with the clock's ms timestamp when webhook_secrets has a
//                        secret for that URL (else sent as is: keyword or IP security only).
//                        130101 (over 20 a minute) retries after the 10-minute block; 310000
//                        (sign, timestamp, keyword or IP) is dead. The signed URL and the
//                        secret never appear in an error. remote_id = the body's msgUuid
//                        (dingtalk_msg_uuid of the row's dedup_key, or the merge's).
//                        merge() lets the outbox worker carry several due rows for one robot
//                        in one request (adapters::dingtalk::merge_custom_robot_bodies).
//   "api"             -> POST {api_base}/v1.0/robot/groupMessages/send with header
//                        x-acs-dingtalk-access-token; the row's body is the request JSON as
//                        render_group_message wrote it, robotCode and openConversationId included.
//   "card"            -> POST {api_base}/v1.0/card/instances/createAndDeliver, same header; the
//                        body as adapters::dingtalk::render_card wrote it (an interactive card
//                        with buttons); remote_id = its outTrackId.
// The access token comes from POST {api_base}/v1.0/oauth2/accessToken and is cached until
// expireIn − 300 s (the official SDK refreshes 5 minutes early, §3.6). When DingTalk refuses it
// (refresh_token outcome) it is fetched again and the send retried once.
//
// Thread safety: safe for concurrent use; the cached token is guarded by m_mutex.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/api_outcome.h"
#include "bot/net/http_client.h"
#include "bot/net/sender.h"
#include "core/clock.h"
#include "core/result.h"

namespace bot {

inline constexpr const char* k_dingtalk_api_base = "https://api.dingtalk.com";
// A sessionWebhook this close to its expiry is not used: the request may take that long.
inline constexpr long long k_session_webhook_margin_ms = 60000;

// True when a sessionWebhook expiring at expires_ms (0 = unknown) may still be used at now_ms.
inline bool session_webhook_usable(long long expires_ms, long long now_ms) {
    return expires_ms > 0 && now_ms + k_session_webhook_margin_ms < expires_ms;
}

class DingtalkSender final : public Sender {
public:
    // webhook_secrets: custom robot webhook URL (as in the rows' destination) -> its "SEC…"
    // secret.
    DingtalkSender(HttpClient& http, const core::Clock& clock, std::string app_key,
                   std::string app_secret,
                   std::string api_base = k_dingtalk_api_base,
                   std::map<std::string, std::string> webhook_secrets = {});

    SendOutcome send(const store::OutboxMessage& message) override;
    // Channel "webhook" only: as many rows as merge_custom_robot_bodies fits in one body.
    MergedRows merge(const std::vector<store::OutboxMessage>& rows) const override;
    bool merges(const store::OutboxMessage& head) const override { return head.channel == "webhook"; }

    // The cached token, or a fresh one when none is cached, it is about to expire, or it
    // equals `refused` (DingTalk just refused it). Public so that other callers of DingTalk's
    // API (bot/directory) share the one cached token.
    core::Result<std::string> access_token(const std::string& refused = "");

private:
    SendOutcome send_webhook(const store::OutboxMessage& message);
    SendOutcome send_session(const store::OutboxMessage& message);
    using Judge = std::function<adapters::ApiOutcome(int status, std::string_view body)>;
    SendOutcome send_group(const std::string& body);
    SendOutcome send_card(const std::string& body);
    // POST {api_base}{path} with the access token, refreshed and retried once when refused.
    SendOutcome send_with_token(const std::string& path, const std::string& body, const Judge& judge);
    // nullopt when DingTalk refused the token (refresh and retry); otherwise the outcome.
    std::optional<SendOutcome> post_api(const std::string& path, const std::string& body, const std::string& token,
                                        const Judge& judge);

    HttpClient& m_http;
    const core::Clock& m_clock;
    const std::string m_app_key;
    const std::string m_app_secret;
    const std::string m_api_base;  // without a trailing slash
    const std::map<std::string, std::string> m_webhook_secrets;

    std::mutex m_mutex;
    std::string m_token;             // Guarded by m_mutex.
    long long m_token_until_ms = 0;  // Guarded by m_mutex. Refresh at or after this time.
};

}  // namespace bot
