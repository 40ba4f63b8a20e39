// The chat grammar: see command_parser.h for the contract and the forms it reads.
#include "core/command_parser.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/grammar_keywords.h"
#include "core/grammar_segments.h"
#include "core/grammar_text.h"

namespace core {
namespace {

using grammar::is_ascii_alnum;
using grammar::is_ascii_digit;
using grammar::is_space;

constexpr std::size_t k_max_line_bytes = 4096;
constexpr std::size_t k_max_lines = 50;
constexpr std::size_t k_max_id_bytes = 40;
constexpr std::size_t k_max_date_bytes = 40;
constexpr std::size_t k_too_long_preview_bytes = 80;

// The parts of a plan change (read_add, read_date_range).
constexpr std::array<std::string_view, 11> k_range_words = {"到", "至", "to ", "until ", "till ", "~", "～", "-", "—", "→", "->"};
constexpr std::array<std::string_view, 4> k_owner_labels = {"负责人", "owner", "assignee", "assigned to"};
constexpr std::array<std::string_view, 5> k_after_labels = {"前置任务", "前置", "依赖", "after", "depends on"};
constexpr std::array<std::string_view, 4> k_module_labels = {"模块", "in", "under", "module"};
constexpr std::array<std::string_view, 2> k_project_labels = {"项目", "project"};
constexpr std::array<std::string_view, 1> k_from_label = {"from"};

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::size_t skip_separators(std::string_view s, std::size_t at) {
    while (at < s.size() && (is_space(s[at]) || s[at] == ':' || s[at] == ',')) ++at;
    return at;
}

// Task ids (domain.md "WBS"): 1–10 ASCII letters, then digits and/or '-'-joined groups of
// letters and digits, with at least one digit and at most 40 bytes: T003, K001, t3,
// MKT-202307-001-01. The id must not touch another letter or digit on either side.
std::size_t read_task_id(std::string_view s, std::size_t at) {
    if (at > s.size() || (at > 0 && is_ascii_alnum(s[at - 1]))) return 0;
    std::size_t i = at;
    while (i < s.size() && is_ascii_letter(s[i]) && i - at < 10) ++i;
    if (i == at || (i < s.size() && is_ascii_letter(s[i]))) return 0;
    bool digit = false;
    while (i - at <= k_max_id_bytes) {
        while (i < s.size() && is_ascii_alnum(s[i]) && i - at <= k_max_id_bytes) digit |= is_ascii_digit(s[i++]);
        if (i + 1 < s.size() && s[i] == '-' && is_ascii_alnum(s[i + 1])) {
            ++i;
            continue;
        }
        break;
    }
    if (!digit || i - at > k_max_id_bytes) return 0;
    return i - at;
}

// A percentage at `at`: "60", "60%", "60 %", "33.3%", "-5%". `value` is set only when in
// 0..100 (rounded); `found` is false when there is no number ending at a word boundary.
struct Percent {
    bool found = false;
    std::optional<int> value;
    std::size_t end = 0;
};

Percent read_percent(std::string_view s, std::size_t at) {
    Percent out;
    std::size_t i = at;
    bool negative = i < s.size() && s[i] == '-';
    if (negative) ++i;
    std::size_t digits_start = i;
    double number = 0;
    while (i < s.size() && is_ascii_digit(s[i]) && i - digits_start < 6) number = number * 10 + (s[i++] - '0');
    if (i == digits_start || (i < s.size() && is_ascii_digit(s[i]))) return out;
    if (i + 1 < s.size() && s[i] == '.' && is_ascii_digit(s[i + 1])) {
        double scale = 0.1;
        for (++i; i < s.size() && is_ascii_digit(s[i]); ++i, scale /= 10) number += (s[i] - '0') * scale;
    }
    std::size_t after = i;
    while (after < s.size() && is_space(s[after])) ++after;
    if (after < s.size() && s[after] == '%') i = after + 1;
    if (i < s.size() && (is_ascii_alnum(s[i]) || s[i] == '-' || s[i] == '/' || s[i] == '.')) return out;
    out.found = true;
    out.end = i;
    if (!negative && number <= 100) out.value = static_cast<int>(std::lround(number));
    return out;
}

// Removes "@TaskBot" (any name in bot_names, with or without its '@') wherever it stands as
// a whole token, and a separator left at the start ("@bot: T003 60%").
std::string remove_bot_mentions(std::string text, const std::vector<std::string>& bot_names) {
    for (const std::string& name : bot_names) {
        std::string_view bare = name;
        while (!bare.empty() && bare.front() == '@') bare.remove_prefix(1);
        if (bare.empty()) continue;
        std::string needle = normalize_id("@" + std::string(bare));
        for (std::size_t at = normalize_id(text).find(needle); at != std::string::npos;
             at = normalize_id(text).find(needle, at)) {
            std::size_t end = at + needle.size();
            if (end < text.size() && (is_ascii_alnum(text[end]) || text[end] == '_')) {
                at = end;
                continue;
            }
            text.erase(at, needle.size());
        }
    }
    std::string_view rest = grammar::trim_spaces(text);
    while (!rest.empty() && (rest.front() == ':' || rest.front() == ',')) rest = grammar::trim_spaces(rest.substr(1));
    return std::string(rest);
}

bool only_trailing_noise(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (is_space(s[i]) || s[i] == '?' || s[i] == '!' || s[i] == '.' || s[i] == '~') continue;
        if (s.substr(i, 3) == "。") {
            i += 2;
            continue;
        }
        return false;
    }
    return true;
}

// Reads one sanitised line. Holds views into the caller's strings only while parse_line runs.
class LineReader {
public:
    LineReader(std::string text, const ParseContext& context)
        : m_context(context), m_folded(grammar::fold(text)), m_s(m_folded.folded) {
        m_result.language = grammar::contains_cjk(text) ? Locale::zh_cn : Locale::en;
        m_result.text = std::move(text);
    }

    ParsedLine read() {
        std::size_t at = skip_decoration(0);
        if (at < m_s.size() && m_s[at] == '/') at = skip_separators(m_s, at + 1);
        if (at >= m_s.size()) return fail("empty", std::nullopt);
        if (m_s[at] == '@') return read_mention_first(at);
        return read_from(at);
    }

private:
    ParsedLine read_from(std::size_t at) {
        if (std::size_t length = read_task_id(m_s, at)) return read_after_id(at, length);
        std::size_t end = 0;
        if (const grammar::Keyword* keyword = grammar::match_keyword(m_s, at, end)) return read_after_keyword(*keyword, end);
        return unknown();
    }

    // Spaces, separators and leading emoji ("🎉 T003 完成").
    std::size_t skip_decoration(std::size_t at) const {
        for (;;) {
            at = skip_separators(m_s, at);
            char32_t cp = 0;
            std::size_t length = at < m_s.size() ? grammar::decode_utf8(m_s, at, cp) : 0;
            if (length == 0 || !(cp >= 0x1F000 || (cp >= 0x2600 && cp <= 0x27BF) || cp == 0xFE0F)) return at;
            at += length;
        }
    }

    ParsedLine read_after_id(std::size_t at, std::size_t length) {
        m_task_id = normalize_id(m_s.substr(at, length));
        std::size_t rest = skip_separators(m_s, at + length);
        if (only_trailing_noise(m_s.substr(rest))) return finish(make(CommandKind::show));
        if (Percent percent = read_percent(m_s, rest); percent.found) return progress(rest);
        std::size_t end = 0;
        const grammar::Keyword* keyword = grammar::match_keyword(m_s, rest, end);
        if (!keyword || !keyword->with_task) return unknown();
        return read_command(*keyword->with_task, end);
    }

    ParsedLine read_after_keyword(const grammar::Keyword& keyword, std::size_t end) {
        std::size_t at = skip_separators(m_s, end);
        if (keyword.without_task == CommandKind::add_task) return read_add(at, true);
        if (std::size_t length = read_task_id(m_s, at)) {
            if (!keyword.with_task) return unknown();
            m_task_id = normalize_id(m_s.substr(at, length));
            return read_command(*keyword.with_task, at + length);
        }
        if (!keyword.without_task) return fail("missing_task_id", keyword.with_task);
        switch (*keyword.without_task) {
            case CommandKind::my_tasks: return read_my_tasks(at);
            case CommandKind::help: return read_help(at);
            case CommandKind::confirm_retro: return finish(with_note(CommandKind::confirm_retro, at));
            default: break;
        }
        if (!only_trailing_noise(m_s.substr(at))) return unknown();
        return finish(make(*keyword.without_task));
    }

    ParsedLine read_command(CommandKind kind, std::size_t at) {
        at = skip_separators(m_s, at);
        switch (kind) {
            case CommandKind::progress: return progress(at);
            case CommandKind::block: return reasoned(kind, at);
            case CommandKind::deviation: return reasoned(kind, at);
            case CommandKind::delay: return delay(at);
            case CommandKind::show: return finish(make(kind));
            case CommandKind::cancel: return reasoned(kind, at);
            case CommandKind::assign:
            case CommandKind::set_approver: return read_person_change(kind, at);
            case CommandKind::replan: return read_replan(at);
            case CommandKind::add_task: return read_add(at, false);
            case CommandKind::note: {
                Command command = with_note(kind, at);
                if (command.note.empty()) return fail("missing_note", kind);
                return finish(std::move(command));
            }
            default: return finish(with_note(kind, at));
        }
    }

    ParsedLine progress(std::size_t at) {
        std::size_t end = 0;
        if (const grammar::Keyword* keyword = grammar::match_keyword(m_s, at, end);
            keyword && keyword->with_task == CommandKind::progress)
            at = skip_separators(m_s, end);
        at = skip_word(at, {"to ", "到", "至"});
        Percent percent = read_percent(m_s, at);
        if (percent.found) m_percent = percent.value;
        if (!percent.found || !percent.value) return fail("bad_percent", CommandKind::progress);
        Command command = with_note(CommandKind::progress, percent.end);
        command.percent = percent.value;
        return finish(std::move(command));
    }

    // block and deviation: a reason is required (R5, R8).
    ParsedLine reasoned(CommandKind kind, std::size_t at) {
        grammar::Segments segments = grammar::read_segments(m_folded, m_result.text, at);
        Command command = make(kind);
        fill_report(command, std::move(segments));
        if (command.reason.empty()) return fail("missing_reason", kind);
        command.evidence = grammar::first_url(original_from(at));
        return finish(std::move(command));
    }

    ParsedLine delay(std::size_t at) {
        at = skip_word(at, {"to ", "until ", "till ", "->", "到", "至", "→"});
        at = skip_separators(m_s, at);
        std::size_t end = 0;
        std::optional<Date> date = read_date(at, end);
        if (!date && only_trailing_noise(m_s.substr(at))) return fail_missing({"date", "reason"}, CommandKind::delay);
        if (!date) return fail("bad_date", CommandKind::delay);
        Command command = make(CommandKind::delay);
        command.new_date = date;
        fill_report(command, grammar::read_segments(m_folded, m_result.text, end));
        if (command.reason.empty()) return fail("missing_reason", CommandKind::delay);
        command.evidence = grammar::first_url(original_from(at));
        return finish(std::move(command));
    }

    // "T003 负责人 @小红", "assign T003 to @小红", "T003 owner 小红": the person by mention (resolved
    // by the adapter) or by name or id (resolved by the caller against the directory).
    ParsedLine read_person_change(CommandKind kind, std::size_t at) {
        at = skip_separators(m_s, skip_word(at, {"to ", "->", "→", "给", "为", "改为", "换成"}));
        Command command = make(kind);
        std::size_t end = at;
        if (!read_person(at, command, end)) return fail_missing({"person"}, kind);
        if (!m_error.empty()) return fail(m_error, kind);
        Command noted = with_note(kind, end);
        command.note = std::move(noted.note);
        return finish(std::move(command));
    }

    // "T005 计划 04-22 到 04-30", "plan T005 from 04-22 to 04-30", "plan T005 to 04-30" (the
    // finish only).
    ParsedLine read_replan(std::size_t at) {
        Command command = make(CommandKind::replan);
        std::size_t end = at;
        const std::size_t to = skip_word(at, {"to ", "until ", "到", "至"});  // "plan T005 to 04-30": the finish
        std::vector<Date> dates = read_date_range(skip_separators(m_s, to), end);
        if (to != at && dates.size() > 1) dates.erase(dates.begin(), dates.end() - 1);
        if (dates.empty()) {
            if (only_trailing_noise(m_s.substr(at))) return fail_missing({"dates"}, CommandKind::replan);
            return fail("bad_date", CommandKind::replan);
        }
        if (dates.size() == 2) command.planned_start = dates[0];
        command.new_date = dates.back();
        Command noted = with_note(CommandKind::replan, end);
        command.note = std::move(noted.note);
        return finish(std::move(command));
    }

    // One date or two ("04-20 到 04-28", "from Dec 1 to Dec 5", "04-20~04-28"); `end` past them.
    std::vector<Date> read_date_range(std::size_t at, std::size_t& end) {
        std::vector<Date> dates;
        at = skip_separators(m_s, skip_word(at, {"from ", "从"}));
        std::size_t stop = 0;
        std::optional<Date> first = read_date(at, stop);
        if (!first) return dates;
        dates.push_back(*first);
        end = stop;
        std::size_t next = skip_spaces(stop);
        std::size_t after_word = next;
        for (std::string_view word : k_range_words)
            if (m_s.substr(next, word.size()) == word) {
                after_word = next + word.size();
                break;
            }
        if (after_word == next) return dates;
        if (std::optional<Date> second = read_date(skip_spaces(after_word), stop)) {
            dates.push_back(*second);
            end = stop;
        }
        return dates;
    }

    // "新建 [T008] 海报投放 负责人 @小红 04-20 到 04-28 [前置 T004] [模块 M3] [项目 P1]" and
    // "add [T008] poster run owner @小红 from 04-20 to 04-28 [after T004] [in M3]": the name runs
    // to the first labelled part, mention or date; the parts follow in any order.
    ParsedLine read_add(std::size_t at, bool id_may_follow) {
        if (id_may_follow)
            if (std::size_t length = read_task_id(m_s, at)) {
                m_task_id = normalize_id(m_s.substr(at, length));
                at = skip_separators(m_s, at + length);
            }
        Command command = make(CommandKind::add_task);
        std::size_t name_end = at;
        while (name_end < m_s.size() && !starts_add_part(name_end, name_end == at)) ++name_end;
        command.task_name = std::string(grammar::trim_segment(original_between(at, name_end)));
        std::vector<Date> dates;
        for (std::size_t p = name_end; p < m_s.size();) {
            p = skip_part_separators(p);
            if (p >= m_s.size()) break;
            std::size_t end = p;
            if (std::size_t owner = label_at(p, k_owner_labels, false)) {
                if (!read_person(skip_separators(m_s, owner), command, end)) return fail_missing({"owner"}, CommandKind::add_task);
            } else if (m_s[p] == '@') {
                read_person(p, command, end);
            } else if (std::size_t after = label_at(p, k_after_labels, true)) {
                end = read_id_list(skip_separators(m_s, after), command.predecessors);
            } else if (std::size_t module = label_at(p, k_module_labels, true)) {
                end = read_one_id(skip_separators(m_s, module), command.module_id);
            } else if (std::size_t project = label_at(p, k_project_labels, true)) {
                end = read_one_id(skip_separators(m_s, project), command.project_id);
            } else if (std::vector<Date> range = read_date_range(p, end); !range.empty()) {
                dates.insert(dates.end(), range.begin(), range.end());
            } else {
                return fail("unknown_command", CommandKind::add_task);
            }
            if (!m_error.empty()) return fail(m_error, CommandKind::add_task);
            p = end;
        }
        std::vector<std::string> missing;
        if (command.task_name.empty()) missing.push_back("name");
        if (command.person.empty() && command.person_name.empty()) missing.push_back("owner");
        if (dates.size() < 2) missing.push_back("dates");
        if (!missing.empty()) return fail_missing(std::move(missing), CommandKind::add_task);
        if (dates.size() > 2) return fail("bad_date", CommandKind::add_task);
        command.planned_start = dates[0];
        command.new_date = dates[1];
        return finish(std::move(command));
    }

    // Whether the add line's name ends at `at`: a label, a mention, a bracket or a date that
    // starts a word (not the name's first word: "12.12 大促" is a name).
    bool starts_add_part(std::size_t at, bool first) {
        const char c = m_s[at];
        if (c == '@' || c == '[' || c == '(') return true;
        if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) return false;  // inside a character
        if (label_at(at, k_owner_labels, false) || label_at(at, k_after_labels, true) ||
            label_at(at, k_module_labels, true) || label_at(at, k_project_labels, true) ||
            (!first && label_at(at, k_from_label, false)))
            return true;
        if (first || !is_space(m_s[at - 1]) || !is_ascii_alnum(c)) return false;
        std::size_t end = 0;
        return read_date(at, end).has_value();
    }

    template <std::size_t N>
    std::size_t label_at(std::size_t at, const std::array<std::string_view, N>& labels, bool needs_id) const {
        for (std::string_view label : labels) {
            if (m_s.substr(at, label.size()) != label) continue;
            const bool english = label.front() >= 'a' && label.front() <= 'z';
            if (english && at > 0 && !is_space(m_s[at - 1]) && m_s[at - 1] != '[' && m_s[at - 1] != '(') continue;
            std::size_t end = at + label.size();
            if (english && end < m_s.size() && is_ascii_alnum(m_s[end])) continue;
            if (needs_id && !read_task_id(m_s, skip_separators(m_s, end))) continue;
            return end;
        }
        return 0;
    }

    std::size_t skip_spaces(std::size_t at) const {
        while (at < m_s.size() && is_space(m_s[at])) ++at;
        return at;
    }

    std::size_t skip_part_separators(std::size_t at) const {
        for (;;) {
            at = skip_separators(m_s, at);
            if (at < m_s.size() && (m_s[at] == '[' || m_s[at] == ']' || m_s[at] == '(' || m_s[at] == ')' ||
                                    m_s[at] == ';')) {
                ++at;
                continue;
            }
            if (m_s.substr(at, 3) == "、" || m_s.substr(at, 3) == "，") {
                at += 3;
                continue;
            }
            return at;
        }
    }

    // Ids separated by ',', '、', spaces or "and": "T004, T005", "T004、T005". Returns the end.
    std::size_t read_id_list(std::size_t at, std::vector<std::string>& ids) {
        std::size_t end = at;
        for (std::size_t p = at;;) {
            std::size_t length = read_task_id(m_s, p);
            if (!length) break;
            ids.push_back(normalize_id(m_s.substr(p, length)));
            end = p + length;
            p = skip_spaces(end);
            std::size_t after = skip_word(p, {",", "、", "，", "and ", "和", "/"});
            p = skip_spaces(after);
        }
        return end;
    }

    std::size_t read_one_id(std::size_t at, std::string& id) {
        std::size_t length = read_task_id(m_s, at);
        if (!length) return at;
        id = normalize_id(m_s.substr(at, length));
        return at + length;
    }

    // A person at `at`: "@display" (a mention the adapter resolved, else m_error =
    // "unknown_person") or a bare name or id up to the next space ("小红", "u_hong"), kept in
    // person_name for the caller to resolve. False when nothing names a person.
    bool read_person(std::size_t at, Command& command, std::size_t& end) {
        if (at >= m_s.size()) return false;
        if (m_s[at] == '@') {
            std::string person;
            if (read_mention(at, person, end) && !person.empty()) {
                command.person = std::move(person);
                return true;
            }
            std::size_t stop = at + 1;
            while (stop < m_s.size() && !is_space(m_s[stop])) ++stop;
            command.person_name = std::string(grammar::trim_segment(original_between(at + 1, stop)));
            m_error = "unknown_person";
            end = stop;
            return true;
        }
        std::size_t stop = at;
        while (stop < m_s.size() && !is_space(m_s[stop]) && m_s[stop] != '[' && m_s[stop] != ',') ++stop;
        std::size_t probe = 0;
        if (stop == at || read_date(at, probe) || label_at(at, k_after_labels, true) ||
            label_at(at, k_module_labels, true) || label_at(at, k_project_labels, true))
            return false;
        command.person_name = std::string(grammar::trim_segment(original_between(at, stop)));
        end = stop;
        return !command.person_name.empty();
    }

    std::string_view original_between(std::size_t folded_begin, std::size_t folded_end) const {
        std::size_t begin = m_folded.origin[std::min(folded_begin, m_s.size())];
        std::size_t end = m_folded.origin[std::min(folded_end, m_s.size())];
        begin = std::min(begin, m_result.text.size());
        end = std::clamp(end, begin, m_result.text.size());
        return std::string_view(m_result.text).substr(begin, end - begin);
    }

    ParsedLine fail_missing(std::vector<std::string> missing, CommandKind kind) {
        m_result.missing = std::move(missing);
        return fail("missing_parts", kind);
    }

    // The longest date at `at` that ends at a word boundary ("12/50" is not "12/5" + "0").
    std::optional<Date> read_date(std::size_t at, std::size_t& end) {
        std::size_t limit = std::min(m_s.size(), at + k_max_date_bytes);
        for (std::size_t stop = limit; stop > at; --stop) {
            if (stop < m_s.size() && (static_cast<unsigned char>(m_s[stop]) & 0xC0) == 0x80) continue;
            if (stop < m_s.size() && is_ascii_alnum(m_s[stop]) && is_ascii_alnum(m_s[stop - 1])) continue;
            if (std::optional<Date> date = parse_chat_date(m_s.substr(at, stop - at), m_context.today)) {
                end = stop;
                return date;
            }
        }
        return std::nullopt;
    }

    // Text after the report labels: the lead is the reason when no label names one, else a note.
    static void fill_report(Command& command, grammar::Segments segments) {
        command.reason = std::move(segments.reason);
        command.impact = std::move(segments.impact);
        command.remedy = std::move(segments.remedy);
        command.cause_kind = segments.cause_kind;
        if (command.reason.empty()) {
            command.reason = std::move(segments.lead);
            if (CauseKind kind = grammar::take_cause_kind(command.reason); kind != CauseKind::unknown)
                command.cause_kind = kind;
        } else {
            command.note = std::move(segments.lead);
        }
    }

    // "@小明 的任务", "@小明的任务", "@Bob tasks".
    ParsedLine read_mention_first(std::size_t at) {
        std::string person;
        std::size_t end = 0;
        bool known = read_mention(at, person, end);
        if (!known)
            for (end = at + 1; end < m_s.size() && !is_space(m_s[end]) && m_s.substr(end, 3) != "的";) ++end;
        std::size_t rest = skip_separators(m_s, end);
        if (m_s.substr(rest, 3) == "的") rest = skip_separators(m_s, rest + 3);
        std::size_t keyword_end = 0;
        const grammar::Keyword* keyword = grammar::match_keyword(m_s, rest, keyword_end);
        if (!keyword || keyword->without_task != CommandKind::my_tasks || !only_trailing_noise(m_s.substr(keyword_end))) {
            // "@经理 T003 完成了": a command addressed to someone; the sender still reports it.
            std::size_t next = skip_separators(m_s, end);
            if (next < m_s.size() && next > at && m_s[next] != '@' && read_task_id(m_s, next)) return read_from(next);
            return unknown();
        }
        if (!known || person.empty()) return fail("unknown_person", CommandKind::my_tasks);
        Command command = make(CommandKind::my_tasks);
        command.target_person = std::move(person);
        return finish(std::move(command));
    }

    ParsedLine read_my_tasks(std::size_t at) {
        Command command = make(CommandKind::my_tasks);
        if (at < m_s.size() && m_s[at] == '@') {
            std::size_t end = 0;
            if (!read_mention(at, command.target_person, end) || command.target_person.empty())
                return fail("unknown_person", CommandKind::my_tasks);
            at = end;
        }
        if (!only_trailing_noise(m_s.substr(at))) return unknown();
        return finish(std::move(command));
    }

    // "@display" at `at` (the '@'), matched against the context's mentions, longest first.
    // Returns false when it names nobody the adapter resolved.
    bool read_mention(std::size_t at, std::string& person_id, std::size_t& end) const {
        std::size_t best = 0;
        for (const Mention& mention : m_context.mentions) {
            std::string display = grammar::fold(grammar::sanitize_utf8(mention.display)).folded;
            if (display.empty() || display.size() <= best) continue;
            if (m_s.substr(at + 1, display.size()) != display) continue;
            std::size_t after = at + 1 + display.size();
            if (after < m_s.size() && is_ascii_alnum(m_s[after]) && is_ascii_alnum(display.back())) continue;
            best = display.size();
            person_id = mention.person_id;
            end = after;
        }
        return best > 0;
    }

    ParsedLine read_help(std::size_t at) {
        Command command = make(CommandKind::help);
        std::string_view topic = grammar::trim_spaces(m_s.substr(at));
        // At most 64 bytes, cut on a character boundary (the text is valid UTF-8 here).
        std::size_t cut = std::min<std::size_t>(topic.size(), 64);
        while (cut > 0 && cut < topic.size() && (static_cast<unsigned char>(topic[cut]) & 0xC0) == 0x80) --cut;
        if (!only_trailing_noise(topic)) command.help_topic = grammar::help_topic(topic.substr(0, cut));
        return finish(std::move(command));
    }

    Command with_note(CommandKind kind, std::size_t at) {
        Command command = make(kind);
        at = skip_separators(m_s, at);
        if (kind == CommandKind::done || kind == CommandKind::start) at = skip_word(at, {"了", "啦"});
        command.note = grammar::trim_segment(original_from(at));
        command.evidence = grammar::first_url(command.note);
        return command;
    }

    std::size_t skip_word(std::size_t at, std::initializer_list<std::string_view> words) const {
        for (std::string_view word : words)
            if (m_s.substr(at, word.size()) == word) return at + word.size();
        return at;
    }

    std::string_view original_from(std::size_t folded_at) const {
        std::size_t begin = m_folded.origin[std::min(folded_at, m_s.size())];
        return std::string_view(m_result.text).substr(std::min(begin, m_result.text.size()));
    }

    Command make(CommandKind kind) const {
        Command command;
        command.kind = kind;
        command.task_id = m_task_id;
        return command;
    }

    ParsedLine finish(Command command) {
        m_result.command = std::move(command);
        return std::move(m_result);
    }

    ParsedLine fail(std::string error, std::optional<CommandKind> kind) {
        m_result.error = std::move(error);
        CommandKind example = kind ? *kind : CommandKind::help;
        m_result.suggestion = grammar::example_command(example, m_result.language, m_task_id, m_percent);
        return std::move(m_result);
    }

    // Nothing readable: suggest the command whose word is nearest to one in the line.
    ParsedLine unknown() {
        for (std::size_t at = 0; at < m_s.size() && m_task_id.empty(); ++at)
            if (std::size_t length = read_task_id(m_s, at)) m_task_id = normalize_id(m_s.substr(at, length));
        for (std::size_t at = 0; at < m_s.size() && !m_percent; ++at)
            if ((at == 0 || !(is_ascii_alnum(m_s[at - 1]) || m_s[at - 1] == '-' || m_s[at - 1] == '/')) &&
                is_ascii_digit(m_s[at]))
                if (Percent percent = read_percent(m_s, at); percent.found) m_percent = percent.value;
        std::optional<CommandKind> nearest = grammar::nearest_command(m_s, !m_task_id.empty());
        if (!nearest && !m_task_id.empty()) nearest = CommandKind::progress;
        return fail("unknown_command", nearest);
    }

    const ParseContext& m_context;
    grammar::FoldedText m_folded;
    std::string_view m_s;  // m_folded.folded
    ParsedLine m_result;
    std::string m_task_id;
    std::optional<int> m_percent;
    std::string m_error;  // set by a part reader that found something wrong ("unknown_person")
};

ParsedLine too_long(std::string_view line) {
    ParsedLine result;
    std::string preview = grammar::sanitize_utf8(line.substr(0, k_too_long_preview_bytes));
    result.language = grammar::contains_cjk(preview) ? Locale::zh_cn : Locale::en;
    // The cut may split a character; sanitize_utf8 turned the tail into U+FFFD.
    result.text = std::move(preview) + "…";
    result.error = "too_long";
    return result;
}

}  // namespace

ParsedLine parse_line(std::string_view line, const ParseContext& context) {
    if (line.size() > k_max_line_bytes) return too_long(line);
    std::string text = remove_bot_mentions(grammar::sanitize_utf8(line), context.bot_names);
    LineReader reader(std::move(text), context);
    return reader.read();
}

std::vector<ParsedLine> parse_message(std::string_view text, const ParseContext& context) {
    std::vector<ParsedLine> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find_first_of("\r\n", start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        ParsedLine parsed = parse_line(line, context);
        if (parsed.error == "empty") continue;  // blank, or only the bot's name
        if (lines.size() == k_max_lines) {
            ParsedLine rest;
            rest.error = "too_many_lines";
            rest.language = lines.front().language;
            lines.push_back(std::move(rest));
            break;
        }
        lines.push_back(std::move(parsed));
    }
    if (lines.empty()) {
        ParsedLine empty;
        empty.error = "empty";
        empty.suggestion = grammar::example_command(CommandKind::help, Locale::zh_cn, "", std::nullopt);
        lines.push_back(std::move(empty));
    }
    return lines;
}

}  // namespace core
