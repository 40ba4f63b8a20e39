// Store, the team directory: chats, people's entries, account links and claims
// (directory_store.h).
#include "core/store/store.h"
#include "core/store/rows.h"

namespace store {

using core::ErrorCode;
using core::make_error;
using detail::AuditContext;
using detail::StatementCache;
using detail::text;

std::string* account_field(core::Person& person, std::string_view platform) {
    if (platform == "slack") return &person.slack;
    if (platform == "feishu") return &person.feishu;
    if (platform == "dingtalk") return &person.dingtalk;
    return nullptr;
}

const std::string* account_field(const core::Person& person, std::string_view platform) {
    return account_field(const_cast<core::Person&>(person), platform);
}

std::string normalize_mobile(std::string_view mobile) {
    std::string digits;
    for (char c : mobile)
        if (c >= '0' && c <= '9') digits += c;
    bool plus = mobile.find('+') != std::string_view::npos;
    if (digits.size() == 13 && digits.starts_with("86") && (plus || digits[2] == '1')) digits.erase(0, 2);
    return digits;
}

namespace {

#define TRACKERD_CHAT_COLUMNS                                                                                 \
    "SELECT platform, chat_id, projects, locale, timezone, webhook_url, digest_time, reminder_time, weekly_time," \
    " quiet_hours, source, seeded, updated_at FROM chats "

ChatRecord chat_row(sql::Statement& s) {
    ChatRecord r;
    r.chat.platform = text(s, 0);
    r.chat.chat_id = text(s, 1);
    r.chat.projects = detail::split_list(text(s, 2));
    r.chat.locale = core::parse_locale(text(s, 3));
    if (auto zone = text(s, 4); !zone.empty()) r.chat.timezone = zone;
    r.chat.webhook_url = text(s, 5);
    if (auto t = core::parse_time_of_day(text(s, 6))) r.chat.digest_time = *t;
    if (auto t = core::parse_time_of_day(text(s, 7))) r.chat.reminder_time = *t;
    if (auto w = core::parse_weekly_time(text(s, 8))) r.chat.weekly_time = *w;
    r.chat.quiet_hours = core::parse_quiet_hours(text(s, 9));  // "off" reads as none
    r.source = core::parse_entry_source(text(s, 10)).value_or(core::EntrySource::config);
    r.seeded = text(s, 11);
    r.updated_at = s.getColumn(12).getInt64();
    return r;
}

detail::Fields chat_fields(const core::ChatEntry& c) {
    using core::ChatSetting;
    std::string projects;  // "P1,P2" as people read it, not the list encoding
    for (const auto& id : c.projects) projects += (projects.empty() ? "" : ",") + id;
    // A robot's webhook URL holds its token: the trail keeps its host only.
    std::string webhook = c.webhook_url.empty() ? "" : c.webhook_url.substr(0, c.webhook_url.find('/', c.webhook_url.find("//") + 2)) + "/…";
    detail::Fields fields{{"projects", projects}, {"webhook_url", webhook}};
    for (auto setting : {ChatSetting::language, ChatSetting::timezone, ChatSetting::digest_time,
                         ChatSetting::reminder_time, ChatSetting::weekly_time, ChatSetting::quiet_hours})
        fields.emplace_back(core::to_string(setting), core::chat_setting_text(c, setting));
    return fields;
}

std::string chat_key(std::string_view platform, std::string_view chat_id) {
    return std::string(platform) + ":" + std::string(chat_id);
}

std::optional<ChatRecord> read_chat(StatementCache& cache, std::string_view platform, std::string_view chat_id) {
    return detail::select_first(cache, TRACKERD_CHAT_COLUMNS "WHERE platform = ?1 AND chat_id = ?2", chat_row,
                                platform, chat_id);
}

PersonRecord person_record_row(sql::Statement& s) {
    PersonRecord r;
    r.person = detail::person_row(s);
    r.source = core::parse_entry_source(text(s, 8)).value_or(core::EntrySource::plan);
    r.seeded = text(s, 9);
    return r;
}

#define TRACKERD_PERSON_RECORD_COLUMNS "SELECT " TRACKERD_PERSON_FIELDS ", source, seeded FROM people "

void write_entry_source(StatementCache& cache, std::string_view id, core::EntrySource source, std::string_view seeded) {
    detail::execute(cache,
                    "UPDATE people SET source = ?2, seeded = ?3 WHERE id = ?1",
                    id, core::to_string(source), seeded);
}

// A link made at run time keeps what the config file last said of the person (`seeded`), so the
// next reload of an unchanged file leaves the link alone.
void write_source_only(StatementCache& cache, std::string_view id, core::EntrySource source) {
    detail::execute(cache, "UPDATE people SET source = ?2 WHERE id = ?1", id, core::to_string(source));
}

core::Claim claim_row(sql::Statement& s) {
    core::Claim c;
    detail::read_columns(s, c.platform, c.account, c.person_id, c.chat_id, c.at_unix);
    return c;
}

#define TRACKERD_CLAIM_COLUMNS "SELECT platform, account, person_id, chat_id, at_unix FROM claims "

}  // namespace

Result<std::optional<ChatRecord>> Store::chat(std::string_view platform, std::string_view chat_id) {
    if (cache_usable())
        if (auto hit = m_cache->chat(platform, chat_id)) return *hit;
    std::lock_guard lock(m_mutex);
    return detail::guarded("read chat", [&]() -> Result<std::optional<ChatRecord>> {
        auto record = read_chat(m_impl->statements, platform, chat_id);
        if (!m_shared_dirty) m_cache->put_chat(platform, chat_id, record);
        return record;
    });
}

Result<std::vector<ChatRecord>> Store::chats() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read chats", [&]() -> Result<std::vector<ChatRecord>> {
        return detail::select_all(m_impl->statements, TRACKERD_CHAT_COLUMNS "ORDER BY platform, chat_id", chat_row);
    });
}

Result<void> Store::put_chat(const core::ChatEntry& chat, core::EntrySource source, std::string_view seeded,
                             const core::ChangeSource& by) {
    std::lock_guard lock(m_mutex);
    if (chat.platform.empty() || chat.chat_id.empty())
        return make_error(ErrorCode::invalid_argument, "a chat needs a platform and an id");
    note_shared_write();
    return detail::write_void(*this, "save chat " + chat_key(chat.platform, chat.chat_id), [&]() -> Result<void> {
        auto& cache = m_impl->statements;
        auto before = read_chat(cache, chat.platform, chat.chat_id);
        detail::execute(cache,
                        "INSERT INTO chats (platform, chat_id, projects, locale, timezone, webhook_url,"
                        " digest_time, reminder_time, weekly_time, quiet_hours, source, seeded, updated_at)"
                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
                        " ON CONFLICT (platform, chat_id) DO UPDATE SET projects = ?3, locale = ?4, timezone = ?5,"
                        " webhook_url = ?6, digest_time = ?7, reminder_time = ?8, weekly_time = ?9,"
                        " quiet_hours = ?10, source = ?11, seeded = ?12, updated_at = ?13",
                        chat.platform, chat.chat_id, detail::join_list(chat.projects),
                        chat.locale ? core::to_string(*chat.locale) : "", chat.timezone.value_or(""),
                        chat.webhook_url, core::format_time_of_day(chat.digest_time),
                        core::format_time_of_day(chat.reminder_time), core::format_weekly_time(chat.weekly_time),
                        chat.quiet_hours ? core::format_quiet_hours(*chat.quiet_hours) : "off",
                        core::to_string(source), seeded, by.at_unix);
        detail::audit_diff(cache, AuditContext{by, "", "", "chat", chat_key(chat.platform, chat.chat_id)},
                           before ? chat_fields(before->chat) : detail::Fields{}, chat_fields(chat));
        return core::ok();
    });
}

Result<bool> Store::remove_chat(std::string_view platform, std::string_view chat_id, const core::ChangeSource& by) {
    std::lock_guard lock(m_mutex);
    note_shared_write();
    return detail::write<bool>(*this, "remove chat " + chat_key(platform, chat_id), [&]() -> Result<bool> {
        auto& cache = m_impl->statements;
        auto before = read_chat(cache, platform, chat_id);
        if (!before) return false;
        detail::execute(cache, "DELETE FROM chats WHERE platform = ?1 AND chat_id = ?2", platform, chat_id);
        detail::audit_diff(cache, AuditContext{by, "", "", "chat", chat_key(platform, chat_id)},
                           chat_fields(before->chat), detail::Fields{});
        return true;
    });
}

Result<std::vector<PersonRecord>> Store::person_records() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read people", [&]() -> Result<std::vector<PersonRecord>> {
        return detail::select_all(m_impl->statements, TRACKERD_PERSON_RECORD_COLUMNS "ORDER BY id", person_record_row);
    });
}

Result<std::optional<PersonRecord>> Store::person_record(std::string_view id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read person", [&]() -> Result<std::optional<PersonRecord>> {
        return detail::select_first(m_impl->statements, TRACKERD_PERSON_RECORD_COLUMNS "WHERE id = ?1",
                                    person_record_row, id);
    });
}

Result<void> Store::put_person(const core::Person& incoming, core::EntrySource source, std::string_view seeded,
                               const core::ChangeSource& by) {
    std::lock_guard lock(m_mutex);
    if (incoming.id.empty()) return make_error(ErrorCode::invalid_argument, "a person needs an id");
    core::Person person = incoming;
    person.mobile = normalize_mobile(person.mobile);
    note_shared_write();
    return detail::write_void(*this, "save person " + person.id, [&]() -> Result<void> {
        auto& cache = m_impl->statements;
        for (auto platform : {"slack", "feishu", "dingtalk"}) {
            const std::string& account = *account_field(person, platform);
            if (account.empty()) continue;
            auto holder = detail::read_person_by_platform(cache, platform, account);
            if (holder && holder->id != person.id)
                return make_error(ErrorCode::conflict, std::string(platform) + " account " + account +
                                                           " is already linked to " + holder->id);
        }
        auto before = detail::read_person(cache, person.id);
        detail::write_person(cache, person);
        write_entry_source(cache, person.id, source, seeded);
        detail::audit_diff(cache, AuditContext{by, "", "", "person", person.id},
                           before ? detail::person_fields(*before) : detail::Fields{}, detail::person_fields(person));
        return core::ok();
    });
}

Result<std::vector<core::Person>> Store::people_by_contact(std::string_view email, std::string_view mobile) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("find people by contact", [&]() -> Result<std::vector<core::Person>> {
        std::vector<core::Person> found;
        auto add = [&](std::vector<core::Person> people) {
            for (auto& p : people) {
                bool seen = false;
                for (const auto& f : found) seen = seen || f.id == p.id;
                if (!seen) found.push_back(std::move(p));
            }
        };
        if (!email.empty()) {
            add(detail::select_all(m_impl->statements,
                                   "SELECT " TRACKERD_PERSON_FIELDS " FROM people"
                                   " WHERE email = ?1 COLLATE NOCASE AND email <> '' ORDER BY id",
                                   detail::person_row, email));
        }
        std::string digits = normalize_mobile(mobile);
        if (digits.size() >= 6) {
            add(detail::select_all(m_impl->statements,
                                   "SELECT " TRACKERD_PERSON_FIELDS " FROM people WHERE mobile = ?1 AND mobile <> ''"
                                   " ORDER BY id",
                                   detail::person_row, digits));
        }
        return found;
    });
}

Result<std::vector<core::Person>> Store::people_named(std::string_view name) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("find people by name", [&]() -> Result<std::vector<core::Person>> {
        return detail::read_people_named(m_impl->statements, name);
    });
}

Result<void> Store::link_account(std::string_view person_id, std::string_view platform, std::string_view account,
                                 core::EntrySource source, const core::ChangeSource& by) {
    std::lock_guard lock(m_mutex);
    if (account.empty()) return make_error(ErrorCode::invalid_argument, "no account to link");
    note_shared_write();
    return detail::write_void(*this, "link " + std::string(platform) + " account", [&]() -> Result<void> {
        auto& cache = m_impl->statements;
        auto person = detail::read_person(cache, person_id);
        if (!person) return make_error(ErrorCode::not_found, "no person " + std::string(person_id));
        std::string* field = account_field(*person, platform);
        if (!field) return make_error(ErrorCode::invalid_argument, "no platform " + std::string(platform));
        auto holder = detail::read_person_by_platform(cache, platform, account);
        if (holder && holder->id != person->id)
            return make_error(ErrorCode::conflict, std::string(platform) + " account " + std::string(account) +
                                                       " is already linked to " + holder->id);
        if (!field->empty() && *field != account)
            return make_error(ErrorCode::conflict, person->id + " is already linked to another " +
                                                       std::string(platform) + " account");
        core::Person before = *person;
        *field = std::string(account);
        detail::write_person(cache, *person);
        write_source_only(cache, person->id, source);
        detail::audit_diff(cache, AuditContext{by, "", "", "person", person->id}, detail::person_fields(before),
                           detail::person_fields(*person));
        // The account's claims, and every other claim of this person here: answered.
        detail::execute(cache,
                        "DELETE FROM claims WHERE platform = ?1 AND (account = ?2 OR person_id = ?3)",
                        platform, account, person->id);
        return core::ok();
    });
}

Result<std::string> Store::unlink_account(std::string_view person_id, std::string_view platform,
                                          const core::ChangeSource& by) {
    std::lock_guard lock(m_mutex);
    note_shared_write();
    return detail::write<std::string>(*this, "unlink account", [&]() -> Result<std::string> {
        auto& cache = m_impl->statements;
        auto person = detail::read_person(cache, person_id);
        if (!person) return make_error(ErrorCode::not_found, "no person " + std::string(person_id));
        std::string* field = account_field(*person, platform);
        if (!field) return make_error(ErrorCode::invalid_argument, "no platform " + std::string(platform));
        std::string removed = *field;
        if (removed.empty()) return removed;
        core::Person before = *person;
        field->clear();
        detail::write_person(cache, *person);
        detail::audit_diff(cache, AuditContext{by, "", "", "person", person->id}, detail::person_fields(before),
                           detail::person_fields(*person));
        return removed;
    });
}

Result<void> Store::put_claim(const core::Claim& claim) {
    std::lock_guard lock(m_mutex);
    return detail::write_void(*this, "save claim", [&]() -> Result<void> {
        detail::execute(m_impl->statements,
                        "INSERT INTO claims (platform, account, person_id, chat_id, at_unix)"
                        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (platform, account)"
                        " DO UPDATE SET person_id = ?3, chat_id = ?4, at_unix = ?5",
                        claim.platform, claim.account, claim.person_id, claim.chat_id, claim.at_unix);
        return core::ok();
    });
}

Result<std::optional<core::Claim>> Store::claim_of(std::string_view platform, std::string_view account) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read claim", [&]() -> Result<std::optional<core::Claim>> {
        return detail::select_first(m_impl->statements, TRACKERD_CLAIM_COLUMNS "WHERE platform = ?1 AND account = ?2",
                                    claim_row, platform, account);
    });
}

Result<std::vector<core::Claim>> Store::claims_for(std::string_view platform, std::string_view person_id) {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read claims", [&]() -> Result<std::vector<core::Claim>> {
        return detail::select_all(m_impl->statements,
                                  TRACKERD_CLAIM_COLUMNS "WHERE person_id = ?1 AND platform = ?2 ORDER BY at_unix, account",
                                  claim_row, person_id, platform);
    });
}

Result<std::vector<core::Claim>> Store::claims() {
    std::lock_guard lock(m_mutex);
    return detail::guarded("read claims", [&]() -> Result<std::vector<core::Claim>> {
        return detail::select_all(m_impl->statements, TRACKERD_CLAIM_COLUMNS "ORDER BY at_unix, platform, account", claim_row);
    });
}

Result<bool> Store::drop_claim(std::string_view platform, std::string_view account) {
    std::lock_guard lock(m_mutex);
    return detail::write<bool>(*this, "drop claim", [&]() -> Result<bool> {
        return detail::execute(m_impl->statements,
                               "DELETE FROM claims WHERE platform = ?1 AND account = ?2",
                               platform, account) > 0;
    });
}

}  // namespace store
