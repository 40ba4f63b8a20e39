#pragma once
// application/x-www-form-urlencoded and URL pieces. Pure functions; safe for concurrent use.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/url.h"
#include "core/utf8.h"

namespace adapters {

// Percent-encoding and UTF-8 validation are core's (core/url.h, core/utf8.h), named here too.
using core::is_valid_utf8;
using core::url_decode;
using core::url_encode;

// Parses a form body; a repeated key keeps the first value. nullopt on a malformed escape.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

// Splits "https://host:port/path?query" into base "https://host:port" and "/path?query".
struct UrlParts {
    std::string base;
    std::string path_and_query;
};
std::optional<UrlParts> split_url(std::string_view url);

}  // namespace adapters
