#include "bot/web/export_route.h"

#include <spdlog/spdlog.h>

#include "bot/ops/local_time.h"
#include "bot/web/xlsx_export.h"

namespace bot {
namespace {

constexpr const char* k_xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

HttpReply text_reply(int status, std::string text) {
    return HttpReply{status, "text/plain; charset=utf-8", std::move(text) + "\n", {}};
}

}  // namespace


void add_export_route(HttpServer& server, const LinkSigner& signer, store::Store& store, const core::Clock& clock,
                      std::string timezone) {
    server.get("/export/([A-Za-z0-9_.-]+)\\.xlsx", [&signer, &store, &clock, timezone](const HttpRequest& request) {
        const std::string project_id = request.path_params.empty() ? "" : request.path_params[0];
        auto allowed = signer.verify(export_path(project_id), request.query_param("exp"), request.query_param("sig"),
                                     clock.now_unix());
        if (!allowed) return text_reply(401, allowed.error().message);
        auto state = store.load_project(project_id);
        if (!state) {
            if (state.error().code == core::ErrorCode::not_found) return text_reply(404, "no project " + project_id);
            spdlog::error("export: {}: {}", project_id, state.error().message);
            return text_reply(503, "the database is busy; try again");
        }
        XlsxOptions options;
        options.headers = request.query_param("lang") == "en" ? core::Locale::en : core::Locale::zh_cn;
        options.today = local_today(clock, timezone);
        auto bytes = project_xlsx_bytes(*state, options);
        if (!bytes) {
            spdlog::error("export: {}: {}", project_id, bytes.error().message);
            return text_reply(500, "the workbook could not be written");
        }
        return HttpReply{200, k_xlsx_type, std::move(*bytes),
                         {{"Content-Disposition", "attachment; filename=\"" + project_id + ".xlsx\""},
                          {"Cache-Control", "no-store"}}};
    });
}

}  // namespace bot
