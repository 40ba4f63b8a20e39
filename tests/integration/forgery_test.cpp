// The platforms' weakest callbacks, tried as an attacker holding one captured request would,
// against the real App on 127.0.0.1 (issue 19): DingTalk signs only a timestamp, so a captured
// (timestamp, sign) pair must carry its own message and no other, also after a restart; Feishu
// without an Encrypt Key signs nothing, so trackerd does not start that way unless told to; and
// a request old enough to have lost its de-duplication mark is refused by its timestamp.

#include <string>

#include "bot/pipeline/retention.h"
#include "tests/integration/three_platforms.h"

namespace {

using testing_support::ThreePlatforms;
using testing_support::three_platforms::k_now;
using testing_support::three_platforms::k_xiaoli;
using testing_support::three_platforms::k_xiaoming;
using Request = testing_support::three_platforms::Request;

class ForgeryTest : public ThreePlatforms {
protected:
    void send_ok(const Request& request) {
        auto response = send(request);
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, 200) << response->body;
    }

    void restart() {
        m_app->stop();
        m_app.reset();
        start();
    }
};

Request under_the_headers_of(Request genuine, std::string body) {
    genuine.body = std::move(body);
    return genuine;
}

TEST_F(ForgeryTest, ADingtalkSignatureReplayedWithAnotherMessageAfterARestartIsRefusedAndChangesNothing) {
    start();
    Request genuine = dingtalk_event("msgGenuine", k_xiaoming, "T003 进度 63%");
    send_ok(genuine);
    ASSERT_TRUE(wait_for_replies(1));
    EXPECT_EQ(task("P1", "T003").completion, 63);
    restart();  // the binding is in the database, not in memory
    drain_outbox();
    const auto before = snapshot();
    m_log.clear();

    // Another msgId, another sender, another text, under the genuine request's headers.
    auto response = send(under_the_headers_of(genuine, dingtalk_body("msgForged", k_xiaoli, "T003 进度 99%")));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    EXPECT_NE(response->body.find("replayed signature"), std::string::npos) << response->body;
    EXPECT_TRUE(m_log.has_line_with({"dingtalk", "msgForged", "replayed signature"})) << m_log.joined();
    drain_outbox();
    EXPECT_EQ(testing_support::changed_tables(before, snapshot()), "");
    EXPECT_EQ(task("P1", "T003").completion, 63);
    EXPECT_EQ(replies().size(), 1u);
}

TEST_F(ForgeryTest, ASignatureOfAMessageRefusedByTheCommandLimitCannotCarryAnotherMessage) {
    m_config.limits.commands_per_minute_per_person = 1;
    start();
    send_ok(dingtalk_event("msgFirst", k_xiaoming, "T003 进度 40%"));
    Request limited = dingtalk_event("msgLimited", k_xiaoming, "T003 进度 50%");
    send_ok(limited);  // over the limit: answered, not applied
    EXPECT_EQ(task("P1", "T003").completion, 40);
    ASSERT_TRUE(wait_for_replies(2));  // the answer to the first, the limit's notice
    drain_outbox();
    const auto before = snapshot();
    auto response = send(under_the_headers_of(limited, dingtalk_body("msgForged", k_xiaoli, "T003 进度 99%")));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    EXPECT_EQ(testing_support::changed_tables(before, snapshot()), "");
    EXPECT_EQ(task("P1", "T003").completion, 40);
}

TEST_F(ForgeryTest, TheSameDingtalkCallbackDeliveredAgainIsAppliedOnceAndAnsweredOnce) {
    start();
    Request genuine = dingtalk_event("msgTwice", k_xiaoming, "T003 进度 63%");
    send_ok(genuine);
    send_ok(genuine);  // the platform's redelivery: the same pair with the same message
    ASSERT_TRUE(wait_for_replies(1));
    drain_outbox();
    EXPECT_EQ(task("P1", "T003").completion, 63);
    EXPECT_EQ(progress_entries("T003"), 1u);
    EXPECT_EQ(replies().size(), 1u);
    EXPECT_TRUE(m_log.has_line_with({"dingtalk events: duplicate delivery msgTwice"})) << m_log.joined();
}

TEST_F(ForgeryTest, ADingtalkSignatureFirstSeenOnAMessageTrackerdIgnoresCannotCarryATextLater) {
    start();
    auto picture = nlohmann::json::parse(dingtalk_body("msgPicture", k_xiaoming, ""));
    picture["msgtype"] = "picture";
    picture.erase("text");
    Request genuine = dingtalk_signed(picture.dump());
    send_ok(genuine);
    const auto before = snapshot();

    auto response = send(under_the_headers_of(genuine, dingtalk_body("msgText", k_xiaoming, "T003 完成")));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    drain_outbox();
    EXPECT_EQ(testing_support::changed_tables(before, snapshot()), "");
    EXPECT_EQ(task("P1", "T003").completion, 0);
}

TEST_F(ForgeryTest, ARequestOlderThanTheDeduplicationHorizonIsRefusedByItsTimestampNotAppliedAgain) {
    start();
    Request genuine = dingtalk_event("msgOld", k_xiaoming, "T003 进度 63%");
    send_ok(genuine);
    ASSERT_TRUE(wait_for_replies(1));
    send_ok(dingtalk_event("msgLater", k_xiaoming, "T003 进度 70%"));
    ASSERT_TRUE(wait_for_replies(2));

    // Two days on, the marks are pruned; the captured request is replayed as it was.
    m_clock.set_unix(k_now + config::k_dedup_horizon_seconds + 1);
    bot::Retention retention(m_app->store(), m_clock);
    auto pruned = retention.prune_once();
    ASSERT_TRUE(pruned) << pruned.error().message;
    EXPECT_EQ(pruned->marks, 2);
    EXPECT_EQ(pruned->signatures, 2);
    EXPECT_FALSE(*m_app->store().seen_inbound("dingtalk", "msgOld"));
    drain_outbox();
    const auto before = snapshot();
    auto response = send(genuine);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    EXPECT_NE(response->body.find("outside"), std::string::npos) << response->body;
    EXPECT_EQ(testing_support::changed_tables(before, snapshot()), "");
    EXPECT_EQ(task("P1", "T003").completion, 70);
}

TEST_F(ForgeryTest, RecentDeduplicationMarksOutliveThePruning) {
    start();
    send_ok(dingtalk_event("msgRecent", k_xiaoming, "T003 进度 63%"));
    m_clock.set_unix(k_now + config::k_dedup_horizon_seconds - 60);
    bot::Retention retention(m_app->store(), m_clock);
    auto pruned = retention.prune_once();
    ASSERT_TRUE(pruned) << pruned.error().message;
    EXPECT_EQ(pruned->marks, 0);
    EXPECT_EQ(pruned->signatures, 1) << "the pair expired with DingTalk's hour";
    EXPECT_TRUE(*m_app->store().seen_inbound("dingtalk", "msgRecent"));
}

TEST_F(ForgeryTest, AFeishuWebhookWithoutAnEncryptKeyDoesNotStartAndSaysHowToSetOne) {
    m_config.feishu.encrypt_key = "";
    auto app = bot::App::create(m_config, m_clock);
    ASSERT_FALSE(app);
    EXPECT_NE(app.error().message.find("feishu.encrypt_key"), std::string::npos) << app.error().message;
    EXPECT_NE(app.error().message.find("加密策略"), std::string::npos) << app.error().message;
    EXPECT_NE(app.error().message.find("accept_unsigned_events"), std::string::npos) << app.error().message;
}

TEST_F(ForgeryTest, AFeishuWebhookThatAcceptsUnsignedEventsStartsWithAWarningAndRefusesStaleEvents) {
    m_config.feishu.encrypt_key = "";
    m_config.feishu.accept_unsigned_events = true;
    start();
    EXPECT_TRUE(m_log.has_line_with({"feishu: accepting events without an Encrypt Key", "forge"})) << m_log.joined();

    send_ok(Request{"/feishu/events", feishu_event_json("fresh1", "om_fresh1", k_xiaoming, "T003 进度 60%"), {}});
    EXPECT_EQ(task("P1", "T003").completion, 60);
    ASSERT_TRUE(wait_for_replies(1));
    drain_outbox();  // the reply's row settled before the snapshot

    // A body captured nine hours ago, sent again: its own create_time gives it away.
    std::string old_body = feishu_event_json("old1", "om_old1", k_xiaoming, "T003 进度 99%");
    const std::string created = std::to_string(k_now * 1000);
    for (size_t at = old_body.find(created); at != std::string::npos; at = old_body.find(created, at + 1))
        old_body.replace(at, created.size(), std::to_string((k_now - 9 * 3600) * 1000));
    const auto before = snapshot();
    auto response = send(Request{"/feishu/events", old_body, {}});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 401);
    EXPECT_NE(response->body.find("stale header.create_time"), std::string::npos) << response->body;
    EXPECT_EQ(testing_support::changed_tables(before, snapshot()), "");
}

TEST_F(ForgeryTest, ServiceGoesOnAfterDeeplyNestedBodiesOnEveryPlatform) {
    start();
    for (const Request& deep : {slack_signed("/slack/events", "{\"a\":" + std::string(500000, '[') + "}"),
                                feishu_signed(std::string(500000, '[')),
                                dingtalk_signed(std::string(500000, '{'))}) {
        auto response = send(deep);
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 400) << deep.path << ": " << response->body.substr(0, 200);
        EXPECT_NE(response->body.find("nests deeper than 64"), std::string::npos) << deep.path;
    }
    httplib::Client client("127.0.0.1", m_port);
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    send_ok(dingtalk_event("msgAfter", k_xiaoming, "T003 进度 43%"));
    EXPECT_EQ(task("P1", "T003").completion, 43);
}

}  // namespace
