#include "core/team_command.h"

#include <array>

#include "core/grammar_text.h"
#include "core/text.h"

namespace core {
namespace {

using grammar::trim_segment;
using grammar::trim_spaces;

struct Word {
    std::string_view text;
    TeamCommandKind kind;
    Locale language;
};

// Longest first where one word starts another ("unbind" before "un…", "i'm" / "i am").
constexpr std::array k_words = {
    Word{"绑定", TeamCommandKind::bind, Locale::zh_cn},        Word{"bind", TeamCommandKind::bind, Locale::en},
    Word{"解绑", TeamCommandKind::unbind, Locale::zh_cn},      Word{"unbind", TeamCommandKind::unbind, Locale::en},
    Word{"项目", TeamCommandKind::list_projects, Locale::zh_cn}, Word{"projects", TeamCommandKind::list_projects, Locale::en},
    Word{"设置", TeamCommandKind::set, Locale::zh_cn},         Word{"set", TeamCommandKind::set, Locale::en},
    Word{"我是", TeamCommandKind::claim, Locale::zh_cn},       Word{"i am", TeamCommandKind::claim, Locale::en},
    Word{"确认", TeamCommandKind::confirm, Locale::zh_cn},
    Word{"confirm", TeamCommandKind::confirm, Locale::en},     Word{"解除", TeamCommandKind::unlink, Locale::zh_cn},
    Word{"unlink", TeamCommandKind::unlink, Locale::en},       Word{"link", TeamCommandKind::link, Locale::en},
};

bool ascii_word(std::string_view w) { return !w.empty() && static_cast<unsigned char>(w.front()) < 0x80; }

// Splits on ASCII and full-width spaces and commas.
std::vector<std::string> tokens(std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) out.push_back(current);
        current.clear();
    };
    for (std::size_t i = 0; i < text.size();) {
        for (std::string_view sep : {"　", "，", "、"})
            if (text.substr(i).starts_with(sep)) {
                flush();
                i += sep.size();
                goto next;
            }
        if (text[i] == ' ' || text[i] == '\t' || text[i] == ',') {
            flush();
            ++i;
            continue;
        }
        current += text[i++];
    next:;
    }
    flush();
    return out;
}

std::string strip_at(std::string_view name) {
    name = trim_spaces(name);
    if (name.starts_with("@")) name.remove_prefix(1);
    else if (name.starts_with("＠")) name.remove_prefix(3);
    return trim_segment(name);
}

// The account of a mention that `text` starts with ("@小明 …"), and the text after it.
std::optional<std::pair<std::string, std::string_view>> leading_mention(std::string_view text,
                                                                        const std::vector<AccountMention>& mentions) {
    text = trim_spaces(text);
    for (const auto& m : mentions) {
        for (std::string prefix : {"@" + m.display, m.display}) {
            if (m.display.empty() || !text.starts_with(prefix)) continue;
            return std::pair{m.account, trim_spaces(text.substr(prefix.size()))};
        }
    }
    return std::nullopt;
}

}  // namespace

const char* to_string(TeamCommandKind kind) {
    switch (kind) {
        case TeamCommandKind::bind: return "bind";
        case TeamCommandKind::unbind: return "unbind";
        case TeamCommandKind::list_projects: return "projects";
        case TeamCommandKind::set: return "set";
        case TeamCommandKind::claim: return "claim";
        case TeamCommandKind::confirm: return "confirm";
        case TeamCommandKind::unlink: return "unlink";
        case TeamCommandKind::link: return "link";
    }
    return "projects";
}

std::optional<TeamCommand> parse_team_command(std::string_view raw, const std::vector<AccountMention>& mentions,
                                              const std::vector<std::string>& bot_names) {
    std::string line = trim_segment(raw);
    for (bool stripped = true; stripped;) {
        stripped = false;
        for (const auto& name : bot_names) {
            if (name.empty() || !std::string_view(line).starts_with(name)) continue;
            line = std::string(trim_spaces(std::string_view(line).substr(name.size())));
            stripped = true;
        }
    }
    std::string folded = lower_ascii(line);
    const Word* word = nullptr;
    for (const auto& w : k_words) {
        if (!std::string_view(folded).starts_with(w.text)) continue;
        std::string_view after = std::string_view(folded).substr(w.text.size());
        if (ascii_word(w.text) && !after.empty() && after.front() != ' ' && after.front() != '\t') continue;
        word = &w;
        break;
    }
    if (!word) return std::nullopt;
    TeamCommand command;
    command.kind = word->kind;
    command.language = word->language;
    std::string_view rest = trim_spaces(std::string_view(line).substr(word->text.size()));
    std::string rest_folded = lower_ascii(rest);
    switch (word->kind) {
        case TeamCommandKind::bind:
        case TeamCommandKind::link: {
            if (auto mention = leading_mention(rest, mentions)) {
                command.kind = TeamCommandKind::link;
                command.account = mention->first;
                command.person = strip_at(mention->second);
                if (command.person.empty() || command.account.empty()) return std::nullopt;
                return command;
            }
            if (word->kind == TeamCommandKind::link) return std::nullopt;  // "link" alone: the web view's
            for (auto& id : tokens(rest)) command.projects.push_back(normalize_id(id));
            if (command.projects.empty()) return std::nullopt;
            return command;
        }
        case TeamCommandKind::unbind:
            for (auto& id : tokens(rest)) command.projects.push_back(normalize_id(id));
            return command;
        case TeamCommandKind::list_projects:
            if (!rest.empty()) return std::nullopt;
            return command;
        case TeamCommandKind::set: {
            auto parts = tokens(rest);
            if (parts.empty()) return std::nullopt;
            command.setting_word = parts.front();
            command.setting = parse_chat_setting(parts.front());
            std::size_t at = rest.find(parts.front()) + parts.front().size();
            command.value = trim_segment(rest.substr(at));
            // "set up a call" is talk, not a setting: in English the setting must be one we know.
            if (!command.setting && (word->language == Locale::en || command.value.empty())) return std::nullopt;
            return command;
        }
        case TeamCommandKind::claim:
        case TeamCommandKind::confirm:
        case TeamCommandKind::unlink: {
            // "确认复盘" / "confirm retro" and "解除阻塞" belong to the task grammar.
            if (rest_folded.starts_with("复盘") || rest_folded.starts_with("retro") || rest_folded.starts_with("阻塞"))
                return std::nullopt;
            if (auto mention = leading_mention(rest, mentions)) {  // "确认 @account 小红"
                command.account = mention->first;
                command.person = strip_at(mention->second);
            } else {
                command.person = strip_at(rest);
            }
            if (command.person.empty() || tokens(command.person).size() > 3) return std::nullopt;
            return command;
        }
    }
    return std::nullopt;
}

std::vector<TeamCommand> parse_team_message(std::string_view text, const std::vector<AccountMention>& mentions,
                                            const std::vector<std::string>& bot_names) {
    std::vector<TeamCommand> commands;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!trim_segment(line).empty()) {
            auto command = parse_team_command(line, mentions, bot_names);
            if (!command) return {};
            commands.push_back(std::move(*command));
        }
        start = end + 1;
    }
    return commands;
}

}  // namespace core
