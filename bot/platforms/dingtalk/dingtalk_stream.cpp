#include "bot/platforms/dingtalk/dingtalk_stream.h"

#include <spdlog/spdlog.h>

#include "adapters/dingtalk/card.h"
#include "adapters/dingtalk/dingtalk.h"
#include "adapters/dingtalk/stream.h"
#include "bot/platforms/dingtalk/dingtalk_out.h"
#include "bot/platforms/dingtalk/dingtalk_routes.h"

namespace bot {

namespace dt = adapters::dingtalk;

DingtalkStream::DingtalkStream(const config::DingtalkConfig& settings, HttpClient& http, InboundHandler& inbound,
                               const core::Clock& clock, std::function<void()> wake, DaemonMetrics* metrics)
    : m_settings(settings), m_http(http), m_inbound(inbound), m_clock(clock), m_wake(std::move(wake)),
      m_metrics(metrics) {}

core::Result<std::string> DingtalkStream::connect_url() {
    auto response = m_http.post(m_settings.api_base + std::string(dt::k_stream_open_path), {{"Accept", "application/json"}},
                                dt::render_stream_open_request(m_settings.app_key, m_settings.app_secret),
                                "application/json");
    if (!response) return response.error();
    auto endpoint = dt::parse_stream_open_response(response->status, response->body);
    if (!endpoint) return endpoint.error();
    return dt::stream_url(*endpoint);
}

void DingtalkStream::count(RequestOutcome outcome) {
    if (m_metrics) m_metrics->count_request("dingtalk", outcome);
}

bool DingtalkStream::on_frame(const WsFrame& frame, WsConnection& connection) {
    auto decoded = dt::decode_stream_frame(frame.data);
    if (!decoded) {  // refused, not acknowledged (no readable messageId); the connection stays
        spdlog::warn("dingtalk stream: frame refused: {}", decoded.error().message);
        count(RequestOutcome::bad_request);
        return true;
    }
    auto ack = [&](const std::string& data) {
        auto sent = connection.send(dt::render_stream_ack(decoded->message_id, data));
        if (!sent) spdlog::warn("dingtalk stream: ack of {} not sent: {}", decoded->message_id, sent.error().message);
    };
    if (decoded->type == "SYSTEM") {
        if (decoded->topic == "disconnect") {
            spdlog::info("dingtalk stream: the server asks to reconnect");
            ack(decoded->data);
            return false;
        }
        ack(decoded->data);  // "ping" (and anything else) echoes its data
        return true;
    }
    if (decoded->type == "CALLBACK" && decoded->topic == dt::k_bot_message_topic) {
        if (handle_message(decoded->data)) ack("{\"response\": null}");
        return true;
    }
    if (decoded->type == "CALLBACK" && decoded->topic == dt::k_card_callback_topic) {
        if (auto response = handle_card(decoded->data)) ack(*response);
        return true;
    }
    spdlog::debug("dingtalk stream: {} {} acknowledged, not handled", decoded->type, decoded->topic);
    ack("{\"response\": null}");
    return true;
}

bool DingtalkStream::handle_message(const std::string& data) {
    auto decoded = dt::decode_callback(data);
    if (!decoded) {  // acknowledged: a redelivery would be just as malformed
        spdlog::warn("dingtalk stream: malformed robot message: {}", decoded.error().message);
        count(RequestOutcome::bad_request);
        return true;
    }
    if (decoded->kind == dt::Callback::Kind::ignored) {
        spdlog::debug("dingtalk stream: ignored: {}", decoded->ignored_reason);
        count(RequestOutcome::ignored);
        return true;
    }
    DingtalkOut out(m_clock, m_settings);
    auto handled = m_inbound.handle(decoded->message, out);
    if (!handled) {
        spdlog::error("dingtalk stream: {} not applied, left for redelivery: {}", decoded->message.dedup_key,
                      handled.error().message);
        count(RequestOutcome::error);
        return false;
    }
    if (handled->duplicate) {
        spdlog::info("dingtalk stream: duplicate delivery {} ignored", decoded->message.dedup_key);
        count(RequestOutcome::duplicate);
        return true;
    }
    spdlog::info("dingtalk stream: {} from {} in {} handled (changed={})", decoded->message.dedup_key,
                 decoded->message.sender_id, decoded->message.chat_id, handled->changed);
    count(RequestOutcome::ok);
    m_wake();
    return true;
}

}  // namespace bot

namespace bot {

std::optional<std::string> DingtalkStream::handle_card(const std::string& data) {
    auto tap = dt::decode_card_callback(data);
    if (!tap) {  // acknowledged, the card unchanged: a redelivery would be just as malformed
        spdlog::warn("dingtalk stream: malformed card callback: {}", tap.error().message);
        count(RequestOutcome::bad_request);
        return dt::render_card_stream_response({});
    }
    // The connection is opened with the app's credentials: the transport is the verification.
    CardTapAnswer answer = handle_card_tap(*tap, m_settings, m_inbound, m_clock);
    count(answer.outcome);
    if (answer.failed) return std::nullopt;  // left for redelivery
    if (answer.outcome == RequestOutcome::ok) m_wake();
    return dt::render_card_stream_response(answer.card);
}

}  // namespace bot
