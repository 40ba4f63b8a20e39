// SlackSender: one delivery attempt of an outbox row to Slack.

#include "bot/platforms/slack/slack_sender.h"


#include <optional>
#include <utility>

#include "adapters/slack/slack.h"

namespace bot {
namespace {

constexpr const char* k_json = "application/json; charset=utf-8";

SendOutcome from_api(const adapters::slack::ApiOutcome& api) {
    SendOutcome outcome;
    switch (api.kind) {
    case adapters::slack::ApiOutcome::Kind::ok:
        outcome.kind = SendOutcome::Kind::sent;
        outcome.remote_id = api.ts;
        break;
    case adapters::slack::ApiOutcome::Kind::retry:
        outcome.kind = SendOutcome::Kind::retry;
        outcome.error = api.error;
        outcome.retry_after_seconds = api.retry_after_seconds;
        break;
    case adapters::slack::ApiOutcome::Kind::fatal:
        outcome.kind = SendOutcome::Kind::dead;
        outcome.error = api.error;
        break;
    }
    return outcome;
}

SendOutcome transport_failure(const core::Error& error) {
    SendOutcome outcome;
    // A malformed URL never gets better; a network failure might.
    outcome.kind = error.code == core::ErrorCode::invalid_argument ? SendOutcome::Kind::dead
                                                                   : SendOutcome::Kind::retry;
    outcome.error = error.message;
    return outcome;
}

SendOutcome dead(std::string error) {
    SendOutcome outcome;
    outcome.kind = SendOutcome::Kind::dead;
    outcome.error = std::move(error);
    return outcome;
}

}  // namespace

SlackSender::SlackSender(HttpClient& http, const core::Clock& clock, std::string bot_token,
                         std::string api_base)
    : m_http(http), m_clock(clock), m_token(std::move(bot_token)), m_api_base([&] {
          while (!api_base.empty() && api_base.back() == '/') api_base.pop_back();
          return std::move(api_base);
      }()) {}

SendOutcome SlackSender::send(const store::OutboxMessage& message) {
    if (message.channel == "api" || message.channel == "reply") return post_message(message);
    if (message.channel == "response_url" || message.channel == "webhook") return post_to_url(message);
    return dead("slack cannot deliver on channel '" + message.channel + "'");
}

SendOutcome SlackSender::post_message(const store::OutboxMessage& message) {
    // SlackOut rendered the body with its address (channel, thread_ts): sent as it is.
    auto response = m_http.post(m_api_base + "/chat.postMessage",
                                {{"Authorization", "Bearer " + m_token}}, message.body, k_json);
    if (!response) return transport_failure(response.error());
    return from_api(adapters::slack::parse_post_message_response(
        response->status, response->header("retry-after"), response->body));
}

SendOutcome SlackSender::post_to_url(const store::OutboxMessage& message) {
    // response_url is usable 5 times within 30 minutes (protocols §1.4); past that it is gone.
    if (message.channel == "response_url" && message.expires_at != 0 &&
        m_clock.now_unix() >= message.expires_at) {
        return dead("response_url expired");
    }
    auto response = m_http.post(message.destination, {}, message.body, k_json);
    if (!response) return transport_failure(response.error());
    // Incoming webhooks answer plain text ("ok" or an error word), a response_url JSON; the
    // adapter's webhook judge reads both.
    return from_api(adapters::slack::parse_webhook_response(
        response->status, response->header("retry-after"), response->body));
}

}  // namespace bot
