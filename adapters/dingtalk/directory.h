#pragma once
// DingTalk's directory: who a staff id (userid) is, through the legacy OAPI "查询用户详情"
// POST https://oapi.dingtalk.com/topapi/v2/user/get, the token in the access_token query
// parameter. The app needs the contact read permission (qyapi_get_member) and the user inside
// its contact range; email and mobile need their own field permissions.
// Translation only: no sockets, no logging. Pure functions; safe for concurrent use.

#include <string_view>

#include "adapters/common/directory_profile.h"

namespace adapters::dingtalk {

// POST /topapi/v2/user/get?access_token=<token> (appended to the OAPI base,
// "https://oapi.dingtalk.com") with {"userid":"<staff id>","language":"zh_CN"}.
// wait_header = "retry-after". The target holds the token: never log it.
DirectoryRequest render_directory_request(std::string_view access_token, std::string_view userid);

// The answer {"errcode":…,"errmsg":…,"result":{…}}; errcode 88 ("鉴权异常") is judged by its
// sub_code:
//   errcode 0 with result -> found: name, email, enterprise_email = org_email, mobile
//   60121 (找不到该用户), 40003 (不合法的UserID), 33012 (无效的USERID) -> not_found
//   40001, 40014 (不合法的access_token), 42001 (access_token超时) -> refused with token_invalid
//   HTTP 429, 90002 / 90006 / 90018 / 90019 (call frequency limits) -> rate_limited,
//   retry_after_seconds = Retry-After (0 when absent, as DingTalk's throttling codes carry none)
//   60011 (没有调用该接口的权限), 50002 / 50004 (user / department outside the app's range),
//   60020 (IP not allowed), and 88 with any other sub_code -> refused
//   anything else (5xx, no response, malformed or over-deep JSON, other codes) -> failed
LookupAnswer parse_directory_response(int http_status, std::string_view retry_after_header,
                                      std::string_view body);

}  // namespace adapters::dingtalk
