// Feishu contact/v3 user get (adapters/feishu/directory.h): the request for one open_id, and
// every kind of answer judged.
#include "adapters/feishu/directory.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/deep_json.h"

namespace adapters::feishu {
namespace {

constexpr const char* k_found = R"({"code":0,"msg":"success","data":{"user":{
  "open_id":"ou_7dab8a3d3cdcc9da365777c7ad535d62","name":"张三","en_name":"San Zhang","nickname":"Alex Zhang",
  "email":"zhangsan@gmail.com","enterprise_email":"demo@mail.com","mobile":"13011111111",
  "status":{"is_frozen":false,"is_resigned":false,"is_activated":true}}}})";

TEST(FeishuDirectoryTest, RequestIsTheUserGetByOpenIdWithTheTenantToken) {
    const DirectoryRequest request = render_directory_request("t-abc", "ou_7dab/../x");
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/open-apis/contact/v3/users/ou_7dab%2F..%2Fx?user_id_type=open_id");
    ASSERT_EQ(request.headers.size(), 1u);
    EXPECT_EQ(request.headers[0].first, "Authorization");
    EXPECT_EQ(request.headers[0].second, "Bearer t-abc");
    EXPECT_EQ(request.wait_header, "x-ogw-ratelimit-reset");
}

TEST(FeishuDirectoryTest, FoundUserGivesNameEmailsMobileAndNickname) {
    const LookupAnswer answer = parse_directory_response(200, "", k_found);
    ASSERT_EQ(answer.status, LookupStatus::found) << answer.detail;
    EXPECT_EQ(answer.profile.name, "张三");
    EXPECT_EQ(answer.profile.email, "zhangsan@gmail.com");
    EXPECT_EQ(answer.profile.enterprise_email, "demo@mail.com");
    EXPECT_EQ(answer.profile.mobile, "13011111111");
    EXPECT_EQ(answer.profile.display_name, "Alex Zhang");
}

TEST(FeishuDirectoryTest, AnswersAreJudgedByStatusAndCode) {
    struct Case {
        const char* name;
        int status;
        const char* reset;
        std::string body;
        LookupStatus expected;
        bool token_invalid;
        int retry_after_seconds;
    };
    const auto code = [](long long value, const char* msg) {
        return R"({"code":)" + std::to_string(value) + R"(,"msg":")" + msg + R"("})";
    };
    const std::vector<Case> cases = {
        {"tenant token invalid", 400, "", code(99991663, "tenant token invalid"),
         LookupStatus::refused, true, 0},
        {"no token", 400, "", code(99991661, "Need a token"), LookupStatus::refused, true, 0},
        {"user token invalid", 400, "", code(99991668, "token invalid"), LookupStatus::refused,
         true, 0},
        {"throttled with reset", 429, "12", code(99991400, "request trigger frequency limit"),
         LookupStatus::rate_limited, false, 12},
        {"throttled as an old API (HTTP 400)", 400, "",
         code(99991400, "request trigger frequency limit"), LookupStatus::rate_limited, false, 0},
        {"HTTP 429 without a body", 429, "3", "", LookupStatus::rate_limited, false, 3},
        {"user outside the contact range", 400, "", code(41050, "no user authority error"),
         LookupStatus::refused, false, 0},
        {"department outside the range", 403, "", code(40004, "no dept authority error"),
         LookupStatus::refused, false, 0},
        {"scope not granted", 400, "", code(99991672, "Access denied"), LookupStatus::refused,
         false, 0},
        {"open id does not exist", 400, "", code(99992351, "these open ids not existed"),
         LookupStatus::not_found, false, 0},
        {"open id of another app", 400, "", code(99992361, "open_id cross app"),
         LookupStatus::not_found, false, 0},
        {"user id invalid", 400, "", code(41012, "user id invalid error"), LookupStatus::not_found,
         false, 0},
        {"internal error", 500, "", code(40003, "internal error"), LookupStatus::failed, false, 0},
        {"gateway page", 502, "", "<html>bad gateway</html>", LookupStatus::failed, false, 0},
        {"no response", 0, "", "", LookupStatus::failed, false, 0},
        {"malformed JSON", 200, "", R"({"code":0,"data":{)", LookupStatus::failed, false, 0},
        {"too deep JSON", 200, "", testing_support::with_deep_field(k_found, 100),
         LookupStatus::failed, false, 0},
        {"no code", 200, "", R"({"data":{}})", LookupStatus::failed, false, 0},
        {"code 0 without a user", 200, "", R"({"code":0,"data":{}})", LookupStatus::failed, false,
         0},
    };
    for (const Case& c : cases) {
        const LookupAnswer answer = parse_directory_response(c.status, c.reset, c.body);
        EXPECT_EQ(answer.status, c.expected) << c.name << ": " << answer.detail;
        EXPECT_EQ(answer.token_invalid, c.token_invalid) << c.name;
        EXPECT_EQ(answer.retry_after_seconds, c.retry_after_seconds) << c.name;
        EXPECT_FALSE(answer.detail.empty()) << c.name;
    }
}

}  // namespace
}  // namespace adapters::feishu
