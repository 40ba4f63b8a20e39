#pragma once
// The bot's own sentences that are not replies to a task change (replies.h has those): links to
// the web view and the Excel download, the retrospective's confirmation, list titles, the
// command limit's notice, the unbound chat's hint — every one in zh-CN and en, here and nowhere
// else. Pure functions; safe for concurrent use.

#include <string>
#include <vector>

#include "core/message.h"

namespace core::answers {

// Whether links can be sent: the web view off (web.enabled), on without web.public_url, or ready.
enum class LinkState { off, no_public_url, ready };

struct ProjectLink {
    std::string title;  // the project's name (or id), as it should read
    std::string url;    // the signed absolute link, "" when the state is not ready
};

// "看板" / "web": a line per project (valid `hours`), or what to configure.
std::vector<std::string> web_view_links(LinkState state, const std::vector<ProjectLink>& links, long long hours,
                                        Locale locale, const Markup& markup);
// "导出" / "export": a line per project with its workbook link (valid `hours`), or what to
// configure and that `trackerctl export --xlsx` works without it.
std::vector<std::string> export_links(LinkState state, const std::vector<ProjectLink>& links, long long hours,
                                      Locale locale, const Markup& markup);

// No project at all (`project_id` ""), or none of that id in this chat.
std::string no_project(const std::string& project_id, Locale locale);

// "确认复盘": `title` already in the markup, `by`/`owner` as mentions, `on` an ISO date.
std::string retro_already_confirmed(const std::string& title, const std::string& by, const std::string& on,
                                    Locale locale);
std::string retro_not_yours(const std::string& title, const std::string& owner, Locale locale);
std::string retro_confirmed(const std::string& title, const std::string& summary, Locale locale);
std::string no_retro_waiting(Locale locale);

// Titles of "我的任务" / "逾期" / "阻塞" lists, before " · <project>".
std::string open_tasks_title(const std::string& person_name, Locale locale);
std::string late_tasks_title(Locale locale);
std::string blocked_tasks_title(Locale locale);

// The command limit's one notice per stretch.
std::string too_many_commands(int retry_after_seconds, Locale locale);
// A group bound to no project.
std::string chat_not_bound(const std::string& chat_id, Locale locale);

// The web view's refusals: a token that is not the operator's; no token and no signed link.
std::string web_token_invalid(Locale locale);
std::string web_link_needed(Locale locale);

}  // namespace core::answers
