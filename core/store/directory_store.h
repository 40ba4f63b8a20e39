#pragma once
// The store's team directory (issue 21): chats bound to projects with their settings, people's
// entries with where they came from, the links of chat accounts to people, and pending claims.
// Every change is audited (R13: who, when, from which chat, old and new value) in the audit
// table as entity "chat" ("slack:C1") or "person" ("xiaoming").
//
// Thread safety: implementations are safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/directory.h"
#include "core/model.h"
#include "core/result.h"

namespace store {

using core::Result;

struct ChatRecord {
    core::ChatEntry chat;
    core::EntrySource source = core::EntrySource::config;  // who set its current value
    std::string seeded;     // core::describe() of the config file's entry last applied; "" = none
    long long updated_at = 0;
};

struct PersonRecord {
    core::Person person;
    core::EntrySource source = core::EntrySource::plan;
    std::string seeded;  // as ChatRecord::seeded
};

class DirectoryStore {
public:
    virtual ~DirectoryStore() = default;

    virtual Result<std::optional<ChatRecord>> chat(std::string_view platform, std::string_view chat_id) = 0;
    virtual Result<std::vector<ChatRecord>> chats() = 0;  // by platform, chat id
    // Creates or replaces the chat; audits each changed setting. `seeded` as in ChatRecord.
    virtual Result<void> put_chat(const core::ChatEntry& chat, core::EntrySource source, std::string_view seeded,
                                  const core::ChangeSource& by) = 0;
    virtual Result<bool> remove_chat(std::string_view platform, std::string_view chat_id,
                                     const core::ChangeSource& by) = 0;  // false: there was none

    virtual Result<std::vector<PersonRecord>> person_records() = 0;  // by id
    virtual Result<std::optional<PersonRecord>> person_record(std::string_view id) = 0;
    // Creates or replaces the person; audits each changed field.
    virtual Result<void> put_person(const core::Person& person, core::EntrySource source, std::string_view seeded,
                                    const core::ChangeSource& by) = 0;
    // People whose email (case-insensitive) is `email` or whose mobile is `mobile` (digits
    // compared, a leading country code "+86" / "86" ignored); empty arguments match nothing.
    virtual Result<std::vector<core::Person>> people_by_contact(std::string_view email, std::string_view mobile) = 0;
    virtual Result<std::vector<core::Person>> people_named(std::string_view name) = 0;
    // Links `account` on `platform` to the person: ErrorCode::conflict when the account is
    // linked to someone else or the person to another account there; not_found when no such
    // person. Audited; drops the account's claims and the person's other claims on the platform.
    virtual Result<void> link_account(std::string_view person_id, std::string_view platform, std::string_view account,
                                      core::EntrySource source, const core::ChangeSource& by) = 0;
    // Removes the person's account on `platform`; returns the account removed ("" = none).
    virtual Result<std::string> unlink_account(std::string_view person_id, std::string_view platform,
                                               const core::ChangeSource& by) = 0;

    // One claim per account: a new claim of the same account replaces it.
    virtual Result<void> put_claim(const core::Claim& claim) = 0;
    virtual Result<std::optional<core::Claim>> claim_of(std::string_view platform, std::string_view account) = 0;
    virtual Result<std::vector<core::Claim>> claims_for(std::string_view platform, std::string_view person_id) = 0;
    virtual Result<std::vector<core::Claim>> claims() = 0;
    virtual Result<bool> drop_claim(std::string_view platform, std::string_view account) = 0;
};

// The person's account on `platform` ("slack" -> Person::slack ...); nullptr for another name.
std::string* account_field(core::Person& person, std::string_view platform);
const std::string* account_field(const core::Person& person, std::string_view platform);
// Digits of a mobile number without a leading +86 / 86 country code ("+86 138-0013-8000" ->
// "13800138000").
std::string normalize_mobile(std::string_view mobile);

}  // namespace store
