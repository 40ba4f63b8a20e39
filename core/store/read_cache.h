#pragma once
// What every inbound message reads and what rarely changes: a chat's record, a person by
// platform account and a person by id. Store keeps the answers here (absent ones too) so that
// an update reads them from memory instead of the database, and without waiting for the
// store's mutex while another thread's transaction holds it.
//
// When an answer may be used is Store's business (store.h, "Read cache"): it clears the cache
// on every write of people, chats or shared state, on every rollback, and when another
// connection committed. This class only keeps the maps, bounded: a map that reaches
// `max_entries` is emptied before the next insert.
//
// Thread safety: safe for concurrent use (its own mutex, never held while calling out).

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/model.h"
#include "core/store/directory_store.h"

namespace store::detail {

class ReadCache {
public:
    explicit ReadCache(size_t max_entries = 4096) : m_max_entries(max_entries) {}

    // std::nullopt: not cached. A cached answer may itself be "none" (an inner nullopt).
    std::optional<std::optional<core::Person>> person(std::string_view id) const {
        return find(m_people, std::string(id));
    }
    // The id of the person holding an account ("" = nobody); the person is then person(id).
    std::optional<std::string> account(std::string_view platform, std::string_view user_id) const {
        return find(m_accounts, key(platform, user_id));
    }
    std::optional<std::optional<ChatRecord>> chat(std::string_view platform, std::string_view chat_id) const {
        return find(m_chats, key(platform, chat_id));
    }

    void put_person(std::string_view id, const std::optional<core::Person>& person) {
        put(m_people, std::string(id), person);
    }
    // Also puts the person (by id): one copy of each person, whichever way it was looked up.
    void put_account(std::string_view platform, std::string_view user_id, const std::optional<core::Person>& person) {
        put(m_accounts, key(platform, user_id), person ? person->id : std::string());
        if (person) put_person(person->id, person);
    }
    void put_chat(std::string_view platform, std::string_view chat_id, const std::optional<ChatRecord>& chat) {
        put(m_chats, key(platform, chat_id), chat);
    }

    void clear() {
        std::lock_guard lock(m_mutex);
        m_people.clear();
        m_accounts.clear();
        m_chats.clear();
    }

    // When other connections' commits were last looked for (Store::observe_others).
    void checked(std::chrono::steady_clock::time_point at) {
        std::lock_guard lock(m_mutex);
        m_checked = at;
    }
    bool checked_since(std::chrono::steady_clock::time_point since) const {
        std::lock_guard lock(m_mutex);
        return m_checked && *m_checked >= since;
    }

private:
    template <typename T>
    using Map = std::unordered_map<std::string, std::optional<T>>;

    static std::string key(std::string_view platform, std::string_view id) {
        std::string k;
        k.reserve(platform.size() + 1 + id.size());
        k.append(platform).push_back('\x1f');
        k.append(id);
        return k;
    }
    template <typename M>
    std::optional<typename M::mapped_type> find(const M& map, const std::string& k) const {
        std::lock_guard lock(m_mutex);
        auto it = map.find(k);
        if (it == map.end()) return std::nullopt;
        return it->second;
    }
    template <typename M, typename V>
    void put(M& map, std::string k, const V& value) {
        std::lock_guard lock(m_mutex);
        if (map.size() >= m_max_entries) map.clear();
        map.insert_or_assign(std::move(k), value);
    }

    const size_t m_max_entries;
    mutable std::mutex m_mutex;
    Map<core::Person> m_people;       // Guarded by m_mutex. By person id (compared exactly, as the table does).
    std::unordered_map<std::string, std::string> m_accounts;  // Guarded by m_mutex. Platform and account -> person id.
    Map<ChatRecord> m_chats;          // Guarded by m_mutex. By platform and chat id.
    std::optional<std::chrono::steady_clock::time_point> m_checked;  // Guarded by m_mutex.
};

}  // namespace store::detail
