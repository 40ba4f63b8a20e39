#pragma once
// A fixture for the dispatcher suites: the demo campaign with an approver for T004 (小红) in a
// real SQLite file, and a way to say a message as one of its people on the demo's day.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bot/pipeline/dispatcher.h"
#include "tests/support/demo_data.h"
#include "tests/support/temp_dir.h"

namespace testing_support {

class DemoDispatcherTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(import_demo(m_dir.file("t.db"), 1, demo_with_approver()), "");
        auto store = store::Store::open(m_dir.file("t.db"));
        ASSERT_TRUE(store) << store.error().message;
        m_store = std::move(*store);
    }

    // Dispatches `text` from `person` (looked up by id or name; unknown: an unlinked sender) on
    // 2024-03-23 with the rest of `context` as given; the change's source is the sender's.
    bot::DispatchResult say_as(const std::string& person, const std::string& text, bot::DispatchContext context) {
        auto found = m_store->find_person(person);
        EXPECT_TRUE(found);
        if (found && *found) context.sender = **found;
        context.today = core::make_date(2024, 3, 23);
        context.source.person_id = context.sender.id;
        bot::Dispatcher dispatcher(*m_store);
        auto result = dispatcher.handle(text, context);
        EXPECT_TRUE(result) << result.error().message;
        return result ? *result : bot::DispatchResult{};
    }

    TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
};

}  // namespace testing_support
