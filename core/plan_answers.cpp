#include "core/plan_answers.h"

#include <string_view>

namespace core::plan_answers {
namespace {

struct Words {
    Locale locale;
    bool zh() const { return locale == Locale::zh_cn; }
    std::string pick(std::string_view zh_text, std::string_view en_text) const {
        return std::string(zh() ? zh_text : en_text);
    }
    std::string quote(std::string_view zh_text, std::string_view en_text) const {
        return zh() ? "「" + std::string(zh_text) + "」" : "\"" + std::string(en_text) + "\"";
    }
};

std::string date_text(const std::optional<Date>& date) { return date ? format_iso_date(*date) : std::string("-"); }

// The person with this id among the outcome's contacts, mentioned; the id itself otherwise.
std::string who(const CommandOutcome& o, const std::string& id, const Markup& m) {
    if (id.empty()) return "-";
    for (const auto& person : o.contacts)
        if (person.id == id) return m.mention_of(person);
    return m.literal(id);
}

std::string_view key_of(std::string_view detail, std::string_view& rest) {
    auto colon = detail.find(": ");
    if (colon == std::string_view::npos) {
        rest = detail;
        return {};
    }
    rest = detail.substr(colon + 2);
    return detail.substr(0, colon);
}

std::string ripple_text(const CommandOutcome& o, const Words& w, const Markup& m) {
    std::string out;
    for (const Finding& f : o.ripple)
        out += "\n" + w.pick("⚠️ 连带影响：" + m.bold(f.task_id) + "（" + who(o, f.person_id, m) + "）的计划开始赶不上了，约晚 " +
                                 std::to_string(f.days) + " 天，请确认是否调整。",
                             "⚠️ Knock-on: " + m.bold(f.task_id) + " (" + who(o, f.person_id, m) +
                                 ") cannot start as planned; about " + std::to_string(f.days) +
                                 " days late. Please check its plan.");
    return out;
}

}  // namespace

std::string applied(const CommandOutcome& o, Locale locale, const Markup& m) {
    Words w{locale};
    const Task& after = *o.after;
    const Command& c = *o.line.command;
    const std::string label = m.bold(after.id) + " " + m.literal(after.name);
    const std::string& id = after.id;
    std::string out;
    switch (c.kind) {
        case CommandKind::add_task: {
            std::string where = after.parent_id.empty() ? w.pick("计划", "the plan") : after.parent_id;
            out = w.pick("🆕 已新建 " + label + "，放在 " + where, "🆕 Added " + label + " to " + where);
            if (o.module_chosen) out += w.pick("（未写模块，按前置/最后一个模块放置）", " (no module named: placed by its predecessor or in the last module)");
            out += w.pick("：负责人 ", ": owner ") + who(o, after.owner, m) + w.pick("，计划 ", ", planned ") +
                   date_text(after.planned_start) + " → " + date_text(after.planned_finish);
            if (!after.predecessors.empty()) {
                out += w.pick("，前置 ", ", after ");
                for (std::size_t i = 0; i < after.predecessors.size(); ++i) out += (i ? ", " : "") + after.predecessors[i];
            }
            out += w.pick("。", ". ") + who(o, after.owner, m) + w.pick(" 开始时回复", " reply ") +
                   w.quote(id + " 开始", "start " + id) + w.pick("。", " when you begin.");
            break;
        }
        case CommandKind::assign:
        case CommandKind::set_approver: {
            const bool owner = c.kind == CommandKind::assign;
            const std::string& before_id = owner ? o.before->owner : o.before->approver;
            const std::string& after_id = owner ? after.owner : after.approver;
            out = "👤 " + label + (owner ? w.pick(" 负责人：", " owner: ") : w.pick(" 审批人：", " approver: ")) +
                  who(o, before_id, m) + " → " + who(o, after_id, m) + w.pick("。", ". ") + who(o, after_id, m) +
                  w.pick(" 可回复", " can reply ") + w.quote("查看 " + id, "show " + id) + w.pick("查看详情。", " for the details.");
            break;
        }
        case CommandKind::replan:
            out = "📅 " + label + w.pick(" 计划 ", " planned ") + date_text(o.before->planned_start) + " → " +
                  date_text(o.before->planned_finish) + w.pick(" 改为 ", " is now ") + date_text(after.planned_start) +
                  " → " + date_text(after.planned_finish) +
                  w.pick("（尚未开始，无需偏差说明）。", " (not started yet: no deviation report needed).");
            break;
        case CommandKind::cancel:
            out = "🗑 " + label + w.pick(" 已取消", " is cancelled");
            if (!c.reason.empty()) out += w.pick("（原因：", " (reason: ") + m.literal(c.reason) + w.pick("）", ")");
            out += w.pick("，不再计入进度和准时率。恢复请回复", "; it leaves the roll-ups and the on-time rate. To undo, reply ") +
                   w.quote(id + " 恢复", "restore " + id) + w.pick("。", ".");
            break;
        case CommandKind::restore:
            out = "♻️ " + label + w.pick(" 已恢复，状态：", " is restored, now ") + core::label(after.status, locale) +
                  w.pick("。", ".");
            break;
        default: break;
    }
    for (const auto& warning : o.warnings) {
        constexpr std::string_view prefix = "predecessor_not_done:";
        if (std::string_view(warning).substr(0, prefix.size()) == prefix) {
            std::string pred = warning.substr(prefix.size());
            out += "\n" + w.pick("⚠️ 新的开始日不晚于前置任务 " + pred + " 的计划完成日。",
                                 "⚠️ The new start is not after predecessor " + pred + "'s planned finish.");
        }
    }
    return out + ripple_text(o, w, m);
}

std::string rejected(const CommandOutcome& o, Locale locale, const Markup& m) {
    Words w{locale};
    const Command* c = o.line.command ? &*o.line.command : nullptr;
    std::string id = o.before ? o.before->id : c ? c->task_id : "";
    std::string head = "⚠️ " + (id.empty() ? std::string() : m.bold(id) + " ") + w.pick("计划未更改：", "plan unchanged: ");
    std::string_view rest;
    std::string_view key = key_of(o.detail, rest);
    const std::string detail = m.literal(rest);
    if (key == "exists")
        return head + w.pick(detail + " 已存在。换个编号，或不写编号（自动取下一个）。",
                             detail + " already exists. Use another id, or leave it out to get the next free one.");
    if (key == "unknown_module")
        return head + w.pick("没有模块 " + detail + "。发送「看板」查看计划的模块。",
                             "there is no module " + detail + ". Send \"web\" to see the plan's modules.");
    if (key == "unknown_predecessor")
        return head + w.pick("前置任务 " + detail + " 不存在。", "predecessor " + detail + " does not exist.");
    if (key == "cycle")
        return head + w.pick("前置关系会成环：" + detail + "。", "the dependencies would loop: " + detail + ".");
    if (key == "out_of_period")
        return head + w.pick("日期超出项目周期（" + detail + "）。", "the dates fall outside the project's period (" + detail + ").");
    if (key == "bad_range")
        return head + w.pick("开始日期晚于完成日期（" + detail + "）。", "the start is after the finish (" + detail + ").");
    if (key == "started")
        return head + w.pick("任务已开始，改期请用", "it has started; to move its finish use ") +
               w.quote(id + " 延期 05-10 原因: …", "delay " + id + " to 05-10 because …") +
               w.pick("（需偏差说明，R8）。", " (with its deviation report, R8).");
    if (key == "not_a_task")
        return head + w.pick("这是阶段/模块，只能对任务这样做。", "it is a phase or module; this works on tasks only.");
    if (key == "cancelled")
        return head + w.pick("任务已取消，先回复", "it is cancelled; first reply ") + w.quote(id + " 恢复", "restore " + id) +
               w.pick("。", ".");
    if (key == "not_cancelled") return head + w.pick("任务没有被取消。", "it is not cancelled.");
    if (key == "already_done") return head + w.pick("任务已完成。", "it is already done.");
    if (key == "unchanged") return head + w.pick("和现在一样，没有变化。", "that is already so.");
    if (key == "unknown_person")
        return head + w.pick("找不到「" + detail + "」。请 @ 对方，或让 TA 先发「我是 名字」认领身份。",
                             "nobody called \"" + detail + "\" is known. Mention them with @, or ask them to send \"I am <name>\" first.");
    if (key == "which_project")
        return head + w.pick("本群有多个项目（" + detail + "），请写明模块或项目，例如「… 模块 M3」或「… 项目 P1」。",
                             "this chat has several projects (" + detail + "); name the module or project, e.g. \"… in M3\" or \"… project P1\".");
    if (key == "unknown_project")
        return head + w.pick("本群没有项目 " + detail + "。", "this chat has no project " + detail + ".");
    return head + m.literal(o.detail);
}

std::string forbidden(const CommandOutcome& o, Locale locale, const Markup& m) {
    Words w{locale};
    std::string out = w.pick("🚫 只有项目负责人、审批人或管理员可以修改计划，未更改。",
                             "🚫 Only the project's owner, its approvers or an admin can change the plan; nothing changed.");
    if (!o.contacts.empty()) {
        out += w.pick("请联系 ", " Ask ");
        for (std::size_t i = 0; i < o.contacts.size() && i < 5; ++i) out += (i ? w.pick("、", ", ") : "") + m.mention_of(o.contacts[i]);
        out += w.pick("。", ".");
    }
    return out;
}

std::string missing_parts(const ParsedLine& line, Locale locale, const Markup& m) {
    Words w{locale};
    std::string parts;
    for (std::size_t i = 0; i < line.missing.size(); ++i) {
        const std::string& part = line.missing[i];
        std::string name = part == "name"    ? w.pick("任务名称", "the task's name")
                           : part == "owner" ? w.pick("负责人（@某人）", "the owner (@someone)")
                           : part == "dates" ? w.pick("起止日期", "the start and finish dates")
                           : part == "person" ? w.pick("要指定的人（@某人）", "the person (@someone)")
                           : part == "date"   ? w.pick("新的完成日期", "the new finish date")
                           : part == "reason" ? w.pick("原因", "the reason")
                                              : part;
        parts += (i ? w.pick("、", ", ") : "") + name;
    }
    std::string out = w.pick("🤔 还缺" + parts + "。", "🤔 Missing " + parts + ".");
    if (!line.suggestion.empty())
        out += w.pick("例如", " For example: ") + w.quote(m.literal(line.suggestion), m.literal(line.suggestion)) + w.pick("。", ".");
    return out;
}

}  // namespace core::plan_answers
