#pragma once
// Escaping text for HTML and SVG: every character that could open markup or end an attribute
// (& < > " ') becomes an entity, so a task named "<script>" is shown as text. Pure; safe for
// concurrent use.

#include <string>
#include <string_view>

namespace core {

std::string html_escape(std::string_view text);

}  // namespace core
