// Several replicas on one PostgreSQL database (a real server the test starts): each replica's
// OutboxWorker on its own connection, sending only the destinations whose lease it holds, with
// the pacing and the rate windows carried from one holder to the next. And the scheduler's
// leadership: one replica at a time, the next one taking over when the holder goes.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bot/pipeline/outbox_worker.h"
#include "core/store/leadership.h"
#include "core/store/pg_connection.h"
#include "core/store/store.h"
#include "tests/support/fake_clock.h"
#include "tests/support/pg_cluster.h"

namespace bot {
namespace {

using testing_support::FakeClock;

// What every replica's sender delivered, in order: (replica, row id, clock ms).
struct Deliveries {
    struct Delivery {
        std::string replica;
        long long id;
        long long at_ms;
        std::string destination;
    };
    std::mutex mutex;
    std::vector<Delivery> all;
};

class RecordingSender final : public Sender {
public:
    RecordingSender(std::string replica, Deliveries& deliveries, const core::Clock& clock)
        : m_replica(std::move(replica)), m_deliveries(deliveries), m_clock(clock) {}
    SendOutcome send(const store::OutboxMessage& message) override {
        std::lock_guard lock(m_deliveries.mutex);
        m_deliveries.all.push_back({m_replica, message.id, m_clock.now_unix_ms(), message.destination});
        SendOutcome outcome;
        outcome.kind = SendOutcome::Kind::sent;
        return outcome;
    }

private:
    std::string m_replica;
    Deliveries& m_deliveries;
    const core::Clock& m_clock;
};

struct Replica {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<RecordingSender> sender;
    std::unique_ptr<OutboxWorker> worker;
};

class OutboxClusterTest : public ::testing::Test {
protected:
    void SetUp() override {
        TRACKERD_PG_OR_SKIP();
        m_uri = testing_support::PgCluster::shared().create_database();
    }

    Replica replica(const std::string& name, OutboxWorkerOptions options = {}) {
        Replica r;
        auto opened = store::Store::open(m_uri);
        EXPECT_TRUE(opened) << opened.error().message;
        if (!opened) return r;
        r.store = std::move(*opened);
        r.sender = std::make_unique<RecordingSender>(name, m_deliveries, m_clock);
        options.lease_holder = name;
        options.jitter = 0;
        options.max_parallel_sends = 1;
        r.worker = std::make_unique<OutboxWorker>(*r.store, m_clock,
                                                  std::map<std::string, Sender*>{{"dingtalk", r.sender.get()},
                                                                                 {"slack", r.sender.get()}},
                                                  std::move(options));
        return r;
    }

    void enqueue(store::Store& store, const std::string& platform, const std::string& channel,
                 const std::string& destination, int count) {
        for (int i = 0; i < count; ++i) {
            store::OutboxMessage message;
            message.platform = platform;
            message.channel = channel;
            message.destination = destination;
            message.kind = "reply";
            message.body = "{}";
            message.dedup_key = "cluster:" + std::to_string(++m_enqueued);
            message.created_at = m_clock.now_unix();
            message.next_attempt_at = m_clock.now_unix();
            auto queued = store.enqueue(message);
            ASSERT_TRUE(queued) << queued.error().message;
        }
    }

    std::string m_uri;
    FakeClock m_clock;
    Deliveries m_deliveries;
    int m_enqueued = 0;
};

TEST_F(OutboxClusterTest, EachRowIsSentOnceByTheReplicaHoldingItsDestination) {
    // Unpaced, and both workers' threads running at once: without the leases both would read
    // the same pending rows and send them twice.
    OutboxWorkerOptions unpaced;
    unpaced.pacing.clear();
    unpaced.windows.clear();
    unpaced.min_pass_interval = std::chrono::milliseconds(1);
    unpaced.idle_wait = std::chrono::milliseconds(5);
    Replica a = replica("a", unpaced), b = replica("b", unpaced);
    ASSERT_TRUE(a.worker && b.worker);
    for (int d = 0; d < 6; ++d) enqueue(*a.store, "slack", "api", "C" + std::to_string(d), 40);
    a.worker->start();
    b.worker->start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (a.store->outbox_stats()->pending > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    a.worker->stop();
    b.worker->stop();
    std::set<long long> ids;
    std::map<std::string, std::set<std::string>> senders_of;
    for (const auto& d : m_deliveries.all) {
        EXPECT_TRUE(ids.insert(d.id).second) << "row " << d.id << " sent twice";
        senders_of[d.destination].insert(d.replica);
    }
    EXPECT_EQ(ids.size(), 240u);
    EXPECT_EQ(a.store->outbox_stats()->pending, 0);
    EXPECT_EQ(a.store->outbox_stats()->sent, 240);
    // The fake clock stands still, so no lease lapses: a destination stays with its first holder.
    for (const auto& [destination, replicas] : senders_of) EXPECT_EQ(replicas.size(), 1u) << destination;
}

TEST_F(OutboxClusterTest, ADingTalkRobotGetsAtMostTwentyAMinuteFromTheWholeCluster) {
    Replica a = replica("a"), b = replica("b"), c = replica("c");
    ASSERT_TRUE(a.worker && b.worker && c.worker);
    const std::string robot = "https://oapi.dingtalk.com/robot/send?access_token=cluster";
    enqueue(*a.store, "dingtalk", "webhook", robot, 45);
    std::vector<Replica*> replicas{&a, &b, &c};
    // Three minutes in 500 ms steps; the lease (30 s) lapses whenever its holder stops passing,
    // so the destination moves between replicas: a is stopped after the first minute.
    for (int step = 0; step < 360; ++step) {
        for (Replica* r : replicas) {
            if (r == &a && step >= 120) continue;  // replica a is gone after the first minute
            r->worker->run_once();
        }
        m_clock.set_unix_ms(m_clock.now_unix_ms() + 500);
    }
    std::vector<long long> times;
    std::set<std::string> senders;
    for (const auto& d : m_deliveries.all) {
        times.push_back(d.at_ms);
        senders.insert(d.replica);
    }
    ASSERT_GE(times.size(), 40u) << "the rows went out";
    for (size_t i = 20; i < times.size(); ++i)
        EXPECT_GT(times[i] - times[i - 20], 60000) << "21 requests within a minute, the 21st at " << i;
    for (size_t i = 1; i < times.size(); ++i) EXPECT_GE(times[i] - times[i - 1], 3000) << "DingTalk's 3 s pacing";
    EXPECT_GE(senders.size(), 2u) << "the lease moved to another replica once a stopped";
}

TEST_F(OutboxClusterTest, RowsOfAReplicaThatDiedHoldingTheLeaseAreSentByAnotherAfterTheLease) {
    Replica a = replica("a"), b = replica("b");
    ASSERT_TRUE(a.worker && b.worker);
    enqueue(*a.store, "slack", "api", "C1", 1);
    // a takes the lease and "dies" before its send (it never runs again): the lease is taken,
    // the row still pending.
    auto taken = a.store->take_lease(std::string("slack") + '\x1f' + "C1", "a", m_clock.now_unix_ms(), 30000);
    ASSERT_TRUE(taken && taken->has_value());
    b.worker->run_once();
    EXPECT_TRUE(m_deliveries.all.empty()) << "b waits while a's lease runs";
    m_clock.advance_seconds(31);
    b.worker->run_once();
    ASSERT_EQ(m_deliveries.all.size(), 1u);
    EXPECT_EQ(m_deliveries.all[0].replica, "b");
    EXPECT_EQ(b.store->outbox_stats()->sent, 1);
}

TEST(LeadershipTest, OneReplicaLeadsAndAnotherTakesOverWhenItGoes) {
    TRACKERD_PG_OR_SKIP();
    const std::string uri = testing_support::PgCluster::shared().create_database();
    ASSERT_TRUE(store::Store::open(uri));
    store::Leadership a(uri), b(uri), c(uri);
    EXPECT_TRUE(a.lead());
    EXPECT_FALSE(b.lead());
    EXPECT_FALSE(c.lead());
    EXPECT_TRUE(a.lead()) << "the holder keeps it";
    EXPECT_TRUE(a.leading());
    a.resign();  // the process died: its session ended
    bool b_leads = false, c_leads = false;
    // The server frees the lock when a's backend has gone, a moment after the session closed.
    for (int i = 0; i < 500 && !b_leads && !c_leads; ++i) {
        b_leads = b.lead();
        c_leads = c.lead();
        if (!b_leads && !c_leads) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_NE(b_leads, c_leads) << "exactly one of the others";
    EXPECT_FALSE(a.lead()) << "a comes back as a standby";
}

TEST(LeadershipTest, TheLeaderStepsDownWhenTheServerGoesAndOneLeadsAgainAfter) {
    TRACKERD_PG_OR_SKIP();
    auto& cluster = testing_support::PgCluster::shared();
    const std::string uri = cluster.create_database();
    ASSERT_TRUE(store::Store::open(uri));
    store::Leadership a(uri), b(uri);
    ASSERT_TRUE(a.lead());
    ASSERT_FALSE(b.lead());
    cluster.restart();  // every session cut: the lock is gone with a's
    EXPECT_FALSE(a.lead()) << "its session broke: it cannot know it still leads";
    EXPECT_FALSE(a.last_error().empty());
    const bool a_leads = a.lead();
    const bool b_leads = b.lead();
    EXPECT_NE(a_leads, b_leads) << "one of them leads again";
}

TEST(LeadershipTest, ALeaderWhoseSessionTheServerEndedStepsDownAndAnotherLeads) {
    TRACKERD_PG_OR_SKIP();
    const std::string uri = testing_support::PgCluster::shared().create_database();
    ASSERT_TRUE(store::Store::open(uri));
    store::Leadership a(uri), b(uri);
    ASSERT_TRUE(a.lead());
    // An operator (or the server's idle timeout) ends a's session: the lock goes with it.
    auto admin = store::sql::connect_postgresql(uri);
    auto terminated = admin->prepare(
        "WITH holders AS MATERIALIZED (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"
        " SELECT count(*) FROM holders WHERE pg_terminate_backend(pid)");
    ASSERT_TRUE(terminated->executeStep());
    ASSERT_EQ(terminated->column_int64(0), 1);
    terminated.reset();
    for (int i = 0; i < 500 && !b.lead(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    EXPECT_TRUE(b.leading()) << "another takes it once the server freed it";
    EXPECT_FALSE(a.lead()) << "never two leaders: a finds its session gone";
    EXPECT_FALSE(a.lead()) << "and, on a new session, finds the lock taken";
}

TEST(LeadershipTest, ASQLiteFileAlwaysLeads) {
    store::Leadership file("/tmp/never-opened.db");
    EXPECT_TRUE(file.lead());
    EXPECT_TRUE(file.leading());
}

}  // namespace
}  // namespace bot
