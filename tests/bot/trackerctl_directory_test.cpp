// The real trackerctl binary setting a team up on a temporary SQLite file (issue 21): people
// import/link/unlink, chats bind/set/unbind/remove, their failures, the audit trail, and the
// config file seeding the directory without undoing run-time changes.

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/store/store.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::TempDir;

using Outcome = testing_support::CommandOutcome;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

class TrackerctlDirectoryTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = open();
        for (const char* id : {"P1", "P2"}) {
            core::Project project;
            project.id = id;
            project.name = std::string("Project ") + id;
            ASSERT_TRUE(store->upsert_project(
                project, core::ChangeSource{"", "import", "", "", 1710000000}));
        }
    }

    std::unique_ptr<store::Store> open() {
        auto store = store::Store::open(m_db);
        if (!store) {
            std::fprintf(stderr, "cannot open %s: %s\n", m_db.c_str(),
                         store.error().message.c_str());
            std::abort();  // every check below reads the store
        }
        return std::move(*store);
    }

    // trackerctl --db <the test's file> args...
    Outcome trackerctl(std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", m_db});
        return testing_support::run_command(TRACKERCTL_BIN, args, m_dir.file("stderr.txt"));
    }

    std::string write(const std::string& name, const std::string& text) {
        std::ofstream(m_dir.file(name), std::ios::binary) << text;
        std::filesystem::permissions(m_dir.file(name), std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_write);
        return m_dir.file(name);
    }

    core::Person person(const std::string& id) {
        auto record = open()->person_record(id);
        EXPECT_TRUE(record && *record) << "no person " << id;
        return record && *record ? (*record)->person : core::Person{};
    }

    std::optional<store::ChatRecord> chat(const std::string& platform, const std::string& id) {
        auto record = open()->chat(platform, id);
        EXPECT_TRUE(record) << record.error().message;
        return record ? *record : std::nullopt;
    }

    // The directory's audit rows (project ""), as "entity entity_id field: old -> new [source]".
    std::vector<std::string> audit() {
        auto rows = open()->audit_log("", "");
        EXPECT_TRUE(rows) << rows.error().message;
        std::vector<std::string> out;
        for (const auto& r : rows ? *rows : std::vector<core::AuditEntry>{})
            out.push_back(r.entity + " " + r.entity_id + " " + r.field + ": " + r.old_value +
                          " -> " + r.new_value + " [" + r.source + "]");
        return out;
    }

    void import_two_people() {
        auto csv = write("team.csv",
                         "编号,姓名,部门,邮箱,手机,slack\n"
                         "xiaoming,小明,市场部,xm@example.com,+86 138-0013-8000,U1\n"
                         "xiaohong,小红,设计部,,,\n");
        Outcome run = trackerctl({"people", "import", csv});
        ASSERT_EQ(run.exit_code, 0) << run.err;
    }

    TempDir m_dir;
    std::string m_db = m_dir.file("trackerd.db");
};

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

TEST_F(TrackerctlDirectoryTest, PeopleImportReadsChineseThenEnglishHeadersAndKeepsLinkedAccounts) {
    auto chinese = write("zh.csv",
                         "\xEF\xBB\xBF编号,姓名,部门,邮箱,手机,slack\n"
                         "xiaoming,小明,市场部,xm@example.com,+86 138-0013-8000,U1\n"
                         "xiaohong,小红,设计部,,,\n");
    Outcome first = trackerctl({"people", "import", chinese});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_TRUE(contains(first.out, "2 added, 0 updated, 0 unchanged")) << first.out;

    // No account columns: the linked account stays; the global --db may follow the command.
    auto english = write("en.csv",
                         "ID, Name ,Department,Email\n"
                         "xiaoming,小明,Sales,xm@example.com\n"
                         "xiaohong,小红,,\n"
                         "liwei,Li Wei,Sales,lw@example.com\n");
    Outcome second = trackerctl({"people", "import", english});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_TRUE(contains(second.out, "1 added, 1 updated, 1 unchanged")) << second.out;

    core::Person xiaoming = person("xiaoming");
    EXPECT_EQ(xiaoming.department, "Sales");
    EXPECT_EQ(xiaoming.slack, "U1");
    EXPECT_EQ(xiaoming.mobile, "13800138000");
    EXPECT_EQ(person("xiaohong").department, "设计部");

    Outcome listed = trackerctl({"people"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_TRUE(contains(listed.out,
                         "id\tname\tdepartment\temail\tmobile\tslack\tfeishu\tdingtalk\tsource\n"))
        << listed.out;
    EXPECT_TRUE(
        contains(listed.out, "xiaoming\t小明\tSales\txm@example.com\t13800138000\tU1\t\t\tcli\n"))
        << listed.out;
    EXPECT_TRUE(contains(listed.out, "liwei\tLi Wei\tSales\tlw@example.com\t\t\t\t\tcli\n"))
        << listed.out;

    std::string trail = joined(audit());
    EXPECT_TRUE(contains(trail, "person xiaoming created:  -> 小明 [cli]")) << trail;
    EXPECT_TRUE(contains(trail, "person xiaoming department: 市场部 -> Sales [cli]")) << trail;
    EXPECT_TRUE(contains(trail, "person liwei created:  -> Li Wei [cli]")) << trail;
    EXPECT_FALSE(contains(trail, "person xiaoming slack")) << trail;
}

TEST_F(TrackerctlDirectoryTest, PeopleImportSkipsARowWhoseAccountSomeoneElseHolds) {
    import_two_people();
    auto csv = write("more.csv", "id,name,slack\nxiaohong,小红,U1\nliwei,Li Wei,U2\n");
    Outcome run = trackerctl({"people", "import", csv});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.out, "1 added, 0 updated, 0 unchanged, 1 skipped")) << run.out;
    EXPECT_TRUE(contains(run.err, "xiaohong: slack account U1 is already linked to xiaoming"))
        << run.err;
    EXPECT_TRUE(contains(run.err, "trackerctl people unlink xiaoming --slack")) << run.err;
    EXPECT_EQ(person("xiaohong").slack, "");
    EXPECT_EQ(person("liwei").slack, "U2");
}

TEST_F(TrackerctlDirectoryTest, PeopleImportOfABadTableNamesTheProblemAndWritesNothing) {
    auto unknown = write("bad.csv", "name,wechat\nA,a1\n");
    Outcome run = trackerctl({"people", "import", unknown});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "'wechat'")) << run.err;
    auto nameless = write("nameless.csv", "姓名,邮箱\nA,a@x\n,b@x\n");
    run = trackerctl({"people", "import", nameless});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "row 3")) << run.err;
    run = trackerctl({"people", "import", m_dir.file("missing.csv")});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "cannot read")) << run.err;
    auto people = open()->person_records();
    ASSERT_TRUE(people);
    EXPECT_TRUE(people->empty());
}

TEST_F(TrackerctlDirectoryTest, PeopleLinkAndUnlinkByIdOrNameAreAuditedAsCli) {
    import_two_people();
    Outcome linked =
        trackerctl({"people", "link", "小红", "--feishu", "ou_2", "--dingtalk", "16650246698"});
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    EXPECT_TRUE(contains(linked.out, "linked xiaohong's feishu account ou_2\n")) << linked.out;
    EXPECT_EQ(person("xiaohong").feishu, "ou_2");
    EXPECT_EQ(person("xiaohong").dingtalk, "16650246698");

    Outcome again = trackerctl({"people", "link", "xiaohong", "--feishu", "ou_2"});
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(contains(again.out, "nothing changed")) << again.out;

    Outcome unlinked = trackerctl({"people", "unlink", "xiaohong", "--feishu", "--slack"});
    ASSERT_EQ(unlinked.exit_code, 0) << unlinked.err;
    EXPECT_TRUE(contains(unlinked.out, "unlinked xiaohong's feishu account ou_2\n"))
        << unlinked.out;
    EXPECT_TRUE(contains(unlinked.out, "xiaohong has no slack account; nothing changed\n"))
        << unlinked.out;
    EXPECT_EQ(person("xiaohong").feishu, "");
    EXPECT_EQ(person("xiaohong").dingtalk, "16650246698");

    std::string trail = joined(audit());
    EXPECT_TRUE(contains(trail, "person xiaohong feishu:  -> ou_2 [cli]")) << trail;
    EXPECT_TRUE(contains(trail, "person xiaohong dingtalk:  -> 16650246698 [cli]")) << trail;
    EXPECT_TRUE(contains(trail, "person xiaohong feishu: ou_2 ->  [cli]")) << trail;
    auto record = open()->person_record("xiaohong");
    ASSERT_TRUE(record && *record);
    EXPECT_EQ((*record)->source, core::EntrySource::cli);
}

TEST_F(TrackerctlDirectoryTest, LinkingAnAccountSomeoneElseHoldsFailsAndChangesNothing) {
    import_two_people();
    size_t audited = audit().size();
    // The feishu link comes first and would succeed alone: the command is all or nothing.
    Outcome run = trackerctl({"people", "link", "xiaohong", "--slack", "U1", "--feishu", "ou_2"});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "slack account U1 is already linked to xiaoming")) << run.err;
    EXPECT_TRUE(contains(run.err, "trackerctl people unlink xiaoming --slack")) << run.err;
    EXPECT_TRUE(contains(run.err, "nothing changed")) << run.err;
    EXPECT_EQ(person("xiaohong").slack, "");
    EXPECT_EQ(person("xiaohong").feishu, "");
    EXPECT_EQ(person("xiaoming").slack, "U1");
    EXPECT_EQ(audit().size(), audited);

    Outcome replace = trackerctl({"people", "link", "xiaoming", "--slack", "U9"});
    EXPECT_EQ(replace.exit_code, 1);
    EXPECT_TRUE(contains(replace.err, "xiaoming is already linked to slack account U1"))
        << replace.err;
    EXPECT_EQ(person("xiaoming").slack, "U1");
}

TEST_F(TrackerctlDirectoryTest, LinkFailsForAnUnknownPersonOrWithoutAnAccount) {
    import_two_people();
    Outcome nobody = trackerctl({"people", "link", "nobody", "--slack", "U5"});
    EXPECT_EQ(nobody.exit_code, 1);
    EXPECT_TRUE(contains(nobody.err, "no person 'nobody'")) << nobody.err;
    Outcome bare = trackerctl({"people", "link", "xiaoming"});
    EXPECT_EQ(bare.exit_code, 1);
    EXPECT_TRUE(contains(bare.err, "--slack")) << bare.err;
    Outcome unlink = trackerctl({"people", "unlink", "xiaoming"});
    EXPECT_EQ(unlink.exit_code, 1);
    EXPECT_TRUE(contains(unlink.err, "--slack")) << unlink.err;
}

TEST_F(TrackerctlDirectoryTest, ChatsBindSetUnbindRemoveAreAuditedAsCli) {
    Outcome bound = trackerctl({"chats", "bind", "slack:C1", "p1"});
    ASSERT_EQ(bound.exit_code, 0) << bound.err;
    EXPECT_TRUE(contains(bound.out, "added slack:C1 bound to P1")) << bound.out;
    auto stored = chat("slack", "C1");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->chat.projects, std::vector<std::string>{"P1"});
    EXPECT_EQ(stored->chat.digest_time, (core::TimeOfDay{9, 0}));  // the defaults
    EXPECT_EQ(stored->source, core::EntrySource::cli);

    ASSERT_EQ(trackerctl({"chats", "bind", "slack:C1", "P2", "P1"}).exit_code, 0);
    Outcome digest = trackerctl({"chats", "set", "slack:C1", "digest_time", "09:30"});
    ASSERT_EQ(digest.exit_code, 0) << digest.err;
    EXPECT_TRUE(contains(digest.out, "set slack:C1 digest_time: 09:00 -> 09:30")) << digest.out;
    ASSERT_EQ(trackerctl({"chats", "set", "slack:C1", "weekly", "FRI", "16:00"}).exit_code, 0);
    ASSERT_EQ(trackerctl({"chats", "set", "slack:C1", "timezone", "Asia/Tokyo"}).exit_code, 0);
    ASSERT_EQ(trackerctl({"chats", "set", "slack:C1", "quiet_hours", "off"}).exit_code, 0);
    ASSERT_EQ(trackerctl({"chats", "set", "slack:C1", "locale", "en"}).exit_code, 0);

    Outcome listed = trackerctl({"chats"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_TRUE(contains(listed.out,
                         "chat\tprojects\tlocale\ttimezone\tdigest_time\treminder_time\tweekly_time"
                         "\tquiet_hours\twebhook_url\tsource\n"))
        << listed.out;
    EXPECT_TRUE(contains(listed.out,
                         "slack:C1\tP1,P2\ten\tAsia/Tokyo\t09:30\t17:00\tFRI 16:00\toff\t\tcli\n"))
        << listed.out;

    Outcome unbound = trackerctl({"chats", "unbind", "slack:C1", "p1"});
    ASSERT_EQ(unbound.exit_code, 0) << unbound.err;
    EXPECT_EQ(chat("slack", "C1")->chat.projects, std::vector<std::string>{"P2"});
    ASSERT_EQ(trackerctl({"chats", "unbind", "slack:C1"}).exit_code, 0);
    EXPECT_TRUE(chat("slack", "C1")->chat.projects.empty());
    Outcome removed = trackerctl({"chats", "remove", "slack:C1"});
    ASSERT_EQ(removed.exit_code, 0) << removed.err;
    EXPECT_FALSE(chat("slack", "C1"));

    std::string trail = joined(audit());
    for (const char* row :
         {"chat slack:C1 created:  -> P1 [cli]", "chat slack:C1 projects: P1 -> P1,P2 [cli]",
          "chat slack:C1 digest_time: 09:00 -> 09:30 [cli]",
          "chat slack:C1 weekly_time: MON 09:30 -> FRI 16:00 [cli]",
          "chat slack:C1 timezone:  -> Asia/Tokyo [cli]",
          "chat slack:C1 quiet_hours: 22:00-08:00 -> off [cli]",
          "chat slack:C1 locale:  -> en [cli]", "chat slack:C1 projects: P1,P2 -> P2 [cli]",
          "chat slack:C1 projects: P2 ->  [cli]"})
        EXPECT_TRUE(contains(trail, row)) << row << "\n" << trail;
}

TEST_F(TrackerctlDirectoryTest, RemovingAChatIsAudited) {
    ASSERT_EQ(trackerctl({"chats", "bind", "slack:C1", "P1"}).exit_code, 0);
    size_t audited = audit().size();
    ASSERT_EQ(trackerctl({"chats", "remove", "slack:C1"}).exit_code, 0);
    std::vector<std::string> rows = audit();
    ASSERT_GT(rows.size(), audited) << joined(rows);
    EXPECT_TRUE(contains(rows.back(), "chat slack:C1 ")) << rows.back();
    EXPECT_TRUE(contains(rows.back(), "[cli]")) << rows.back();
}

TEST_F(TrackerctlDirectoryTest, BindingToAProjectThatDoesNotExistFailsAndAddsNoChat) {
    Outcome run = trackerctl({"chats", "bind", "feishu:oc_1", "P1", "P9"});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_TRUE(contains(run.err, "no project 'P9'")) << run.err;
    EXPECT_TRUE(contains(run.err, "trackerctl import")) << run.err;
    EXPECT_FALSE(chat("feishu", "oc_1"));
    EXPECT_TRUE(audit().empty());
}

TEST_F(TrackerctlDirectoryTest, BadChatsAndSettingsFailAndChangeNothing) {
    ASSERT_EQ(trackerctl({"chats", "bind", "dingtalk:cid1", "P1"}).exit_code, 0);
    const auto before = chat("dingtalk", "cid1");
    ASSERT_TRUE(before);
    size_t audited = audit().size();
    struct Case {
        std::vector<std::string> args;
        std::string says;
    };
    const std::vector<Case> cases = {
        {{"chats", "set", "dingtalk:cid1", "digest_time", "25:00"}, "expected a time HH:MM"},
        {{"chats", "set", "dingtalk:cid1", "weekly_time", "someday"},
         "expected a weekday and a time"},
        {{"chats", "set", "dingtalk:cid1", "timezone", "Mars/Base"}, "expected an IANA time zone"},
        {{"chats", "set", "dingtalk:cid1", "timezone", "Asia/Tokio"},
         "Asia/Tokio"},  // syntax fine, no such zone
        {{"chats", "set", "dingtalk:cid1", "quiet_hours", "22-08"}, "22:00-08:00"},
        {{"chats", "set", "dingtalk:cid1", "locale", "klingon"}, "zh-CN or en"},
        {{"chats", "set", "dingtalk:cid1", "colour", "red"}, "no setting 'colour'"},
        {{"chats", "set", "dingtalk:cid9", "digest_time", "09:00"}, "no chat dingtalk:cid9"},
        {{"chats", "bind", "teams:C1", "P1"}, "slack, feishu or dingtalk"},
        {{"chats", "bind", "C1", "P1"}, "platform:chat_id"},
        {{"chats", "unbind", "dingtalk:cid1", "P2"}, "not bound to P2"},
        {{"chats", "remove", "slack:C404"}, "no chat slack:C404"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(joined(c.args));
        Outcome run = trackerctl(c.args);
        EXPECT_EQ(run.exit_code, 1) << run.out;
        EXPECT_TRUE(contains(run.err, c.says)) << run.err;
    }
    EXPECT_EQ(chat("dingtalk", "cid1")->chat, before->chat);
    EXPECT_EQ(audit().size(), audited);
}

TEST_F(TrackerctlDirectoryTest, DigestSendAndScheduleFindChatsInTheStore) {
    // Slack's API is never called: the digest is only queued in the outbox.
    auto config = write("trackerd.json", R"({"timezone": "UTC",
        "slack": {"enabled": true, "signing_secret": "s", "bot_token": "xoxb-1", "api_base": "http://127.0.0.1:9/api"},
        "chats": [{"platform": "slack", "chat_id": "C7", "projects": ["P1"]}]})");
    Outcome missing = trackerctl({"--config", config, "digest", "--send", "--chat", "slack:C8"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_TRUE(contains(missing.err, "no chat slack:C8")) << missing.err;

    ASSERT_EQ(trackerctl({"--config", config, "chats", "bind", "slack:C8", "P2"}).exit_code, 0);
    Outcome sent = trackerctl({"--config", config, "digest", "--send", "--chat", "C8"});
    ASSERT_EQ(sent.exit_code, 0) << sent.err;
    EXPECT_TRUE(contains(sent.out, "queued 1 message for slack:C8")) << sent.out;
    Outcome plan = trackerctl({"--config", config, "schedule", "--date", "2024-07-01"});
    ASSERT_EQ(plan.exit_code, 0) << plan.err;
    EXPECT_TRUE(contains(plan.out, "digest\tslack:C7\tP1")) << plan.out;
    EXPECT_TRUE(contains(plan.out, "digest\tslack:C8\tP2")) << plan.out;
}

TEST_F(TrackerctlDirectoryTest, TheConfigSeedsTheDirectoryAndKeepsRunTimeChanges) {
    auto config = write("trackerd.json", R"({"timezone": "UTC",
        "people": [{"id": "zhao", "name": "赵", "department": "市场部"}],
        "chats": [{"platform": "dingtalk", "chat_id": "cid7", "projects": ["P1"],
                   "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=secret-token"}]})");
    Outcome listed = trackerctl({"--config", config, "chats"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_TRUE(contains(listed.out, "dingtalk:cid7\tP1\t")) << listed.out;
    EXPECT_TRUE(contains(listed.out, "https://oapi.dingtalk.com/…\tconfig\n")) << listed.out;
    EXPECT_FALSE(contains(listed.out, "secret-token")) << listed.out;

    ASSERT_EQ(
        trackerctl({"--config", config, "chats", "set", "dingtalk:cid7", "digest_time", "10:15"})
            .exit_code,
        0);
    ASSERT_EQ(
        trackerctl({"--config", config, "people", "link", "zhao", "--dingtalk", "1665"}).exit_code,
        0);
    auto department = write("dept.csv", "id,name,department\nzhao,赵,Sales\n");
    ASSERT_EQ(trackerctl({"--config", config, "people", "import", department}).exit_code, 0);

    // Another run with the same file keeps every run-time change; one without --config removes
    // nothing.
    ASSERT_EQ(trackerctl({"--config", config, "init"}).exit_code, 0);
    ASSERT_EQ(trackerctl({"init"}).exit_code, 0);
    auto stored = chat("dingtalk", "cid7");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->chat.digest_time, (core::TimeOfDay{10, 15}));
    EXPECT_EQ(stored->source, core::EntrySource::cli);
    EXPECT_EQ(person("zhao").dingtalk, "1665");
    EXPECT_EQ(person("zhao").department, "Sales");
}

}  // namespace
