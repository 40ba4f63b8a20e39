#include "bot/team/identify.h"

#include <algorithm>

namespace bot {
namespace {

void add_unique(std::vector<core::Person>& people, const core::Person& person) {
    if (std::none_of(people.begin(), people.end(), [&](const core::Person& p) { return p.id == person.id; }))
        people.push_back(person);
}

core::Result<std::vector<core::Person>> by_contact(store::Store& store, const adapters::DirectoryProfile& profile,
                                                   bool trust_mobile) {
    std::vector<core::Person> found;
    for (const std::string* email : {&profile.email, &profile.enterprise_email}) {
        if (email->empty()) continue;
        auto people = store.people_by_contact(*email, "");
        if (!people) return people.error();
        for (const auto& p : *people) add_unique(found, p);
    }
    if (trust_mobile && !profile.mobile.empty()) {
        auto people = store.people_by_contact("", profile.mobile);
        if (!people) return people.error();
        for (const auto& p : *people) add_unique(found, p);
    }
    return found;
}

core::Result<std::vector<core::Person>> by_name(store::Store& store, const std::string& name,
                                                const std::vector<std::string>& project_ids) {
    std::vector<core::Person> found;
    for (const auto& id : project_ids) {
        auto state = store.load_project(id);
        if (!state) {
            if (state.error().code == core::ErrorCode::not_found) continue;
            return state.error();
        }
        for (const auto& [person_id, person] : state->people)
            if (person.name == name) add_unique(found, person);
    }
    return found;
}

}  // namespace

core::Result<std::optional<core::Person>> link_from_directory(store::Store& store, const adapters::LookupAnswer& answer,
                                                              const std::string& platform, const std::string& account,
                                                              const std::vector<std::string>& project_ids,
                                                              const core::ChangeSource& source) {
    using None = std::optional<core::Person>;
    if (answer.status != adapters::LookupStatus::found || account.empty()) return None{};
    const bool organisation_directory = platform == "feishu" || platform == "dingtalk";
    auto found = by_contact(store, answer.profile, organisation_directory);
    if (!found) return found.error();
    if (found->empty() && organisation_directory && !answer.profile.name.empty()) {
        found = by_name(store, answer.profile.name, project_ids);
        if (!found) return found.error();
    }
    if (found->size() != 1) return None{};
    core::Person person = found->front();
    const std::string* linked = store::account_field(person, platform);
    if (!linked || (!linked->empty() && *linked != account)) return None{};
    if (linked->empty()) {
        auto done = store.savepoint(  // a conflict undoes only this link; the message goes on
            [&] { return store.link_account(person.id, platform, account, core::EntrySource::directory, source); });
        if (!done) {
            if (done.error().code == core::ErrorCode::conflict) return None{};
            return done.error();
        }
        *store::account_field(person, platform) = account;
    }
    return None{person};
}

}  // namespace bot
