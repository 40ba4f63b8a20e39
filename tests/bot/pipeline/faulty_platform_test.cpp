// The real OutboxWorker with the real Slack, Feishu and DingTalk senders, over real HTTP, against
// the fake platforms behind a FaultyProxy that answers 500s, 429s with and without the
// platforms' retry headers, hangs past the client's timeout, closes without answering, cuts an
// answer short or answers garbage. Proves: each fault is retried within bounds (the platform's
// wait or the back-off), a fault that goes away ends in exactly one delivery, one that stays
// ends dead after max_attempts with a readable reason (logged, and listed by `trackerctl outbox
// --state dead`), a hung destination does not hold up the others, and no row is ever dropped.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/dingtalk/dingtalk.h"
#include "adapters/feishu/feishu.h"
#include "bot/platforms/dingtalk/dingtalk_sender.h"
#include "bot/platforms/feishu/feishu_sender.h"
#include "bot/pipeline/outbox_worker.h"
#include "bot/platforms/slack/slack_sender.h"
#include "tests/support/backends.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/fake_slack.h"
#include "tests/support/faulty_proxy.h"
#include "tests/support/temp_dir.h"

namespace bot {
namespace {

using namespace std::chrono_literals;
using testing_support::FakeClock;
using testing_support::Fault;
using testing_support::FaultyProxy;
using testing_support::TempDir;

constexpr const char* k_slack_token = "xoxb-faulty";
constexpr const char* k_feishu_app = "cli_faulty";
constexpr const char* k_feishu_secret = "faulty-feishu-secret";
constexpr const char* k_dingtalk_key = "dingfaulty";
constexpr const char* k_dingtalk_secret = "faulty-dingtalk-secret";
constexpr const char* k_robot_code = "dingfaultyrobot";
constexpr int k_max_attempts = 3;

// The three senders over one HttpClient.
struct Senders {
    Senders(HttpClient& http, const core::Clock& clock, const std::string& slack_api, const std::string& feishu_api,
            const std::string& dingtalk_api)
        : slack(http, clock, k_slack_token, slack_api),
          feishu(http, clock, k_feishu_app, k_feishu_secret, feishu_api),
          dingtalk(http, clock, k_dingtalk_key, k_dingtalk_secret, dingtalk_api) {}
    std::map<std::string, Sender*> map() { return {{"slack", &slack}, {"feishu", &feishu}, {"dingtalk", &dingtalk}}; }
    SlackSender slack;
    FeishuSender feishu;
    DingtalkSender dingtalk;
};

// `max_idle_per_host` 0: a connection per request, so that each scripted fault is met by exactly
// one request (on a kept connection the client re-sends a fast failure once: HttpClientPoolTest).
HttpClient client_with_read_timeout(std::chrono::milliseconds read_timeout, size_t max_idle_per_host = 8) {
    HttpClientOptions options;
    options.connect_timeout = 1s;
    options.read_timeout = read_timeout;
    options.max_idle_per_host = max_idle_per_host;
    return HttpClient(options);
}

// What each fault looks like from each platform's side, and what the worker must make of it.
struct FaultCase {
    std::string platform;
    std::string name;
    std::string match;  // which requests the fault hits (the message endpoint, or a token one)
    Fault fault;
    std::string reason;      // must appear in the row's last_error
    long long wait_seconds;  // until the next attempt: the platform's hint, else the back-off
};

const std::string k_slack_send = "/api/chat.postMessage";
const std::string k_feishu_send = "/open-apis/im/v1/messages";
const std::string k_feishu_token = "/open-apis/auth/v3/tenant_access_token";
const std::string k_dingtalk_send = "/v1.0/robot/groupMessages/send";
const std::string k_dingtalk_token = "/v1.0/oauth2/accessToken";
constexpr long long k_backoff = 2;  // the first back-off (backoff_base)

class FaultyPlatformTest : public ::testing::Test {
protected:
    void SetUp() override {
        // A file, or a PostgreSQL database under TRACKERD_TEST_BACKEND=postgresql.
        TRACKERD_BACKEND_OR_SKIP(testing_support::test_backend());
        m_db = testing_support::fresh_database(testing_support::test_backend(), m_dir, "trackerd.db");
        auto opened = store::Store::open(m_db);
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
        m_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_log);
        spdlog::default_logger()->sinks().push_back(m_sink);
    }
    void TearDown() override {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }

    std::unique_ptr<Senders> senders(HttpClient& http) {
        return std::make_unique<Senders>(http, m_clock, m_slack_proxy.base_url() + "/api", m_feishu_proxy.base_url(),
                                         m_dingtalk_proxy.base_url());
    }

    static OutboxWorkerOptions options() {
        OutboxWorkerOptions options;
        options.jitter = 0;
        options.max_attempts = k_max_attempts;
        options.backoff_base = 2s;
        options.pacing.clear();
        options.windows.clear();
        return options;
    }

    FaultyProxy& proxy(const std::string& platform) {
        return platform == "slack" ? m_slack_proxy : platform == "feishu" ? m_feishu_proxy : m_dingtalk_proxy;
    }

    // A row for `destination` on `platform`'s API channel whose text is `text`.
    long long enqueue(const std::string& platform, const std::string& destination, const std::string& text) {
        store::OutboxMessage row;
        row.platform = platform;
        row.channel = "api";
        row.destination = destination;
        row.kind = "digest";
        if (platform == "slack") {
            row.body = R"({"channel":")" + destination + R"(","text":")" + text + R"("})";
        } else if (platform == "feishu") {
            core::ChatMessage message;
            message.sections.push_back(text);
            message.fallback_text = text;
            row.body = adapters::feishu::render_message_request(message, destination, "uuid-" + text);
        } else {
            core::ChatMessage message;
            message.sections.push_back(text);
            message.fallback_text = text;
            row.body = adapters::dingtalk::render_group_message(message, k_robot_code, destination);
        }
        row.dedup_key = "faulty:" + platform + ":" + text;
        row.created_at = m_clock.now_unix();
        row.next_attempt_at = m_clock.now_unix();
        auto queued = m_store->enqueue(row);
        EXPECT_TRUE(queued) << queued.error().message;
        return queued ? queued->id : 0;
    }

    // A groupMessages/send body; the sender fills in robotCode and openConversationId.

    store::OutboxMessage row(long long id) {
        auto rows = m_store->outbox(std::nullopt, 1000);
        EXPECT_TRUE(rows);
        if (rows) {
            for (const auto& message : *rows)
                if (message.id == id) return message;
        }
        ADD_FAILURE() << "no outbox row " << id;
        return {};
    }

    // How many times the fake platform accepted a message with this text.
    int received(const std::string& platform, const std::string& text) const {
        int count = 0;
        if (platform == "slack") {
            for (const auto& post : m_slack.messages()) count += post.text == text;
        } else if (platform == "feishu") {
            for (const auto& message : m_feishu.messages()) count += message.text == text;
        } else {
            for (const auto& post : m_dingtalk.messages()) count += post.text == text;
        }
        return count;
    }

    std::string log() const { return m_log.str(); }

    // A fault on a token endpoint is only met when a token is fetched: make the platform refuse
    // the cached one, so the sender fetches a new one (and meets the fault) on every attempt.
    void expire_token_if_needed(const FaultCase& c);

    TempDir m_dir;
    std::string m_db;
    FakeClock m_clock{1700000000000LL};
    testing_support::FakeSlack m_slack{k_slack_token, &m_clock};
    testing_support::FakeFeishu m_feishu{k_feishu_app, k_feishu_secret, &m_clock};
    testing_support::FakeDingtalk m_dingtalk{k_dingtalk_key, k_dingtalk_secret, k_robot_code, &m_clock};
    FaultyProxy m_slack_proxy{m_slack.base_url()};
    FaultyProxy m_feishu_proxy{m_feishu.api_base()};
    FaultyProxy m_dingtalk_proxy{m_dingtalk.base_url()};
    std::unique_ptr<store::Store> m_store;
    std::ostringstream m_log;
    std::shared_ptr<spdlog::sinks::ostream_sink_mt> m_sink;
};

const char* k_html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";

std::vector<FaultCase> fault_cases() {
    const auto html = [](int status) { return Fault::respond(status, "text/html", k_html); };
    const auto garbage = Fault::respond(200, "text/plain", "\x01\x02 this is not json \xff");
    const auto maintenance = Fault::respond(200, "text/html", "<html><body>Scheduled maintenance</body></html>");
    std::vector<FaultCase> cases = {
        // Slack (protocols §1.7): 429 + Retry-After; 5xx; an ok:false-less or unparseable body.
        {"slack", "500 html", k_slack_send, html(500), "HTTP 500", k_backoff},
        {"slack", "503 with Retry-After", k_slack_send,
         Fault::respond(503, "text/plain", "unavailable", {{"Retry-After", "5"}}), "HTTP 503", 5},
        {"slack", "429 with Retry-After", k_slack_send,
         Fault::respond(429, "application/json", R"({"ok":false,"error":"ratelimited"})", {{"Retry-After", "7"}}),
         "ratelimited", 7},
        {"slack", "429 without Retry-After", k_slack_send, Fault::respond(429, "", ""), "HTTP 429", 1},
        {"slack", "timeout", k_slack_send, Fault::hang(), "timed out", k_backoff},
        {"slack", "closed without answer", k_slack_send, Fault::close(), "failed", k_backoff},
        {"slack", "answer cut short", k_slack_send, Fault::cut(R"({"ok":tr)"), "failed", k_backoff},
        {"slack", "200 garbage", k_slack_send, garbage, "unparseable", k_backoff},
        {"slack", "200 truncated json", k_slack_send,
         Fault::respond(200, "application/json", R"({"ok":true,"channel":"C1","ts":"17)"), "unparseable", k_backoff},
        {"slack", "200 html page", k_slack_send, maintenance, "unparseable", k_backoff},
        // Feishu (§2.9): 429 + x-ogw-ratelimit-reset, code 99991400; the token endpoint too.
        {"feishu", "500 html", k_feishu_send, html(500), "HTTP 500", k_backoff},
        {"feishu", "502 with reset header", k_feishu_send, Fault::respond(502, "text/html", k_html, {{"x-ogw-ratelimit-reset", "4"}}),
         "HTTP 502", 4},
        {"feishu", "429 with x-ogw-ratelimit-reset", k_feishu_send,
         Fault::respond(429, "application/json", R"({"code":99991400,"msg":"request trigger frequency limit"})",
                        {{"x-ogw-ratelimit-limit", "5"}, {"x-ogw-ratelimit-reset", "7"}}),
         "frequency limit", 7},
        {"feishu", "429 without header", k_feishu_send, Fault::respond(429, "", ""), "HTTP 429", 1},
        {"feishu", "400 code 99991400 with reset", k_feishu_send,
         Fault::respond(400, "application/json", R"({"code":99991400,"msg":"request trigger frequency limit"})",
                        {{"x-ogw-ratelimit-reset", "3"}}),
         "frequency limit", 3},
        {"feishu", "timeout", k_feishu_send, Fault::hang(), "timed out", k_backoff},
        {"feishu", "closed without answer", k_feishu_send, Fault::close(), "failed", k_backoff},
        {"feishu", "answer cut short", k_feishu_send, Fault::cut(R"({"code":0,"da)"), "failed", k_backoff},
        {"feishu", "200 garbage", k_feishu_send, garbage, "unreadable", k_backoff},
        {"feishu", "200 truncated json", k_feishu_send,
         Fault::respond(200, "application/json", R"({"code":0,"msg":"success","data":{"message_id":"om_)"),
         "unreadable", k_backoff},
        {"feishu", "200 html page", k_feishu_send, maintenance, "unreadable", k_backoff},
        {"feishu", "token endpoint 500", k_feishu_token, html(500), "tenant_access_token", k_backoff},
        {"feishu", "token endpoint timeout", k_feishu_token, Fault::hang(), "tenant_access_token", k_backoff},
        // DingTalk (§3.6): 429 / Throttling codes, 5xx; the accessToken endpoint too.
        {"dingtalk", "500 html", k_dingtalk_send, html(500), "HTTP 500", k_backoff},
        {"dingtalk", "429 Throttling", k_dingtalk_send,
         Fault::respond(429, "application/json", R"({"code":"Throttling.Api","message":"request was denied due to flow control"})"),
         "Throttling", 1},
        {"dingtalk", "429 without body", k_dingtalk_send, Fault::respond(429, "", ""), "HTTP 429", 1},
        {"dingtalk", "400 Throttling code", k_dingtalk_send,
         Fault::respond(400, "application/json", R"({"code":"Throttling.User","message":"too frequent"})"),
         "Throttling", 1},
        {"dingtalk", "timeout", k_dingtalk_send, Fault::hang(), "timed out", k_backoff},
        {"dingtalk", "closed without answer", k_dingtalk_send, Fault::close(), "failed", k_backoff},
        {"dingtalk", "answer cut short", k_dingtalk_send, Fault::cut(R"({"processQu)"), "failed", k_backoff},
        {"dingtalk", "200 garbage", k_dingtalk_send, garbage, "unreadable", k_backoff},
        {"dingtalk", "200 truncated json", k_dingtalk_send,
         Fault::respond(200, "application/json", R"({"processQueryKey":"pq)"), "unreadable", k_backoff},
        {"dingtalk", "200 html page", k_dingtalk_send, maintenance, "unreadable", k_backoff},
        {"dingtalk", "token endpoint 503", k_dingtalk_token, html(503), "access token", k_backoff},
        {"dingtalk", "token endpoint closes", k_dingtalk_token, Fault::close(), "access token", k_backoff},
    };
    return cases;
}

void FaultyPlatformTest::expire_token_if_needed(const FaultCase& c) {
    if (c.match == k_feishu_token) m_feishu.revoke_tokens();
    if (c.match == k_dingtalk_token) m_dingtalk.revoke_tokens();
}

std::string destination_for(const std::string& platform, int index) {
    const std::string n = std::to_string(index);
    return platform == "slack" ? "CFAULT" + n : platform == "feishu" ? "oc_fault" + n : "cidfault" + n;
}

TEST_F(FaultyPlatformTest, EachFaultIsRetriedAfterThePlatformsWaitOrTheBackoffAndDeliveredOnceWhenItClears) {
    HttpClient http = client_with_read_timeout(300ms, /*max_idle_per_host=*/0);
    auto all = senders(http);
    OutboxWorker worker(*m_store, m_clock, all->map(), options());
    int index = 0;
    for (const FaultCase& c : fault_cases()) {
        SCOPED_TRACE(c.platform + ": " + c.name);
        const std::string text = "transient-" + std::to_string(++index);
        const long long id = enqueue(c.platform, destination_for(c.platform, index), text);
        expire_token_if_needed(c);
        proxy(c.platform).add_rule(c.match, c.fault, 2);
        // Two failed attempts, each waiting what the platform asked for, or the back-off.
        for (int attempt = 1; attempt <= 2; ++attempt) {
            const OutboxPass pass = worker.run_once();
            EXPECT_EQ(pass.retried, 1);
            const auto failed = row(id);
            EXPECT_EQ(failed.state, store::OutboxState::pending);
            EXPECT_EQ(failed.attempts, attempt);
            EXPECT_NE(failed.last_error.find(c.reason), std::string::npos) << failed.last_error;
            const long long wait = c.wait_seconds == k_backoff ? k_backoff << (attempt - 1) : c.wait_seconds;
            EXPECT_EQ(failed.next_attempt_at - m_clock.now_unix(), wait) << failed.last_error;
            m_clock.advance_seconds(wait - 1);
            EXPECT_EQ(worker.run_once().sent, 0) << "sent before its time";
            m_clock.advance_seconds(1);
        }
        EXPECT_EQ(worker.run_once().sent, 1);
        EXPECT_EQ(row(id).state, store::OutboxState::sent);
        EXPECT_EQ(received(c.platform, text), 1);
        proxy(c.platform).clear_rules();
    }
}

TEST_F(FaultyPlatformTest, EachFaultThatStaysEndsDeadAfterMaxAttemptsWithAReadableReasonLogged) {
    HttpClient http = client_with_read_timeout(300ms);
    auto all = senders(http);
    OutboxWorker worker(*m_store, m_clock, all->map(), options());
    int index = 100;
    for (const FaultCase& c : fault_cases()) {
        SCOPED_TRACE(c.platform + ": " + c.name);
        const std::string text = "doomed-" + std::to_string(++index);
        const long long id = enqueue(c.platform, destination_for(c.platform, index), text);
        expire_token_if_needed(c);
        proxy(c.platform).add_rule(c.match, c.fault, -1);
        for (int pass = 0; pass < k_max_attempts + 2; ++pass) {
            worker.run_once();
            m_clock.advance_seconds(60);
        }
        const auto dead = row(id);
        EXPECT_EQ(dead.state, store::OutboxState::dead);
        EXPECT_EQ(dead.attempts, k_max_attempts);
        EXPECT_NE(dead.last_error.find(c.reason), std::string::npos) << dead.last_error;
        EXPECT_EQ(received(c.platform, text), 0);
        const std::string line = "outbox: dead id=" + std::to_string(id) + " platform=" + c.platform;
        const std::string text_log = log();
        const size_t at = text_log.find(line);
        ASSERT_NE(at, std::string::npos) << "no log line for the dead row";
        const std::string logged = text_log.substr(at, text_log.find('\n', at) - at);
        EXPECT_NE(logged.find("gave up after 3 attempts"), std::string::npos) << logged;
        EXPECT_NE(logged.find(c.reason), std::string::npos) << logged;
        proxy(c.platform).clear_rules();
    }
}

TEST_F(FaultyPlatformTest, ValidAnswerWithTheWrongContentTypeIsSent) {
    HttpClient http = client_with_read_timeout(1s);
    auto all = senders(http);
    OutboxWorker worker(*m_store, m_clock, all->map(), options());
    m_slack_proxy.add_rule(k_slack_send, Fault::respond(200, "text/html", R"({"ok":true,"channel":"C1","ts":"1.2"})"), 1);
    m_feishu_proxy.add_rule(k_feishu_send,
                            Fault::respond(200, "text/plain", R"({"code":0,"msg":"ok","data":{"message_id":"om_x"}})"), 1);
    m_dingtalk_proxy.add_rule(k_dingtalk_send, Fault::respond(200, "text/html", R"({"processQueryKey":"pqk"})"), 1);
    const long long slack = enqueue("slack", "C1", "typed-1");
    const long long feishu = enqueue("feishu", "oc_1", "typed-2");
    const long long dingtalk = enqueue("dingtalk", "cid1", "typed-3");
    EXPECT_EQ(worker.run_once().sent, 3);
    EXPECT_EQ(row(slack).remote_id, "1.2");
    EXPECT_EQ(row(feishu).remote_id, "om_x");
    EXPECT_EQ(row(dingtalk).remote_id, "pqk");
}

TEST_F(FaultyPlatformTest, HungDestinationDoesNotHoldUpOtherChatsOrPlatforms) {
    // A client timeout far longer than the wait below: only sending to the others while the
    // hung request is still open can pass this test.
    HttpClient http = client_with_read_timeout(60s);
    auto all = senders(http);
    m_slack_proxy.add_rule(R"("channel":"CSLOW")", Fault::hang(), -1);
    const long long slow = enqueue("slack", "CSLOW", "stuck");  // the oldest row
    for (int i = 1; i <= 4; ++i) enqueue("slack", "C" + std::to_string(i), "flowing-" + std::to_string(i));
    enqueue("feishu", "oc_1", "flowing-feishu");
    enqueue("dingtalk", "cid1", "flowing-dingtalk");

    OutboxWorker worker(*m_store, m_clock, all->map(), options());
    worker.start();
    ASSERT_TRUE(m_slack_proxy.wait_for_hanging(1, 10s));
    EXPECT_TRUE(m_slack.wait_for(4, 10s));
    EXPECT_TRUE(m_feishu.wait_for(1, 10s));
    EXPECT_TRUE(m_dingtalk.wait_for(1, 10s));
    EXPECT_EQ(m_slack_proxy.hanging(), 1) << "the others went out only after the hung request ended";
    m_slack_proxy.release_hangs();  // the proxy closes it: the slow row's attempt fails
    worker.stop();
    EXPECT_EQ(m_slack.messages().size(), 4u);
    const auto stuck = row(slow);
    EXPECT_EQ(stuck.state, store::OutboxState::pending);
    EXPECT_EQ(stuck.attempts, 1);
    EXPECT_FALSE(stuck.last_error.empty());
}

// Random faults on every destination: every row ends sent (received exactly once) or dead
// (with its reason, logged, and listed by trackerctl), never anything else.
TEST_F(FaultyPlatformTest, UnderRandomFaultsEveryRowEndsSentOnceOrDeadAndListedNoneIsLost) {
    HttpClient http = client_with_read_timeout(300ms, /*max_idle_per_host=*/0);  // one request an attempt
    auto all = senders(http);
    OutboxWorker worker(*m_store, m_clock, all->map(), options());
    const auto cases = fault_cases();
    std::mt19937 random(20240607);
    struct Planned {
        long long id;
        std::string platform;
        std::string text;
        int failures;  // how many attempts the fault takes; >= max_attempts = dead
    };
    std::vector<Planned> planned;
    for (int i = 0; i < 36; ++i) {
        const FaultCase& c = cases[random() % cases.size()];
        if (c.match == k_feishu_token || c.match == k_dingtalk_token) continue;  // would hit every row of the platform
        const std::string destination = destination_for(c.platform, 500 + i);
        const int failures = static_cast<int>(random() % 5);
        if (failures > 0) proxy(c.platform).add_rule(destination, c.fault, failures);  // named in the body
        const std::string text = "mixed-" + std::to_string(i);
        planned.push_back({enqueue(c.platform, destination, text), c.platform, text, failures});
    }
    for (int pass = 0; pass < 20; ++pass) {
        worker.run_once();
        m_clock.advance_seconds(30);
    }
    auto pending = m_store->outbox(store::OutboxState::pending, 1000);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty()) << pending->size() << " rows still pending";

    std::string listed;
    {
        // Quoted: a PostgreSQL URI has ? and &.
        const std::string command = std::string(TRACKERCTL_BIN) + " --db '" + m_db + "' outbox --state dead 2>&1";
        FILE* pipe = ::popen(command.c_str(), "r");
        ASSERT_NE(pipe, nullptr);
        char buffer[4096];
        while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) listed.append(buffer, n);
        EXPECT_EQ(::pclose(pipe), 0) << listed;
    }
    int sent = 0, dead = 0;
    for (const Planned& p : planned) {
        SCOPED_TRACE(p.platform + " " + p.text + " failing " + std::to_string(p.failures) + " times");
        const auto message = row(p.id);
        if (p.failures >= k_max_attempts) {
            ++dead;
            EXPECT_EQ(message.state, store::OutboxState::dead);
            EXPECT_EQ(received(p.platform, p.text), 0);
            EXPECT_FALSE(message.last_error.empty());
            EXPECT_NE(log().find("outbox: dead id=" + std::to_string(p.id) + " "), std::string::npos);
            EXPECT_NE(listed.find(std::to_string(p.id) + "\tdead\t" + p.platform), std::string::npos) << listed;
            EXPECT_NE(listed.find(message.last_error), std::string::npos) << listed;
        } else {
            ++sent;
            EXPECT_EQ(message.state, store::OutboxState::sent);
            EXPECT_EQ(message.attempts, p.failures + 1);
            EXPECT_EQ(received(p.platform, p.text), 1);
        }
    }
    EXPECT_GT(sent, 0);
    EXPECT_GT(dead, 0);
}

}  // namespace
}  // namespace bot
