#include "bot/ops/ops_routes.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <nlohmann/json.hpp>

namespace bot {

HttpReply readiness_reply(const std::vector<ReadinessCheck>& checks) {
    nlohmann::json list = nlohmann::json::array();
    bool ready = true;
    for (const auto& check : checks) {
        core::Result<void> result = core::ok();
        try {
            result = check.run();
        } catch (const std::exception& e) {
            result = core::make_error(core::ErrorCode::internal, e.what());
        }
        nlohmann::json item{{"name", check.name}, {"ok", result.has_value()}};
        if (!result) {
            ready = false;
            item["detail"] = result.error().message;
        } else if (check.note) {
            if (std::string note = check.note(); !note.empty()) item["detail"] = std::move(note);
        }
        list.push_back(std::move(item));
    }
    nlohmann::json body{{"status", ready ? "ready" : "not ready"}, {"checks", std::move(list)}};
    if (!ready) spdlog::warn("readyz: not ready: {}", body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return HttpReply{ready ? 200 : 503, "application/json",
                     body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), {}};
}

void add_ops_routes(HttpServer& server, OpsRoutes routes, DaemonMetrics& metrics) {
    nlohmann::json health{{"status", "ok"}, {"version", routes.version}};
    server.get("/healthz", [body = health.dump()](const HttpRequest&) {
        return HttpReply{200, "application/json", body, {}};
    });
    server.get("/readyz", [checks = routes.checks](const HttpRequest&) { return readiness_reply(checks); });
    server.get("/metrics", [&metrics, refresh = routes.refresh_metrics](const HttpRequest&) {
        if (refresh) refresh();
        return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(), {}};
    });
}

}  // namespace bot
