// DirectoryLookup over real HTTP on 127.0.0.1 against the fake Slack, Feishu and DingTalk: what
// each directory answers, what is remembered and for how long, throttling, token refresh.

#include "bot/directory/directory_lookup.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "bot/platforms/dingtalk/dingtalk_sender.h"
#include "bot/platforms/feishu/feishu_sender.h"
#include "tests/support/deep_json.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/fake_slack.h"
#include "tests/support/log_capture.h"
#include "tests/support/test_secrets.h"

namespace {

using adapters::LookupAnswer;
using adapters::LookupStatus;
using testing_support::FakeClock;
using namespace testing_support::secrets;

constexpr const char* k_feishu_app_id = "cli_directory_test";
constexpr const char* k_dingtalk_app_key = "dingdirectorytest";
constexpr const char* k_dingtalk_robot = "dingrobotdirectory";

constexpr const char* k_slack_user = "U061F7AUR";
constexpr const char* k_feishu_user = "ou_7dab8a3d3cdcc9da365777c7ad535d62";
constexpr const char* k_dingtalk_user = "manager240";

class DirectoryLookupTest : public ::testing::Test {
protected:
    DirectoryLookupTest() {
        m_slack.add_directory_user(
            k_slack_user, {"Egon Spengler", "spengler", "egon@example.com", "+1 555 0100"});
        m_feishu.add_directory_user(
            k_feishu_user,
            {"张三", "zhangsan@gmail.com", "zhang@corp.example", "13011111111", "Alex Zhang"});
        m_dingtalk.add_directory_user(
            k_dingtalk_user, {"李四", "lisi@example.com", "lisi@corp.example", "18513027676"});
    }

    bot::DirectorySettings settings() {
        bot::DirectorySettings out;
        out.slack_api_base = m_slack.api_base();
        out.slack_bot_token = k_slack_bot_token;
        out.feishu_api_base = m_feishu.api_base() + "/";
        out.feishu_token = [this](const std::string& stale) {
            return m_feishu_sender.token(stale);
        };
        out.dingtalk_oapi_base = m_dingtalk.base_url();
        out.dingtalk_token = [this](const std::string& stale) {
            return m_dingtalk_sender.access_token(stale);
        };
        return out;
    }

    FakeClock m_clock;
    testing_support::FakeSlack m_slack{k_slack_bot_token, &m_clock};
    testing_support::FakeFeishu m_feishu{k_feishu_app_id, k_feishu_app_secret, &m_clock};
    testing_support::FakeDingtalk m_dingtalk{k_dingtalk_app_key, k_dingtalk_app_secret,
                                             k_dingtalk_robot, &m_clock};
    bot::HttpClient m_http;
    bot::FeishuSender m_feishu_sender{m_http, m_clock, k_feishu_app_id, k_feishu_app_secret,
                                      m_feishu.api_base()};
    bot::DingtalkSender m_dingtalk_sender{m_http,
                                          m_clock,
                                          k_dingtalk_app_key,
                                          k_dingtalk_app_secret,
                                          m_dingtalk.base_url()};
};

TEST_F(DirectoryLookupTest, FoundAccountGivesNameEmailAndMobileOnEachPlatform) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());

    const LookupAnswer slack = directory.lookup("slack", k_slack_user);
    ASSERT_EQ(slack.status, LookupStatus::found) << slack.detail;
    EXPECT_EQ(slack.profile.name, "Egon Spengler");
    EXPECT_EQ(slack.profile.display_name, "spengler");
    EXPECT_EQ(slack.profile.email, "egon@example.com");
    EXPECT_EQ(slack.profile.mobile, "+1 555 0100");

    const LookupAnswer feishu = directory.lookup("feishu", k_feishu_user);
    ASSERT_EQ(feishu.status, LookupStatus::found) << feishu.detail;
    EXPECT_EQ(feishu.profile.name, "张三");
    EXPECT_EQ(feishu.profile.email, "zhangsan@gmail.com");
    EXPECT_EQ(feishu.profile.enterprise_email, "zhang@corp.example");
    EXPECT_EQ(feishu.profile.mobile, "13011111111");

    const LookupAnswer dingtalk = directory.lookup("dingtalk", k_dingtalk_user);
    ASSERT_EQ(dingtalk.status, LookupStatus::found) << dingtalk.detail;
    EXPECT_EQ(dingtalk.profile.name, "李四");
    EXPECT_EQ(dingtalk.profile.email, "lisi@example.com");
    EXPECT_EQ(dingtalk.profile.enterprise_email, "lisi@corp.example");
    EXPECT_EQ(dingtalk.profile.mobile, "18513027676");

    EXPECT_EQ(directory.requests_made(), 3);
}

TEST_F(DirectoryLookupTest, UnknownAccountIsNotFoundOnEachPlatform) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    EXPECT_EQ(directory.lookup("slack", "U0NOBODY").status, LookupStatus::not_found);
    EXPECT_EQ(directory.lookup("feishu", "ou_nobody").status, LookupStatus::not_found);
    EXPECT_EQ(directory.lookup("dingtalk", "nobody").status, LookupStatus::not_found);
}

TEST_F(DirectoryLookupTest, SecondLookupOfTheSameAccountMakesNoRequestUntilTheCacheExpires) {
    bot::DirectorySettings configured = settings();
    configured.cache_seconds = 3600;
    bot::DirectoryLookup directory(m_http, m_clock, configured);
    const std::vector<std::pair<std::string, std::string>> accounts = {
        {"slack", k_slack_user}, {"feishu", k_feishu_user}, {"dingtalk", k_dingtalk_user},
        {"slack", "U0NOBODY"},   {"feishu", "ou_nobody"},   {"dingtalk", "nobody"}};
    for (const auto& [platform, account] : accounts) (void)directory.lookup(platform, account);
    ASSERT_EQ(directory.requests_made(), 6);

    m_clock.advance_seconds(3599);
    for (const auto& [platform, account] : accounts) {
        const LookupAnswer again = directory.lookup(platform, account);
        EXPECT_TRUE(again.status == LookupStatus::found || again.status == LookupStatus::not_found)
            << again.detail;
    }
    EXPECT_EQ(directory.lookup("feishu", k_feishu_user).profile.name, "张三");
    EXPECT_EQ(directory.requests_made(), 6);
    EXPECT_EQ(m_slack.directory_requests() + m_feishu.directory_requests() +
                  m_dingtalk.directory_requests(),
              6);

    m_clock.advance_seconds(1);
    EXPECT_EQ(directory.lookup("slack", k_slack_user).status, LookupStatus::found);
    EXPECT_EQ(directory.requests_made(), 7);
}

TEST_F(DirectoryLookupTest, ThrottledPlatformGetsNoRequestUntilRetryAfterHasPassed) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    m_slack.fail_next(1, testing_support::SlackFailure::rate_limited(30));

    const LookupAnswer throttled = directory.lookup("slack", k_slack_user);
    EXPECT_EQ(throttled.status, LookupStatus::rate_limited) << throttled.detail;
    EXPECT_EQ(throttled.retry_after_seconds, 30);

    m_clock.advance_seconds(29);
    const LookupAnswer waiting =
        directory.lookup("slack", "U0OTHER");  // any account of the platform
    EXPECT_EQ(waiting.status, LookupStatus::rate_limited);
    EXPECT_EQ(waiting.retry_after_seconds, 1);
    EXPECT_EQ(directory.lookup("feishu", k_feishu_user).status,
              LookupStatus::found);  // others unaffected
    EXPECT_EQ(m_slack.directory_requests(), 1);

    m_clock.advance_seconds(1);
    EXPECT_EQ(directory.lookup("slack", k_slack_user).status, LookupStatus::found);
    EXPECT_EQ(m_slack.directory_requests(), 2);
}

TEST_F(DirectoryLookupTest, FeishuThrottleWaitsForTheGatewaysReset) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    m_feishu.throttle_directory(1, 12);
    const LookupAnswer throttled = directory.lookup("feishu", k_feishu_user);
    EXPECT_EQ(throttled.status, LookupStatus::rate_limited) << throttled.detail;
    EXPECT_EQ(throttled.retry_after_seconds, 12);
    m_clock.advance_seconds(11);
    EXPECT_EQ(directory.lookup("feishu", k_feishu_user).status, LookupStatus::rate_limited);
    EXPECT_EQ(m_feishu.directory_requests(), 1);
    m_clock.advance_seconds(1);
    EXPECT_EQ(directory.lookup("feishu", k_feishu_user).status, LookupStatus::found);
    EXPECT_EQ(m_feishu.directory_requests(), 2);
}

TEST_F(DirectoryLookupTest, ThrottleWithoutAWaitKeepsThePlatformQuietForSixtySeconds) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    m_dingtalk.throttle_directory(1, 0);
    const LookupAnswer throttled = directory.lookup("dingtalk", k_dingtalk_user);
    EXPECT_EQ(throttled.status, LookupStatus::rate_limited) << throttled.detail;
    EXPECT_EQ(throttled.retry_after_seconds, 60);
    m_clock.advance_seconds(59);
    EXPECT_EQ(directory.lookup("dingtalk", k_dingtalk_user).status, LookupStatus::rate_limited);
    EXPECT_EQ(m_dingtalk.directory_requests(), 1);
    m_clock.advance_seconds(1);
    EXPECT_EQ(directory.lookup("dingtalk", k_dingtalk_user).status, LookupStatus::found);
    EXPECT_EQ(m_dingtalk.directory_requests(), 2);
}

TEST_F(DirectoryLookupTest, RefusedTokenIsFetchedAgainAndTheLookupRetriedOnce) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    ASSERT_EQ(directory.lookup("feishu", "ou_nobody").status, LookupStatus::not_found);
    ASSERT_EQ(directory.lookup("dingtalk", "nobody").status, LookupStatus::not_found);
    m_feishu.revoke_tokens();
    m_dingtalk.revoke_tokens();

    const LookupAnswer feishu = directory.lookup("feishu", k_feishu_user);
    EXPECT_EQ(feishu.status, LookupStatus::found) << feishu.detail;
    EXPECT_EQ(m_feishu.token_requests(), 2);
    EXPECT_EQ(m_feishu.directory_requests(), 3);

    const LookupAnswer dingtalk = directory.lookup("dingtalk", k_dingtalk_user);
    EXPECT_EQ(dingtalk.status, LookupStatus::found) << dingtalk.detail;
    EXPECT_EQ(m_dingtalk.token_requests(), 2);
    EXPECT_EQ(m_dingtalk.directory_requests(), 3);
}

TEST_F(DirectoryLookupTest, TokenRefusedAgainAfterTheRefetchIsRefusedWithoutAThirdTry) {
    bot::DirectorySettings configured = settings();
    std::vector<std::string> asked;
    configured.feishu_token = [&](const std::string& stale) -> core::Result<std::string> {
        asked.push_back(stale);
        return std::string("t-never-issued");
    };
    bot::DirectoryLookup directory(m_http, m_clock, configured);
    const LookupAnswer answer = directory.lookup("feishu", k_feishu_user);
    EXPECT_EQ(answer.status, LookupStatus::refused) << answer.detail;
    EXPECT_TRUE(answer.token_invalid);
    EXPECT_EQ(asked, (std::vector<std::string>{"", "t-never-issued"}));
    EXPECT_EQ(m_feishu.directory_requests(), 2);
}

TEST_F(DirectoryLookupTest, RefusedScopeIsRememberedForAMinuteOnly) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    m_slack.fail_next(1, testing_support::SlackFailure::slack_error("missing_scope"));
    m_feishu.fail_directory(
        1, 400,
        R"({"code":99991672,"msg":"Access denied. One of the following scopes is required: [contact:contact.base:readonly]"})");
    m_dingtalk.fail_directory(
        1,
        R"({"errcode":88,"sub_code":"60011","sub_msg":"没有调用该接口的权限","errmsg":"ding talk error[subcode=60011]"})");
    const std::vector<std::pair<std::string, std::string>> accounts = {
        {"slack", k_slack_user}, {"feishu", k_feishu_user}, {"dingtalk", k_dingtalk_user}};
    for (const auto& [platform, account] : accounts) {
        const LookupAnswer refused = directory.lookup(platform, account);
        EXPECT_EQ(refused.status, LookupStatus::refused) << platform << ": " << refused.detail;
        EXPECT_FALSE(refused.token_invalid) << platform;
    }
    m_clock.advance_seconds(59);
    for (const auto& [platform, account] : accounts)
        EXPECT_EQ(directory.lookup(platform, account).status, LookupStatus::refused) << platform;
    EXPECT_EQ(directory.requests_made(), 3);

    m_clock.advance_seconds(1);  // the scope has been granted meanwhile
    for (const auto& [platform, account] : accounts)
        EXPECT_EQ(directory.lookup(platform, account).status, LookupStatus::found) << platform;
    EXPECT_EQ(directory.requests_made(), 6);
}

TEST_F(DirectoryLookupTest, MalformedOrTooDeepAnswerIsFailed) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    const std::string deep =
        testing_support::with_deep_field(R"({"code":0,"data":{"user":{"name":"x"}}})");
    m_slack.fail_next(1, testing_support::SlackFailure::raw_body(R"({"ok":true,"user":)"));
    m_feishu.fail_directory(1, 200, deep);
    m_dingtalk.fail_directory(1, testing_support::nested_array(100000));
    EXPECT_EQ(directory.lookup("slack", k_slack_user).status, LookupStatus::failed);
    const LookupAnswer feishu = directory.lookup("feishu", k_feishu_user);
    EXPECT_EQ(feishu.status, LookupStatus::failed);
    EXPECT_NE(feishu.detail.find("deeper than 64"), std::string::npos) << feishu.detail;
    EXPECT_EQ(directory.lookup("dingtalk", k_dingtalk_user).status, LookupStatus::failed);

    m_clock.advance_seconds(60);  // failed is remembered for a minute, then asked again
    EXPECT_EQ(directory.lookup("feishu", k_feishu_user).status, LookupStatus::found);
    EXPECT_EQ(directory.requests_made(), 4);
}

TEST_F(DirectoryLookupTest, PlatformNotEnabledOrUnknownFailsWithoutARequest) {
    bot::DirectorySettings configured = settings();
    configured.dingtalk_oapi_base.clear();
    bot::DirectoryLookup directory(m_http, m_clock, configured);
    EXPECT_EQ(directory.lookup("dingtalk", k_dingtalk_user).status, LookupStatus::failed);
    EXPECT_EQ(directory.lookup("teams", "someone").status, LookupStatus::failed);
    EXPECT_EQ(directory.lookup("slack", "").status, LookupStatus::failed);
    EXPECT_EQ(directory.requests_made(), 0);
    EXPECT_EQ(m_dingtalk.directory_requests(), 0);
}

TEST_F(DirectoryLookupTest, UnreachableDirectoryIsFailedAndNamesNoToken) {
    testing_support::LogCapture log;
    bot::DirectorySettings configured = settings();
    configured.dingtalk_oapi_base = "http://127.0.0.1:1";  // nothing listens there
    configured.dingtalk_token = [](const std::string&) -> core::Result<std::string> {
        return std::string("dt-token-never-logged");
    };
    configured.timeout_ms = 500;
    bot::DirectoryLookup directory(m_http, m_clock, configured);
    const LookupAnswer answer = directory.lookup("dingtalk", k_dingtalk_user);
    EXPECT_EQ(answer.status, LookupStatus::failed);
    EXPECT_EQ(answer.detail.find("dt-token-never-logged"), std::string::npos) << answer.detail;
    EXPECT_TRUE(log.has_line_with({"directory", "dingtalk", "failed"}));
    for (const auto& line : log.lines())
        EXPECT_EQ(line.find("dt-token-never-logged"), std::string::npos) << line;
}

TEST_F(DirectoryLookupTest, ConcurrentLookupsAllGetTheAnswer) {
    bot::DirectoryLookup directory(m_http, m_clock, settings());
    std::vector<LookupAnswer> answers(8);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < answers.size(); ++i)
            threads.emplace_back([&, i] {
                answers[i] = directory.lookup(i % 2 ? "slack" : "feishu",
                                              i % 2 ? k_slack_user : k_feishu_user);
            });
    }
    for (const LookupAnswer& answer : answers)
        EXPECT_EQ(answer.status, LookupStatus::found) << answer.detail;
    EXPECT_LE(directory.requests_made(), 8);
    EXPECT_EQ(directory.lookup("slack", k_slack_user).status, LookupStatus::found);
    EXPECT_EQ(directory.requests_made(),
              m_slack.directory_requests() + m_feishu.directory_requests());
}

}  // namespace
