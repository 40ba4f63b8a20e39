#pragma once
// What a chat command needs to answer with a link to the web part's pages ("看板" / "web",
// "导出" / "export"): signed absolute URLs, made by the web part (bot/web/signed_link.h,
// make_link_settings) and handed in by the App, so the pipeline knows neither the signing nor
// the paths. Value type; the functions it holds must be safe for concurrent use.

#include <functional>
#include <string>
#include <string_view>

#include "core/answers.h"

namespace bot {

struct LinkSettings {
    // The signed absolute URL of a project's web view / Excel download, valid until expires_unix.
    using MakeLink = std::function<std::string(std::string_view project_id, long long expires_unix)>;
    MakeLink web_view;     // unset: the web view is off (web.enabled)
    MakeLink export_xlsx;  // unset: the web view is off
    bool public_url_set = false;        // web.public_url; unset: the reply says an admin must set it
    long long ttl_seconds = 72 * 3600;  // web.link_ttl_hours

    bool enabled() const { return static_cast<bool>(web_view) && static_cast<bool>(export_xlsx); }
    bool ready() const { return enabled() && public_url_set; }
    core::answers::LinkState state() const {
        using core::answers::LinkState;
        return !enabled() ? LinkState::off : public_url_set ? LinkState::ready : LinkState::no_public_url;
    }
};

}  // namespace bot
