#pragma once
// The seeds' tracking table as CSV (seed 000 template; seed 002 效果指标跟踪表): import/export of a
// project's WBS and KPIs. Pure functions over strings; no I/O. Safe for concurrent use.
//
// Tracking table columns, by header name in any order (Chinese or English, both accepted):
//   编号 id | 任务层级 level | 任务名称 name | 任务描述 description | 交付物 deliverable |
//   负责人 owner | 计划开始 planned_start | 计划完成 planned_finish | 实际开始 actual_start |
//   实际完成 actual_finish | 进度状态 status | 完成度 completion | 风险等级 risk |
//   前置任务 predecessors | 备注 remark
// optional: 审批人 approver | 优先级 priority | 验收标准 acceptance | 协作人 collaborators.
// 编号, 任务层级 and 任务名称 are required; a missing optional column reads as empty cells.
// Errors name the spreadsheet row (the header is row 1) and the column as written in the file.

#include <string>
#include <string_view>
#include <vector>

#include "core/csv.h"
#include "core/model.h"
#include "core/result.h"

namespace core {

struct ImportOptions {
    // The project's id. When empty: the id of the first 一级阶段 row, else "P1".
    std::string project_id;
    // The header language used to name a missing required column in errors.
    Locale header_locale = Locale::zh_cn;
};

struct ImportedTable {
    ProjectState state;                 // project, tasks in row order, people
    std::vector<std::string> warnings;  // things imported as written but worth a look
};

// Reads a tracking table. The parent of a row is the most recent row of a higher level
// (a task may sit directly under a phase). The first 一级阶段 row becomes the Project (name,
// goal = 任务描述, owner, start/end = planned dates) and is also kept as a phase node.
// Owners, approvers and collaborators become Person{id = name, name = name}.
// Errors (ErrorCode::invalid_argument): a malformed cell, a missing required column, a duplicate
// id, an unknown predecessor, a dependency cycle (R7 needs an acyclic chain).
Result<ImportedTable> import_tracking_csv(std::string_view csv, const ImportOptions& options);
// The same over rows already split into cells (record i is spreadsheet row i + 1; the first row
// that is not blank is the header): a workbook's sheet (core/table_sheet.h).
Result<ImportedTable> import_tracking_records(const std::vector<CsvRecord>& records,
                                              const ImportOptions& options);

// KPI table columns: 指标编号 id | 指标名称 name | 指标类型 kind | 指标说明 description |
// 目标值 target | 当前值 current | 数据来源 data_source | 更新日期 updated |
// optional 预警阈值 warn_below (a fraction of target, "50%" or "0.5"; R12).
// "35%" reads as 35 with percent = true; "5000000", "5,000,000" and "500万" as plain numbers.
Result<std::vector<Kpi>> import_kpi_csv(std::string_view csv, const std::string& project_id);
Result<std::vector<Kpi>> import_kpi_records(const std::vector<CsvRecord>& records,
                                            const std::string& project_id);

// Risk register columns (seed 001 表4, as the Excel export's 风险 sheet writes them): 编号 id |
// 风险 risk | 描述 description | 影响等级 impact | 负责人 owner | 触发条件 trigger | 应对措施
// response | 状态 status (待处理/处理中/已解决) | 关联任务 task | 登记日期 opened | 关闭日期 closed.
// 编号 and 风险 are required; owners are people by name, as in the tracking table.
Result<std::vector<RiskItem>> import_risk_records(const std::vector<CsvRecord>& records,
                                                  const std::string& project_id);

// The same columns, tasks in tree order (each node followed by its children), statuses as the
// seeds' labels for Chinese headers (label(status, locale)), completion as "60%", people by
// display name, predecessors joined with ';'. The optional columns are written only when some
// task uses them. When no phase node exists but the project has a name, the project is written
// as the first 一级阶段 row. export -> import -> export is byte-identical.
std::string export_tracking_csv(const ProjectState& state, Locale header_locale);
std::string export_kpi_csv(const std::vector<Kpi>& kpis, Locale header_locale);

}  // namespace core
