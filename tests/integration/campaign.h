#pragma once
// The demo campaign's three simulated weeks (issue 6), shared by the single-node run
// (campaign_test.cpp, against the golden file) and the three-replica run on PostgreSQL
// (campaign_cluster_test.cpp): the script the team types, the config, how a sent Slack message
// reads, and trackerd's moving parts for one "process lifetime" (Daemon).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "adapters/slack/slack.h"
#include "bot/ops/local_time.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/pipeline/outbox_worker.h"
#include "bot/platforms/slack/slack_routes.h"
#include "bot/platforms/slack/slack_sender.h"
#include "bot/schedule/scheduler.h"
#include "bot/team/seed.h"
#include "tests/support/fake_slack.h"

namespace campaign {

constexpr const char* k_zone = "Asia/Shanghai";
constexpr const char* k_token = "xoxb-campaign-token";
constexpr const char* k_channel = "C0CAMPAIGN";

struct Said {
    const char* when;  // local "YYYY-MM-DD HH:MM"
    const char* who;   // person id
    const char* text;
};

// What the team types in the group, in order.
inline const Said k_script[] = {
    {"2024-03-04 10:00", "小李", "T001 进度 50% 问卷已回收 120 份"},
    {"2024-03-05 14:00", "小李", "T001 阻塞 等待销售部提供客户名单"},
    {"2024-03-07 11:00", "小李", "T001 解除阻塞"},
    {"2024-03-08 16:00", "小李", "T001 完成 https://docs.example.com/survey-report"},
    {"2024-03-08 16:30", "总监", "收到 T002"},
    {"2024-03-18 10:00", "小明", "T003 进度 20% 主KV初稿"},
    {"2024-03-20 11:00", "小明", "T003 偏差 原因:客户反馈延迟 影响:T004 顺延 2 天 措施:周末加班赶工"},
    {"2024-03-21 15:00", "经理", "收到 T002"},
};

// What Slack delivers for a line of the script said at `now`, the `number`th message of the run
// (a unique message id and event id). The sender must be in the config (a test failure if not).
inline adapters::InboundMessage said_in_chat(const Said& said, const config::Config& config, long long now, int number) {
    adapters::InboundMessage message;
    message.platform = "slack";
    message.chat_id = k_channel;
    const core::Person* person = config.find_person(said.who);
    EXPECT_NE(person, nullptr) << said.who;
    message.sender_id = person ? person->slack : "";
    message.text = said.text;
    message.message_id = std::to_string(now) + ".000" + std::to_string(number);
    message.dedup_key = "Ev" + std::to_string(number);
    message.created_ms = now * 1000;
    return message;
}

inline long long at_local(const std::string& when) {
    auto day = core::parse_iso_date(when.substr(0, 10));
    int minutes = std::stoi(when.substr(11, 2)) * 60 + std::stoi(when.substr(14, 2));
    return bot::unix_at_local(*day, minutes, k_zone);
}

inline std::string local_stamp(long long unix_seconds) {
    int minutes = bot::local_minutes_of_day(unix_seconds, k_zone);
    char hhmm[16];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", minutes / 60, minutes % 60);
    core::Date day = bot::local_date(unix_seconds, k_zone);
    static const char* const k_days[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    return core::format_iso_date(day) + " " + k_days[core::iso_weekday(day)] + " " + hhmm;
}

// A Slack message as a person sees it: header, sections, buttons; and who it notifies.
inline std::string readable(const testing_support::SlackPost& post) {
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

// Everything the fake Slack received, as the golden file has it: each message's local time,
// where it went and how it reads.
inline std::string transcript_of(const testing_support::FakeSlack& slack) {
    std::string transcript;
    for (const auto& post : slack.messages()) {
        std::string where = post.endpoint + " " + post.channel + (post.thread_ts.empty() ? "" : " (thread reply)");
        transcript += "== " + local_stamp(post.received_ms / 1000) + " · " + where + "\n" + readable(post) + "\n";
    }
    return transcript;
}

inline config::Config campaign_config(const std::string& db, const std::string& api_base) {
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
    // `replica`: "" for the one process on a file; a name when several share a database (the
    // outbox worker's lease holder).
    Daemon(const config::Config& config, const core::Clock& clock, const std::string& api_base,
           const std::string& replica = "")
        : store(open(config)),
          sender(http, clock, k_token, api_base),
          worker(*store, clock, {{"slack", &sender}}, worker_options(replica)),
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

    static bot::OutboxWorkerOptions worker_options(const std::string& replica) {
        bot::OutboxWorkerOptions options;
        options.lease_holder = replica;
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

}  // namespace campaign
