#include "bot/app.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "bot/platforms/dingtalk/dingtalk_routes.h"
#include "bot/web/export_route.h"
#include "bot/ops/local_time.h"
#include "bot/ops/version.h"
#include "bot/platforms/feishu/feishu_routes.h"
#include "bot/platforms/slack/slack_routes.h"

namespace bot {
namespace {

// Returns the heap's free pages to the OS (glibc keeps them for reuse otherwise).
void give_back_free_heap() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

InboundOptions inbound_options(const config::Config& config, CommandLimiter& limiter, DaemonMetrics& metrics) {
    InboundOptions options;
    options.limiter = &limiter;
    options.metrics = &metrics;
    options.default_timezone = config.timezone;
    options.admins = config.admins;
    for (const auto& project : config.projects) {  // R8: whoever the ladder may ping may ack
        auto& contacts = options.escalation_contacts[project.id];
        if (!project.approver.empty()) contacts.push_back(project.approver);
        if (!project.department_head.empty()) contacts.push_back(project.department_head);
    }
    return options;
}

InboundOptions with_links(InboundOptions options, const config::Config& config, const LinkSigner& signer) {
    if (config.web.enabled) options.links = make_link_settings(signer, config.web.public_url, config.web.link_ttl_hours * 3600LL);
    return options;
}

HttpServerOptions server_options(const config::Config& config) {
    HttpServerOptions options;
    options.max_body_bytes = config.limits.max_body_bytes;
    return options;
}

// Custom robots / bots sign with a secret at send time; the secret stays out of the database.
std::map<std::string, std::string> webhook_secrets(const config::Config& config, const std::string& platform) {
    std::map<std::string, std::string> secrets;
    for (const auto& chat : config.chats)
        if (chat.platform == platform && !chat.webhook_url.empty() && !chat.webhook_secret.empty())
            secrets[chat.webhook_url] = chat.webhook_secret;
    return secrets;
}

}  // namespace

PlatformOuts make_platform_outs(const config::Config& config, const core::Clock& clock) {
    PlatformOuts outs;
    auto add = [&](const std::string& platform, std::unique_ptr<PlatformOut> out) {
        outs.by_platform[platform] = out.get();
        outs.owned.push_back(std::move(out));
    };
    if (config.slack.enabled) add("slack", std::make_unique<SlackOut>());
    if (config.dingtalk.enabled) add("dingtalk", std::make_unique<DingtalkOut>(clock, config.dingtalk.robot_code));
    if (config.feishu.enabled) add("feishu", std::make_unique<FeishuOut>());
    return outs;
}

core::Result<std::unique_ptr<App>> App::create(config::Config config, const core::Clock& clock) {
    auto zone = check_time_zone(config.timezone);
    if (!zone) return core::make_error(zone.error().code, "timezone: " + zone.error().message);
    std::filesystem::path db_path(config.database);
    if (db_path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(db_path.parent_path(), ec);
        if (ec) return core::make_error(core::ErrorCode::io, "database: cannot create " + db_path.parent_path().string());
    }
    bool unsigned_feishu = config.feishu.enabled && config.feishu.mode == config::ConnectionMode::webhook &&
                           config.feishu.encrypt_key.empty();
    if (unsigned_feishu && !config.feishu.accept_unsigned_events)  // parse_config says so too
        return core::make_error(core::ErrorCode::invalid_argument,
                                std::string("feishu.encrypt_key: ") + config::k_feishu_unsigned_refusal);
    if (unsigned_feishu)
        spdlog::warn("feishu: accepting events without an Encrypt Key (feishu.accept_unsigned_events): Feishu signs "
                     "nothing then, and anyone who has seen one event body (its Verification Token) can forge "
                     "events as anyone. Set an Encrypt Key in the developer console (事件与回调 → 加密策略) and in "
                     "feishu.encrypt_key, or use \"mode\": \"socket\"");
    auto store = store::Store::open(config.database);
    if (!store) return store.error();
    for (const auto& person : config.people) {
        auto saved = (*store)->upsert_person(person);
        if (!saved) return saved.error();
    }
    if (config.web.enabled) {  // links sent in chat stay valid across restarts
        auto secret = link_secret(config.web.link_secret, **store);
        if (!secret) return core::make_error(secret.error().code, "web: " + secret.error().message);
        config.web.link_secret = std::move(*secret);
    }
    std::unique_ptr<store::Checkpointer> checkpointer;
    if (config.database != ":memory:") {
        store::CheckpointerOptions options;
        options.on_error = [](const core::Error& error) { spdlog::warn("store: {}", error.message); };
        options.finish = [writer = store->get()] { return writer->checkpoint_wal(); };  // outlived by the store
        options.on_idle = [writer = store->get()] {
            // Idle: the page cache goes back to the OS, not only to malloc (idle RSS 16.7 -> 14.5 MB
            // on the benchmark organisation; glibc keeps freed heap pages otherwise).
            if (writer->release_memory() >= 64 * 1024) give_back_free_heap();
        };
        auto opened = store::Checkpointer::open(config.database, options);
        if (!opened) return opened.error();
        auto off = (*store)->set_auto_checkpoint(0);  // commits no longer stop to checkpoint
        if (!off) return off.error();
        checkpointer = std::move(*opened);
    }
    auto app = std::unique_ptr<App>(new App(std::move(config), clock, std::move(*store)));
    app->m_checkpointer = std::move(checkpointer);
    return app;
}

App::App(config::Config config, const core::Clock& clock, std::unique_ptr<store::Store> store)
    : m_config(std::move(config)),
      m_clock(clock),
      m_store(std::move(store)),
      m_metrics(version(), clock.now_unix()),
      m_limiter(m_clock, CommandLimits{m_config.limits.commands_per_minute_per_person,
                                       m_config.limits.commands_per_minute_per_chat}),
      m_link_signer(m_config.web.link_secret),
      m_inbound(*m_store, m_clock,
                [this](const std::string& platform, const std::string& chat_id) { return chat_settings(platform, chat_id); },
                with_links(inbound_options(m_config, m_limiter, m_metrics), m_config, m_link_signer)),
      m_server(server_options(m_config)) {
    std::map<std::string, Sender*> senders;
    if (m_config.slack.enabled) {
        m_slack_sender = std::make_unique<SlackSender>(m_http_client, m_clock, m_config.slack.bot_token,
                                                       m_config.slack.api_base);
        senders["slack"] = m_slack_sender.get();
    }
    if (m_config.dingtalk.enabled) {
        m_dingtalk_sender = std::make_unique<DingtalkSender>(
            m_http_client, m_clock, m_config.dingtalk.app_key, m_config.dingtalk.app_secret,
            m_config.dingtalk.robot_code, m_config.dingtalk.api_base, webhook_secrets(m_config, "dingtalk"));
        senders["dingtalk"] = m_dingtalk_sender.get();
    }
    if (m_config.feishu.enabled) {
        m_feishu_sender = std::make_unique<FeishuSender>(m_http_client, m_clock, m_config.feishu.app_id,
                                                         m_config.feishu.app_secret, m_config.feishu.api_base,
                                                         webhook_secrets(m_config, "feishu"));
        senders["feishu"] = m_feishu_sender.get();
    }
    OutboxWorkerOptions outbox_options;
    outbox_options.metrics = &m_metrics;
    m_outbox = std::make_unique<OutboxWorker>(*m_store, m_clock, senders, outbox_options);
    m_outs = make_platform_outs(m_config, m_clock);
    m_scheduler = std::make_unique<Scheduler>(*m_store, m_clock, m_config, m_outs.by_platform,
                                              [this] { m_outbox->wake(); });
    m_scheduler->set_metrics(&m_metrics);
    m_retention = std::make_unique<Retention>(*m_store, m_clock);
    m_connections = std::make_unique<LongConnections>(LongConnectionsDeps{
        m_config, m_http_client, m_inbound, *m_store, m_clock, [this] { m_outbox->wake(); }, m_outs.by_platform,
        &m_metrics});
    add_routes();
}

App::~App() { stop(); }

ChatSettings App::chat_settings(const std::string& platform, const std::string& chat_id) const {
    ChatSettings settings;
    settings.timezone = m_config.timezone;
    for (const auto& chat : m_config.chats) {
        if (chat.platform != platform || chat.chat_id != chat_id) continue;
        settings.known = true;
        settings.projects = chat.projects;
        settings.locale = chat.locale;
        if (chat.timezone) settings.timezone = *chat.timezone;
        return settings;
    }
    return settings;
}

void App::add_routes() {
    add_ops_routes(m_server, ops_routes(), m_metrics);  // /healthz, /readyz, /metrics
    using config::ConnectionMode;  // a platform in socket mode has no request URL
    if (m_config.slack.enabled && m_config.slack.mode == ConnectionMode::webhook) {
        SlackSettings slack{m_config.slack.signing_secret, m_config.slack.bot_user_id};
        add_slack_routes(m_server, slack, m_inbound, m_clock, [this] { m_outbox->wake(); }, &m_metrics);
    }
    if (m_config.dingtalk.enabled && m_config.dingtalk.mode == ConnectionMode::webhook)
        add_dingtalk_routes(m_server, m_config.dingtalk, m_inbound, m_clock, [this] { m_outbox->wake(); }, &m_metrics);
    if (m_config.feishu.enabled && m_config.feishu.mode == ConnectionMode::webhook)
        add_feishu_routes(m_server, m_config.feishu, m_inbound, m_clock, [this] { m_outbox->wake(); }, &m_metrics);
    if (m_config.web.enabled) {
        m_web_routes = std::make_unique<WebRoutes>(m_config, m_link_signer, *m_store, m_clock);
        m_web_routes->add_to(m_server);
        add_export_route(m_server, m_link_signer, *m_store, m_clock, m_config.timezone);  // GET /export/<project>.xlsx (导出)
    }
}

core::Result<int> App::start() {
    auto port = m_server.bind(m_config.host, m_config.port);
    if (!port) return port.error();
    if (m_checkpointer) m_checkpointer->start();
    m_outbox->start();
    m_scheduler->start();
    m_server.start();
    m_connections->start();
    m_retention->start();
    m_started = true;
    spdlog::info("trackerd listening on {}:{} (database {}, slack {})", m_config.host, *port, m_config.database,
                 m_config.slack.enabled ? "on" : "off");
    return *port;
}

void App::stop() {
    if (!m_started) return;
    m_started = false;
    m_server.stop();
    m_retention->stop();
    m_connections->stop();
    m_scheduler->stop();
    m_outbox->stop();
    if (m_checkpointer) m_checkpointer->stop();
    spdlog::info("trackerd stopped");
}

}  // namespace bot
