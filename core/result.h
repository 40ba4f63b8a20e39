#pragma once
// Result<T>: the value of an operation that can fail in an expected way, shaped like
// std::expected (GCC 12 has none under C++20). Immutable value type; safe to share read-only.

#include <string>
#include <utility>
#include <variant>

namespace core {

// What kind of failure; callers branch on it (HTTP status, reply wording, retry or not).
enum class ErrorCode {
    invalid_argument,  // the input is malformed (bad command, bad field, bad payload)
    not_found,         // an unknown task, project, person, chat
    forbidden,         // the actor may not do this
    conflict,          // the change contradicts the state (e.g. unblock a task that is not blocked)
    unauthorized,      // a signature, token or timestamp did not verify
    duplicate,         // already seen (an inbound delivery replayed)
    busy,              // a resource is temporarily unavailable (database locked); retry later
    upstream,          // a remote platform answered with an error or timed out
    io,                // a file or socket operation failed
    internal,          // a bug or an unexpected library failure
};

const char* to_string(ErrorCode code);

// `message` is written to be logged; where the code says so it is fit to show a person.
struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return m_data.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & { return std::get<0>(m_data); }
    const T& value() const& { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error& error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

inline Result<void> ok() { return {}; }

}  // namespace core
