#pragma once
// Feishu's directory: who an open_id is, through contact/v3 "获取单个用户信息"
// (https://open.feishu.cn/document/server-docs/contact-v3/user/get) with the tenant_access_token.
// The app needs a contact read scope (contact:contact.base:readonly or wider), the user inside
// its contact range, and contact:user.email:readonly / contact:user.phone:readonly /
// contact:user.employee:readonly for email / mobile / enterprise_email (withheld otherwise).
// Translation only: no sockets, no logging. Pure functions; safe for concurrent use.

#include <string_view>

#include "adapters/common/directory_profile.h"

namespace adapters::feishu {

// GET /open-apis/contact/v3/users/<open_id>?user_id_type=open_id (appended to the API base,
// "https://open.feishu.cn"), with "Authorization: Bearer <tenant_access_token>".
// wait_header = "x-ogw-ratelimit-reset" (Feishu's gateway, protocols.md §2.9).
DirectoryRequest render_directory_request(std::string_view tenant_access_token,
                                          std::string_view open_id);

// The answer {"code":…,"msg":…,"data":{"user":{…}}}:
//   code 0 with data.user -> found: name, email, enterprise_email, mobile; display_name = nickname
//   99991661/63/64/65/68/71/77 (token missing, invalid or expired) -> refused with token_invalid
//   HTTP 429, 99991400 -> rate_limited, retry_after_seconds = x-ogw-ratelimit-reset (0 if absent)
//   41050 (user outside the app's contact range), 40004, 99991672 (scope not granted), 99991673,
//   99991676, 99991401 (IP allow-list) -> refused
//   41012 (user id invalid), 99992351/52/53 (ids that do not exist), 99992361 (open_id of
//   another app) -> not_found
//   anything else (5xx, no response, malformed or over-deep JSON, other codes) -> failed
LookupAnswer parse_directory_response(int http_status, std::string_view ratelimit_reset_header,
                                      std::string_view body);

}  // namespace adapters::feishu
