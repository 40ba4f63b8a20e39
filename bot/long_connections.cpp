#include "bot/long_connections.h"

#include <spdlog/spdlog.h>

#include "bot/platforms/dingtalk/dingtalk_stream.h"
#include "bot/platforms/feishu/feishu_long_connection.h"
#include "bot/platforms/slack/slack_socket.h"

namespace bot {

LongConnections::LongConnections(const LongConnectionsDeps& deps)
    : m_config(deps.config), m_store(deps.store), m_clock(deps.clock), m_wake(deps.wake), m_outs(deps.outs),
      m_metrics(deps.metrics) {
    using config::ConnectionMode;
    const config::Config& config = deps.config;
    if (config.slack.enabled && config.slack.mode == ConnectionMode::socket) {
        SlackSocketSettings settings{config.slack.app_token, config.slack.api_base, config.slack.bot_user_id};
        add("slack", std::make_unique<SlackSocketMode>(settings, deps.http, deps.inbound, deps.wake, deps.metrics),
            std::chrono::seconds(1));
    }
    if (config.dingtalk.enabled && config.dingtalk.mode == ConnectionMode::socket) {
        add("dingtalk",
            std::make_unique<DingtalkStream>(config.dingtalk, deps.http, deps.inbound, deps.clock, deps.wake, deps.metrics),
            std::chrono::seconds(1));
    }
    if (config.feishu.enabled && config.feishu.mode == ConnectionMode::socket) {
        add("feishu",
            std::make_unique<FeishuLongConnection>(config.feishu, deps.http, deps.inbound, deps.wake, deps.metrics),
            std::chrono::seconds(1));
    }
    if (m_metrics && !m_entries.empty()) {
        m_up = &m_metrics->registry().gauge("socket_up", "1 while the platform's long connection is up", {"platform"});
        m_reconnects = &m_metrics->registry().counter(
            "socket_reconnects", "Long-connection attempts after the first (failed opens and drops)", {"platform"});
    }
}

LongConnections::~LongConnections() { stop(); }

void LongConnections::add(const std::string& platform, std::unique_ptr<WsProtocol> protocol,
                          std::chrono::milliseconds tick) {
    WsClientOptions options;
    options.name = platform;
    options.socket.ca_file = m_config.socket.ca_file;
    options.reconnect_min = std::chrono::milliseconds(m_config.socket.reconnect_min_ms);
    options.reconnect_max = std::chrono::milliseconds(m_config.socket.reconnect_max_ms);
    options.tick = tick;
    Entry entry;
    entry.platform = platform;
    entry.protocol = std::move(protocol);
    entry.client = std::make_unique<WsClient>(options, *entry.protocol, [this, platform](std::chrono::milliseconds down_for) {
        connection_back(platform, down_for);
    });
    m_entries.push_back(std::move(entry));
}

void LongConnections::start() {
    for (auto& entry : m_entries) entry.client->start();
}

void LongConnections::stop() {
    for (auto& entry : m_entries) entry.client->stop();
}

std::vector<WsStatus> LongConnections::statuses() const {
    std::vector<WsStatus> statuses;
    for (const auto& entry : m_entries) statuses.push_back(entry.client->status());
    return statuses;
}

std::vector<ReadinessCheck> LongConnections::readiness_checks() const {
    std::vector<ReadinessCheck> checks;
    for (const auto& entry : m_entries) {
        const WsClient* client = entry.client.get();
        checks.push_back({entry.platform + "_socket", [client]() -> core::Result<void> {
            WsStatus status = client->status();
            if (status.state == WsState::up) return core::ok();
            std::string detail = to_string(status.state);
            if (!status.last_error.empty()) detail += ": " + status.last_error;
            return core::make_error(core::ErrorCode::upstream, detail);
        }});
    }
    return checks;
}

void LongConnections::refresh_metrics() {
    if (!m_up || !m_reconnects) return;
    for (const auto& entry : m_entries) {
        WsStatus status = entry.client->status();
        m_up->with({entry.platform}).set(status.state == WsState::up ? 1 : 0);
        m_reconnects->with({entry.platform}).advance_to(status.reconnects);
    }
}

void LongConnections::connection_back(const std::string& platform, std::chrono::milliseconds down_for) {
    long long seconds = std::chrono::duration_cast<std::chrono::seconds>(down_for).count();
    if (seconds < m_config.socket.down_alert_seconds) return;
    spdlog::warn("{} connection: back after {} s down; events sent meanwhile arrive as the platform redelivers them",
                 platform, seconds);
    const std::string& alert_chat = m_config.socket.alert_chat;
    if (alert_chat.empty()) return;
    std::string chat_platform = alert_chat.substr(0, alert_chat.find(':'));
    std::string chat_id = alert_chat.substr(alert_chat.find(':') + 1);
    auto out = m_outs.find(chat_platform);
    const config::ChatConfig* chat = m_config.find_chat(chat_platform, chat_id);
    if (out == m_outs.end() || !chat) return;
    core::ChatMessage message;
    message.locale = chat->locale.value_or(m_config.locale);
    std::string minutes = std::to_string((seconds + 59) / 60);
    message.sections.push_back(message.locale == core::Locale::en
                                   ? "trackerd's " + platform + " connection was down for about " + minutes +
                                         " min and is back. Commands sent meanwhile are applied as the platform "
                                         "delivers them again; check recent ones if in doubt."
                                   : "trackerd 与" + platform + "的长连接中断约 " + minutes +
                                         " 分钟，现已恢复。期间的指令会在平台重新推送时处理；如有疑问请核对最近的更新。");
    long long now = m_clock.now_unix();
    std::string key = "socket-down:" + platform + ":" + std::to_string(now);
    for (const auto& row : out->second->push(message, PushTarget{chat->chat_id, chat->webhook_url}, "socket_alert", key, now)) {
        auto queued = m_store.enqueue(row);
        if (!queued) spdlog::error("{} connection: alert not queued: {}", platform, queued.error().message);
    }
    m_wake();
}

}  // namespace bot
