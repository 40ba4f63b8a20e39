// OutboxWorker with the real Store on a temporary file, the real SlackSender and HttpClient,
// and the fake Slack on 127.0.0.1. Passes are driven by hand with run_once() and a FakeClock.

#include "bot/pipeline/outbox_worker.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "bot/platforms/slack/slack_sender.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"

namespace bot {
namespace {

using testing_support::FakeClock;
using testing_support::FakeSlack;
using testing_support::SlackFailure;
using testing_support::TempDir;

constexpr const char* k_token = "xoxb-outbox-test";

// These tests script "the next request fails" and count requests in order: one destination at
// a time keeps that order (the concurrent passes are covered by faulty_platform_tests).
OutboxWorkerOptions no_jitter() {
    OutboxWorkerOptions options;
    options.jitter = 0;
    options.max_parallel_sends = 1;
    return options;
}

class OutboxWorkerTest : public ::testing::Test {
protected:
    void SetUp() override { open_store(); }

    void open_store() {
        auto opened = store::Store::open(m_dir.file("trackerd.db"));
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
    }

    std::unique_ptr<OutboxWorker> make_worker(OutboxWorkerOptions options = no_jitter()) {
        return std::make_unique<OutboxWorker>(*m_store, m_clock,
                                              std::map<std::string, Sender*>{{"slack", &m_sender}},
                                              std::move(options));
    }

    long long enqueue(const std::string& channel_id, const std::string& text,
                      const std::string& platform = "slack") {
        store::OutboxMessage message;
        message.platform = platform;
        message.channel = "api";
        message.destination = channel_id;
        message.kind = "reply";
        message.body = R"({"channel":")" + channel_id + R"(","text":")" + text + R"("})";
        message.dedup_key = "test:" + std::to_string(++m_enqueued);
        message.created_at = m_clock.now_unix();
        message.next_attempt_at = m_clock.now_unix();
        auto result = m_store->enqueue(message);
        EXPECT_TRUE(result) << result.error().message;
        return result ? result->id : 0;
    }

    store::OutboxMessage row(long long id) {
        auto rows = m_store->outbox(std::nullopt, 1000);
        EXPECT_TRUE(rows) << rows.error().message;
        if (rows) {
            for (const auto& message : *rows) {
                if (message.id == id) return message;
            }
        }
        ADD_FAILURE() << "no outbox row " << id;
        return {};
    }

    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const auto& post : m_slack.messages()) out.push_back(post.channel + ":" + post.text);
        return out;
    }

    TempDir m_dir;
    FakeClock m_clock;
    FakeSlack m_slack{k_token, &m_clock};
    HttpClient m_http;
    SlackSender m_sender{m_http, m_clock, k_token, m_slack.api_base()};
    std::unique_ptr<store::Store> m_store;
    int m_enqueued = 0;
};

TEST_F(OutboxWorkerTest, AcceptedMessageIsMarkedSentWithSlacksTs) {
    const long long id = enqueue("C1", "hello");
    auto worker = make_worker();
    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 1);
    ASSERT_EQ(texts(), std::vector<std::string>{"C1:hello"});
    const auto message = row(id);
    EXPECT_EQ(message.state, store::OutboxState::sent);
    EXPECT_EQ(message.remote_id, m_slack.messages()[0].ts);
    EXPECT_EQ(message.sent_at, m_clock.now_unix());
    EXPECT_EQ(worker->counts("slack").sent, 1);
}

TEST_F(OutboxWorkerTest, RateLimitedThenAcceptedIsDeliveredExactlyOnce) {
    m_slack.fail_next(1, SlackFailure::rate_limited(1));
    const long long id = enqueue("C1", "hello");
    auto worker = make_worker();

    EXPECT_EQ(worker->run_once().retried, 1);
    EXPECT_EQ(row(id).state, store::OutboxState::pending);
    EXPECT_EQ(row(id).next_attempt_at, m_clock.now_unix() + 1);  // Retry-After, not back-off
    EXPECT_EQ(worker->run_once().sent, 0);                       // not before Retry-After

    m_clock.advance_seconds(1);
    EXPECT_EQ(worker->run_once().sent, 1);
    m_clock.advance_seconds(60);
    EXPECT_EQ(worker->run_once().sent, 0);

    EXPECT_EQ(texts(), std::vector<std::string>{"C1:hello"});
    EXPECT_EQ(m_slack.request_count(), 2);
    EXPECT_EQ(row(id).state, store::OutboxState::sent);
    EXPECT_EQ(worker->counts("slack").retried, 1);
    EXPECT_EQ(worker->counts("slack").sent, 1);
}

TEST_F(OutboxWorkerTest, ServerErrorThenSuccessIsSentAfterTheBackoff) {
    m_slack.fail_next(1, SlackFailure::server_error());
    const long long id = enqueue("C1", "hello");
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().retried, 1);
    const auto failed = row(id);
    EXPECT_EQ(failed.attempts, 1);
    EXPECT_FALSE(failed.last_error.empty());
    EXPECT_EQ(failed.next_attempt_at, m_clock.now_unix() + 2);  // base back-off

    m_clock.advance_seconds(2);
    EXPECT_EQ(worker->run_once().sent, 1);
    EXPECT_EQ(row(id).state, store::OutboxState::sent);
    EXPECT_EQ(texts(), std::vector<std::string>{"C1:hello"});
}

TEST_F(OutboxWorkerTest, ChannelNotFoundIsDeadAfterOneAttemptKeepingTheError) {
    m_slack.refuse_channel("C404", "channel_not_found");
    const long long id = enqueue("C404", "lost");
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().dead, 1);
    const auto message = row(id);
    EXPECT_EQ(message.state, store::OutboxState::dead);
    EXPECT_EQ(message.attempts, 1);
    EXPECT_NE(message.last_error.find("channel_not_found"), std::string::npos) << message.last_error;

    m_clock.advance_seconds(3600);
    worker->run_once();
    EXPECT_EQ(m_slack.request_count(), 1);
    EXPECT_EQ(worker->counts("slack").dead, 1);
}

TEST_F(OutboxWorkerTest, DeadDestinationDoesNotStopAnotherChannelInTheSamePass) {
    m_slack.refuse_channel("C404");
    enqueue("C404", "lost");
    enqueue("C1", "delivered");
    auto worker = make_worker();
    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.dead, 1);
    EXPECT_EQ(pass.sent, 1);
    EXPECT_EQ(texts(), std::vector<std::string>{"C1:delivered"});
}

TEST_F(OutboxWorkerTest, FailingDestinationIsHeldBackWhileOthersKeepFlowing) {
    m_slack.fail_next(1, SlackFailure::server_error());  // hits the first send, to C1
    const long long first = enqueue("C1", "one");
    enqueue("C2", "two");
    const long long third = enqueue("C1", "three");
    auto worker = make_worker();

    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.retried, 1);
    EXPECT_EQ(pass.sent, 1);
    EXPECT_EQ(pass.held, 0);  // C1's next row, not read (C1 is paced), waits for C1's retry
    EXPECT_EQ(texts(), std::vector<std::string>{"C2:two"});
    EXPECT_EQ(row(third).attempts, 0);

    m_clock.advance_seconds(2);
    worker->run_once();
    m_clock.advance_seconds(1);
    worker->run_once();
    EXPECT_EQ(row(first).state, store::OutboxState::sent);
    EXPECT_EQ(row(third).state, store::OutboxState::sent);
    EXPECT_EQ(m_slack.messages().size(), 3u);
}

TEST_F(OutboxWorkerTest, ADestinationWithABacklogDoesNotHideTheOthersQueuedAfterIt) {
    // A burst for one chat (paced at 1/s) used to fill every pass's batch of oldest rows, so
    // a message for any other chat waited until the whole burst was out.
    OutboxWorkerOptions options = no_jitter();
    options.batch_size = 100;
    for (int i = 0; i < 150; ++i) enqueue("C1", "burst " + std::to_string(i));
    enqueue("C2", "reply");
    auto worker = make_worker(options);

    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 2);  // C1's oldest and C2's, in this pass
    EXPECT_EQ(texts(), (std::vector<std::string>{"C1:burst 0", "C2:reply"}));
    m_clock.advance_seconds(1);
    EXPECT_EQ(worker->run_once().sent, 1);
    EXPECT_EQ(texts().back(), "C1:burst 1");  // C1 keeps its order
}

TEST_F(OutboxWorkerTest, ChatsHeldBackByPacingDoNotFillTheBatchOfThoseThatMaySend) {
    // Forty chats with three rows each, queued chat by chat as the scheduler does. A batch of
    // the ten oldest rows used to be the same three or four chats' rows pass after pass, all
    // paced for a second after their first send, so the other chats waited; held chats are now
    // skipped and each pass fills with chats that may send (one row of each paced chat).
    OutboxWorkerOptions options = no_jitter();
    options.batch_size = 10;
    for (int c = 0; c < 40; ++c)
        for (int round = 0; round < 3; ++round) enqueue("C" + std::to_string(c), "r" + std::to_string(round));
    auto worker = make_worker(options);

    int passes = 0;
    while (m_slack.messages().size() < 40 && passes < 20) {
        worker->run_once();
        ++passes;
    }
    EXPECT_EQ(m_slack.messages().size(), 40u) << "one row to each chat without waiting for the pacing";
    EXPECT_EQ(passes, 4);  // ten chats a pass, the clock standing still
    for (const auto& post : m_slack.messages()) EXPECT_EQ(post.text, "r0") << post.channel;
}

TEST_F(OutboxWorkerTest, AFullBatchSaysMoreMayBeDueSoTheThreadRunsAgainAtOnce) {
    OutboxWorkerOptions options = no_jitter();
    options.batch_size = 3;
    for (int c = 0; c < 5; ++c) enqueue("C" + std::to_string(c), "x");
    auto worker = make_worker(options);

    const OutboxPass full = worker->run_once();
    EXPECT_EQ(full.sent, 3);
    EXPECT_TRUE(full.more);
    const OutboxPass rest = worker->run_once();
    EXPECT_EQ(rest.sent, 2);
    EXPECT_FALSE(rest.more);
}

TEST_F(OutboxWorkerTest, TwoMessagesToOneChannelAreNotSentInTheSameSecond) {
    enqueue("C1", "first");
    enqueue("C1", "second");
    enqueue("C2", "elsewhere");
    auto worker = make_worker();

    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 2);
    EXPECT_EQ(pass.held, 0);  // C1's second row is not read: C1 is paced after its first
    EXPECT_EQ(pass.next_ready_ms, m_clock.now_unix_ms() + 1000);
    EXPECT_EQ(worker->run_once().sent, 0);  // same instant: still paced

    m_clock.advance_seconds(1);
    EXPECT_EQ(worker->run_once().sent, 1);
    std::vector<long long> c1_seconds;
    for (const auto& post : m_slack.messages()) {
        if (post.channel == "C1") c1_seconds.push_back(post.received_ms / 1000);
    }
    ASSERT_EQ(c1_seconds.size(), 2u);
    EXPECT_LT(c1_seconds[0], c1_seconds[1]);
    EXPECT_EQ(texts(), (std::vector<std::string>{"C1:first", "C2:elsewhere", "C1:second"}));
}

TEST_F(OutboxWorkerTest, PacingIsConfigurablePerPlatformAndChannel) {
    OutboxWorkerOptions options = no_jitter();
    options.pacing["slack/api"] = std::chrono::milliseconds(0);  // more specific than "slack"
    enqueue("C1", "a");
    enqueue("C1", "b");
    auto worker = make_worker(options);
    EXPECT_EQ(worker->run_once().sent, 2);

    OutboxWorkerOptions slow = no_jitter();
    slow.pacing["slack"] = std::chrono::milliseconds(5000);
    enqueue("C1", "c");
    enqueue("C1", "d");
    auto paced = make_worker(slow);
    EXPECT_EQ(paced->run_once().sent, 1);
    m_clock.advance_seconds(4);
    EXPECT_EQ(paced->run_once().sent, 0);
    m_clock.advance_seconds(1);
    EXPECT_EQ(paced->run_once().sent, 1);
}

TEST_F(OutboxWorkerTest, KeepsFailingEndsDeadAfterMaxAttemptsWithTheLastError) {
    OutboxWorkerOptions options = no_jitter();
    options.max_attempts = 3;
    m_slack.fail_next(10, SlackFailure::server_error());
    const long long id = enqueue("C1", "doomed");
    auto worker = make_worker(options);
    for (int pass = 0; pass < 6; ++pass) {
        worker->run_once();
        m_clock.advance_seconds(600);
    }
    const auto message = row(id);
    EXPECT_EQ(message.state, store::OutboxState::dead);
    EXPECT_EQ(message.attempts, 3);
    EXPECT_FALSE(message.last_error.empty());
    EXPECT_EQ(m_slack.request_count(), 3);
    EXPECT_EQ(worker->counts("slack").retried, 2);
    EXPECT_EQ(worker->counts("slack").dead, 1);
}

TEST_F(OutboxWorkerTest, BackoffDoublesFromTheBaseUpToTheCap) {
    OutboxWorkerOptions options = no_jitter();
    options.backoff_base = std::chrono::seconds(2);
    options.backoff_cap = std::chrono::seconds(5);
    options.pacing.clear();
    m_slack.fail_next(10, SlackFailure::server_error());
    const long long id = enqueue("C1", "x");
    auto worker = make_worker(options);
    std::vector<long long> delays;
    for (int attempt = 0; attempt < 4; ++attempt) {
        ASSERT_EQ(worker->run_once().retried, 1);
        const long long delay = row(id).next_attempt_at - m_clock.now_unix();
        delays.push_back(delay);
        m_clock.advance_seconds(delay);
    }
    EXPECT_EQ(delays, (std::vector<long long>{2, 4, 5, 5}));
}

TEST_F(OutboxWorkerTest, JitterOnlyShortensTheBackoff) {
    OutboxWorkerOptions options;
    options.jitter = 0.5;
    options.jitter_seed = 42;
    options.pacing.clear();
    m_slack.fail_next(20, SlackFailure::server_error());
    for (int i = 0; i < 10; ++i) enqueue("C" + std::to_string(i), "x");
    auto worker = make_worker(options);
    EXPECT_EQ(worker->run_once().retried, 10);
    auto rows = m_store->outbox(store::OutboxState::pending, 100);
    ASSERT_TRUE(rows);
    for (const auto& message : *rows) {
        const long long delay = message.next_attempt_at - m_clock.now_unix();
        EXPECT_GE(delay, 1);
        EXPECT_LE(delay, 2);
    }
}

TEST_F(OutboxWorkerTest, RetryAfterWinsOverTheBackoff) {
    m_slack.fail_next(1, SlackFailure::rate_limited(30));
    const long long id = enqueue("C1", "x");
    auto worker = make_worker();
    worker->run_once();
    EXPECT_EQ(row(id).next_attempt_at, m_clock.now_unix() + 30);
    m_clock.advance_seconds(29);
    EXPECT_EQ(worker->run_once().sent, 0);
    m_clock.advance_seconds(1);
    EXPECT_EQ(worker->run_once().sent, 1);
}

TEST_F(OutboxWorkerTest, RestartSendsWhatWasPendingAndNothingTwice) {
    enqueue("C1", "before");
    enqueue("C1", "paced");  // still pending when the first worker goes away
    {
        auto worker = make_worker();
        EXPECT_EQ(worker->run_once().sent, 1);
    }
    m_store.reset();
    open_store();
    m_clock.advance_seconds(1);
    auto restarted = make_worker();
    EXPECT_EQ(restarted->run_once().sent, 1);
    m_clock.advance_seconds(60);
    EXPECT_EQ(restarted->run_once().sent, 0);
    EXPECT_EQ(texts(), (std::vector<std::string>{"C1:before", "C1:paced"}));
}

TEST_F(OutboxWorkerTest, RowForAPlatformWithoutSenderIsDead) {
    const long long id = enqueue("oc_123", "x", "feishu");
    auto worker = make_worker();
    EXPECT_EQ(worker->run_once().dead, 1);
    EXPECT_EQ(row(id).state, store::OutboxState::dead);
    EXPECT_NE(row(id).last_error.find("feishu"), std::string::npos);
    EXPECT_EQ(worker->counts("feishu").dead, 1);
    EXPECT_EQ(worker->counts("slack").dead, 0);
}

// ---- Rate windows ----

OutboxWorkerOptions windowed(std::vector<RateWindow> windows) {
    OutboxWorkerOptions options = no_jitter();
    options.pacing.clear();
    options.windows.clear();
    options.windows["slack"] = std::move(windows);
    return options;
}

TEST_F(OutboxWorkerTest, WindowHoldsADestinationUntilItsOldestSendIsMoreThanAWindowOld) {
    for (int i = 0; i < 5; ++i) enqueue("C1", "c1-" + std::to_string(i));
    enqueue("C2", "elsewhere");
    auto worker = make_worker(windowed({{3, std::chrono::seconds(10)}}));
    const long long start_ms = m_clock.now_unix_ms();

    const OutboxPass first = worker->run_once();
    EXPECT_EQ(first.sent, 4);  // three to C1, and C2 is not held by C1's window
    EXPECT_EQ(first.held, 2);
    EXPECT_EQ(first.next_ready_ms, start_ms + 10001);

    m_clock.set_unix_ms(start_ms + 10000);  // both ends count: still three in [0 s, 10 s]
    EXPECT_EQ(worker->run_once().sent, 0);
    m_clock.set_unix_ms(start_ms + 10001);
    EXPECT_EQ(worker->run_once().sent, 2);
    EXPECT_EQ(m_slack.messages().size(), 6u);
}

TEST_F(OutboxWorkerTest, WindowSlidesWithEachSendsOwnTime) {
    auto worker = make_worker(windowed({{2, std::chrono::seconds(10)}}));
    const long long start_ms = m_clock.now_unix_ms();
    enqueue("C1", "at-0");
    EXPECT_EQ(worker->run_once().sent, 1);
    m_clock.set_unix_ms(start_ms + 4000);
    enqueue("C1", "at-4");
    EXPECT_EQ(worker->run_once().sent, 1);
    m_clock.set_unix_ms(start_ms + 6000);
    enqueue("C1", "held-1");
    enqueue("C1", "held-2");
    const OutboxPass held = worker->run_once();
    EXPECT_EQ(held.sent, 0);
    EXPECT_EQ(held.next_ready_ms, start_ms + 10001);  // the send at 0 s leaves

    m_clock.set_unix_ms(held.next_ready_ms);
    const OutboxPass one = worker->run_once();
    EXPECT_EQ(one.sent, 1);
    EXPECT_EQ(one.next_ready_ms, start_ms + 14001);  // then the one at 4 s
    m_clock.set_unix_ms(one.next_ready_ms);
    EXPECT_EQ(worker->run_once().sent, 1);
    EXPECT_EQ(texts(), (std::vector<std::string>{"C1:at-0", "C1:at-4", "C1:held-1", "C1:held-2"}));
}

TEST_F(OutboxWorkerTest, EveryWindowOfADestinationApplies) {
    for (int i = 0; i < 4; ++i) enqueue("C1", std::to_string(i));
    auto worker = make_worker(windowed({{2, std::chrono::seconds(1)}, {3, std::chrono::seconds(60)}}));
    const long long start_ms = m_clock.now_unix_ms();
    EXPECT_EQ(worker->run_once().sent, 2);
    m_clock.set_unix_ms(start_ms + 1001);
    EXPECT_EQ(worker->run_once().sent, 1);
    m_clock.set_unix_ms(start_ms + 2002);
    const OutboxPass held = worker->run_once();
    EXPECT_EQ(held.sent, 0);
    EXPECT_EQ(held.next_ready_ms, start_ms + 60001);
}

TEST_F(OutboxWorkerTest, MoreSpecificWindowKeyWins) {
    OutboxWorkerOptions options = windowed({{1, std::chrono::seconds(60)}});
    options.windows["slack/api"] = {};  // no window for this channel
    enqueue("C1", "a");
    enqueue("C1", "b");
    auto worker = make_worker(options);
    EXPECT_EQ(worker->run_once().sent, 2);
}

TEST_F(OutboxWorkerTest, DefaultWindowsFollowThePlatformsLimits) {
    const auto windows = OutboxWorkerOptions::default_windows();
    ASSERT_EQ(windows.at("dingtalk/webhook").size(), 1u);
    EXPECT_EQ(windows.at("dingtalk/webhook")[0].max_sends, 20);
    EXPECT_EQ(windows.at("dingtalk/webhook")[0].window, std::chrono::seconds(60));
    ASSERT_EQ(windows.at("feishu/webhook").size(), 2u);
    EXPECT_EQ(windows.at("feishu/webhook")[0].max_sends, 100);
    EXPECT_EQ(windows.at("feishu/webhook")[1].max_sends, 5);
    EXPECT_EQ(windows.at("feishu/webhook")[1].window, std::chrono::seconds(1));
    EXPECT_EQ(windows.at("feishu/api")[0].max_sends, 5);
}

// ---- Merging ----

// Merges up to `limit` "webhook" rows by joining their bodies with '+'; answers from `script`
// (then "sent"), each request with its own remote id.
class JoiningSender final : public Sender {
public:
    explicit JoiningSender(size_t limit) : m_limit(limit) {}
    bool merges(const store::OutboxMessage& head) const override { return head.channel == "webhook"; }
    SendOutcome send(const store::OutboxMessage& message) override {
        requests.push_back(message.body);
        SendOutcome outcome;
        outcome.kind = SendOutcome::Kind::sent;
        if (!script.empty()) {
            outcome = script.front();
            script.erase(script.begin());
        }
        outcome.remote_id = "request-" + std::to_string(requests.size());
        return outcome;
    }
    MergedRows merge(const std::vector<store::OutboxMessage>& rows) const override {
        MergedRows merged{rows.front(), 0};
        merged.message.body.clear();
        for (const auto& row : rows) {
            if (row.channel != "webhook" || merged.count == m_limit) break;
            merged.message.body += (merged.count++ == 0 ? "" : "+") + row.body;
        }
        return merged;
    }
    std::vector<std::string> requests;
    std::vector<SendOutcome> script;

private:
    const size_t m_limit;
};

class OutboxMergeTest : public OutboxWorkerTest {
protected:
    long long enqueue_webhook(const std::string& url, const std::string& body) {
        store::OutboxMessage message;
        message.platform = "dingtalk";
        message.channel = "webhook";
        message.destination = url;
        message.kind = "warning";
        message.body = body;
        message.dedup_key = "merge:" + std::to_string(++m_enqueued);
        message.created_at = m_clock.now_unix();
        message.next_attempt_at = m_clock.now_unix();
        auto result = m_store->enqueue(message);
        EXPECT_TRUE(result) << result.error().message;
        return result ? result->id : 0;
    }

    std::unique_ptr<OutboxWorker> joining_worker(JoiningSender& sender, OutboxWorkerOptions options = no_jitter()) {
        return std::make_unique<OutboxWorker>(*m_store, m_clock, std::map<std::string, Sender*>{{"dingtalk", &sender}},
                                              std::move(options));
    }
};

TEST_F(OutboxMergeTest, RowsDueTogetherGoAsOneRequestAndShareItsRemoteId) {
    JoiningSender sender(3);
    std::vector<long long> ids;
    for (const char* body : {"a", "b", "c", "d"}) ids.push_back(enqueue_webhook("https://robot/1", body));
    const long long other = enqueue_webhook("https://robot/2", "x");
    auto worker = joining_worker(sender);

    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.sent, 4);    // a+b+c, and x to the other robot
    EXPECT_EQ(pass.merged, 3);
    EXPECT_EQ(pass.held, 1);    // d waits for robot 1's pacing
    EXPECT_EQ(sender.requests, (std::vector<std::string>{"a+b+c", "x"}));
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(row(ids[i]).state, store::OutboxState::sent);
        EXPECT_EQ(row(ids[i]).remote_id, "request-1");
    }
    EXPECT_EQ(row(other).remote_id, "request-2");
    m_clock.advance_seconds(3);
    EXPECT_EQ(worker->run_once().sent, 1);
    EXPECT_EQ(sender.requests.back(), "d");
}

TEST_F(OutboxMergeTest, FailedMergedRequestRetriesEveryRowAtTheSameTime) {
    JoiningSender sender(10);
    SendOutcome throttled;
    throttled.kind = SendOutcome::Kind::retry;
    throttled.error = "too fast";
    throttled.retry_after_seconds = 600;
    sender.script = {throttled};
    std::vector<long long> ids;
    for (const char* body : {"a", "b", "c"}) ids.push_back(enqueue_webhook("https://robot/1", body));
    auto worker = joining_worker(sender);

    const OutboxPass pass = worker->run_once();
    EXPECT_EQ(pass.retried, 3);
    for (long long id : ids) {
        EXPECT_EQ(row(id).attempts, 1);
        EXPECT_EQ(row(id).last_error, "too fast");
        EXPECT_EQ(row(id).next_attempt_at, row(ids[0]).next_attempt_at);
    }
    m_clock.set_unix(row(ids[0]).next_attempt_at);
    EXPECT_EQ(worker->run_once().sent, 3);
    EXPECT_EQ(sender.requests, (std::vector<std::string>{"a+b+c", "a+b+c"}));
}

TEST_F(OutboxMergeTest, DeadMergedRequestKillsEveryRowItCarried) {
    JoiningSender sender(10);
    SendOutcome refused;
    refused.kind = SendOutcome::Kind::dead;
    refused.error = "sign not match";
    sender.script = {refused};
    std::vector<long long> ids;
    for (const char* body : {"a", "b"}) ids.push_back(enqueue_webhook("https://robot/1", body));
    auto worker = joining_worker(sender);
    EXPECT_EQ(worker->run_once().dead, 2);
    for (long long id : ids) EXPECT_EQ(row(id).state, store::OutboxState::dead);
}

TEST_F(OutboxMergeTest, MergingCanBeTurnedOff) {
    JoiningSender sender(10);
    OutboxWorkerOptions options = no_jitter();
    options.merge = false;
    options.pacing.clear();
    for (const char* body : {"a", "b"}) enqueue_webhook("https://robot/1", body);
    auto worker = joining_worker(sender, options);
    EXPECT_EQ(worker->run_once().sent, 2);
    EXPECT_EQ(sender.requests, (std::vector<std::string>{"a", "b"}));
}

// A sender that breaks its contract by throwing, to exercise the last-resort net.
class ThrowingSender final : public Sender {
public:
    SendOutcome send(const store::OutboxMessage&) override { throw std::runtime_error("boom"); }
};

TEST_F(OutboxWorkerTest, ExceptionInAPassIsCountedAndTheNextPassRuns) {
    ThrowingSender throwing;
    OutboxWorker worker(*m_store, m_clock, {{"slack", &throwing}}, no_jitter());
    enqueue("C1", "x");
    EXPECT_TRUE(worker.run_once().failed);
    EXPECT_EQ(worker.pass_failures(), 1);
    EXPECT_TRUE(worker.run_once().failed);
    EXPECT_EQ(worker.pass_failures(), 2);
}

TEST_F(OutboxWorkerTest, ThreadDeliversWokenWorkAndStops) {
    auto worker = make_worker();
    worker->start();
    enqueue("C1", "async");
    worker->wake();
    EXPECT_TRUE(m_slack.wait_for(1, std::chrono::seconds(10)));
    worker->stop();
    EXPECT_EQ(texts(), std::vector<std::string>{"C1:async"});
}

}  // namespace
}  // namespace bot
