// DingTalk custom group robots (protocols.md §3.5, §3.7) end to end below the App: rows written
// by DingtalkOut::push into the real Store on a temporary file, the real OutboxWorker driven by
// run_once() on a FakeClock, the real DingtalkSender and HttpClient, and the fake DingTalk on
// 127.0.0.1 checking the sign, the timestamp and 20 messages a minute as DingTalk does.

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include "bot/platforms/dingtalk/dingtalk_routes.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"
#include "bot/pipeline/outbox_worker.h"
#include "tests/support/backends.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/temp_dir.h"

namespace bot {
namespace {

using testing_support::DingtalkPost;
using testing_support::FakeClock;
using testing_support::FakeDingtalk;
using testing_support::RobotRequest;
using testing_support::TempDir;

// §3.7's custom robot vector: this secret at this time signs to k_vector_sign.
constexpr const char* k_secret = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd";
constexpr long long k_vector_ms = 1700000000015;
constexpr const char* k_vector_sign = "WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D";
constexpr const char* k_token = "ACCESS_TOKEN";
constexpr const char* k_other_token = "OTHER_ROBOT";
constexpr const char* k_other_secret = "SECfedcba9876543210fedcba9876543210fedcba9876543210fedcba98765432";
constexpr const char* k_staff_id = "16650246698";

class DingtalkRobotTest : public ::testing::Test {
protected:
    void SetUp() override {
        // A file, or a PostgreSQL database under TRACKERD_TEST_BACKEND=postgresql.
        TRACKERD_BACKEND_OR_SKIP(testing_support::test_backend());
        m_db = testing_support::fresh_database(testing_support::test_backend(), m_dir, "trackerd.db");
        auto opened = store::Store::open(m_db);
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
    }

    std::unique_ptr<DingtalkSender> make_sender(std::map<std::string, std::string> secrets) {
        return std::make_unique<DingtalkSender>(m_http, m_clock, "dingappkey", "appsecret",
                                                m_dingtalk.base_url(), std::move(secrets));
    }

    std::unique_ptr<OutboxWorker> make_worker(OutboxWorkerOptions options = quiet()) {
        if (!m_sender) m_sender = make_sender({{m_robot, k_secret}, {m_other_robot, k_other_secret}});
        return std::make_unique<OutboxWorker>(*m_store, m_clock,
                                              std::map<std::string, Sender*>{{"dingtalk", m_sender.get()}},
                                              std::move(options));
    }

    static OutboxWorkerOptions quiet() {
        OutboxWorkerOptions options;
        options.jitter = 0;
        return options;
    }

    // A delay warning for task `task`, pushed to `robot` through DingtalkOut as the scheduler
    // does; `padding` lengthens it.
    std::vector<long long> push_warning(const std::string& robot, const std::string& task,
                                        size_t padding = 0) {
        core::ChatMessage warning;
        warning.title = "延期预警 " + task;
        warning.sections = {task + " 已延期 2 天 @" + k_staff_id};
        if (padding > 0) warning.sections.push_back(std::string(padding, 'x'));
        warning.mention_user_ids = {k_staff_id};
        DingtalkOut out(m_clock, "dingxxxx");
        std::vector<long long> ids;
        for (const auto& row : out.push(warning, PushTarget{"cid-group", robot}, "warning",
                                        "warning:" + task, m_clock.now_unix())) {
            auto enqueued = m_store->enqueue(row);
            EXPECT_TRUE(enqueued) << enqueued.error().message;
            if (enqueued) ids.push_back(enqueued->id);
        }
        return ids;
    }

    store::OutboxMessage row(long long id) {
        auto rows = m_store->outbox(std::nullopt, 1000);
        EXPECT_TRUE(rows) << rows.error().message;
        if (rows) {
            for (const auto& message : *rows)
                if (message.id == id) return message;
        }
        ADD_FAILURE() << "no outbox row " << id;
        return {};
    }

    size_t pending() {
        auto rows = m_store->outbox(store::OutboxState::pending, 1000);
        EXPECT_TRUE(rows) << rows.error().message;
        return rows ? rows->size() : 0;
    }

    // Passes until nothing is pending (or an hour of fake time went by): the clock jumps to
    // when the worker says a held destination frees up, else one second on.
    void drain(OutboxWorker& worker) {
        const long long give_up_ms = m_clock.now_unix_ms() + 3600000;
        while (pending() > 0 && m_clock.now_unix_ms() < give_up_ms) {
            const OutboxPass pass = worker.run_once();
            ASSERT_FALSE(pass.failed);
            if (pass.next_ready_ms > m_clock.now_unix_ms())
                m_clock.set_unix_ms(pass.next_ready_ms);
            else
                m_clock.advance_seconds(1);
        }
    }

    // The most requests one robot received within any 60 s, both ends included.
    int busiest_minute(const std::string& token) const {
        std::vector<long long> times;
        for (const RobotRequest& request : m_dingtalk.robot_requests())
            if (request.access_token == token) times.push_back(request.received_ms);
        std::sort(times.begin(), times.end());
        int most = 0;
        for (size_t first = 0; first < times.size(); ++first) {
            const auto last = std::upper_bound(times.begin(), times.end(), times[first] + 60000);
            most = std::max(most, static_cast<int>(last - (times.begin() + first)));
        }
        return most;
    }

    // Whether some accepted message shows the warning for `task`.
    bool arrived(const std::string& task) const {
        for (const DingtalkPost& post : m_dingtalk.messages())
            if (post.text.find(task + " 已延期") != std::string::npos) return true;
        return false;
    }

    TempDir m_dir;
    std::string m_db;
    FakeClock m_clock{k_vector_ms};
    FakeDingtalk m_dingtalk{"dingappkey", "appsecret", "dingxxxx", &m_clock};
    std::string m_robot = m_dingtalk.custom_robot(k_token, k_secret);
    std::string m_other_robot = m_dingtalk.custom_robot(k_other_token, k_other_secret);
    HttpClient m_http;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<DingtalkSender> m_sender;
};

TEST_F(DingtalkRobotTest, PushedWarningArrivesSignedAsTheProtocolVectorSays) {
    const auto ids = push_warning(m_robot, "T003");
    ASSERT_EQ(ids.size(), 1u);
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().sent, 1);

    const auto requests = m_dingtalk.robot_requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].timestamp, "1700000000015");
    EXPECT_EQ(requests[0].sign, k_vector_sign);
    EXPECT_EQ(requests[0].errcode, 0);
    const auto posts = m_dingtalk.messages();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].via, DingtalkPost::Via::custom_robot);
    EXPECT_EQ(posts[0].msgtype, "markdown");
    EXPECT_NE(posts[0].text.find("T003 已延期 2 天 @16650246698"), std::string::npos) << posts[0].text;
    EXPECT_EQ(posts[0].at_user_ids, std::vector<std::string>{k_staff_id});
    EXPECT_EQ(posts[0].msg_uuid, dingtalk_msg_uuid("warning:T003"));
    const auto sent = row(ids[0]);
    EXPECT_EQ(sent.state, store::OutboxState::sent);
    EXPECT_EQ(sent.remote_id, posts[0].msg_uuid);
    EXPECT_EQ(sent.destination, m_robot) << "the stored URL stays unsigned";
}

TEST_F(DingtalkRobotTest, RowIsSignedWhenSentNotWhenQueued) {
    push_warning(m_robot, "T003");
    m_clock.advance_seconds(7200);  // a sign made when queued would be two hours old by now
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().sent, 1);
    const auto requests = m_dingtalk.robot_requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].timestamp, std::to_string(m_clock.now_unix_ms()));
    EXPECT_EQ(requests[0].errcode, 0);
    EXPECT_TRUE(arrived("T003"));
}

TEST_F(DingtalkRobotTest, WrongSecretIsDeadWithAClearErrorThatHoldsNoSecret) {
    const std::string wrong = "SECwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrongwrong00";
    m_sender = make_sender({{m_robot, wrong}});
    const auto ids = push_warning(m_robot, "T003");
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().dead, 1);

    ASSERT_EQ(m_dingtalk.robot_requests().size(), 1u);
    EXPECT_EQ(m_dingtalk.robot_requests()[0].errcode, 310000);
    EXPECT_TRUE(m_dingtalk.messages().empty());
    const auto dead = row(ids[0]);
    EXPECT_EQ(dead.state, store::OutboxState::dead);
    EXPECT_EQ(dead.attempts, 1);
    for (const char* named : {"310000", "sign", "keyword", "IP", "sign not match"})
        EXPECT_NE(dead.last_error.find(named), std::string::npos) << named << " in: " << dead.last_error;
    for (const std::string& secret :
         {wrong, std::string(k_secret), std::string(k_token), std::string("sign="), std::string("timestamp=")})
        EXPECT_EQ(dead.last_error.find(secret), std::string::npos) << secret << " in: " << dead.last_error;

    m_clock.advance_seconds(3600);
    worker->run_once();
    EXPECT_EQ(m_dingtalk.robot_requests().size(), 1u) << "a dead row is not tried again";
}

TEST_F(DingtalkRobotTest, RobotWithoutAConfiguredSecretIsRefusedAndTheErrorSaysItWasNotSigned) {
    m_sender = make_sender({});
    const auto ids = push_warning(m_robot, "T003");
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().dead, 1);
    EXPECT_EQ(m_dingtalk.robot_requests()[0].sign, "");
    EXPECT_NE(row(ids[0]).last_error.find("no secret is configured"), std::string::npos) << row(ids[0]).last_error;
}

TEST_F(DingtalkRobotTest, ThirtyWarningsAtOnceAllArriveInFewerRequestsThanTheLimit) {
    for (int i = 0; i < 30; ++i) push_warning(m_robot, "T" + std::to_string(100 + i));
    auto worker = make_worker();
    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 30);
    EXPECT_EQ(pass.merged, 30);
    drain(*worker);

    EXPECT_EQ(pending(), 0u);
    for (int i = 0; i < 30; ++i) EXPECT_TRUE(arrived("T" + std::to_string(100 + i))) << i;
    EXPECT_LE(busiest_minute(k_token), 20);
    EXPECT_EQ(m_dingtalk.robot_throttled(), 0);
    EXPECT_EQ(m_dingtalk.robot_requests().size(), 1u);
    const auto posts = m_dingtalk.messages();
    ASSERT_EQ(posts.size(), 1u);
    EXPECT_EQ(posts[0].at_user_ids, std::vector<std::string>{k_staff_id});
    EXPECT_LT(posts[0].text.find("T100 已延期"), posts[0].text.find("T129 已延期")) << "in order";
}

TEST_F(DingtalkRobotTest, ThirtyLongWarningsMergeOnlyAsManyAsFitAndAllArrive) {
    // ~6 KB each: two fit in one request (15,000 bytes), three do not.
    std::vector<long long> ids;
    for (int i = 0; i < 30; ++i) {
        auto pushed = push_warning(m_robot, "T" + std::to_string(100 + i), 6000);
        ids.insert(ids.end(), pushed.begin(), pushed.end());
    }
    auto worker = make_worker();
    drain(*worker);

    EXPECT_EQ(pending(), 0u);
    for (int i = 0; i < 30; ++i) EXPECT_TRUE(arrived("T" + std::to_string(100 + i))) << i;
    EXPECT_EQ(m_dingtalk.robot_requests().size(), 15u);
    EXPECT_LE(busiest_minute(k_token), 20);
    EXPECT_EQ(m_dingtalk.robot_throttled(), 0);
    EXPECT_EQ(row(ids[0]).remote_id, row(ids[1]).remote_id) << "one request, one id";
    EXPECT_NE(row(ids[0]).remote_id, row(ids[2]).remote_id);
}

TEST_F(DingtalkRobotTest, ThirtyWarningsUnmergedArePacedToTwentyInAnySixtySeconds) {
    for (int i = 0; i < 30; ++i) push_warning(m_robot, "T" + std::to_string(100 + i));
    OutboxWorkerOptions options = quiet();
    options.merge = false;
    auto worker = make_worker(options);
    drain(*worker);

    EXPECT_EQ(pending(), 0u);
    for (int i = 0; i < 30; ++i) EXPECT_TRUE(arrived("T" + std::to_string(100 + i))) << i;
    EXPECT_EQ(m_dingtalk.robot_requests().size(), 30u);
    EXPECT_EQ(busiest_minute(k_token), 20);
    EXPECT_EQ(m_dingtalk.robot_throttled(), 0);
    // Paced every 3 s, the 21st would come exactly 60 s after the 1st: the window holds it 1 ms.
    const auto requests = m_dingtalk.robot_requests();
    EXPECT_EQ(requests[19].received_ms - requests[0].received_ms, 57000);
    EXPECT_EQ(requests[20].received_ms - requests[0].received_ms, 60001);
}

TEST_F(DingtalkRobotTest, TooFastAnswerMakesTheRowWaitTenMinutesThenArrive) {
    // Without pacing or window the worker runs into the robot's limit, as a second sender
    // sharing the robot would make it do.
    OutboxWorkerOptions options = quiet();
    options.merge = false;
    options.pacing.clear();
    options.windows.clear();
    std::vector<long long> ids;
    for (int i = 0; i < 21; ++i) {
        auto pushed = push_warning(m_robot, "T" + std::to_string(100 + i));
        ids.insert(ids.end(), pushed.begin(), pushed.end());
    }
    auto worker = make_worker(options);
    const OutboxPass first = worker->run_once();
    EXPECT_EQ(first.sent, 20);
    EXPECT_EQ(first.retried, 1);
    EXPECT_EQ(m_dingtalk.robot_throttled(), 1);
    const auto waiting = row(ids.back());
    EXPECT_EQ(waiting.state, store::OutboxState::pending);
    EXPECT_GE(waiting.next_attempt_at * 1000, m_clock.now_unix_ms() + 600000);
    EXPECT_NE(waiting.last_error.find("130101"), std::string::npos) << waiting.last_error;

    m_clock.set_unix(waiting.next_attempt_at - 1);
    EXPECT_EQ(worker->run_once().sent, 0);
    EXPECT_EQ(m_dingtalk.robot_requests().size(), 21u) << "nothing asked of a blocked robot";
    m_clock.set_unix(waiting.next_attempt_at);
    EXPECT_EQ(worker->run_once().sent, 1);
    EXPECT_EQ(row(ids.back()).state, store::OutboxState::sent);
    EXPECT_TRUE(arrived("T120"));
    EXPECT_EQ(m_dingtalk.robot_throttled(), 1);
}

TEST_F(DingtalkRobotTest, AnotherRobotKeepsFlowingWhileOneIsAtItsLimit) {
    OutboxWorkerOptions options = quiet();
    options.merge = false;
    for (int i = 0; i < 25; ++i) push_warning(m_robot, "T" + std::to_string(100 + i));
    auto worker = make_worker(options);
    const long long start_ms = m_clock.now_unix_ms();
    while (m_clock.now_unix_ms() < start_ms + 60000) {  // 20 sends, 3 s apart
        worker->run_once();
        m_clock.advance_seconds(1);
    }
    ASSERT_EQ(m_dingtalk.robot_requests().size(), 20u);

    // 60 s after the first send: paced no longer, but the 20/min window is full until 60.001 s.
    push_warning(m_other_robot, "T900");
    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 1);
    EXPECT_EQ(pass.held, 1);  // the robot at its limit, its five rows left unread
    EXPECT_EQ(pass.next_ready_ms, start_ms + 60001);
    EXPECT_TRUE(arrived("T900"));
    EXPECT_EQ(m_dingtalk.robot_requests().back().access_token, k_other_token);

    m_clock.set_unix_ms(pass.next_ready_ms);
    EXPECT_EQ(worker->run_once().sent, 1);
    drain(*worker);
    EXPECT_EQ(pending(), 0u);
    EXPECT_LE(busiest_minute(k_token), 20);
    EXPECT_EQ(m_dingtalk.robot_throttled(), 0);
}

TEST_F(DingtalkRobotTest, FakeRefusesATimestampMoreThanAnHourOff) {
    FakeClock behind{k_vector_ms - 3600001};
    DingtalkSender sender(m_http, behind, "dingappkey", "appsecret", m_dingtalk.base_url(),
                          {{m_robot, k_secret}});
    store::OutboxMessage message;
    message.platform = "dingtalk";
    message.channel = "webhook";
    message.destination = m_robot;
    message.body = R"({"msgtype":"text","text":{"content":"hi"}})";
    const SendOutcome outcome = sender.send(message);
    EXPECT_EQ(outcome.kind, SendOutcome::Kind::dead);
    EXPECT_NE(outcome.error.find("invalid timestamp"), std::string::npos) << outcome.error;
    behind.set_unix_ms(k_vector_ms - 3600000);
    EXPECT_EQ(sender.send(message).kind, SendOutcome::Kind::sent) << "an hour exactly is within";
}

}  // namespace
}  // namespace bot
