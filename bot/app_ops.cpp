// App: what the operator's endpoints see (bot/ops_routes.h) — readiness checks and the numbers
// read at scrape time.
#include <algorithm>

#include "bot/app.h"
#include "bot/ops/version.h"

namespace bot {
namespace {

core::Result<void> failed(std::string detail) { return core::make_error(core::ErrorCode::internal, std::move(detail)); }

}  // namespace

OpsRoutes App::ops_routes() {
    OpsRoutes routes;
    routes.version = version();
    // The file is still there, opens afresh and has our schema; and the daemon's own connection
    // answers a query (a wedged connection shows here, not in the probe).
    routes.checks.push_back({"database", [this]() -> core::Result<void> {
        auto probed = store::Store::probe(m_config.database);
        if (!probed) return probed.error();
        if (*probed != store::k_schema_version)
            return failed("schema version " + std::to_string(*probed) + ", expected " +
                          std::to_string(store::k_schema_version));
        auto live = m_store->schema_version();
        if (!live) return live.error();
        return core::ok();
    }});
    routes.checks.push_back({"outbox_worker", [this]() -> core::Result<void> {
        return m_outbox->running() ? core::ok() : failed("not running");
    }});
    // A replica that does not lead is as ready as the leader: it takes callbacks and sends.
    routes.checks.push_back({"scheduler",
                             [this]() -> core::Result<void> {
                                 return m_scheduler->running() ? core::ok() : failed("not running");
                             },
                             [this]() -> std::string {
                                 if (!m_store->shared()) return "";
                                 return m_leadership->leading() ? "leading" : "standby: another replica leads";
                             }});
    if (m_connections)  // one per long connection: up, or its state and last error
        for (auto& check : m_connections->readiness_checks()) routes.checks.push_back(std::move(check));
    routes.refresh_metrics = [this] { refresh_metrics(); };
    return routes;
}

void App::refresh_metrics() {
    m_metrics.set_http_handler_failures(m_server.handler_failures());
    m_metrics.set_scheduler_leader(m_leadership->leading());
    if (m_checkpointer) m_metrics.set_wal(m_checkpointer->stats());
    auto commits = m_inbound.commit_counts();
    m_metrics.set_commits(commits.batches, commits.items);
    if (m_connections) m_connections->refresh_metrics();
    auto stats = m_store->outbox_stats();
    if (!stats) return;  // the gauges keep their last values; /readyz reports the database
    OutboxGauges gauges{stats->pending, stats->sent, stats->dead, 0};
    if (stats->oldest_pending_created_at > 0)
        gauges.oldest_pending_age_seconds = std::max(0LL, m_clock.now_unix() - stats->oldest_pending_created_at);
    m_metrics.set_outbox(gauges);
}

}  // namespace bot
