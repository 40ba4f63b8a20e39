// trackerctl people: list, import, link, unlink (bot/trackerctl_commands.h).
#include <algorithm>
#include <functional>
#include <optional>
#include <iostream>

#include "bot/trackerctl_commands.h"
#include "bot/trackerctl_directory.h"
#include "core/directory.h"
#include "core/people_csv.h"
#include "core/store/store.h"

namespace bot::trackerctl {
namespace {

using core::ErrorCode;
using core::make_error;

// The person `text` names (id, or a name only one person has), with a message that says what
// to do when there is none or several.
core::Result<core::Person> find_person(store::Store& store, const std::string& text) {
    auto person = store.find_person(text);
    if (!person && person.error().code == ErrorCode::conflict)
        return make_error(ErrorCode::conflict, person.error().message + ": name the person by id");
    if (!person) return person.error();
    if (!*person)
        return make_error(ErrorCode::not_found,
                          "no person '" + text +
                              "' (trackerctl people lists them; trackerctl people import "
                              "FILE.csv adds people)");
    return **person;
}

// After link_account / unlink_account: the entry's value now comes from the command line
// (unlink_account leaves the source as it was). Keeps the config's `seeded` mark, so the next
// seed (bot/team/seed.h) of an unchanged file leaves the run-time change alone. Changes no
// field, so audits nothing.
core::Result<void> mark_from_cli(store::Store& store, const std::string& id,
                                 const std::string& seeded, const core::ChangeSource& by) {
    auto record = store.person_record(id);
    if (!record) return record.error();
    if (!*record) return core::ok();
    return store.put_person((*record)->person, core::EntrySource::cli, seeded, by);
}

struct ImportCounts {
    int added = 0;
    int updated = 0;
    int unchanged = 0;
    std::vector<std::string> skipped;  // "id: why"
};

// The row's values over the stored ones: an empty cell keeps what is stored (linked accounts
// survive a table that has no account columns).
core::Person merged(core::Person row, const core::Person& stored) {
    for (auto field : {&core::Person::department, &core::Person::email, &core::Person::mobile,
                       &core::Person::slack, &core::Person::feishu, &core::Person::dingtalk})
        if ((row.*field).empty()) row.*field = stored.*field;
    row.mobile = store::normalize_mobile(row.mobile);
    return row;
}

std::string taken_message(const std::string& platform, const std::string& account,
                          const std::string& holder) {
    return platform + " account " + account + " is already linked to " + holder +
           " (to move it, run trackerctl people unlink " + holder + " --" + platform + " first)";
}

// Who else holds one of the person's accounts (taken_message), "" when nobody.
core::Result<std::string> account_taken(store::Store& store, const core::Person& person) {
    for (const char* platform : k_platforms) {
        const std::string& account = *store::account_field(person, platform);
        if (account.empty()) continue;
        auto holder = store.find_person_by_platform(platform, account);
        if (!holder) return holder.error();
        if (*holder && (*holder)->id != person.id)
            return taken_message(platform, account, (*holder)->id);
    }
    return std::string();
}

core::Result<void> import_person(store::Store& store, const core::Person& row,
                                 const core::ChangeSource& by, ImportCounts& counts) {
    auto record = store.person_record(row.id);
    if (!record) return record.error();
    core::Person next = *record ? merged(row, (*record)->person) : merged(row, core::Person{});
    if (*record && core::describe(next) == core::describe((*record)->person)) {
        ++counts.unchanged;
        return core::ok();
    }
    auto taken = account_taken(store, next);
    if (!taken) return taken.error();
    if (!taken->empty()) {
        counts.skipped.push_back(row.id + ": " + *taken);
        return core::ok();
    }
    std::string seeded = *record ? (*record)->seeded : "";
    auto saved =
        store.savepoint([&] { return store.put_person(next, core::EntrySource::cli, seeded, by); });
    if (!saved && saved.error().code == ErrorCode::conflict) {
        counts.skipped.push_back(row.id + ": " + saved.error().message);
        return core::ok();
    }
    if (!saved) return saved;
    ++(*record ? counts.updated : counts.added);
    return core::ok();
}

// Links one account; "" when it was linked already.
core::Result<std::string> link_one(store::Store& store, const core::Person& person,
                                   const char* platform, const std::string& account,
                                   const core::ChangeSource& by) {
    const std::string& current = *store::account_field(person, platform);
    if (current == account) return std::string();
    auto holder = store.find_person_by_platform(platform, account);
    if (!holder) return holder.error();
    if (*holder && (*holder)->id != person.id)
        return make_error(ErrorCode::conflict, taken_message(platform, account, (*holder)->id));
    if (!current.empty())
        return make_error(ErrorCode::conflict,
                          person.id + " is already linked to " + platform + " account " + current +
                              " (to replace it, run trackerctl people unlink " + person.id + " --" +
                              platform + " first)");
    auto linked = store.link_account(person.id, platform, account, core::EntrySource::cli, by);
    if (!linked) return linked.error();
    return "linked " + person.id + "'s " + platform + " account " + account;
}

}  // namespace

int list_people(store::Store& store) {
    auto records = store.person_records();
    if (!records) return fail(records.error().message);
    std::cout << "id\tname\tdepartment\temail\tmobile\tslack\tfeishu\tdingtalk\tsource\n";
    for (const auto& r : *records) {
        const core::Person& p = r.person;
        std::cout << p.id << "\t" << p.name << "\t" << p.department << "\t" << p.email << "\t"
                  << p.mobile << "\t" << p.slack << "\t" << p.feishu << "\t" << p.dingtalk << "\t"
                  << core::to_string(r.source) << "\n";
    }
    return 0;
}

int import_people(store::Store& store, const std::string& file, long long now_unix) {
    auto text = read_text_file(file);
    if (!text) return fail(text.error().message);
    auto people = core::parse_people_csv(*text);
    if (!people) return fail(file + ": " + people.error().message + " (nothing imported)");
    ImportCounts counts;
    const core::ChangeSource by = cli_source(now_unix);
    auto done = store.transaction([&]() -> core::Result<void> {
        counts = ImportCounts{};
        for (const auto& row : *people)
            if (auto imported = import_person(store, row, by, counts); !imported) return imported;
        return core::ok();
    });
    if (!done) return fail(file + ": " + done.error().message + " (nothing imported)");
    for (const auto& why : counts.skipped) std::cerr << "trackerctl: skipped " << why << "\n";
    std::cout << "people import " << file << ": " << counts.added << " added, " << counts.updated
              << " updated, " << counts.unchanged << " unchanged";
    if (!counts.skipped.empty()) std::cout << ", " << counts.skipped.size() << " skipped";
    std::cout << "\n";
    return counts.skipped.empty() ? 0 : 1;
}

namespace {

// One platform's change: whether it changed anything, and the line that says what it did.
struct AccountChange {
    bool changed = false;
    std::string line;
};
using ChangeOne = std::function<core::Result<std::optional<AccountChange>>(
    const core::Person& person, size_t platform, const core::ChangeSource& by)>;

// `people link` and `people unlink`: `change` for each platform (nullopt = not asked for), all in
// one transaction (nothing changes unless every platform's change can be made), then a line each.
int change_accounts(store::Store& store, const std::string& who, long long now_unix, const ChangeOne& change) {
    auto person = find_person(store, who);
    if (!person) return fail(person.error().message);
    auto record = store.person_record(person->id);
    if (!record) return fail(record.error().message);
    std::string seeded = *record ? (*record)->seeded : "";
    const core::ChangeSource by = cli_source(now_unix);
    std::vector<std::string> lines;
    auto done = store.transaction([&]() -> core::Result<void> {
        lines.clear();
        bool changed = false;
        for (size_t i = 0; i < k_platforms.size(); ++i) {
            auto one = change(*person, i, by);
            if (!one) return one.error();
            if (!*one) continue;
            changed = changed || (*one)->changed;
            lines.push_back((*one)->line);
        }
        return changed ? mark_from_cli(store, person->id, seeded, by) : core::ok();
    });
    if (!done) return fail(done.error().message + "; nothing changed");
    for (const auto& line : lines) std::cout << line << "\n";
    return 0;
}

}  // namespace

int link_people(store::Store& store, const std::string& who, const std::string (&accounts)[3],
                long long now_unix) {
    return change_accounts(store, who, now_unix, [&](const core::Person& person, size_t i, const core::ChangeSource& by)
                                                     -> core::Result<std::optional<AccountChange>> {
        if (accounts[i].empty()) return std::optional<AccountChange>{};
        auto line = link_one(store, person, k_platforms[i], accounts[i], by);
        if (!line) return line.error();
        if (line->empty())
            return std::optional<AccountChange>{AccountChange{false, person.id + "'s " + k_platforms[i] + " account is " +
                                                                         accounts[i] + " already; nothing changed"}};
        return std::optional<AccountChange>{AccountChange{true, *line}};
    });
}

int unlink_people(store::Store& store, const std::string& who, const bool (&platforms)[3],
                  long long now_unix) {
    return change_accounts(store, who, now_unix, [&](const core::Person& person, size_t i, const core::ChangeSource& by)
                                                     -> core::Result<std::optional<AccountChange>> {
        if (!platforms[i]) return std::optional<AccountChange>{};
        auto removed = store.unlink_account(person.id, k_platforms[i], by);
        if (!removed) return removed.error();
        if (removed->empty())
            return std::optional<AccountChange>{
                AccountChange{false, person.id + " has no " + k_platforms[i] + " account; nothing changed"}};
        return std::optional<AccountChange>{
            AccountChange{true, "unlinked " + person.id + "'s " + k_platforms[i] + " account " + *removed}};
    });
}

}  // namespace bot::trackerctl
