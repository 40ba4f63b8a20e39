// Slack users.info (adapters/slack/directory.h): the request for one user id, and every kind
// of answer judged.
#include "adapters/slack/directory.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/deep_json.h"

namespace adapters::slack {
namespace {

constexpr const char* k_found =
    R"json({"ok":true,"user":{"id":"U061F7AUR","name":"spengler","deleted":false,
  "real_name":"Egon Spengler","profile":{"real_name":"Egon Spengler (profile)","display_name":"spengler",
  "email":"spengler@ghostbusters.example.com","phone":"+1 555 0100"}}})json";

TEST(SlackDirectoryTest, RequestIsUsersInfoWithTheBotTokenAndTheUserIdEncoded) {
    const DirectoryRequest request = render_directory_request("xoxb-1", "U0 1&x");
    EXPECT_EQ(request.method, "GET");
    EXPECT_EQ(request.target, "/users.info?user=U0%201%26x");
    ASSERT_EQ(request.headers.size(), 1u);
    EXPECT_EQ(request.headers[0].first, "Authorization");
    EXPECT_EQ(request.headers[0].second, "Bearer xoxb-1");
    EXPECT_TRUE(request.body.empty());
    EXPECT_EQ(request.wait_header, "retry-after");
}

TEST(SlackDirectoryTest, FoundUserGivesNameEmailPhoneAndDisplayName) {
    const LookupAnswer answer = parse_directory_response(200, "", k_found);
    ASSERT_EQ(answer.status, LookupStatus::found) << answer.detail;
    EXPECT_EQ(answer.profile.name, "Egon Spengler");
    EXPECT_EQ(answer.profile.email, "spengler@ghostbusters.example.com");
    EXPECT_EQ(answer.profile.mobile, "+1 555 0100");
    EXPECT_EQ(answer.profile.display_name, "spengler");
    EXPECT_EQ(answer.profile.enterprise_email, "");
}

TEST(SlackDirectoryTest, NameFallsBackToTheProfileAndWithheldEmailIsEmpty) {
    const LookupAnswer answer = parse_directory_response(
        200, "", R"({"ok":true,"user":{"id":"U1","profile":{"real_name":"Ray Stantz"}}})");
    ASSERT_EQ(answer.status, LookupStatus::found);
    EXPECT_EQ(answer.profile.name, "Ray Stantz");
    EXPECT_EQ(answer.profile.email, "");  // no users:read.email
}

TEST(SlackDirectoryTest, AnswersAreJudgedByStatusAndErrorCode) {
    struct Case {
        const char* name;
        int status;
        const char* retry_after;
        std::string body;
        LookupStatus expected;
        bool token_invalid;
        int retry_after_seconds;
    };
    const std::vector<Case> cases = {
        {"user_not_found", 200, "", R"({"ok":false,"error":"user_not_found"})",
         LookupStatus::not_found, false, 0},
        {"user_not_visible", 200, "", R"({"ok":false,"error":"user_not_visible"})",
         LookupStatus::not_found, false, 0},
        {"missing_scope", 200, "", R"({"ok":false,"error":"missing_scope","needed":"users:read"})",
         LookupStatus::refused, false, 0},
        {"invalid_auth", 200, "", R"({"ok":false,"error":"invalid_auth"})", LookupStatus::refused,
         true, 0},
        {"not_authed", 200, "", R"({"ok":false,"error":"not_authed"})", LookupStatus::refused, true,
         0},
        {"token_revoked", 200, "", R"({"ok":false,"error":"token_revoked"})", LookupStatus::refused,
         true, 0},
        {"HTTP 429 with Retry-After", 429, "30", R"({"ok":false,"error":"ratelimited"})",
         LookupStatus::rate_limited, false, 30},
        {"HTTP 429 without Retry-After", 429, "", "", LookupStatus::rate_limited, false, 0},
        {"ratelimited in a 200", 200, "7", R"({"ok":false,"error":"ratelimited"})",
         LookupStatus::rate_limited, false, 7},
        {"internal_error", 200, "", R"({"ok":false,"error":"internal_error"})",
         LookupStatus::failed, false, 0},
        {"HTTP 503 page", 503, "", "<html>down</html>", LookupStatus::failed, false, 0},
        {"no response", 0, "", "", LookupStatus::failed, false, 0},
        {"malformed JSON", 200, "", R"({"ok":true,"user":)", LookupStatus::failed, false, 0},
        {"too deep JSON", 200, "", testing_support::with_deep_field(k_found, 100),
         LookupStatus::failed, false, 0},
        {"no ok field", 200, "", R"({"user":{}})", LookupStatus::failed, false, 0},
        {"ok without user", 200, "", R"({"ok":true})", LookupStatus::failed, false, 0},
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
}  // namespace adapters::slack
