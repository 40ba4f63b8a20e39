// Gantt layout and SVG (core/gantt.h).

#include "core/gantt.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/html.h"
#include "core/rules.h"

namespace core {

namespace {

constexpr double k_planned_top = 5;   // within a row
constexpr double k_planned_height = 11;
constexpr double k_actual_top = 18;
constexpr double k_actual_height = 7;
constexpr double k_summary_top = 9;
constexpr double k_summary_height = 8;

std::string num(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
    std::string text = buffer;
    if (text.size() > 2 && text.ends_with(".0")) text.resize(text.size() - 2);
    return text;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

int depth_of(const ProjectState& state, const Task& task) {
    int depth = 0;
    const Task* node = &task;
    while (!node->parent_id.empty() && depth < 16) {
        node = state.find_task(node->parent_id);
        if (!node) break;
        ++depth;
    }
    return depth;
}

void leaves_under(const ProjectState& state, const Task& node, std::vector<const Task*>& out, int guard = 0) {
    if (is_leaf(state, node) || guard > 16) {
        out.push_back(&node);
        return;
    }
    for (const auto& child : state.tasks)
        if (child.parent_id == node.id) leaves_under(state, child, out, guard + 1);
}

Tone leaf_tone(const ProjectState& state, const Task& task, Date today, const std::vector<std::string>& at_risk) {
    Status status = effective_status(task, today, state.project.thresholds);
    switch (status) {
        case Status::cancelled: return Tone::muted;
        case Status::delayed: return Tone::red;
        case Status::blocked: return Tone::orange;
        case Status::done: return Tone::green;
        default: break;
    }
    if (contains(at_risk, task.id)) return Tone::orange;
    return status == Status::in_progress || has_started(task) ? Tone::yellow : Tone::grey;
}

// Shortens a UTF-8 name to `max_chars` code points, with "…" when cut.
std::string shorten(std::string_view text, size_t max_chars) {
    size_t chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (chars == max_chars) return std::string(text.substr(0, i)) + "…";
        ++chars;
    }
    return std::string(text);
}

std::optional<GanttSpan> span(const GanttLayout& layout, std::optional<Date> from, std::optional<Date> to) {
    if (!layout.first || (!from && !to)) return std::nullopt;
    Date start = from ? *from : *to;
    Date end = to ? *to : *from;
    if (end < start) end = start;
    return GanttSpan{layout.x_of(start), (days_between(start, end) + 1) * layout.day_width};
}

void widen(std::optional<Date>& first, std::optional<Date>& last, std::optional<Date> day) {
    if (!day) return;
    if (!first || *day < *first) first = day;
    if (!last || *day > *last) last = day;
}

std::optional<Date> actual_end(const Task& task, Date today) {
    if (task.actual_finish) return task.actual_finish;
    if (task.status == Status::done || task.status == Status::cancelled) return task.actual_start;
    return task.actual_start && today >= *task.actual_start ? std::optional<Date>(today) : task.actual_start;
}

GanttRow make_row(const ProjectState& state, const Task& task, const GanttLayout& layout, Date today,
                  const std::vector<std::string>& at_risk) {
    GanttRow row;
    row.id = task.id;
    row.name = task.name;
    row.level = task.level;
    row.depth = depth_of(state, task);
    row.leaf = is_leaf(state, task);
    row.tone = node_tone(state, task, today, at_risk);
    row.late = row.leaf && is_late(task, today, state.project.thresholds);
    row.at_risk = row.leaf && contains(at_risk, task.id);
    row.completion = row.leaf ? (task.status == Status::done ? 100 : task.completion)
                              : rollup_completion(state, task.id);
    row.planned = span(layout, task.planned_start, task.planned_finish);
    if (row.leaf && (task.actual_start || task.actual_finish))
        row.actual = span(layout, task.actual_start ? task.actual_start : task.actual_finish, actual_end(task, today));
    if (row.planned) row.progress_width = row.planned->width * std::clamp(row.completion, 0, 100) / 100.0;
    return row;
}

std::string arrow_path(const GanttLayout& layout, const GanttRow& from, const GanttRow& to) {
    const double offset = from.leaf ? k_planned_top + k_planned_height / 2 : k_summary_top + k_summary_height / 2;
    const double x1 = from.planned->x + from.planned->width;
    const double y1 = from.y + offset;
    const double x2 = to.planned->x;
    const double y2 = to.y + (to.leaf ? k_planned_top + k_planned_height / 2 : k_summary_top + k_summary_height / 2);
    if (x2 - x1 >= 12)
        return "M" + num(x1) + "," + num(y1) + " H" + num(x1 + 6) + " V" + num(y2) + " H" + num(x2);
    // The successor starts before the predecessor ends: go round through the row boundary.
    const double y_mid = to.y > from.y ? to.y : to.y + layout.row_height;
    return "M" + num(x1) + "," + num(y1) + " H" + num(x1 + 6) + " V" + num(y_mid) + " H" + num(x2 - 6) +
           " V" + num(y2) + " H" + num(x2);
}

}  // namespace

const char* tone_name(Tone tone) {
    switch (tone) {
        case Tone::grey: return "grey";
        case Tone::yellow: return "yellow";
        case Tone::green: return "green";
        case Tone::red: return "red";
        case Tone::orange: return "orange";
        case Tone::muted: return "muted";
    }
    return "grey";
}

const char* tone_colour(Tone tone) {
    switch (tone) {
        case Tone::grey: return "#9e9e9e";
        case Tone::yellow: return "#f2b705";
        case Tone::green: return "#2e9d4f";
        case Tone::red: return "#d93025";
        case Tone::orange: return "#f57c00";
        case Tone::muted: return "#cfd8dc";
    }
    return "#9e9e9e";
}

std::vector<std::string> at_risk_tasks(const ProjectState& state, Date today) {
    std::vector<std::string> ids;
    for (const Finding& finding : evaluate(state, today)) {
        bool risk = finding.rule == Rule::r2_deviation ||
                    (finding.rule == Rule::r7_dependency && finding.detail == k_r7_unreachable);
        if (risk && !finding.task_id.empty() && !contains(ids, finding.task_id)) ids.push_back(finding.task_id);
    }
    return ids;
}

Tone node_tone(const ProjectState& state, const Task& node, Date today, const std::vector<std::string>& at_risk_ids) {
    if (is_leaf(state, node)) return leaf_tone(state, node, today, at_risk_ids);
    std::vector<const Task*> leaves;
    leaves_under(state, node, leaves);
    bool any_red = false, any_orange = false, any_yellow = false, all_done = true, any_live = false;
    for (const Task* leaf : leaves) {
        Tone tone = leaf_tone(state, *leaf, today, at_risk_ids);
        if (tone == Tone::muted) continue;
        any_live = true;
        any_red |= tone == Tone::red;
        any_orange |= tone == Tone::orange;
        any_yellow |= tone == Tone::yellow || tone == Tone::green;
        all_done &= tone == Tone::green;
    }
    if (!any_live) return Tone::muted;
    if (any_red) return Tone::red;
    if (any_orange) return Tone::orange;
    if (all_done) return Tone::green;
    return any_yellow ? Tone::yellow : Tone::grey;
}

double GanttLayout::x_of(Date day) const {
    return first ? label_width + days_between(*first, day) * day_width : label_width;
}

GanttLayout layout_gantt(const ProjectState& state, Date today, const GanttOptions& options) {
    GanttLayout layout;
    layout.label_width = options.label_width;
    layout.header_height = options.header_height;
    layout.row_height = options.row_height;
    layout.today = today;
    std::optional<Date> first, last;
    for (const auto& task : state.tasks) {
        widen(first, last, task.planned_start);
        widen(first, last, task.planned_finish);
        widen(first, last, task.actual_start);
        widen(first, last, task.actual_finish);
    }
    if (first) {
        widen(first, last, today);
        layout.first = add_days(*first, -1);
        layout.days = days_between(*layout.first, add_days(*last, 1)) + 1;
        layout.day_width = std::clamp(options.chart_width / layout.days, options.min_day_width, options.max_day_width);
        layout.today_x = layout.x_of(today) + layout.day_width / 2;
    }
    layout.width = options.label_width + layout.days * layout.day_width + 12;

    const std::vector<std::string> at_risk = at_risk_tasks(state, today);
    std::map<std::string, size_t> row_of;
    for (const auto& task : state.tasks) {
        GanttRow row = make_row(state, task, layout, today, at_risk);
        row.y = options.header_height + static_cast<double>(layout.rows.size()) * options.row_height;
        row_of[row.id] = layout.rows.size();
        layout.rows.push_back(std::move(row));
    }
    layout.height = options.header_height + static_cast<double>(layout.rows.size()) * options.row_height + 8;

    for (const auto& task : state.tasks) {
        const GanttRow& to = layout.rows[row_of[task.id]];
        for (const auto& predecessor : task.predecessors) {
            auto found = row_of.find(normalize_id(predecessor));
            if (found == row_of.end()) continue;
            const GanttRow& from = layout.rows[found->second];
            if (!from.planned || !to.planned) continue;
            layout.arrows.push_back({from.id, to.id, arrow_path(layout, from, to)});
        }
    }
    return layout;
}

namespace {

std::string rect(const char* css_class, double x, double y, double width, double height, const std::string& extra = "") {
    return "<rect class=\"" + std::string(css_class) + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" +
           num(std::max(width, 1.0)) + "\" height=\"" + num(height) + "\"" + extra + "/>";
}

void render_axis(const GanttLayout& layout, Locale locale, std::string& out) {
    if (!layout.first) return;
    const bool zh = locale == Locale::zh_cn;
    for (int i = 0; i < layout.days; ++i) {
        Date day = add_days(*layout.first, i);
        const double x = layout.x_of(day);
        if (iso_weekday(day) >= 5)
            out += rect("weekend", x, layout.header_height, layout.day_width, layout.height - layout.header_height - 8);
        auto ymd = std::chrono::year_month_day{day};
        // A month's name at its first day, and at the chart's start unless a month begins within
        // the week (the two names would overlap); none so near the right edge it would be cut.
        const bool month_starts_soon = unsigned(ymd.day()) > 24;
        if ((unsigned(ymd.day()) == 1 || (i == 0 && !month_starts_soon)) && x + 70 < layout.width) {
            std::string month = zh ? std::to_string(int(ymd.year())) + "年" + std::to_string(unsigned(ymd.month())) + "月"
                                   : format_iso_date(day).substr(0, 7);
            out += "<text class=\"month\" x=\"" + num(x + 2) + "\" y=\"16\">" + html_escape(month) + "</text>";
        }
        if (iso_weekday(day) == 0 || layout.day_width >= 20) {
            out += "<line class=\"tick\" x1=\"" + num(x) + "\" y1=\"24\" x2=\"" + num(x) + "\" y2=\"" +
                   num(layout.height - 8) + "\"/>";
            out += "<text class=\"day\" x=\"" + num(x + 2) + "\" y=\"36\">" + format_short_date(day) + "</text>";
        }
    }
}

void render_row(const GanttLayout& layout, const GanttRow& row, size_t index, Locale locale, std::string& out) {
    const bool zh = locale == Locale::zh_cn;
    if (index % 2 == 1) out += rect("stripe", 0, row.y, layout.width, layout.row_height);
    const std::string colour = tone_colour(row.tone);
    std::string label = row.id + " " + shorten(row.name, 20 - static_cast<size_t>(std::min(row.depth, 3)) * 2);
    if (row.late) label = "⚠ " + label;
    out += "<g class=\"" + std::string(row.leaf ? "task" : "summary") + " tone-" + tone_name(row.tone) + "\" " +
           (row.leaf ? "data-task" : "data-node") + "=\"" + html_escape(row.id) + "\" data-late=\"" +
           (row.late ? "true" : "false") + "\" data-at-risk=\"" + (row.at_risk ? "true" : "false") + "\">";
    std::string title = row.id + " " + row.name + " · " + std::to_string(row.completion) + "%";
    if (row.late) title += zh ? " · 已延期" : " · late";
    if (row.at_risk) title += zh ? " · 有风险" : " · at risk";
    out += "<title>" + html_escape(title) + "</title>";
    out += "<text class=\"label" + std::string(row.leaf ? "" : " node") + (row.late ? " late" : "") + "\" x=\"" +
           num(8 + row.depth * 14) + "\" y=\"" + num(row.y + 19) + "\">" + html_escape(label) + "</text>";
    if (row.planned && !row.leaf) {
        out += rect("bar summary-bar", row.planned->x, row.y + k_summary_top, row.planned->width, k_summary_height);
        out += rect("bar progress", row.planned->x, row.y + k_summary_top, row.progress_width, k_summary_height,
                    " fill=\"" + colour + "\"");
    } else if (row.planned) {
        out += rect("bar planned", row.planned->x, row.y + k_planned_top, row.planned->width, k_planned_height,
                    " fill=\"" + colour + "\" stroke=\"" + colour + "\"");
        if (row.progress_width > 0)
            out += rect("bar progress", row.planned->x, row.y + k_planned_top, row.progress_width, k_planned_height,
                        " fill=\"" + colour + "\"");
        const double planned_end = row.planned->x + row.planned->width;
        if (row.late && row.tone == Tone::red && layout.today_x > planned_end)
            out += rect("bar overrun", planned_end, row.y + k_planned_top, layout.today_x - planned_end,
                        k_planned_height);
    }
    if (row.actual)
        out += rect("bar actual", row.actual->x, row.y + k_actual_top, row.actual->width, k_actual_height,
                    " fill=\"" + colour + "\"");
    out += "</g>";
}

}  // namespace

std::string render_gantt_svg(const GanttLayout& layout, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"gantt\" width=\"" + num(layout.width) +
                      "\" height=\"" + num(layout.height) + "\" viewBox=\"0 0 " + num(layout.width) + " " +
                      num(layout.height) + "\" role=\"img\" aria-label=\"" + (zh ? "甘特图" : "Gantt chart") + "\">";
    out += "<style>"
           ".gantt text{font:12px 'Noto Sans CJK SC','Noto Sans SC','WenQuanYi Micro Hei',sans-serif;fill:#263238}"
           ".gantt .month{font-weight:600}.gantt .day{fill:#607d8b;font-size:10px}"
           ".gantt .tick{stroke:#eceff1}.gantt .weekend{fill:#f5f7f8}.gantt .stripe{fill:#fafbfc}"
           ".gantt .label.node{font-weight:600}.gantt .label.late{fill:#d93025;font-weight:600}"
           ".gantt .planned{fill-opacity:.3;stroke-width:1}.gantt .summary-bar{fill:#b0bec5}"
           ".gantt .overrun{fill:none;stroke:#d93025;stroke-dasharray:3 2}"
           ".gantt .dep{fill:none;stroke:#546e7a;stroke-width:1.2}"
           ".gantt .today{stroke:#d93025;stroke-width:1.5;stroke-dasharray:4 3}"
           ".gantt .today-label{fill:#d93025;font-weight:600}"
           "</style>";
    out += "<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" "
           "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#546e7a\"/></marker></defs>";
    render_axis(layout, locale, out);
    for (size_t i = 0; i < layout.rows.size(); ++i) render_row(layout, layout.rows[i], i, locale, out);
    for (const auto& arrow : layout.arrows)
        out += "<path class=\"dep\" data-from=\"" + html_escape(arrow.from) + "\" data-to=\"" + html_escape(arrow.to) +
               "\" d=\"" + arrow.path + "\" marker-end=\"url(#arrow)\"/>";
    if (layout.first) {
        out += "<line class=\"today\" x1=\"" + num(layout.today_x) + "\" y1=\"24\" x2=\"" + num(layout.today_x) +
               "\" y2=\"" + num(layout.height - 4) + "\"/>";
        out += "<text class=\"today-label\" x=\"" + num(layout.today_x + 3) + "\" y=\"" + num(layout.header_height - 6) +
               "\">" + (zh ? "今天 " : "today ") + format_short_date(layout.today) + "</text>";
    }
    out += "</svg>";
    return out;
}

}  // namespace core
