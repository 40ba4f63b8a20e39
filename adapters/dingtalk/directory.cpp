// DingTalk topapi/v2/user/get: the request for one staff id and its answer judged
// (adapters/dingtalk/directory.h).

#include "adapters/dingtalk/directory.h"

#include <algorithm>
#include <initializer_list>
#include <string>

#include "adapters/common/json_fields.h"
#include "core/url.h"

namespace adapters::dingtalk {
namespace {

using json_fields::Json;

constexpr std::string_view k_what = "dingtalk topapi/v2/user/get";

bool is_one_of(long long code, std::initializer_list<long long> codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// `code` is the errcode, or errcode 88's sub_code; `wrapped` says it came as a sub_code.
LookupAnswer judge_code(long long code, bool wrapped, const std::string& message,
                        std::string_view retry_after) {
    const std::string detail = std::string(k_what) +
                               (wrapped ? ": errcode 88, sub_code " : ": errcode ") +
                               std::to_string(code) + (message.empty() ? "" : ": " + message);
    if (is_one_of(code, {60121, 40003, 33012}))
        return lookup_answer(LookupStatus::not_found, detail);
    if (is_one_of(code, {40001, 40014, 42001})) {
        LookupAnswer answer = lookup_answer(LookupStatus::refused, detail);
        answer.token_invalid = true;
        return answer;
    }
    if (is_one_of(code, {90002, 90006, 90018, 90019})) {
        LookupAnswer answer = lookup_answer(LookupStatus::rate_limited, detail);
        answer.retry_after_seconds = wait_seconds(retry_after);
        return answer;
    }
    // 88 is an authorisation failure whatever its sub_code; an unknown one is still a refusal.
    if (wrapped || is_one_of(code, {60011, 50002, 50004, 60020}))
        return lookup_answer(LookupStatus::refused, detail);
    return lookup_answer(LookupStatus::failed, detail);
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
    if (http_status <= 0)
        return lookup_answer(LookupStatus::failed, std::string(k_what) + ": no response");
    const auto parsed = json_fields::parse(body, k_what);
    const long long errcode = parsed ? json_fields::integer_at(*parsed, "errcode", -1) : -1;
    if (http_status == 429 && errcode <= 0)
        return judge_code(90018, false, "HTTP 429", retry_after_header);
    if (!parsed)
        return lookup_answer(LookupStatus::failed, parsed.error().message + " (HTTP " +
                                                       std::to_string(http_status) + ")");
    if (errcode < 0)
        return lookup_answer(LookupStatus::failed, std::string(k_what) + ": HTTP " +
                                                       std::to_string(http_status) +
                                                       ", an answer without \"errcode\"");
    if (errcode == 88) {
        std::string message = json_fields::text_at(*parsed, "sub_msg");
        if (message.empty()) message = json_fields::text_at(*parsed, "errmsg");
        return judge_code(json_fields::integer_at(*parsed, "sub_code", 0), true, message,
                          retry_after_header);
    }
    if (errcode != 0)
        return judge_code(errcode, false, json_fields::text_at(*parsed, "errmsg"),
                          retry_after_header);
    const Json* result = json_fields::object_member(*parsed, "result");
    if (result == nullptr)
        return lookup_answer(LookupStatus::failed,
                             std::string(k_what) + ": errcode 0 without result");
    return found(*result);
}

}  // namespace adapters::dingtalk
