// The real trackerctl binary copying whole databases (trackerctl copy, Store::copy_into): the
// demo campaign with its history, outbox, state, chats and claims from a SQLite file into a
// throw-away PostgreSQL server (support/pg_cluster.h) and back, compared by `trackerctl export`
// and by everything the store reads; ids and rowids kept, PostgreSQL's identities moved past
// them, a non-empty target refused untouched, and a URI's password never printed.

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/store/store.h"
#include "tests/support/demo_data.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::TempDir;

constexpr long long k_at = 1711000000;  // 2024-03-21, when the fixture's changes happen

using Outcome = testing_support::CommandOutcome;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::string real(double value) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", value);
    return buffer;
}
std::string real(const std::optional<double>& value) { return value ? real(*value) : "-"; }
std::string day(const std::optional<core::Date>& value) {
    return value ? core::format_iso_date(*value) : "-";
}
std::string number(const std::optional<int>& value) { return value ? std::to_string(*value) : "-"; }
std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

std::unique_ptr<store::Store> open_store(const std::string& where) {
    auto opened = store::Store::open(where);
    if (!opened) {
        ADD_FAILURE() << "cannot open " << store::Store::describe(where) << ": "
                      << opened.error().message;
        return nullptr;
    }
    return std::move(*opened);
}

// Everything the store reads back, ids and reals (all 17 digits) included: equal dumps, equal
// databases as far as trackerd can tell.
std::string dump(const std::string& where) {
    auto opened = open_store(where);
    if (!opened) return "(cannot open)";
    store::Store& s = *opened;
    std::ostringstream out;
    auto projects = s.projects();
    if (!projects) return "projects: " + projects.error().message;
    for (const auto& p : *projects) {
        out << "project " << p.id << "|" << p.name << "|" << p.owner << "|" << day(p.start) << "|"
            << day(p.end) << "|" << real(p.budget_total) << "|" << real(p.budget_reserve) << "|"
            << core::to_string(p.status) << "|" << real(p.thresholds.deviation_at_risk) << "|"
            << real(p.thresholds.on_time_target) << "|" << p.thresholds.delay_grace_days << "\n";
        auto state = s.load_project(p.id);
        if (!state) return "load_project: " + state.error().message;
        for (const auto& t : state->tasks)
            out << " task " << t.id << "|" << core::to_string(t.level) << "|" << t.parent_id << "|"
                << t.position << "|" << t.name << "|" << t.owner << "|" << t.approver << "|"
                << joined(t.collaborators) << "|" << core::to_string(t.priority) << "|"
                << day(t.planned_start) << "|" << day(t.planned_finish) << "|"
                << day(t.actual_start) << "|" << day(t.actual_finish) << "|"
                << number(t.estimated_days) << "|" << core::to_string(t.status) << "|"
                << t.completion << "|" << core::to_string(t.risk) << "|" << joined(t.predecessors)
                << "|" << real(t.budget) << "|" << t.remark << "|" << t.blocked_reason << "|"
                << day(t.blocked_since) << "|" << day(t.last_update) << "\n";
        for (const auto& k : state->kpis)
            out << " kpi " << k.id << "|" << k.name << "|" << core::to_string(k.kind) << "|"
                << real(k.target) << "|" << real(k.current) << "|" << k.percent << "|"
                << k.data_source << "|" << day(k.updated) << "|" << real(k.warn_below) << "\n";
        for (const auto& r : state->risks)
            out << " risk " << r.id << "|" << r.task_id << "|" << r.title << "|"
                << core::to_string(r.impact) << "|" << r.owner << "|" << core::to_string(r.status)
                << "|" << day(r.opened) << "|" << day(r.closed) << "\n";
        for (const auto& d : state->deviation_reports)
            out << " deviation " << d.id << "|" << d.task_id << "|" << core::format_iso_date(d.date)
                << "|" << d.at_unix << "|" << d.who << "|" << core::to_string(d.cause_kind) << "|"
                << d.cause << "|" << d.remedy << "|" << day(d.new_planned_finish) << "\n";
        for (const auto& e : state->progress)
            out << " progress " << e.id << "|" << e.task_id << "|" << core::format_iso_date(e.date)
                << "|" << e.at_unix << "|" << e.who << "|" << e.action << "|" << e.actual_content
                << "|" << number(e.completion) << "|" << real(e.deviation_rate) << "|" << e.problem
                << "|" << e.evidence << "|" << e.source << "\n";
        auto audit = s.audit_log(p.id, "");
        if (!audit) return "audit_log: " + audit.error().message;
        for (const auto& a : *audit)
            out << " audit " << a.id << "|" << a.at_unix << "|" << a.who << "|" << a.source << "|"
                << a.entity << "|" << a.entity_id << "|" << a.field << "|" << a.old_value << "|"
                << a.new_value << "\n";
    }
    auto directory_audit = s.audit_log("", "");
    for (const auto& a : directory_audit ? *directory_audit : std::vector<core::AuditEntry>{})
        out << "audit " << a.id << "|" << a.at_unix << "|" << a.who << "|" << a.source << "|"
            << a.entity << "|" << a.entity_id << "|" << a.field << "|" << a.old_value << "|"
            << a.new_value << "\n";
    auto people = s.person_records();
    for (const auto& r : people ? *people : std::vector<store::PersonRecord>{})
        out << "person " << r.person.id << "|" << r.person.name << "|" << r.person.department << "|"
            << r.person.slack << "|" << r.person.feishu << "|" << r.person.dingtalk << "|"
            << r.person.email << "|" << r.person.mobile << "|" << core::to_string(r.source) << "|"
            << r.seeded << "\n";
    auto outbox = s.outbox(std::nullopt, 1000);
    for (const auto& m : outbox ? *outbox : std::vector<store::OutboxMessage>{})
        out << "outbox " << m.id << "|" << m.platform << "|" << m.channel << "|" << m.destination
            << "|" << m.reply_to << "|" << m.kind << "|" << m.body << "|" << m.dedup_key << "|"
            << m.created_at << "|" << m.next_attempt_at << "|" << m.expires_at << "|" << m.attempts
            << "|" << store::to_string(m.state) << "|" << m.last_error << "|" << m.sent_at << "|"
            << m.remote_id << "\n";
    auto chats = s.chats();
    for (const auto& c : chats ? *chats : std::vector<store::ChatRecord>{})
        out << "chat " << c.chat.platform << ":" << c.chat.chat_id << "|" << joined(c.chat.projects)
            << "|" << (c.chat.locale ? core::to_string(*c.chat.locale) : "-") << "|"
            << c.chat.timezone.value_or("-") << "|" << c.chat.webhook_url << "|"
            << core::format_time_of_day(c.chat.digest_time) << "|"
            << core::format_weekly_time(c.chat.weekly_time) << "|" << core::to_string(c.source)
            << "|" << c.seeded << "|" << c.updated_at << "\n";
    auto claims = s.claims();
    for (const auto& c : claims ? *claims : std::vector<core::Claim>{})
        out << "claim " << c.platform << ":" << c.account << "|" << c.person_id << "|" << c.chat_id
            << "|" << c.at_unix << "\n";
    for (const char* key : {"sched/digest/slack/C100/P1", "bench/json", "empty"}) {
        auto value = s.get_state(key);
        out << "state " << key << "=" << (value && *value ? **value : "(none)") << "\n";
    }
    auto seen = s.seen_inbound("slack", "Ev0001");
    out << "inbound " << (seen && *seen) << "\n";
    auto bound = s.signature_binding("dingtalk", "sig-1", k_at);
    out << "signature " << (bound && *bound ? **bound : "(none)") << "\n";
    return out.str();
}

// What the store's API does not show, read with SQL from a SQLite file or a PostgreSQL URI:
// the rowids of the tables the store orders by them ("table key=rowid", in rowid order) and the
// outbox leases. One line a row, columns '|'-separated.
std::vector<std::string> raw_rows(const std::string& where) {
    std::vector<std::pair<std::string, std::string>> queries;
    for (const char* table : {"projects", "tasks", "kpis", "risks"})
        queries.emplace_back(
            table, std::string("SELECT ") +
                       (std::string(table) == "projects" ? "id" : "project_id || '/' || id") +
                       ", rowid FROM " + table + " ORDER BY rowid");
    queries.emplace_back(
        "lease",
        "SELECT destination, holder, until_ms, ready_at_ms, answered_ms FROM outbox_leases"
        " ORDER BY destination");
    std::vector<std::string> out;
    if (!store::Store::is_database_uri(where)) {
        SQLite::Database db(where, SQLite::OPEN_READONLY);
        for (const auto& [name, sql] : queries) {
            SQLite::Statement q(db, sql);
            while (q.executeStep()) {
                std::string line = name;
                for (int c = 0; c < q.getColumnCount(); ++c)
                    line += "|" + q.getColumn(c).getString();
                out.push_back(line);
            }
        }
        return out;
    }
    PGconn* conn = PQconnectdb(where.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        ADD_FAILURE() << PQerrorMessage(conn);
        PQfinish(conn);
        return out;
    }
    for (const auto& [name, sql] : queries) {
        PGresult* result = PQexec(conn, sql.c_str());
        if (PQresultStatus(result) != PGRES_TUPLES_OK)
            ADD_FAILURE() << PQresultErrorMessage(result);
        else
            for (int row = 0; row < PQntuples(result); ++row) {
                std::string line = name;
                for (int c = 0; c < PQnfields(result); ++c)
                    line += std::string("|") + PQgetvalue(result, row, c);
                out.push_back(line);
            }
        PQclear(result);
    }
    PQfinish(conn);
    return out;
}

class TrackerctlCopyTest : public ::testing::Test {
protected:
    void SetUp() override { TRACKERD_PG_OR_SKIP(); }

    // trackerctl args... (its stdout and stderr apart)
    Outcome trackerctl(const std::vector<std::string>& args) {
        return testing_support::run_command(TRACKERCTL_BIN, args, m_dir.file("stderr.txt"));
    }

    Outcome copy(const std::string& from, const std::string& to) {
        return trackerctl({"copy", "--from", from, "--to", to});
    }

    // The export of each project: the tracking table and the KPI table, as trackerctl prints them.
    std::string exports(const std::string& where) {
        std::string out;
        for (const char* project : {"P1", "A-Q3"})
            for (bool kpis : {false, true}) {
                std::vector<std::string> args{"--db", where, "export", "--project", project};
                if (kpis) args.push_back("--kpis");
                Outcome run = trackerctl(args);
                EXPECT_EQ(run.exit_code, 0) << run.err;
                EXPECT_FALSE(run.out.empty());
                out += "== " + std::string(project) + (kpis ? " kpis" : "") + "\n" + run.out;
            }
        return out;
    }

    // The demo campaign and a second project (listed after it although it sorts first: the
    // rowid orders projects), then a day of work: progress with deviation rates that need all
    // 17 digits, a delay with its deviation report, a block, KPIs and a risk changed, people
    // linked, outbox rows in each state, scheduler state, a chat, a claim, an inbound key, a
    // bound signature and an outbox lease.
    void make_demo(const std::string& path) {
        ASSERT_EQ(testing_support::import_demo(path, k_at - 86400), "");
        ASSERT_EQ(testing_support::import_demo(path, k_at - 3600),
                  "");  // re-imported: rowids with gaps
        Outcome q3 = trackerctl(
            {"--db", path, "import", testing_support::samples_dir() + "/q3-online-strategy.csv",
             "--kpis", testing_support::samples_dir() + "/q3-online-strategy-kpis.csv", "--project",
             "A-Q3"});
        ASSERT_EQ(q3.exit_code, 0) << q3.err;

        auto s = open_store(path);
        ASSERT_TRUE(s);
        core::ChangeSource chat{"xiaoli", "slack", "C100", "1711000000.000100", k_at};
        int n = 0;
        for (const char* task : {"T002", "T003", "T004", "T002"}) {
            store::TaskUpdate u;
            u.project_id = "P1";
            u.task_id = task;
            u.action = "progress";
            u.completion = 30 + 20 * n;
            u.date = core::make_date(2024, 3, 21);
            u.note = std::string("进展 ") + std::to_string(n);
            u.deviation_rate = n == 0 ? 0.1 + 0.2 : 1.0 / 3.0;
            chat.at_unix = k_at + n++;
            auto change = s->apply(u, chat);
            ASSERT_TRUE(change) << change.error().message;
        }
        store::TaskUpdate delay;
        delay.project_id = "P1";
        delay.task_id = "T003";
        delay.action = "delay";
        delay.status = core::Status::delayed;
        delay.planned_finish = core::make_date(2024, 4, 5);
        delay.date = core::make_date(2024, 3, 22);
        core::DeviationReport report;
        report.cause_kind = core::CauseKind::objective;
        report.cause = "供应商产能不足";
        report.remedy = "加急";
        report.new_planned_finish = core::make_date(2024, 4, 5);
        delay.deviation_report = report;
        ASSERT_TRUE(s->apply(delay, chat));
        store::TaskUpdate block;
        block.project_id = "A-Q3";
        block.task_id = "T001";
        block.action = "block";
        block.status = core::Status::blocked;
        block.blocked_reason = "等待预算审批";
        block.blocked_since = core::make_date(2024, 3, 21);
        block.date = core::make_date(2024, 3, 21);
        ASSERT_TRUE(s->apply(block, chat));

        auto q3_state = s->load_project("A-Q3");
        ASSERT_TRUE(q3_state);
        ASSERT_FALSE(q3_state->kpis.empty());
        core::Kpi kpi = q3_state->kpis.front();
        kpi.current = 0.1 + 0.2;
        kpi.warn_below = 2.0 / 3.0;
        ASSERT_TRUE(s->upsert_kpi(kpi, chat));
        core::RiskItem risk;
        risk.id = "R001";
        risk.project_id = "P1";
        risk.task_id = "T003";
        risk.title = "供应商延期";
        risk.impact = core::RiskLevel::high;
        risk.owner = "xiaoli";
        risk.opened = core::make_date(2024, 3, 21);
        ASSERT_TRUE(s->upsert_risk(risk, chat));
        core::Project p1 = *s->find_project("P1").value();
        p1.budget_total = 5000000.1;
        p1.budget_reserve = 1e6 / 7;
        ASSERT_TRUE(s->upsert_project(p1, chat));

        core::ChangeSource cli{"", "cli", "", "", k_at};
        auto people = s->people();
        ASSERT_TRUE(people && !people->empty());
        core::Person someone = people->front();
        someone.email = "Someone@Example.com";
        someone.mobile = "+8613800138000";
        ASSERT_TRUE(s->put_person(someone, core::EntrySource::cli, "", cli));
        ASSERT_TRUE(s->link_account(someone.id, "slack", "U0SOMEONE", core::EntrySource::cli, cli));

        for (int i = 0; i < 3; ++i) {
            store::OutboxMessage m;
            m.platform = "slack";
            m.channel = "api";
            m.destination = "C100";
            m.kind = i == 0 ? "reply" : "digest";
            m.body = "{\"text\":\"第" + std::to_string(i) + "条\"}";
            m.dedup_key = i == 1 ? "" : "key-" + std::to_string(i);
            m.created_at = k_at + i;
            m.next_attempt_at = k_at + i;
            auto queued = s->enqueue(m);
            ASSERT_TRUE(queued) << queued.error().message;
            if (i == 0) {
                ASSERT_TRUE(s->mark_sent(queued->id, k_at + 5, "1711000005.000200"));
            } else if (i == 1) {
                ASSERT_TRUE(s->mark_failed(queued->id, k_at + 60, "HTTP 500", /*dead=*/true));
            }
        }
        ASSERT_TRUE(s->put_state("sched/digest/slack/C100/P1", "2024-03-21"));
        ASSERT_TRUE(s->put_state("bench/json", "{\"ladder\":[1,2,3],\"note\":\"引号\\\"\"}"));
        ASSERT_TRUE(s->put_state("empty", ""));

        core::ChatEntry room;
        room.platform = "slack";
        room.chat_id = "C100";
        room.projects = {"P1", "A-Q3"};
        room.locale = core::Locale::en;
        room.timezone = "Asia/Shanghai";
        room.digest_time = {8, 45};
        ASSERT_TRUE(s->put_chat(room, core::EntrySource::cli, "", cli));
        core::ChatEntry robot;
        robot.platform = "dingtalk";
        robot.chat_id = "cid-robot";
        robot.webhook_url = "https://oapi.dingtalk.com/robot/send?access_token=abc";
        robot.quiet_hours = std::nullopt;
        ASSERT_TRUE(s->put_chat(robot, core::EntrySource::config, "seeded text", cli));
        ASSERT_TRUE(
            s->put_claim(core::Claim{"slack", "U0NEW", people->back().id, "C100", k_at + 9}));

        ASSERT_TRUE(s->remember_inbound("slack", "Ev0001", k_at));
        ASSERT_TRUE(s->bind_signature("dingtalk", "sig-1", "msg-1", k_at + 3600, k_at));
        s.reset();
        // A replica's outbox lease (migration 7), with its recent answers.
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(
            "INSERT INTO outbox_leases (destination, holder, until_ms, ready_at_ms, answered_ms)"
            " VALUES ('slack/C100', 'replica-a', 1711000060000, 1711000001500,"
            " '1711000000100' || char(31) || '1711000000900')");
    }

    long long max_progress_id(const std::string& where) {
        auto s = open_store(where);
        long long id = 0;
        for (const char* project : {"P1", "A-Q3"}) {
            auto state = s->load_project(project);
            EXPECT_TRUE(state) << state.error().message;
            for (const auto& e : state ? state->progress : std::vector<core::ProgressEntry>{})
                id = std::max(id, e.id);
        }
        return id;
    }

    TempDir m_dir;
    std::string m_sqlite = m_dir.file("trackerd.db");
};

TEST_F(TrackerctlCopyTest, SqliteToPostgresqlExportsByteIdenticalAndKeepsEveryRow) {
    make_demo(m_sqlite);
    if (HasFatalFailure()) return;
    const std::string pg = testing_support::PgCluster::shared().create_database();

    Outcome run = copy(m_sqlite, pg);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const char* line : {"people", "projects", "tasks", "progress_log", "deviation_reports",
                             "risks", "kpis", "audit", "inbound_seen", "outbox", "outbox_leases",
                             "state", "signature_uses", "chats", "claims"})
        EXPECT_TRUE(contains(run.out, std::string(line) + " ")) << line << " missing in:\n"
                                                                << run.out;
    EXPECT_TRUE(contains(run.out, "copied ")) << run.out;
    EXPECT_TRUE(contains(run.out, " rows in ")) << run.out;

    EXPECT_EQ(exports(pg), exports(m_sqlite));
    const std::string before = dump(m_sqlite);
    EXPECT_TRUE(contains(before, "0.30000000000000004")) << "the fixture lost its 17-digit reals";
    EXPECT_TRUE(contains(before, "chat slack:C100")) << before;
    EXPECT_TRUE(contains(before, "claim slack:U0NEW")) << before;
    EXPECT_TRUE(contains(before, "outbox ")) << before;
    EXPECT_EQ(dump(pg), before);
    const auto raw = raw_rows(m_sqlite);
    EXPECT_TRUE(std::any_of(raw.begin(), raw.end(),
                            [](const std::string& r) { return r.rfind("lease|", 0) == 0; }));
    EXPECT_EQ(raw_rows(pg), raw);

    // The source is left as it was.
    EXPECT_EQ(dump(m_sqlite), before);
}

TEST_F(TrackerctlCopyTest, ProgressAndAuditIdsSurviveAndNewRowsOnPostgresqlGoPastThem) {
    make_demo(m_sqlite);
    if (HasFatalFailure()) return;
    const std::string pg = testing_support::PgCluster::shared().create_database();
    ASSERT_EQ(copy(m_sqlite, pg).exit_code, 0);

    auto sqlite = open_store(m_sqlite);
    auto copied = open_store(pg);
    ASSERT_TRUE(sqlite && copied);
    auto ids = [](store::Store& s, bool audit) {
        std::vector<long long> out;
        if (audit) {
            auto rows = s.audit_log("P1", "");
            for (const auto& a : rows ? *rows : std::vector<core::AuditEntry>{})
                out.push_back(a.id);
        } else {
            auto state = s.load_project("P1");
            for (const auto& e : state ? state->progress : std::vector<core::ProgressEntry>{})
                out.push_back(e.id);
        }
        return out;
    };
    auto progress_ids = ids(*sqlite, false);
    auto audit_ids = ids(*sqlite, true);
    ASSERT_GE(progress_ids.size(), 5u);
    EXPECT_EQ(ids(*copied, false), progress_ids);
    EXPECT_EQ(ids(*copied, true), audit_ids);
    const long long last_progress = max_progress_id(m_sqlite);
    const long long last_audit = *std::max_element(audit_ids.begin(), audit_ids.end());
    const long long last_outbox = sqlite->outbox(std::nullopt, 1000)->back().id;

    // New rows on PostgreSQL: identities continue after the copied ids, new projects sort last.
    store::TaskUpdate u;
    u.project_id = "P1";
    u.task_id = "T004";
    u.action = "progress";
    u.completion = 90;
    u.date = core::make_date(2024, 3, 23);
    u.note = "after the move";
    auto change = copied->apply(u, core::ChangeSource{"xiaoli", "cli", "", "", k_at + 100});
    ASSERT_TRUE(change) << change.error().message;
    EXPECT_GT(change->progress_entry_id, last_progress);
    auto audit = copied->audit_log("P1", "T004");
    ASSERT_TRUE(audit && !audit->empty());
    EXPECT_GT(audit->back().id, last_audit);
    store::OutboxMessage m;
    m.platform = "feishu";
    m.destination = "oc_1";
    m.dedup_key = "after-move";
    auto queued = copied->enqueue(m);
    ASSERT_TRUE(queued) << queued.error().message;
    EXPECT_GT(queued->id, last_outbox);
    core::Project newer;
    newer.id = "0-NEW";  // sorts before every copied id: only the rowid puts it last
    newer.name = "after the move";
    ASSERT_TRUE(copied->upsert_project(newer, core::ChangeSource{"", "cli", "", "", k_at + 100}));
    auto projects = copied->projects();
    ASSERT_TRUE(projects);
    ASSERT_EQ(projects->size(), 3u);
    EXPECT_EQ(projects->at(0).id, "P1");
    EXPECT_EQ(projects->at(1).id, "A-Q3");
    EXPECT_EQ(projects->at(2).id, "0-NEW");
}

TEST_F(TrackerctlCopyTest, CopyIntoANonEmptyTargetIsRefusedAndChangesNothing) {
    make_demo(m_sqlite);
    if (HasFatalFailure()) return;
    const std::string pg = testing_support::PgCluster::shared().create_database();
    {
        auto target = open_store(pg);
        ASSERT_TRUE(target);
        ASSERT_TRUE(target->put_state("already", "here"));
    }
    const std::string target_before = dump(pg);
    Outcome refused = copy(m_sqlite, pg);
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_TRUE(contains(refused.err, "state")) << refused.err;
    EXPECT_TRUE(contains(refused.err, "empty")) << refused.err;
    EXPECT_EQ(refused.out, "");
    EXPECT_EQ(dump(pg), target_before);
    {
        auto target = open_store(pg);
        EXPECT_EQ(target->get_state("already").value(), std::optional<std::string>("here"));
        EXPECT_TRUE(target->projects()->empty());
    }

    // A SQLite target holding the demo: refused naming the first table with rows.
    const std::string other = m_dir.file("other.db");
    ASSERT_EQ(testing_support::import_demo(other, k_at), "");
    const std::string other_before = dump(other);
    Outcome into_sqlite = copy(pg, other);
    EXPECT_NE(into_sqlite.exit_code, 0);
    EXPECT_TRUE(contains(into_sqlite.err, "people")) << into_sqlite.err;
    EXPECT_EQ(dump(other), other_before);

    // A target with a table the copy does not know (a later migration's): refused, naming it.
    const std::string later = m_dir.file("later.db");
    ASSERT_TRUE(open_store(later));
    SQLite::Database(later, SQLite::OPEN_READWRITE).exec("CREATE TABLE later_table (x INTEGER)");
    Outcome unknown = copy(m_sqlite, later);
    EXPECT_NE(unknown.exit_code, 0);
    EXPECT_TRUE(contains(unknown.err, "later_table")) << unknown.err;

    // Into itself: refused before anything is opened.
    Outcome itself = copy(m_sqlite, m_sqlite);
    EXPECT_NE(itself.exit_code, 0);
    EXPECT_TRUE(contains(itself.err, "same database")) << itself.err;

    // From a file that is not there: refused, not created (it would copy nothing).
    const std::string typo = m_dir.file("typo.db");
    Outcome missing = copy(typo, m_dir.file("fresh.db"));
    EXPECT_NE(missing.exit_code, 0);
    EXPECT_TRUE(contains(missing.err, "typo.db")) << missing.err;
    EXPECT_FALSE(std::filesystem::exists(typo));
    EXPECT_FALSE(std::filesystem::exists(m_dir.file("fresh.db")));
}

TEST_F(TrackerctlCopyTest, PostgresqlToSqliteRoundTripIsByteIdentical) {
    make_demo(m_sqlite);
    if (HasFatalFailure()) return;
    const std::string pg = testing_support::PgCluster::shared().create_database();
    ASSERT_EQ(copy(m_sqlite, pg).exit_code, 0);
    const std::string back = m_dir.file("back.db");
    Outcome run = copy(pg, back);
    ASSERT_EQ(run.exit_code, 0) << run.err;

    EXPECT_EQ(exports(back), exports(m_sqlite));
    EXPECT_EQ(dump(back), dump(m_sqlite));
    EXPECT_EQ(raw_rows(back), raw_rows(m_sqlite));

    // And SQLite to SQLite.
    const std::string again = m_dir.file("again.db");
    ASSERT_EQ(copy(back, again).exit_code, 0);
    EXPECT_EQ(dump(again), dump(m_sqlite));
    EXPECT_EQ(raw_rows(again), raw_rows(m_sqlite));
}

TEST_F(TrackerctlCopyTest, TablesLongerThanAReadPageOrAnInsertBatchArriveWhole) {
    // More outbox rows than a page read from the source (10,000) and inbound keys over two
    // INSERT batches into PostgreSQL (500): nothing lost or doubled at the seams.
    {
        auto s = open_store(m_sqlite);
        ASSERT_TRUE(s);
        auto filled = s->transaction([&]() -> core::Result<void> {
            for (int i = 0; i < 10'501; ++i) {
                store::OutboxMessage m;
                m.platform = "slack";
                m.destination = "C" + std::to_string(i % 7);
                m.body = "body " + std::to_string(i);
                m.dedup_key = "k" + std::to_string(i);
                m.created_at = k_at + i;
                auto queued = s->enqueue(m);
                if (!queued) return queued.error();
            }
            for (int i = 0; i < 1'234; ++i) {
                auto seen = s->remember_inbound("slack", "Ev" + std::to_string(i), k_at + i);
                if (!seen) return seen.error();
            }
            return core::ok();
        });
        ASSERT_TRUE(filled) << filled.error().message;
    }
    auto rows = [](const std::string& where) {
        std::vector<std::string> out;
        auto s = open_store(where);
        if (!s) return out;
        auto messages = s->outbox(std::nullopt, 20'000);
        EXPECT_TRUE(messages) << messages.error().message;
        for (const auto& m : messages ? *messages : std::vector<store::OutboxMessage>{})
            out.push_back(std::to_string(m.id) + " " + m.destination + " " + m.body + " " +
                          m.dedup_key);
        for (int i : {0, 499, 500, 999, 1000, 1233}) {
            auto seen = s->seen_inbound("slack", "Ev" + std::to_string(i));
            out.push_back("Ev" + std::to_string(i) + (seen && *seen ? " seen" : " unseen"));
        }
        return out;
    };
    const auto expected = rows(m_sqlite);
    ASSERT_EQ(expected.size(), 10'501u + 6u);
    const std::string pg = testing_support::PgCluster::shared().create_database();
    Outcome there = copy(m_sqlite, pg);
    ASSERT_EQ(there.exit_code, 0) << there.err;
    EXPECT_TRUE(contains(there.out, "10501")) << there.out;
    EXPECT_TRUE(contains(there.out, "1234")) << there.out;
    EXPECT_EQ(rows(pg), expected);
    const std::string back = m_dir.file("back.db");
    ASSERT_EQ(copy(pg, back).exit_code, 0);
    EXPECT_EQ(rows(back), expected);
}

TEST_F(TrackerctlCopyTest, AUriPasswordIsNeverPrinted) {
    make_demo(m_sqlite);
    if (HasFatalFailure()) return;
    const std::string pg = testing_support::PgCluster::shared().create_database();
    // postgresql://trackerd@/db?host=… -> postgresql://trackerd:s3cret@/db?host=… (trust auth
    // ignores it)
    const std::string user = "postgresql://trackerd@";
    ASSERT_EQ(pg.rfind(user, 0), 0u) << pg;
    const std::string with_password = "postgresql://trackerd:s3cret@" + pg.substr(user.size());
    auto no_secret = [](const Outcome& run) {
        EXPECT_FALSE(contains(run.out, "s3cret")) << run.out;
        EXPECT_FALSE(contains(run.err, "s3cret")) << run.err;
    };

    Outcome copied = copy(m_sqlite, with_password);
    EXPECT_EQ(copied.exit_code, 0) << copied.err;
    no_secret(copied);
    EXPECT_TRUE(contains(copied.err, "trackerd:***@")) << copied.err;

    Outcome refused = copy(m_sqlite, with_password);  // now it holds rows
    EXPECT_NE(refused.exit_code, 0);
    no_secret(refused);
    EXPECT_TRUE(contains(refused.err, "trackerd:***@")) << refused.err;

    Outcome back = copy(with_password, m_dir.file("back.db"));
    EXPECT_EQ(back.exit_code, 0) << back.err;
    no_secret(back);

    // A database that is not there: the connection's failure, named without the password.
    std::string missing = with_password;
    missing.replace(missing.find("@/") + 2, missing.find('?') - missing.find("@/") - 2,
                    "no_such_db");
    Outcome failed = copy(missing, m_dir.file("never.db"));
    EXPECT_NE(failed.exit_code, 0);
    no_secret(failed);
    EXPECT_TRUE(contains(failed.err, "no_such_db")) << failed.err;
    Outcome password_param = copy(m_sqlite, pg + "&password=s3cret");  // the parameter spelling
    EXPECT_NE(password_param.exit_code, 0);  // the target holds rows: refused, naming it
    no_secret(password_param);
}

}  // namespace
