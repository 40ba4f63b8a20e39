#include "core/store/ledger.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace store::ledger {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
    std::string out = "sched";
    for (auto part : parts) out.append("/").append(part);
    return out;
}

}  // namespace

std::string day_key(std::string_view what, std::string_view platform, std::string_view chat_id,
                    std::string_view project_id) {
    return join({what, platform, chat_id, project_id});
}

core::Result<std::optional<core::Date>> last_day(StateStore& store, const std::string& key) {
    auto value = store.get_state(key);
    if (!value) return value.error();
    if (!*value) return std::optional<core::Date>{};
    return core::parse_iso_date(**value);
}

core::Result<void> set_last_day(StateStore& store, const std::string& key, core::Date day) {
    return store.put_state(key, core::format_iso_date(day));
}

std::string fired_key(std::string_view platform, std::string_view chat_id, std::string_view finding_key) {
    return join({"fired", platform, chat_id, finding_key});
}

core::Result<std::optional<Fired>> fired(StateStore& store, const std::string& key) {
    auto value = store.get_state(key);
    if (!value) return value.error();
    if (!*value) return std::optional<Fired>{};
    const std::string& text = **value;  // "<revision>@<YYYY-MM-DD>"
    auto at = text.find('@');
    auto day = at == std::string::npos ? std::nullopt : core::parse_iso_date(text.substr(at + 1));
    if (!day) return std::optional<Fired>{};  // unreadable: fire again rather than never
    return std::optional<Fired>{Fired{std::atoll(text.substr(0, at).c_str()), *day}};
}

core::Result<void> set_fired(StateStore& store, const std::string& key, const Fired& fired) {
    return store.put_state(key, std::to_string(fired.revision) + "@" + core::format_iso_date(fired.day));
}

std::string encode_ladders(const std::vector<core::Ladder>& ladders) {
    nlohmann::json array = nlohmann::json::array();
    for (const auto& l : ladders)
        array.push_back({{"project", l.project_id}, {"task", l.task_id}, {"trigger", l.trigger},
                         {"step", core::to_string(l.step)}, {"opened_at", l.opened_at},
                         {"stepped_at", l.stepped_at}, {"pinged", l.pinged}, {"stop_reason", l.stop_reason},
                         {"stopped_by", l.stopped_by}, {"stopped_at", l.stopped_at}});
    return array.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::vector<core::Ladder>> decode_ladders(std::string_view json) {
    auto array = nlohmann::json::parse(json, nullptr, false);
    if (!array.is_array()) return std::nullopt;
    std::vector<core::Ladder> out;
    try {
        for (const auto& item : array) {
            core::Ladder l;
            l.project_id = item.at("project").get<std::string>();
            l.task_id = item.at("task").get<std::string>();
            l.trigger = item.at("trigger").get<std::string>();
            if (!core::parse_ladder_step(item.at("step").get<std::string>(), l.step)) return std::nullopt;
            l.opened_at = item.at("opened_at").get<long long>();
            l.stepped_at = item.at("stepped_at").get<long long>();
            l.pinged = item.at("pinged").get<std::vector<std::string>>();
            l.stop_reason = item.at("stop_reason").get<std::string>();
            l.stopped_by = item.at("stopped_by").get<std::string>();
            l.stopped_at = item.at("stopped_at").get<long long>();
            out.push_back(std::move(l));
        }
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
    return out;
}

core::Result<std::vector<core::Ladder>> ladders(StateStore& store, std::string_view platform,
                                                std::string_view chat_id, std::string_view project_id) {
    auto value = store.get_state(join({"ladders", platform, chat_id, project_id}));
    if (!value) return value.error();
    if (!*value) value = store.get_state(join({"ladders", project_id}));  // before ladders were per chat
    if (!value) return value.error();
    if (!*value) return std::vector<core::Ladder>{};
    auto decoded = decode_ladders(**value);
    if (!decoded)
        return core::make_error(core::ErrorCode::internal,
                                "the escalation ledger of " + std::string(project_id) + " cannot be read");
    return std::move(*decoded);
}

core::Result<void> set_ladders(StateStore& store, std::string_view platform, std::string_view chat_id,
                               std::string_view project_id, const std::vector<core::Ladder>& ladders) {
    return store.put_state(join({"ladders", platform, chat_id, project_id}), encode_ladders(ladders));
}

}  // namespace store::ledger

namespace store::ledger {

core::Result<std::optional<Retro>> retro(StateStore& store, std::string_view project_id) {
    auto value = store.get_state(join({"retro", project_id}));
    if (!value) return value.error();
    if (!*value) return std::optional<Retro>{};
    auto json = nlohmann::json::parse(**value, nullptr, false);
    Retro out;
    try {
        auto closed_on = core::parse_iso_date(json.at("closed_on").get<std::string>());
        auto drafted = core::parse_iso_date(json.at("drafted").get<std::string>());
        if (!closed_on || !drafted) throw std::invalid_argument("date");
        out.closed_on = *closed_on;
        out.drafted = *drafted;
        out.confirmed_by = json.at("confirmed_by").get<std::string>();
        out.confirmed_at = json.at("confirmed_at").get<long long>();
        out.confirmed_from = json.at("confirmed_from").get<std::string>();
        out.summary = json.at("summary").get<std::string>();
    } catch (const std::exception&) {
        return core::make_error(core::ErrorCode::internal,
                                "the retrospective ledger of " + std::string(project_id) + " cannot be read");
    }
    return std::optional<Retro>{std::move(out)};
}

core::Result<void> set_retro(StateStore& store, std::string_view project_id, const Retro& retro) {
    nlohmann::json json{{"closed_on", core::format_iso_date(retro.closed_on)},
                        {"drafted", core::format_iso_date(retro.drafted)},
                        {"confirmed_by", retro.confirmed_by},
                        {"confirmed_at", retro.confirmed_at},
                        {"confirmed_from", retro.confirmed_from},
                        {"summary", retro.summary}};
    return store.put_state(join({"retro", project_id}),
                           json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace store::ledger
