// Tests of bot/xlsx_export.h: the project workbook written from a real store. The tracking sheet
// is read back through LibreOffice (`libreoffice --headless --convert-to csv`) when it is
// installed and compared with the store's CSV export row by row; the file's XML is always
// checked with `unzip -p` (sheet names, frozen header, status fills, dates as date serials).
#include "bot/web/xlsx_export.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>

#include "core/csv.h"
#include "core/table_csv.h"
#include "tests/support/demo_data.h"

namespace {

using testing_support::TempDir;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// Runs a shell command and returns its standard output.
std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return out;
    std::array<char, 4096> buffer{};
    size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
    pclose(pipe);
    return out;
}

bool have(const char* program) { return std::system(("command -v " + std::string(program) + " >/dev/null 2>&1").c_str()) == 0; }

// The demo campaign after a week of chat: T001 finished late with a deviation report, T002 in
// progress, T003 blocked, T004 marked delayed, a risk opened, two KPIs: every status colour.
core::ProjectState demo_week(const TempDir& dir) {
    const std::string db = dir.file("t.db");
    EXPECT_EQ(testing_support::import_demo(db, 1709251200), "");
    auto store = store::Store::open(db);
    EXPECT_TRUE(store);
    auto apply = [&](core::TaskUpdate update, const char* who) {
        update.project_id = "P1";
        auto changed = (*store)->apply(update, core::ChangeSource{who, "slack", "C1", "1.2", 1710000000});
        EXPECT_TRUE(changed) << (changed ? "" : changed.error().message);
    };
    core::TaskUpdate done;
    done.task_id = "T001";
    done.action = "done";
    done.status = core::Status::done;
    done.completion = 100;
    done.actual_start = *core::parse_iso_date("2024-03-01");
    done.actual_finish = core::parse_iso_date("2024-03-11");
    done.date = *core::parse_iso_date("2024-03-11");
    done.note = "问卷已回收 300 份, 报告见 https://example.com/r";
    core::DeviationReport report;
    report.cause_kind = core::CauseKind::objective;
    report.cause = "销售部名单晚到";
    report.remedy = "加派人手";
    done.deviation_report = report;
    apply(done, "小李");
    core::TaskUpdate progress;
    progress.task_id = "T002";
    progress.action = "progress";
    progress.status = core::Status::in_progress;
    progress.completion = 40;
    progress.date = *core::parse_iso_date("2024-03-12");
    apply(progress, "小王");
    core::TaskUpdate block;
    block.task_id = "T003";
    block.action = "block";
    block.status = core::Status::blocked;
    block.blocked_reason = "等待客户确认";
    block.blocked_since = core::parse_iso_date("2024-03-13");
    block.problem = "等待客户确认";
    block.date = *core::parse_iso_date("2024-03-13");
    apply(block, "小明");
    core::TaskUpdate slipped;  // 已延期 set by hand (domain.md: derived or set)
    slipped.task_id = "T004";
    slipped.action = "delay";
    slipped.status = core::Status::delayed;
    slipped.date = *core::parse_iso_date("2024-03-14");
    apply(slipped, "经理");
    core::RiskItem risk;
    risk.id = "R001";
    risk.project_id = "P1";
    risk.title = "KOL 档期冲突";
    risk.impact = core::RiskLevel::high;
    risk.owner = "小明";
    risk.opened = core::parse_iso_date("2024-03-12");
    EXPECT_TRUE((*store)->upsert_risk(risk, core::ChangeSource{"经理", "cli", "", "", 1710000000}));
    core::Kpi kpi;
    kpi.id = "K001";
    kpi.project_id = "P1";
    kpi.name = "新品销售额";
    kpi.target = 5000000;
    kpi.current = 1200000;
    EXPECT_TRUE((*store)->upsert_kpi(kpi, core::ChangeSource{"经理", "cli", "", "", 1710000000}));
    kpi.id = "K002";
    kpi.name = "新客占比";
    kpi.target = 35;
    kpi.current = 28;
    kpi.percent = true;
    EXPECT_TRUE((*store)->upsert_kpi(kpi, core::ChangeSource{"经理", "cli", "", "", 1710000000}));
    auto state = (*store)->load_project("P1");
    EXPECT_TRUE(state);
    return std::move(*state);
}

TEST(XlsxExportTest, WorkbookHasTheFiveSheetsAFrozenHeaderStatusFillsAndRealDates) {
    TempDir dir;
    auto state = demo_week(dir);
    const std::string path = dir.file("plan.xlsx");
    ASSERT_TRUE(bot::write_project_xlsx(state, {core::Locale::zh_cn, *core::parse_iso_date("2024-03-15")}, path));
    ASSERT_TRUE(have("unzip")) << "the unzip tool is needed to read the workbook's XML";
    const std::string workbook = run("unzip -p '" + path + "' xl/workbook.xml");
    for (const char* sheet : {"跟踪表", "进度日志", "风险", "KPI", "周报"})
        EXPECT_TRUE(contains(workbook, std::string("name=\"") + sheet + "\"")) << sheet << "\n" << workbook;
    EXPECT_LT(workbook.find("跟踪表"), workbook.find("进度日志"));  // the tracking table is the first sheet

    const std::string tracking = run("unzip -p '" + path + "' xl/worksheets/sheet1.xml");
    EXPECT_TRUE(contains(tracking, "ySplit=\"1\"")) << "header row frozen";
    EXPECT_TRUE(contains(tracking, "<autoFilter")) << "header row filtered";
    EXPECT_TRUE(contains(tracking, "<cols>")) << "column widths set";
    EXPECT_TRUE(contains(tracking, "<v>45352</v>")) << "2024-03-01 written as a date serial";
    EXPECT_TRUE(contains(tracking, "<v>1</v>")) << "T001's 100% written as a number";
    const std::string styles = run("unzip -p '" + path + "' xl/styles.xml");
    for (const char* colour : {"FFD9D9D9", "FFFFE699", "FFA9D08E", "FFFF7C80", "FFF4B183"})  // grey yellow green red orange
        EXPECT_TRUE(contains(styles, colour)) << colour;
    EXPECT_TRUE(contains(styles, "yyyy-mm-dd"));
    const std::string strings = run("unzip -p '" + path + "' xl/sharedStrings.xml");
    for (const char* text : {"T001", "用户调研", "已完成", "已阻塞", "进行中", "未开始", "已延期", "销售部名单晚到", "KOL 档期冲突",
                             "新品销售额", "问卷已回收 300 份, 报告见 https://example.com/r"})
        EXPECT_TRUE(contains(strings, text)) << text;
}

TEST(XlsxExportTest, TrackingSheetConvertedByLibreOfficeMatchesTheStoreRowByRow) {
    if (!have("libreoffice")) GTEST_SKIP() << "libreoffice not installed (apt-get install libreoffice-calc-nogui)";
    TempDir dir;
    auto state = demo_week(dir);
    for (core::Locale locale : {core::Locale::zh_cn, core::Locale::en}) {
        const std::string name = locale == core::Locale::zh_cn ? "plan-zh" : "plan-en";
        const std::string path = dir.file(name + ".xlsx");
        ASSERT_TRUE(bot::write_project_xlsx(state, {locale, *core::parse_iso_date("2024-03-15")}, path));
        // Own profile dir, UTF-8 (76), comma, double quotes: the first sheet as CSV.
        run("cd '" + dir.path().string() + "' && libreoffice -env:UserInstallation=file://" + dir.path().string() +
            "/lo-profile --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1' --outdir '" +
            dir.path().string() + "' '" + path + "' 2>&1");
        auto converted = core::parse_csv(testing_support::read_file(dir.file(name + ".csv")));
        auto expected = core::parse_csv(core::export_tracking_csv(state, locale));
        ASSERT_TRUE(converted);
        ASSERT_TRUE(expected);
        auto drop_blank_tail = [](std::vector<core::CsvRecord>& rows) {
            while (!rows.empty() && rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
        };
        drop_blank_tail(*converted);
        drop_blank_tail(*expected);
        ASSERT_EQ(converted->size(), expected->size()) << name;
        ASSERT_GT(expected->size(), 10u);
        for (size_t r = 0; r < expected->size(); ++r) EXPECT_EQ((*converted)[r], (*expected)[r]) << name << " row " << r + 1;
    }
}

TEST(XlsxExportTest, BytesAreAZipAndNoTemporaryFileIsLeft) {
    TempDir dir;
    auto state = demo_week(dir);
    auto bytes = bot::project_xlsx_bytes(state, {core::Locale::en, *core::parse_iso_date("2024-03-15")});
    ASSERT_TRUE(bytes);
    ASSERT_GT(bytes->size(), 1000u);
    EXPECT_EQ(bytes->substr(0, 2), "PK");
    auto bad = bot::write_project_xlsx(state, {}, dir.file("no/such/dir/plan.xlsx"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, core::ErrorCode::io);
}

}  // namespace
