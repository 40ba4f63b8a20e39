// Slack users.info: the request for one user id and its answer judged (adapters/slack/directory.h).

#include "adapters/slack/directory.h"

#include <string>
#include <string_view>
#include <vector>

#include "adapters/common/json_fields.h"
#include "core/url.h"

namespace adapters::slack {
namespace {

using json_fields::Json;

constexpr std::string_view k_what = "slack users.info";

const std::vector<CodeMeanings<std::string_view>> k_codes{
    {CodeMeaning::not_found, {"user_not_found", "user_not_visible"}},
    {CodeMeaning::rate_limited, {"ratelimited", "rate_limited"}},
    {CodeMeaning::token_invalid, {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}},
    {CodeMeaning::refused,
     {"missing_scope", "no_permission", "access_denied", "ekm_access_denied", "not_allowed_token_type"}},
};

LookupAnswer judge_error_code(const std::string& code, std::string_view retry_after_header) {
    return judge_code(std::string_view(code), std::string(k_what) + ": " + code, retry_after_header, k_codes);
}

LookupAnswer found(const Json& user) {
    const Json& profile = json_fields::object_at(user, "profile");
    LookupAnswer answer = lookup_answer(LookupStatus::found, std::string(k_what) + ": found");
    answer.profile.name = json_fields::text_at(user, "real_name");
    if (answer.profile.name.empty())
        answer.profile.name = json_fields::text_at(profile, "real_name");
    answer.profile.email = json_fields::text_at(profile, "email");
    answer.profile.mobile = json_fields::text_at(profile, "phone");
    answer.profile.display_name = json_fields::text_at(profile, "display_name");
    return answer;
}

}  // namespace

DirectoryRequest render_directory_request(std::string_view bot_token, std::string_view user_id) {
    DirectoryRequest request;
    request.method = "GET";
    request.target = "/users.info?user=" + core::url_encode(user_id);
    request.headers = {{"Authorization", "Bearer " + std::string(bot_token)}};
    request.wait_header = "retry-after";
    return request;
}

LookupAnswer parse_directory_response(int http_status, std::string_view retry_after_header,
                                      std::string_view body) {
    if (http_status <= 0) return no_response(k_what);
    if (http_status == 429) return judge_error_code("ratelimited", retry_after_header);
    const auto parsed = json_fields::parse(body, k_what);
    if (!parsed) return unreadable(parsed.error().message, http_status);
    const Json* ok = json_fields::member(*parsed, "ok");
    if (ok == nullptr || !ok->is_boolean()) return without_member(k_what, http_status, "ok");
    if (!ok->get<bool>()) {
        const std::string code = json_fields::text_at(*parsed, "error");
        return judge_error_code(code.empty() ? std::string("unknown_error") : code,
                                retry_after_header);
    }
    const Json* user = json_fields::object_member(*parsed, "user");
    if (user == nullptr)
        return lookup_answer(LookupStatus::failed, std::string(k_what) + ": ok without a user");
    return found(*user);
}

}  // namespace adapters::slack
