#include "core/rules.h"

#include "core/plan_index.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

namespace core {
namespace {

constexpr int k_max_depth = 32;  // guards roll-ups and chains against cyclic data

bool is_closed(const Task& task) { return task.status == Status::done || task.status == Status::cancelled; }

int own_completion(const Task& task) {
    if (task.status == Status::done) return 100;
    return std::clamp(task.completion, 0, 100);
}

// Whole days of the plan elapsed before `today` and the plan's length (see rules.h).
struct PlanWindow {
    int elapsed = 0;
    int duration = 0;
};

std::optional<PlanWindow> plan_window(const Task& task, Date today) {
    if (!task.planned_start || !task.planned_finish) return std::nullopt;
    int duration = days_between(*task.planned_start, *task.planned_finish) + 1;
    if (duration < 1) return std::nullopt;
    int elapsed = std::clamp(days_between(*task.planned_start, today), 0, duration);
    return PlanWindow{elapsed, duration};
}

// completion < planned progress, in integers so that the boundary is exact.
bool below_plan(int completion, const PlanWindow& window) {
    return static_cast<long long>(completion) * window.duration < static_cast<long long>(window.elapsed) * 100;
}

int weight_of(const Task& task) { return std::max(1, planned_duration_days(task).value_or(1)); }

// normalize_id(a) == normalize_id(b) without building two strings.
bool same_id(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    auto upper = [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; };
    for (size_t i = 0; i < a.size(); ++i)
        if (upper(a[i]) != upper(b[i])) return false;
    return true;
}

// The children of `id` by walking the plan: for the one-off questions (a row of the web view, a
// command's check) where indexing the whole plan and log first would cost more.
std::vector<const Task*> children_by_scan(const ProjectState& state, std::string_view id) {
    std::vector<const Task*> out;
    if (id.empty()) return out;
    for (const auto& task : state.tasks)
        if (!task.parent_id.empty() && same_id(task.parent_id, id)) out.push_back(&task);
    return out;
}

// `children(id)` gives a node's children (PlanIndex::children, or children_by_scan).
template <typename Children>
int rollup_at(const Children& children, const Task& node, int depth) {
    long long weighted = 0, total = 0;
    if (depth < k_max_depth) {
        for (const Task* child : children(node.id)) {
            if (child->status == Status::cancelled) continue;
            weighted += static_cast<long long>(weight_of(*child)) * rollup_at(children, *child, depth + 1);
            total += weight_of(*child);
        }
    }
    if (total == 0) return own_completion(node);
    return static_cast<int>((weighted + total / 2) / total);
}

// A node's roll-up on an indexed plan.
int rollup_in(const PlanIndex& plan, const Task& node) {
    return rollup_at([&](std::string_view id) -> const auto& { return plan.children(id); }, node, 0);
}

// R3: completion as of `day` from the progress log; without any logged completion for the
// task, its current completion is the best we know.
int completion_on(const PlanIndex& plan, const Task& task, Date day) {
    std::optional<int> latest;
    bool any = false;
    for (const ProgressEntry* entry : plan.progress(task.id)) {
        if (!entry->completion) continue;
        any = true;
        if (entry->date <= day) latest = *entry->completion;
    }
    if (latest) return *latest;
    return any ? 0 : own_completion(task);
}

Finding make_finding(Rule rule, const ProjectState& state, const Task& task) {
    Finding finding;
    finding.rule = rule;
    finding.project_id = state.project.id;
    finding.task_id = task.id;
    finding.person_id = task.owner;
    return finding;
}

std::string iso_or_empty(const std::optional<Date>& date) { return date ? format_iso_date(*date) : ""; }

bool is_open_late(const Task& task, Date today, const Thresholds& t) {
    return task.status != Status::done && is_late(task, today, t);
}

void add_r1_r2_r3(const PlanIndex& plan, const Task& task, Date today, std::vector<Finding>& out) {
    const ProjectState& state = plan.state();
    const Thresholds& t = state.project.thresholds;
    if (is_late(task, today, t)) {
        Finding f = make_finding(Rule::r1_late, state, task);
        f.days = days_late(task, today);
        f.detail = task.status == Status::done ? "done" : "";
        f.condition = iso_or_empty(task.planned_finish);
        out.push_back(std::move(f));
        if (task.status == Status::done) return;
    }
    if (is_closed(task) || is_open_late(task, today, t)) return;
    auto rate = deviation_rate(task, today);
    if (rate && *rate >= t.deviation_at_risk - 1e-9) {
        Finding f = make_finding(Rule::r2_deviation, state, task);
        f.value = *rate;
        f.days = static_cast<int>(planned_progress(task, today) * 100 + 0.5);
        f.condition = iso_or_empty(task.planned_finish);
        out.push_back(std::move(f));
    }
    // R3: below plan at this week's check and at last week's.
    Date last_week = add_days(today, -7);
    auto now = plan_window(task, today);
    auto before = plan_window(task, last_week);
    if (now && before && before->elapsed > 0 && below_plan(own_completion(task), *now) &&
        below_plan(completion_on(plan, task, last_week), *before)) {
        Finding f = make_finding(Rule::r3_stagnation, state, task);
        f.value = planned_progress(task, today);
        f.days = own_completion(task);
        f.condition = iso_or_empty(task.planned_finish);
        out.push_back(std::move(f));
    }
}

void add_r4_r5(const ProjectState& state, const Task& task, Date today, std::vector<Finding>& out) {
    const Thresholds& t = state.project.thresholds;
    if (is_closed(task)) return;
    if (task.planned_finish && !is_late(task, today, t)) {
        int left = days_between(today, *task.planned_finish);
        if (left <= t.advance_warning_days && left >= -t.delay_grace_days) {
            Finding f = make_finding(Rule::r4_due_soon, state, task);
            f.days = left;
            f.condition = format_iso_date(*task.planned_finish);
            out.push_back(std::move(f));
        }
    }
    if (task.status == Status::blocked) {
        Finding f = make_finding(Rule::r5_blocked, state, task);
        f.days = task.blocked_since ? std::max(0, days_between(*task.blocked_since, today)) : 0;
        f.detail = task.blocked_reason;
        f.condition = iso_or_empty(task.blocked_since);
        out.push_back(std::move(f));
    }
}

// R6: active = open and (started, or planned to have started, or due within the warning window).
bool is_active(const Task& task, Date today, const Thresholds& t) {
    if (is_closed(task)) return false;
    if (has_started(task)) return true;
    if (task.planned_start && *task.planned_start <= today) return true;
    return task.planned_finish && days_between(today, *task.planned_finish) <= t.advance_warning_days;
}

void add_r6(const ProjectState& state, const std::vector<const Task*>& leaves, Date today,
            std::vector<Finding>& out) {
    const Thresholds& t = state.project.thresholds;
    std::map<std::string, int> counts;
    std::vector<std::string> order;  // first appearance in the plan
    for (const Task* task : leaves) {
        if (task->owner.empty() || !is_active(*task, today, t)) continue;
        if (counts[task->owner]++ == 0) order.push_back(task->owner);
    }
    for (const auto& person : order) {
        if (counts[person] <= t.overload_tasks) continue;
        Finding f;
        f.rule = Rule::r6_overload;
        f.project_id = state.project.id;
        f.person_id = person;
        f.days = counts[person];
        out.push_back(std::move(f));
    }
}

// R7 ripple: the earliest day a task can finish given late predecessors. A done task finished
// when it did; an open task past its (shifted) finish that R1 calls late cannot finish before today.
class Ripple {
public:
    Ripple(const PlanIndex& plan, Date today) : m_plan(plan), m_today(today) {}

    // How many days the task's planned start slips because of its predecessors (>= 0).
    int start_slip(const Task& task, std::string& cause) { return slip_of(task, cause, 0); }

private:
    int slip_of(const Task& task, std::string& cause, int depth) {
        if (!task.planned_start || depth > k_max_depth) return 0;
        int slip = 0;
        for (const auto& pred_id : task.predecessors) {
            const Task* pred = m_plan.find(pred_id);
            if (!pred || pred->status == Status::cancelled) continue;
            std::optional<Date> finish = expected_finish(*pred, depth + 1);
            if (!finish) continue;
            int s = days_between(*task.planned_start, add_days(*finish, 1));
            if (s > slip) {
                slip = s;
                cause = pred->id;
            }
        }
        return slip;
    }

    std::optional<Date> expected_finish(const Task& task, int depth) {
        if (task.status == Status::done) return task.actual_finish ? task.actual_finish : task.planned_finish;
        if (!task.planned_finish) return std::nullopt;
        std::string ignored;
        Date finish = add_days(*task.planned_finish, slip_of(task, ignored, depth));
        if (is_late(task, m_today, m_plan.state().project.thresholds) && finish < m_today) finish = m_today;
        return finish;
    }

    const PlanIndex& m_plan;
    Date m_today;
};

void add_r7(const PlanIndex& plan, const Task& task, Date today, std::vector<Finding>& out) {
    const ProjectState& state = plan.state();
    if (is_closed(task)) return;
    if (has_started(task)) {
        for (const auto& pred_id : task.predecessors) {
            const Task* pred = plan.find(pred_id);
            if (!pred || is_closed(*pred)) continue;
            Finding f = make_finding(Rule::r7_dependency, state, task);
            f.related_id = pred->id;
            f.detail = std::string(k_r7_started_early);
            f.condition = "started_before:" + pred->id;
            out.push_back(std::move(f));
        }
        return;
    }
    std::string cause;
    int slip = Ripple(plan, today).start_slip(task, cause);
    if (slip <= 0) return;
    Finding f = make_finding(Rule::r7_dependency, state, task);
    f.related_id = cause;
    f.days = slip;
    f.detail = std::string(k_r7_unreachable);
    f.condition = "unreachable:" + iso_or_empty(task.planned_start);
    out.push_back(std::move(f));
}

std::optional<Date> last_activity_in(const PlanIndex& plan, const Task& task) {
    std::optional<Date> last = task.last_update;
    auto consider = [&](Date d) {
        if (!last || d > *last) last = d;
    };
    if (task.actual_start) consider(*task.actual_start);
    for (const ProgressEntry* entry : plan.progress(task.id)) consider(entry->date);
    return last;
}

void add_r9(const PlanIndex& plan, const Task& task, bool key, Date today, std::vector<Finding>& out) {
    const ProjectState& state = plan.state();
    if (is_closed(task) || task.status == Status::blocked) return;
    auto last = last_activity_in(plan, task);
    if (!last) return;  // never started: R1/R2 speak for it
    int cadence = update_cadence_days(task, key, state.project.thresholds);
    int since = days_between(*last, today);
    if (since <= cadence) return;
    Finding f = make_finding(Rule::r9_stale_update, state, task);
    f.days = since;
    f.value = cadence;
    f.condition = format_iso_date(*last);
    out.push_back(std::move(f));
}

void add_r10(const ProjectState& state, const Task& task, std::vector<Finding>& out) {
    if (is_closed(task)) return;
    const Thresholds& t = state.project.thresholds;
    std::optional<int> duration;
    if (task.planned_start && task.planned_finish)
        duration = days_between(*task.planned_start, *task.planned_finish) + 1;
    else
        duration = task.estimated_days;
    if (!duration || (*duration <= t.long_task_days && *duration >= t.min_task_days)) return;
    Finding f = make_finding(Rule::r10_granularity, state, task);
    f.days = *duration;
    f.condition = iso_or_empty(task.planned_start) + ".." + iso_or_empty(task.planned_finish);
    out.push_back(std::move(f));
}

OnTimeRate on_time_rate_in(const PlanIndex& plan, Date today) {
    OnTimeRate rate;
    for (const Task* task : plan.leaves()) {
        if (task->status == Status::cancelled || !task->planned_finish) continue;
        bool done = task->status == Status::done;
        if (!done && *task->planned_finish > today) continue;  // not due yet
        ++rate.due;
        if (done && (!task->actual_finish || *task->actual_finish <= *task->planned_finish)) ++rate.on_time;
    }
    return rate;
}

std::vector<std::string> critical_path_in(const PlanIndex& plan) {
    const Task* end = nullptr;
    for (const Task* task : plan.leaves()) {
        if (task->status == Status::cancelled || !task->planned_finish) continue;
        if (!end || *task->planned_finish > *end->planned_finish) end = task;
    }
    std::vector<std::string> chain;
    std::set<std::string> seen;
    for (const Task* at = end; at && seen.insert(at->id).second;) {
        chain.push_back(at->id);
        const Task* next = nullptr;
        for (const auto& pred_id : at->predecessors) {
            const Task* pred = plan.find(pred_id);
            if (!pred || pred->status == Status::cancelled || !pred->planned_finish) continue;
            if (!next || *pred->planned_finish > *next->planned_finish) next = pred;
        }
        at = next;
    }
    std::reverse(chain.begin(), chain.end());
    return chain;
}

void add_r11_r12(const PlanIndex& plan, Date today, std::vector<Finding>& out) {
    const ProjectState& state = plan.state();
    OnTimeRate rate = on_time_rate_in(plan, today);
    if (rate.due > 0 && rate.rate() < state.project.thresholds.on_time_target - 1e-9) {
        Finding f;
        f.rule = Rule::r11_on_time;
        f.project_id = state.project.id;
        f.person_id = state.project.owner;
        f.value = rate.rate();
        f.detail = std::to_string(rate.on_time) + "/" + std::to_string(rate.due);
        out.push_back(std::move(f));
    }
    for (const auto& kpi : state.kpis) {
        if (!kpi.warn_below || kpi_achievement(kpi) >= *kpi.warn_below - 1e-9) continue;
        Finding f;
        f.rule = Rule::r12_kpi;
        f.project_id = state.project.id;
        f.person_id = state.project.owner;
        f.related_id = kpi.id;
        f.value = kpi_achievement(kpi);
        out.push_back(std::move(f));
    }
}

}  // namespace

const char* to_string(Rule rule) {
    switch (rule) {
        case Rule::r1_late: return "R1";
        case Rule::r2_deviation: return "R2";
        case Rule::r3_stagnation: return "R3";
        case Rule::r4_due_soon: return "R4";
        case Rule::r5_blocked: return "R5";
        case Rule::r6_overload: return "R6";
        case Rule::r7_dependency: return "R7";
        case Rule::r9_stale_update: return "R9";
        case Rule::r10_granularity: return "R10";
        case Rule::r11_on_time: return "R11";
        case Rule::r12_kpi: return "R12";
    }
    return "R?";
}

std::string Finding::key() const {
    std::string subject = task_id;
    if (rule == Rule::r6_overload) subject = "@" + person_id;
    if (rule == Rule::r12_kpi) subject = related_id;
    std::string out = std::string(to_string(rule)) + ":" + project_id;
    if (!subject.empty()) out += "/" + subject;
    if (!condition.empty()) out += "@" + condition;
    return out;
}

std::optional<int> planned_duration_days(const Task& task) {
    if (task.planned_start && task.planned_finish)
        return days_between(*task.planned_start, *task.planned_finish) + 1;
    return task.estimated_days;
}

double planned_progress(const Task& task, Date today) {
    auto window = plan_window(task, today);
    if (!window) return 0;
    return static_cast<double>(window->elapsed) / window->duration;
}

std::optional<double> deviation_rate(const Task& task, Date today) {
    auto window = plan_window(task, today);
    if (!window || window->elapsed == 0) return std::nullopt;
    // (e/d - c/100) / (e/d) == (100e - cd) / 100e: exact at the 20% boundary.
    double planned = 100.0 * window->elapsed;
    return (planned - static_cast<double>(own_completion(task)) * window->duration) / planned;
}

int days_late(const Task& task, Date today) {
    if (!task.planned_finish || task.status == Status::cancelled) return 0;
    if (task.status == Status::done) {
        if (!task.actual_finish) return 0;
        return std::max(0, days_between(*task.planned_finish, *task.actual_finish));
    }
    return std::max(0, days_between(*task.planned_finish, today));
}

bool is_late(const Task& task, Date today, const Thresholds& thresholds) {
    return days_late(task, today) > thresholds.delay_grace_days;
}

Status effective_status(const Task& task, Date today, const Thresholds& thresholds) {
    switch (task.status) {
        case Status::done:
        case Status::cancelled:
        case Status::blocked:
        case Status::delayed: return task.status;
        case Status::not_started:
        case Status::in_progress: break;
    }
    return is_late(task, today, thresholds) ? Status::delayed : task.status;
}

bool has_started(const Task& task) {
    return task.actual_start.has_value() || task.completion > 0 || task.status == Status::in_progress ||
           task.status == Status::done;
}

bool is_leaf(const ProjectState& state, const Task& task) {
    if (task.level == Level::task || task.id.empty()) return true;
    for (const auto& other : state.tasks)
        if (!other.parent_id.empty() && same_id(other.parent_id, task.id)) return false;
    return true;
}

std::vector<const Task*> leaf_tasks(const ProjectState& state) { return PlanIndex(state).leaves(); }

int rollup_completion(const PlanIndex& plan, std::string_view node_id) {
    const Task* node = plan.find(node_id);
    return node ? rollup_in(plan, *node) : 0;
}

int rollup_completion(const ProjectState& state, std::string_view node_id) {
    const Task* node = state.find_task(node_id);
    return node ? rollup_at([&](std::string_view id) { return children_by_scan(state, id); }, *node, 0) : 0;
}

int project_completion(const PlanIndex& plan) {
    long long weighted = 0, total = 0;
    for (const auto& task : plan.state().tasks) {
        bool top = task.parent_id.empty() || !plan.find(task.parent_id);
        if (!top || task.status == Status::cancelled) continue;
        weighted += static_cast<long long>(weight_of(task)) * rollup_in(plan, task);
        total += weight_of(task);
    }
    return total == 0 ? 0 : static_cast<int>((weighted + total / 2) / total);
}

int project_completion(const ProjectState& state) { return project_completion(PlanIndex(state)); }

double OnTimeRate::rate() const { return due == 0 ? 1.0 : static_cast<double>(on_time) / due; }

OnTimeRate on_time_rate(const ProjectState& state, Date today) { return on_time_rate_in(PlanIndex(state), today); }

OnTimeRate on_time_rate(const PlanIndex& plan, Date today) { return on_time_rate_in(plan, today); }

double kpi_achievement(const Kpi& kpi) { return kpi.target == 0 ? 0 : kpi.current / kpi.target; }

std::vector<std::string> critical_path(const ProjectState& state) { return critical_path_in(PlanIndex(state)); }

int update_cadence_days(const Task& task, bool on_critical_path, const Thresholds& thresholds) {
    if (task.priority == Priority::p0 || on_critical_path) return thresholds.cadence_key_days;
    if (planned_duration_days(task).value_or(0) > thresholds.long_task_days) return thresholds.cadence_long_days;
    return thresholds.cadence_routine_days;
}

std::optional<Date> last_activity(const ProjectState& state, const Task& task) {
    return last_activity_in(PlanIndex(state), task);
}

std::vector<Finding> evaluate(const ProjectState& state, Date today) { return evaluate(PlanIndex(state), today); }

std::vector<Finding> evaluate(const PlanIndex& plan, Date today) {
    const ProjectState& state = plan.state();
    std::vector<Finding> out;
    auto path = critical_path_in(plan);
    std::set<std::string> on_path(path.begin(), path.end());
    for (const Task* task : plan.leaves()) {
        if (task->status == Status::cancelled) continue;
        add_r1_r2_r3(plan, *task, today, out);
        add_r4_r5(state, *task, today, out);
        add_r7(plan, *task, today, out);
        add_r9(plan, *task, on_path.count(task->id) > 0, today, out);
        add_r10(state, *task, out);
    }
    add_r6(state, plan.leaves(), today, out);
    add_r11_r12(plan, today, out);
    std::stable_sort(out.begin(), out.end(),
                     [](const Finding& a, const Finding& b) { return a.rule < b.rule; });
    return out;
}

}  // namespace core
