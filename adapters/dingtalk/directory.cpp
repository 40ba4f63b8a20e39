// DingTalk topapi/v2/user/get: the request for one staff id and its answer judged
// (adapters/dingtalk/directory.h).

#include "adapters/dingtalk/directory.h"

#include <string>
#include <vector>

#include "adapters/common/json_fields.h"
#include "core/url.h"

namespace adapters::dingtalk {
namespace {

using json_fields::Json;

constexpr std::string_view k_what = "dingtalk topapi/v2/user/get";

const std::vector<CodeMeanings<long long>> k_codes{
    {CodeMeaning::not_found, {60121, 40003, 33012}},
    {CodeMeaning::token_invalid, {40001, 40014, 42001}},
    {CodeMeaning::rate_limited, {90002, 90006, 90018, 90019}},
    {CodeMeaning::refused, {60011, 50002, 50004, 60020}},
};

// `code` is the errcode, or errcode 88's sub_code; `wrapped` says it came as a sub_code.
LookupAnswer judge(long long code, bool wrapped, const std::string& message, std::string_view retry_after) {
    std::string detail = std::string(k_what) + (wrapped ? ": errcode 88, sub_code " : ": errcode ") +
                         std::to_string(code) + (message.empty() ? "" : ": " + message);
    LookupAnswer answer = judge_code(code, std::move(detail), retry_after, k_codes);
    // 88 is an authorisation failure whatever its sub_code; an unknown one is still a refusal.
    if (wrapped && answer.status == LookupStatus::failed) answer.status = LookupStatus::refused;
    return answer;
}

LookupAnswer found(const Json& result) {
    LookupAnswer answer = lookup_answer(LookupStatus::found, std::string(k_what) + ": found");
    answer.profile.name = json_fields::text_at(result, "name");
    answer.profile.email = json_fields::text_at(result, "email");
    answer.profile.enterprise_email = json_fields::text_at(result, "org_email");
    answer.profile.mobile = json_fields::text_at(result, "mobile");
    return answer;
}

}  // namespace

DirectoryRequest render_directory_request(std::string_view access_token, std::string_view userid) {
    DirectoryRequest request;
    request.method = "POST";
    request.target = "/topapi/v2/user/get?access_token=" + core::url_encode(access_token);
    request.body = json_fields::dump(Json{{"userid", std::string(userid)}, {"language", "zh_CN"}});
    request.content_type = "application/json; charset=utf-8";
    request.wait_header = "retry-after";
    return request;
}

LookupAnswer parse_directory_response(int http_status, std::string_view retry_after_header,
                                      std::string_view body) {
    if (http_status <= 0) return no_response(k_what);
    const auto parsed = json_fields::parse(body, k_what);
    const long long errcode = parsed ? json_fields::integer_at(*parsed, "errcode", -1) : -1;
    if (http_status == 429 && errcode <= 0)
        return judge(90018, false, "HTTP 429", retry_after_header);
    if (!parsed) return unreadable(parsed.error().message, http_status);
    if (errcode < 0) return without_member(k_what, http_status, "errcode");
    if (errcode == 88) {
        std::string message = json_fields::text_at(*parsed, "sub_msg");
        if (message.empty()) message = json_fields::text_at(*parsed, "errmsg");
        return judge(json_fields::integer_at(*parsed, "sub_code", 0), true, message, retry_after_header);
    }
    if (errcode != 0)
        return judge(errcode, false, json_fields::text_at(*parsed, "errmsg"), retry_after_header);
    const Json* result = json_fields::object_member(*parsed, "result");
    if (result == nullptr)
        return lookup_answer(LookupStatus::failed,
                             std::string(k_what) + ": errcode 0 without result");
    return found(*result);
}

}  // namespace adapters::dingtalk
