// Tests for core/table_csv.h: the RFC 4180 reader/writer and the seeds' tracking and KPI tables.

#include "core/table_csv.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace core {
namespace {

std::string read_sample(const std::string& name) {
    std::ifstream in(std::string(TRACKERD_TESTDATA_DIR) + "/samples/" + name, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

std::string optional_date(const std::optional<Date>& date) {
    return date ? format_iso_date(*date) : "-";
}

std::string join_all(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += item + "|";
    return out;
}

// Every field the table carries, so two tables compare field by field with readable failures.
std::string describe(const Task& task) {
    return task.id + " " + task.project_id + " " + to_string(task.level) +
           " parent=" + task.parent_id + " pos=" + std::to_string(task.position) + " " + task.name +
           " / " + task.description + " / " + task.deliverable + " / " + task.acceptance +
           " owner=" + task.owner + " approver=" + task.approver +
           " collab=" + join_all(task.collaborators) + " " + to_string(task.priority) + " " +
           optional_date(task.planned_start) + " " + optional_date(task.planned_finish) + " " +
           optional_date(task.actual_start) + " " + optional_date(task.actual_finish) + " " +
           to_string(task.status) + " " + std::to_string(task.completion) + "% " +
           to_string(task.risk) + " pred=" + join_all(task.predecessors) +
           " remark=" + task.remark + " blocked=" + task.blocked_reason;
}

std::vector<std::string> describe(const ProjectState& state) {
    const Project& p = state.project;
    std::vector<std::string> out{"project " + p.id + " " + p.name + " / " + p.goal +
                                 " owner=" + p.owner + " " + optional_date(p.start) + " " +
                                 optional_date(p.end)};
    for (const auto& task : state.tasks) out.push_back(describe(task));
    for (const auto& [id, person] : state.people) out.push_back("person " + id + "=" + person.name);
    return out;
}

std::string describe(const Kpi& kpi) {
    return kpi.id + " " + kpi.project_id + " " + kpi.name + " " + to_string(kpi.kind) + " " +
           kpi.description + " " + std::to_string(kpi.target) + "/" + std::to_string(kpi.current) +
           (kpi.percent ? "%" : "") + " " + kpi.data_source + " " + optional_date(kpi.updated) +
           " warn=" + (kpi.warn_below ? std::to_string(*kpi.warn_below) : "-");
}

std::vector<std::string> describe(const std::vector<Kpi>& kpis) {
    std::vector<std::string> out;
    for (const auto& kpi : kpis) out.push_back(describe(kpi));
    return out;
}

ImportedTable import_ok(std::string_view csv, ImportOptions options = {}) {
    auto table = import_tracking_csv(csv, options);
    EXPECT_TRUE(table.has_value()) << (table ? "" : table.error().message);
    return table ? std::move(table).value() : ImportedTable{};
}

const std::string k_header =
    "编号,任务层级,任务名称,任务描述,交付物,负责人,计划开始,计划完成,实际开始,实际完成,"
    "进度状态,完成度,风险等级,前置任务,备注\n";

// ---- CSV -----------------------------------------------------------------------------------

struct CsvCase {
    const char* name;
    std::string text;
    std::vector<CsvRecord> expected;
};

TEST(CsvTest, ReadsRfc4180Fields) {
    const std::vector<CsvCase> cases{
        {"plain", "a,b,c\n1,2,3\n", {{"a", "b", "c"}, {"1", "2", "3"}}},
        {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
        {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
        {"comma in quotes", "\"a,b\",c\n", {{"a,b", "c"}}},
        {"doubled quotes", "\"say \"\"hi\"\"\",x\n", {{"say \"hi\"", "x"}}},
        {"newline in quotes", "\"line1\nline2\",x\r\ny,z\r\n", {{"line1\nline2", "x"}, {"y", "z"}}},
        {"crlf in quotes kept", "\"a\r\nb\"\r\n", {{"a\r\nb"}}},
        {"empty fields", "a,,\n,b,\n", {{"a", "", ""}, {"", "b", ""}}},
        {"empty quoted field", "\"\",x\n", {{"", "x"}}},
        {"blank line is a record", "a\n\nb\n", {{"a"}, {""}, {"b"}}},
        {"bom skipped", "\xEF\xBB\xBF编号,名称\nT001,x\n", {{"编号", "名称"}, {"T001", "x"}}},
        {"stray quote inside unquoted field", "5\" screen,x\n", {{"5\" screen", "x"}}},
        {"empty input", "", {}},
    };
    for (const auto& c : cases) {
        auto records = parse_csv(c.text);
        ASSERT_TRUE(records.has_value()) << c.name << ": " << records.error().message;
        EXPECT_EQ(*records, c.expected) << c.name;
    }
}

TEST(CsvTest, MalformedQuotingNamesTheRow) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"a,b\n\"open,c\n", "row 2: a quoted field is not closed"},
        {"a,b\nc,\"quoted\"tail\n", "row 2: text after a closing quote in field 2"},
    };
    for (const auto& [text, message] : cases) {
        auto records = parse_csv(text);
        ASSERT_FALSE(records.has_value()) << text;
        EXPECT_EQ(records.error().code, ErrorCode::invalid_argument);
        EXPECT_EQ(records.error().message, message);
    }
}

TEST(CsvTest, WriterQuotesOnlyWhatNeedsQuotingAndReadsBack) {
    std::vector<CsvRecord> records{{"plain", "a,b", "say \"hi\"", "two\nlines", ""}, {"中文", "x"}};
    std::string text = write_csv(records);
    EXPECT_EQ(text, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n中文,x\r\n");
    auto back = parse_csv(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, records);
}

// ---- tracking table ------------------------------------------------------------------------

TEST(TrackingImportTest, NewProductLaunchSampleBuildsTheThreeLevelWbs) {
    auto table = import_ok(read_sample("new-product-launch.csv"));
    const ProjectState& state = table.state;
    EXPECT_EQ(state.project.id, "P1");
    EXPECT_EQ(state.project.name, "新品上市推广");
    EXPECT_EQ(state.project.goal, "实现新品3个月销售额500万");
    EXPECT_EQ(state.project.owner, "经理");
    EXPECT_EQ(state.project.start, make_date(2024, 3, 1));
    EXPECT_EQ(state.project.end, make_date(2024, 5, 31));
    ASSERT_EQ(state.tasks.size(), 11u);

    const std::vector<std::tuple<std::string, Level, std::string>> hierarchy{
        {"P1", Level::phase, ""},    {"M1", Level::module, "P1"}, {"T001", Level::task, "M1"},
        {"T002", Level::task, "M1"}, {"M2", Level::module, "P1"}, {"T003", Level::task, "M2"},
        {"T004", Level::task, "M2"}, {"M3", Level::module, "P1"}, {"T005", Level::task, "M3"},
        {"T006", Level::task, "M3"}, {"M4", Level::module, "P1"},
    };
    for (const auto& [id, level, parent] : hierarchy) {
        const Task* task = state.find_task(id);
        ASSERT_NE(task, nullptr) << id;
        EXPECT_EQ(task->level, level) << id;
        EXPECT_EQ(task->parent_id, parent) << id;
        EXPECT_EQ(task->project_id, "P1") << id;
    }
    const Task* t004 = state.find_task("t004");
    ASSERT_NE(t004, nullptr);
    EXPECT_EQ(t004->name, "物料设计");
    EXPECT_EQ(t004->deliverable, "物料设计终稿(PSD/PDF)");
    EXPECT_EQ(t004->owner, "小张");
    EXPECT_EQ(t004->planned_start, make_date(2024, 3, 26));
    EXPECT_EQ(t004->planned_finish, make_date(2024, 4, 5));
    EXPECT_EQ(t004->predecessors, std::vector<std::string>{"T003"});
    EXPECT_EQ(t004->remark, "依赖创意定稿后启动");
    EXPECT_EQ(t004->status, Status::not_started);
    EXPECT_EQ(t004->position, 6);  // 0-based row order
    EXPECT_EQ(state.find_task("M4")->predecessors, std::vector<std::string>{"T006"});
    for (const char* name : {"经理", "小红", "小李", "小王", "小明", "小张", "小陈"}) {
        const Person* person = state.find_person(name);
        ASSERT_NE(person, nullptr) << name;
        EXPECT_EQ(person->name, name);
    }
    EXPECT_EQ(state.people.size(), 7u);
    EXPECT_TRUE(table.warnings.empty());
}

TEST(TrackingImportTest, Q3SampleHasTasksDirectlyUnderThePhase) {
    auto table = import_ok(read_sample("q3-online-strategy.csv"));
    const ProjectState& state = table.state;
    EXPECT_EQ(state.project.name, "2024年Q3新品线上推广策略");
    EXPECT_EQ(state.project.goal, "Q3实现线上销售额500万元，新客占比35%，品牌搜索量增长20%");
    EXPECT_EQ(state.project.owner, "赵");
    ASSERT_EQ(state.tasks.size(), 4u);
    EXPECT_EQ(state.tasks[0].status, Status::in_progress);
    EXPECT_EQ(state.tasks[0].completion, 0);
    const Task* t001 = state.find_task("T001");
    ASSERT_NE(t001, nullptr);
    EXPECT_EQ(t001->parent_id, "P1");
    EXPECT_EQ(t001->status, Status::done);
    EXPECT_EQ(t001->completion, 100);
    EXPECT_EQ(t001->actual_start, make_date(2024, 7, 15));
    EXPECT_EQ(t001->actual_finish, make_date(2024, 8, 20));
    EXPECT_EQ(t001->remark, "第三场直播设备故障，延期5天；已启用备用设备");
    EXPECT_EQ(state.find_task("T003")->parent_id, "P1");
}

TEST(TrackingImportTest, EnglishHeadersInAnyOrderWithOptionalColumns) {
    std::string csv =
        "name,id,Level,owner,status,completion,predecessors,planned_start,planned_finish,risk,"
        "approver,priority,"
        "acceptance,collaborators\n"
        "Launch,NPL,phase,Lead,in progress,10,,2024-03-01,2024-05-31,,,,,\n"
        "Poster,t1,task,Ann,doing,60%,,2024-03-01,2024-03-05,high,Boss,P0,Approved by "
        "brand,Bob;Cy\n"
        "Video,t2,task,Bob,not started,,t1,2024-03-06,2024-03-10,low,,低,,\n";
    auto table = import_ok(csv, {.project_id = "", .header_locale = Locale::en});
    const ProjectState& state = table.state;
    EXPECT_EQ(state.project.id, "NPL");
    ASSERT_EQ(state.tasks.size(), 3u);
    const Task& poster = state.tasks[1];
    EXPECT_EQ(poster.id, "T1");
    EXPECT_EQ(poster.parent_id, "NPL");
    EXPECT_EQ(poster.status, Status::in_progress);
    EXPECT_EQ(poster.completion, 60);
    EXPECT_EQ(poster.risk, RiskLevel::high);
    EXPECT_EQ(poster.approver, "Boss");
    EXPECT_EQ(poster.priority, Priority::p0);
    EXPECT_EQ(poster.acceptance, "Approved by brand");
    EXPECT_EQ(poster.collaborators, (std::vector<std::string>{"Bob", "Cy"}));
    EXPECT_EQ(state.tasks[2].predecessors, std::vector<std::string>{"T1"});
    EXPECT_EQ(state.tasks[2].priority, Priority::p3);
    for (const char* person : {"Lead", "Ann", "Bob", "Cy", "Boss"})
        EXPECT_NE(state.find_person(person), nullptr);
}

TEST(TrackingImportTest, PredecessorsSplitOnEverySeparatorAndAreNormalised) {
    std::string csv =
        k_header +
        "A1,三级任务,a,,,,,,,,,,,,\nA2,三级任务,b,,,,,,,,,,,,\nA3,三级任务,c,,,,,,,,,,,,\n"
        "A4,三级任务,d,,,,,,,,,,,\"a1；A2, a3\",\n";
    auto table = import_ok(csv);
    EXPECT_EQ(table.state.tasks[3].predecessors, (std::vector<std::string>{"A1", "A2", "A3"}));
}

TEST(TrackingImportTest, ProjectIdOptionOverridesThePhaseId) {
    auto table = import_ok(read_sample("q3-online-strategy.csv"), {.project_id = "q3-2024"});
    EXPECT_EQ(table.state.project.id, "Q3-2024");
    for (const auto& task : table.state.tasks) EXPECT_EQ(task.project_id, "Q3-2024");
    EXPECT_EQ(table.state.tasks[0].id, "P1");
}

TEST(TrackingImportTest, WithoutAPhaseRowTheProjectIsP1AndAWarningSaysSo) {
    auto table = import_ok(k_header + "T1,三级任务,a,,,,,,,,,,,,\n");
    EXPECT_EQ(table.state.project.id, "P1");
    EXPECT_EQ(table.state.tasks[0].parent_id, "");
    ASSERT_EQ(table.warnings.size(), 1u);
    EXPECT_NE(table.warnings[0].find("no 一级阶段 row"), std::string::npos);
}

TEST(TrackingImportTest, BlankLinesAreSkippedButCountInRowNumbers) {
    std::string csv = "\n" + k_header +
                      "T1,三级任务,a,,,,,,,,,,,,\n\n,,,,,,\nT2,三级任务,b,,,,,2024-02-30,,,,,,,\n";
    auto table = import_tracking_csv(csv, {});
    ASSERT_FALSE(table.has_value());
    EXPECT_EQ(table.error().message, "row 6, 计划完成: '2024-02-30' is not a date (YYYY-MM-DD)");
}

TEST(TrackingImportTest, DoneWithoutCompletionMeans100AndBlockedTakesTheRemarkAsReason) {
    auto table = import_ok(
        k_header +
        "T1,三级任务,a,,,,,,,,已完成,,,,\nT2,三级任务,b,,,,,,,,已阻塞,30%,,,设计稿待客户确认\n"
        "T3,三级任务,c,,,,,,,,阻塞,,,,\n");
    EXPECT_EQ(table.state.tasks[0].completion, 100);
    EXPECT_EQ(table.state.tasks[1].blocked_reason, "设计稿待客户确认");
    ASSERT_EQ(table.warnings.size(), 2u);  // T3 blocked without a reason; no phase row
    EXPECT_EQ(table.warnings[0], "row 4: T3 is blocked without a reason (R5)");
}

TEST(TrackingImportTest, UnknownColumnsAreIgnoredWithAWarning) {
    auto table = import_ok("编号,任务层级,任务名称,预算\nT1,三级任务,a,5000\n");
    ASSERT_EQ(table.state.tasks.size(), 1u);
    EXPECT_EQ(table.warnings.front(), "column '预算' is not known; ignored");
}

struct BadTableCase {
    const char* name;
    std::string csv;
    std::string message;
};

TEST(TrackingImportTest, BadRowsNameTheRowAndColumn) {
    const std::string task = "三级任务";
    const std::vector<BadTableCase> cases{
        {"bad date", k_header + "T1," + task + ",a,,,,2024-12-01,2024-13-01,,,,,,,\n",
         "row 2, 计划完成: '2024-13-01' is not a date (YYYY-MM-DD)"},
        {"bad status", k_header + "T1," + task + ",a,,,,,,,,差不多,,,,\n",
         "row 2, 进度状态: '差不多' is not a status (未开始/进行中/已完成/已延期/已阻塞/已取消)"},
        {"completion over 100", k_header + "T1," + task + ",a,,,,,,,,,120%,,,\n",
         "row 2, 完成度: '120%' is not a percentage from 0 to 100"},
        {"completion not a number", k_header + "T1," + task + ",a,,,,,,,,,六成,,,\n",
         "row 2, 完成度: '六成' is not a percentage from 0 to 100"},
        {"bad level", k_header + "T1,四级,a,,,,,,,,,,,,\n",
         "row 2, 任务层级: '四级' is not a level (一级阶段/二级模块/三级任务)"},
        {"bad risk", k_header + "T1," + task + ",a,,,,,,,,,,很高,,\n",
         "row 2, 风险等级: '很高' is not a risk level (高/中/低)"},
        {"empty id", k_header + "T1," + task + ",a,,,,,,,,,,,,\n," + task + ",b,,,,,,,,,,,,\n",
         "row 3, 编号: '' is empty: every row needs an id"},
        {"empty name", k_header + "T1," + task + ",,,,,,,,,,,,,\n",
         "row 2, 任务名称: '' is empty: every row needs a name"},
        {"duplicate id",
         k_header + "T1," + task + ",a,,,,,,,,,,,,\nt1," + task + ",b,,,,,,,,,,,,\n",
         "row 3, 编号: duplicate id 'T1' (first on row 2)"},
        {"unknown predecessor",
         k_header + "T1," + task + ",a,,,,,,,,,,,,\nT2," + task + ",b,,,,,,,,,,,T9,\n",
         "row 3, 前置任务: unknown task 'T9'"},
        {"self predecessor", k_header + "T1," + task + ",a,,,,,,,,,,,T1,\n",
         "row 2, 前置任务: T1 cannot depend on itself"},
        {"cycle",
         k_header + "T1," + task + ",a,,,,,,,,,,,T3,\nT2," + task + ",b,,,,,,,,,,,T1,\nT3," + task +
             ",c,,,,,,,,,,,T2,\n",
         "前置任务: dependency cycle T1 → T3 → T2 → T1"},
        {"missing required column", "编号,任务名称\nT1,a\n", "row 1: missing column 任务层级"},
        {"duplicate column", "编号,任务层级,任务名称,id\nT1,三级任务,a,T1\n",
         "row 1: column 'id' appears twice"},
        {"empty", "\n\n", "the table is empty"},
        {"unclosed quote", k_header + "T1," + task + ",\"a,,,,,,,,,,,,,\n",
         "row 2: a quoted field is not closed"},
    };
    for (const auto& c : cases) {
        auto table = import_tracking_csv(c.csv, {});
        ASSERT_FALSE(table.has_value()) << c.name;
        EXPECT_EQ(table.error().code, ErrorCode::invalid_argument) << c.name;
        EXPECT_EQ(table.error().message, c.message) << c.name;
    }
}

TEST(TrackingImportTest, MissingColumnIsNamedInTheHeaderLocale) {
    auto table =
        import_tracking_csv("id,name\nT1,a\n", {.project_id = "", .header_locale = Locale::en});
    ASSERT_FALSE(table.has_value());
    EXPECT_EQ(table.error().message, "row 1: missing column level");
}

// ---- tracking export -----------------------------------------------------------------------

TEST(TrackingExportTest, ImportExportImportKeepsTheSameTableForEverySample) {
    for (const char* sample : {"new-product-launch.csv", "q3-online-strategy.csv"}) {
        for (Locale locale : {Locale::zh_cn, Locale::en}) {
            auto first = import_ok(read_sample(sample));
            std::string exported = export_tracking_csv(first.state, locale);
            auto second = import_ok(exported);
            EXPECT_EQ(describe(second.state), describe(first.state))
                << sample << " " << to_string(locale);
            EXPECT_EQ(export_tracking_csv(second.state, locale), exported)
                << sample << " " << to_string(locale);
        }
    }
}

TEST(TrackingExportTest, WritesSeedLabelsAndPercentages) {
    auto table = import_ok(read_sample("q3-online-strategy.csv"));
    std::string csv = export_tracking_csv(table.state, Locale::zh_cn);
    auto records = parse_csv(csv);
    ASSERT_TRUE(records.has_value());
    ASSERT_EQ(records->size(), 5u);
    EXPECT_EQ((*records)[0].size(), 15u);  // no optional column is in use
    EXPECT_EQ((*records)[0][0], "编号");
    EXPECT_EQ((*records)[1][1], "一级阶段");
    EXPECT_EQ((*records)[1][10], "进行中");
    EXPECT_EQ((*records)[2][1], "三级任务");
    EXPECT_EQ((*records)[2][10], "已完成");
    EXPECT_EQ((*records)[2][11], "100%");
    EXPECT_NE(csv.find(",Q3实现线上销售额500万元，新客占比35%，品牌搜索量增长20%,"),
              std::string::npos)
        << "full-width commas need no quoting";
    std::string english = export_tracking_csv(table.state, Locale::en);
    EXPECT_EQ(
        english.substr(0, english.find('\r')),
        "id,level,name,description,deliverable,owner,planned_start,planned_finish,actual_start,"
        "actual_finish,status,completion,risk,predecessors,remark");
}

TEST(TrackingExportTest, OptionalColumnsRoundTripWhenUsed) {
    std::string csv =
        k_header.substr(0, k_header.size() - 1) + ",审批人,优先级,验收标准,协作人\n" +
        "P1,一级阶段,Launch,\"goal, with comma\",,Lead,2024-03-01,2024-03-31,,,进行中,20%,,,,,,,\n"
        "T1,三级任务,Poster,\"say "
        "\"\"hi\"\"\",,Ann,2024-03-01,2024-03-05,,,已阻塞,50%,高,,等待客户确认,Boss,P0,"
        "品牌部签字,Bob；Cy\n";
    auto first = import_ok(csv);
    std::string exported = export_tracking_csv(first.state, Locale::zh_cn);
    auto second = import_ok(exported);
    EXPECT_EQ(describe(second.state), describe(first.state));
    EXPECT_NE(exported.find("Bob;Cy"), std::string::npos);
    EXPECT_NE(exported.find("\"goal, with comma\""), std::string::npos);
}

TEST(TrackingExportTest, ProjectWithoutAPhaseNodeIsWrittenAsTheFirstPhaseRow) {
    ProjectState state;
    state.project.id = "NPL";
    state.project.name = "新品上市";
    state.project.goal = "销售额500万";
    state.project.owner = "lead";
    state.people["lead"] = Person{"lead", "经理", "", "", "", "", "", ""};
    Task task;
    task.id = "T1";
    task.name = "调研";
    task.owner = "lead";
    state.tasks.push_back(task);
    auto table = import_ok(export_tracking_csv(state, Locale::zh_cn));
    EXPECT_EQ(table.state.project.id, "NPL");
    EXPECT_EQ(table.state.project.name, "新品上市");
    EXPECT_EQ(table.state.project.goal, "销售额500万");
    EXPECT_EQ(table.state.project.owner, "经理");
    ASSERT_EQ(table.state.tasks.size(), 2u);
    EXPECT_EQ(table.state.tasks[1].parent_id, "NPL");
}

TEST(TrackingExportTest, ChildrenFollowTheirParentWhateverThePlanOrder) {
    ProjectState state;
    auto add = [&](std::string id, Level level, std::string parent) {
        Task task;
        task.id = std::move(id);
        task.name = task.id;
        task.level = level;
        task.parent_id = std::move(parent);
        state.tasks.push_back(task);
    };
    add("P1", Level::phase, "");
    add("M1", Level::module, "P1");
    add("M2", Level::module, "P1");
    add("T1", Level::task, "M1");  // listed after M2 but belongs to M1
    auto table = import_ok(export_tracking_csv(state, Locale::en));
    ASSERT_EQ(table.state.tasks.size(), 4u);
    EXPECT_EQ(table.state.tasks[2].id, "T1");
    EXPECT_EQ(table.state.tasks[2].parent_id, "M1");
}

// ---- KPI table -----------------------------------------------------------------------------

TEST(KpiImportTest, Q3SampleReadsTargetsAndPercentages) {
    auto kpis = import_kpi_csv(read_sample("q3-online-strategy-kpis.csv"), "p1");
    ASSERT_TRUE(kpis.has_value()) << kpis.error().message;
    ASSERT_EQ(kpis->size(), 4u);
    const Kpi& sales = (*kpis)[0];
    EXPECT_EQ(sales.id, "K001");
    EXPECT_EQ(sales.project_id, "P1");
    EXPECT_EQ(sales.name, "线上销售额");
    EXPECT_EQ(sales.kind, KpiKind::result);
    EXPECT_EQ(sales.description, "Q3线上渠道总销售额");
    EXPECT_DOUBLE_EQ(sales.target, 5000000);
    EXPECT_DOUBLE_EQ(sales.current, 4200000);
    EXPECT_FALSE(sales.percent);
    EXPECT_EQ(sales.data_source, "电商平台后台");
    EXPECT_EQ(sales.updated, make_date(2024, 9, 30));
    EXPECT_FALSE(sales.warn_below.has_value());
    const Kpi& new_customers = (*kpis)[1];
    EXPECT_DOUBLE_EQ(new_customers.target, 35);
    EXPECT_DOUBLE_EQ(new_customers.current, 28);
    EXPECT_TRUE(new_customers.percent);
    EXPECT_EQ((*kpis)[3].kind, KpiKind::process);
}

TEST(KpiImportTest, EnglishHeadersChineseAmountsAndThreshold) {
    auto kpis = import_kpi_csv(
        "name,id,target,current,warn_below\n"
        "Signups,k9,\"5,000\",1200,50%\nGMV,k10,500万元,120万,0.3\nCTR,k11,2%,1.5%,\n",
        "P1");
    ASSERT_TRUE(kpis.has_value()) << kpis.error().message;
    ASSERT_EQ(kpis->size(), 3u);
    EXPECT_DOUBLE_EQ((*kpis)[0].target, 5000);
    EXPECT_DOUBLE_EQ(*(*kpis)[0].warn_below, 0.5);
    EXPECT_DOUBLE_EQ((*kpis)[1].target, 5000000);
    EXPECT_DOUBLE_EQ((*kpis)[1].current, 1200000);
    EXPECT_DOUBLE_EQ(*(*kpis)[1].warn_below, 0.3);
    EXPECT_DOUBLE_EQ((*kpis)[2].current, 1.5);
    EXPECT_TRUE((*kpis)[2].percent);
    EXPECT_EQ((*kpis)[2].kind, KpiKind::result);
}

TEST(KpiImportTest, BadRowsNameTheRowAndColumn) {
    const std::string header = "指标编号,指标名称,指标类型,目标值,当前值,更新日期\n";
    const std::vector<BadTableCase> cases{
        {"bad target", header + "K1,a,结果指标,很多,1,\n", "row 2, 目标值: '很多' is not a number"},
        {"empty target", header + "K1,a,结果指标,,1,\n", "row 2, 目标值: '' is not a number"},
        {"percent current, plain target", header + "K1,a,,100,28%,\n",
         "row 2, 当前值: '28%' is a percentage but the target is not"},
        {"bad kind", header + "K1,a,指标,1,1,\n",
         "row 2, 指标类型: '指标' is not a kind (结果指标/过程指标)"},
        {"bad date", header + "K1,a,,1,1,2024-09-31\n",
         "row 2, 更新日期: '2024-09-31' is not a date (YYYY-MM-DD)"},
        {"duplicate id", header + "K1,a,,1,1,\nk1,b,,1,1,\n",
         "row 3, 指标编号: duplicate id 'K1' (first on row 2)"},
        {"missing column", "指标编号,指标名称\nK1,a\n", "row 1: missing column 目标值"},
    };
    for (const auto& c : cases) {
        auto kpis = import_kpi_csv(c.csv, "P1");
        ASSERT_FALSE(kpis.has_value()) << c.name;
        EXPECT_EQ(kpis.error().message, c.message) << c.name;
    }
}

TEST(KpiExportTest, ImportExportImportKeepsTheSameKpisAndBytes) {
    for (Locale locale : {Locale::zh_cn, Locale::en}) {
        auto first = import_kpi_csv(read_sample("q3-online-strategy-kpis.csv"), "P1");
        ASSERT_TRUE(first.has_value());
        (*first)[0].warn_below = 0.35;
        std::string exported = export_kpi_csv(*first, locale);
        auto second = import_kpi_csv(exported, "P1");
        ASSERT_TRUE(second.has_value()) << second.error().message;
        EXPECT_EQ(describe(*second), describe(*first)) << to_string(locale);
        EXPECT_EQ(export_kpi_csv(*second, locale), exported) << to_string(locale);
    }
}

TEST(KpiExportTest, WritesPlainNumbersAndPercentages) {
    auto kpis = import_kpi_csv(read_sample("q3-online-strategy-kpis.csv"), "P1");
    ASSERT_TRUE(kpis.has_value());
    std::string csv = export_kpi_csv(*kpis, Locale::zh_cn);
    EXPECT_EQ(
        csv.substr(0, csv.find("\r\nK002")),
        "指标编号,指标名称,指标类型,指标说明,目标值,当前值,数据来源,更新日期\r\n"
        "K001,线上销售额,结果指标,Q3线上渠道总销售额,5000000,4200000,电商平台后台,2024-09-30");
    EXPECT_NE(csv.find("K002,新客占比,结果指标,Q3新客订单数/总订单数,35%,28%,CRM系统,2024-09-30"),
              std::string::npos);
}

}  // namespace
}  // namespace core
