#pragma once
// Delivers Feishu outbox rows through the app bot's im/v1 API (protocols.md §2.9) or a custom
// group bot (§2.8): one attempt per call (plus at most one retry after an invalid-token answer),
// the outcome judged by adapters::feishu::parse_api_response. Channels (store/outbox_types.h):
//   "reply"   -> POST {api_base}/open-apis/im/v1/messages/{reply_to}/reply
//   "api"     -> POST {api_base}/open-apis/im/v1/messages?receive_id_type=chat_id
//   "webhook" -> POST {destination} (the custom bot's hook URL), no bearer token
// im/v1 bodies are sent as rendered (render_reply_request / render_message_request).
//
// Custom bots: the body was rendered unsigned (render_bot_webhook(…, "", 0)) because a
// signature is only good for an hour; when webhook_secrets holds a secret for the row's URL, the
// current "timestamp" (seconds, a string) and "sign" are put into the body at send time.
// Answers: code 0 sent; 19021 (signature or timestamp) and other refusals dead; throttling
// (HTTP 429, 11232, 99991400) retried after x-ogw-ratelimit-reset seconds, or after the
// worker's back-off when that header is absent (it grows past the 1-minute window of the
// 100/min limit, which a fixed 1 s would not). A body over 20 KB (§2.8) is dead, never sent.
// Errors never contain the secret, the sign or the hook URL.
//
// The tenant_access_token comes from {api_base}/open-apis/auth/v3/tenant_access_token/internal
// and is cached until 180 s before it expires (as the Go SDK does). When Feishu answers an
// invalid-token code, the token is fetched again and that send is retried once.
//
// Thread safety: safe for concurrent use. The cached token is guarded by m_token_mutex, which is
// held while a token is being fetched so that concurrent senders fetch it only once.

#include <map>
#include <mutex>
#include <string>

#include "bot/net/http_client.h"
#include "bot/net/sender.h"
#include "core/clock.h"
#include "core/result.h"

namespace bot {

inline constexpr const char* k_feishu_api_base = "https://open.feishu.cn";

class FeishuSender final : public Sender {
public:
    // webhook_secrets: custom bot hook URL -> its signing secret; a URL not listed (or with an
    // empty secret) is posted unsigned, for bots whose signature check is off.
    FeishuSender(HttpClient& http, const core::Clock& clock, std::string app_id, std::string app_secret,
                 std::string api_base = k_feishu_api_base,
                 std::map<std::string, std::string> webhook_secrets = {});

    SendOutcome send(const store::OutboxMessage& message) override;

    // Tokens fetched so far (for logs and tests).
    long long token_fetches() const;

    // The cached token, or a fresh one when none is valid or `stale` is the cached one. Public
    // so that other callers of Feishu's API (bot/directory) share the one cached token.
    core::Result<std::string> token(const std::string& stale = "");

private:
    SendOutcome send_webhook(const store::OutboxMessage& message) const;
    SendOutcome post_once(const std::string& url, const std::string& body, const std::string& bearer,
                          bool* refresh);

    HttpClient& m_http;
    const core::Clock& m_clock;
    const std::string m_app_id;
    const std::string m_app_secret;
    const std::string m_api_base;  // without a trailing slash
    const std::map<std::string, std::string> m_webhook_secrets;

    mutable std::mutex m_token_mutex;
    std::string m_token;              // Guarded by m_token_mutex.
    long long m_token_valid_until = 0;  // unix seconds. Guarded by m_token_mutex.
    long long m_token_fetches = 0;    // Guarded by m_token_mutex.
};

}  // namespace bot
