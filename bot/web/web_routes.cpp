// The web view's routes (bot/web_routes.h).

#include "bot/web/web_routes.h"

#include <spdlog/spdlog.h>

#include <optional>

#include "adapters/common/crypto.h"
#include "bot/ops/local_time.h"
#include "core/answers.h"
#include "core/html.h"
#include "core/url.h"
#include "core/web_view.h"

namespace bot {

struct WebRoutes::Gate {
    std::optional<Access> access;
    HttpReply reply;  // when access is empty
};

namespace {

// Nothing on these pages may run script, be framed, or send the signed URL on as a Referer.
HttpReply html(int status, std::string body) {
    HttpReply reply{status, "text/html; charset=utf-8", std::move(body), {}};
    reply.headers = {{"Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"},
                     {"Referrer-Policy", "no-referrer"},
                     {"X-Content-Type-Options", "nosniff"},
                     {"Cache-Control", "no-store"}};
    return reply;
}

HttpReply refusal(int status, const std::string& reason, const HttpRequest& request, core::Locale locale) {
    spdlog::info("web: GET {} refused ({}: {})", request.path, status, reason);  // no query: it holds secrets
    return html(status, core::render_error_page(status, reason, locale));
}

std::string bearer_token(const HttpRequest& request) {
    const std::string authorization = request.header("authorization");
    constexpr std::string_view prefix = "Bearer ";
    return authorization.starts_with(prefix) ? authorization.substr(prefix.size()) : std::string();
}

std::string cookie(const HttpRequest& request, std::string_view name) {
    const std::string header = request.header("cookie");
    size_t start = 0;
    while (start < header.size()) {
        size_t end = header.find(';', start);
        if (end == std::string::npos) end = header.size();
        std::string_view pair = std::string_view(header).substr(start, end - start);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
            return std::string(pair.substr(name.size() + 1));
        start = end + 1;
    }
    return "";
}

const char* lang_param(core::Locale locale) { return locale == core::Locale::en ? "en" : "zh-CN"; }

}  // namespace

WebRoutes::WebRoutes(const config::Config& config, const LinkSigner& signer, store::Store& store,
                     const core::Clock& clock)
    : m_config(config), m_signer(signer), m_store(store), m_clock(clock) {}

void WebRoutes::add_to(HttpServer& server) const {
    server.get("/web/?", [this](const HttpRequest& request) { return project_list(request); });
    server.get("/web/p/([^/]+)", [this](const HttpRequest& request) { return project_page(request); });
}

core::Locale WebRoutes::locale_of(const HttpRequest& request) const {
    const std::string lang = request.query_param("lang");
    if (lang == "zh" || lang == "cn") return core::Locale::zh_cn;
    auto parsed = core::parse_locale(lang);
    return parsed ? *parsed : m_config.locale;
}

WebRoutes::Gate WebRoutes::check(const HttpRequest& request, const std::string& path, core::Locale locale) const {
    const std::string& token = m_config.web.token;
    const std::string query_token = request.query_param("token");
    std::string presented = !query_token.empty() ? query_token : bearer_token(request);
    if (presented.empty()) presented = cookie(request, k_web_token_cookie);
    if (!presented.empty()) {
        if (token.empty() || !adapters::constant_time_equals(presented, token))
            return {std::nullopt, refusal(403, core::answers::web_token_invalid(locale), request, locale)};
        if (query_token.empty()) return {Access{true, 0}, {}};
        // Move the token out of the address bar (and history) into a cookie.
        HttpReply redirect = html(303, "");
        std::string cookie_value = std::string(k_web_token_cookie) + "=" + token +
                                   "; Path=/web; HttpOnly; SameSite=Strict; Max-Age=2592000";
        if (m_config.web.public_url.starts_with("https://")) cookie_value += "; Secure";
        redirect.headers.emplace_back("Set-Cookie", cookie_value);
        redirect.headers.emplace_back("Location", core::url_encode_path(path) + "?lang=" + lang_param(locale));
        return {std::nullopt, redirect};
    }
    const std::string exp = request.query_param("exp");
    const std::string sig = request.query_param("sig");
    if (exp.empty() && sig.empty()) {
        return {std::nullopt, refusal(401, core::answers::web_link_needed(locale), request, locale)};
    }
    auto verified = m_signer.verify(path, exp, sig, m_clock.now_unix());
    if (!verified) return {std::nullopt, refusal(403, verified.error().message, request, locale)};
    return {Access{false, std::stoll(exp)}, {}};
}

std::string WebRoutes::href(const Access& access, const std::string& path, core::Locale locale) const {
    std::string lang = std::string("lang=") + lang_param(locale);
    if (access.by_token) return core::url_encode_path(path) + "?" + lang;
    return m_signer.sign(path, access.expires) + "&" + lang;
}

HttpReply WebRoutes::project_list(const HttpRequest& request) const {
    const core::Locale locale = locale_of(request);
    Gate gate = check(request, "/web/", locale);
    if (!gate.access) return gate.reply;
    auto projects = m_store.projects();
    if (!projects) {
        spdlog::error("web: cannot list projects: {}", projects.error().message);
        return html(503, core::render_error_page(503, projects.error().message, locale));
    }
    const core::Date today = local_today(m_clock, m_config.timezone);
    std::vector<core::WebProjectSummary> summaries;
    for (const auto& project : *projects) {
        auto state = m_store.load_project(project.id);
        if (!state) continue;
        summaries.push_back(core::summarize_project(*state, today, href(*gate.access, "/web/p/" + project.id, locale)));
    }
    core::WebPageLinks links;
    links.other_language = href(*gate.access, "/web/", locale == core::Locale::en ? core::Locale::zh_cn : core::Locale::en);
    return html(200, core::render_project_list_page(summaries, today, locale, links));
}

HttpReply WebRoutes::project_page(const HttpRequest& request) const {
    const core::Locale locale = locale_of(request);
    const std::string id = request.path_params.empty() ? std::string() : request.path_params[0];
    const std::string path = "/web/p/" + id;
    Gate gate = check(request, path, locale);
    if (!gate.access) return gate.reply;
    auto state = m_store.load_project(id);
    if (!state) {
        const bool missing = state.error().code == core::ErrorCode::not_found;
        if (!missing) spdlog::error("web: cannot load project {}: {}", id, state.error().message);
        const std::string reason = missing ? (locale == core::Locale::zh_cn ? "没有这个项目: " : "No such project: ") + id
                                           : state.error().message;
        return html(missing ? 404 : 503, core::render_error_page(missing ? 404 : 503, reason, locale));
    }
    core::WebPageLinks links;
    // A link signed for one project opens that project only; the list needs its own link or the token.
    if (gate.access->by_token) links.projects = href(*gate.access, "/web/", locale);
    links.other_language = href(*gate.access, path, locale == core::Locale::en ? core::Locale::zh_cn : core::Locale::en);
    return html(200, core::render_project_page(*state, local_today(m_clock, m_config.timezone), locale, links));
}

}  // namespace bot
