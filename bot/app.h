#pragma once
// trackerd's application object: owns every long-lived part, in construction order, and joins
// every thread in stop() before members die. Build it with create(); start() binds and serves.
//
// Thread safety: create/start/stop from one thread; the parts it owns are thread-safe.

#include <map>
#include <memory>
#include <vector>
#include <string>

#include "bot/directory/directory_lookup.h"
#include "bot/pipeline/command_limiter.h"
#include "bot/pipeline/links.h"
#include "bot/ops/daemon_metrics.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"
#include "bot/net/http_client.h"
#include "bot/net/http_server.h"
#include "core/store/checkpointer.h"
#include "core/store/leadership.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/long_connections.h"
#include "bot/ops/ops_routes.h"
#include "bot/pipeline/outbox_worker.h"
#include "bot/pipeline/retention.h"
#include "bot/platforms/feishu/feishu_sender.h"
#include "bot/schedule/scheduler.h"
#include "bot/web/signed_link.h"
#include "bot/platforms/slack/slack_sender.h"
#include "bot/web/web_routes.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

// The PlatformOut of every platform the config enables, and the map the scheduler takes.
struct PlatformOuts {
    std::vector<std::unique_ptr<PlatformOut>> owned;
    std::map<std::string, const PlatformOut*> by_platform;
};
// `links`: signed web-view links for the cards that offer one (DingTalk's web_url); none by default.
PlatformOuts make_platform_outs(const config::Config& config, const core::Clock& clock, const LinkSettings& links = {});

class App {
public:
    // Opens the database, syncs the config's people into it, builds senders and routes.
    static core::Result<std::unique_ptr<App>> create(config::Config config, const core::Clock& clock);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Binds the listen address (port 0 picks a free port), starts the server, the outbox
    // worker and the scheduler. Returns the bound port.
    core::Result<int> start();
    // Finishes in-flight requests, stops the workers, joins every thread.
    void stop();
    // SIGHUP: applies a re-read config file while requests go on — people and chats (seeded
    // into the directory, bot/team/seed.h), admins and project settings, command limits and the
    // calendar. Sections only a restart can change (listen, database, a platform's mode or
    // credentials, web) are named in the log and left as they run. Errors only when the store
    // failed; then nothing of the file was applied.
    core::Result<void> reload(const config::Config& next);

    store::Store& store() { return *m_store; }
    OutboxWorker& outbox() { return *m_outbox; }
    Scheduler& scheduler() { return *m_scheduler; }
    DaemonMetrics& metrics() { return m_metrics; }

private:
    App(config::Config config, const core::Clock& clock, std::unique_ptr<store::Store> store);
    ChatSettings chat_settings(const std::string& platform, const std::string& chat_id) const;
    DirectorySettings directory_settings();  // from the config and the senders' tokens
    void add_routes();
    OpsRoutes ops_routes();   // bot/app_ops.cpp: /readyz checks, /metrics refresh
    void refresh_metrics();  // what /metrics reads at scrape time

    config::Config m_config;
    const core::Clock& m_clock;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<store::Checkpointer> m_checkpointer;  // WAL checkpoints off the write path (file databases)
    // Which replica runs the scheduler (PostgreSQL; always this one on a file) and this
    // replica's id in the outbox's destination leases ("" on a file: no leases).
    std::unique_ptr<store::Leadership> m_leadership;
    std::string m_replica_id;
    DaemonMetrics m_metrics;  // counted into by the parts below; rendered by GET /metrics
    HttpClient m_http_client;
    std::unique_ptr<SlackSender> m_slack_sender;
    std::unique_ptr<DingtalkSender> m_dingtalk_sender;
    std::unique_ptr<FeishuSender> m_feishu_sender;
    std::unique_ptr<OutboxWorker> m_outbox;
    PlatformOuts m_outs;  // how the scheduler writes to each platform
    std::unique_ptr<Scheduler> m_scheduler;
    CommandLimiter m_limiter;  // limits.commands_per_minute_*, for m_inbound
    LinkSigner m_link_signer;  // web.link_secret, resolved in create()
    InboundHandler m_inbound;
    HttpServer m_server;
    std::unique_ptr<WebRoutes> m_web_routes;  // GET /web/…, when web.enabled
    std::unique_ptr<LongConnections> m_connections;  // the platforms in "mode": "socket"
    std::unique_ptr<Retention> m_retention;  // prunes de-duplication marks past the horizon
    std::unique_ptr<DirectoryLookup> m_directory;  // who an unlinked account is (platform directories)
    bool m_started = false;
};

}  // namespace bot
