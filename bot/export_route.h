#pragma once
// The Excel export over HTTP (issue 9): `导出` / `export` in chat answers with a signed,
// expiring link (signed_link.h) to GET /export/<project>.xlsx?exp=…&sig=…[&lang=en], which
// trackerd serves as the project's workbook (xlsx_export.h) built at request time.
// An unsigned, altered or expired link gets 401 with the reason; an unknown project 404.
//
// Thread safety: the route handler is safe for concurrent use (the store is; the signer is
// immutable; each request writes its own temporary file).

#include <string>
#include <string_view>
#include <vector>

#include "bot/http_server.h"
#include "bot/signed_link.h"
#include "core/clock.h"
#include "core/message.h"
#include "core/model.h"
#include "core/store/store.h"

namespace bot {

// "/export/P1.xlsx": the path that is signed.
std::string export_path(std::string_view project_id);

// The chat answer to `导出`: one signed link per project, valid links.ttl_seconds from now_unix;
// when links are off (no signer) or web.public_url is not set, a line saying what to configure
// and that `trackerctl export --xlsx` works without it.
std::vector<std::string> export_link_answer(const std::vector<core::Project>& projects, const LinkSettings& links,
                                            long long now_unix, core::Locale locale, const core::Markup& markup);

// Registers GET /export/<project>.xlsx. `timezone` dates the weekly review sheet (today there).
void add_export_route(HttpServer& server, const LinkSigner& signer, store::Store& store, const core::Clock& clock,
                      std::string timezone);

}  // namespace bot
