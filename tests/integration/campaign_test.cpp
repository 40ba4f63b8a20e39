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
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "adapters/slack/slack.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/ops/local_time.h"
#include "bot/pipeline/outbox_worker.h"
#include "bot/schedule/scheduler.h"
#include "bot/team/seed.h"
#include "bot/platforms/slack/slack_routes.h"
#include "bot/platforms/slack/slack_sender.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/fake_slack.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::FakeClock;
using testing_support::FakeSlack;
using testing_support::TempDir;

constexpr const char* k_zone = "Asia/Shanghai";
constexpr const char* k_token = "xoxb-campaign-token";
constexpr const char* k_channel = "C0CAMPAIGN";

struct Said {
    const char* when;  // local "YYYY-MM-DD HH:MM"
    const char* who;   // person id
    const char* text;
};

// What the team types in the group, in order.
const Said k_script[] = {
    {"2024-03-04 10:00", "小李", "T001 进度 50% 问卷已回收 120 份"},
    {"2024-03-05 14:00", "小李", "T001 阻塞 等待销售部提供客户名单"},
    {"2024-03-07 11:00", "小李", "T001 解除阻塞"},
    {"2024-03-08 16:00", "小李", "T001 完成 https://docs.example.com/survey-report"},
    {"2024-03-08 16:30", "总监", "收到 T002"},
    {"2024-03-18 10:00", "小明", "T003 进度 20% 主KV初稿"},
    {"2024-03-20 11:00", "小明", "T003 偏差 原因:客户反馈延迟 影响:T004 顺延 2 天 措施:周末加班赶工"},
    {"2024-03-21 15:00", "经理", "收到 T002"},
};

long long at_local(const std::string& when) {
    auto day = core::parse_iso_date(when.substr(0, 10));
    int minutes = std::stoi(when.substr(11, 2)) * 60 + std::stoi(when.substr(14, 2));
    return bot::unix_at_local(*day, minutes, k_zone);
}

std::string local_stamp(long long unix_seconds) {
    int minutes = bot::local_minutes_of_day(unix_seconds, k_zone);
    char hhmm[16];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", minutes / 60, minutes % 60);
    core::Date day = bot::local_date(unix_seconds, k_zone);
    static const char* const k_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    return core::format_iso_date(day) + " " + k_days[core::iso_weekday(day)] + " " + hhmm;
}

// A Slack message as a person sees it: header, sections, buttons; and who it notifies.
std::string readable(const testing_support::SlackPost& post) {
    std::string out;
    auto blocks = nlohmann::json::parse(post.blocks_json.empty() ? "[]" : post.blocks_json, nullptr, false);
    for (const auto& block : blocks) {
        std::string type = block.value("type", "");
        if (type == "header") out += "# " + block["text"].value("text", "") + "\n";
        if (type == "section") out += block["text"].value("text", "") + "\n";
        if (type == "actions") {
            out += "[buttons:";
            for (const auto& element : block["elements"]) out += " " + element["text"].value("text", "");
            out += "]\n";
        }
    }
    if (out.empty()) out = post.text + "\n";
    std::set<std::string> mentions;
    std::regex mention("<@(U[A-Z0-9]+)>");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), mention); it != std::sregex_iterator(); ++it)
        mentions.insert((*it)[1]);
    std::string who;
    for (const auto& id : mentions) who += (who.empty() ? "" : " ") + id;
    return out + "mentions: " + (who.empty() ? "-" : who) + "\n";
}

config::Config campaign_config(const std::string& db, const std::string& api_base) {
    config::Config config = config::default_config();
    config.database = db;
    config.timezone = k_zone;
    config.slack.enabled = true;
    config.slack.bot_token = k_token;
    config.slack.api_base = api_base;
    config.admins = {};
    const std::pair<const char*, const char*> people[] = {
        {"小李", "U0XIAOLI"}, {"小王", "U0XIAOWANG"}, {"小明", "U0XIAOMING"}, {"小张", "U0XIAOZHANG"},
        {"小陈", "U0XIAOCHEN"}, {"小红", "U0XIAOHONG"}, {"经理", "U0MANAGER"}, {"总监", "U0DIRECTOR"}};
    for (const auto& [id, slack] : people) config.people.push_back(core::Person{id, id, "市场部", slack, "", "", "", ""});
    config::ProjectSettings project;
    project.id = "P1";
    project.owner = "经理";
    project.department_head = "总监";
    config.projects.push_back(project);
    config::ChatConfig chat;
    chat.platform = "slack";
    chat.chat_id = k_channel;
    chat.projects = {"P1"};
    config.chats.push_back(chat);
    config.calendar.holidays = {core::make_date(2024, 3, 13)};
    return config;
}

// trackerd's moving parts for one "process lifetime".
struct Daemon {
    Daemon(const config::Config& config, const core::Clock& clock, const std::string& api_base)
        : store(open(config)),
          sender(http, clock, k_token, api_base),
          worker(*store, clock, {{"slack", &sender}}, worker_options()),
          scheduler(*store, clock, config, {{"slack", &out}}, {}),
          inbound(*store, clock,
                  [&config](const std::string& platform, const std::string& chat_id) {
                      bot::ChatSettings settings;
                      settings.timezone = config.timezone;
                      if (config.find_chat(platform, chat_id)) {
                          settings.known = true;
                          settings.projects = config.find_chat(platform, chat_id)->projects;
                      }
                      return settings;
                  },
                  [&] {
                      bot::InboundOptions options;  // by name: new fields keep their defaults
                      options.roles.default_timezone = k_zone;
                      options.roles.admins = config.admins;
                      options.roles.escalation_contacts = {{"P1", {"总监"}}};
                      return options;
                  }()) {}

    // As App::create does: open the file and bring the config's people and chats into it.
    static std::unique_ptr<store::Store> open(const config::Config& config) {
        auto opened = store::Store::open(config.database);
        if (!opened) {
            ADD_FAILURE() << opened.error().message;
            return nullptr;
        }
        EXPECT_TRUE(bot::seed_directory(**opened, config, 0));
        return std::move(*opened);
    }

    static bot::OutboxWorkerOptions worker_options() {
        bot::OutboxWorkerOptions options;
        options.pacing.clear();  // the fake clock stands still while a pass drains
        options.jitter_seed = 1;
        return options;
    }

    std::unique_ptr<store::Store> store;
    bot::HttpClient http;
    bot::SlackSender sender;
    bot::OutboxWorker worker;
    bot::SlackOut out;
    bot::Scheduler scheduler;
    bot::InboundHandler inbound;
};

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
            const Said& said = k_script[next_said++];
            adapters::InboundMessage message;
            message.platform = "slack";
            message.chat_id = k_channel;
            const core::Person* person = config.find_person(said.who);
            ASSERT_NE(person, nullptr);
            message.sender_id = person->slack;
            message.text = said.text;
            message.message_id = std::to_string(now) + ".000" + std::to_string(++message_number);
            message.dedup_key = "Ev" + std::to_string(message_number);
            message.created_ms = now * 1000;
            auto handled = daemon->inbound.handle(message, daemon->out);
            ASSERT_TRUE(handled) << handled.error().message;
        }
        auto pass = daemon->scheduler.run_once();
        ASSERT_EQ(pass.failed, 0) << "at " << local_stamp(now);
        for (int i = 0; i < 10 && daemon->worker.run_once().sent > 0; ++i) {
        }
    }
    EXPECT_EQ(restarts, 2);

    std::string transcript;
    for (const auto& post : m_slack.messages()) {
        std::string where = post.endpoint + " " + post.channel + (post.thread_ts.empty() ? "" : " (thread reply)");
        transcript += "== " + local_stamp(post.received_ms / 1000) + " · " + where + "\n" + readable(post) + "\n";
    }
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
