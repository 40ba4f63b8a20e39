#include "bot/platforms/feishu/feishu_long_connection.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "bot/platforms/feishu/feishu_out.h"

namespace bot {

namespace fs = adapters::feishu;

namespace {
constexpr auto k_part_lifetime = std::chrono::seconds(5);  // the SDK keeps parts 5 s
constexpr auto k_deadline = std::chrono::seconds(3);       // Feishu re-pushes after this (§2.6)
}  // namespace

FeishuLongConnection::FeishuLongConnection(const config::FeishuConfig& settings, HttpClient& http,
                                           InboundHandler& inbound, std::function<void()> wake,
                                           DaemonMetrics* metrics)
    : m_settings(settings), m_http(http), m_inbound(inbound), m_wake(std::move(wake)), m_metrics(metrics) {}

core::Result<std::string> FeishuLongConnection::connect_url() {
    auto response = m_http.post(m_settings.api_base + std::string(fs::k_ws_endpoint_path), {{"locale", "zh"}},
                                fs::render_ws_endpoint_request(m_settings.app_id, m_settings.app_secret),
                                "application/json");
    if (!response) return response.error();
    auto endpoint = fs::parse_ws_endpoint_response(response->status, response->body);
    if (!endpoint) return endpoint.error();
    m_service_id = endpoint->service_id;
    m_ping_interval = std::chrono::seconds(endpoint->ping_interval_s);
    return endpoint->url;
}

void FeishuLongConnection::count(RequestOutcome outcome) {
    if (m_metrics) m_metrics->count_request("feishu", outcome);
}

void FeishuLongConnection::ping(WsConnection& connection) {
    m_next_ping = std::chrono::steady_clock::now() + m_ping_interval;
    auto sent = connection.send(fs::encode_frame(fs::ping_frame(m_service_id)), true);
    if (!sent) spdlog::warn("feishu long connection: ping not sent: {}", sent.error().message);
}

void FeishuLongConnection::on_connected(WsConnection& connection) {
    m_partial.clear();
    ping(connection);
}

void FeishuLongConnection::on_tick(WsConnection& connection) {
    auto now = std::chrono::steady_clock::now();
    if (now >= m_next_ping) ping(connection);
    std::erase_if(m_partial, [&](const auto& entry) { return now - entry.second.started > k_part_lifetime; });
}

bool FeishuLongConnection::on_frame(const WsFrame& frame, WsConnection& connection) {
    if (!frame.binary) {
        spdlog::warn("feishu long connection: unexpected text message ignored");
        return true;
    }
    auto decoded = fs::decode_frame(frame.data);
    if (!decoded) {
        spdlog::warn("feishu long connection: {}", decoded.error().message);
        return true;
    }
    std::string type = decoded->header("type");
    if (decoded->method == fs::k_frame_control) {
        if (type == "pong" && !decoded->payload.empty()) {  // may carry a new ClientConfig
            auto config = nlohmann::json::parse(decoded->payload, nullptr, false);
            if (config.is_object() && config.value("PingInterval", 0LL) > 0)
                m_ping_interval = std::chrono::seconds(config.value("PingInterval", 0LL));
        }
        return true;
    }
    if (decoded->method != fs::k_frame_data) return true;
    std::string payload = join_parts(*decoded);
    if (payload.empty()) return true;
    auto started = std::chrono::steady_clock::now();
    // Card callbacks (card.action.trigger) come as "event" frames; "card" frames (the legacy
    // card channel, which Feishu does not offer over the long connection) are read the same way.
    std::string answer;
    int code = type == "event" || type == "card" ? handle_event(payload, answer) : 200;
    if (code == 0) return true;
    auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (took > k_deadline)
        spdlog::warn("feishu long connection: answered after {} ms; Feishu may push it again", took.count());
    auto sent = connection.send(fs::encode_frame(fs::response_frame(*decoded, code, took.count(), answer)), true);
    if (!sent) spdlog::warn("feishu long connection: answer not sent: {}", sent.error().message);
    return true;
}

std::string FeishuLongConnection::join_parts(const fs::PbFrame& frame) {
    int sum = std::atoi(frame.header("sum").c_str());
    if (sum <= 1) return frame.payload;
    int seq = std::atoi(frame.header("seq").c_str());
    if (seq < 0 || seq >= sum || sum > 1000) return "";
    std::string id = frame.header("message_id");
    auto& entry = m_partial[id];
    if (entry.parts.size() != static_cast<size_t>(sum)) {
        entry.parts.assign(static_cast<size_t>(sum), "");
        entry.started = std::chrono::steady_clock::now();
    }
    entry.parts[static_cast<size_t>(seq)] = frame.payload;
    std::string joined;
    for (const auto& part : entry.parts) {
        if (part.empty()) return "";
        joined += part;
    }
    m_partial.erase(id);
    return joined;
}

int FeishuLongConnection::handle_event(const std::string& payload, std::string& answer) {
    auto decoded = fs::decode_long_connection_event(payload, m_settings.bot_open_id);
    if (!decoded) {  // answered: a re-push would be just as malformed
        spdlog::warn("feishu long connection: malformed event: {}", decoded.error().message);
        count(RequestOutcome::bad_request);
        return 200;
    }
    const bool tap = decoded->kind == fs::EventRequest::Kind::card_action;
    if (decoded->kind != fs::EventRequest::Kind::message && !tap) {
        spdlog::debug("feishu long connection: ignored: {}", decoded->ignored_reason);
        count(RequestOutcome::ignored);
        return 200;
    }
    FeishuOut out;
    auto handled = m_inbound.handle(decoded->message, out);
    if (!handled) {
        spdlog::error("feishu long connection: {} not applied, left for re-push: {}", decoded->message.dedup_key,
                      handled.error().message);
        count(RequestOutcome::error);
        return 0;
    }
    if (tap) {  // answered with a toast, and the card updated (the frame's base64 data)
        spdlog::info("feishu long connection: card {} by {} in {} ran '{}' (duplicate={}, changed={})",
                     decoded->card_action, decoded->message.sender_id, decoded->message.chat_id, decoded->message.text,
                     handled->duplicate, handled->changed);
        answer = feishu_card_answer(handled->duplicate ? nullptr : &*handled, decoded->card_single,
                                    handled->reply.locale);
        count(handled->duplicate ? RequestOutcome::duplicate : RequestOutcome::ok);
        if (!handled->duplicate) m_wake();
        return 200;
    }
    if (handled->duplicate) {
        spdlog::info("feishu long connection: duplicate delivery {} of {} ignored", decoded->message.dedup_key,
                     decoded->message.bot_added ? "the bot added to a group" : decoded->message.message_id);
        count(RequestOutcome::duplicate);
        return 200;
    }
    spdlog::info("feishu long connection: {} from {} in {} handled (changed={})", decoded->message.dedup_key,
                 decoded->message.sender_id, decoded->message.chat_id, handled->changed);
    count(RequestOutcome::ok);
    m_wake();
    return 200;
}

}  // namespace bot
