// InboundHandler under concurrent deliveries (group commit): every delivery is applied and
// answered exactly once even when the same delivery arrives on several threads at once, and a
// delivery that fails does not take the others of its transaction with it.

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/slack/slack_routes.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::FakeClock;
using testing_support::TempDir;

constexpr const char* k_chat = "C0BENCH01";
constexpr const char* k_owner = "U0XIAOMING";  // 小明, who owns T003 in the demo campaign

class InboundConcurrencyTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_clock.set_unix(1711152000);  // 2024-03-23
        ASSERT_EQ(testing_support::import_demo(m_dir.file("t.db"), 1), "");
        auto store = store::Store::open(m_dir.file("t.db"));
        ASSERT_TRUE(store) << store.error().message;
        m_store = std::move(*store);
        ASSERT_TRUE(m_store->upsert_person(core::Person{"小明", "小明", "市场部", k_owner, "", "", "", ""}));
        m_handler = std::make_unique<bot::InboundHandler>(
            *m_store, m_clock,
            [](const std::string&, const std::string&) {
                bot::ChatSettings chat;
                chat.known = true;
                chat.projects = {"P1"};
                return chat;
            },
            bot::InboundOptions{});
    }

    adapters::InboundMessage message(int i) const {
        adapters::InboundMessage m;
        m.platform = "slack";
        m.dedup_key = "Ev" + std::to_string(i);
        m.chat_id = k_chat;
        m.sender_id = k_owner;
        m.message_id = "1711152000." + std::to_string(100000 + i);
        m.text = "update T003 " + std::to_string(1 + i % 98) + "% delivery " + std::to_string(i);
        return m;
    }

    size_t progress_entries() {
        auto log = m_store->progress_log("P1", "T003");
        EXPECT_TRUE(log);
        size_t count = 0;
        for (const auto& entry : *log)
            if (entry.action == "progress") ++count;
        return count;
    }

    TempDir m_dir;
    FakeClock m_clock;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<bot::InboundHandler> m_handler;
    bot::SlackOut m_out;
};

TEST_F(InboundConcurrencyTest, TheSameDeliveriesOnEightThreadsAreEachAppliedAndAnsweredOnce) {
    constexpr int k_threads = 8;
    constexpr int k_deliveries = 60;
    std::vector<std::atomic<int>> applied(k_deliveries);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            for (int n = 0; n < k_deliveries; ++n) {
                int i = (n + t * 7) % k_deliveries;  // threads race on the same keys in different orders
                auto result = m_handler->handle(message(i), m_out);
                if (!result) {
                    ++failures;
                    continue;
                }
                if (!result->duplicate) {
                    ++applied[static_cast<size_t>(i)];
                    EXPECT_TRUE(result->changed);
                    EXPECT_GT(result->outbox_id, 0);
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    for (int i = 0; i < k_deliveries; ++i) EXPECT_EQ(applied[static_cast<size_t>(i)].load(), 1) << "delivery " << i;
    EXPECT_EQ(progress_entries(), static_cast<size_t>(k_deliveries));
    auto replies = m_store->outbox(std::nullopt, 1000);
    ASSERT_TRUE(replies);
    EXPECT_EQ(replies->size(), static_cast<size_t>(k_deliveries));
}

TEST_F(InboundConcurrencyTest, ARefusedCommandInTheCrowdLeavesTheOthersApplied) {
    // Not the owner: answered with a refusal, nothing changed — while its neighbours apply.
    ASSERT_TRUE(m_store->upsert_person(core::Person{"小李", "小李", "市场部", "U0XIAOLI", "", "", "", ""}));
    constexpr int k_threads = 6;
    constexpr int k_each = 20;
    std::atomic<int> changed{0}, refused{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            for (int n = 0; n < k_each; ++n) {
                adapters::InboundMessage m = message(t * k_each + n);
                bool stranger = n % 4 == 0;
                if (stranger) m.sender_id = "U0XIAOLI";
                auto result = m_handler->handle(m, m_out);
                if (!result) ++failures;
                else if (result->changed) ++changed;
                else if (stranger) ++refused;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(refused.load(), k_threads * k_each / 4);
    EXPECT_EQ(changed.load(), k_threads * k_each * 3 / 4);
    EXPECT_EQ(progress_entries(), static_cast<size_t>(changed.load()));
}

}  // namespace
