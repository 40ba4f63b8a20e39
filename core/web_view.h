#pragma once
// The read-only web view as server-rendered HTML (no script, no build step): the project list
// and one project's page — header with completion, the Gantt chart (core/gantt.h), the late and
// blocked lists, and the WBS tree (phase → module → task) with status colours and completion.
// Every text from the plan is escaped. zh-CN or en. Links are given by the caller (they carry
// signatures the core knows nothing about).
// Pure functions over value types; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model.h"

namespace core {

// One line of the project list.
struct WebProjectSummary {
    std::string id;
    std::string name;
    std::string href;  // the project's page (signed by the caller when needed)
    std::optional<Date> start;
    std::optional<Date> end;
    int completion = 0;  // project_completion
    int tasks = 0;       // leaves, cancelled excluded
    int late = 0;        // open and R1-late
    int blocked = 0;     // R5
};

WebProjectSummary summarize_project(const ProjectState& state, Date today, std::string href);

struct WebPageLinks {
    std::string projects;        // back to the list; "" = no link
    std::string other_language;  // the same page in the other language; "" = no link
};

std::string render_project_list_page(const std::vector<WebProjectSummary>& projects, Date today, Locale locale,
                                     const WebPageLinks& links = {});
std::string render_project_page(const ProjectState& state, Date today, Locale locale,
                                const WebPageLinks& links = {});
// A small page for 401/403/404: the title and a reason for a person.
std::string render_error_page(int status, std::string_view reason, Locale locale);

}  // namespace core
