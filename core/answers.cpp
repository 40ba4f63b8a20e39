#include "core/answers.h"

namespace core::answers {
namespace {

bool is_zh(Locale locale) { return locale == Locale::zh_cn; }

}  // namespace

std::vector<std::string> web_view_links(LinkState state, const std::vector<ProjectLink>& links, long long hours,
                                        Locale locale, const Markup& markup) {
    const bool zh = is_zh(locale);
    if (state == LinkState::off)
        return {zh ? "网页看板没有开启(配置 web.enabled)。" : "The web view is turned off (config web.enabled)."};
    if (state == LinkState::no_public_url)
        return {zh ? "还不能发送看板链接:请管理员在配置里设置 web.public_url(trackerd 的对外地址)。"
                   : "I cannot send web view links yet: an admin must set web.public_url (trackerd's public address) "
                     "in the config."};
    std::vector<std::string> answer;
    for (const auto& link : links)
        answer.push_back(markup.bold(link.title) + (zh ? " 看板(" : " web view (") + std::to_string(hours) +
                         (zh ? " 小时内有效):" : " h): ") + link.url + (zh ? "&lang=zh-CN" : "&lang=en"));
    return answer;
}

std::vector<std::string> export_links(LinkState state, const std::vector<ProjectLink>& links, long long hours,
                                      Locale locale, const Markup& markup) {
    const bool zh = is_zh(locale);
    if (state == LinkState::off)
        return {zh ? "下载链接没有开启（配置 web.enabled）。可以在服务器上用 `trackerctl export --xlsx 文件名` 导出。"
                   : "Download links are turned off (config web.enabled). `trackerctl export --xlsx FILE` exports on "
                     "the server."};
    if (state == LinkState::no_public_url)
        return {zh ? "还不能发送下载链接：请管理员在配置里设置 web.public_url（trackerd 的对外地址）。也可以在服务器上用 "
                     "`trackerctl export --xlsx 文件名` 导出。"
                   : "I cannot send download links yet: an admin must set web.public_url (trackerd's public address) in "
                     "the config. `trackerctl export --xlsx FILE` exports on the server."};
    std::vector<std::string> answer;
    const std::string valid = std::to_string(hours);
    for (const auto& link : links) {
        std::string title = markup.bold(link.title);
        answer.push_back(zh ? "📊 " + title + " 的 Excel（跟踪表、进度日志、风险、KPI、周报），" + valid + " 小时内有效：" + link.url
                            : "📊 " + title + " as Excel (tracking table, progress log, risks, KPIs, weekly review), valid " +
                                  valid + " h: " + link.url + "&lang=en");
    }
    return answer;
}

std::string no_project(const std::string& project_id, Locale locale) {
    const bool zh = is_zh(locale);
    if (project_id.empty()) return zh ? "还没有项目。" : "No projects yet.";
    return zh ? "这个群没有项目 " + project_id + "。" : "This chat has no project " + project_id + ".";
}

std::string retro_already_confirmed(const std::string& title, const std::string& by, const std::string& on,
                                    Locale locale) {
    return is_zh(locale) ? title + " 的复盘已由 " + by + " 于 " + on + " 确认。"
                         : "The retrospective of " + title + " was confirmed by " + by + " on " + on + ".";
}

std::string retro_not_yours(const std::string& title, const std::string& owner, Locale locale) {
    return is_zh(locale) ? "🚫 " + title + " 的复盘由项目负责人 " + owner + "、部门负责人或管理员确认。"
                         : "🚫 The retrospective of " + title + " is confirmed by the project owner " + owner +
                               ", the department head or an admin.";
}

std::string retro_confirmed(const std::string& title, const std::string& summary, Locale locale) {
    const bool zh = is_zh(locale);
    std::string text = zh ? "✅ " + title + " 的复盘已确认，归档备查。" : "✅ The retrospective of " + title + " is confirmed and filed.";
    if (!summary.empty()) text += zh ? "总结已记录：" + summary : " Summary recorded: " + summary;
    return text;
}

std::string no_retro_waiting(Locale locale) {
    return is_zh(locale) ? "没有待确认的复盘：项目收尾（全部任务完成或项目关闭）后会自动发出复盘草稿。"
                         : "No retrospective is waiting: a draft is sent when a project closes (every task done, "
                           "or the project closed).";
}

std::string open_tasks_title(const std::string& person_name, Locale locale) {
    return (is_zh(locale) ? "进行中的任务 · " : "Open tasks · ") + person_name;
}
std::string late_tasks_title(Locale locale) { return is_zh(locale) ? "逾期任务" : "Late tasks"; }
std::string blocked_tasks_title(Locale locale) { return is_zh(locale) ? "阻塞任务" : "Blocked tasks"; }

std::string too_many_commands(int retry_after_seconds, Locale locale) {
    return is_zh(locale) ? "太频繁了，请 " + std::to_string(retry_after_seconds) + " 秒后再试。"
                         : "Too many commands, try again in " + std::to_string(retry_after_seconds) + " s.";
}

std::string chat_not_bound(const std::string& chat_id, Locale locale) {
    return is_zh(locale) ? "这个群还没有绑定项目，群里的更新不会被记录。管理员或项目负责人发送“绑定 项目编号”（例如“绑定 P1”）即可绑定；"
                           "也可以在服务器上运行 trackerctl chats bind " + chat_id + " P1。"
                         : "This chat is not bound to a project yet, so updates here are not recorded. An admin or the "
                           "project's owner can send \"bind <project id>\" (for example \"bind P1\") to bind it, or run "
                           "trackerctl chats bind " + chat_id + " P1 on the server.";
}

std::string web_token_invalid(Locale locale) {
    return is_zh(locale) ? "访问令牌无效。" : "The access token is not valid.";
}

std::string web_link_needed(Locale locale) {
    return is_zh(locale) ? "这个页面需要群里发出的签名链接(发送「看板」获取),或管理员的访问令牌。"
                         : "This page needs a signed link from the group chat (send \"web\") or the operator's "
                           "access token.";
}

}  // namespace core::answers
