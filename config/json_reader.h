#pragma once
// Reading the config's JSON with every error named by its JSON path: the Errors list and the
// Object view a section is read through, and the helpers every section shares. Internal to
// config/ (its .cpp files only). Not thread-safe; one parse uses one set.

#include <initializer_list>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/value_syntax.h"
#include "core/result.h"

namespace config::detail {

using json = nlohmann::json;

inline const char* type_name(const json& value) {
    if (value.is_string()) return "a string";
    if (value.is_boolean()) return "a boolean";
    if (value.is_number()) return "a number";
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return "null";
}

inline std::string index_path(const std::string& path, size_t index) {
    return path + "[" + std::to_string(index) + "]";
}

// Collects the first error; everything after it is skipped, so readers never need to branch.
class Errors {
public:
    void fail(const std::string& path, const std::string& what) {
        if (!m_error)
            m_error = core::make_error(core::ErrorCode::invalid_argument, path + ": " + what);
    }
    bool failed() const { return m_error.has_value(); }
    const core::Error& error() const { return *m_error; }

private:
    std::optional<core::Error> m_error;
};

// One JSON object at `path` whose keys must all be in `known`. JSON null reads as absent.
class Object {
public:
    Object(const json& value, std::string path, Errors& errors,
           std::initializer_list<const char*> known)
        : m_value(value), m_path(std::move(path)), m_errors(errors) {
        if (!value.is_object()) {
            errors.fail(m_path.empty() ? "(top level)" : m_path,
                        std::string("expected an object, not ") + type_name(value));
            return;
        }
        std::set<std::string> allowed(known.begin(), known.end());
        for (const auto& item : value.items())
            if (!allowed.count(item.key())) {
                std::string list;
                for (const char* key : known) list += (list.empty() ? "" : ", ") + std::string(key);
                errors.fail(path_of(item.key()), "unknown key (expected one of " + list + ")");
            }
    }

    std::string path_of(std::string_view key) const {
        return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
    }

    const json* get(const char* key) const {
        if (m_errors.failed() || !m_value.is_object()) return nullptr;
        auto it = m_value.find(key);
        return (it == m_value.end() || it->is_null()) ? nullptr : &*it;
    }
    bool has(const char* key) const { return get(key) != nullptr; }

    void string(const char* key, std::string& out) const {
        if (const json* value = get(key)) {
            if (value->is_string())
                out = value->get<std::string>();
            else
                wrong_type(key, *value, "a string");
        }
    }

    void boolean(const char* key, bool& out) const {
        if (const json* value = get(key)) {
            if (value->is_boolean())
                out = value->get<bool>();
            else
                wrong_type(key, *value, "a boolean");
        }
    }

    template <typename T>
    void integer(const char* key, T& out, long long min, long long max) const {
        const json* value = get(key);
        if (!value) return;
        if (!value->is_number_integer()) return wrong_type(key, *value, "an integer");
        bool too_big = value->is_number_unsigned() &&
                       value->get<unsigned long long>() > static_cast<unsigned long long>(max);
        long long number = too_big ? max : value->get<long long>();
        if (too_big || number < min || number > max)
            return m_errors.fail(
                path_of(key), "must be from " + std::to_string(min) + " to " + std::to_string(max));
        out = static_cast<T>(number);
    }

    void number(const char* key, double& out, double min, double max) const {
        const json* value = get(key);
        if (!value) return;
        if (!value->is_number()) return wrong_type(key, *value, "a number");
        double number = value->get<double>();
        if (number < min || number > max)
            return m_errors.fail(path_of(key),
                                 "must be from " + json(min).dump() + " to " + json(max).dump());
        out = number;
    }

    // An array of values; calls each(element, path) for every element.
    template <typename Each>
    void array(const char* key, Each each) const {
        const json* value = get(key);
        if (!value) return;
        if (!value->is_array()) return wrong_type(key, *value, "an array");
        for (size_t i = 0; i < value->size() && !m_errors.failed(); ++i)
            each((*value)[i], index_path(path_of(key), i));
    }

    void strings(const char* key, std::vector<std::string>& out) const {
        array(key, [&](const json& element, const std::string& path) {
            if (element.is_string() && !element.get<std::string>().empty())
                out.push_back(element.get<std::string>());
            else
                m_errors.fail(path, element.is_string() ? "must not be empty"
                                                        : std::string("expected a string, not ") +
                                                              type_name(element));
        });
    }

private:
    void wrong_type(const char* key, const json& value, const char* expected) const {
        m_errors.fail(path_of(key),
                      std::string("expected ") + expected + ", not " + type_name(value));
    }

    const json& m_value;
    std::string m_path;
    Errors& m_errors;
};

// ---- shared by the sections ----------------------------------------------------------------

inline void read_mode(const Object& section, ConnectionMode& mode, Errors& errors) {
    std::string text = to_string(mode);
    section.string("mode", text);
    if (text == "webhook")
        mode = ConnectionMode::webhook;
    else if (text == "socket")
        mode = ConnectionMode::socket;
    else
        errors.fail(section.path_of("mode"), "must be webhook or socket");
}

inline void read_url(const Object& section, const char* key, std::string& url, Errors& errors) {
    section.string(key, url);
    if (!url.empty() && !is_http_url(url))
        errors.fail(section.path_of(key), "must start with http:// or https://");
}

// The environment wins over the file for secrets.
inline void override_from_env(std::string& secret, const char* variable, const EnvLookup& env) {
    if (!env) return;
    if (auto value = env(variable); value && !value->empty()) secret = *value;
}

inline void require(const Object& section, const std::string& value, const char* key, const char* variable,
             Errors& errors) {
    if (!value.empty()) return;
    std::string what = "required when the section is present";
    if (variable) what += " (or set " + std::string(variable) + ")";
    errors.fail(section.path_of(key), what);
}

// The platform sections (config/platforms.cpp).
void read_slack(const json& root, Config& config, const EnvLookup& env, Errors& errors);
void read_feishu(const json& root, Config& config, const EnvLookup& env, Errors& errors);
void read_dingtalk(const json& root, Config& config, const EnvLookup& env, Errors& errors);

}  // namespace config::detail
