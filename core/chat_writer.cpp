#include "core/chat_writer.h"

#include <algorithm>
#include <cmath>

namespace core {

std::string percent_text(double fraction) {
    return std::to_string(static_cast<long>(std::lround(fraction * 100))) + "%";
}

ChatWriter::ChatWriter(const ProjectState& state, Locale locale, const Markup& markup)
    : m_state(state), m_locale(locale), m_markup(markup) {}

std::string ChatWriter::pick(std::string_view zh_text, std::string_view en_text) const {
    return std::string(zh() ? zh_text : en_text);
}

std::string ChatWriter::days(int n) const {
    if (zh()) return std::to_string(n) + " 天";
    return std::to_string(n) + (n == 1 || n == -1 ? " day" : " days");
}

std::string ChatWriter::due_phrase(int days_left, Date finish) const {
    std::string when;
    if (days_left > 0) when = zh() ? days(days_left) + "后到期" : "due in " + days(days_left);
    else if (days_left == 0) when = pick("今天到期", "due today");
    else when = zh() ? "已过计划完成 " + days(-days_left) : days(-days_left) + " past planned finish";
    return when + " (" + format_short_date(finish) + ")";
}

std::string ChatWriter::mention(const std::string& person_id) {
    if (person_id.empty()) return "";
    const Person* known = m_state.find_person(person_id);
    Person person = known ? *known : Person{person_id, person_id, "", "", "", "", "", ""};
    if (m_markup.user_id) {
        std::string uid = m_markup.user_id(person);
        if (!uid.empty() && std::find(m_user_ids.begin(), m_user_ids.end(), uid) == m_user_ids.end())
            m_user_ids.push_back(uid);
    }
    return m_markup.mention_of(person);
}

std::string ChatWriter::task_ref(const std::string& id, const std::string& name, const std::string& owner) {
    std::string out = id;
    if (!name.empty()) out += " " + name;
    std::string who = mention(owner);
    if (!who.empty()) out += " " + who;
    return out;
}

std::string ChatWriter::task_name(std::string_view id) const {
    const Task* task = m_state.find_task(id);
    return task ? task->name : "";
}

std::string ChatWriter::reply_progress(const std::string& id) const {
    return zh() ? "`" + id + " 进度 60%`" : "`update " + id + " 60%`";
}

std::string ChatWriter::reply_done(const std::string& id) const {
    return zh() ? "`" + id + " 完成`" : "`done " + id + "`";
}

std::string ChatWriter::reply_unblock(const std::string& id) const {
    return zh() ? "`" + id + " 解除阻塞`" : "`unblock " + id + "`";
}

std::string ChatWriter::reply_block(const std::string& id) const {
    return zh() ? "`" + id + " 阻塞 原因`" : "`block " + id + " reason`";
}

std::string ChatWriter::reply_delay(const std::string& id) const {
    return zh() ? "`" + id + " 延期 MM-DD 原因: …`" : "`delay " + id + " to YYYY-MM-DD because …`";
}

std::string ChatWriter::list_section(const std::string& heading, const std::vector<std::string>& lines) const {
    if (lines.empty()) return "";
    std::string out = bold(heading + " (" + std::to_string(lines.size()) + ")");
    for (const auto& line : lines) out += "\n· " + line;
    return out;
}

ChatMessage write_message(const ProjectState& state, Locale locale, const Markup& markup,
                          std::string_view zh_title, std::string_view en_title,
                          const std::function<std::vector<std::string>(ChatWriter&)>& sections) {
    ChatMessage message;
    message.locale = locale;
    ChatWriter w(state, locale, markup);
    message.title = w.pick(zh_title, en_title);
    message.sections = sections(w);
    message.mention_user_ids = w.user_ids();
    Markup plain = plain_markup();
    plain.escape = markup.escape;  // the fallback is shown by the same platform
    ChatWriter pw(state, locale, plain);
    ChatMessage text_only;
    text_only.title = message.title;
    text_only.sections = sections(pw);
    message.fallback_text = text_only.joined_text();
    return message;
}

}  // namespace core
