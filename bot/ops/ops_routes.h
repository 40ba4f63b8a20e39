#pragma once
// The operator's endpoints, beside the platform routes on the same listen address:
//   GET /healthz  200 {"status":"ok","version":…} while the process serves HTTP (liveness)
//   GET /readyz   200 when every named check passes, else 503; the body lists each check
//                 {"status":"ready"|"not ready","checks":[{"name":…,"ok":…,"detail":…}]}
//   GET /metrics  the Prometheus text format (bot/daemon_metrics.h lists the series)
// None is authenticated: trackerd listens on 127.0.0.1 by default, and the reverse proxy in
// front of it should forward only the platform paths (/slack/, /feishu/, /dingtalk/). The
// numbers carry no secrets (counts, platform names, the version).
//
// Thread safety: handlers are safe for concurrent use when the checks and refresh are.

#include <functional>
#include <string>
#include <vector>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_server.h"
#include "core/result.h"

namespace bot {

// One readiness condition; an error's message becomes the check's detail.
struct ReadinessCheck {
    std::string name;  // "database", "outbox_worker", "scheduler", …
    std::function<core::Result<void>()> run;
    // What a passing check adds to its entry as "detail" (e.g. "standby: another replica leads");
    // none when empty.
    std::function<std::string()> note = {};
};

struct OpsRoutes {
    std::string version;
    std::vector<ReadinessCheck> checks;
    // Called before each /metrics render to set what is read at scrape time (outbox gauges …).
    std::function<void()> refresh_metrics;
};

// Runs every check (none stops the others; a throwing check counts as failed).
HttpReply readiness_reply(const std::vector<ReadinessCheck>& checks);

// Registers GET /healthz, /readyz and /metrics. `metrics` outlives the server.
void add_ops_routes(HttpServer& server, OpsRoutes routes, DaemonMetrics& metrics);

}  // namespace bot
