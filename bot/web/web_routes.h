#pragma once
// The read-only web view's routes on the App's HttpServer (README "Web view"):
//   GET /web/             the project list
//   GET /web/p/<project>  one project: Gantt, late and blocked lists, WBS tree
// A request is let in by a signed link (?exp=…&sig=…, bot/signed_link.h; sent in chat by the
// "看板" / "web" command) or by the operator's token (web.token): "Authorization: Bearer …", or
// ?token=… once, which sets an HttpOnly cookie and redirects to the URL without it. Missing
// credentials are 401, wrong or expired ones 403, each with a page saying why. The token and
// signatures are never logged. ?lang=en|zh-CN picks the language (else the config's locale).
//
// Thread safety: immutable after construction; handlers are safe for concurrent use.

#include <string>

#include "bot/net/http_server.h"
#include "bot/web/signed_link.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

inline constexpr const char* k_web_token_cookie = "trackerd_web_token";

class WebRoutes {
public:
    WebRoutes(const config::Config& config, const LinkSigner& signer, store::Store& store, const core::Clock& clock);

    void add_to(HttpServer& server) const;
    HttpReply project_list(const HttpRequest& request) const;
    HttpReply project_page(const HttpRequest& request) const;

private:
    // How the request was let in: by the token (links need no signature), or by a link that
    // expires at `expires` (links on the page are signed to the same expiry).
    struct Access {
        bool by_token = false;
        long long expires = 0;
    };
    struct Gate;  // the outcome of checking a request: access or a reply (refusal, redirect)
    Gate check(const HttpRequest& request, const std::string& path, core::Locale locale) const;
    std::string href(const Access& access, const std::string& path, core::Locale locale) const;
    core::Locale locale_of(const HttpRequest& request) const;

    const config::Config& m_config;
    const LinkSigner& m_signer;
    store::Store& m_store;
    const core::Clock& m_clock;
};

}  // namespace bot
