// The background WAL checkpointer (core/store/checkpointer.h) on a real SQLite file: it copies
// the WAL into the database while the store's connection goes on committing, lets a WAL that
// grew past its limit start over, and loses nothing either way.

#include "core/store/checkpointer.h"

#include <gtest/gtest.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::TempDir;

std::unique_ptr<store::Store> open_store(const std::string& path) {
    auto store = store::Store::open(path);
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return nullptr;
    EXPECT_TRUE((*store)->set_auto_checkpoint(0));  // as trackerd runs it: only the checkpointer checkpoints
    return std::move(*store);
}

long long wal_bytes(const std::string& db) {
    std::error_code ec;
    auto size = std::filesystem::file_size(db + "-wal", ec);
    return ec ? -1 : static_cast<long long>(size);
}

// Every key0..key{n-1} has its value, read by a connection of its own; and the file is sound.
void expect_all_there(const std::string& db, int n, const std::string& value) {
    SQLite::Database check(db, SQLite::OPEN_READONLY);
    EXPECT_EQ(check.execAndGet("PRAGMA integrity_check").getString(), "ok");
    SQLite::Statement count(check, "SELECT count(*) FROM state WHERE key LIKE 'key%' AND value = ?1");
    count.bind(1, value);
    ASSERT_TRUE(count.executeStep());
    EXPECT_EQ(count.getColumn(0).getInt(), n);
}

// A pass between two commits copies the whole WAL, and the next commit starts it over: the
// file stops growing (without the checkpointer it holds every commit: the next test).
TEST(CheckpointerTest, PassesBetweenCommitsLetTheWalStartOverAndItsFileStaysBounded) {
    TempDir dir;
    const std::string db = dir.file("t.db");
    auto store = open_store(db);
    store::CheckpointerOptions options;
    options.restart_at_frames = 64;
    auto checkpointer = store::Checkpointer::open(db, options);
    ASSERT_TRUE(checkpointer) << checkpointer.error().message;
    const int n = 1000;
    for (int i = 0; i < n; ++i) {
        ASSERT_TRUE(store->put_state("key" + std::to_string(i), std::string(1000, 'w')));
        if (i % 50 == 49) {
            ASSERT_TRUE((*checkpointer)->run_once());
        }
    }
    auto stats = (*checkpointer)->stats();
    EXPECT_EQ(stats.restarts, 0);  // every pass copied everything: nothing to finish
    EXPECT_EQ(stats.failures, 0);
    // ~2 pages per commit: 1,000 commits would be ~8 MB of WAL; 50 commits' worth is under 1 MB.
    EXPECT_LT(wal_bytes(db), 1024 * 1024);
    expect_all_there(db, n, std::string(1000, 'w'));
}

// A pass that could not copy everything (here a reader of another connection holds an old
// snapshot, as the writer's next commits do under load) finishes on the writer's connection
// once the WAL is over its limit; once nothing holds frames back, the WAL starts over.
TEST(CheckpointerTest, APassThatLeftFramesInAWalOverItsLimitIsFinished) {
    for (bool on_writer : {true, false}) {
        SCOPED_TRACE(on_writer ? "finished on the writer's connection" : "RESTART on its own connection");
        TempDir dir;
        const std::string db = dir.file("t.db");
        auto store = open_store(db);
        int finishes = 0;
        store::CheckpointerOptions options;
        options.restart_at_frames = 64;
        if (on_writer)
            options.finish = [&] {
                ++finishes;
                return store->checkpoint_wal();
            };
        auto checkpointer = store::Checkpointer::open(db, options);
        ASSERT_TRUE(checkpointer) << checkpointer.error().message;
        for (int i = 0; i < 50; ++i) ASSERT_TRUE(store->put_state("key" + std::to_string(i), std::string(1000, 'r')));
        {
            SQLite::Database reader(db, SQLite::OPEN_READONLY);
            SQLite::Transaction snapshot(reader);  // deferred: the snapshot is taken by the first read
            EXPECT_EQ(reader.execAndGet("SELECT count(*) FROM state WHERE key LIKE 'key%'").getInt(), 50);
            for (int i = 50; i < 150; ++i)
                ASSERT_TRUE(store->put_state("key" + std::to_string(i), std::string(1000, 'r')));
            ASSERT_TRUE((*checkpointer)->run_once());
            EXPECT_EQ((*checkpointer)->stats().restarts, 1);
            EXPECT_EQ(finishes, on_writer ? 1 : 0);
        }
        ASSERT_TRUE((*checkpointer)->run_once());  // the reader is gone: all copied, nothing to finish
        EXPECT_EQ((*checkpointer)->stats().restarts, 1);
        ASSERT_TRUE(store->put_state("after", "1"));  // starts the WAL over
        ASSERT_TRUE((*checkpointer)->run_once());
        EXPECT_LT((*checkpointer)->stats().wal_frames, 8);
        EXPECT_EQ((*checkpointer)->stats().failures, 0);
        expect_all_there(db, 150, std::string(1000, 'r'));
    }
}

TEST(CheckpointerTest, WithoutItTheWalHoldsEveryCommit) {
    TempDir dir;
    const std::string db = dir.file("t.db");
    auto store = open_store(db);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(store->put_state("key" + std::to_string(i), std::string(1000, 'w')));
    EXPECT_GT(wal_bytes(db), 4 * 1024 * 1024);  // the baseline the test above bounds
}

TEST(CheckpointerTest, CopiesTheWalWhileTheWriterCommitsWithoutPauseAndLosesNothing) {
    TempDir dir;
    const std::string db = dir.file("t.db");
    auto store = open_store(db);
    store::CheckpointerOptions options;
    options.restart_at_frames = 64;
    options.interval = std::chrono::milliseconds(1);  // its first pass may find the WAL empty
    options.busy_interval = std::chrono::milliseconds(1);
    options.finish = [&] { return store->checkpoint_wal(); };
    auto checkpointer = store::Checkpointer::open(db, options);
    ASSERT_TRUE(checkpointer) << checkpointer.error().message;
    (*checkpointer)->start();
    const int n = 2000;
    std::atomic<int> failed{0};
    std::thread writer([&] {
        for (int i = 0; i < n; ++i)
            if (!store->put_state("key" + std::to_string(i), std::string(1000, 'x'))) ++failed;
    });
    writer.join();
    (*checkpointer)->stop();
    EXPECT_EQ(failed.load(), 0);
    auto stats = (*checkpointer)->stats();
    EXPECT_GT(stats.passes, 1);
    EXPECT_GT(stats.frames_copied, 0);
    EXPECT_EQ(stats.failures, 0);
    // How far the WAL got, and whether a pass had to be finished, depends on how the two
    // threads were scheduled (both are checked deterministically above); what must hold
    // whatever the timing: nothing is lost.
    expect_all_there(db, n, std::string(1000, 'x'));
}

TEST(CheckpointerTest, ASmallWalIsCheckpointedButNotFinished) {
    TempDir dir;
    const std::string db = dir.file("t.db");
    auto store = open_store(db);
    auto checkpointer = store::Checkpointer::open(db);  // 64 MB limit
    ASSERT_TRUE(checkpointer);
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->put_state("key" + std::to_string(i), "s"));
    ASSERT_TRUE((*checkpointer)->run_once());
    auto stats = (*checkpointer)->stats();
    EXPECT_EQ(stats.passes, 1);
    EXPECT_EQ(stats.restarts, 0);
    EXPECT_GT(stats.frames_copied, 0);
    expect_all_there(db, 20, "s");
}

// Nothing committed since the last pass: the daemon is idle, and both connections give back
// their page cache (what an idle trackerd held, ~2 MB), read again from the OS when needed.
TEST(CheckpointerTest, WhenNothingWasCommittedSinceTheLastPassThePageCachesAreGivenBack) {
    TempDir dir;
    const std::string db = dir.file("t.db");
    auto store = open_store(db);
    ASSERT_TRUE(store->transaction([&]() -> core::Result<void> {
        for (int i = 0; i < 3000; ++i)
            if (auto put = store->put_state("key" + std::to_string(i), std::string(1000, 'c')); !put) return put;
        return core::ok();
    }));
    expect_all_there(db, 3000, std::string(1000, 'c'));
    for (int i = 0; i < 3000; i += 7) ASSERT_TRUE(store->get_state("key" + std::to_string(i)));  // the cache is full
    const long long before = sqlite3_memory_used();

    std::atomic<int> idle{0};
    store::CheckpointerOptions options;
    options.interval = std::chrono::milliseconds(10);
    options.busy_interval = std::chrono::milliseconds(10);
    options.on_idle = [&] {
        store->release_memory();
        ++idle;
    };
    auto checkpointer = store::Checkpointer::open(db, options);
    ASSERT_TRUE(checkpointer) << checkpointer.error().message;
    (*checkpointer)->start();
    for (int i = 0; i < 500 && idle < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    (*checkpointer)->stop();
    ASSERT_GE(idle.load(), 2);  // the first pass copied the WAL; the next found nothing new
    // The writer's page cache is 1 MB (sqlite_connection.cpp), full here: most of it goes back.
    EXPECT_LT(sqlite3_memory_used(), before - 512 * 1024) << "before " << before;
    auto still = store->get_state("key2999");  // and the data reads as before
    ASSERT_TRUE(still && *still);
    EXPECT_EQ(**still, std::string(1000, 'c'));
}

TEST(CheckpointerTest, RefusesADatabaseThatIsNotAFile) {
    auto memory = store::Checkpointer::open(":memory:");
    ASSERT_FALSE(memory);
    EXPECT_EQ(memory.error().code, core::ErrorCode::invalid_argument);
    TempDir dir;
    auto missing = store::Checkpointer::open(dir.file("none.db"));  // never created by a store
    EXPECT_FALSE(missing);
}

}  // namespace
