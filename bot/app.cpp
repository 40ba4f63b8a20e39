#include "bot/app.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <thread>
#include <filesystem>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "adapters/common/crypto.h"
#include "bot/platforms/dingtalk/dingtalk_routes.h"
#include "bot/web/export_route.h"
#include "bot/ops/local_time.h"
#include "bot/ops/version.h"
#include "bot/platforms/feishu/feishu_routes.h"
#include "bot/platforms/slack/slack_routes.h"
#include "bot/team/seed.h"

namespace bot {
namespace {

void log_seed(const SeedReport& report) {
    spdlog::info("directory: {} entr{} applied from the config, {} unchanged since last applied, {} chat{} removed",
                 report.applied, report.applied == 1 ? "y" : "ies", report.kept, report.removed,
                 report.removed == 1 ? "" : "s");
    for (const auto& warning : report.warnings) spdlog::warn("directory: not applied: {}", warning);
}

// Returns the heap's free pages to the OS (glibc keeps them for reuse otherwise).
void give_back_free_heap() {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

InboundRoles inbound_roles(const config::Config& config) {
    InboundRoles roles;
    roles.default_timezone = config.timezone;
    roles.admins = config.admins;
    for (const auto& project : config.projects) {  // R8: whoever the ladder may ping may ack
        auto& contacts = roles.escalation_contacts[project.id];
        if (!project.approver.empty()) contacts.push_back(project.approver);
        if (!project.department_head.empty()) contacts.push_back(project.department_head);
        auto& managers = roles.managers[project.id];  // may bind, set and confirm (issue 21)
        if (!project.owner.empty()) managers.push_back(project.owner);
        if (!project.department_head.empty()) managers.push_back(project.department_head);
    }
    return roles;
}

InboundOptions inbound_options(const config::Config& config, CommandLimiter& limiter, DaemonMetrics& metrics) {
    InboundOptions options;
    options.limiter = &limiter;
    options.metrics = &metrics;
    options.roles = inbound_roles(config);
    return options;
}

InboundOptions with_links(InboundOptions options, const config::Config& config, const LinkSigner& signer) {
    if (config.web.enabled) options.links = make_link_settings(signer, config.web.public_url, config.web.link_ttl_hours * 3600LL);
    return options;
}

InboundOptions with_directory(InboundOptions options, DirectoryAsk ask) {
    options.directory = std::move(ask);
    return options;
}

// What differs between two configs in sections only a restart applies.
std::vector<std::string> restart_only_changes(const config::Config& a, const config::Config& b) {
    std::vector<std::string> changed;
    auto note = [&](bool differs, const char* what) {
        if (differs) changed.emplace_back(what);
    };
    note(a.listen != b.listen, "listen");
    note(a.database != b.database, "database");
    note(a.slack.enabled != b.slack.enabled || a.slack.mode != b.slack.mode || a.slack.signing_secret != b.slack.signing_secret ||
             a.slack.bot_token != b.slack.bot_token || a.slack.app_token != b.slack.app_token || a.slack.api_base != b.slack.api_base ||
             a.slack.bot_user_id != b.slack.bot_user_id,
         "slack");
    note(a.feishu.enabled != b.feishu.enabled || a.feishu.mode != b.feishu.mode || a.feishu.app_id != b.feishu.app_id ||
             a.feishu.app_secret != b.feishu.app_secret || a.feishu.verification_token != b.feishu.verification_token ||
             a.feishu.encrypt_key != b.feishu.encrypt_key || a.feishu.api_base != b.feishu.api_base ||
             a.feishu.bot_open_id != b.feishu.bot_open_id || a.feishu.accept_unsigned_events != b.feishu.accept_unsigned_events ||
             a.feishu.signature_window_seconds != b.feishu.signature_window_seconds,
         "feishu");
    note(a.dingtalk.enabled != b.dingtalk.enabled || a.dingtalk.mode != b.dingtalk.mode || a.dingtalk.app_key != b.dingtalk.app_key ||
             a.dingtalk.app_secret != b.dingtalk.app_secret || a.dingtalk.robot_code != b.dingtalk.robot_code ||
             a.dingtalk.api_base != b.dingtalk.api_base || a.dingtalk.oapi_base != b.dingtalk.oapi_base ||
             a.dingtalk.signature_window_seconds != b.dingtalk.signature_window_seconds ||
             a.dingtalk.card_template_id != b.dingtalk.card_template_id ||
             a.dingtalk.card_callback_route_key != b.dingtalk.card_callback_route_key ||
             a.dingtalk.card_api_secret != b.dingtalk.card_api_secret ||
             (!b.dingtalk.card_token_secret.empty() && a.dingtalk.card_token_secret != b.dingtalk.card_token_secret) ||
             a.dingtalk.card_token_ttl_hours != b.dingtalk.card_token_ttl_hours,
         "dingtalk");
    note(a.web.enabled != b.web.enabled || a.web.public_url != b.web.public_url || a.web.token != b.web.token ||
             (!b.web.link_secret.empty() && a.web.link_secret != b.web.link_secret) ||  // "" = the one generated
             a.web.link_ttl_hours != b.web.link_ttl_hours,
         "web");
    note(a.socket.ca_file != b.socket.ca_file || a.socket.alert_chat != b.socket.alert_chat ||
             a.socket.reconnect_min_ms != b.socket.reconnect_min_ms || a.socket.reconnect_max_ms != b.socket.reconnect_max_ms ||
             a.socket.down_alert_seconds != b.socket.down_alert_seconds,
         "socket");
    note(a.limits.max_body_bytes != b.limits.max_body_bytes, "limits.max_body_bytes");
    note(a.log.level != b.log.level || a.log.json != b.log.json, "log");
    std::map<std::string, std::string> secrets_a, secrets_b;  // custom robots sign with these at send time
    for (const auto& c : a.chats) secrets_a[c.webhook_url] = c.webhook_secret;
    for (const auto& c : b.chats) secrets_b[c.webhook_url] = c.webhook_secret;
    note(secrets_a != secrets_b, "chats[].webhook_secret");
    return changed;
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

PlatformOuts make_platform_outs(const config::Config& config, const core::Clock& clock, const LinkSettings& links) {
    PlatformOuts outs;
    auto add = [&](const std::string& platform, std::unique_ptr<PlatformOut> out) {
        outs.by_platform[platform] = out.get();
        outs.owned.push_back(std::move(out));
    };
    if (config.slack.enabled) add("slack", std::make_unique<SlackOut>());
    if (config.dingtalk.enabled) {
        // Interactive cards once a template is configured (card_template_id); their web_url a
        // signed link to the project's web view when there is one.
        DingtalkOut::WebLink web_link;
        if (links.ready())
            web_link = [links, &clock](std::string_view project_id) {
                return links.web_view(project_id, clock.now_unix() + links.ttl_seconds);
            };
        add("dingtalk", std::make_unique<DingtalkOut>(clock, config.dingtalk, std::move(web_link)));
    }
    if (config.feishu.enabled) add("feishu", std::make_unique<FeishuOut>());
    return outs;
}

namespace {

// This process among the replicas of one database, in the outbox's leases and the logs: the
// host and the address and port it listens on, which no other live process on that host can
// hold, so a replica restarted in place takes its destinations' leases straight back instead of
// waiting for them to lapse. Without a fixed port: host, pid and a random part (a pid may come
// back).
std::string replica_id(const std::string& listen_host, int port) {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "host");
    if (port > 0) return std::string(host) + "/" + listen_host + ":" + std::to_string(port);
    return std::string(host) + ":pid" + std::to_string(getpid()) + ":" + adapters::to_hex(adapters::random_bytes(4));
}

// Start-up work on the database, retried while the database is busy (another replica's long
// transaction, a server restarting) for up to `patience`, rather than exiting at the first
// lock timeout: replicas start during each other's work in a rolling restart.
template <typename T>
core::Result<T> when_not_busy(const char* what, const std::function<core::Result<T>()>& work,
                              std::chrono::seconds patience = std::chrono::seconds(60)) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    auto wait = std::chrono::milliseconds(250);
    for (;;) {
        auto result = work();
        if (result || result.error().code != core::ErrorCode::busy || std::chrono::steady_clock::now() + wait > deadline)
            return result;
        spdlog::warn("{}: the database is busy, trying again in {} ms: {}", what, wait.count(), result.error().message);
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::milliseconds(4000));
    }
}

}  // namespace

core::Result<std::unique_ptr<App>> App::create(config::Config config, const core::Clock& clock) {
    auto zone = check_time_zone(config.timezone);
    if (!zone) return core::make_error(zone.error().code, "timezone: " + zone.error().message);
    std::filesystem::path db_path(store::Store::is_database_uri(config.database) ? "" : config.database);
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
    auto store = when_not_busy<std::unique_ptr<store::Store>>(
        "database", [&] { return store::Store::open(config.database); });
    if (!store) return store.error();
    auto seeded = when_not_busy<SeedReport>(  // people and chats of the file
        "directory", [&] { return seed_directory(**store, config, clock.now_unix()); });
    if (!seeded) return core::make_error(seeded.error().code, "directory: " + seeded.error().message);
    log_seed(*seeded);
    const bool card_tokens = config.dingtalk.enabled && config.dingtalk.card_token_secret.empty();
    if (config.web.enabled || card_tokens) {  // links sent in chat stay valid across restarts
        auto secret = when_not_busy<std::string>("web", [&] { return link_secret(config.web.link_secret, **store); });
        if (!secret) return core::make_error(secret.error().code, "web: " + secret.error().message);
        config.web.link_secret = std::move(*secret);
    }
    // DingTalk's card buttons carry tokens trackerd mints (DingTalk signs no callback body): by
    // default under a key derived from the link secret, so cards sent stay tappable across restarts.
    if (card_tokens) config.dingtalk.card_token_secret = config.web.link_secret;
    std::unique_ptr<store::Checkpointer> checkpointer;
    if (config.database != ":memory:" && !(*store)->shared()) {  // PostgreSQL's server checkpoints itself
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
                with_directory(with_links(inbound_options(m_config, m_limiter, m_metrics), m_config, m_link_signer),
                               [this](const std::string& platform, const std::string& account) {
                                   return m_directory->lookup(platform, account);
                               })),
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
            m_config.dingtalk.api_base, webhook_secrets(m_config, "dingtalk"));
        senders["dingtalk"] = m_dingtalk_sender.get();
    }
    if (m_config.feishu.enabled) {
        m_feishu_sender = std::make_unique<FeishuSender>(m_http_client, m_clock, m_config.feishu.app_id,
                                                         m_config.feishu.app_secret, m_config.feishu.api_base,
                                                         webhook_secrets(m_config, "feishu"));
        senders["feishu"] = m_feishu_sender.get();
    }
    m_directory = std::make_unique<DirectoryLookup>(m_http_client, m_clock, directory_settings());
    OutboxWorkerOptions outbox_options;
    outbox_options.metrics = &m_metrics;
    if (m_store->shared()) {  // several replicas may share the database: leases and one scheduler
        m_replica_id = replica_id(m_config.host, m_config.port);
        outbox_options.lease_holder = m_replica_id;
    }
    m_leadership = std::make_unique<store::Leadership>(m_config.database);
    m_outbox = std::make_unique<OutboxWorker>(*m_store, m_clock, senders, outbox_options);
    m_outs = make_platform_outs(m_config, m_clock,
                                m_config.web.enabled ? make_link_settings(m_link_signer, m_config.web.public_url,
                                                                          m_config.web.link_ttl_hours * 3600LL)
                                                     : LinkSettings{});
    m_scheduler = std::make_unique<Scheduler>(*m_store, m_clock, m_config, m_outs.by_platform,
                                              [this] { m_outbox->wake(); });
    m_scheduler->set_metrics(&m_metrics);
    m_scheduler->set_leadership([this] {
        const bool leads = m_leadership->lead();
        m_metrics.set_scheduler_leader(leads);
        return leads;
    });
    m_retention = std::make_unique<Retention>(*m_store, m_clock);
    m_connections = std::make_unique<LongConnections>(LongConnectionsDeps{
        m_config, m_http_client, m_inbound, *m_store, m_clock, [this] { m_outbox->wake(); }, m_outs.by_platform,
        &m_metrics});
    add_routes();
}

App::~App() { stop(); }

DirectorySettings App::directory_settings() {
    DirectorySettings settings;
    // On the request's own thread, before its 2xx: well inside the platforms' 3 s to answer.
    settings.timeout_ms = 1500;
    if (m_config.slack.enabled && !m_config.slack.bot_token.empty()) {
        settings.slack_api_base = m_config.slack.api_base;
        settings.slack_bot_token = m_config.slack.bot_token;
    }
    if (m_feishu_sender) {
        settings.feishu_api_base = m_config.feishu.api_base;
        settings.feishu_token = [sender = m_feishu_sender.get()](const std::string& stale) { return sender->token(stale); };
    }
    if (m_dingtalk_sender) {
        settings.dingtalk_oapi_base = m_config.dingtalk.oapi_base;
        settings.dingtalk_token = [sender = m_dingtalk_sender.get()](const std::string& stale) {
            return sender->access_token(stale);
        };
    }
    return settings;
}

core::Result<void> App::reload(const config::Config& next) {
    if (auto zone = check_time_zone(next.timezone); !zone)
        return core::make_error(zone.error().code, "timezone: " + zone.error().message);
    for (size_t i = 0; i < next.chats.size(); ++i)
        if (next.chats[i].timezone)
            if (auto zone = check_time_zone(*next.chats[i].timezone); !zone)
                return core::make_error(zone.error().code,
                                        "chats[" + std::to_string(i) + "].timezone: " + zone.error().message);
    for (const auto& section : restart_only_changes(m_config, next))
        spdlog::warn("reload: {} changed in the file; it applies at the next restart, the running value stays", section);
    auto seeded = seed_directory(*m_store, next, m_clock.now_unix());
    if (!seeded) return core::make_error(seeded.error().code, "directory: " + seeded.error().message);
    log_seed(*seeded);
    m_inbound.set_roles(inbound_roles(next));
    m_scheduler->reload(next);
    m_limiter.set_limits(CommandLimits{next.limits.commands_per_minute_per_person, next.limits.commands_per_minute_per_chat});
    spdlog::info("reload: applied ({} admin{}, {} project setting{}, {} chat{} in the file)", next.admins.size(),
                 next.admins.size() == 1 ? "" : "s", next.projects.size(), next.projects.size() == 1 ? "" : "s",
                 next.chats.size(), next.chats.size() == 1 ? "" : "s");
    return core::ok();
}

ChatSettings App::chat_settings(const std::string& platform, const std::string& chat_id) const {
    ChatSettings settings;
    auto record = m_store->chat(platform, chat_id);
    if (!record) {
        spdlog::warn("directory: chat {}:{}: {}", platform, chat_id, record.error().message);
        settings.failed = true;
        return settings;
    }
    if (!*record) return settings;
    const core::ChatEntry& chat = (*record)->chat;
    settings.known = !chat.projects.empty();
    settings.projects = chat.projects;
    settings.locale = chat.locale;
    settings.timezone = chat.timezone.value_or("");
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
    if (!m_replica_id.empty())
        spdlog::info("trackerd replica {} on a shared database: outbox leases, and the scheduler on one replica at a time",
                     m_replica_id);
    spdlog::info("trackerd listening on {}:{} (database {}, slack {})", m_config.host, *port,
                 store::Store::describe(m_config.database),
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
