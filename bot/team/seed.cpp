#include "bot/team/seed.h"

#include <algorithm>

namespace bot {
namespace {

core::Person merged(const core::Person& file, const core::Person& stored) {
    core::Person person = file;
    for (auto field : {&core::Person::name, &core::Person::department, &core::Person::slack, &core::Person::feishu,
                       &core::Person::dingtalk, &core::Person::email, &core::Person::mobile})
        if ((person.*field).empty()) person.*field = stored.*field;
    return person;
}

}  // namespace

core::Result<SeedReport> seed_directory(store::Store& store, const config::Config& config, long long now_unix) {
    SeedReport report;
    const core::ChangeSource by{"", "config", "", "", now_unix};
    auto status = store.transaction([&]() -> core::Result<void> {
        report = SeedReport{};
        for (const auto& person : config.people) {
            std::string said = core::describe(person);
            auto record = store.person_record(person.id);
            if (!record) return record.error();
            if (*record && (*record)->seeded == said) {
                ++report.kept;
                continue;
            }
            core::Person next = *record ? merged(person, (*record)->person) : person;
            auto saved = store.savepoint([&] { return store.put_person(next, core::EntrySource::config, said, by); });
            if (!saved) {
                if (saved.error().code != core::ErrorCode::conflict) return saved.error();
                report.warnings.push_back("people " + person.id + ": " + saved.error().message);
                continue;
            }
            ++report.applied;
        }
        for (const auto& chat : config.chats) {
            const core::ChatEntry& entry = chat;
            std::string said = core::describe(entry);
            auto record = store.chat(chat.platform, chat.chat_id);
            if (!record) return record.error();
            if (*record && (*record)->seeded == said) {
                ++report.kept;
                continue;
            }
            auto saved = store.put_chat(entry, core::EntrySource::config, said, by);
            if (!saved) return saved.error();
            ++report.applied;
        }
        auto stored = store.chats();
        if (!stored) return stored.error();
        for (const auto& record : *stored) {
            if (record.source != core::EntrySource::config || record.seeded.empty()) continue;
            if (config.find_chat(record.chat.platform, record.chat.chat_id)) continue;
            auto removed = store.remove_chat(record.chat.platform, record.chat.chat_id, by);
            if (!removed) return removed.error();
            ++report.removed;
        }
        return core::ok();
    });
    if (!status) return status.error();
    return report;
}

}  // namespace bot
