// Feishu contact/v3 user get: the request for one open_id and its answer judged
// (adapters/feishu/directory.h; codes from the API's page and the server error-code list).

#include "adapters/feishu/directory.h"

#include <string>
#include <vector>

#include "adapters/common/json_fields.h"
#include "core/url.h"

namespace adapters::feishu {
namespace {

using json_fields::Json;

constexpr std::string_view k_what = "feishu contact user get";

const std::vector<CodeMeanings<long long>> k_codes{
    {CodeMeaning::token_invalid, {99991661, 99991663, 99991664, 99991665, 99991668, 99991671, 99991677}},
    {CodeMeaning::rate_limited, {99991400}},
    {CodeMeaning::refused, {41050, 40004, 99991672, 99991673, 99991676, 99991401}},
    {CodeMeaning::not_found, {41012, 99992351, 99992352, 99992353, 99992361}},
};

LookupAnswer judge(long long code, const std::string& msg, std::string_view reset_header) {
    return judge_code(code,
                      std::string(k_what) + ": code " + std::to_string(code) + (msg.empty() ? "" : ": " + msg),
                      reset_header, k_codes);
}

LookupAnswer found(const Json& user) {
    LookupAnswer answer = lookup_answer(LookupStatus::found, std::string(k_what) + ": found");
    answer.profile.name = json_fields::text_at(user, "name");
    answer.profile.email = json_fields::text_at(user, "email");
    answer.profile.enterprise_email = json_fields::text_at(user, "enterprise_email");
    answer.profile.mobile = json_fields::text_at(user, "mobile");
    answer.profile.display_name = json_fields::text_at(user, "nickname");
    return answer;
}

}  // namespace

DirectoryRequest render_directory_request(std::string_view tenant_access_token,
                                          std::string_view open_id) {
    DirectoryRequest request;
    request.method = "GET";
    request.target =
        "/open-apis/contact/v3/users/" + core::url_encode(open_id) + "?user_id_type=open_id";
    request.headers = {{"Authorization", "Bearer " + std::string(tenant_access_token)}};
    request.wait_header = "x-ogw-ratelimit-reset";
    return request;
}

LookupAnswer parse_directory_response(int http_status, std::string_view ratelimit_reset_header,
                                      std::string_view body) {
    if (http_status <= 0) return no_response(k_what);
    const auto parsed = json_fields::parse(body, k_what);
    const bool has_code = parsed && json_fields::has_member(*parsed, "code");
    if (http_status == 429 && (!has_code || json_fields::integer_at(*parsed, "code", -1) == 0))
        return judge(99991400, "HTTP 429", ratelimit_reset_header);
    if (!parsed) return unreadable(parsed.error().message, http_status);
    if (!has_code) return without_member(k_what, http_status, "code");
    const long long code = json_fields::integer_at(*parsed, "code", -1);
    if (code != 0)
        return judge(code, json_fields::text_at(*parsed, "msg"), ratelimit_reset_header);
    const Json* user = json_fields::object_member(json_fields::object_at(*parsed, "data"), "user");
    if (user == nullptr)
        return lookup_answer(LookupStatus::failed,
                             std::string(k_what) + ": code 0 without data.user");
    return found(*user);
}

}  // namespace adapters::feishu
