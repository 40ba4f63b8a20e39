#pragma once
// Escaping text for HTML and SVG: every character that could open markup or end an attribute
// (& < > " ') becomes an entity, so a task named "<script>" is shown as text. Pure; safe for
// concurrent use.

#include <string>
#include <string_view>

namespace core {

std::string html_escape(std::string_view text);
// A URL path segment: unreserved ASCII kept, every other byte %XX (UTF-8 names included).
std::string url_encode_segment(std::string_view text);
// A URL path: each segment encoded as above, the '/' between them kept.
std::string url_encode_path(std::string_view path);

}  // namespace core
