// Tests of bot/xlsx/xlsx_reader.h with core/table_sheet.h: the round trip export -> import ->
// export through the workbook trackerd writes (bot/web/xlsx_export.h) is byte-identical in CSV
// on the demo campaign, the q3 sample and the benchmark organisation; workbooks written by
// LibreOffice and by hand (tests/testdata/xlsx, see its README) read as the samples they hold;
// what is not a workbook, or too big, is refused.

#include "bot/xlsx/xlsx_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "bench/org.h"
#include "bot/web/xlsx_export.h"
#include "core/table_csv.h"
#include "core/table_sheet.h"
#include "tests/support/demo_data.h"

namespace bot::xlsx {
namespace {

using core::Locale;
using testing_support::read_file;

const std::string k_samples = testing_support::samples_dir() + "/";
const std::string k_fixtures = testing_support::testdata_dir() + "/xlsx/";

core::ProjectState from_csv(const std::string& tracking, const std::string& kpis = "") {
    auto table = core::import_tracking_csv(read_file(k_samples + tracking), {});
    EXPECT_TRUE(table) << table.error().message;
    if (!kpis.empty()) {
        auto read = core::import_kpi_csv(read_file(k_samples + kpis), table->state.project.id);
        EXPECT_TRUE(read) << read.error().message;
        table->state.kpis = *read;
    }
    return table->state;
}

core::Result<core::ImportedWorkbook> import_bytes(const std::string& bytes, const XlsxLimits& limits = {}) {
    auto sheets = read_xlsx(bytes, limits);
    if (!sheets) return sheets.error();
    return core::import_workbook(*sheets, {});
}

core::ProjectState import_ok(const std::string& bytes) {
    auto book = import_bytes(bytes);
    EXPECT_TRUE(book) << book.error().message;
    return book ? book->table.state : core::ProjectState{};
}

std::string workbook_of(const core::ProjectState& state, Locale headers) {
    auto bytes = bot::project_xlsx_bytes(state, bot::XlsxOptions{headers, core::make_date(2024, 3, 23)});
    EXPECT_TRUE(bytes) << bytes.error().message;
    return bytes ? *bytes : "";
}

// export -> import -> export: the tracking and KPI CSVs, in both header languages.
void expect_round_trip(const core::ProjectState& state) {
    for (Locale headers : {Locale::zh_cn, Locale::en}) {
        core::ProjectState back = import_ok(workbook_of(state, headers));
        for (Locale csv : {Locale::zh_cn, Locale::en}) {
            EXPECT_EQ(core::export_tracking_csv(back, csv), core::export_tracking_csv(state, csv));
            EXPECT_EQ(core::export_kpi_csv(back.kpis, csv), core::export_kpi_csv(state.kpis, csv));
        }
    }
}

TEST(XlsxRoundTripTest, DemoCampaignWithKpisAndRisksComesBackByteIdentical) {
    core::ProjectState state = from_csv("new-product-launch.csv", "q3-online-strategy-kpis.csv");
    state.kpis[1].warn_below = 0.5;
    state.tasks[3].approver = "经理";
    state.tasks[3].priority = core::Priority::p0;
    state.tasks[3].collaborators = {"小红", "小张"};
    core::RiskItem risk;
    risk.id = "R001";
    risk.project_id = "P1";
    risk.title = "KOL 档期冲突";
    risk.impact = core::RiskLevel::high;
    risk.owner = "小陈";
    risk.response = "备选 KOL 名单";
    risk.status = core::RiskStatus::in_progress;
    risk.task_id = "T005";
    risk.opened = core::make_date(2024, 3, 20);
    state.risks.push_back(risk);
    expect_round_trip(state);

    core::ProjectState back = import_ok(workbook_of(state, Locale::en));
    ASSERT_EQ(back.risks.size(), 1u);
    EXPECT_EQ(back.risks[0].title, risk.title);
    EXPECT_EQ(back.risks[0].status, core::RiskStatus::in_progress);
    EXPECT_EQ(back.risks[0].impact, core::RiskLevel::high);
    EXPECT_EQ(back.risks[0].task_id, "T005");
    EXPECT_EQ(back.risks[0].opened, risk.opened);
}

TEST(XlsxRoundTripTest, Q3SampleComesBackByteIdentical) {
    expect_round_trip(from_csv("q3-online-strategy.csv", "q3-online-strategy-kpis.csv"));
}

// The benchmark organisation (bench/org.h): every status, dependencies, people whose ids are not
// their names, thresholds on every KPI. Its workbooks are kept in <build>/test-artifacts for
// timing `trackerctl import` on them.
TEST(XlsxRoundTripTest, BenchmarkOrganisationProjectsComeBackByteIdentical) {
    bench::OrgShape shape;
    for (int project = 0; project < 3; ++project) expect_round_trip(bench::make_project(shape, project));

    const std::filesystem::path artifacts = TRACKERD_ARTIFACTS_DIR;
    std::filesystem::create_directories(artifacts);
    shape.tasks_per_project = 5000;
    core::ProjectState large = bench::make_project(shape, 0);
    std::string bytes = workbook_of(large, Locale::zh_cn);
    std::ofstream(artifacts / "bench-org-5000-tasks.xlsx", std::ios::binary) << bytes;
    core::ProjectState back = import_ok(bytes);
    EXPECT_EQ(core::export_tracking_csv(back, Locale::zh_cn), core::export_tracking_csv(large, Locale::zh_cn));
}

// tests/testdata/xlsx/seeds-table.xlsx: LibreOffice Calc's own file of the seeds' table — a
// title merged across, headings merged down, 计划时间/实际时间 merged over 开始 | 完成, dates
// as date cells (yyyy/m/d), 完成度 as percent cells — and the KPI table with real numbers.
TEST(XlsxFixtureTest, LibreOfficeWorkbookOfTheSeedsTableReadsAsTheSample) {
    auto book = import_bytes(read_file(k_fixtures + "seeds-table.xlsx"));
    ASSERT_TRUE(book) << book.error().message;
    EXPECT_EQ(book->tracking_sheet, "营销执行进度跟踪表");
    EXPECT_EQ(book->kpi_sheet, "效果指标跟踪表");
    core::ProjectState expected = from_csv("new-product-launch.csv", "q3-online-strategy-kpis.csv");
    EXPECT_EQ(core::export_tracking_csv(book->table.state, Locale::zh_cn), core::export_tracking_csv(expected, Locale::zh_cn));
    EXPECT_EQ(core::export_kpi_csv(book->table.state.kpis, Locale::zh_cn), core::export_kpi_csv(expected.kpis, Locale::zh_cn));
}

// tests/testdata/xlsx/handmade-1904.xlsx: the q3 sample in English as another writer lays it
// out — a notes sheet first, 1904 dates in three formats and once as text, a time of day on a
// date, percent cells, inline strings, rich text with a phonetic run, prefixed XML elements.
TEST(XlsxFixtureTest, HandMadeWorkbookWith1904DatesAndInlineStringsReadsAsTheSample) {
    auto book = import_bytes(read_file(k_fixtures + "handmade-1904.xlsx"));
    ASSERT_TRUE(book) << book.error().message;
    EXPECT_EQ(book->tracking_sheet, "Plan");
    EXPECT_EQ(book->kpi_sheet, "KPIs");
    core::ProjectState expected = from_csv("q3-online-strategy.csv", "q3-online-strategy-kpis.csv");
    EXPECT_EQ(core::export_tracking_csv(book->table.state, Locale::zh_cn), core::export_tracking_csv(expected, Locale::zh_cn));
    EXPECT_EQ(core::export_kpi_csv(book->table.state.kpis, Locale::zh_cn), core::export_kpi_csv(expected.kpis, Locale::zh_cn));
}

TEST(XlsxReaderTest, MergedRangesAndSheetNamesAreKept) {
    auto sheets = read_xlsx(read_file(k_fixtures + "seeds-table.xlsx"));
    ASSERT_TRUE(sheets) << sheets.error().message;
    ASSERT_EQ(sheets->size(), 2u);
    const core::SheetGrid& plan = sheets->front();
    ASSERT_FALSE(plan.merged.empty());
    EXPECT_EQ(plan.merged.front().last_col, 14u);  // the title over A1:O1
    EXPECT_EQ(plan.rows[1][6], "计划时间");
    EXPECT_EQ(plan.rows[1][7], "");                // covered by the group heading
    EXPECT_EQ(plan.rows[2][6], "开始");
    EXPECT_EQ(plan.rows[3][6], "2024-03-01");       // a date cell
    EXPECT_EQ(plan.rows[3][11], "0%");              // a percent cell
}

struct Refusal {
    const char* name;
    std::string bytes;
    XlsxLimits limits;
    const char* message;  // a part of the message
};

TEST(XlsxReaderTest, WhatIsNotAWorkbookOrTooBigIsRefusedWithAReason) {
    const std::string demo = workbook_of(from_csv("new-product-launch.csv"), Locale::zh_cn);
    const Refusal refusals[] = {
        {"csv", read_file(k_samples + "new-product-launch.csv"), {}, "not an .xlsx workbook (not a zip archive)"},
        {"xls", std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(500, '\0'), {}, "old .xls file or a password-protected"},
        {"zip bomb", read_file(k_fixtures + "bomb.xlsx"), {}, "unpacks to more than 50 MB"},
        {"budget over all parts", demo, XlsxLimits{demo.size() + 1, 2'000'000}, "unpacks to more than"},
        {"file too big", demo, XlsxLimits{1000, 2'000'000}, "larger than"},
        {"too many cells", demo, XlsxLimits{50u << 20, 50}, "more than 50 cells"},
        {"no workbook part", read_file(k_fixtures + "no-workbook.xlsx"), {}, "it has no xl/workbook.xml"},
        {"broken XML", read_file(k_fixtures + "broken-xml.xlsx"), {}, "xl/worksheets/sheet1.xml is not readable XML"},
        {"truncated zip", demo.substr(0, demo.size() / 2), {}, "not an .xlsx workbook"},
    };
    for (const auto& refusal : refusals) {
        auto sheets = read_xlsx(refusal.bytes, refusal.limits);
        ASSERT_FALSE(sheets) << refusal.name;
        EXPECT_EQ(sheets.error().code, core::ErrorCode::invalid_argument) << refusal.name;
        EXPECT_NE(sheets.error().message.find(refusal.message), std::string::npos)
            << refusal.name << ": " << sheets.error().message;
    }
}

TEST(XlsxReaderTest, WorkbookWithoutTheTrackingHeaderIsRefusedByTheImport) {
    auto book = import_bytes(read_file(k_fixtures + "no-tracking-header.xlsx"));
    ASSERT_FALSE(book);
    EXPECT_NE(book.error().message.find("no sheet has the tracking table's header"), std::string::npos)
        << book.error().message;
}

TEST(XlsxReaderTest, ZipMagicTellsAWorkbookFromCsv) {
    EXPECT_TRUE(looks_like_zip(read_file(k_fixtures + "seeds-table.xlsx")));
    EXPECT_FALSE(looks_like_zip(read_file(k_samples + "new-product-launch.csv")));
    EXPECT_FALSE(looks_like_zip("PK"));
}

}  // namespace
}  // namespace bot::xlsx
