// Tests for core/table_sheet.h: the seeds' tables found in a workbook's sheets — a title above
// the header, headers merged over two rows with group headings, the KPI and risk sheets.

#include "core/table_sheet.h"

#include <gtest/gtest.h>

namespace core {
namespace {

SheetGrid grid(std::string name, std::vector<CsvRecord> rows, std::vector<CellRange> merged = {}) {
    return SheetGrid{std::move(name), std::move(rows), std::move(merged)};
}

const CsvRecord k_flat_header{"编号", "任务层级", "任务名称", "负责人", "计划开始", "计划完成", "进度状态", "完成度"};
const CsvRecord k_phase_row{"P1", "一级阶段", "新品上市推广", "经理", "2024-03-01", "2024-05-31", "未开始", "0%"};
const CsvRecord k_task_row{"T001", "三级任务", "用户调研", "小李", "2024-03-01", "2024-03-08", "进行中", "60%"};

std::string csv_of(const std::vector<CsvRecord>& rows) { return write_csv(rows); }

TEST(SheetHeaderTest, TitleRowAboveTheHeaderIsSkipped) {
    SheetGrid sheet = grid("跟踪表", {{"营销执行进度跟踪表"}, k_flat_header, k_phase_row, k_task_row}, {{0, 0, 0, 7}});
    auto header = find_sheet_header(sheet, SheetTable::tracking);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->row, 1u);
    EXPECT_EQ(header->names, k_flat_header);
}

// The seeds' layout as typed: headings merged down over two rows, 计划时间 merged across 开始 | 完成.
TEST(SheetHeaderTest, GroupHeadingAboveSubColumnsNamesThem) {
    std::vector<CsvRecord> rows{
        {"编号", "任务层级", "任务名称", "负责人", "计划时间", "", "进度状态", "完成度"},
        {"", "", "", "", "开始", "完成", "", ""},
        k_phase_row,
        k_task_row,
    };
    std::vector<CellRange> merged{{0, 0, 1, 0}, {0, 1, 1, 1}, {0, 2, 1, 2}, {0, 3, 1, 3},
                                  {0, 4, 0, 5}, {0, 6, 1, 6}, {0, 7, 1, 7}};
    auto header = find_sheet_header(grid("S", rows, merged), SheetTable::tracking);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->row, 1u);
    EXPECT_EQ(header->names, k_flat_header);
}

TEST(SheetHeaderTest, EnglishGroupHeadingAndLineBreaksAndNotesInHeadings) {
    std::vector<CsvRecord> rows{
        {"ID", "Level", "Name", "Planned dates", "", "Remark (risk / deviation)", "Actual\nstart"},
        {"", "", "", "start", "finish", "", ""},
    };
    std::vector<CellRange> merged{{0, 0, 1, 0}, {0, 1, 1, 1}, {0, 2, 1, 2}, {0, 3, 0, 4}, {0, 5, 1, 5}, {0, 6, 1, 6}};
    auto header = find_sheet_header(grid("S", rows, merged), SheetTable::tracking);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->row, 1u);
    EXPECT_EQ(header->names, (CsvRecord{"ID", "Level", "Name", "Planned start", "Planned finish", "Remark", "Actual start"}));
}

TEST(SheetHeaderTest, HeaderBelowTheSearchedRowsIsNotFound) {
    std::vector<CsvRecord> rows(k_header_search_rows, CsvRecord{"说明"});
    rows.push_back(k_flat_header);
    EXPECT_FALSE(find_sheet_header(grid("S", rows), SheetTable::tracking));
}

TEST(SheetImportTest, RecordsReadAsTheSameCsvWouldWithTheSameRowNumbers) {
    std::vector<CsvRecord> rows{{}, k_flat_header, k_phase_row, k_task_row, {"T001", "三级任务", "重复", "", "", "", "", ""}};
    auto from_records = import_tracking_records(rows, {});
    auto from_csv = import_tracking_csv(csv_of(rows), {});
    ASSERT_FALSE(from_records);
    ASSERT_FALSE(from_csv);
    EXPECT_EQ(from_records.error().message, from_csv.error().message);
    EXPECT_NE(from_records.error().message.find("row 5"), std::string::npos) << from_records.error().message;
    rows.pop_back();
    auto table = import_tracking_records(rows, {});
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(export_tracking_csv(table->state, Locale::zh_cn), export_tracking_csv(import_tracking_csv(csv_of(rows), {})->state, Locale::zh_cn));
}

// The export's sheet order: tracking, progress log, risks, KPIs, weekly review (whose own small
// tables with 编号 and 风险 headings sit further down and are not taken for the register).
TEST(SheetImportTest, WorkbookTakesTrackingKpiAndRiskSheetsWhereverTheyAre) {
    std::vector<SheetGrid> sheets{
        grid("说明", {{"填写说明"}}),
        grid("风险", {{"编号", "风险", "描述", "影响等级", "负责人", "触发条件", "应对措施", "状态", "关联任务", "登记日期", "关闭日期"},
                      {"R001", "供应商产能不足", "", "高", "小张", "", "备用供应商", "in progress", "t001", "2024-03-02", ""}}),
        grid("跟踪表", {k_flat_header, k_phase_row, k_task_row}),
        grid("KPI", {{"指标编号", "指标名称", "目标值", "当前值", "达成率"}, {"K001", "销售额", "5000000", "4200000", "84%"}}),
    };
    auto book = import_workbook(sheets, {});
    ASSERT_TRUE(book) << book.error().message;
    EXPECT_EQ(book->tracking_sheet, "跟踪表");
    EXPECT_EQ(book->kpi_sheet, "KPI");
    EXPECT_EQ(book->risk_sheet, "风险");
    const ProjectState& state = book->table.state;
    ASSERT_EQ(state.kpis.size(), 1u);
    EXPECT_EQ(state.kpis[0].target, 5000000);
    ASSERT_EQ(state.risks.size(), 1u);
    EXPECT_EQ(state.risks[0].project_id, "P1");
    EXPECT_EQ(state.risks[0].impact, RiskLevel::high);
    EXPECT_EQ(state.risks[0].status, RiskStatus::in_progress);
    EXPECT_EQ(state.risks[0].task_id, "T001");
    EXPECT_EQ(format_iso_date(*state.risks[0].opened), "2024-03-02");
    EXPECT_TRUE(state.people.count("小张"));  // the risk's owner is a person of the project
}

TEST(SheetImportTest, NoSheetWithTheTrackingHeaderIsRefused) {
    auto book = import_workbook({grid("人员", {{"姓名", "部门"}, {"小明", "市场部"}})}, {});
    ASSERT_FALSE(book);
    EXPECT_EQ(book.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(book.error().message.find("编号 id, 任务层级 level, 任务名称 name"), std::string::npos);
}

TEST(SheetImportTest, ErrorsNameTheSheetAndTheRow) {
    auto book = import_workbook({grid("Plan", {{"title"}, k_flat_header, k_phase_row,
                                               {"T001", "三级任务", "用户调研", "小李", "next week", "", "", ""}})},
                                {});
    ASSERT_FALSE(book);
    EXPECT_EQ(book.error().message, "sheet 'Plan': row 4, 计划开始: 'next week' is not a date (YYYY-MM-DD)");
}

}  // namespace
}  // namespace core
