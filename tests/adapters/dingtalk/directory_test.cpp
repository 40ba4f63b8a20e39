// DingTalk topapi/v2/user/get (adapters/dingtalk/directory.h): the request for one staff id, and
// every kind of answer judged.
#include "adapters/dingtalk/directory.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/deep_json.h"

namespace adapters::dingtalk {
namespace {

// The shape of the API page's example, errcode a string as there.
constexpr const char* k_found = R"({"errcode":"0","errmsg":"ok","request_id":"x","result":{
  "userid":"zhangsan","unionid":"z21HjQliSzpw0YWxxxxx","name":"张三","mobile":"18513027676","state_code":"86",
  "email":"test@xxx.com","org_email":"test@corp.example","active":"true","title":"技术总监"}})";

TEST(DingtalkDirectoryTest, RequestPostsTheUseridWithTheTokenInTheQuery) {
    const DirectoryRequest request = render_directory_request("tok+/=", "manager 240");
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/topapi/v2/user/get?access_token=tok%2B%2F%3D");
    EXPECT_TRUE(request.headers.empty());
    EXPECT_EQ(request.content_type, "application/json; charset=utf-8");
    const auto body = nlohmann::json::parse(request.body);
    EXPECT_EQ(body, (nlohmann::json{{"userid", "manager 240"}, {"language", "zh_CN"}}));
    EXPECT_EQ(request.wait_header, "retry-after");
}

TEST(DingtalkDirectoryTest, FoundUserGivesNameEmailsAndMobile) {
    const LookupAnswer answer = parse_directory_response(200, "", k_found);
    ASSERT_EQ(answer.status, LookupStatus::found) << answer.detail;
    EXPECT_EQ(answer.profile.name, "张三");
    EXPECT_EQ(answer.profile.email, "test@xxx.com");
    EXPECT_EQ(answer.profile.enterprise_email, "test@corp.example");
    EXPECT_EQ(answer.profile.mobile, "18513027676");
    EXPECT_EQ(answer.profile.display_name, "");
}

TEST(DingtalkDirectoryTest, AnswersAreJudgedByErrcodeAndSubCode) {
    struct Case {
        const char* name;
        int status;
        const char* retry_after;
        std::string body;
        LookupStatus expected;
        bool token_invalid;
        int retry_after_seconds;
    };
    const auto err = [](long long value, const char* msg) {
        return R"({"errcode":)" + std::to_string(value) + R"(,"errmsg":")" + msg + R"("})";
    };
    const auto sub = [](const char* sub_code) {
        return std::string(R"({"errcode":88,"sub_code":")") + sub_code +
               R"(","sub_msg":"x","errmsg":"ding talk error[subcode=)" + sub_code + R"(]"})";
    };
    const std::vector<Case> cases = {
        {"user not found", 200, "", err(60121, "找不到该用户"), LookupStatus::not_found, false, 0},
        {"bad access_token", 200, "", err(40014, "不合法的access_token"), LookupStatus::refused,
         true, 0},
        {"expired access_token", 200, "", err(42001, "access_token超时"), LookupStatus::refused,
         true, 0},
        {"no permission", 200, "", err(60011, "没有调用该接口的权限"), LookupStatus::refused, false,
         0},
        {"user outside the range", 200, "", err(50002, "员工不在权限范围"), LookupStatus::refused,
         false, 0},
        {"88: no permission", 200, "", sub("60011"), LookupStatus::refused, false, 0},
        {"88: unknown sub_code", 200, "", sub("12345"), LookupStatus::refused, false, 0},
        {"88: QPS limit", 200, "", sub("90018"), LookupStatus::rate_limited, false, 0},
        {"88: bad token", 200, "", sub("40014"), LookupStatus::refused, true, 0},
        {"QPS limit", 200, "", err(90018, "QPS超出限制"), LookupStatus::rate_limited, false, 0},
        {"global limit", 200, "", err(90002, "QPS超出限制"), LookupStatus::rate_limited, false, 0},
        {"HTTP 429 with Retry-After", 429, "9", err(90018, "QPS超出限制"),
         LookupStatus::rate_limited, false, 9},
        {"HTTP 429 page", 429, "", "<html>slow down</html>", LookupStatus::rate_limited, false, 0},
        {"system busy", 200, "", err(-1, "系统繁忙"), LookupStatus::failed, false, 0},
        {"gateway page", 502, "", "<html>bad gateway</html>", LookupStatus::failed, false, 0},
        {"no response", 0, "", "", LookupStatus::failed, false, 0},
        {"malformed JSON", 200, "", R"({"errcode":0,"result":)", LookupStatus::failed, false, 0},
        {"too deep JSON", 200, "", testing_support::with_deep_field(k_found, 100),
         LookupStatus::failed, false, 0},
        {"errcode 0 without a result", 200, "", R"({"errcode":0,"errmsg":"ok"})",
         LookupStatus::failed, false, 0},
    };
    for (const Case& c : cases) {
        const LookupAnswer answer = parse_directory_response(c.status, c.retry_after, c.body);
        EXPECT_EQ(answer.status, c.expected) << c.name << ": " << answer.detail;
        EXPECT_EQ(answer.token_invalid, c.token_invalid) << c.name;
        EXPECT_EQ(answer.retry_after_seconds, c.retry_after_seconds) << c.name;
        EXPECT_FALSE(answer.detail.empty()) << c.name;
    }
}

}  // namespace
}  // namespace adapters::dingtalk
