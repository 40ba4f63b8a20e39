#pragma once
// The replies to plan changes (plan_edit.h), in zh-CN or en: what changed, who it concerns (with
// the platform's mention) and what to do next; or why nothing changed. Used by replies.cpp.
// Pure; safe for concurrent use.

#include <string>

#include "core/message.h"
#include "core/replies.h"

namespace core::plan_answers {

std::string applied(const CommandOutcome& outcome, Locale locale, const Markup& markup);
// `outcome.detail` starts with plan_edit's stable key ("exists: T008").
std::string rejected(const CommandOutcome& outcome, Locale locale, const Markup& markup);
// `outcome.contacts` are the project's leads.
std::string forbidden(const CommandOutcome& outcome, Locale locale, const Markup& markup);
// A line that lacks parts (ParsedLine::missing: "name", "owner", "dates", "person").
std::string missing_parts(const ParsedLine& line, Locale locale, const Markup& markup);

}  // namespace core::plan_answers
