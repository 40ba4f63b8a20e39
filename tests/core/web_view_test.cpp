// Tests of core/gantt.h and core/web_view.h: escaping, status colours, bar geometry, dependency
// arrows, today's line, late marking, both languages.
#include "core/web_view.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/gantt.h"
#include "core/html.h"
#include "core/url.h"
#include "core/rules.h"
#include "tests/core/fixtures.h"

namespace {

using core::Level;
using core::Locale;
using core::Status;
using core::Tone;
using fixtures::day;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

core::Task& task_of(core::ProjectState& state, const char* id) {
    for (auto& task : state.tasks)
        if (task.id == id) return task;
    ADD_FAILURE() << "no task " << id;
    return state.tasks.front();
}

const core::GanttRow& row_of(const core::GanttLayout& layout, const char* id) {
    for (const auto& row : layout.rows)
        if (row.id == id) return row;
    ADD_FAILURE() << "no row " << id;
    return layout.rows.front();
}

// Two tasks in a chain under one module: A 03-01..03-08, B 03-11..03-15 after A.
core::ProjectState chain() {
    auto state = fixtures::empty_state("P", "Chain");
    state.tasks = {fixtures::make_task("M1", Level::module, "", "Module", "小明", "2024-03-01", "2024-03-15"),
                   fixtures::make_task("A", Level::task, "M1", "First", "小明", "2024-03-01", "2024-03-08"),
                   fixtures::make_task("B", Level::task, "M1", "Second", "小李", "2024-03-11", "2024-03-15")};
    state.tasks[2].predecessors = {"A"};
    fixtures::number_positions(state);
    return state;
}

TEST(HtmlTest, EscapesEveryCharacterThatCouldOpenMarkupOrEndAnAttribute) {
    EXPECT_EQ(core::html_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    EXPECT_EQ(core::url_encode_path("/web/p/新品 1"), "/web/p/%E6%96%B0%E5%93%81%201");
}

TEST(WebViewTest, AScriptInATaskOrProjectNameIsShownAsText) {
    auto state = chain();
    state.project.name = "Launch <b>\"big\"</b>";
    task_of(state, "A").name = "<script>alert('x')</script>";
    task_of(state, "B").blocked_reason = "<img src=x onerror=alert(1)>";
    task_of(state, "B").status = Status::blocked;
    task_of(state, "B").blocked_since = day("2024-03-09");
    for (Locale locale : {Locale::zh_cn, Locale::en}) {
        std::string page = core::render_project_page(state, day("2024-03-12"), locale);
        EXPECT_FALSE(contains(page, "<script")) << "no script element at all";
        EXPECT_FALSE(contains(page, "<img"));
        EXPECT_FALSE(contains(page, "<b>\"big\""));
        EXPECT_TRUE(contains(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        EXPECT_TRUE(contains(page, "&lt;img src=x onerror=alert(1)&gt;"));
        EXPECT_TRUE(contains(page, "Launch &lt;b&gt;&quot;big&quot;&lt;/b&gt;"));
    }
    core::WebProjectSummary summary = core::summarize_project(state, day("2024-03-12"), "/web/p/P?a=1&b=\"2\"");
    std::string list = core::render_project_list_page({summary}, day("2024-03-12"), Locale::en);
    EXPECT_TRUE(contains(list, "href=\"/web/p/P?a=1&amp;b=&quot;2&quot;\""));
    EXPECT_FALSE(contains(list, "<b>\"big\""));
}

TEST(ToneTest, LeavesTakeTheDomainColourOfTheirStatus) {
    auto state = chain();
    const core::Date today = day("2024-03-05");  // A is 4/8 through its plan
    auto tone = [&](const char* id) { return core::node_tone(state, task_of(state, id), today, core::at_risk_tasks(state, today)); };
    EXPECT_EQ(tone("B"), Tone::grey);  // not started
    task_of(state, "A").status = Status::in_progress;
    task_of(state, "A").completion = 50;
    EXPECT_EQ(tone("A"), Tone::yellow);
    task_of(state, "A").completion = 10;  // 50% planned, 10% done: deviation 80% (R2)
    EXPECT_EQ(tone("A"), Tone::orange);
    task_of(state, "B").status = Status::blocked;
    task_of(state, "B").blocked_reason = "waiting";
    EXPECT_EQ(tone("B"), Tone::orange);
    task_of(state, "A").status = Status::done;
    task_of(state, "A").completion = 100;
    EXPECT_EQ(tone("A"), Tone::green);
    task_of(state, "B").status = Status::cancelled;
    EXPECT_EQ(tone("B"), Tone::muted);
    EXPECT_EQ(tone("M1"), Tone::green) << "every live leaf under it is done";
    EXPECT_STREQ(core::tone_name(Tone::orange), "orange");
    EXPECT_STREQ(core::tone_colour(Tone::red), "#d93025");
}

TEST(ToneTest, ALateOpenTaskIsRedAndMakesItsModuleRed) {
    auto state = chain();
    const core::Date today = day("2024-03-12");  // A was due 03-08: 4 days, over the 1-day grace
    const auto at_risk = core::at_risk_tasks(state, today);
    EXPECT_EQ(core::node_tone(state, task_of(state, "A"), today, at_risk), Tone::red);
    EXPECT_EQ(core::node_tone(state, task_of(state, "M1"), today, at_risk), Tone::red);
    EXPECT_EQ(core::node_tone(state, task_of(state, "B"), today, at_risk), Tone::orange)
        << "R7: B cannot start on time after a late predecessor";
}

TEST(GanttTest, APlannedBarCoversItsDaysBothEndsIncluded) {
    auto state = chain();
    core::GanttLayout layout = core::layout_gantt(state, day("2024-03-05"));
    ASSERT_TRUE(layout.first.has_value());
    EXPECT_EQ(*layout.first, day("2024-02-29")) << "one spare day before the earliest date";
    EXPECT_EQ(layout.days, 17);  // 02-29 .. 03-16
    EXPECT_DOUBLE_EQ(layout.x_of(*layout.first), layout.label_width);
    const auto& a = row_of(layout, "A");
    ASSERT_TRUE(a.planned.has_value());
    EXPECT_DOUBLE_EQ(a.planned->x, layout.label_width + 1 * layout.day_width);
    EXPECT_DOUBLE_EQ(a.planned->width, 8 * layout.day_width);
    const auto& b = row_of(layout, "B");
    EXPECT_DOUBLE_EQ(b.planned->x, layout.x_of(day("2024-03-11")));
    EXPECT_DOUBLE_EQ(b.planned->width, 5 * layout.day_width);
    EXPECT_GT(b.y, a.y) << "rows in plan order";
    EXPECT_FALSE(row_of(layout, "M1").leaf);
    EXPECT_GE(layout.day_width, core::GanttOptions{}.min_day_width);
    EXPECT_LE(layout.day_width, core::GanttOptions{}.max_day_width);
}

TEST(GanttTest, ActualBarRunsToTodayWhileOpenAndToTheActualFinishOnceDone) {
    auto state = chain();
    auto& a = task_of(state, "A");
    a.status = Status::in_progress;
    a.completion = 25;
    a.actual_start = day("2024-03-02");
    core::GanttLayout open = core::layout_gantt(state, day("2024-03-05"));
    const auto& row = row_of(open, "A");
    ASSERT_TRUE(row.actual.has_value());
    EXPECT_DOUBLE_EQ(row.actual->x, open.x_of(day("2024-03-02")));
    EXPECT_DOUBLE_EQ(row.actual->width, 4 * open.day_width);  // 03-02 .. 03-05
    EXPECT_DOUBLE_EQ(row.progress_width, row.planned->width * 0.25);
    EXPECT_FALSE(row_of(open, "B").actual.has_value()) << "not started: no actual bar";

    a.status = Status::done;
    a.completion = 100;
    a.actual_finish = day("2024-03-07");
    core::GanttLayout done = core::layout_gantt(state, day("2024-03-12"));
    EXPECT_DOUBLE_EQ(row_of(done, "A").actual->width, 6 * done.day_width);  // 03-02 .. 03-07
    EXPECT_DOUBLE_EQ(row_of(done, "A").progress_width, row_of(done, "A").planned->width);
}

TEST(GanttTest, ADependencyArrowRunsFromThePredecessorsEndToTheSuccessorsStart) {
    auto state = chain();
    core::GanttLayout layout = core::layout_gantt(state, day("2024-03-05"));
    ASSERT_EQ(layout.arrows.size(), 1u);
    const auto& arrow = layout.arrows[0];
    EXPECT_EQ(arrow.from, "A");
    EXPECT_EQ(arrow.to, "B");
    const auto& a = row_of(layout, "A");
    const auto& b = row_of(layout, "B");
    std::smatch match;
    const std::string path = arrow.path;
    ASSERT_TRUE(std::regex_match(path, match, std::regex(R"(M([\d.]+),([\d.]+) H[\d.]+ V([\d.]+) H([\d.]+))"))) << path;
    EXPECT_NEAR(std::stod(match[1]), a.planned->x + a.planned->width, 0.05);
    EXPECT_GT(std::stod(match[2]), a.y);
    EXPECT_LT(std::stod(match[2]), a.y + layout.row_height);
    EXPECT_GT(std::stod(match[3]), b.y);
    EXPECT_NEAR(std::stod(match[4]), b.planned->x, 0.05);
    std::string svg = core::render_gantt_svg(layout, Locale::en);
    EXPECT_TRUE(contains(svg, "data-from=\"A\" data-to=\"B\" d=\"" + path + "\" marker-end=\"url(#arrow)\""));
}

TEST(GanttTest, AnArrowToASuccessorThatStartsBeforeItsPredecessorEndsGoesRoundTheRowBoundary) {
    auto state = chain();
    task_of(state, "B").planned_start = day("2024-03-05");
    core::GanttLayout layout = core::layout_gantt(state, day("2024-03-05"));
    ASSERT_EQ(layout.arrows.size(), 1u);
    EXPECT_TRUE(std::regex_match(layout.arrows[0].path,
                                 std::regex(R"(M[\d.]+,[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+ V[\d.]+ H[\d.]+)")))
        << layout.arrows[0].path;
}

TEST(GanttTest, TodaysLineSitsInTheMiddleOfTodaysColumn) {
    core::GanttLayout layout = core::layout_gantt(chain(), day("2024-03-12"));
    EXPECT_DOUBLE_EQ(layout.today_x, layout.x_of(day("2024-03-12")) + layout.day_width / 2);
    std::string svg = core::render_gantt_svg(layout, Locale::zh_cn);
    EXPECT_TRUE(contains(svg, "class=\"today\""));
    EXPECT_TRUE(contains(svg, "今天 03-12"));
    EXPECT_TRUE(contains(core::render_gantt_svg(layout, Locale::en), "today 03-12"));
}

TEST(GanttTest, TodayFarAfterThePlanWidensTheChartSoTheLineIsOnIt) {
    core::GanttLayout layout = core::layout_gantt(chain(), day("2024-04-30"));
    EXPECT_GT(layout.today_x, layout.x_of(day("2024-03-15")));
    EXPECT_LT(layout.today_x, layout.width);
}

TEST(WebViewTest, LaunchDemoOn0323MarksTheLateTasksInTheGanttAndListsThem) {
    auto state = fixtures::new_product_launch();
    const core::Date today = day("2024-03-23");
    std::string page = core::render_project_page(state, today, Locale::zh_cn);
    for (const auto& task : state.tasks) {
        const bool leaf = core::is_leaf(state, task);
        const bool late = leaf && core::is_late(task, today, state.project.thresholds);
        std::string bar = std::string(leaf ? "data-task=\"" : "data-node=\"") + task.id + "\" data-late=\"" +
                          (late ? "true" : "false") + "\"";
        EXPECT_TRUE(contains(page, bar)) << bar;
    }
    EXPECT_TRUE(contains(page, "<g class=\"task tone-red\" data-task=\"T001\" data-late=\"true\""));
    EXPECT_TRUE(contains(page, "<g class=\"task tone-red\" data-task=\"T002\" data-late=\"true\""));
    EXPECT_TRUE(contains(page, "data-task=\"T003\" data-late=\"false\""));
    EXPECT_TRUE(contains(page, "data-late-task=\"T001\""));
    EXPECT_TRUE(contains(page, "data-late-task=\"T002\""));
    EXPECT_FALSE(contains(page, "data-late-task=\"T003\""));
    EXPECT_TRUE(contains(page, "逾期任务 (2)"));
    EXPECT_TRUE(contains(page, "没有阻塞的任务。"));
    EXPECT_TRUE(contains(page, "data-from=\"T003\" data-to=\"T004\""));
    EXPECT_TRUE(contains(page, "<html lang=\"zh-CN\">"));
}

TEST(WebViewTest, EnglishPageUsesEnglishLabels) {
    auto state = fixtures::new_product_launch();
    std::string page = core::render_project_page(state, day("2024-03-23"), Locale::en);
    EXPECT_TRUE(contains(page, "<html lang=\"en\">"));
    EXPECT_TRUE(contains(page, "Late tasks (2)"));
    EXPECT_TRUE(contains(page, "Nothing is blocked."));
    EXPECT_TRUE(contains(page, "Work breakdown (WBS)"));
    EXPECT_FALSE(contains(page, "逾期任务"));
}

TEST(WebViewTest, TheWbsTreeIndentsModulesUnderPhasesAndTasksUnderModules) {
    auto state = fixtures::new_product_launch();
    std::string page = core::render_project_page(state, day("2024-03-23"), Locale::en);
    auto indent_of = [&](const std::string& id) {
        std::smatch match;
        std::regex row("data-node=\"" + id + "\" data-tone=\"[a-z]+\"><td style=\"padding-left:(\\d+)px\"");
        return std::regex_search(page, match, row) ? std::stoi(match[1]) : -1;
    };
    EXPECT_LT(indent_of("P1"), indent_of("M1"));
    EXPECT_LT(indent_of("M1"), indent_of("T001"));
    EXPECT_EQ(indent_of("M1"), indent_of("M2"));
    EXPECT_TRUE(contains(page, "data-node=\"M1\" data-tone=\"red\"")) << "M1 holds the late T001";
}

TEST(WebViewTest, ErrorPageSaysWhy) {
    std::string page = core::render_error_page(403, "the link expired at 2024-03-20 00:00 UTC", Locale::en);
    EXPECT_TRUE(contains(page, "403"));
    EXPECT_TRUE(contains(page, "the link expired at 2024-03-20 00:00 UTC"));
}

}  // namespace
