#include "core/grammar_segments.h"

#include <array>
#include <optional>

namespace core::grammar {
namespace {

enum class Field { reason, impact, remedy, kind };

enum class Needs { colon, colon_or_space, boundary };

struct Label {
    std::string_view text;  // folded, lower-case
    Field field;
    Needs needs;
    CauseKind kind = CauseKind::unknown;
};

constexpr std::array k_labels = {
    Label{"客观原因", Field::reason, Needs::colon_or_space, CauseKind::objective},
    Label{"主观原因", Field::reason, Needs::colon_or_space, CauseKind::subjective},
    Label{"原因", Field::reason, Needs::colon_or_space},
    Label{"理由", Field::reason, Needs::colon_or_space},
    Label{"因为", Field::reason, Needs::boundary},
    Label{"由于", Field::reason, Needs::boundary},
    Label{"because", Field::reason, Needs::boundary},
    Label{"due to", Field::reason, Needs::boundary},
    Label{"objective cause", Field::reason, Needs::colon, CauseKind::objective},
    Label{"subjective cause", Field::reason, Needs::colon, CauseKind::subjective},
    Label{"reason", Field::reason, Needs::colon},
    Label{"cause", Field::reason, Needs::colon},
    Label{"影响", Field::impact, Needs::colon_or_space},
    Label{"impact", Field::impact, Needs::colon},
    Label{"补救措施", Field::remedy, Needs::colon_or_space},
    Label{"应对措施", Field::remedy, Needs::colon_or_space},
    Label{"解决方案", Field::remedy, Needs::colon_or_space},
    Label{"措施", Field::remedy, Needs::colon_or_space},
    Label{"remedy", Field::remedy, Needs::colon},
    Label{"measures", Field::remedy, Needs::colon},
    Label{"mitigation", Field::remedy, Needs::colon},
    Label{"类型", Field::kind, Needs::colon_or_space},
    Label{"性质", Field::kind, Needs::colon_or_space},
    Label{"kind", Field::kind, Needs::colon},
    Label{"type", Field::kind, Needs::colon},
};

struct CauseWord {
    std::string_view text;
    CauseKind kind;
};
constexpr std::array k_cause_words = {
    CauseWord{"客观", CauseKind::objective},   CauseWord{"主观", CauseKind::subjective},
    CauseWord{"objective", CauseKind::objective}, CauseWord{"subjective", CauseKind::subjective},
};

bool is_ascii_word(std::string_view word) { return !word.empty() && static_cast<unsigned char>(word[0]) < 0x80; }

bool separator_before(std::string_view s, std::size_t at, std::size_t from) {
    if (at <= from) return true;
    char c = s[at - 1];
    if (is_space(c) || c == ',' || c == ';' || c == '.' || c == ':') return true;
    // "，" "；" "。" "、" end in these bytes after folding (， ； are folded to ASCII already).
    return at >= 3 && (s.substr(at - 3, 3) == "。" || s.substr(at - 3, 3) == "、");
}

std::size_t skip_spaces(std::string_view s, std::size_t at) {
    while (at < s.size() && is_space(s[at])) ++at;
    return at;
}

// A "(客观)" after a label; returns the kind and moves `at` past it.
CauseKind read_parenthesised_kind(std::string_view s, std::size_t& at) {
    if (at >= s.size() || s[at] != '(') return CauseKind::unknown;
    for (const CauseWord& word : k_cause_words) {
        std::size_t end = at + 1 + word.text.size();
        if (s.substr(at + 1, word.text.size()) == word.text && end < s.size() && s[end] == ')') {
            at = end + 1;
            return word.kind;
        }
    }
    return CauseKind::unknown;
}

struct Found {
    const Label* label = nullptr;
    std::size_t value_start = 0;
    CauseKind kind = CauseKind::unknown;
};

// The label at `at`, if the text there is one.
std::optional<Found> label_at(std::string_view s, std::size_t at, std::size_t from) {
    for (const Label& label : k_labels) {
        if (s.substr(at, label.text.size()) != label.text) continue;
        std::size_t end = at + label.text.size();
        if (is_ascii_word(label.text) &&
            ((at > 0 && is_ascii_alnum(s[at - 1])) || (end < s.size() && is_ascii_alnum(s[end]))))
            continue;
        if (label.needs == Needs::boundary && !separator_before(s, at, from)) continue;
        Found found{&label, end, label.kind};
        std::size_t cursor = skip_spaces(s, end);
        if (CauseKind kind = read_parenthesised_kind(s, cursor); kind != CauseKind::unknown) found.kind = kind;
        std::size_t after = skip_spaces(s, cursor);
        if (after < s.size() && s[after] == ':') {
            found.value_start = after + 1;
        } else if (label.needs == Needs::colon) {
            continue;
        } else if (label.needs == Needs::colon_or_space && after == end && after < s.size()) {
            continue;  // "影响上线" is prose, not a label
        } else {
            found.value_start = after;
        }
        return found;
    }
    return std::nullopt;
}

std::string cut(const FoldedText& line, std::string_view original, std::size_t from, std::size_t to) {
    std::size_t begin = line.origin[from];
    std::size_t end = line.origin[to];
    if (begin > end || end > original.size()) return "";
    return trim_segment(original.substr(begin, end - begin));
}

CauseKind parse_kind_word(std::string_view text) {
    for (const CauseWord& word : k_cause_words)
        if (text.substr(0, word.text.size()) == word.text) return word.kind;
    return CauseKind::unknown;
}

}  // namespace

Segments read_segments(const FoldedText& line, std::string_view original, std::size_t from) {
    std::string_view s = line.folded;
    Segments out;
    std::array<bool, 4> seen{};
    std::optional<Field> open_field;
    std::size_t value_start = from;
    auto close = [&](std::size_t end) {
        std::string value = cut(line, original, value_start, end);
        if (!open_field) {
            out.lead = std::move(value);
            return;
        }
        switch (*open_field) {
            case Field::reason: out.reason = std::move(value); break;
            case Field::impact: out.impact = std::move(value); break;
            case Field::remedy: out.remedy = std::move(value); break;
            case Field::kind: {
                FoldedText folded = fold(value);
                if (CauseKind kind = parse_kind_word(folded.folded); kind != CauseKind::unknown) out.cause_kind = kind;
                break;
            }
        }
    };
    for (std::size_t at = from; at < s.size(); ++at) {
        std::optional<Found> found = label_at(s, at, from);
        if (!found || seen[static_cast<std::size_t>(found->label->field)]) continue;
        close(at);
        seen[static_cast<std::size_t>(found->label->field)] = true;
        open_field = found->label->field;
        if (found->kind != CauseKind::unknown) out.cause_kind = found->kind;
        value_start = found->value_start;
        at = found->value_start > at ? found->value_start - 1 : at;
    }
    close(s.size());
    if (CauseKind kind = take_cause_kind(out.reason); kind != CauseKind::unknown) out.cause_kind = kind;
    return out;
}

CauseKind take_cause_kind(std::string& text) {
    FoldedText folded = fold(text);
    std::string_view s = folded.folded;
    for (const CauseWord& word : k_cause_words) {
        if (s.substr(0, word.text.size()) != word.text) continue;
        std::size_t end = word.text.size();
        if (is_ascii_word(word.text) && end < s.size() && is_ascii_alnum(s[end])) continue;
        std::size_t rest = end;
        for (std::string_view noun : {"原因", " cause", " reason"})
            if (s.substr(rest, noun.size()) == noun) rest += noun.size();
        while (rest < s.size() && (is_space(s[rest]) || s[rest] == ',' || s[rest] == ':' || s[rest] == ';' ||
                                   s[rest] == ')' || s.substr(rest, 3) == "、"))
            rest += s.substr(rest, 3) == "、" ? 3 : 1;
        if (rest >= s.size()) return word.kind;  // the kind alone: keep it as the text too
        text = trim_segment(std::string_view(text).substr(folded.origin[rest]));
        return word.kind;
    }
    return CauseKind::unknown;
}

}  // namespace core::grammar
