#pragma once
// The tracker's model (domain.md "Model"): projects, the three-level WBS, people and RACI,
// the append-only progress log, risks, KPIs, deviation reports and the audit trail (R13).
// Plain value types; safe to share read-only across threads.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"
#include "core/model_enums.h"

namespace core {

// A person. `id` is the stable key used everywhere else (owner, approver ...); for people
// imported from a seed table it is their name. Platform ids come from the config.
struct Person {
    std::string id;
    std::string name;
    std::string department;
    std::string slack;     // Slack user id, e.g. U061F7AUR
    std::string feishu;    // Feishu open_id, e.g. ou_84aa...
    std::string dingtalk;  // DingTalk staff id (userId), e.g. 16650246698
    std::string email;     // links a chat account by the platform directory's email (issue 21)
    std::string mobile;    // likewise by mobile number, digits as the directory gives them
};

// Per-project overrides of the rule thresholds (domain.md: "Thresholds are defaults that a
// project may override"). Defaults are domain.md's.
struct Thresholds {
    int delay_grace_days = 1;            // R1: late when more than this many days past finish
    double deviation_at_risk = 0.20;     // R2
    int advance_warning_days = 3;        // R4
    int overload_tasks = 5;              // R6: flagged when more than this many active tasks
    int cadence_key_days = 1;            // R9: P0 / critical path
    int cadence_routine_days = 7;        // R9: routine tasks
    int cadence_long_days = 14;          // R9: long tasks
    int long_task_days = 15;             // R9/R10: longer than this is "long" / too coarse
    int min_task_days = 1;               // R10: shorter than this is too fine
    double on_time_target = 0.90;        // R11
    int report_deadline_hours = 24;      // R8
};

struct Project {
    std::string id;  // normalised, e.g. "P1" or "NPL-2024"
    std::string name;
    std::string department;
    std::string owner;            // person id (strategy lead / project lead)
    std::string department_head;  // person id; R8 escalation top rung
    std::optional<Date> start;
    std::optional<Date> end;
    std::string goal;  // SMART core goal, as text
    std::optional<double> budget_total;
    std::optional<double> budget_reserve;  // 10-15% of total by the seeds
    ProjectStatus status = ProjectStatus::active;
    Thresholds thresholds;
};

// A WBS node: phase, module or task. The fields of seed 000/001/002 templates.
struct Task {
    std::string id;          // normalised human id: "T003", "MKT-202307-001-01"
    std::string project_id;
    Level level = Level::task;
    std::string parent_id;   // "" for a top-level node
    int position = 0;        // order within the plan (import order)
    std::string name;
    std::string description;
    std::string deliverable;  // 交付物
    std::string acceptance;   // 验收标准
    std::string owner;        // R: one person id, never a team
    std::string approver;     // A
    std::vector<std::string> consulted;      // C
    std::vector<std::string> informed;       // I
    std::vector<std::string> collaborators;  // 协作责任人
    Priority priority = Priority::p2;
    std::optional<Date> planned_start;
    std::optional<Date> planned_finish;
    std::optional<Date> actual_start;
    std::optional<Date> actual_finish;
    std::optional<int> estimated_days;
    Status status = Status::not_started;
    int completion = 0;  // 0..100
    RiskLevel risk = RiskLevel::none;
    std::vector<std::string> predecessors;  // finish-to-start, normalised ids
    std::string resources;
    std::optional<double> budget;
    std::string remark;          // 备注: risk / deviation notes
    std::string blocked_reason;  // required while status == blocked (R5)
    std::optional<Date> blocked_since;
    std::optional<Date> last_update;  // day of the latest progress-log entry (R9)
};

// One entry of the append-only progress log (seed 001 表3). Never overwritten.
struct ProgressEntry {
    long long id = 0;
    std::string project_id;
    std::string task_id;
    Date date{};              // the local day of the update
    long long at_unix = 0;    // when it was recorded
    std::string who;          // person id
    std::string action;       // "progress", "start", "done", "block", "unblock", "delay", "note", "import" ...
    std::string planned_content;
    std::string actual_content;  // the note typed with the update
    std::optional<int> completion;
    std::optional<double> deviation_rate;  // R2 at the time of the update
    std::string problem;
    std::string solution;
    std::string evidence;  // a link or file reference (R13: 数据需有依据)
    std::string source;    // "slack:C123:1700000000.000100", "cli", "import"
};

// 偏差说明 (seed 000 第四步), asked for by R8.
struct DeviationReport {
    long long id = 0;
    std::string project_id;
    std::string task_id;
    Date date{};
    long long at_unix = 0;
    std::string who;
    CauseKind cause_kind = CauseKind::unknown;
    std::string cause;
    std::string impact;
    std::string remedy;
    std::optional<Date> new_planned_finish;
};

struct RiskItem {  // seed 001 表4
    std::string id;  // "R001"
    std::string project_id;
    std::string task_id;  // optional link
    std::string title;
    std::string description;
    RiskLevel impact = RiskLevel::medium;
    std::string owner;
    std::string trigger;
    std::string response;
    RiskStatus status = RiskStatus::open;
    std::optional<Date> opened;
    std::optional<Date> closed;
};

struct Kpi {  // seed 002 效果指标跟踪表
    std::string id;  // "K001"
    std::string project_id;
    std::string name;
    std::string description;
    KpiKind kind = KpiKind::result;
    double target = 0;
    double current = 0;
    bool percent = false;  // target/current were written as "35%"
    std::string data_source;
    std::optional<Date> updated;
    std::optional<double> warn_below;  // R12: warn when achievement < this fraction of target
};

// One changed field (R13): who, when, from where, old value, new value.
struct AuditEntry {
    long long id = 0;
    long long at_unix = 0;
    std::string who;
    std::string source;
    std::string entity;     // "task", "project", "kpi", "risk", "person"
    std::string entity_id;  // "P1/T003"
    std::string field;
    std::string old_value;
    std::string new_value;
};

// Everything the rules and the digest need about one project, loaded in one read.
struct ProjectState {
    Project project;
    std::vector<Task> tasks;  // all WBS nodes in plan order
    std::vector<Kpi> kpis;
    std::vector<RiskItem> risks;
    std::vector<DeviationReport> deviation_reports;
    std::map<std::string, Person> people;  // by person id: everyone the project names
    std::vector<ProgressEntry> progress;   // the progress log, oldest first (R3, R9, digests)

    const Task* find_task(std::string_view id) const;  // case-insensitive
    const Person* find_person(std::string_view id) const;
    // Display name of a person id ("" -> "", unknown id -> the id itself).
    std::string person_name(std::string_view id) const;
};

// Where a change came from, for the audit trail and the progress log.
struct ChangeSource {
    std::string person_id;  // who
    std::string platform;   // "slack" | "feishu" | "dingtalk" | "cli" | "import" | "scheduler"
    std::string chat_id;
    std::string message_id;
    long long at_unix = 0;
    std::string describe() const;  // "slack:C123:1700000000.000100"
};

}  // namespace core
