#include "bot/web/xlsx_export.h"

#include <xlsxwriter.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include "core/csv.h"
#include "core/rules.h"
#include "core/table_csv.h"
#include "core/weekly.h"

namespace bot {
namespace {

using core::Locale;

// Fill colours of the status cells (domain.md "Status"): grey, yellow, green, red, orange.
constexpr lxw_color_t k_grey = 0xD9D9D9;
constexpr lxw_color_t k_yellow = 0xFFE699;
constexpr lxw_color_t k_green = 0xA9D08E;
constexpr lxw_color_t k_red = 0xFF7C80;
constexpr lxw_color_t k_orange = 0xF4B183;
constexpr lxw_color_t k_header = 0xDDEBF7;

// One cell before it is written: text, a number in some format, or a date.
struct Cell {
    enum class Kind { text, number, percent, date } kind = Kind::text;
    std::string text;
    double number = 0;
    core::Date date{};
    lxw_format* format = nullptr;  // a fill for text cells; nullptr = default

    static Cell of(std::string value, lxw_format* format = nullptr) {
        Cell c;
        c.text = std::move(value);
        c.format = format;
        return c;
    }
    static Cell num(double value) {
        Cell c;
        c.kind = Kind::number;
        c.number = value;
        return c;
    }
    static Cell pct(double fraction) {  // 0.6 shows as 60%
        Cell c;
        c.kind = Kind::percent;
        c.number = fraction;
        return c;
    }
    static Cell day(core::Date value) {
        Cell c;
        c.kind = Kind::date;
        c.date = value;
        return c;
    }
    static Cell day(const std::optional<core::Date>& value) { return value ? day(*value) : of(""); }
};
using Row = std::vector<Cell>;

// Control characters other than tab and line breaks are not allowed in the sheet's XML.
std::string xml_safe(std::string text) {
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') c = ' ';
    return text;
}

// Columns wide enough for the text: CJK characters count double.
double display_width(std::string_view text) {
    double width = 0, line = 0;
    for (size_t i = 0; i < text.size();) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (c == '\n') {
            width = std::max(width, line);
            line = 0;
        } else {
            line += length >= 3 ? 2 : 1;
        }
        i += length;
    }
    return std::max(width, line);
}

// The workbook and the formats every sheet shares. Not copyable; closes (writes) once.
class Book {
public:
    explicit Book(const std::string& path) : m_book(workbook_new(path.c_str())) {
        if (!m_book) return;
        m_header = workbook_add_format(m_book);
        format_set_bold(m_header);
        format_set_bg_color(m_header, k_header);
        format_set_pattern(m_header, LXW_PATTERN_SOLID);
        format_set_border(m_header, LXW_BORDER_THIN);
        m_title = workbook_add_format(m_book);
        format_set_bold(m_title);
        m_date = with_num_format("yyyy-mm-dd");
        m_percent = with_num_format("0%");
        m_percent_fine = with_num_format("0.0#%");
        for (auto [status, colour] : {std::pair{core::Status::not_started, k_grey}, {core::Status::in_progress, k_yellow},
                                      {core::Status::done, k_green}, {core::Status::delayed, k_red},
                                      {core::Status::blocked, k_orange}}) {
            lxw_format* fill = workbook_add_format(m_book);
            format_set_bg_color(fill, colour);
            format_set_pattern(fill, LXW_PATTERN_SOLID);
            m_status[static_cast<size_t>(status)] = fill;
        }
    }
    ~Book() {
        if (m_book) workbook_close(m_book);  // only when close() was not reached: an error path
    }
    Book(const Book&) = delete;
    Book& operator=(const Book&) = delete;

    bool ok() const { return m_book != nullptr; }
    lxw_worksheet* add_sheet(const std::string& name) { return workbook_add_worksheet(m_book, name.c_str()); }
    core::Result<void> close() {
        lxw_error error = workbook_close(m_book);
        m_book = nullptr;
        if (error != LXW_NO_ERROR)
            return core::make_error(core::ErrorCode::io, std::string("xlsx: ") + lxw_strerror(error));
        return core::ok();
    }

    lxw_format* header() const { return m_header; }
    lxw_format* title() const { return m_title; }
    lxw_format* date() const { return m_date; }
    lxw_format* percent(double fraction) const {
        return std::fabs(fraction * 100 - std::round(fraction * 100)) < 1e-9 ? m_percent : m_percent_fine;
    }
    // The fill of a status cell; nullptr for cancelled (no colour in domain.md).
    lxw_format* status_fill(core::Status status) const { return m_status[static_cast<size_t>(status)]; }

private:
    lxw_format* with_num_format(const char* num_format) {
        lxw_format* format = workbook_add_format(m_book);
        format_set_num_format(format, num_format);
        return format;
    }

    lxw_workbook* m_book;
    lxw_format* m_header = nullptr;
    lxw_format* m_title = nullptr;
    lxw_format* m_date = nullptr;
    lxw_format* m_percent = nullptr;
    lxw_format* m_percent_fine = nullptr;
    lxw_format* m_status[6] = {};
};

// Writes cells into one worksheet, remembering the first error and the widest text per column.
class Sheet {
public:
    Sheet(Book& book, lxw_worksheet* sheet) : m_book(book), m_sheet(sheet) {}

    void write(lxw_row_t row, lxw_col_t col, const Cell& cell) {
        lxw_error error = LXW_NO_ERROR;
        double width = 10;
        switch (cell.kind) {
            case Cell::Kind::text: {
                if (cell.text.empty() && !cell.format) return;
                std::string text = xml_safe(cell.text);
                error = worksheet_write_string(m_sheet, row, col, text.c_str(), cell.format);
                width = display_width(text);
                break;
            }
            case Cell::Kind::number:
                error = worksheet_write_number(m_sheet, row, col, cell.number, cell.format);
                width = 12;
                break;
            case Cell::Kind::percent:
                error = worksheet_write_number(m_sheet, row, col, cell.number, m_book.percent(cell.number));
                width = 7;
                break;
            case Cell::Kind::date: {
                std::chrono::year_month_day ymd{cell.date};
                lxw_datetime when{static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
                                  static_cast<int>(static_cast<unsigned>(ymd.day())), 0, 0, 0};
                error = worksheet_write_datetime(m_sheet, row, col, &when, m_book.date());
                width = 11;
                break;
            }
        }
        if (error != LXW_NO_ERROR && !m_error) m_error = std::string(lxw_strerror(error));
        if (m_widths.size() <= col) m_widths.resize(col + 1, 0);
        m_widths[col] = std::max(m_widths[col], width);
    }

    void write_row(lxw_row_t row, const Row& cells) {
        for (size_t c = 0; c < cells.size(); ++c) write(row, static_cast<lxw_col_t>(c), cells[c]);
    }

    void header_row(lxw_row_t row, const std::vector<std::string>& names) {
        for (size_t c = 0; c < names.size(); ++c) write(row, static_cast<lxw_col_t>(c), Cell::of(names[c], m_book.header()));
    }

    // Header at row 0, frozen and filtered; rows below.
    void table(const std::vector<std::string>& names, const std::vector<Row>& rows) {
        header_row(0, names);
        for (size_t r = 0; r < rows.size(); ++r) write_row(static_cast<lxw_row_t>(r + 1), rows[r]);
        worksheet_freeze_panes(m_sheet, 1, 0);
        if (!names.empty())
            worksheet_autofilter(m_sheet, 0, 0, static_cast<lxw_row_t>(rows.size()), static_cast<lxw_col_t>(names.size() - 1));
    }

    // Widths from the text written, between 6 and 60 characters.
    core::Result<void> finish() {
        for (size_t c = 0; c < m_widths.size(); ++c)
            worksheet_set_column(m_sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                                 std::clamp(m_widths[c] + 2, 6.0, 60.0), nullptr);
        if (m_error) return core::make_error(core::ErrorCode::io, "xlsx: " + *m_error);
        return core::ok();
    }

private:
    Book& m_book;
    lxw_worksheet* m_sheet;
    std::vector<double> m_widths;
    std::optional<std::string> m_error;
};

std::string pick(Locale locale, const char* zh, const char* en) { return locale == Locale::zh_cn ? zh : en; }

std::vector<std::string> names(Locale locale, std::initializer_list<std::pair<const char*, const char*>> columns) {
    std::vector<std::string> out;
    for (const auto& [zh, en] : columns) out.push_back(pick(locale, zh, en));
    return out;
}

// --- 跟踪表 -----------------------------------------------------------------------------------

// The tracking table's cells as core::export_tracking_csv writes them, typed by column.
core::Result<void> write_tracking(Book& book, Sheet& sheet, const core::ProjectState& state, Locale locale) {
    auto records = core::parse_csv(core::export_tracking_csv(state, locale));
    if (!records) return records.error();
    if (records->empty()) return core::ok();
    static const std::set<std::string> k_dates{"计划开始", "计划完成", "实际开始", "实际完成",
                                               "planned_start", "planned_finish", "actual_start", "actual_finish"};
    const core::CsvRecord& header = records->front();
    std::vector<Row> rows;
    for (size_t r = 1; r < records->size(); ++r) {
        const core::CsvRecord& record = (*records)[r];
        if (record.size() == 1 && record[0].empty()) continue;  // a trailing line break
        Row row;
        for (size_t c = 0; c < record.size(); ++c) {
            const std::string& name = c < header.size() ? header[c] : "";
            const std::string& text = record[c];
            if (k_dates.count(name))
                row.push_back(core::parse_iso_date(text) ? Cell::day(core::parse_iso_date(text)) : Cell::of(text));
            else if ((name == "完成度" || name == "completion") && text.size() > 1 && text.back() == '%')
                row.push_back(Cell::pct(std::atof(text.c_str()) / 100.0));
            else if (name == "进度状态" || name == "status") {
                auto status = core::parse_status(text);
                row.push_back(Cell::of(text, status ? book.status_fill(*status) : nullptr));
            } else
                row.push_back(Cell::of(text));
        }
        rows.push_back(std::move(row));
    }
    sheet.table(header, rows);
    return core::ok();
}

// --- 进度日志, 风险, KPI ----------------------------------------------------------------------

void write_progress(Sheet& sheet, const core::ProjectState& state, Locale locale) {
    auto header = names(locale, {{"日期", "date"}, {"任务编号", "task"}, {"任务名称", "task_name"}, {"记录人", "who"},
                                 {"动作", "action"}, {"完成度", "completion"}, {"偏差率", "deviation_rate"},
                                 {"计划内容", "planned_content"}, {"实际内容", "actual_content"}, {"存在问题", "problem"},
                                 {"解决方案", "solution"}, {"依据", "evidence"}, {"来源", "source"}});
    std::vector<Row> rows;
    for (const auto& e : state.progress) {
        const core::Task* task = state.find_task(e.task_id);
        rows.push_back({Cell::day(e.date), Cell::of(e.task_id), Cell::of(task ? task->name : ""),
                        Cell::of(state.person_name(e.who)), Cell::of(e.action),
                        e.completion ? Cell::pct(*e.completion / 100.0) : Cell::of(""),
                        e.deviation_rate ? Cell::pct(*e.deviation_rate) : Cell::of(""), Cell::of(e.planned_content),
                        Cell::of(e.actual_content), Cell::of(e.problem), Cell::of(e.solution), Cell::of(e.evidence),
                        Cell::of(e.source)});
    }
    sheet.table(header, rows);
}

std::string risk_status_label(core::RiskStatus status, Locale locale) {
    switch (status) {
        case core::RiskStatus::open: return pick(locale, "待处理", "open");
        case core::RiskStatus::in_progress: return pick(locale, "处理中", "in progress");
        case core::RiskStatus::resolved: return pick(locale, "已解决", "resolved");
    }
    return "";
}

void write_risks(Sheet& sheet, const core::ProjectState& state, Locale locale) {
    auto header = names(locale, {{"编号", "id"}, {"风险", "risk"}, {"描述", "description"}, {"影响等级", "impact"},
                                 {"负责人", "owner"}, {"触发条件", "trigger"}, {"应对措施", "response"},
                                 {"状态", "status"}, {"关联任务", "task"}, {"登记日期", "opened"}, {"关闭日期", "closed"}});
    std::vector<Row> rows;
    for (const auto& r : state.risks)
        rows.push_back({Cell::of(r.id), Cell::of(r.title), Cell::of(r.description), Cell::of(core::label(r.impact, locale)),
                        Cell::of(state.person_name(r.owner)), Cell::of(r.trigger), Cell::of(r.response),
                        Cell::of(risk_status_label(r.status, locale)), Cell::of(r.task_id), Cell::day(r.opened),
                        Cell::day(r.closed)});
    sheet.table(header, rows);
}

Cell amount(double value, bool percent) { return percent ? Cell::pct(value / 100.0) : Cell::num(value); }

void write_kpis(Sheet& sheet, const core::ProjectState& state, Locale locale) {
    auto header = names(locale, {{"指标编号", "id"}, {"指标名称", "name"}, {"指标类型", "kind"}, {"指标说明", "description"},
                                 {"目标值", "target"}, {"当前值", "current"}, {"达成率", "achievement"},
                                 {"预警阈值", "warn_below"}, {"数据来源", "data_source"}, {"更新日期", "updated"}});
    std::vector<Row> rows;
    for (const auto& k : state.kpis) {
        std::string kind = k.kind == core::KpiKind::process ? pick(locale, "过程指标", "process") : pick(locale, "结果指标", "result");
        rows.push_back({Cell::of(k.id), Cell::of(k.name), Cell::of(kind), Cell::of(k.description), amount(k.target, k.percent),
                        amount(k.current, k.percent), Cell::pct(core::kpi_achievement(k)),
                        k.warn_below ? Cell::pct(*k.warn_below) : Cell::of(""), Cell::of(k.data_source),
                        Cell::day(k.updated)});
    }
    sheet.table(header, rows);
}

// --- 周报 -------------------------------------------------------------------------------------

// Stacked tables under bold titles, one blank row between them.
class Stack {
public:
    Stack(Book& book, Sheet& sheet) : m_book(book), m_sheet(sheet) {}
    void line(const Row& cells) { m_sheet.write_row(m_row++, cells); }
    void table(const std::string& title, const std::vector<std::string>& header, const std::vector<Row>& rows,
               Locale locale) {
        ++m_row;
        m_sheet.write(m_row++, 0, Cell::of(title + " (" + std::to_string(rows.size()) + ")", m_book.title()));
        if (rows.empty()) {
            m_sheet.write(m_row++, 0, Cell::of(pick(locale, "无", "none")));
            return;
        }
        m_sheet.header_row(m_row++, header);
        for (const auto& row : rows) m_sheet.write_row(m_row++, row);
    }

private:
    Book& m_book;
    Sheet& m_sheet;
    lxw_row_t m_row = 0;
};

std::string cause_kind_label(core::CauseKind kind, Locale locale) {
    switch (kind) {
        case core::CauseKind::objective: return pick(locale, "客观", "objective");
        case core::CauseKind::subjective: return pick(locale, "主观", "subjective");
        case core::CauseKind::unknown: break;
    }
    return "";
}

void write_weekly(Book& book, Sheet& sheet, const core::ProjectState& state, Locale locale, core::Date today) {
    core::Date from = core::add_days(today, -6);
    core::WeeklyReview r = core::build_weekly_review(state, from, today);
    auto who = [&](const std::string& id) { return Cell::of(state.person_name(id)); };
    Stack stack(book, sheet);
    stack.line({Cell::of(pick(locale, "项目", "Project"), book.title()), Cell::of(r.project_name)});
    stack.line({Cell::of(pick(locale, "周期", "Period"), book.title()), Cell::day(r.from), Cell::day(r.to)});
    stack.line({Cell::of(pick(locale, "总进度（期初 → 现在）", "Completion (start → now)"), book.title()),
                Cell::pct(r.completion_before / 100.0), Cell::pct(r.completion / 100.0)});
    stack.line({Cell::of(pick(locale, "按时完成率", "On-time rate"), book.title()), Cell::pct(r.on_time.rate()),
                Cell::of(std::to_string(r.on_time.on_time) + "/" + std::to_string(r.on_time.due)),
                Cell::of(pick(locale, "目标", "target")), Cell::pct(state.project.thresholds.on_time_target)});
    stack.line({Cell::of(pick(locale, "本周偏差说明", "Deviation reports"), book.title()), Cell::num(r.deviation_reports)});

    std::vector<Row> rows;
    for (const auto& t : r.finished)
        rows.push_back({Cell::of(t.task_id), Cell::of(t.name), who(t.owner), Cell::day(t.finished),
                        Cell::of(t.on_time ? pick(locale, "是", "yes") : pick(locale, "否", "no"))});
    stack.table(pick(locale, "本周完成", "Finished"),
                names(locale, {{"编号", "id"}, {"任务名称", "name"}, {"负责人", "owner"}, {"完成日期", "finished"}, {"按时", "on time"}}),
                rows, locale);
    rows.clear();
    for (const auto& t : r.slipped)
        rows.push_back({Cell::of(t.task_id), Cell::of(t.name), who(t.owner), Cell::day(t.planned_finish), Cell::num(t.days_late),
                        Cell::of(t.cause), Cell::of(t.impact), Cell::of(t.remedy)});
    stack.table(pick(locale, "延误", "Slipped"),
                names(locale, {{"编号", "id"}, {"任务名称", "name"}, {"负责人", "owner"}, {"计划完成", "planned finish"},
                               {"逾期天数", "days late"}, {"原因", "cause"}, {"影响", "impact"}, {"措施", "remedy"}}),
                rows, locale);
    rows.clear();
    for (const auto& t : r.blocked)
        rows.push_back({Cell::of(t.task_id), Cell::of(t.name), who(t.owner), Cell::num(t.days_blocked), Cell::of(t.reason),
                        Cell::day(t.cleared)});
    stack.table(pick(locale, "阻塞", "Blocked"),
                names(locale, {{"编号", "id"}, {"任务名称", "name"}, {"负责人", "owner"}, {"阻塞天数", "days blocked"},
                               {"原因", "reason"}, {"解除日期", "cleared"}}),
                rows, locale);
    rows.clear();
    for (const auto& d : state.deviation_reports)
        if (d.date >= r.from && d.date <= r.to)
            rows.push_back({Cell::day(d.date), Cell::of(d.task_id), who(d.who), Cell::of(cause_kind_label(d.cause_kind, locale)),
                            Cell::of(d.cause), Cell::of(d.impact), Cell::of(d.remedy), Cell::day(d.new_planned_finish)});
    stack.table(pick(locale, "偏差说明", "Deviation reports"),
                names(locale, {{"日期", "date"}, {"编号", "task"}, {"提交人", "who"}, {"原因类型", "cause kind"},
                               {"原因", "cause"}, {"影响", "impact"}, {"措施", "remedy"}, {"新计划完成", "new finish"}}),
                rows, locale);
    rows.clear();
    auto risk_row = [&](const core::WeeklyReview::RiskLine& k, const char* zh, const char* en, const std::optional<core::Date>& on) {
        rows.push_back({Cell::of(pick(locale, zh, en)), Cell::of(k.risk_id), Cell::of(k.title),
                        Cell::of(core::label(k.impact, locale)), who(k.owner), Cell::of(risk_status_label(k.status, locale)),
                        Cell::day(on)});
    };
    for (const auto& k : r.risks_opened) risk_row(k, "新增", "opened", k.opened);
    for (const auto& k : r.risks_closed) risk_row(k, "已解决", "closed", k.closed);
    stack.table(pick(locale, "风险", "Risks"),
                names(locale, {{"变化", "change"}, {"编号", "id"}, {"风险", "risk"}, {"影响等级", "impact"},
                               {"负责人", "owner"}, {"状态", "status"}, {"日期", "date"}}),
                rows, locale);
    rows.clear();
    for (const auto& k : r.kpis) {
        bool percent = false;
        for (const auto& kpi : state.kpis)
            if (kpi.id == k.kpi_id) percent = kpi.percent;
        rows.push_back({Cell::of(k.kpi_id), Cell::of(k.name), amount(k.target, percent), amount(k.current, percent),
                        Cell::pct(k.achievement), Cell::of(k.below_warning ? pick(locale, "是", "yes") : "")});
    }
    stack.table("KPI",
                names(locale, {{"编号", "id"}, {"名称", "name"}, {"目标值", "target"}, {"当前值", "current"},
                               {"达成率", "achievement"}, {"低于预警", "below warning"}}),
                rows, locale);
    rows.clear();
    for (const auto& t : r.due_next)
        rows.push_back({Cell::of(t.id), Cell::of(t.name), who(t.owner), Cell::day(t.planned_finish)});
    stack.table(pick(locale, "下周到期", "Due next week"),
                names(locale, {{"编号", "id"}, {"任务名称", "name"}, {"负责人", "owner"}, {"计划完成", "planned finish"}}),
                rows, locale);
}

}  // namespace

core::Result<void> write_project_xlsx(const core::ProjectState& state, const XlsxOptions& options, const std::string& path) {
    Book book(path);
    if (!book.ok()) return core::make_error(core::ErrorCode::io, "xlsx: cannot create " + path);
    Locale locale = options.headers;
    struct Named {
        const char* zh;
        const char* en;
    };
    const Named sheet_names[] = {{"跟踪表", "Tracking"}, {"进度日志", "Progress log"}, {"风险", "Risks"},
                                 {"KPI", "KPI"}, {"周报", "Weekly review"}};
    std::vector<std::unique_ptr<Sheet>> sheets;
    for (const auto& name : sheet_names) {
        lxw_worksheet* worksheet = book.add_sheet(pick(locale, name.zh, name.en));
        if (!worksheet) return core::make_error(core::ErrorCode::io, "xlsx: cannot add a sheet");
        sheets.push_back(std::make_unique<Sheet>(book, worksheet));
    }
    auto tracking = write_tracking(book, *sheets[0], state, locale);
    if (!tracking) return tracking.error();
    write_progress(*sheets[1], state, locale);
    write_risks(*sheets[2], state, locale);
    write_kpis(*sheets[3], state, locale);
    write_weekly(book, *sheets[4], state, locale, options.today);
    for (auto& sheet : sheets) {
        auto finished = sheet->finish();
        if (!finished) return finished.error();
    }
    return book.close();
}

core::Result<std::string> project_xlsx_bytes(const core::ProjectState& state, const XlsxOptions& options) {
    std::error_code ec;
    auto dir = std::filesystem::temp_directory_path(ec);
    if (ec) return core::make_error(core::ErrorCode::io, "xlsx: no temporary directory");
    std::random_device random;
    auto path = dir / ("trackerd-export-" + std::to_string(random()) + std::to_string(random()) + ".xlsx");
    auto written = write_project_xlsx(state, options, path.string());
    std::string bytes;
    if (written) {
        std::ifstream in(path, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        if (!in) written = core::make_error(core::ErrorCode::io, "xlsx: cannot read back " + path.string());
        bytes = buffer.str();
    }
    std::filesystem::remove(path, ec);
    if (!written) return written.error();
    return bytes;
}

}  // namespace bot
