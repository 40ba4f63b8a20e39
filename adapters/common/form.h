#pragma once
// application/x-www-form-urlencoded and URL pieces. Pure functions; safe for concurrent use.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace adapters {

// Percent-encodes everything but unreserved characters (RFC 3986); space becomes %20.
std::string url_encode(std::string_view text);
// Decodes %XX and '+' (as space). nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);
// Parses a form body; a repeated key keeps the first value. nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

// Splits "https://host:port/path?query" into base "https://host:port" and "/path?query".
struct UrlParts {
    std::string base;
    std::string path_and_query;
};
std::optional<UrlParts> split_url(std::string_view url);

// Whether `text` is valid UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view text);

}  // namespace adapters
