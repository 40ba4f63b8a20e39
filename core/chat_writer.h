#pragma once
// Internal helper of the renderers (digest.cpp, warnings.cpp, weekly.cpp): writes short phrases
// in one locale and one platform markup, and remembers the platform ids of the people it
// mentioned.
// One instance per message being rendered; not safe for concurrent use.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.h"
#include "core/model.h"

namespace core {

// "84%" from 0.84, rounded to the nearest whole percent.
std::string percent_text(double fraction);

class ChatWriter {
public:
    ChatWriter(const ProjectState& state, Locale locale, const Markup& markup);

    bool zh() const { return m_locale == Locale::zh_cn; }
    std::string pick(std::string_view zh_text, std::string_view en_text) const;
    std::string bold(std::string_view text) const { return m_markup.bold(text); }
    // What a person wrote (a reason, a cause), inert in the markup (Markup::literal).
    std::string literal(std::string_view text) const { return m_markup.literal(text); }
    std::string days(int n) const;  // "15 天" / "1 day" / "15 days"
    // "2 天后到期 (03-25)" / "due today (03-25)" / "1 day past planned finish (03-25)".
    std::string due_phrase(int days_left, Date finish) const;

    // The person's mention in the markup; an id with no Person is mentioned as Person{id, id}.
    std::string mention(const std::string& person_id);
    // "T003 创意定稿 @小明"
    std::string task_ref(const std::string& id, const std::string& name, const std::string& owner);
    // The task's name, "" when unknown.
    std::string task_name(std::string_view id) const;

    // The replies that move a task on, in the chat grammar of the locale ("`T003 进度 60%`").
    std::string reply_progress(const std::string& id) const;
    std::string reply_done(const std::string& id) const;
    std::string reply_unblock(const std::string& id) const;
    std::string reply_block(const std::string& id) const;
    std::string reply_delay(const std::string& id) const;

    // A titled list: "**逾期 (2)**\n· …\n· …"; "" when there are no lines.
    std::string list_section(const std::string& heading, const std::vector<std::string>& lines) const;

    const ProjectState& state() const { return m_state; }
    const std::vector<std::string>& user_ids() const { return m_user_ids; }

private:
    const ProjectState& m_state;
    Locale m_locale;
    const Markup& m_markup;
    std::vector<std::string> m_user_ids;  // platform ids of everyone mentioned, first mention first
};

// A message whose sections `sections` writes with mentions in `markup` (their platform ids
// collected), and its fallback_text written again with plain markup. Titles pick by locale.
ChatMessage write_message(const ProjectState& state, Locale locale, const Markup& markup,
                          std::string_view zh_title, std::string_view en_title,
                          const std::function<std::vector<std::string>(ChatWriter&)>& sections);

}  // namespace core
