#include "core/team_answers.h"

namespace core::team_answers {
namespace {

bool zh(Locale locale) { return locale == Locale::zh_cn; }

std::string names(const std::vector<ProjectName>& projects, Locale locale) {
    std::string out;
    for (const auto& p : projects)
        out += (out.empty() ? "" : (zh(locale) ? "、" : ", ")) + p.id +
               (p.name.empty() || p.name == p.id ? "" : (zh(locale) ? "（" + p.name + "）" : " (" + p.name + ")"));
    return out;
}

std::string list(const std::vector<std::string>& items, Locale locale) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : (zh(locale) ? "、" : ", ")) + item;
    return out;
}

std::string schedule(const ChatEntry& chat, const std::string& zone, Locale locale) {
    return zh(locale) ? "日报在每个工作日 " + format_time_of_day(chat.digest_time) + "（" + zone + "）发到这里"
                      : "the digest comes here every working day at " + format_time_of_day(chat.digest_time) + " (" +
                            zone + ")";
}

}  // namespace

std::string bound(const std::vector<ProjectName>& added, const ChatEntry& chat, const std::string& zone, Locale locale) {
    if (zh(locale))
        return "✅ 本群已绑定 " + names(added, locale) + "。从现在起可以在群里更新任务（如“T003 进度 60%”），" +
               schedule(chat, zone, locale) + "；发送“设置 日报 09:30”可以改时间。";
    return "✅ This chat is now bound to " + names(added, locale) +
           ". Updates typed here (\"update T003 60%\") count from now on, and " + schedule(chat, zone, locale) +
           "; \"set digest 09:30\" changes the time.";
}

std::string unbound(const std::vector<ProjectName>& removed, bool nothing_left, Locale locale) {
    if (zh(locale))
        return "已解绑 " + names(removed, locale) + "。" +
               (nothing_left ? "本群不再绑定任何项目，不会再收到日报和提醒。" : "");
    return "Unbound " + names(removed, locale) + "." +
           (nothing_left ? " This chat is bound to no project now and gets no more digests or reminders." : "");
}

std::string not_bound_to(const std::string& project_id, Locale locale) {
    return zh(locale) ? "本群没有绑定 " + project_id + "，没有改动。" : "This chat is not bound to " + project_id + "; nothing changed.";
}

std::string bound_projects(const std::vector<ProjectName>& projects, const ChatEntry& chat, const std::string& zone,
                           Locale locale) {
    if (projects.empty())
        return zh(locale) ? "本群还没有绑定项目。管理员或项目负责人发送“绑定 P1”即可绑定。"
                          : "This chat is not bound to a project yet. An admin or a project's owner can send \"bind P1\".";
    std::string quiet = chat.quiet_hours ? format_quiet_hours(*chat.quiet_hours) : (zh(locale) ? "无" : "none");
    if (zh(locale))
        return "本群绑定的项目：" + names(projects, locale) + "。" + schedule(chat, zone, locale) + "，提醒 " +
               format_time_of_day(chat.reminder_time) + "，免打扰 " + quiet + "。";
    return "This chat is bound to " + names(projects, locale) + "; " + schedule(chat, zone, locale) + ", the reminder at " +
           format_time_of_day(chat.reminder_time) + ", quiet hours " + quiet + ".";
}

std::string bot_added(Locale locale) {
    return zh(locale) ? "👋 大家好，我是项目进度助手。管理员或项目负责人发送“绑定 项目编号”（例如“绑定 P1”）把本群绑定到项目，"
                        "之后就可以在群里更新任务（“T003 进度 60%”），每天早上我会发日报。发送“帮助”查看全部命令。"
                      : "👋 Hi, I track the campaign plan here. An admin or a project's owner sends \"bind <project id>\" "
                        "(for example \"bind P1\") to bind this chat; then updates typed here (\"update T003 60%\") count "
                        "and a digest comes every morning. Send \"help\" for every command.";
}

std::string no_such_project(const std::string& id, const std::vector<std::string>& known, Locale locale) {
    if (zh(locale))
        return "没有项目 " + id + "，没有改动。" +
               (known.empty() ? "还没有导入任何项目（trackerctl import）。" : "已有的项目：" + list(known, locale) + "。");
    return "There is no project " + id + "; nothing changed. " +
           (known.empty() ? "No project is imported yet (trackerctl import)." : "Projects: " + list(known, locale) + ".");
}

std::string not_allowed(const std::string& action, const std::vector<std::string>& who, Locale locale) {
    if (zh(locale))
        return "只有管理员或项目负责人可以" + action + "，没有改动。" + (who.empty() ? "" : "请联系 " + list(who, locale) + "。");
    return "Only an admin or the project's owner can " + action + "; nothing changed." +
           (who.empty() ? "" : " Ask " + list(who, locale) + ".");
}

std::string setting_changed(ChatSetting setting, const std::string& value, const std::string& zone, Locale locale) {
    const bool z = zh(locale);
    switch (setting) {
        case ChatSetting::digest_time:
            return z ? "已设置：日报在每个工作日 " + value + "（" + zone + "）发出。"
                     : "Set: the digest comes every working day at " + value + " (" + zone + ").";
        case ChatSetting::reminder_time:
            return z ? "已设置：更新提醒时间 " + value + "（" + zone + "）。" : "Set: the update reminder at " + value + " (" + zone + ").";
        case ChatSetting::weekly_time:
            return z ? "已设置：周报时间 " + value + "（" + zone + "）。" : "Set: the weekly review at " + value + " (" + zone + ").";
        case ChatSetting::timezone:
            return z ? "已设置：本群时区 " + value + "，日报和提醒按这个时区发送。"
                     : "Set: this chat's time zone is " + value + "; digests and reminders follow it.";
        case ChatSetting::language:
            return value == "en" ? "Set: this chat's language is English." : "已设置：本群语言为中文。";
        case ChatSetting::quiet_hours:
            return z ? (value == "off" ? "已关闭免打扰。" : "已设置：免打扰 " + value + "，这段时间不推送（升级提醒除外）。")
                     : (value == "off" ? "Quiet hours are off." : "Set: quiet hours " + value + "; nothing is pushed then except escalations.");
    }
    return "";
}

std::string setting_unreadable(const std::string& word, const std::string& value, Locale locale) {
    if (zh(locale))
        return "看不懂“设置 " + word + " " + value + "”，没有改动。例如：设置 日报 09:30、设置 提醒 17:00、设置 周报 周一 09:30、"
               "设置 时区 Asia/Tokyo、设置 语言 en、设置 免打扰 22:00-08:00。";
    return "I could not read \"set " + word + " " + value + "\"; nothing changed. For example: set digest 09:30, set "
           "reminder 17:00, set weekly MON 09:30, set timezone Asia/Tokyo, set language zh, set quiet 22:00-08:00.";
}

std::string identified_as(const std::string& name, Locale locale) {
    return zh(locale) ? "已识别为 " + name + "。" : "Recognised you as " + name + ".";
}

std::string unlinked_sender(Locale locale) {
    return zh(locale) ? "🙋 我还不知道你是项目里的哪位成员，所以没有改动。请发送“我是 你的姓名”，由管理员或项目负责人确认后即可更新。"
                      : "🙋 I don't know which team member you are yet, so nothing changed. Send \"I am <your name>\"; once "
                        "an admin or the project's owner confirms, your updates count.";
}

std::string no_such_person(const std::string& name, Locale locale) {
    return zh(locale) ? "项目成员里没有 " + name + "，没有改动。请用计划表里的姓名。"
                      : "No team member is called " + name + "; nothing changed. Use the name in the plan.";
}

std::string several_people(const std::string& name, const std::vector<std::string>& ids, Locale locale) {
    return zh(locale) ? "有多位成员叫 " + name + "（" + list(ids, locale) + "），请用编号，没有改动。"
                      : "Several people are called " + name + " (" + list(ids, locale) + "); use the id. Nothing changed.";
}

std::string person_already_linked(const std::string& name, Locale locale) {
    return zh(locale) ? name + " 已经绑定了账号，不能再认领，没有改动。如有错误，请管理员发送“解除 " + name + "”。"
                      : name + " is already linked to an account and cannot be claimed; nothing changed. If that is "
                               "wrong, an admin can send \"unlink " + name + "\".";
}

std::string account_already_linked(const std::string& name, Locale locale) {
    return zh(locale) ? "你的账号已经绑定为 " + name + "，没有改动。" : "Your account is already linked as " + name + "; nothing changed.";
}

std::string claim_asked(const std::string& claimant, const std::string& name, const std::vector<std::string>& confirmers,
                        Locale locale) {
    if (zh(locale))
        return claimant + " 说自己是 " + name + "。" + (confirmers.empty() ? std::string("管理员") : list(confirmers, locale)) +
               " 请回复“确认 " + name + "”；确认之前不会有改动。";
    return claimant + " says they are " + name + ". " + (confirmers.empty() ? std::string("An admin") : list(confirmers, locale)) +
           ", please reply \"confirm " + name + "\"; nothing changes until then.";
}

std::string no_pending_claim(const std::string& name, Locale locale) {
    return zh(locale) ? "没有人认领 " + name + "，没有改动。" : "Nobody has claimed to be " + name + "; nothing changed.";
}

std::string several_claims(const std::string& name, Locale locale) {
    return zh(locale) ? "有不止一个账号认领了 " + name + "，没有改动。请回复“确认 @账号 " + name + "”指明是哪一个。"
                      : "More than one account claimed to be " + name + "; nothing changed. Reply \"confirm @account " +
                            name + "\" to say which.";
}

std::string account_taken(const std::string& holder, Locale locale) {
    return zh(locale) ? "这个账号已经绑定为 " + holder + "，没有改动。如有错误，请管理员先发送“解除 " + holder + "”。"
                      : "That account is already linked as " + holder + "; nothing changed. If that is wrong, an admin "
                        "can send \"unlink " + holder + "\" first.";
}

std::string not_in_projects(const std::string& name, Locale locale) {
    return zh(locale) ? name + " 不是本群项目的成员，没有改动。请用本群项目计划里的姓名。"
                      : name + " is not on this chat's projects; nothing changed. Use a name from the plan.";
}

std::string linked(const std::string& account, const std::string& name, Locale locale) {
    return zh(locale) ? "✅ 已将 " + account + " 绑定为 " + name + "，之后的更新会记在 " + name + " 名下。"
                      : "✅ Linked " + account + " as " + name + "; their updates count as " + name + "'s from now on.";
}

std::string unlinked(const std::string& name, Locale locale) {
    return zh(locale) ? "已解除 " + name + " 的账号绑定。" : "Unlinked " + name + "'s account.";
}

std::string not_linked(const std::string& name, Locale locale) {
    return zh(locale) ? name + " 在这个平台上没有绑定账号，没有改动。" : name + " has no account linked on this platform; nothing changed.";
}

std::string claim_needs_bound_chat(Locale locale) {
    return zh(locale) ? "本群还没有绑定项目，不能在这里认领身份，没有改动。请先让管理员发送“绑定 P1”。"
                      : "This chat is bound to no project, so identities cannot be claimed here; nothing changed. Ask "
                        "an admin to send \"bind P1\" first.";
}

}  // namespace core::team_answers
