// DingtalkSender: one delivery attempt of an outbox row to DingTalk (see dingtalk_sender.h).

#include "bot/platforms/dingtalk/dingtalk_sender.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "adapters/dingtalk/card.h"
#include "adapters/dingtalk/dingtalk.h"
#include "bot/platforms/dingtalk/dingtalk_out.h"

namespace bot {
namespace {

constexpr const char* k_json = "application/json; charset=utf-8";
constexpr long long k_token_early_seconds = 300;

SendOutcome outcome_of(SendOutcome::Kind kind, std::string error) {
    SendOutcome outcome;
    outcome.kind = kind;
    outcome.error = std::move(error);
    return outcome;
}

SendOutcome from_api(const adapters::dingtalk::ApiOutcome& api) {
    using Kind = adapters::dingtalk::ApiOutcome::Kind;
    SendOutcome outcome;
    switch (api.kind) {
        case Kind::ok:
            outcome.kind = SendOutcome::Kind::sent;
            outcome.remote_id = api.message_id;
            break;
        case Kind::retry:
            outcome.kind = SendOutcome::Kind::retry;
            outcome.retry_after_seconds = api.retry_after_seconds;
            break;
        case Kind::refresh_token:  // a sessionWebhook has no token to refresh: refused for good
        case Kind::fatal:
            outcome.kind = SendOutcome::Kind::dead;
            break;
    }
    if (outcome.kind != SendOutcome::Kind::sent) outcome.error = api.message;  // not "ok" when sent
    return outcome;
}

SendOutcome transport_failure(const core::Error& error) {
    // A malformed URL never gets better; a network failure might.
    return outcome_of(error.code == core::ErrorCode::invalid_argument ? SendOutcome::Kind::dead
                                                                      : SendOutcome::Kind::retry,
                      error.message);
}

}  // namespace

DingtalkSender::DingtalkSender(HttpClient& http, const core::Clock& clock, std::string app_key,
                               std::string app_secret, std::string api_base,
                               std::map<std::string, std::string> webhook_secrets)
    : m_http(http),
      m_clock(clock),
      m_app_key(std::move(app_key)),
      m_app_secret(std::move(app_secret)),
      m_api_base([&] {
          while (!api_base.empty() && api_base.back() == '/') api_base.pop_back();
          return std::move(api_base);
      }()),
      m_webhook_secrets(std::move(webhook_secrets)) {}

SendOutcome DingtalkSender::send(const store::OutboxMessage& message) {
    if (message.channel == "session_webhook") return send_session(message);
    if (message.channel == "webhook") return send_webhook(message);
    if (message.channel == "api" || message.channel == "reply")
        return send_group(message.body);
    if (message.channel == "card") return send_card(message.body);
    return outcome_of(SendOutcome::Kind::dead,
                      "dingtalk cannot deliver on channel '" + message.channel + "'");
}

SendOutcome DingtalkSender::send_webhook(const store::OutboxMessage& message) {
    const auto secret = m_webhook_secrets.find(message.destination);
    const bool signing = secret != m_webhook_secrets.end() && !secret->second.empty();
    // Signed now: DingTalk refuses a timestamp more than an hour off (§3.5). The signed URL
    // carries the sign, so it goes to the HTTP client and nowhere else (no error, no log).
    const std::string url =
        signing ? adapters::dingtalk::sign_custom_robot_url(message.destination, secret->second,
                                                            m_clock.now_unix_ms())
                : message.destination;
    auto response = m_http.post(url, {}, message.body, k_json);
    if (!response) return transport_failure(response.error());
    const auto api = adapters::dingtalk::parse_api_response(response->status, response->body);
    SendOutcome outcome = from_api(api);
    if (api.code == 310000)
        outcome.error += signing ? " (the request was signed with the configured secret)"
                                 : " (no secret is configured for this robot, so it was not signed)";
    if (outcome.kind == SendOutcome::Kind::sent && outcome.remote_id.empty())
        // The robot answers no id; the msgUuid DingtalkOut (or merge) gave the body is what
        // DingTalk knows the message by.
        outcome.remote_id = message.remote_id.empty() ? dingtalk_msg_uuid(message.dedup_key) : message.remote_id;
    return outcome;
}

MergedRows DingtalkSender::merge(const std::vector<store::OutboxMessage>& rows) const {
    std::vector<std::string> bodies;
    for (const auto& row : rows) {
        if (row.channel != "webhook" || row.destination != rows.front().destination) break;
        bodies.push_back(row.body);
    }
    if (bodies.size() < 2) return {};
    auto merged = adapters::dingtalk::merge_custom_robot_bodies(bodies);
    if (merged.count < 2) return {};
    MergedRows out{rows.front(), merged.count};
    out.message.body = std::move(merged.body);
    out.message.remote_id = std::move(merged.msg_uuid);
    return out;
}

SendOutcome DingtalkSender::send_session(const store::OutboxMessage& message) {
    auto envelope = adapters::dingtalk::read_session_envelope(message.body);
    if (!envelope) return outcome_of(SendOutcome::Kind::dead, envelope.error().message);
    if (session_webhook_usable(message.expires_at * 1000, m_clock.now_unix_ms())) {
        auto response = m_http.post(message.destination, {}, envelope->session, k_json);
        if (!response) return transport_failure(response.error());
        return from_api(adapters::dingtalk::parse_api_response(response->status, response->body));
    }
    // Expired (§3.6: about 90 minutes): the OpenAPI still reaches the group, without a real @.
    if (envelope->api.empty())
        return outcome_of(SendOutcome::Kind::dead,
                          "sessionWebhook expired and no OpenAPI body to fall back to");
    return send_group(envelope->api);
}

SendOutcome DingtalkSender::send_group(const std::string& body) {
    return send_with_token("/v1.0/robot/groupMessages/send", body, adapters::dingtalk::parse_api_response);
}

SendOutcome DingtalkSender::send_card(const std::string& body) {
    return send_with_token(std::string(adapters::dingtalk::k_create_and_deliver_path), body,
                           adapters::dingtalk::parse_card_response);
}

SendOutcome DingtalkSender::send_with_token(const std::string& path, const std::string& body, const Judge& judge) {
    auto token = access_token();
    if (!token)
        return outcome_of(SendOutcome::Kind::retry, "access token: " + token.error().message);
    if (auto first = post_api(path, body, *token, judge)) return *first;
    auto fresh = access_token(*token);
    if (!fresh)
        return outcome_of(SendOutcome::Kind::retry, "access token: " + fresh.error().message);
    if (auto second = post_api(path, body, *fresh, judge)) return *second;
    return outcome_of(SendOutcome::Kind::dead, "DingTalk refused a freshly issued access token");
}

std::optional<SendOutcome> DingtalkSender::post_api(const std::string& path, const std::string& body,
                                                    const std::string& token, const Judge& judge) {
    auto response = m_http.post(m_api_base + path, {{"x-acs-dingtalk-access-token", token}}, body, k_json);
    if (!response) return transport_failure(response.error());
    auto api = judge(response->status, response->body);
    if (api.kind == adapters::dingtalk::ApiOutcome::Kind::refresh_token) return std::nullopt;
    return from_api(api);
}

core::Result<std::string> DingtalkSender::access_token(const std::string& refused) {
    std::lock_guard lock(m_mutex);  // held across the fetch: one refresh at a time
    const long long now_ms = m_clock.now_unix_ms();
    if (!m_token.empty() && now_ms < m_token_until_ms && m_token != refused) return m_token;
    auto response =
        m_http.post(m_api_base + "/v1.0/oauth2/accessToken", {},
                    adapters::dingtalk::render_token_request(m_app_key, m_app_secret), k_json);
    if (!response) return response.error();
    auto parsed = adapters::dingtalk::parse_token_response(response->status, response->body);
    if (!parsed) return parsed.error();
    const long long lifetime =
        std::max(parsed->expire_seconds - k_token_early_seconds, parsed->expire_seconds / 2);
    m_token = parsed->token;
    m_token_until_ms = now_ms + lifetime * 1000;
    return m_token;
}

}  // namespace bot
