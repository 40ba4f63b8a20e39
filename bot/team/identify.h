#pragma once
// Links a chat account to the person the platform's directory says it is (issue 21): by email
// (or Feishu's enterprise email, DingTalk's org email) or mobile on Feishu and DingTalk, by email
// alone on Slack (a Slack profile's phone is whatever its owner typed), and on Feishu and
// DingTalk, whose directories are the organisation's own, also by a name that exactly one person
// of the chat's projects has. Never by a Slack display or real name: anyone can set theirs.
// Nothing is linked when the match is not exactly one person, or that person already has
// another account on the platform.
//
// Thread safety: safe for concurrent use; joins the caller's transaction.

#include <optional>
#include <string>
#include <vector>

#include "adapters/common/directory_profile.h"
#include "core/model.h"
#include "core/result.h"
#include "core/store/store.h"

namespace bot {

// The person linked, or nullopt when the answer matched nobody for sure. `project_ids`: the
// chat's projects, whose people a name is matched against.
core::Result<std::optional<core::Person>> link_from_directory(store::Store& store, const adapters::LookupAnswer& answer,
                                                              const std::string& platform, const std::string& account,
                                                              const std::vector<std::string>& project_ids,
                                                              const core::ChangeSource& source);

}  // namespace bot
