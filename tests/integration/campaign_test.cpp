// The demo campaign run over three simulated weeks with a fake clock (issue 6): the scheduler,
// the real SQLite file, the outbox worker and SlackSender against a fake Slack on 127.0.0.1,
// and the team's chat messages fed through the inbound handler. Every message that left is
// compared — local time, chat, text, mentions — against a golden file reviewed by hand:
// tests/testdata/campaign.golden (TRACKERD_UPDATE_GOLDEN=1 rewrites it).
//
// The script: T001 (小李) behind plan, then blocked, unblocked and done; T002 (小王), whose
// owner never answers, climbs the ladder to the project owner and the department head, who
// acknowledges it; T003 (小明) falls behind and files a deviation report; Wednesday 03-13 is a
// holiday; trackerd is down 03-14 08:30–10:30 and restarted twice that morning.

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>

#include "tests/integration/campaign.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace campaign;
using testing_support::FakeClock;
using testing_support::FakeSlack;
using testing_support::TempDir;

class CampaignTest : public ::testing::Test {
protected:
    TempDir m_dir;
    FakeClock m_clock;
    FakeSlack m_slack{k_token, &m_clock};
};

TEST_F(CampaignTest, ThreeWeeksOfTheDemoCampaignSendWhatTheGoldenFileSays) {
    const std::string db = m_dir.file("trackerd.db");
    const long long start = at_local("2024-03-04 07:00");
    const long long end = at_local("2024-03-22 19:00");
    ASSERT_EQ(testing_support::import_demo(db, start - 86400), "");
    const config::Config config = campaign_config(db, m_slack.api_base());
    const std::map<long long, std::string> outages = {{at_local("2024-03-14 08:30"), "2024-03-14 10:30"},
                                                      {at_local("2024-03-14 10:40"), "2024-03-14 10:45"}};

    auto daemon = std::make_unique<Daemon>(config, m_clock, m_slack.api_base());
    size_t next_said = 0;
    int message_number = 0;
    int restarts = 0;
    for (long long now = start; now <= end; now += 300) {
        if (auto outage = outages.find(now); outage != outages.end()) {
            daemon.reset();  // "kill": nothing is flushed beyond what the store committed
            now = at_local(outage->second);
            ++restarts;
            m_clock.set_unix(now);
            daemon = std::make_unique<Daemon>(config, m_clock, m_slack.api_base());
        }
        m_clock.set_unix(now);
        while (next_said < std::size(k_script) && at_local(k_script[next_said].when) <= now) {
            const auto message = said_in_chat(k_script[next_said++], config, now, ++message_number);
            auto handled = daemon->inbound.handle(message, daemon->out);
            ASSERT_TRUE(handled) << handled.error().message;
        }
        auto pass = daemon->scheduler.run_once();
        ASSERT_EQ(pass.failed, 0) << "at " << local_stamp(now);
        for (int i = 0; i < 10 && daemon->worker.run_once().sent > 0; ++i) {
        }
    }
    EXPECT_EQ(restarts, 2);

    const std::string transcript = transcript_of(m_slack);
    // Nothing was left behind and nothing went twice.
    auto pending = daemon->store->outbox(store::OutboxState::pending, 1000);
    ASSERT_TRUE(pending);
    EXPECT_TRUE(pending->empty());
    auto sent = daemon->store->outbox(store::OutboxState::sent, 1000);
    ASSERT_TRUE(sent);
    EXPECT_EQ(sent->size(), m_slack.messages().size());
    EXPECT_EQ(transcript.find("2024-03-13 Wed 09:"), std::string::npos) << "a digest went out on the holiday";

    const std::string golden_path = std::string(TRACKERD_TESTDATA_DIR) + "/campaign.golden";
    if (const char* update = std::getenv("TRACKERD_UPDATE_GOLDEN"); update && std::string(update) == "1") {
        std::ofstream(golden_path, std::ios::binary) << transcript;
        GTEST_SKIP() << "golden file rewritten: " << golden_path;
    }
    std::string golden = testing_support::read_file(golden_path);
    ASSERT_FALSE(golden.empty()) << "missing " << golden_path << " (run with TRACKERD_UPDATE_GOLDEN=1 and review it)";
    EXPECT_EQ(transcript, golden);
}

}  // namespace
