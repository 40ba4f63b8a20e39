// FeishuSender: one delivery attempt of an outbox row to Feishu's im/v1 API.

#include "bot/platforms/feishu/feishu_sender.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "adapters/feishu/feishu.h"

namespace bot {
namespace {

constexpr const char* k_json = "application/json; charset=utf-8";
constexpr long long k_token_margin_seconds = 180;  // refresh 3 min early (§2.9, Go SDK)

SendOutcome dead(std::string error) {
    SendOutcome outcome;
    outcome.kind = SendOutcome::Kind::dead;
    outcome.error = std::move(error);
    return outcome;
}

SendOutcome retry(std::string error) {
    SendOutcome outcome;
    outcome.kind = SendOutcome::Kind::retry;
    outcome.error = std::move(error);
    return outcome;
}

SendOutcome transport_failure(const core::Error& error) {
    // A malformed URL never gets better; a network failure might.
    return error.code == core::ErrorCode::invalid_argument ? dead(error.message) : retry(error.message);
}

// Feishu's own msg is echoed into errors; make sure no echo of a secret reaches the log.
std::string scrubbed(std::string text, const std::vector<std::string>& secrets) {
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
            text.replace(at, secret.size(), "****");
    }
    return text;
}

constexpr const char* k_bot = "feishu custom bot: ";

// A custom bot's answer (§2.8) as parse_api_response judges it, with two differences: a
// throttled answer without x-ogw-ratelimit-reset leaves the delay to the worker's back-off, and
// an invalid-token code is final (a hook URL has no token to refresh).
SendOutcome judge_bot_answer(const HttpResponse& response, bool signed_body) {
    const std::string reset = response.header("x-ogw-ratelimit-reset");
    auto api = adapters::feishu::parse_api_response(response.status, reset, response.body);
    SendOutcome outcome;
    switch (api.kind) {
    case adapters::feishu::ApiOutcome::Kind::ok:
        outcome.kind = SendOutcome::Kind::sent;
        return outcome;
    case adapters::feishu::ApiOutcome::Kind::retry:
        outcome = retry(k_bot + (api.code > 0 ? "code " + std::to_string(api.code) + ": " : std::string()) +
                        api.message);
        outcome.retry_after_seconds = reset.empty() ? 0 : api.retry_after_seconds;
        return outcome;
    case adapters::feishu::ApiOutcome::Kind::refresh_token:
    case adapters::feishu::ApiOutcome::Kind::fatal:
        break;
    }
    outcome = dead(k_bot + api.message);
    if (api.code == 19021 && !signed_body) outcome.error += " (no secret is configured for this bot)";
    return outcome;
}

}  // namespace

FeishuSender::FeishuSender(HttpClient& http, const core::Clock& clock, std::string app_id, std::string app_secret,
                           std::string api_base, std::map<std::string, std::string> webhook_secrets)
    : m_http(http),
      m_clock(clock),
      m_app_id(std::move(app_id)),
      m_app_secret(std::move(app_secret)),
      m_api_base([&] {
          while (!api_base.empty() && api_base.back() == '/') api_base.pop_back();
          return std::move(api_base);
      }()),
      m_webhook_secrets(std::move(webhook_secrets)) {}

long long FeishuSender::token_fetches() const {
    std::lock_guard lock(m_token_mutex);
    return m_token_fetches;
}

core::Result<std::string> FeishuSender::token(const std::string& stale) {
    std::lock_guard lock(m_token_mutex);
    const long long now = m_clock.now_unix();
    // Another thread may already have replaced the token that failed: use that one.
    if (!m_token.empty() && now < m_token_valid_until && (stale.empty() || m_token != stale)) return m_token;
    auto response = m_http.post(m_api_base + std::string(adapters::feishu::k_token_path), {},
                                adapters::feishu::render_token_request(m_app_id, m_app_secret), k_json);
    if (!response) return response.error();
    auto parsed = adapters::feishu::parse_token_response(response->status, response->body);
    if (!parsed) return parsed.error();
    ++m_token_fetches;
    m_token = parsed->token;
    m_token_valid_until = now + std::max<long long>(parsed->expire_seconds - k_token_margin_seconds, 0);
    return m_token;
}

SendOutcome FeishuSender::post_once(const std::string& url, const std::string& body, const std::string& bearer,
                                    bool* refresh) {
    *refresh = false;
    auto response = m_http.post(url, {{"Authorization", "Bearer " + bearer}}, body, k_json);
    if (!response) return transport_failure(response.error());
    auto api = adapters::feishu::parse_api_response(response->status, response->header("x-ogw-ratelimit-reset"),
                                                    response->body);
    SendOutcome outcome;
    switch (api.kind) {
    case adapters::feishu::ApiOutcome::Kind::ok:
        outcome.kind = SendOutcome::Kind::sent;
        outcome.remote_id = api.message_id;
        return outcome;
    case adapters::feishu::ApiOutcome::Kind::retry:
        outcome = retry(api.message);
        outcome.retry_after_seconds = api.retry_after_seconds;
        return outcome;
    case adapters::feishu::ApiOutcome::Kind::refresh_token:
        *refresh = true;
        return retry(api.message);
    case adapters::feishu::ApiOutcome::Kind::fatal:
        return dead(api.message);
    }
    return dead(api.message);
}

SendOutcome FeishuSender::send_webhook(const store::OutboxMessage& message) const {
    if (message.destination.empty()) return dead(std::string(k_bot) + "the row has no hook URL");
    const auto found = m_webhook_secrets.find(message.destination);
    const std::string secret = found == m_webhook_secrets.end() ? std::string() : found->second;
    std::string body = message.body;
    std::string sign;
    if (!secret.empty()) {
        // §2.8: signed at send time, in the body; Feishu refuses a timestamp over an hour off.
        const long long timestamp = m_clock.now_unix();
        auto signed_body = adapters::feishu::sign_bot_webhook_body(message.body, secret, timestamp);
        if (!signed_body) return dead(k_bot + signed_body.error().message);
        body = std::move(*signed_body);
        sign = adapters::feishu::bot_sign(secret, timestamp);
    }
    if (body.size() > adapters::feishu::k_bot_body_limit)
        return dead(k_bot + std::string("the body is ") + std::to_string(body.size()) + " bytes, over the " +
                    std::to_string(adapters::feishu::k_bot_body_limit) + "-byte limit (20 KB); not sent");

    auto response = m_http.post(message.destination, {}, body, k_json);
    if (!response) {
        SendOutcome failed = transport_failure(response.error());
        failed.error = scrubbed(k_bot + failed.error, {secret, sign, message.destination});
        return failed;
    }
    SendOutcome outcome = judge_bot_answer(*response, !secret.empty());
    outcome.error = scrubbed(std::move(outcome.error), {secret, sign, message.destination});
    return outcome;
}

SendOutcome FeishuSender::send(const store::OutboxMessage& message) {
    if (message.channel == "webhook") return send_webhook(message);
    std::string url;
    if (message.channel == "reply") {
        if (message.reply_to.empty()) return dead("a feishu reply without the message id to reply to");
        url = m_api_base + adapters::feishu::reply_path(message.reply_to);
    } else if (message.channel == "api") {
        url = m_api_base + std::string(adapters::feishu::k_send_path);
    } else {
        return dead("feishu cannot deliver on channel '" + message.channel + "'");
    }
    // A token that cannot be fetched (network, Feishu error) leaves the row for a later attempt.
    auto bearer = token();
    if (!bearer) return retry("tenant_access_token: " + bearer.error().message);
    bool refresh = false;
    SendOutcome outcome = post_once(url, message.body, *bearer, &refresh);
    if (!refresh) return outcome;
    // §2.9: on an invalid-token code, refresh the token and retry once.
    auto fresh = token(*bearer);
    if (!fresh) return retry("tenant_access_token: " + fresh.error().message);
    return post_once(url, message.body, *fresh, &refresh);
}

}  // namespace bot
