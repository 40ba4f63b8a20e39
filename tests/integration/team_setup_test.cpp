// Issue 21: a team set up from the chat, on each platform, in one running daemon. The config
// holds the platform credentials and one admin (经理), no other person and no chat; the plan is
// imported. The admin binds the group; 小明, whose directory email matches the people table, has
// his first update applied; 小李, whom the directory does not match, claims and is confirmed; on
// Feishu and DingTalk a unique directory name links 小王; the next morning's digest goes to the
// newly bound group. Then a refusals table where nothing changes.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/common/form.h"
#include "tests/integration/three_platforms.h"

namespace testing_support {
namespace {

namespace t = three_platforms;
using Who = three_platforms::Who;

constexpr Who k_manager{"U0MANAGER1", "ou_manager000000000000000000000", "16650211111"};
constexpr Who k_xiaowang{"U0XIAOWANG", "ou_xiaowang00000000000000000000", "16650222222"};

class TeamSetup : public ThreePlatforms {
protected:
    void SetUp() override {
        ASSERT_NO_FATAL_FAILURE(ThreePlatforms::SetUp());
        m_config.people = {core::Person{"经理", "经理", "市场部", k_manager.slack, k_manager.feishu, k_manager.dingtalk, "", ""}};
        m_config.admins = {"经理"};
        m_config.chats.clear();
        // The people table (trackerctl people import): 小明's email is the one his directory has.
        auto store = store::Store::open(m_db);
        ASSERT_TRUE(store);
        core::Person xiaoming{"小明", "小明", "市场部", "", "", "", "xiaoming@example.com", ""};
        ASSERT_TRUE((*store)->put_person(xiaoming, core::EntrySource::cli, "", core::ChangeSource{"", "cli", "", "", t::k_now}));
    }

    static std::string chat_of(const std::string& platform) {
        return platform == "slack" ? t::k_slack_chat : platform == "feishu" ? t::k_feishu_chat : t::k_dingtalk_chat;
    }
    static std::string account(const std::string& platform, const Who& who) {
        return platform == "slack" ? who.slack : platform == "feishu" ? who.feishu : who.dingtalk;
    }

    // What the platform's directory says of `who`.
    void in_directory(const std::string& platform, const Who& who, const std::string& name, const std::string& email) {
        if (platform == "slack") m_slack.add_directory_user(who.slack, SlackDirectoryUser{name, name, email, ""});
        if (platform == "feishu") m_feishu.add_directory_user(who.feishu, FeishuDirectoryUser{name, email, "", "", ""});
        if (platform == "dingtalk") m_dingtalk.add_directory_user(who.dingtalk, DingtalkDirectoryUser{name, email, "", ""});
    }
    int directory_requests(const std::string& platform) const {
        return platform == "slack" ? m_slack.directory_requests()
               : platform == "feishu" ? m_feishu.directory_requests()
                                      : m_dingtalk.directory_requests();
    }

    // Sends `text` from `who` in the platform's group (or `chat`), expects 200, and returns the
    // reply it got ("" when none came).
    std::string say(const std::string& platform, const Who& who, const std::string& text, std::string chat = "") {
        if (chat.empty()) chat = chat_of(platform);
        m_clock.advance_seconds(3);  // the outbox paces replies to one chat
        std::string id = "team" + std::to_string(++m_sent);
        Request request = platform == "slack"    ? slack_event("Ev" + id, who, text, chat)
                          : platform == "feishu" ? feishu_event(id, who, text, chat)
                                                 : dingtalk_event("msg" + id, who, text, chat);
        size_t before = replies().size();
        auto response = send(request);
        EXPECT_TRUE(response && response->status == 200) << text << ": " << (response ? response->body : "no answer");
        drain_outbox();
        if (!wait_for_replies(before + 1)) return "";
        return replies().back();
    }

    // Delivers everything pending (pushes to one chat are paced a second apart).
    void deliver_pending() {
        for (int i = 0; i < 30; ++i) {
            auto pending = m_app->store().outbox(store::OutboxState::pending, 1);
            if (!pending || pending->empty()) return;
            m_clock.advance_seconds(2);
            m_app->outbox().run_once();
        }
        ADD_FAILURE() << "outbox rows still pending";
    }

    std::optional<core::Person> person(const std::string& id) {
        auto found = m_app->store().find_person(id);
        return found ? *found : std::nullopt;
    }

    int m_sent = 0;
};

class TeamSetupTest : public TeamSetup, public ::testing::WithParamInterface<std::string> {};

TEST_P(TeamSetupTest, AdminBindsDirectoryLinksClaimIsConfirmedAndTheDigestComes) {
    const std::string platform = GetParam();
    in_directory(platform, t::k_xiaoming, "王小明", "XiaoMing@Example.com");  // the email matches, whatever the case
    in_directory(platform, t::k_xiaoli, "李四", "lisi@elsewhere.example");    // matches nobody
    in_directory(platform, k_xiaowang, "小王", "");                          // only the name
    ASSERT_NO_FATAL_FAILURE(start());

    // Before binding: an update changes nothing; the group hears how to bind once.
    EXPECT_NE(say(platform, t::k_xiaoming, "T003 进度 60%").find("绑定"), std::string::npos);
    EXPECT_EQ(task("T003").completion, 0);

    std::string bound = say(platform, k_manager, "绑定 P1");
    EXPECT_NE(bound.find("已绑定"), std::string::npos) << bound;
    auto chat = m_app->store().chat(platform, chat_of(platform));
    ASSERT_TRUE(chat && *chat);
    EXPECT_EQ((*chat)->chat.projects, std::vector<std::string>{"P1"});
    EXPECT_EQ((*chat)->source, core::EntrySource::chat);

    // 小明: the directory's email is the people table's: linked, and the update applied.
    std::string first = say(platform, t::k_xiaoming, "T003 进度 60%");
    EXPECT_NE(first.find("已识别为 小明"), std::string::npos) << first;
    EXPECT_EQ(task("T003").completion, 60);
    EXPECT_EQ(account(platform, t::k_xiaoming), *store::account_field(*person("小明"), platform));
    const int lookups = directory_requests(platform);
    say(platform, t::k_xiaoming, "T003 进度 70%");
    EXPECT_EQ(task("T003").completion, 70);
    EXPECT_EQ(directory_requests(platform), lookups);  // linked: no second lookup

    // 小李: the directory matches nobody; claim, the admin confirms, the next update counts.
    EXPECT_NE(say(platform, t::k_xiaoli, "T001 进度 30%").find("我是"), std::string::npos);
    EXPECT_EQ(task("T001").completion, 0);
    std::string claim = say(platform, t::k_xiaoli, "我是 小李");
    EXPECT_NE(claim.find("确认 小李"), std::string::npos) << claim;
    EXPECT_EQ(say(platform, t::k_xiaoli, "T001 进度 30%").find("已识别"), std::string::npos);
    EXPECT_EQ(task("T001").completion, 0);  // not until confirmed
    std::string confirmed = say(platform, k_manager, "确认 小李");
    EXPECT_NE(confirmed.find("小李"), std::string::npos) << confirmed;
    say(platform, t::k_xiaoli, "T001 进度 30%");
    EXPECT_EQ(task("T001").completion, 30);

    // 小王: the directory's name only. The organisation's directory (Feishu, DingTalk) links on
    // a name exactly one person of the project has; a Slack name is whatever its owner typed.
    say(platform, k_xiaowang, "T002 进度 10%");
    EXPECT_EQ(task("T002").completion, platform == "slack" ? 0 : 10);

    // The next morning (09:13 in Shanghai): the digest goes to the group bound from the chat.
    m_clock.set_unix(t::k_now + 3 * 3600);
    m_app->scheduler().run_once();
    auto rows = m_app->store().outbox(std::nullopt, 500);
    ASSERT_TRUE(rows);
    EXPECT_TRUE(std::any_of(rows->begin(), rows->end(), [&](const store::OutboxMessage& row) {
        return row.kind == "digest" && row.destination == chat_of(platform);
    }));
}

// Issue 23: the plan changes from the chat. The project's lead (经理, an admin here) adds a task
// for 小明 (a Slack mention, or his name where the fixture sends no mention), 小明 finds it in
// 我的任务, and 小明, who leads nothing, may not cancel it.
TEST_P(TeamSetupTest, ALeadAddsATaskFromTheChatAndItsOwnerFindsItInMyTasks) {
    const std::string platform = GetParam();
    in_directory(platform, t::k_xiaoming, "王小明", "xiaoming@example.com");
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_NE(say(platform, k_manager, "绑定 P1").find("已绑定"), std::string::npos);
    EXPECT_NE(say(platform, t::k_xiaoming, "T003 进度 10%").find("已识别为 小明"), std::string::npos);  // linked

    const std::string owner = platform == "slack" ? std::string("<@") + t::k_xiaoming.slack + ">" : "小明";
    std::string added = say(platform, k_manager, "新建 海报投放 负责人 " + owner + " 04-20 到 04-28 前置 T005 模块 M3");
    EXPECT_NE(added.find("已新建"), std::string::npos) << added;
    EXPECT_NE(added.find("T007"), std::string::npos) << "the id taken is said: " << added;
    core::Task t007 = task("T007");
    EXPECT_EQ(t007.owner, "小明");
    EXPECT_EQ(t007.parent_id, "M3");
    EXPECT_EQ(t007.predecessors, std::vector<std::string>{"T005"});

    std::string mine = say(platform, t::k_xiaoming, "我的任务");
    EXPECT_NE(mine.find("T007"), std::string::npos) << mine;
    std::string refused = say(platform, t::k_xiaoming, "T007 取消 原因: 不需要");
    EXPECT_NE(refused.find("只有项目负责人"), std::string::npos) << refused;
    EXPECT_EQ(task("T007").status, core::Status::not_started);
}

INSTANTIATE_TEST_SUITE_P(Platforms, TeamSetupTest, ::testing::Values("slack", "feishu", "dingtalk"),
                         [](const auto& param_info) { return param_info.param; });

TEST_F(TeamSetup, SettingsFromTheChatMoveTheDigestAndUnbindStopsIt) {
    ASSERT_NO_FATAL_FAILURE(start());
    say("feishu", k_manager, "绑定 P1");
    EXPECT_NE(say("feishu", k_manager, "设置 时区 Asia/Tokyo").find("Asia/Tokyo"), std::string::npos);
    EXPECT_NE(say("feishu", k_manager, "设置 日报 10:30").find("10:30"), std::string::npos);
    EXPECT_NE(say("feishu", k_manager, "项目").find("P1"), std::string::npos);
    auto digests = [&] {
        auto rows = m_app->store().outbox(std::nullopt, 500);
        return rows ? std::count_if(rows->begin(), rows->end(), [](const auto& r) { return r.kind == "digest"; }) : -1;
    };
    m_clock.set_unix(t::k_now + 3 * 3600);  // 09:13 Shanghai = 10:13 Tokyo: not yet
    m_app->scheduler().run_once();
    EXPECT_EQ(digests(), 0);
    m_clock.set_unix(t::k_now + 3 * 3600 + 20 * 60);  // 10:33 Tokyo
    m_app->scheduler().run_once();
    EXPECT_EQ(digests(), 1);
    deliver_pending();
    EXPECT_NE(say("feishu", k_manager, "解绑").find("已解绑"), std::string::npos);
    m_clock.set_unix(t::k_now + 27 * 3600 + 20 * 60);  // the next day, 10:33 Tokyo
    m_app->scheduler().run_once();
    EXPECT_EQ(digests(), 1);
    // Every change is in the audit trail as coming from the chat (R13).
    auto audit = m_app->store().audit_log("", "");
    ASSERT_TRUE(audit);
    EXPECT_TRUE(std::any_of(audit->begin(), audit->end(), [](const core::AuditEntry& e) {
        return e.entity == "chat" && e.field == "digest_time" && e.new_value == "10:30" && e.who == "经理" &&
               e.source.find(t::k_feishu_chat) != std::string::npos;
    }));
}

TEST_F(TeamSetup, ADirectoryThatSays429IsAskedAgainOnlyAfterItsWaitAndTheMessageIsAnswered) {
    m_feishu.add_directory_user(t::k_xiaoming.feishu, FeishuDirectoryUser{"王小明", "xiaoming@example.com", "", "", ""});
    m_feishu.throttle_directory(1, 60);
    ASSERT_NO_FATAL_FAILURE(start());
    say("feishu", k_manager, "绑定 P1");
    // Throttled: the message is answered (how to claim), nothing changes, nothing is lost.
    EXPECT_NE(say("feishu", t::k_xiaoming, "T003 进度 60%").find("我是"), std::string::npos);
    EXPECT_EQ(task("T003").completion, 0);
    const int asked = m_feishu.directory_requests();
    // Within the platform's wait, trackerd does not ask again.
    EXPECT_NE(say("feishu", t::k_xiaoming, "T003 进度 61%").find("我是"), std::string::npos);
    EXPECT_EQ(m_feishu.directory_requests(), asked);
    m_clock.advance_seconds(61);
    EXPECT_NE(say("feishu", t::k_xiaoming, "T003 进度 62%").find("已识别为 小明"), std::string::npos);
    EXPECT_EQ(task("T003").completion, 62);
}

TEST_F(TeamSetup, OnSlackTheClaimsQuestionCarriesAConfirmButtonThatLinksWhenAnAdminPressesIt) {
    ASSERT_NO_FATAL_FAILURE(start());
    say("slack", k_manager, "bind P1");
    say("slack", t::k_xiaoli, "I am 小李");
    const std::string question = m_slack.messages().back().blocks_json;
    EXPECT_NE(question.find("claim_confirm"), std::string::npos) << question;
    auto press = [&](const Who& who, const std::string& trigger) {
        std::string payload = nlohmann::json{{"type", "block_actions"},
                                             {"user", {{"id", who.slack}}},
                                             {"channel", {{"id", t::k_slack_chat}}},
                                             {"message", {{"ts", "1700000000.000200"}}},
                                             {"trigger_id", trigger},
                                             {"actions", {{{"action_id", "claim_confirm"},
                                                           {"value", std::string(t::k_xiaoli.slack) + ":小李"}}}}}
                                  .dump();
        m_clock.advance_seconds(3);
        auto response = send(slack_signed("/slack/interactive", "payload=" + adapters::url_encode(payload),
                                          "application/x-www-form-urlencoded"));
        EXPECT_TRUE(response && response->status == 200) << (response ? response->body : "no answer");
        drain_outbox();
    };
    press(t::k_xiaoming, "t-member");  // a member's press is refused like the typed command
    EXPECT_EQ(*store::account_field(*person("小李"), "slack"), "");
    press(k_manager, "t-admin");
    EXPECT_EQ(*store::account_field(*person("小李"), "slack"), t::k_xiaoli.slack);
    say("slack", t::k_xiaoli, "update T001 30%");
    EXPECT_EQ(task("T001").completion, 30);
}

TEST_F(TeamSetup, AnUnboundGroupHearsTheHintAtMostOnceADay) {
    ASSERT_NO_FATAL_FAILURE(start());
    EXPECT_NE(say("slack", t::k_xiaoming, "update T003 60%").find("bind"), std::string::npos);
    size_t before = replies().size();
    auto response = send(slack_event("EvAgain", t::k_xiaoming, "update T003 61%"));
    ASSERT_TRUE(response && response->status == 200);
    drain_outbox();
    EXPECT_EQ(replies().size(), before);
    EXPECT_EQ(task("T003").completion, 0);
}

// ---- refusals: nothing changes ----

struct Refusal {
    const char* name;
    const char* platform;
    std::function<void(TeamSetup&)> before;  // after start; may bind, claim, link
    Who who;
    const char* text;
    const char* reply_has;
    bool bound = true;  // the group is bound to P1 first
};

class TeamRefusalTest : public TeamSetup, public ::testing::WithParamInterface<Refusal> {
public:
    using TeamSetup::say;
    void link(const std::string& platform, const std::string& person_id, const Who& who) {
        ASSERT_TRUE(m_app->store().link_account(person_id, platform, account(platform, who), core::EntrySource::cli,
                                                core::ChangeSource{"", "cli", "", "", t::k_now}));
    }
    void in_dir(const std::string& platform, const Who& who, const std::string& name, const std::string& email) {
        in_directory(platform, who, name, email);
    }
    store::Store& db() { return m_app->store(); }
};

StoreSnapshot tracked(StoreSnapshot snapshot) {
    // outbox_leases: on PostgreSQL (a shared database) the worker leases the reply's destination.
    for (const char* table : {"inbound_seen", "signature_uses", "outbox", "outbox_leases"}) snapshot.erase(table);
    std::string kept, rows = snapshot["state"];
    for (size_t at = 0, end; at < rows.size(); at = end + 1) {
        end = rows.find('\n', at);
        if (end == std::string::npos) end = rows.size();
        if (rows.compare(at, 5, "hint/") != 0) kept += rows.substr(at, end - at) + "\n";
    }
    snapshot["state"] = kept;
    return snapshot;
}

TEST_P(TeamRefusalTest, ChangesNothingAndSaysWhy) {
    const Refusal& row = GetParam();
    ASSERT_NO_FATAL_FAILURE(start());
    if (row.bound) say(row.platform, k_manager, "绑定 P1");
    link(row.platform, "小明", t::k_xiaoming);  // a member, not an admin nor P1's owner
    if (row.before) row.before(*this);
    const auto before = tracked(snapshot());
    std::string reply = say(row.platform, row.who, row.text);
    EXPECT_NE(reply.find(row.reply_has), std::string::npos) << reply;
    EXPECT_EQ(changed_tables(before, tracked(snapshot())), "");
}

const Refusal k_refusals[] = {
    {"SlackMemberBinds", "slack", nullptr, t::k_xiaoming, "bind P1", "Only an admin or the project's owner", false},
    {"FeishuMemberUnbinds", "feishu", nullptr, t::k_xiaoming, "解绑 P1", "只有管理员或项目负责人"},
    {"DingtalkMemberConfirms", "dingtalk",
     [](TeamSetup& f) { static_cast<TeamRefusalTest&>(f).say("dingtalk", t::k_xiaoli, "我是 小李"); }, t::k_xiaoming,
     "确认 小李", "只有管理员或项目负责人"},
    {"SlackMemberChangesASetting", "slack", nullptr, t::k_xiaoming, "set digest 07:00", "Only an admin"},
    {"FeishuClaimForAPersonAlreadyLinked", "feishu", nullptr, t::k_xiaoli, "我是 小明", "已经绑定了账号"},
    {"SlackNameAloneLinksNobody", "slack",
     [](TeamSetup& f) { static_cast<TeamRefusalTest&>(f).in_dir("slack", t::k_stranger, "经理", "boss@nowhere.example"); },
     t::k_stranger, "update T003 60%", "I don't know which team member you are"},
    {"FeishuNameSharedByTwoLinksNobody", "feishu",
     [](TeamSetup& f) {
         auto& r = static_cast<TeamRefusalTest&>(f);
         ASSERT_TRUE(r.db().put_person(core::Person{"小张", "小王", "市场部", "", "", "", "", ""}, core::EntrySource::cli, "",
                                       core::ChangeSource{"", "cli", "", "", t::k_now}));
         r.in_dir("feishu", k_xiaowang, "小王", "");
     },
     k_xiaowang, "T002 进度 10%", "哪位成员"},
    {"DingtalkConfirmWithoutAClaim", "dingtalk", nullptr, k_manager, "确认 小陈", "没有人认领"},
    {"SlackBindToAProjectThatDoesNotExist", "slack", nullptr, k_manager, "bind P9", "no project P9"},
    {"FeishuClaimInAnUnboundGroup", "feishu", nullptr, t::k_xiaoli, "我是 小李", "不能在这里认领", false},
    {"DingtalkUnreadableSetting", "dingtalk", nullptr, k_manager, "设置 日报 25:00", "看不懂"},
    {"FeishuMemberLinksDirectly", "feishu", nullptr, t::k_xiaoming, "unlink 小明", "Only an admin"},
    {"DingtalkUnbindAProjectNotBound", "dingtalk", nullptr, k_manager, "解绑 P2", "没有绑定 P2"},
    {"SlackMemberUnlinksSomeone", "slack", nullptr, t::k_xiaoming, "unlink 小明", "Only an admin"},
    // A project's owner acts on the people of the chat's projects only, never on an admin: else
    // the owner of one project could unlink an admin and confirm another account as them.
    {"FeishuOwnerUnlinksAnAdmin", "feishu",
     [](TeamSetup& f) {
         auto& r = static_cast<TeamRefusalTest&>(f);
         r.say("feishu", k_manager, "解绑 P1");
         r.say("feishu", k_manager, "绑定 P2");
         r.link("feishu", "张", t::k_zhang);  // P2's owner
     },
     t::k_zhang, "解除 经理", "只有管理员"},
    // Two accounts claim the same person: the confirmation must name the account.
    {"SlackConfirmWithTwoClaimsNamesNoAccount", "slack",
     [](TeamSetup& f) {
         auto& r = static_cast<TeamRefusalTest&>(f);
         r.say("slack", t::k_xiaoli, "I am 小李");
         r.say("slack", t::k_stranger, "I am 小李");
     },
     k_manager, "confirm 小李", "More than one account"},
    // Linking an account that is someone else's is refused with a reply, not a failed delivery.
    {"SlackLinkAnAccountLinkedToSomeoneElse", "slack",
     [](TeamSetup& f) { static_cast<TeamRefusalTest&>(f).link("slack", "小李", t::k_xiaoli); }, k_manager,
     "link <@U0XIAOLI1> 小陈", "already linked as 小李"},
};

INSTANTIATE_TEST_SUITE_P(Table, TeamRefusalTest, ::testing::ValuesIn(k_refusals),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace testing_support
