// Feishu custom bot pushes end to end through the outbox: FeishuOut::push writes the rows into
// the real Store on a temporary file, OutboxWorker::run_once() (driven by hand, FakeClock, no
// thread, no sleeps) hands them to the real FeishuSender and HttpClient, and the fake Feishu on
// 127.0.0.1 verifies the signature, the 20 KB limit and the 5/s and 100/min limits (§2.8).

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/feishu/feishu.h"
#include "bot/platforms/feishu/feishu_routes.h"
#include "bot/platforms/feishu/feishu_sender.h"
#include "bot/pipeline/outbox_worker.h"
#include "tests/support/backends.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/temp_dir.h"

namespace bot {
namespace {

using nlohmann::json;
using testing_support::FakeClock;
using testing_support::FakeFeishu;
using testing_support::TempDir;

constexpr const char* k_hook_token = "5e3702a8-custom-bot";
constexpr const char* k_secret = "custom-bot-secret-0123";
constexpr const char* k_chat = "oc_5ce6d572455d361153b7xx51da133945";
constexpr const char* k_zhang = "ou_84aad35d084aa403a838cf73ee18467";

core::ChatMessage card(const std::string& title, std::vector<std::string> sections) {
    core::ChatMessage message;
    message.title = title;
    message.sections = std::move(sections);
    message.fallback_text = message.joined_text();
    return message;
}

class FeishuWebhookTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_clock.set_unix(1700000000);
        m_feishu.add_custom_bot(k_hook_token, k_secret);
        // A file, or a PostgreSQL database under TRACKERD_TEST_BACKEND=postgresql.
        TRACKERD_BACKEND_OR_SKIP(testing_support::test_backend());
        m_db = testing_support::fresh_database(testing_support::test_backend(), m_dir, "trackerd.db");
        auto opened = store::Store::open(m_db);
        ASSERT_TRUE(opened) << opened.error().message;
        m_store = std::move(*opened);
        use_secret(k_secret);
    }

    void use_secret(const std::string& secret) {
        m_worker.reset();
        m_sender = std::make_unique<FeishuSender>(
            m_http, m_clock, "cli_unused", "unused", m_feishu.api_base(),
            std::map<std::string, std::string>{{url(), secret}});
        OutboxWorkerOptions options;
        options.jitter = 0;
        m_worker = std::make_unique<OutboxWorker>(
            *m_store, m_clock, std::map<std::string, Sender*>{{"feishu", m_sender.get()}}, options);
    }

    std::string url() const { return m_feishu.hook_url(k_hook_token); }

    // Enqueues the rows FeishuOut::push makes for the chat's custom bot; returns their ids.
    std::vector<long long> push(const core::ChatMessage& message, const std::string& dedup_key) {
        FeishuOut out;
        std::vector<long long> ids;
        for (const auto& row : out.push(message, PushTarget{k_chat, url()}, "digest", dedup_key,
                                        m_clock.now_unix())) {
            auto queued = m_store->enqueue(row);
            EXPECT_TRUE(queued) << queued.error().message;
            if (queued) ids.push_back(queued->id);
        }
        return ids;
    }

    store::OutboxMessage row(long long id) {
        auto rows = m_store->outbox(std::nullopt, 1000);
        EXPECT_TRUE(rows) << rows.error().message;
        if (rows)
            for (const auto& message : *rows)
                if (message.id == id) return message;
        ADD_FAILURE() << "no outbox row " << id;
        return {};
    }

    size_t pending() {
        auto rows = m_store->outbox(store::OutboxState::pending, 1000);
        EXPECT_TRUE(rows);
        return rows ? rows->size() : 0;
    }

    // Passes every 50 ms of fake time until nothing is pending (at most `limit` passes).
    void drain(int limit = 2000) {
        for (int i = 0; i < limit && pending() > 0; ++i) {
            m_worker->run_once();
            m_clock.set_unix_ms(m_clock.now_unix_ms() + 50);
        }
        EXPECT_EQ(pending(), 0u);
    }

    TempDir m_dir;
    std::string m_db;
    FakeClock m_clock;
    FakeFeishu m_feishu{"cli_unused", "unused", &m_clock};
    HttpClient m_http;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<FeishuSender> m_sender;
    std::unique_ptr<OutboxWorker> m_worker;
};

TEST_F(FeishuWebhookTest, PushedCardArrivesSignedAndVerified) {
    core::ChatMessage digest =
        card("每日简报 · 2023-11-15", {"**T003** 60% <at id=" + std::string(k_zhang) + "></at>"});
    digest.mention_user_ids = {k_zhang};
    digest.buttons = {{"Mark done", "task_done", "P1/T003"}};
    auto ids = push(digest, "digest:P1:2023-11-15");
    ASSERT_EQ(ids.size(), 1u);

    OutboxPass pass = m_worker->run_once();
    EXPECT_EQ(pass.sent, 1);
    auto messages = m_feishu.bot_messages();
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0].msg_type, "interactive");
    EXPECT_EQ(messages[0].timestamp, 1700000000);  // signed with the clock at send time
    json sent = json::parse(messages[0].card, nullptr, false);
    ASSERT_TRUE(sent.is_object()) << messages[0].card;
    EXPECT_EQ(sent["header"]["title"]["content"], "每日简报 · 2023-11-15");
    EXPECT_NE(messages[0].card.find(std::string("<at id=") + k_zhang + "></at>"),
              std::string::npos);
    EXPECT_EQ(row(ids[0]).state, store::OutboxState::sent);
    EXPECT_EQ(m_feishu.hook_refused_for_sign(), 0);
}

TEST_F(FeishuWebhookTest, WrongSecretMakesTheRowDeadWithAnErrorThatNamesNoSecret) {
    const std::string wrong = "wrong-secret-4567";
    use_secret(wrong);
    auto ids = push(card("Warning", {"T007 delayed 2 days"}), "warning:P1:T007");
    ASSERT_EQ(ids.size(), 1u);

    OutboxPass pass = m_worker->run_once();
    EXPECT_EQ(pass.dead, 1);
    store::OutboxMessage dead = row(ids[0]);
    EXPECT_EQ(dead.state, store::OutboxState::dead);
    EXPECT_NE(dead.last_error.find("19021"), std::string::npos) << dead.last_error;
    EXPECT_EQ(dead.last_error.find(wrong), std::string::npos) << dead.last_error;
    EXPECT_EQ(dead.last_error.find(k_secret), std::string::npos) << dead.last_error;
    EXPECT_EQ(dead.last_error.find(adapters::feishu::bot_sign(wrong, 1700000000)),
              std::string::npos);
    EXPECT_EQ(dead.last_error.find(k_hook_token), std::string::npos) << dead.last_error;

    m_clock.advance_seconds(3600);  // dead rows are not tried again
    m_worker->run_once();
    EXPECT_EQ(m_feishu.hook_refused_for_sign(), 1);
    EXPECT_TRUE(m_feishu.bot_messages().empty());
}

TEST_F(FeishuWebhookTest, TwelvePushesToOneBotArriveInOrderNeverMoreThanFiveInAnySecond) {
    for (int i = 0; i < 12; ++i)
        ASSERT_EQ(push(card("Push " + std::to_string(i), {"T00" + std::to_string(i % 10)}),
                       "push:" + std::to_string(i))
                      .size(),
                  1u);
    drain();

    auto messages = m_feishu.bot_messages();
    ASSERT_EQ(messages.size(), 12u);
    EXPECT_EQ(m_feishu.hook_throttled(), 0);  // the worker paced them; Feishu never had to refuse
    for (size_t i = 0; i < messages.size(); ++i) {
        EXPECT_EQ(json::parse(messages[i].card)["header"]["title"]["content"],
                  "Push " + std::to_string(i));
        size_t in_second = 0;
        for (const auto& other : messages)
            if (other.received_ms >= messages[i].received_ms &&
                other.received_ms < messages[i].received_ms + 1000)
                ++in_second;
        EXPECT_LE(in_second, 5u) << "the second starting at message " << i;
    }
}

TEST_F(FeishuWebhookTest, ThrottledWithRatelimitResetWaitsThatLong) {
    m_feishu.throttle_next_hooks(1, 7);  // HTTP 429, x-ogw-ratelimit-reset: 7
    auto ids = push(card("Escalation", {"T003 is 3 days late"}), "escalation:P1:T003");
    ASSERT_EQ(ids.size(), 1u);

    EXPECT_EQ(m_worker->run_once().retried, 1);
    EXPECT_EQ(row(ids[0]).next_attempt_at, 1700000000 + 7);
    m_clock.advance_seconds(6);
    EXPECT_EQ(m_worker->run_once().sent, 0);
    EXPECT_TRUE(m_feishu.bot_messages().empty());
    m_clock.advance_seconds(1);
    EXPECT_EQ(m_worker->run_once().sent, 1);
    ASSERT_EQ(m_feishu.bot_messages().size(), 1u);
    EXPECT_EQ(m_feishu.bot_messages()[0].timestamp, 1700000007);  // signed again, with the new time
    EXPECT_EQ(m_feishu.hook_throttled(), 1);
}

TEST_F(FeishuWebhookTest, LongDigestIsSplitAtPushTimeAndEveryPartFitsTheBotLimit) {
    std::vector<std::string> sections;
    for (int i = 0; i < 300; ++i)
        sections.push_back("**T" + std::to_string(100 + i) + "** 营销活动素材准备 " +
                           std::string(150, 'x'));
    auto ids = push(card("每日简报", sections), "digest:long");
    ASSERT_GT(ids.size(), 2u);
    drain();

    auto messages = m_feishu.bot_messages();
    ASSERT_EQ(messages.size(), ids.size());  // the fake refuses bodies over 20 KB
    std::string all;
    for (size_t i = 0; i < messages.size(); ++i) {
        json part = json::parse(messages[i].card);
        EXPECT_EQ(part["header"]["title"]["content"], "每日简报 (" + std::to_string(i + 1) + "/" +
                                                          std::to_string(messages.size()) + ")");
        all += messages[i].card;
    }
    for (int i = 0; i < 300; ++i)
        EXPECT_NE(all.find("T" + std::to_string(100 + i) + "**"), std::string::npos) << i;
}

// A card whose unsigned custom-bot body is at most `bytes` long and within a padding byte's
// worth of it (the padding shows in the card and in its text, so each byte may count more than once).
core::ChatMessage card_of_bot_body(size_t bytes) {
    auto padded = [](size_t pad) {
        core::ChatMessage message = card("Warning", {"**T007** delayed 2 days", std::string(pad, 'x')});
        return message;
    };
    auto size = [&](size_t pad) { return adapters::feishu::render_bot_webhook(padded(pad), "", 0).size(); };
    const size_t per_byte = size(2) - size(1);  // from 1: an empty section renders differently
    return padded(1 + (bytes - size(1)) / per_byte);
}

TEST_F(FeishuWebhookTest, CardThatFitsOnlyUnsignedIsSplitSoTheSignedPartsFit) {
    // The timestamp and sign added at send time would take the whole card over 20 KB.
    core::ChatMessage message = card_of_bot_body(adapters::feishu::k_bot_body_limit - 20);
    ASSERT_GT(adapters::feishu::render_bot_webhook(message, "", 0).size(), adapters::feishu::k_bot_body_limit - 30);
    auto ids = push(message, "warning:near-limit");
    ASSERT_GE(ids.size(), 2u);
    drain();
    ASSERT_EQ(m_feishu.bot_messages().size(), ids.size());  // the fake refuses bodies over 20 KB
    for (long long id : ids) EXPECT_EQ(row(id).state, store::OutboxState::sent) << row(id).last_error;
}

TEST_F(FeishuWebhookTest, CardThatFitsSignedIsOneRowRenderedAsSent) {
    core::ChatMessage message = card_of_bot_body(adapters::feishu::k_bot_body_limit - adapters::feishu::k_bot_sign_bytes);
    ASSERT_GT(adapters::feishu::render_bot_webhook(message, "", 0).size() + 10,
              adapters::feishu::k_bot_body_limit - adapters::feishu::k_bot_sign_bytes);
    auto ids = push(message, "warning:at-limit");
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(row(ids[0]).body, adapters::feishu::render_bot_webhook(message, "", 0));
    drain();
    ASSERT_EQ(m_feishu.bot_messages().size(), 1u);
    EXPECT_EQ(row(ids[0]).state, store::OutboxState::sent) << row(ids[0]).last_error;
}

}  // namespace
}  // namespace bot
