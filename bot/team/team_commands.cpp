#include "bot/team/team_commands.h"

#include <algorithm>

#include "bot/ops/local_time.h"
#include "core/store/ledger.h"
#include "core/team_answers.h"

namespace bot {
namespace answers = core::team_answers;
using core::Locale;
using core::TeamCommandKind;

struct TeamCommands::Turn {
    const core::TeamCommand& command;
    const TeamContext& context;
    std::optional<store::ChatRecord> chat;  // as it stands before this command
    TeamResult& result;

    bool zh() const { return context.locale == Locale::zh_cn; }
    void say(std::string text) { result.answer.push_back(std::move(text)); }
    void refuse(std::string text, std::string why) {
        say(std::move(text));
        result.refusals.push_back(std::string(core::to_string(command.kind)) + ":" + std::move(why));
    }
    std::string zone() const {
        return chat && chat->chat.timezone ? *chat->chat.timezone : context.default_timezone;
    }
    bool bound() const { return chat && !chat->chat.projects.empty(); }
};

namespace {

void add_unique(std::vector<std::string>& ids, const std::string& id) {
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
}

// A person by id or by unique name; the reply for none or several is said on the turn.
core::Result<std::optional<core::Person>> person_named(store::Store& store, const std::string& name, Locale locale,
                                                       std::vector<std::string>& answer) {
    auto found = store.find_person(name);
    if (!found) {
        if (found.error().code != core::ErrorCode::conflict) return found.error();
        auto named = store.people_named(name);
        if (!named) return named.error();
        std::vector<std::string> ids;
        for (const auto& p : *named) ids.push_back(p.id);
        answer.push_back(answers::several_people(name, ids, locale));
        return std::optional<core::Person>{};
    }
    if (!*found) answer.push_back(answers::no_such_person(name, locale));
    return *found;
}

}  // namespace

core::Result<std::vector<std::string>> TeamCommands::who_can(const std::vector<std::string>& project_ids,
                                                             const TeamContext& context) {
    std::vector<std::string> ids;
    for (const auto& project : project_ids) {
        auto managers = managers_of(project, context);
        if (!managers) return managers.error();
        for (const auto& id : *managers) add_unique(ids, id);
    }
    for (const auto& id : context.admins) add_unique(ids, id);
    return mentions_of(ids, context);
}

core::Result<bool> TeamCommands::refuse_unless_manager(Turn& turn, const std::vector<std::string>& project_ids,
                                                       const char* action_zh, const char* action_en) {
    auto allowed = may_manage(project_ids, turn.context);
    if (!allowed) return allowed.error();
    if (*allowed) return false;
    auto who = who_can(project_ids, turn.context);
    if (!who) return who.error();
    turn.refuse(answers::not_allowed(turn.zh() ? action_zh : action_en, *who, turn.context.locale), "not allowed");
    return true;
}

core::Result<bool> TeamCommands::in_chat_projects(const core::Person& person, const Turn& turn) {
    if (!turn.chat) return false;
    for (const auto& project_id : turn.chat->chat.projects) {
        auto managers = managers_of(project_id, turn.context);
        if (!managers) return managers.error();
        if (std::find(managers->begin(), managers->end(), person.id) != managers->end()) return true;
        auto state = m_store.load_plan(project_id);
        if (!state) {
            if (state.error().code == core::ErrorCode::not_found) continue;
            return state.error();
        }
        if (state->people.count(person.id)) return true;
    }
    return false;
}

core::Result<void> TeamCommands::link_and_say(Turn& turn, const core::Person& person, const std::string& account) {
    const auto& context = turn.context;
    // A savepoint: a conflict undoes only this link, and the refusal is still answered.
    auto done = m_store.savepoint([&] {
        return m_store.link_account(person.id, context.platform, account, core::EntrySource::chat, source(context));
    });
    if (!done) {
        if (done.error().code != core::ErrorCode::conflict) return done.error();
        auto holder = m_store.find_person_by_platform(context.platform, account);
        if (!holder) return holder.error();
        if (*holder && (*holder)->id != person.id)
            turn.refuse(answers::account_taken((*holder)->name, context.locale), "account linked to someone else");
        else
            turn.refuse(answers::person_already_linked(person.name, context.locale), "person already linked");
        return core::ok();
    }
    turn.result.changed = true;
    core::Person linked_person = person;
    *store::account_field(linked_person, context.platform) = account;
    turn.say(answers::linked(context.markup.mention_of(linked_person), person.name, context.locale));
    return core::ok();
}

core::ChangeSource TeamCommands::source(const TeamContext& context) const {
    return core::ChangeSource{context.sender ? context.sender->id : "", context.platform, context.chat_id,
                              context.message_id, context.now_unix};
}

core::Result<std::vector<std::string>> TeamCommands::managers_of(const std::string& project_id,
                                                                 const TeamContext& context) {
    std::vector<std::string> ids;
    auto project = m_store.find_project(project_id);
    if (!project) return project.error();
    if (*project) {
        add_unique(ids, (*project)->owner);
        add_unique(ids, (*project)->department_head);
    }
    if (auto extra = context.managers.find(core::normalize_id(project_id)); extra != context.managers.end())
        for (const auto& id : extra->second) add_unique(ids, id);
    return ids;
}

core::Result<bool> TeamCommands::may_manage(const std::vector<std::string>& project_ids, const TeamContext& context) {
    if (context.is_admin) return true;
    if (!context.sender || project_ids.empty()) return false;
    for (const auto& id : project_ids) {
        auto managers = managers_of(id, context);
        if (!managers) return managers.error();
        if (std::find(managers->begin(), managers->end(), context.sender->id) == managers->end()) return false;
    }
    return true;
}

core::Result<std::vector<std::string>> TeamCommands::mentions_of(const std::vector<std::string>& person_ids,
                                                                 const TeamContext& context) {
    std::vector<std::string> out;
    for (const auto& id : person_ids) {
        auto person = m_store.find_person(id);
        if (!person) return person.error();
        out.push_back(context.markup.mention_of(*person ? **person : core::Person{id, id, "", "", "", "", "", ""}));
    }
    return out;
}

core::Result<TeamResult> TeamCommands::run(const std::vector<core::TeamCommand>& commands, const TeamContext& context) {
    TeamResult result;
    auto status = m_store.transaction([&]() -> core::Result<void> {
        result = TeamResult{};
        for (const auto& command : commands) {
            auto chat = m_store.chat(context.platform, context.chat_id);
            if (!chat) return chat.error();
            Turn turn{command, context, std::move(*chat), result};
            core::Result<void> done = core::ok();
            switch (command.kind) {
                case TeamCommandKind::bind: done = bind(turn); break;
                case TeamCommandKind::unbind: done = unbind(turn); break;
                case TeamCommandKind::list_projects: done = list(turn); break;
                case TeamCommandKind::set: done = set(turn); break;
                case TeamCommandKind::claim: done = claim(turn); break;
                case TeamCommandKind::confirm: done = confirm(turn); break;
                case TeamCommandKind::unlink: done = unlink(turn); break;
                case TeamCommandKind::link: done = link(turn); break;
            }
            if (!done) return done.error();
        }
        return core::ok();
    });
    if (!status) return status.error();
    return result;
}

core::Result<void> TeamCommands::bind(Turn& turn) {
    const auto& context = turn.context;
    std::vector<answers::ProjectName> added;
    for (const auto& id : turn.command.projects) {
        auto project = m_store.find_project(id);
        if (!project) return project.error();
        if (!*project) {
            auto all = m_store.projects();
            if (!all) return all.error();
            std::vector<std::string> known;
            for (const auto& p : *all) known.push_back(p.id);
            turn.refuse(answers::no_such_project(id, known, context.locale), "no project " + id);
            return core::ok();
        }
        added.push_back({(*project)->id, (*project)->name});
    }
    std::vector<std::string> ids;
    for (const auto& p : added) ids.push_back(p.id);
    auto refused = refuse_unless_manager(turn, ids, "绑定项目", "bind a project");
    if (!refused) return refused.error();
    if (*refused) return core::ok();
    core::ChatEntry chat = turn.chat ? turn.chat->chat : core::ChatEntry{};
    chat.platform = context.platform;
    chat.chat_id = context.chat_id;
    for (const auto& id : ids) add_unique(chat.projects, id);
    auto saved = m_store.put_chat(chat, core::EntrySource::chat, turn.chat ? turn.chat->seeded : "", source(context));
    if (!saved) return saved.error();
    // The first digest and reminder come at their next time, not at once for a time already past today.
    auto marked = mark_passed_slots(chat, ids, turn.zone(), context.now_unix);
    if (!marked) return marked.error();
    turn.result.changed = true;
    turn.say(answers::bound(added, chat, turn.zone(), context.locale));
    return core::ok();
}

core::Result<void> TeamCommands::unbind(Turn& turn) {
    const auto& context = turn.context;
    if (!turn.bound()) {
        turn.say(answers::bound_projects({}, core::ChatEntry{}, turn.zone(), context.locale));
        return core::ok();
    }
    core::ChatEntry chat = turn.chat->chat;
    std::vector<std::string> removing = turn.command.projects.empty() ? chat.projects : std::vector<std::string>{};
    for (const auto& id : turn.command.projects) {
        auto match = std::find_if(chat.projects.begin(), chat.projects.end(),
                                  [&](const std::string& p) { return core::normalize_id(p) == core::normalize_id(id); });
        if (match == chat.projects.end()) {
            turn.refuse(answers::not_bound_to(id, context.locale), "not bound to " + id);
            return core::ok();
        }
        removing.push_back(*match);
    }
    auto refused = refuse_unless_manager(turn, removing, "解绑项目", "unbind a project");
    if (!refused) return refused.error();
    if (*refused) return core::ok();
    std::vector<answers::ProjectName> removed;
    for (const auto& id : removing) {
        chat.projects.erase(std::remove(chat.projects.begin(), chat.projects.end(), id), chat.projects.end());
        removed.push_back({id, ""});
    }
    auto saved = m_store.put_chat(chat, core::EntrySource::chat, turn.chat->seeded, source(context));
    if (!saved) return saved.error();
    turn.result.changed = true;
    turn.say(answers::unbound(removed, chat.projects.empty(), context.locale));
    return core::ok();
}

core::Result<void> TeamCommands::list(Turn& turn) {
    std::vector<answers::ProjectName> projects;
    if (turn.chat)
        for (const auto& id : turn.chat->chat.projects) {
            auto project = m_store.find_project(id);
            if (!project) return project.error();
            projects.push_back({id, *project ? (*project)->name : ""});
        }
    turn.say(answers::bound_projects(projects, turn.chat ? turn.chat->chat : core::ChatEntry{}, turn.zone(),
                                     turn.context.locale));
    return core::ok();
}

core::Result<void> TeamCommands::set(Turn& turn) {
    const auto& context = turn.context;
    const auto& command = turn.command;
    if (!turn.bound()) {
        turn.refuse(answers::bound_projects({}, core::ChatEntry{}, turn.zone(), context.locale), "chat not bound");
        return core::ok();
    }
    auto refused = refuse_unless_manager(turn, turn.chat->chat.projects, "修改本群设置", "change this chat's settings");
    if (!refused) return refused.error();
    if (*refused) return core::ok();
    core::ChatEntry chat = turn.chat->chat;
    bool readable = command.setting && core::set_chat_setting(chat, *command.setting, command.value);
    if (readable && *command.setting == core::ChatSetting::timezone)  // a real zone, not only its spelling
        readable = static_cast<bool>(check_time_zone(*chat.timezone));
    if (!readable) {
        turn.refuse(answers::setting_unreadable(command.setting_word, command.value, context.locale), "unreadable setting");
        return core::ok();
    }
    auto saved = m_store.put_chat(chat, core::EntrySource::chat, turn.chat->seeded, source(context));
    if (!saved) return saved.error();
    turn.result.changed = true;
    std::string zone = chat.timezone.value_or(context.default_timezone);
    Locale reply = *command.setting == core::ChatSetting::language ? chat.locale.value_or(context.locale) : context.locale;
    turn.say(answers::setting_changed(*command.setting, core::chat_setting_text(chat, *command.setting), zone, reply));
    return core::ok();
}

core::Result<void> TeamCommands::claim(Turn& turn) {
    const auto& context = turn.context;
    if (!turn.bound()) {
        turn.refuse(answers::claim_needs_bound_chat(context.locale), "chat not bound");
        return core::ok();
    }
    if (context.sender) {
        turn.refuse(answers::account_already_linked(context.sender->name, context.locale), "account already linked");
        return core::ok();
    }
    auto person = person_named(m_store, turn.command.person, context.locale, turn.result.answer);
    if (!person) return person.error();
    if (!*person) {
        turn.result.refusals.push_back("claim:no such person");
        return core::ok();
    }
    auto member = in_chat_projects(**person, turn);
    if (!member) return member.error();
    if (!*member) {
        turn.refuse(answers::not_in_projects((*person)->name, context.locale), "not in the chat's projects");
        return core::ok();
    }
    const std::string* linked = store::account_field(**person, context.platform);
    if (linked && !linked->empty()) {
        turn.refuse(answers::person_already_linked((*person)->name, context.locale), "person already linked");
        return core::ok();
    }
    auto saved = m_store.put_claim(core::Claim{context.platform, context.account, (*person)->id, context.chat_id,
                                               context.now_unix});
    if (!saved) return saved.error();
    turn.result.changed = true;
    std::vector<std::string> confirmers;
    for (const auto& project : turn.chat->chat.projects) {
        auto managers = managers_of(project, context);
        if (!managers) return managers.error();
        for (const auto& id : *managers) add_unique(confirmers, id);
    }
    for (const auto& id : context.admins) add_unique(confirmers, id);
    auto mentions = mentions_of(confirmers, context);
    if (!mentions) return mentions.error();
    core::Person claimant{"", context.sender_name.empty() ? context.account : context.sender_name, "", "", "", "", "", ""};
    if (auto* field = store::account_field(claimant, context.platform)) *field = context.account;
    turn.say(answers::claim_asked(context.markup.mention_of(claimant), (*person)->name, *mentions, context.locale));
    if (context.platform == "slack")  // one tap for the confirmer: the press runs "confirm @account 小红" as them
        turn.result.buttons.push_back(core::Button{(turn.zh() ? "确认 " : "Confirm ") + (*person)->name, "claim_confirm",
                                                   context.account + ":" + (*person)->id});
    return core::ok();
}

core::Result<void> TeamCommands::confirm(Turn& turn) {
    const auto& context = turn.context;
    if (!turn.bound()) {
        turn.refuse(answers::claim_needs_bound_chat(context.locale), "chat not bound");
        return core::ok();
    }
    auto refused = refuse_unless_manager(turn, turn.chat->chat.projects, "确认身份", "confirm who someone is");
    if (!refused) return refused.error();
    if (*refused) return core::ok();
    auto person = person_named(m_store, turn.command.person, context.locale, turn.result.answer);
    if (!person) return person.error();
    if (!*person) {
        turn.result.refusals.push_back("confirm:no such person");
        return core::ok();
    }
    auto guarded = guard_target(turn, **person);
    if (!guarded) return guarded.error();
    if (*guarded) return core::ok();
    // Only claims made in this chat, within the week, of the account named when several are.
    auto claims = m_store.claims_for(context.platform, (*person)->id);
    if (!claims) return claims.error();
    std::vector<core::Claim> open;
    for (const auto& claim : *claims)
        if (claim.chat_id == context.chat_id && claim.at_unix >= context.now_unix - k_claim_ttl_seconds &&
            (turn.command.account.empty() || claim.account == turn.command.account))
            open.push_back(claim);
    if (open.empty()) {
        turn.refuse(answers::no_pending_claim((*person)->name, context.locale), "no pending claim");
        return core::ok();
    }
    if (open.size() > 1) {
        turn.refuse(answers::several_claims((*person)->name, context.locale), "several claims");
        return core::ok();
    }
    return link_and_say(turn, **person, open.front().account);
}

core::Result<void> TeamCommands::unlink(Turn& turn) {
    const auto& context = turn.context;
    auto refused = refuse_unless_manager(turn, turn.chat ? turn.chat->chat.projects : std::vector<std::string>{},
                                         "解除账号绑定", "unlink an account");
    if (!refused) return refused.error();
    if (*refused) return core::ok();
    auto person = person_named(m_store, turn.command.person, context.locale, turn.result.answer);
    if (!person) return person.error();
    if (!*person) {
        turn.result.refusals.push_back("unlink:no such person");
        return core::ok();
    }
    auto guarded = guard_target(turn, **person);
    if (!guarded) return guarded.error();
    if (*guarded) return core::ok();
    auto removed = m_store.unlink_account((*person)->id, context.platform, source(context));
    if (!removed) return removed.error();
    if (removed->empty()) {
        turn.refuse(answers::not_linked((*person)->name, context.locale), "not linked");
        return core::ok();
    }
    turn.result.changed = true;
    turn.say(answers::unlinked((*person)->name, context.locale));
    return core::ok();
}

core::Result<void> TeamCommands::link(Turn& turn) {
    const auto& context = turn.context;
    if (!context.is_admin) {
        auto admins = mentions_of(context.admins, context);
        if (!admins) return admins.error();
        turn.refuse(answers::not_allowed(turn.zh() ? "直接绑定账号" : "link an account directly", *admins, context.locale),
                    "not allowed");
        return core::ok();
    }
    auto person = person_named(m_store, turn.command.person, context.locale, turn.result.answer);
    if (!person) return person.error();
    if (!*person) {
        turn.result.refusals.push_back("link:no such person");
        return core::ok();
    }
    return link_and_say(turn, **person, turn.command.account);
}

core::Result<bool> TeamCommands::guard_target(Turn& turn, const core::Person& person) {
    const auto& context = turn.context;
    if (context.is_admin) return false;
    // An owner acts on the people of the chat's projects only, and never on an admin: else the
    // owner of one project could unlink an admin, have another account claim them and confirm it.
    bool admin = std::find(context.admins.begin(), context.admins.end(), person.id) != context.admins.end();
    auto member = in_chat_projects(person, turn);
    if (!member) return member.error();
    if (!admin && *member) return false;
    auto admins = mentions_of(context.admins, context);
    if (!admins) return admins.error();
    turn.refuse(answers::not_allowed(turn.zh() ? "为管理员或其他项目的成员确认或解除账号" : "confirm or unlink an admin or "
                                     "someone outside this chat's projects", *admins, context.locale),
                "target not in the chat's projects or an admin");
    return true;
}

core::Result<void> TeamCommands::mark_passed_slots(const core::ChatEntry& chat, const std::vector<std::string>& projects,
                                                   const std::string& zone, long long now_unix) {
    const core::Date today = local_date(now_unix, zone);
    const int minutes = local_minutes_of_day(now_unix, zone);
    for (const auto& project : projects) {
        for (auto [kind, time] : {std::pair{"digest", chat.digest_time}, std::pair{"reminder", chat.reminder_time}}) {
            if (minutes < time.hour * 60 + time.minute) continue;
            auto key = store::ledger::day_key(kind, chat.platform, chat.chat_id, project);
            auto last = store::ledger::last_day(m_store, key);
            if (!last) return last.error();
            if (*last && **last >= today) continue;
            auto marked = store::ledger::set_last_day(m_store, key, today);
            if (!marked) return marked.error();
        }
    }
    return core::ok();
}

}  // namespace bot
