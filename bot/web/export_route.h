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

#include "bot/net/http_server.h"
#include "bot/web/signed_link.h"
#include "core/clock.h"
#include "core/message.h"
#include "core/model.h"
#include "core/store/store.h"

namespace bot {

// Registers GET /export/<project>.xlsx. `timezone` dates the weekly review sheet (today there).
void add_export_route(HttpServer& server, const LinkSigner& signer, store::Store& store, const core::Clock& clock,
                      std::string timezone);

}  // namespace bot
