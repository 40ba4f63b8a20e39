#include "core/grammar_keywords.h"

#include <array>

#include "core/grammar_text.h"

namespace core::grammar {
namespace {

using K = CommandKind;
constexpr std::optional<CommandKind> none = std::nullopt;

// Order matters only for ties in nearest_command: the first, most common word wins.
constexpr std::array k_keywords = {
    Keyword{"update", K::progress, none},     Keyword{"progress", K::progress, none},
    Keyword{"更新", K::progress, none},       Keyword{"进度", K::progress, none},
    Keyword{"完成度", K::progress, none},     Keyword{"done", K::done, none},
    Keyword{"finish", K::done, none},         Keyword{"finished", K::done, none},
    Keyword{"complete", K::done, none},       Keyword{"completed", K::done, none},
    Keyword{"完成", K::done, none},           Keyword{"已完成", K::done, none},
    Keyword{"start", K::start, none},         Keyword{"started", K::start, none},
    Keyword{"begin", K::start, none},         Keyword{"开始", K::start, none},
    Keyword{"已开始", K::start, none},        Keyword{"启动", K::start, none},
    Keyword{"block", K::block, none},         Keyword{"阻塞", K::block, K::blocked},
    Keyword{"卡住", K::block, none},          Keyword{"blocked", K::block, K::blocked},
    Keyword{"已阻塞", K::block, K::blocked},  Keyword{"阻塞任务", none, K::blocked},
    Keyword{"unblock", K::unblock, none},     Keyword{"unblocked", K::unblock, none},
    Keyword{"解除阻塞", K::unblock, none},    Keyword{"取消阻塞", K::unblock, none},
    Keyword{"delay", K::delay, none},         Keyword{"postpone", K::delay, none},
    Keyword{"reschedule", K::delay, none},    Keyword{"延期", K::delay, none},
    Keyword{"推迟", K::delay, none},          Keyword{"延后", K::delay, none},
    Keyword{"deviation", K::deviation, none}, Keyword{"偏差", K::deviation, none},
    Keyword{"偏差说明", K::deviation, none},  Keyword{"偏差报告", K::deviation, none},
    Keyword{"note", K::note, none},           Keyword{"comment", K::note, none},
    Keyword{"备注", K::note, none},           Keyword{"ack", K::ack, none},
    Keyword{"acknowledge", K::ack, none},     Keyword{"acknowledged", K::ack, none},
    Keyword{"收到", K::ack, none},            Keyword{"已收到", K::ack, none},
    Keyword{"show", K::show, none},           Keyword{"view", K::show, none},
    Keyword{"status", K::show, none},         Keyword{"查看", K::show, none},
    Keyword{"详情", K::show, none},           Keyword{"状态", K::show, none},
    Keyword{"my tasks", none, K::my_tasks},   Keyword{"my task", none, K::my_tasks},
    Keyword{"我的任务", none, K::my_tasks},   Keyword{"tasks", none, K::my_tasks},
    Keyword{"任务", none, K::my_tasks},       Keyword{"late", none, K::late},
    Keyword{"overdue", none, K::late},        Keyword{"逾期", none, K::late},
    Keyword{"逾期任务", none, K::late},       Keyword{"延期任务", none, K::late},
    Keyword{"已延期", none, K::late},         Keyword{"late tasks", none, K::late},
    Keyword{"overdue tasks", none, K::late},  Keyword{"blocked tasks", none, K::blocked},         Keyword{"digest", none, K::digest},
    Keyword{"summary", none, K::digest},      Keyword{"日报", none, K::digest},
    Keyword{"今日简报", none, K::digest},     Keyword{"简报", none, K::digest},
    Keyword{"help", none, K::help},           Keyword{"帮助", none, K::help},
    Keyword{"usage", none, K::help},          Keyword{"?", none, K::help},
    Keyword{"看板", K::web_link, K::web_link},  Keyword{"甘特图", K::web_link, K::web_link},
    Keyword{"链接", K::web_link, K::web_link},  Keyword{"web", K::web_link, K::web_link},
    Keyword{"gantt", K::web_link, K::web_link}, Keyword{"link", K::web_link, K::web_link},
    Keyword{"确认复盘", K::confirm_retro, K::confirm_retro},
    Keyword{"复盘确认", K::confirm_retro, K::confirm_retro},
    Keyword{"confirm retro", K::confirm_retro, K::confirm_retro},
    Keyword{"confirm retrospective", K::confirm_retro, K::confirm_retro},
    Keyword{"导出", K::export_xlsx, K::export_xlsx},
    Keyword{"导出表格", K::export_xlsx, K::export_xlsx},
    Keyword{"export", K::export_xlsx, K::export_xlsx},
    // Plan changes (issue 23): "取消阻塞" above stays unblock, being longer than "取消".
    Keyword{"新建", K::add_task, K::add_task},       Keyword{"新增", K::add_task, K::add_task},
    Keyword{"添加", K::add_task, K::add_task},       Keyword{"新建任务", K::add_task, K::add_task},
    Keyword{"新增任务", K::add_task, K::add_task},   Keyword{"添加任务", K::add_task, K::add_task},
    Keyword{"add", K::add_task, K::add_task},        Keyword{"add task", K::add_task, K::add_task},
    Keyword{"new task", K::add_task, K::add_task},
    Keyword{"负责人", K::assign, none},              Keyword{"指派", K::assign, none},
    Keyword{"转给", K::assign, none},                Keyword{"改派", K::assign, none},
    Keyword{"assign", K::assign, none},              Keyword{"reassign", K::assign, none},
    Keyword{"owner", K::assign, none},
    Keyword{"审批", K::set_approver, none},          Keyword{"审批人", K::set_approver, none},
    Keyword{"approver", K::set_approver, none},
    Keyword{"计划", K::replan, none},                Keyword{"plan", K::replan, none},
    Keyword{"replan", K::replan, none},
    Keyword{"取消", K::cancel, none},                Keyword{"cancel", K::cancel, none},
    Keyword{"drop", K::cancel, none},
    Keyword{"恢复", K::restore, none},               Keyword{"restore", K::restore, none},
    Keyword{"uncancel", K::restore, none},
};

bool ends_with_ascii_letter(std::string_view word) {
    return !word.empty() && word.back() >= 'a' && word.back() <= 'z';
}

CommandKind kind_of(const Keyword& keyword) {
    return keyword.with_task ? *keyword.with_task : *keyword.without_task;
}

// How far a word may be from a keyword and still count as a typo of it.
int tolerance(std::string_view keyword) {
    std::size_t length = code_point_count(keyword);
    if (length <= 1) return -1;
    if (length <= 4) return 1;
    return 2;
}

// Words of the line: runs of ASCII letters, and runs of other non-space, non-digit characters.
template <typename Visit>
void for_each_word(std::string_view s, Visit visit) {
    std::size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        bool letter = c >= 'a' && c <= 'z';
        bool other = c >= 0x80;
        if (!letter && !other) {
            ++i;
            continue;
        }
        std::size_t start = i;
        while (i < s.size()) {
            unsigned char d = static_cast<unsigned char>(s[i]);
            if (letter ? !(d >= 'a' && d <= 'z') : d < 0x80) break;
            ++i;
        }
        visit(s.substr(start, i - start));
    }
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

}  // namespace

const Keyword* match_keyword(std::string_view folded, std::size_t at, std::size_t& end) {
    const Keyword* best = nullptr;
    if (at > folded.size()) return nullptr;
    std::string_view rest = folded.substr(at);
    for (const Keyword& keyword : k_keywords) {
        if (rest.substr(0, keyword.text.size()) != keyword.text) continue;
        if (best && keyword.text.size() <= best->text.size()) continue;
        if (ends_with_ascii_letter(keyword.text) && rest.size() > keyword.text.size() &&
            is_ascii_alnum(rest[keyword.text.size()]))
            continue;
        best = &keyword;
    }
    if (best) end = at + best->text.size();
    return best;
}

std::optional<CommandKind> nearest_command(std::string_view folded, bool about_a_task) {
    std::optional<CommandKind> best;
    int best_distance = 1 << 20;
    std::size_t words = 0;
    for_each_word(folded, [&](std::string_view word) {
        if (++words > 32) return;  // a typo sits near the start; long prose is not a command
        const std::size_t word_length = code_point_count(word);
        const bool cjk = !word.empty() && static_cast<unsigned char>(word[0]) >= 0x80;
        for (const Keyword& keyword : k_keywords) {
            if (about_a_task && !keyword.with_task) continue;
            int limit = tolerance(keyword.text);
            if (limit < 0) continue;
            // An edit distance is at least the difference in length: words that cannot come
            // within the limit skip the computation (unreadable lines cost milliseconds before).
            const std::size_t keyword_length = code_point_count(keyword.text);
            auto reachable = [&](std::size_t length) {
                return (length > keyword_length ? length - keyword_length : keyword_length - length) <=
                       static_cast<std::size_t>(limit);
            };
            int distance = reachable(word_length) ? edit_distance(word, keyword.text) : limit + 1;
            // A CJK run may carry the rest of the sentence ("完城了"): compare its head too.
            if (cjk) {
                std::size_t head_length = 0, head_points = 0;
                for (; head_length < word.size() && head_points < keyword_length; ++head_points) {
                    char32_t cp = 0;
                    head_length += decode_utf8(word, head_length, cp);
                }
                if (reachable(head_points))
                    distance = std::min(distance, edit_distance(word.substr(0, head_length), keyword.text));
            }
            if (distance <= limit && distance < best_distance) {
                best_distance = distance;
                best = kind_of(keyword);
            }
        }
    });
    return best;
}

std::string example_command(CommandKind kind, Locale language, std::string_view task_id,
                            std::optional<int> percent) {
    const bool zh = language == Locale::zh_cn;
    std::string pattern;
    switch (kind) {
        case K::progress: pattern = zh ? "{id} 进度 {p}%" : "update {id} {p}%"; break;
        case K::start: pattern = zh ? "{id} 开始" : "start {id}"; break;
        case K::done: pattern = zh ? "{id} 完成" : "done {id}"; break;
        case K::block: pattern = zh ? "{id} 阻塞 等待客户确认" : "block {id} waiting for client sign-off"; break;
        case K::unblock: pattern = zh ? "{id} 解除阻塞" : "unblock {id}"; break;
        case K::delay:
            pattern = zh ? "{id} 延期 12-05 原因: 供应商产能不足" : "delay {id} to 2026-12-05 because the supplier is late";
            break;
        case K::deviation:
            pattern = zh ? "{id} 偏差 原因: 供应商产能不足 影响: 上线推迟 措施: 增加备选供应商"
                         : "deviation {id} cause: supplier is late impact: launch slips remedy: second supplier";
            break;
        case K::note: pattern = zh ? "{id} 备注 海报初稿已交" : "note {id} first draft sent"; break;
        case K::ack: pattern = zh ? "收到 {id}" : "ack {id}"; break;
        case K::show: pattern = zh ? "查看 {id}" : "show {id}"; break;
        case K::my_tasks: pattern = zh ? "我的任务" : "my tasks"; break;
        case K::late: pattern = zh ? "逾期" : "late"; break;
        case K::blocked: pattern = zh ? "阻塞任务" : "blocked"; break;
        case K::digest: pattern = zh ? "日报" : "digest"; break;
        case K::help: pattern = zh ? "帮助" : "help"; break;
        case K::web_link: pattern = zh ? "看板" : "web"; break;
        case K::confirm_retro: pattern = zh ? "确认复盘" : "confirm retro"; break;
        case K::export_xlsx: pattern = zh ? "导出" : "export"; break;
        case K::add_task:
            // People by name, not @mention: a suggestion must read back as a command whoever is
            // in the chat (the fuzzer checks it), and a typed name is resolved like a mention.
            pattern = zh ? "新建 海报投放 负责人 小红 04-20 到 04-28 前置 {id}"
                         : "add poster run owner Hong from 04-20 to 04-28 after {id}";
            break;
        case K::assign: pattern = zh ? "{id} 负责人 小红" : "assign {id} to Hong"; break;
        case K::set_approver: pattern = zh ? "{id} 审批 经理" : "{id} approver Lee"; break;
        case K::replan: pattern = zh ? "{id} 计划 04-22 到 04-30" : "plan {id} 04-22 to 04-30"; break;
        case K::cancel: pattern = zh ? "{id} 取消 原因: 预算调整" : "cancel {id} because the budget moved"; break;
        case K::restore: pattern = zh ? "{id} 恢复" : "restore {id}"; break;
    }
    int shown_percent = percent && *percent >= 0 && *percent <= 100 ? *percent : 60;
    pattern = replace_all(std::move(pattern), "{id}", task_id.empty() ? "T003" : task_id);
    return replace_all(std::move(pattern), "{p}", std::to_string(shown_percent));
}

std::string help_topic(std::string_view folded_word) {
    std::size_t end = 0;
    const Keyword* keyword = match_keyword(folded_word, 0, end);
    if (keyword && end == folded_word.size()) return to_string(kind_of(*keyword));
    return std::string(folded_word);
}

}  // namespace core::grammar
