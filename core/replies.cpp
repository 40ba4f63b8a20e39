#include "core/replies.h"

#include "core/plan_answers.h"
#include "core/task_buttons.h"
#include "core/team_answers.h"

#include <algorithm>
#include <string_view>

namespace core {
namespace {

struct Words {
    Locale locale;
    bool zh() const { return locale == Locale::zh_cn; }
    // The chat's quoting of a command: 「T003 完成」 or "done T003".
    std::string quote(std::string_view zh_text, std::string_view en_text) const {
        return zh() ? "「" + std::string(zh_text) + "」" : "\"" + std::string(en_text) + "\"";
    }
    std::string pick(std::string_view zh_text, std::string_view en_text) const {
        return std::string(zh() ? zh_text : en_text);
    }
};

std::string task_label(const Task& task, const Markup& markup) {
    return markup.bold(task.id) + " " + task.name;
}

std::string percent(int value) { return std::to_string(value) + "%"; }

std::string date_text(const std::optional<Date>& date) {
    return date ? format_iso_date(*date) : std::string("-");
}

// The part before ": " in a semantics error is its stable key (semantics.h).
std::string_view error_key(std::string_view detail) {
    auto colon = detail.find(": ");
    return colon == std::string_view::npos ? std::string_view{} : detail.substr(0, colon);
}

std::string warning_text(std::string_view warning, const Words& w) {
    constexpr std::string_view prefix = "predecessor_not_done:";
    if (warning.substr(0, prefix.size()) == prefix) {
        std::string id(warning.substr(prefix.size()));
        return w.pick("⚠️ 前置任务 " + id + " 尚未完成，请确认是否可以并行。",
                      "⚠️ Predecessor " + id + " is not done yet; check it can run in parallel.");
    }
    return std::string(warning);
}

std::string applied_text(const CommandOutcome& o, const Words& w, const Markup& m) {
    const Task& before = *o.before;
    const Task& after = *o.after;
    const Command& c = *o.line.command;
    std::string id = after.id;
    std::string out;
    switch (c.kind) {
        case CommandKind::progress:
            out = "✅ " + task_label(after, m) + w.pick("：进度 ", ": ") + percent(before.completion) +
                  " → " + percent(after.completion) + w.pick("，", ", ") + label(after.status, w.locale) +
                  w.pick("。", ".");
            if (!c.note.empty())
                out += w.pick("备注已记录：" + m.literal(c.note) + "。", " Note logged: " + m.literal(c.note) + ".");
            if (after.status == Status::done)
                out += w.pick("干得好！", " Well done!");
            else if (after.status == Status::blocked)
                out += w.pick("任务仍处于阻塞，解除后回复", " Still blocked; when it clears, reply ") +
                       w.quote(id + " 解除阻塞", "unblock " + id) + w.pick("。", ".");
            else
                out += w.pick("完成后回复", " Reply ") + w.quote(id + " 完成", "done " + id) +
                       w.pick("。", " when it is finished.");
            break;
        case CommandKind::start:
            out = "▶️ " + task_label(after, m) + w.pick(" 已开始（实际开始 ", " started (actual start ") +
                  date_text(after.actual_start) + w.pick("）。更新进度：", "). Update progress with ") +
                  w.quote(id + " 进度 30%", "update " + id + " 30%") + w.pick("。", ".");
            break;
        case CommandKind::done: {
            out = "🎉 " + task_label(after, m) + w.pick(" 已完成（", " is done (") + date_text(after.actual_finish);
            if (after.planned_finish && after.actual_finish) {
                int late = days_between(*after.planned_finish, *after.actual_finish);
                if (late > 0)
                    out += w.pick("，比计划晚 " + std::to_string(late) + " 天",
                                  ", " + std::to_string(late) + " days after plan");
                else
                    out += w.pick("，按时", ", on time");
            }
            out += w.pick("）。", ").");
            break;
        }
        case CommandKind::block:
            out = "⛔ " + task_label(after, m) + w.pick(" 已标记为阻塞：", " is now blocked: ") + m.literal(c.reason) +
                  w.pick("。解除后回复", ". When it clears, reply ") +
                  w.quote(id + " 解除阻塞", "unblock " + id) + w.pick("。", ".");
            break;
        case CommandKind::unblock:
            out = "✅ " + task_label(after, m) + w.pick(" 已解除阻塞，状态：", " is unblocked, now ") +
                  label(after.status, w.locale) + w.pick("。", ".");
            break;
        case CommandKind::delay:
            out = "📅 " + task_label(after, m) + w.pick(" 计划完成日 ", " planned finish ") +
                  date_text(before.planned_finish) + " → " + date_text(after.planned_finish) +
                  w.pick("，偏差说明已记录", "; deviation report recorded");
            if (!c.reason.empty()) out += w.pick("（原因：", " (cause: ") + m.literal(c.reason) + w.pick("）", ")");
            out += w.pick("。", ".");
            break;
        case CommandKind::deviation:
            out = "📝 " + task_label(after, m) + w.pick(" 偏差说明已记录", ": deviation report recorded");
            if (!c.reason.empty()) out += w.pick("（原因：", " (cause: ") + m.literal(c.reason) + w.pick("）", ")");
            out += w.pick("。", ".");
            break;
        case CommandKind::note:
            out = "📝 " + task_label(after, m) + w.pick(" 备注已记录。", ": note logged.");
            break;
        case CommandKind::ack:
            out = "👌 " + task_label(after, m) +
                  w.pick(" 已确认收到，已记录。", ": acknowledged, recorded.");
            break;
        default:
            break;
    }
    for (const auto& warning : o.warnings) out += "\n" + warning_text(warning, w);
    return out;
}

std::string parse_error_text(const CommandOutcome& o, const Words& w, const Markup& m) {
    const std::string& error = o.line.error;
    if (error == "missing_parts") return plan_answers::missing_parts(o.line, w.locale, m);
    std::string out;
    if (error == "unknown_person")
        out = w.pick("🤔 @ 的人还没有关联到计划里的人员。", "🤔 The person mentioned is not linked to anyone in the plan.");
    else if (error == "missing_reason")
        out = w.pick("🤔 需要写明原因。", "🤔 A reason is needed.");
    else if (error == "bad_percent")
        out = w.pick("🤔 进度要在 0% 到 100% 之间。", "🤔 Progress must be between 0% and 100%.");
    else if (error == "bad_date")
        out = w.pick("🤔 没看懂日期，可以写 2026-12-05、12-05、12月5日、下周五。",
                     "🤔 I could not read the date; try 2026-12-05, 12-05, fri or tomorrow.");
    else if (error == "too_long")
        out = w.pick("🤔 这条消息太长了，请拆成几条。", "🤔 That line is too long; please split it.");
    else
        out = w.pick("🤔 没看懂「" + m.literal(o.line.text) + "」。", "🤔 I did not understand \"" + m.literal(o.line.text) + "\".");
    if (!o.line.suggestion.empty())
        out += w.pick("试试：", " Try: ") + w.quote(m.literal(o.line.suggestion), m.literal(o.line.suggestion)) +
               w.pick("。", ".");
    out += w.pick("发送「帮助」查看全部命令。", " Send \"help\" for every command.");
    return out;
}

std::string rejected_text(const CommandOutcome& o, const Words& w, const Markup& m) {
    std::string id = o.before ? o.before->id : o.line.command ? o.line.command->task_id : "";
    std::string head = "⚠️ " + (o.before ? task_label(*o.before, m) : m.bold(id)) + w.pick(" 未更改：", " unchanged: ");
    std::string_view key = error_key(o.detail);
    if (key == "already_done") return head + w.pick("任务已完成。", "it is already done.");
    if (key == "not_blocked") return head + w.pick("任务未处于阻塞状态。", "it is not blocked.");
    if (key == "is_blocked")
        return head + w.pick("任务处于阻塞，先回复", "it is blocked; first reply ") +
               w.quote(id + " 解除阻塞", "unblock " + id) + w.pick("。", ".");
    if (key == "cancelled") return head + w.pick("任务已取消。", "it is cancelled.");
    if (key == "rolls_up")
        return head + w.pick("这是阶段/模块，进度由下级任务汇总。", "it is a phase or module; its progress rolls up from its tasks.");
    if (key == "missing_reason")
        return head + w.pick("阻塞需要写明原因，例如", "blocking needs a reason, e.g. ") +
               w.quote(id + " 阻塞 等待客户确认", "block " + id + " waiting for client sign-off") + w.pick("。", ".");
    if (key == "before_start" || key == "bad_date")
        return head + w.pick("新日期不能早于计划开始日。", "the new date cannot be before the planned start.");
    if (key == "bad_percent") return head + w.pick("进度要在 0% 到 100% 之间。", "progress must be 0..100%.");
    return head + o.detail;
}

std::string forbidden_text(const CommandOutcome& o, const Words& w, const Markup& m) {
    std::string id = o.before ? o.before->id : "";
    std::string out = w.pick("🚫 你不是 " + id + " 的负责人或审批人，不能修改。",
                             "🚫 You are not the owner or approver of " + id + ", so it stays unchanged.");
    if (!o.contacts.empty()) {
        out += w.pick("请联系 ", " Ask ");
        for (size_t i = 0; i < o.contacts.size(); ++i) {
            if (i) out += w.pick("、", ", ");
            out += m.mention_of(o.contacts[i]);
        }
        out += w.pick("。", ".");
    }
    return out;
}

}  // namespace

std::vector<std::string> help_sections(Locale locale, const Markup& markup) {
    Words w{locale};
    if (w.zh())
        return {markup.bold("可用命令") + "（任务编号不区分大小写，可一行一条写多条）",
                "更新进度：T003 进度 60% [备注]\n开始 / 完成：T003 开始 · T003 完成\n"
                "阻塞 / 解除：T003 阻塞 等待客户确认 · T003 解除阻塞\n"
                "延期：T003 延期 12-05 原因: 供应商产能不足 影响: … 措施: …\n"
                "偏差说明：T003 偏差 原因: … 影响: … 措施: …\n备注：T003 备注 …\n收到提醒：收到 T003",
                "查看：T003 · 我的任务 · 逾期 · 阻塞 · 日报 · 帮助",
                "改计划（项目负责人、审批人）：新建 海报投放 负责人 @小红 04-20 到 04-28 [前置 T004] [模块 M3] · "
                "T003 负责人 @小红 · T003 审批 @经理 · T005 计划 04-22 到 04-30（未开始的任务）· T006 取消 原因: … · T006 恢复",
                "复盘 / 导出：确认复盘 [总结]（项目收尾后）· 导出（Excel 下载链接）",
                "设置本群（管理员或项目负责人）：绑定 P1 · 解绑 [P1] · 项目 · 设置 日报 09:30 · 设置 提醒 17:00 · "
                "设置 周报 周一 09:30 · 设置 时区 Asia/Shanghai · 设置 语言 en · 设置 免打扰 22:00-08:00",
                "认领身份：我是 小明（由管理员或项目负责人回复“确认 小明”）· 解除 小明 · 绑定 @某人 小明（管理员）"};
    return {markup.bold("Commands") + " (task ids are case-insensitive; one command per line)",
            "Progress: update T003 60% [note]\nStart / done: start T003 · done T003\n"
            "Block / unblock: block T003 waiting for client sign-off · unblock T003\n"
            "Re-plan: delay T003 to 2026-12-05 because … impact: … remedy: …\n"
            "Deviation report: deviation T003 cause: … impact: … remedy: …\nNote: note T003 …\n"
            "Acknowledge a ping: ack T003",
            "Look: show T003 · my tasks · late · blocked · digest · help",
            "Change the plan (project owners, approvers): add poster run owner @Hong from 04-20 to 04-28 [after T004] [in M3] · "
            "assign T003 to @Hong · T003 approver @Lee · plan T005 04-22 to 04-30 (not started yet) · cancel T006 because … · restore T006",
            "Retrospective / export: confirm retro [summary] (once the project closes) · export (Excel download link)",
            "Set this chat up (admins, project owners): bind P1 · unbind [P1] · projects · set digest 09:30 · "
            "set reminder 17:00 · set weekly MON 09:30 · set timezone Asia/Tokyo · set language zh · set quiet 22:00-08:00",
            "Who you are: I am Ming (an admin or the owner replies \"confirm Ming\") · unlink Ming · link @someone Ming (admins)"};
}

std::vector<std::string> task_detail_sections(const Task& task, const ProjectState& state, Date today,
                                              Locale locale, const Markup& markup) {
    Words w{locale};
    auto person = [&](const std::string& id) {
        if (id.empty()) return std::string("-");
        const Person* p = state.find_person(id);
        return markup.mention_of(p ? *p : Person{id, id, "", "", "", "", "", ""});
    };
    std::string head = markup.bold(task.id + " " + task.name) + " · " + label(task.status, locale) + " · " +
                       percent(task.completion);
    std::string body;
    body += w.pick("负责人：", "Owner: ") + person(task.owner);
    if (!task.approver.empty()) body += w.pick("　审批人：", "   Approver: ") + person(task.approver);
    body += "\n" + w.pick("计划：", "Planned: ") + date_text(task.planned_start) + " → " +
            date_text(task.planned_finish);
    if (task.actual_start || task.actual_finish)
        body += "\n" + w.pick("实际：", "Actual: ") + date_text(task.actual_start) + " → " +
                date_text(task.actual_finish);
    if (task.planned_finish && task.status != Status::done) {
        int left = days_between(today, *task.planned_finish);
        body += "\n" + (left >= 0 ? w.pick("剩余 " + std::to_string(left) + " 天", std::to_string(left) + " days left")
                                  : w.pick("已超期 " + std::to_string(-left) + " 天",
                                           std::to_string(-left) + " days past the planned finish"));
    }
    if (task.status == Status::blocked && !task.blocked_reason.empty())
        body += "\n" + w.pick("阻塞原因：", "Blocked: ") + markup.literal(task.blocked_reason);
    if (!task.predecessors.empty()) {
        body += "\n" + w.pick("前置任务：", "Depends on: ");
        for (size_t i = 0; i < task.predecessors.size(); ++i) body += (i ? ", " : "") + task.predecessors[i];
    }
    if (!task.deliverable.empty()) body += "\n" + w.pick("交付物：", "Deliverable: ") + task.deliverable;
    if (!task.remark.empty()) body += "\n" + w.pick("备注：", "Remark: ") + task.remark;
    if (task.last_update) body += "\n" + w.pick("最近更新：", "Last update: ") + format_iso_date(*task.last_update);
    return {head, body};
}

ChatMessage render_replies(const std::vector<CommandOutcome>& outcomes, const Person& sender, Locale locale,
                           const Markup& markup) {
    Words w{locale};
    ChatMessage message;
    message.locale = locale;
    std::string user_id = markup.user_id ? markup.user_id(sender) : std::string();
    if (!user_id.empty()) message.mention_user_ids.push_back(user_id);
    std::string mention = sender.id.empty() && sender.name.empty() ? std::string() : markup.mention_of(sender);
    std::vector<std::string> lines;
    for (const auto& o : outcomes) {
        switch (o.kind) {
            case CommandOutcome::Kind::applied:
                if (o.line.command && is_plan_edit(o.line.command->kind) && o.after) {
                    lines.push_back(plan_answers::applied(o, locale, markup));
                    for (const auto& person : o.contacts) {
                        std::string id = markup.user_id ? markup.user_id(person) : std::string();
                        if (!id.empty() && std::find(message.mention_user_ids.begin(), message.mention_user_ids.end(), id) ==
                                               message.mention_user_ids.end())
                            message.mention_user_ids.push_back(id);
                    }
                    break;
                }
                if (o.before && o.after) lines.push_back(applied_text(o, w, markup));
                for (const auto& section : o.answer) lines.push_back(section);  // not about a task: 确认复盘
                break;
            case CommandOutcome::Kind::query:
                if (!o.answer_title.empty()) lines.push_back(markup.bold(o.answer_title));
                for (const auto& section : o.answer) lines.push_back(section);
                add_buttons(message, o.buttons);
                break;
            case CommandOutcome::Kind::parse_error: lines.push_back(parse_error_text(o, w, markup)); break;
            case CommandOutcome::Kind::not_found:
                lines.push_back(w.pick("🔍 找不到任务 " + o.detail + "。发送「我的任务」查看你的任务。",
                                       "🔍 No task " + o.detail + " here. Send \"my tasks\" to list yours."));
                break;
            case CommandOutcome::Kind::forbidden:
                lines.push_back(o.line.command && is_plan_edit(o.line.command->kind)
                                    ? plan_answers::forbidden(o, locale, markup)
                                    : forbidden_text(o, w, markup));
                break;
            case CommandOutcome::Kind::rejected:
                lines.push_back(o.line.command && is_plan_edit(o.line.command->kind)
                                    ? plan_answers::rejected(o, locale, markup)
                                    : rejected_text(o, w, markup));
                break;
            case CommandOutcome::Kind::unknown_person:
                lines.push_back(team_answers::unlinked_sender(locale));
                break;
        }
    }
    if (lines.empty()) lines.push_back(w.pick("🤔 消息是空的。发送「帮助」查看全部命令。",
                                              "🤔 The message was empty. Send \"help\" for every command."));
    if (!mention.empty()) lines.front() = mention + " " + lines.front();
    message.sections = lines;
    std::string fallback;
    for (const auto& line : lines) fallback += (fallback.empty() ? "" : "\n") + line;
    message.fallback_text = fallback;
    return message;
}

}  // namespace core
