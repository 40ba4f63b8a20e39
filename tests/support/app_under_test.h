#pragma once
// A base fixture for the end-to-end tests: the real App on 127.0.0.1 port 0 over a real SQLite
// file in a temporary directory (or, under TRACKERD_TEST_BACKEND=postgresql, a fresh database on
// the process's throw-away PostgreSQL server: support/backends.h), holding the demo campaign
// (project P1), on a fake clock set to k_start_unix. A suite says how the App is configured
// (make_config: usually base_config() plus its platform and chat) and reads what came of a test
// with task(), progress_entries() and the outbox helpers. The suite's fakes are its own members;
// TearDown stops the App before they go.
//
// Thread safety: for the test's thread; the App's threads share only m_clock (atomic).

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "bot/app.h"
#include "config/config.h"
#include "tests/support/backends.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace testing_support {

// 2023-11-14 22:13:20 UTC: when the protocol documents' sample requests are stamped, so the
// fixture's clock starts there and the demo is imported at that second.
inline constexpr long long k_start_unix = 1700000000;

class AppUnderTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_clock.set_unix(k_start_unix);
        m_db = m_dir.file("trackerd.db");
        if (test_backend() == Backend::postgresql) use_postgresql();
        // Skipped (no PostgreSQL server): m_db stays the empty file, so the suite's SetUp still
        // runs harmlessly before gtest skips the body.
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_EQ(import_demo(m_db, k_start_unix), "");
    }

    // Whether the App runs on PostgreSQL (m_db is a URI), for tests of a SQLite-only behaviour.
    bool on_postgresql() const { return store::Store::is_database_uri(m_db); }

    void TearDown() override {
        if (m_app) m_app->stop();
        m_app.reset();
    }

    // m_db becomes a fresh PostgreSQL database (or the test is skipped: support/pg_cluster.h).
    void use_postgresql() {
        TRACKERD_PG_OR_SKIP();
        m_db = PgCluster::shared().create_database();
    }

    // The configuration start() runs the App with.
    virtual config::Config make_config() = 0;

    // The database (file or URI), 127.0.0.1 and port 0; no platform, no chat.
    virtual config::Config base_config() const {
        config::Config config = config::default_config();
        config.database = m_db;
        config.host = "127.0.0.1";
        config.port = 0;
        return config;
    }

    // Binds the chat `chat_id` on `platform` to project P1.
    static void bind_chat(config::Config& config, const std::string& platform, const std::string& chat_id) {
        config::ChatConfig chat;
        chat.platform = platform;
        chat.chat_id = chat_id;
        chat.projects = {"P1"};
        config.chats.push_back(chat);
    }

    // Creates and starts the App on make_config() (or on `config`) and keeps its port in m_port.
    // A failure is fatal to the test; a caller that goes on wraps it in ASSERT_NO_FATAL_FAILURE.
    void start() { start(make_config()); }
    void start(const config::Config& config) {
        auto app = bot::App::create(config, m_clock);
        ASSERT_TRUE(app) << app.error().message;
        m_app = std::move(*app);
        auto port = m_app->start();
        ASSERT_TRUE(port) << port.error().message;
        m_port = *port;
    }

    // The task as stored now; an empty Task (and a failure) when there is none.
    core::Task task(const std::string& id) { return task("P1", id); }
    core::Task task(const std::string& project, const std::string& id) {
        auto found = m_app->store().find_task(id, {project});
        EXPECT_TRUE(found && *found) << id;
        return found && *found ? **found : core::Task{};
    }

    // Entries in P1's progress log for `id`, not counting the import's.
    size_t progress_entries(const std::string& id) {
        auto log = m_app->store().progress_log("P1", id);
        EXPECT_TRUE(log);
        size_t count = 0;
        if (log)
            for (const auto& entry : *log) count += entry.action != "import";
        return count;
    }

    // Attempts made on the first pending outbox row so far; 0 when none is pending.
    int outbox_attempts() {
        auto rows = m_app->store().outbox(store::OutboxState::pending, 10);
        return rows && !rows->empty() ? rows->front().attempts : 0;
    }

    // Lets the outbox worker run every pass it has due now, so no reply is still on its way.
    void drain_outbox() {
        for (int i = 0; i < 5; ++i) m_app->outbox().run_once();
    }

    TempDir m_dir;
    std::string m_db;  // a file in m_dir, or a postgresql:// URI
    FakeClock m_clock;
    std::unique_ptr<bot::App> m_app;
    int m_port = 0;
};

}  // namespace testing_support
