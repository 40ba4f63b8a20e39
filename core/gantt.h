#pragma once
// The Gantt chart of a project's WBS as geometry (layout_gantt) and as SVG (render_gantt_svg),
// and the status colours (domain.md "Status": grey not started, yellow in progress, green done,
// red late, orange blocked or at risk). Pure functions over value types; safe for concurrent use.
//
// Geometry: one row per WBS node in plan order. A day d occupies [x(d), x(d) + day_width) with
// x(d) = label_width + (d - first) * day_width, so a task planned 03-01..03-08 spans 8 days.
// Leaf tasks get a planned bar (with its completion filled in) and, once started, an actual bar
// (actual start to actual finish, or to today while open); phases and modules get a thin summary
// bar over their planned period. Dependencies (finish-to-start) are elbow arrows from the end
// of the predecessor's planned bar to the start of the successor's.

#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace core {

enum class Tone { grey, yellow, green, red, orange, muted };  // muted: cancelled

const char* tone_name(Tone tone);    // "grey", "yellow", ... (CSS class suffix)
const char* tone_colour(Tone tone);  // "#9e9e9e", ... (SVG fill)

// The tone of one node on `today`: for a leaf, red when R1-late and open, orange when blocked or
// at risk (R2 at or over the threshold, R7 start unreachable), else by effective status; for a
// phase or module, the most urgent tone of its leaves (red > orange > yellow > grey), green when
// all of them are done. `at_risk_ids` are the leaves at risk (see at_risk_tasks).
Tone node_tone(const ProjectState& state, const Task& node, Date today,
               const std::vector<std::string>& at_risk_ids);
// Leaves at risk on `today`: R2 findings and R7 "start unreachable" findings, plan order.
std::vector<std::string> at_risk_tasks(const ProjectState& state, Date today);

struct GanttOptions {
    double label_width = 300;
    double row_height = 30;
    double header_height = 58;
    double chart_width = 960;  // the day columns share this width ...
    double min_day_width = 6;  // ... within these bounds
    double max_day_width = 32;
};

struct GanttSpan {
    double x = 0;
    double width = 0;
};

struct GanttRow {
    std::string id;
    std::string name;
    Level level = Level::task;
    int depth = 0;     // 0 for top-level nodes
    bool leaf = true;  // a task row (planned + actual bars) rather than a summary row
    Tone tone = Tone::grey;
    bool late = false;     // R1 (open and late, or finished late)
    bool at_risk = false;  // R2 / R7
    int completion = 0;
    double y = 0;                    // top of the row
    std::optional<GanttSpan> planned;
    std::optional<GanttSpan> actual;
    double progress_width = 0;       // the filled part of the planned bar
};

struct GanttArrow {
    std::string from;  // predecessor id
    std::string to;    // successor id
    std::string path;  // SVG path data ("M … H … V … H …")
};

struct GanttLayout {
    std::optional<Date> first;  // first day shown; unset when no node has a date
    int days = 0;
    double day_width = 0;
    double width = 0;
    double height = 0;
    double label_width = 0;
    double header_height = 0;
    double row_height = 0;
    Date today{};
    double today_x = 0;  // the middle of today's column
    std::vector<GanttRow> rows;
    std::vector<GanttArrow> arrows;

    double x_of(Date day) const;  // left edge of the day's column
};

GanttLayout layout_gantt(const ProjectState& state, Date today, const GanttOptions& options = {});

// A standalone <svg> element (no script): bars carry data-task, data-late, data-at-risk and a
// <title> tooltip; every text is escaped.
std::string render_gantt_svg(const GanttLayout& layout, Locale locale);

}  // namespace core
