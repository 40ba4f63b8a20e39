#pragma once
// A people table as CSV (issue 21): who is on the team, with their contacts and, when known,
// their chat accounts, for `trackerctl people import`. Pure function over a string; no I/O.
// Safe for concurrent use.
//
// Columns, by header name in any order (Chinese or English, case-insensitive, spaces trimmed):
//   姓名 name (required) | 编号 id (default: the name) | 部门 department | 邮箱 email |
//   手机 mobile (also 手机号, 电话, phone) | slack | 飞书 feishu | 钉钉 dingtalk
// A UTF-8 BOM is accepted; blank rows are skipped. Cells are trimmed and kept as written (the
// store normalises mobile numbers).

#include <string_view>
#include <vector>

#include "core/model.h"
#include "core/result.h"

namespace core {

// Errors (ErrorCode::invalid_argument), naming the spreadsheet row (the header is row 1):
// malformed CSV, no header, an unknown column (all of them named, with the known ones), a
// column given twice, no name column, a row without a name, a cell right of the last header,
// two rows with the same id.
Result<std::vector<Person>> parse_people_csv(std::string_view csv);

}  // namespace core
