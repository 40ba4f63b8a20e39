#pragma once
// Slack's directory: who a user id is, through users.info (https://docs.slack.dev/reference/
// methods/users.info). The bot token needs users:read, and users:read.email for the email.
// Translation only: no sockets, no logging. Pure functions; safe for concurrent use.

#include <string_view>

#include "adapters/common/directory_profile.h"

namespace adapters::slack {

// GET /users.info?user=<user_id> (appended to the Web API base, "https://slack.com/api"), with
// "Authorization: Bearer <bot_token>". wait_header = "retry-after".
DirectoryRequest render_directory_request(std::string_view bot_token, std::string_view user_id);

// users.info's answer:
//   ok:true with user   -> found: name = user.real_name (else profile.real_name), email =
//                          profile.email, mobile = profile.phone, display_name =
//                          profile.display_name
//   user_not_found, user_not_visible -> not_found
//   missing_scope, no_permission, access_denied, ekm_access_denied, not_allowed_token_type
//                       -> refused
//   invalid_auth, not_authed, token_revoked, token_expired, account_inactive
//                       -> refused with token_invalid
//   HTTP 429, ratelimited -> rate_limited, retry_after_seconds = Retry-After (0 when absent)
//   anything else (5xx, no response, malformed or over-deep JSON, other codes) -> failed
LookupAnswer parse_directory_response(int http_status, std::string_view retry_after_header,
                                      std::string_view body);

}  // namespace adapters::slack
