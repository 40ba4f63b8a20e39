#include "core/escalation.h"

#include <algorithm>
#include <optional>

#include "core/chat_writer.h"
#include "core/task_buttons.h"

namespace core {
namespace {

bool is_ladder_rule(Rule rule) { return rule == Rule::r1_late || rule == Rule::r2_deviation; }

bool is_open(const Task& task) {
    return task.status != Status::done && task.status != Status::cancelled;
}

bool same_task(std::string_view a, std::string_view b) {
    return normalize_id(a) == normalize_id(b);
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

void add_unique(std::vector<std::string>& ids, const std::string& id) {
    if (!id.empty() && !contains(ids, id)) ids.push_back(id);
}

// The R1/R2 finding of a task, if any (evaluate() reports at most one of them per open task).
const Finding* ladder_finding(const std::vector<Finding>& findings, const Task& task) {
    for (const auto& finding : findings)
        if (is_ladder_rule(finding.rule) && same_task(finding.task_id, task.id)) return &finding;
    return nullptr;
}

struct StopEvent {
    std::string reason;
    std::string who;
    long long at = 0;
};

// The earliest event that stops the ladder: a deviation report at or after opened_at, or an
// ack at or after the latest ping by someone the ladder pinged. A report wins a tie.
std::optional<StopEvent> first_stop(const ProjectState& state, const Ladder& ladder) {
    std::optional<StopEvent> first;
    auto consider = [&](const char* reason, const std::string& who, long long at) {
        if (!first || at < first->at) first = StopEvent{reason, who, at};
    };
    for (const auto& report : state.deviation_reports)
        if (same_task(report.task_id, ladder.task_id) && report.at_unix >= ladder.opened_at)
            consider("report", report.who, report.at_unix);
    for (const auto& entry : state.progress)
        if (entry.action == "ack" && same_task(entry.task_id, ladder.task_id) &&
            entry.at_unix >= ladder.stepped_at && contains(ladder.pinged, entry.who))
            consider("ack", entry.who, entry.at_unix);
    return first;
}

LadderAction stop(Ladder& ladder, const StopEvent& event, const Finding* finding) {
    ladder.step = LadderStep::stopped;
    ladder.stop_reason = event.reason;
    ladder.stopped_by = event.who;
    ladder.stopped_at = event.at;
    return LadderAction{LadderAction::Kind::stopped, ladder, finding ? *finding : Finding{}, {}};
}

// Everything one pass needs besides the ladder itself.
struct Pass {
    const ProjectState& state;
    const std::vector<Finding>& findings;
    const LadderContext& context;
    std::vector<std::string> critical_path;
    std::string department_head;
};

std::string approver_of(const Pass& pass, const Task& task) {
    if (!task.approver.empty()) return task.approver;
    if (!pass.context.default_approver.empty()) return pass.context.default_approver;
    return pass.state.project.owner;
}

// Climbs one rung when its deadline has passed; returns the people pinged now (may be empty
// when the rung has nobody to ping, or there is no rung to climb).
std::vector<std::string> climb(Ladder& ladder, const Task& task, const Pass& pass) {
    const LadderContext& context = pass.context;
    if (!context.deadline || context.now < context.deadline(ladder.stepped_at)) return {};
    std::vector<std::string> to;
    if (ladder.step == LadderStep::asked_owner) {
        add_unique(to, approver_of(pass, task));
        if (contains(pass.critical_path, task.id)) add_unique(to, pass.department_head);
        ladder.step = LadderStep::pinged_approver;
    } else if (ladder.step == LadderStep::pinged_approver) {
        if (pass.department_head.empty() || contains(ladder.pinged, pass.department_head))
            return {};
        to.push_back(pass.department_head);
        ladder.step = LadderStep::pinged_head;
    } else {
        return {};
    }
    ladder.stepped_at = context.now;
    for (const auto& id : to) add_unique(ladder.pinged, id);
    return to;
}

std::optional<LadderAction> advance(Ladder& ladder, const Pass& pass) {
    if (ladder.step == LadderStep::stopped) return std::nullopt;
    const Task* task = pass.state.find_task(ladder.task_id);
    const Finding* finding =
        task && is_open(*task) ? ladder_finding(pass.findings, *task) : nullptr;
    if (auto event = first_stop(pass.state, ladder)) return stop(ladder, *event, finding);
    if (!finding) return stop(ladder, StopEvent{"resolved", "", pass.context.now}, nullptr);
    std::vector<std::string> to = climb(ladder, *task, pass);
    if (to.empty()) return std::nullopt;
    return LadderAction{LadderAction::Kind::ping, ladder, *finding, std::move(to)};
}

// The condition part of a Finding::key() ("R1:P1/T003@2024-03-25" -> "2024-03-25").
std::string_view trigger_condition(std::string_view key) {
    auto at = key.rfind('@');
    return at == std::string_view::npos ? std::string_view{} : key.substr(at + 1);
}

// Opens a ladder for an R1/R2 finding of an open task unless the task has an open ladder, or
// a ladder that a report or an ack answered for the same plan (the R1/R2 condition is the
// planned finish: a delay with a new date starts afresh; R2 turning into R1 does not). A
// ladder that stopped because the task caught up does not prevent a new one when it falls
// behind again.
std::optional<LadderAction> open_ladder(const Finding& finding, std::vector<Ladder>& ladders,
                                        const Pass& pass) {
    if (!is_ladder_rule(finding.rule)) return std::nullopt;
    const Task* task = pass.state.find_task(finding.task_id);
    if (!task || !is_open(*task)) return std::nullopt;
    std::string key = finding.key();
    for (const auto& ladder : ladders) {
        if (!same_task(ladder.task_id, task->id)) continue;
        if (ladder.step != LadderStep::stopped) return std::nullopt;
        bool answered = ladder.stop_reason == "report" || ladder.stop_reason == "ack";
        if (answered && trigger_condition(ladder.trigger) == trigger_condition(key)) return std::nullopt;
        if (!answered && ladder.trigger == key && ladder.stopped_at >= pass.context.now) return std::nullopt;
    }
    Ladder ladder;
    ladder.project_id = pass.state.project.id;
    ladder.task_id = task->id;
    ladder.trigger = key;
    ladder.opened_at = pass.context.now;
    ladder.stepped_at = pass.context.now;
    add_unique(ladder.pinged, task->owner);
    ladders.push_back(ladder);
    return LadderAction{LadderAction::Kind::ask_owner, ladder, finding, ladder.pinged};
}

}  // namespace

const char* to_string(LadderStep step) {
    switch (step) {
        case LadderStep::asked_owner:
            return "asked_owner";
        case LadderStep::pinged_approver:
            return "pinged_approver";
        case LadderStep::pinged_head:
            return "pinged_head";
        case LadderStep::stopped:
            return "stopped";
    }
    return "stopped";
}

bool parse_ladder_step(std::string_view text, LadderStep& out) {
    for (LadderStep step : {LadderStep::asked_owner, LadderStep::pinged_approver,
                            LadderStep::pinged_head, LadderStep::stopped})
        if (text == to_string(step)) {
            out = step;
            return true;
        }
    return false;
}

LadderPass advance_ladders(const ProjectState& state, std::vector<Ladder> ladders,
                           const std::vector<Finding>& findings, const LadderContext& context) {
    Pass pass{
        state, findings, context, critical_path(state),
        context.department_head.empty() ? state.project.department_head : context.department_head};
    LadderPass out;
    for (auto& ladder : ladders)
        if (auto action = advance(ladder, pass)) out.actions.push_back(std::move(*action));
    for (const auto& finding : findings) {
        if (!finding.project_id.empty() && finding.project_id != state.project.id) continue;
        if (auto action = open_ladder(finding, ladders, pass))
            out.actions.push_back(std::move(*action));
    }
    out.ladders = std::move(ladders);
    return out;
}

// --- rendering ----------------------------------------------------------------------------

namespace {

std::string reply_deviation(const ChatWriter& w, const std::string& id) {
    return w.zh() ? "`" + id + " 偏差 原因: … 影响: … 措施: …`"
                  : "`deviation " + id + " cause: … impact: … remedy: …`";
}

std::string reply_ack(const ChatWriter& w, const std::string& id) {
    return w.zh() ? "`收到 " + id + "`" : "`ack " + id + "`";
}

std::string mentions(ChatWriter& w, const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += w.mention(id) + " ";
    return out;
}

// "T003 创意定稿已延期 5 天" / "T003 创意定稿 is 5 days late"
std::string task_and_lag(ChatWriter& w, const std::string& id, const Finding& trigger) {
    std::string name = w.task_name(id);
    std::string subject = id + (name.empty() ? "" : " " + name);
    std::string zh_join = name.empty() ? " " : "";
    if (trigger.task_id.empty()) return subject + w.pick(zh_join + "需要跟进", " needs attention");
    if (trigger.rule == Rule::r1_late)
        return subject + w.pick(zh_join + "已延期 " + w.days(trigger.days),
                                " is " + w.days(trigger.days) + " late");
    const Task* task = w.state().find_task(id);
    int actual = task ? (task->status == Status::done ? 100 : task->completion) : 0;
    std::string planned = std::to_string(trigger.days) + "%";
    return subject +
           w.pick(zh_join + "进度落后计划（计划 " + planned + "，实际 " + std::to_string(actual) +
                      "%，偏差 " + percent_text(trigger.value) + "）",
                  " is behind plan (plan " + planned + ", actual " + std::to_string(actual) +
                      "%, deviation " + percent_text(trigger.value) + ")");
}

// How long the owner has not answered: hours under two days, then whole days.
std::string silence(const ChatWriter& w, const Ladder& ladder) {
    long long hours = std::max(0LL, ladder.stepped_at - ladder.opened_at) / 3600;
    if (hours >= 48) return w.days(static_cast<int>(hours / 24));
    return std::to_string(hours) + w.pick(" 小时", hours == 1 ? " hour" : " hours");
}

std::string ask_owner_line(ChatWriter& w, const LadderAction& action) {
    const std::string& id = action.ladder.task_id;
    std::string hours = std::to_string(w.state().project.thresholds.report_deadline_hours);
    return mentions(w, action.to) + task_and_lag(w, id, action.trigger) +
           w.pick("，请在 " + hours + " 小时内提交偏差说明：回复 " + reply_deviation(w, id) +
                      " 或 " + w.reply_delay(id),
                  ". Please send a deviation report within " + hours + " hours: reply " +
                      reply_deviation(w, id) + " or " + w.reply_delay(id));
}

std::string ping_line(ChatWriter& w, const LadderAction& action) {
    const Ladder& ladder = action.ladder;
    const Task* task = w.state().find_task(ladder.task_id);
    std::string owner = task ? task->owner : (ladder.pinged.empty() ? "" : ladder.pinged.front());
    std::string earlier;  // pinged before, not again now: named, not notified
    for (const auto& id : ladder.pinged)
        if (id != owner && !contains(action.to, id))
            earlier += (earlier.empty() ? "" : w.pick("、", ", ")) + w.state().person_name(id);
    bool critical = contains(critical_path(w.state()), ladder.task_id);
    std::string line = mentions(w, action.to) + task_and_lag(w, ladder.task_id, action.trigger);
    std::string owner_text = owner.empty() ? "" : " " + w.mention(owner);
    line += w.pick(
        "，负责人" + owner_text + " 已 " + silence(w, ladder) + "未提交偏差说明",
        "; its owner" + owner_text + " has not sent a deviation report for " + silence(w, ladder));
    if (!earlier.empty())
        line += w.pick("（已提醒 " + earlier + "）", " (already pinged: " + earlier + ")");
    if (critical)
        line += w.pick("。该任务在关键路径上，延误会推迟项目结束",
                       ". It is on the critical path: its slip moves the project end");
    return line + w.pick("。请跟进，处理后回复 " + reply_ack(w, ladder.task_id),
                         ". Please follow up, then reply " + reply_ack(w, ladder.task_id));
}

std::vector<std::string> ladder_lines(ChatWriter& w, const std::vector<LadderAction>& actions) {
    std::vector<std::string> lines;
    for (const auto& action : actions) {
        if (action.kind == LadderAction::Kind::ask_owner)
            lines.push_back(ask_owner_line(w, action));
        if (action.kind == LadderAction::Kind::ping) lines.push_back(ping_line(w, action));
    }
    return lines;
}

}  // namespace

ChatMessage render_ladder_actions(const std::vector<LadderAction>& actions,
                                  const ProjectState& state, Locale locale, const Markup& markup) {
    ChatMessage message = write_message(state, locale, markup, "升级提醒 · " + state.project.name,
                                        "Escalation · " + state.project.name,
                                        [&](ChatWriter& w) { return ladder_lines(w, actions); });
    // One tap: the owner reports the delay, whoever is pinged acknowledges (R8 stops the ladder).
    std::size_t tasks = 0;
    for (const auto& action : actions) tasks += action.kind != LadderAction::Kind::stopped;
    for (const auto& action : actions) {
        if (action.kind == LadderAction::Kind::stopped) continue;
        ButtonOffer offer{.ack = true, .delay = action.kind == LadderAction::Kind::ask_owner};
        add_buttons(message, task_buttons(state.project.id, action.ladder.task_id, locale, offer, tasks > 1));
    }
    return message;
}

}  // namespace core
