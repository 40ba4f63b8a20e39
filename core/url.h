#pragma once
// Percent-encoding, the one copy (RFC 3986): for form fields and query values, and for URL
// paths segment by segment. Pure functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

namespace core {

// Every byte but the unreserved characters (A-Z a-z 0-9 - . _ ~) as %XX; space is %20.
std::string url_encode(std::string_view text);
// %XX decoded and '+' read as a space (form bodies). nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);
// A path ("/web/p/新品") encoded segment by segment, its '/' kept.
std::string url_encode_path(std::string_view path);

}  // namespace core
