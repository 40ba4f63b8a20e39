// The demo campaign's three simulated weeks (campaign.h) on three replicas sharing one
// PostgreSQL database (a real server the test starts): each replica its own store connection,
// outbox worker (sending only under its destination leases), scheduler gated by its own
// store::Leadership, and inbound handler; the team's lines land on a random live replica. The
// scheduler's holder is killed at random moments (and twice at chosen ones: just before a
// morning's digest and just after its pass queued the digest but before any worker sent it),
// other replicas are killed too, and each comes back a few steps later. Everything the fake
// Slack received must be what the single node sends — the golden file, entry for entry: no
// digest, warning or escalation lost or sent twice across the failovers.
//
// A "kill" drops the replica's objects without stopping anything further: what it committed
// stays, what it had not is gone, and its database sessions close (as a SIGKILL closes its
// sockets) so its leadership and its leases go with it. The test waits until the server has
// freed the dead holder's lock (a probe takes and gives it back) so the next leader takes over
// at the next step, as the daemon's does within one tick of the lock coming free.
//
// TRACKERD_CAMPAIGN_SEED=N replays a kill schedule (the seed is printed).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <thread>

#include "core/store/leadership.h"
#include "core/store/pg_connection.h"
#include "tests/integration/campaign.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_slack.h"
#include "tests/support/pg_cluster.h"

namespace {

using namespace campaign;
using testing_support::FakeClock;
using testing_support::FakeSlack;

struct Replica {
    std::string name;
    std::unique_ptr<Daemon> daemon;  // null while it is down
    std::unique_ptr<store::Leadership> leadership;
    int back_at_step = -1;  // when down: the step it restarts at
};

// The transcript's entries ("== <local time> · <where>\n<message>"), sorted: several replicas
// send the same minute's messages to different destinations in any order.
std::vector<std::string> entries(const std::string& transcript) {
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = transcript.find("== ", at)) != std::string::npos) {
        size_t next = transcript.find("\n== ", at + 3);
        out.push_back(transcript.substr(at, next == std::string::npos ? std::string::npos : next + 1 - at));
        if (next == std::string::npos) break;
        at = next + 1;
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t seed_from_env() {
    if (const char* text = std::getenv("TRACKERD_CAMPAIGN_SEED"); text && *text) return std::strtoull(text, nullptr, 10);
    return std::random_device{}();
}

class CampaignClusterTest : public ::testing::Test {
protected:
    void bring_up(Replica& r, const config::Config& config) {
        r.daemon = std::make_unique<Daemon>(config, m_clock, m_slack.api_base(), r.name);
        r.leadership = std::make_unique<store::Leadership>(config.database);
        r.daemon->scheduler.set_leadership([leadership = r.leadership.get()] { return leadership->lead(); });
        r.back_at_step = -1;
    }

    // Drops the replica; when it led, waits until the server freed the lock.
    void kill(Replica& r, int back_at_step, const std::string& uri) {
        const bool led = r.leadership->leading();
        r.daemon.reset();
        r.leadership.reset();
        r.back_at_step = back_at_step;
        ++m_kills;
        if (!led) return;
        ++m_leader_kills;
        for (int i = 0; i < 500 && lock_holders(uri) > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        ASSERT_EQ(lock_holders(uri), 0) << "the dead holder's lock was not freed";
    }

    // Sessions holding the scheduler's lock now.
    static int lock_holders(const std::string& uri) {
        auto session = store::sql::connect_postgresql(uri);
        const long long key = store::Leadership::k_scheduler_lock_key;
        auto holders = session->prepare(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid = " +
            std::to_string(static_cast<unsigned long long>(key) >> 32) + " AND objid = " +
            std::to_string(static_cast<unsigned long long>(key) & 0xffffffffULL));
        return holders->executeStep() ? static_cast<int>(holders->column_int64(0)) : -1;
    }

    // For a failure message: each replica's leadership, and the sessions holding the lock.
    static std::string state(const std::vector<Replica>& replicas, const std::string& uri) {
        std::string out;
        for (const auto& r : replicas)
            out += " " + r.name + (!r.daemon ? " down" : r.leadership->leading() ? " leads" : " standby (" + r.leadership->last_error() + ")");
        return out + "; sessions holding the lock: " + std::to_string(lock_holders(uri));
    }

    FakeClock m_clock;
    FakeSlack m_slack{k_token, &m_clock};
    int m_kills = 0;
    int m_leader_kills = 0;
};

TEST_F(CampaignClusterTest, ThreeReplicasWithTheSchedulersHolderKilledSendWhatTheSingleNodeSends) {
    TRACKERD_PG_OR_SKIP();
    const std::string uri = testing_support::PgCluster::shared().create_database();
    const long long start = at_local("2024-03-04 07:00");
    const long long end = at_local("2024-03-22 19:00");
    ASSERT_EQ(testing_support::import_demo(uri, start - 86400), "");
    const config::Config config = campaign_config(uri, m_slack.api_base());
    // The single node's two outages (campaign_test.cpp): the whole cluster is down then.
    const std::map<long long, std::string> outages = {{at_local("2024-03-14 08:30"), "2024-03-14 10:30"},
                                                      {at_local("2024-03-14 10:40"), "2024-03-14 10:45"}};
    // The holder killed just before a morning's digest is due, and just after its pass queued it.
    const long long before_digest = at_local("2024-03-05 08:55");
    const long long after_digest_pass = at_local("2024-03-11 09:00");

    const std::uint64_t seed = seed_from_env();
    std::printf("TRACKERD_CAMPAIGN_SEED=%llu\n", static_cast<unsigned long long>(seed));
    std::mt19937_64 random(seed);
    std::vector<Replica> replicas(3);
    for (size_t i = 0; i < replicas.size(); ++i) {
        replicas[i].name = "replica-" + std::to_string(i + 1);
        bring_up(replicas[i], config);
    }
    auto live = [&] {
        std::vector<Replica*> out;
        for (auto& r : replicas)
            if (r.daemon) out.push_back(&r);
        return out;
    };
    auto leader = [&]() -> Replica* {
        for (auto& r : replicas)
            if (r.daemon && r.leadership->leading()) return &r;
        return nullptr;
    };

    size_t next_said = 0;
    int message_number = 0;
    int step = 0;
    std::set<std::string> leaders;
    for (long long now = start; now <= end; now += 300, ++step) {
        if (auto outage = outages.find(now); outage != outages.end()) {
            for (auto& r : replicas)
                if (r.daemon) kill(r, -1, uri);
            now = at_local(outage->second);
            m_clock.set_unix(now);
            for (auto& r : replicas) bring_up(r, config);
        }
        m_clock.set_unix(now);
        for (auto& r : replicas)
            if (!r.daemon && r.back_at_step >= 0 && step >= r.back_at_step) bring_up(r, config);
        // Random kills: the holder about twice a day, any replica about as often; never all at once.
        if (Replica* holder = leader(); holder && live().size() > 1 && (now == before_digest || random() % 144 == 0))
            kill(*holder, step + 1 + static_cast<int>(random() % 12), uri);
        if (auto up = live(); up.size() > 1 && random() % 144 == 0)
            kill(*up[random() % up.size()], step + 1 + static_cast<int>(random() % 12), uri);
        if (HasFatalFailure()) return;

        std::vector<Replica*> up = live();
        ASSERT_FALSE(up.empty());
        while (next_said < std::size(k_script) && at_local(k_script[next_said].when) <= now) {
            const auto message = said_in_chat(k_script[next_said++], config, now, ++message_number);
            Daemon& daemon = *up[random() % up.size()]->daemon;
            auto handled = daemon.inbound.handle(message, daemon.out);
            ASSERT_TRUE(handled) << handled.error().message;
        }
        std::shuffle(up.begin(), up.end(), random);
        int passes = 0;
        for (Replica* r : up) {
            auto pass = r->daemon->scheduler.tick();
            if (!pass) continue;
            ++passes;
            leaders.insert(r->name);
            ASSERT_EQ(pass->failed, 0) << "at " << local_stamp(now);
        }
        EXPECT_EQ(passes, 1) << "one scheduler pass per tick, at " << local_stamp(now) << ":" << state(replicas, uri);
        if (now == after_digest_pass) {
            Replica* holder = leader();
            ASSERT_NE(holder, nullptr);
            kill(*holder, step + 2, uri);  // its queued digest is sent by the others
            up = live();
        }
        for (int i = 0; i < 10; ++i) {
            int sent = 0;
            for (Replica* r : up) sent += r->daemon->worker.run_once().sent;
            if (sent == 0) break;
        }
    }
    std::printf("kills: %d (%d of the scheduler's holder); replicas that led: %zu\n", m_kills, m_leader_kills,
                leaders.size());
    EXPECT_GE(m_leader_kills, 4) << "the outages and the two chosen moments at least";
    EXPECT_GE(leaders.size(), 2u);

    const std::string transcript = transcript_of(m_slack);
    const std::string golden = testing_support::read_file(std::string(TRACKERD_TESTDATA_DIR) + "/campaign.golden");
    ASSERT_FALSE(golden.empty());
    const auto sent = entries(transcript), expected = entries(golden);
    EXPECT_EQ(sent.size(), expected.size());
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), sent.begin(), sent.end(), std::back_inserter(missing));
    std::set_difference(sent.begin(), sent.end(), expected.begin(), expected.end(), std::back_inserter(extra));
    for (const auto& entry : missing) ADD_FAILURE() << "not sent:\n" << entry;
    for (const auto& entry : extra) ADD_FAILURE() << "sent but not by the single node (or twice):\n" << entry;

    auto check = store::Store::open(uri);
    ASSERT_TRUE(check);
    auto pending = (*check)->outbox(store::OutboxState::pending, 1000);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty()) << "no outbox row left pending";
    auto dead = (*check)->outbox(store::OutboxState::dead, 1000);
    ASSERT_TRUE(dead);
    EXPECT_TRUE(dead->empty());
}

}  // namespace
