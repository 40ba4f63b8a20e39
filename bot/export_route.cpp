#include "bot/export_route.h"

#include <spdlog/spdlog.h>

#include "bot/local_time.h"
#include "bot/xlsx_export.h"

namespace bot {
namespace {

constexpr const char* k_xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

HttpReply text_reply(int status, std::string text) {
    return HttpReply{status, "text/plain; charset=utf-8", std::move(text) + "\n", {}};
}

}  // namespace

std::string export_path(std::string_view project_id) { return "/export/" + std::string(project_id) + ".xlsx"; }

std::vector<std::string> export_link_answer(const std::vector<core::Project>& projects, const LinkSettings& links,
                                            long long now_unix, core::Locale locale, const core::Markup& markup) {
    const bool zh = locale == core::Locale::zh_cn;
    if (!links.signer)
        return {zh ? "下载链接没有开启（配置 web.enabled）。可以在服务器上用 `trackerctl export --xlsx 文件名` 导出。"
                   : "Download links are turned off (config web.enabled). `trackerctl export --xlsx FILE` exports on "
                     "the server."};
    if (links.public_url.empty())
        return {zh ? "还不能发送下载链接：请管理员在配置里设置 web.public_url（trackerd 的对外地址）。也可以在服务器上用 "
                     "`trackerctl export --xlsx 文件名` 导出。"
                   : "I cannot send download links yet: an admin must set web.public_url (trackerd's public address) in "
                     "the config. `trackerctl export --xlsx FILE` exports on the server."};
    const long long expires = now_unix + links.ttl_seconds;
    const std::string hours = std::to_string(links.ttl_seconds / 3600);
    std::vector<std::string> answer;
    for (const auto& project : projects) {
        std::string url = links.signer->sign_url(links.public_url, export_path(project.id), expires) + (zh ? "" : "&lang=en");
        std::string title = markup.bold(project.name.empty() ? project.id : project.name);
        answer.push_back(zh ? "📊 " + title + " 的 Excel（跟踪表、进度日志、风险、KPI、周报），" + hours + " 小时内有效：" + url
                            : "📊 " + title + " as Excel (tracking table, progress log, risks, KPIs, weekly review), valid " +
                                  hours + " h: " + url);
    }
    return answer;
}

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
