#pragma once
// A project as an Excel workbook (issue 9), written with libxlsxwriter. It writes files, so it
// lives in bot/. Sheets, named in the header language (Chinese / English):
//   跟踪表 Tracking      the seeds' tracking table: exactly the columns and cells of
//                        core::export_tracking_csv, with dates as dates (yyyy-mm-dd), 完成度 as a
//                        percentage, 进度状态 cells filled by status (domain.md: grey 未开始,
//                        yellow 进行中, green 已完成, red 已延期, orange 已阻塞), the header row
//                        frozen and filtered, column widths fitted to the text
//   进度日志 Progress log  the append-only progress log (seed 001 表3), oldest first
//   风险 Risks           the risk register (seed 001 表4)
//   KPI                  the KPI table (seed 002) with the achievement of each
//   周报 Weekly review   core::build_weekly_review of the 7 days ending `today`, deviation
//                        reports of the period included
// The first sheet is the tracking table, so `libreoffice --headless --convert-to csv` of the
// file gives the tracking table back as CSV.
// Thread safety: stateless functions; concurrent calls must write different paths.

#include <string>

#include "core/date.h"
#include "core/model.h"
#include "core/result.h"

namespace bot {

struct XlsxOptions {
    core::Locale headers = core::Locale::zh_cn;  // sheet names, headers and labels
    core::Date today{};                          // the weekly review ends on this day
};

// Writes the workbook to `path` (replaced if it exists). ErrorCode::io when it cannot be written.
core::Result<void> write_project_xlsx(const core::ProjectState& state, const XlsxOptions& options,
                                      const std::string& path);

// The same workbook as bytes (written to a temporary file that is removed again).
core::Result<std::string> project_xlsx_bytes(const core::ProjectState& state, const XlsxOptions& options);

}  // namespace bot
