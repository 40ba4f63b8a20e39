#pragma once
// Delivers Slack outbox rows: one attempt per call, the outcome judged by the Slack adapter's
// response parsers (adapters/slack/slack.h). Channels (store/outbox_types.h):
//   "api", "reply"          -> POST {api_base}/chat.postMessage, Bearer token, the row's JSON body
//   "response_url", "webhook" -> POST the row's JSON body to the URL in `destination`
// An expired response_url (expires_at in the past) is dead: Slack refuses it after 30 minutes.
//
// Thread safety: safe for concurrent use (holds only immutable configuration and references to
// thread-safe objects).

#include <string>

#include "bot/net/http_client.h"
#include "bot/net/sender.h"
#include "core/clock.h"

namespace bot {

inline constexpr const char* k_slack_api_base = "https://slack.com/api";

class SlackSender final : public Sender {
public:
    SlackSender(HttpClient& http, const core::Clock& clock, std::string bot_token,
                std::string api_base = k_slack_api_base);

    SendOutcome send(const store::OutboxMessage& message) override;

private:
    SendOutcome post_message(const store::OutboxMessage& message);
    SendOutcome post_to_url(const store::OutboxMessage& message);

    HttpClient& m_http;
    const core::Clock& m_clock;
    const std::string m_token;
    const std::string m_api_base;  // without a trailing slash
};

}  // namespace bot
