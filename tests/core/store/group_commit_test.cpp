// Group commit (core/store/group_commit.h) and Store::savepoint on a real SQLite file: results
// are released only after the commit (a second connection sees every write as soon as run()
// returns), a failing work item is undone alone, concurrent callers share transactions.

#include "core/store/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::TempDir;

std::unique_ptr<store::Store> open_store(const std::string& path) {
    auto store = store::Store::open(path);
    EXPECT_TRUE(store) << store.error().message;
    return store ? std::move(*store) : nullptr;
}

std::optional<std::string> state_of(store::Store& store, const std::string& key) {
    auto value = store.get_state(key);
    EXPECT_TRUE(value) << value.error().message;
    return value ? *value : std::nullopt;
}

// Waits (with a generous deadline, never asserting on speed) until `done` holds.
template <typename Predicate>
bool eventually(Predicate done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::yield();
    }
    return true;
}

TEST(StoreSavepointTest, AFailingSavepointUndoesOnlyItsOwnWrites) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    auto status = store->transaction([&]() -> core::Result<void> {
        EXPECT_TRUE(store->put_state("before", "1"));
        auto failed = store->savepoint([&]() -> core::Result<void> {
            EXPECT_TRUE(store->put_state("inside", "1"));
            return core::make_error(core::ErrorCode::invalid_argument, "refused");
        });
        EXPECT_FALSE(failed);
        EXPECT_EQ(failed.error().message, "refused");
        EXPECT_TRUE(store->savepoint([&] { return store->put_state("kept", "1"); }));
        return core::ok();
    });
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(state_of(*store, "before"), "1");
    EXPECT_EQ(state_of(*store, "inside"), std::nullopt);
    EXPECT_EQ(state_of(*store, "kept"), "1");
}

TEST(StoreSavepointTest, AFailedTransactionNestedInASavepointStaysInsideIt) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    auto status = store->transaction([&]() -> core::Result<void> {
        auto failed = store->savepoint([&]() -> core::Result<void> {
            // The nested failure is ignored by this body, yet it still undoes the savepoint ...
            (void)store->transaction([&]() -> core::Result<void> {
                EXPECT_TRUE(store->put_state("nested", "1"));
                return core::make_error(core::ErrorCode::conflict, "nested failure");
            });
            return core::ok();
        });
        EXPECT_FALSE(failed);
        return store->put_state("after", "1");  // ... and not the enclosing transaction
    });
    ASSERT_TRUE(status) << status.error().message;
    EXPECT_EQ(state_of(*store, "nested"), std::nullopt);
    EXPECT_EQ(state_of(*store, "after"), "1");
}

TEST(StoreSavepointTest, OutsideATransactionItRunsNothing) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    bool ran = false;
    auto refused = store->savepoint([&]() -> core::Result<void> {
        ran = true;
        return core::ok();
    });
    EXPECT_FALSE(refused);
    EXPECT_FALSE(ran);
}

TEST(GroupCommitTest, EveryCallerSeesItsWriteCommittedWhenRunReturns) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    store::GroupCommit commits(*store);
    constexpr int k_threads = 8;
    constexpr int k_each = 100;
    std::atomic<int> invisible{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < k_threads; ++t) {
        threads.emplace_back([&, t] {
            // Each thread reads through a connection of its own: only committed data is there.
            auto reader = store::Store::open(dir.file("t.db"));
            ASSERT_TRUE(reader);
            for (int i = 0; i < k_each; ++i) {
                std::string key = "k" + std::to_string(t) + "-" + std::to_string(i);
                auto done = commits.run([&] { return store->put_state(key, "v"); });
                ASSERT_TRUE(done) << done.error().message;
                auto seen = (*reader)->get_state(key);
                if (!seen || !*seen) ++invisible;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(invisible.load(), 0);
    auto counts = commits.counts();
    EXPECT_EQ(counts.items, k_threads * k_each);
    EXPECT_GE(counts.batches, 1);
    EXPECT_LE(counts.batches, counts.items);
    EXPECT_EQ(commits.waiting(), 0u);
}

TEST(GroupCommitTest, AFailingItemIsUndoneAloneWhileTheRestOfItsBatchCommits) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    store::GroupCommit commits(*store);
    constexpr int k_followers = 5;  // queue behind a leader held inside its work: one batch
    std::atomic<bool> release{false};
    std::thread leader([&] {
        auto done = commits.run([&]() -> core::Result<void> {
            while (!release.load()) std::this_thread::yield();
            return store->put_state("leader", "1");
        });
        EXPECT_TRUE(done);
    });
    ASSERT_TRUE(eventually([&] { return commits.waiting() == 1; }));
    std::vector<core::Result<void>> results(k_followers, core::ok());
    std::vector<std::thread> followers;
    for (int i = 0; i < k_followers; ++i) {
        followers.emplace_back([&, i] {
            results[static_cast<size_t>(i)] = commits.run([&, i]() -> core::Result<void> {
                auto written = store->put_state("f" + std::to_string(i), "1");
                if (!written) return written;
                if (i == 2) return core::make_error(core::ErrorCode::invalid_argument, "item 2 refused");
                return core::ok();
            });
        });
    }
    ASSERT_TRUE(eventually([&] { return commits.waiting() == 1 + k_followers; }));
    release = true;
    leader.join();
    for (auto& follower : followers) follower.join();

    EXPECT_EQ(commits.counts().batches, 2);  // the leader alone, then all five followers together
    for (int i = 0; i < k_followers; ++i) {
        const auto& result = results[static_cast<size_t>(i)];
        if (i == 2) {
            ASSERT_FALSE(result);
            EXPECT_EQ(result.error().message, "item 2 refused");
            EXPECT_EQ(state_of(*store, "f2"), std::nullopt);
        } else {
            EXPECT_TRUE(result) << i;
            EXPECT_EQ(state_of(*store, "f" + std::to_string(i)), "1");
        }
    }
    EXPECT_EQ(state_of(*store, "leader"), "1");
}

TEST(GroupCommitTest, ABatchThatCannotBeginFailsEveryCallerAndAppliesNothing) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    auto other = open_store(dir.file("t.db"));  // another writer holds the write lock ...
    store::GroupCommit commits(*store);
    std::atomic<bool> holding{false};
    std::atomic<bool> release{false};
    std::thread blocker([&] {
        (void)other->transaction([&]() -> core::Result<void> {
            holding = true;
            while (!release.load()) std::this_thread::yield();
            return core::ok();
        });
    });
    ASSERT_TRUE(eventually([&] { return holding.load(); }));
    // ... past the store's busy timeout: BEGIN IMMEDIATE fails, so the work reports busy.
    auto done = commits.run([&] { return store->put_state("never", "1"); });
    release = true;
    blocker.join();
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().code, core::ErrorCode::busy);
    EXPECT_EQ(state_of(*store, "never"), std::nullopt);
}

// The store's read cache (read_cache.h) under the group commit: lookups from many threads, some
// while a batch holds the connection, never see a value that was not committed at some point,
// and once a move has committed every lookup sees it.
TEST(GroupCommitTest, LookupsFromManyThreadsSeeOnlyCommittedPeopleAndTheLastOne) {
    TempDir dir;
    auto store = open_store(dir.file("t.db"));
    ASSERT_TRUE(store->upsert_person(core::Person{"a", "A", "", "U1", "", "", "", ""}));
    ASSERT_TRUE(store->upsert_person(core::Person{"b", "B", "", "", "", "", "", ""}));
    store::GroupCommit commits(*store);
    const core::ChangeSource by{"admin", "test", "", "", 1};
    std::atomic<bool> stop{false};
    std::atomic<int> wrong{0}, failed{0}, seen{0};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t)
        readers.emplace_back([&] {
            while (!stop) {
                auto holder = store->find_person_by_platform("slack", "U1");
                if (!holder) ++failed;
                else if (!*holder || ((*holder)->id != "a" && (*holder)->id != "b")) ++wrong;
                else ++seen;
            }
        });
    // The account moves between a and b, each move one work item; a failing item in between
    // moves it too and is undone.
    for (int i = 0; i < 200; ++i) {
        const std::string to = i % 2 == 0 ? "b" : "a";
        auto moved = commits.run([&]() -> core::Result<void> {
            if (auto r = store->unlink_account(to == "b" ? "a" : "b", "slack", by); !r) return r.error();
            return store->link_account(to, "slack", "U1", core::EntrySource::chat, by);
        });
        ASSERT_TRUE(moved) << moved.error().message;
        auto undone = commits.run([&]() -> core::Result<void> {
            (void)store->unlink_account(to, "slack", by);
            return core::make_error(core::ErrorCode::conflict, "injected failure");
        });
        ASSERT_FALSE(undone);
        auto now = store->find_person_by_platform("slack", "U1");
        ASSERT_TRUE(now && *now);
        EXPECT_EQ((*now)->id, to) << "after move " << i;
    }
    stop = true;
    for (auto& reader : readers) reader.join();
    EXPECT_EQ(wrong.load(), 0);
    EXPECT_EQ(failed.load(), 0);
    EXPECT_GT(seen.load(), 0);
}

}  // namespace
