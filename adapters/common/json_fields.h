#pragma once
// Reading fields of platform JSON, the one copy for every adapter: a missing field, or one of
// another type, reads as empty (or the fallback) instead of throwing. Internal to adapters/:
// included by their .cpp files only, never from a header (nlohmann's types stay out of the
// adapters' interfaces). Pure functions; safe for concurrent use.

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/json_depth.h"
#include "core/result.h"

namespace adapters::json_fields {

using Json = nlohmann::json;

// The member `key` of an object; nullptr when `object` is not an object or has no such member.
inline const Json* member(const Json& object, const char* key) {
    if (!object.is_object()) return nullptr;
    auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

// Parses `text` (refused past core::k_max_json_depth before anything is built); a malformed
// text is an invalid_argument error naming `what`.
inline core::Result<Json> parse(std::string_view text, std::string_view what) {
    if (auto shallow = core::check_json_depth(text); !shallow)
        return core::make_error(core::ErrorCode::invalid_argument, std::string(what) + ": " + shallow.error().message);
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::exception& e) {
        return core::make_error(core::ErrorCode::invalid_argument, std::string(what) + ": malformed JSON: " + e.what());
    }
}

// A string member, or nullptr when absent or not a string (to tell "" from absent).
inline const std::string* string_member(const Json& object, const char* key) {
    const Json* value = member(object, key);
    return value && value->is_string() ? &value->get_ref<const std::string&>() : nullptr;
}

// An object member, or nullptr when absent or not an object.
inline const Json* object_member(const Json& object, const char* key) {
    const Json* value = member(object, key);
    return value && value->is_object() ? value : nullptr;
}

// Whether the member is there and not null.
inline bool has_member(const Json& object, const char* key) {
    const Json* value = member(object, key);
    return value && !value->is_null();
}

// A string member, "" when absent or not a string.
inline std::string text_at(const Json& object, const char* key) {
    const Json* value = member(object, key);
    return value && value->is_string() ? value->get<std::string>() : std::string();
}

// An object member, an empty object when absent or not an object.
inline const Json& object_at(const Json& object, const char* key) {
    static const Json k_empty = Json::object();
    const Json* value = member(object, key);
    return value && value->is_object() ? *value : k_empty;
}

// An integer member, or a string holding only decimal digits (the platforms send millisecond
// times either way); `fallback` when absent or anything else.
inline long long integer_at(const Json& object, const char* key, long long fallback = 0) {
    const Json* value = member(object, key);
    if (!value) return fallback;
    if (value->is_number_integer()) return value->get<long long>();
    if (!value->is_string()) return fallback;
    const std::string& text = value->get_ref<const std::string&>();
    long long out = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size() ? out : fallback;
}

// Compact JSON; invalid UTF-8 from a user is replaced rather than thrown on.
inline std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace adapters::json_fields
