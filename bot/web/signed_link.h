#pragma once
// Signed links to trackerd's read-only web pages (the web view, downloads): a URL path plus an
// expiry, authenticated with HMAC-SHA256 so a link sent in chat opens the page without a login
// and stops working when it expires. Only the path and the expiry are signed; other query
// parameters (?lang=) are not.
//
//   sign("/web/p/P001", 1711180800) -> "/web/p/P001?exp=1711180800&sig=<64 hex>"
//
// The secret is config `web.link_secret` when set, else 32 random bytes generated once and kept
// in the store's kv state (k_link_secret_state_key), so links survive restarts.
//
// Thread safety: immutable after construction; safe for concurrent use.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "bot/pipeline/links.h"
#include "core/result.h"

namespace store {
class Store;
}

namespace bot {

inline constexpr std::string_view k_link_secret_state_key = "web.link_secret";

// The secret links are signed with: `configured_secret` when not empty, else the one kept in
// the store (generated, 32 random bytes as hex, and stored on first use).
core::Result<std::string> link_secret(std::string_view configured_secret, store::Store& store);

class LinkSigner {
public:
    // A signer with link_secret(configured_secret, store). Fails only when the store fails.
    static core::Result<std::unique_ptr<LinkSigner>> create(std::string_view configured_secret,
                                                            store::Store& store);
    explicit LinkSigner(std::string secret);

    // `path` is a decoded URL path without query ("/web/p/P001", "/web/p/新品"): the path the
    // server sees. Returns it percent-encoded (each segment; '/' kept) with "?exp=…&sig=…".
    std::string sign(std::string_view path, std::int64_t expires_unix) const;
    // public_url (a trailing '/' dropped) + sign(path, expires_unix): the absolute link for chat.
    std::string sign_url(std::string_view public_url, std::string_view path,
                         std::int64_t expires_unix) const;
    // ok when `sig` is the signature of path + exp and exp is not before now_unix. Errors are
    // ErrorCode::unauthorized with a reason fit to show a person: "the link has no signature",
    // "the link's signature is not valid", "the link expired at <UTC time>". Constant-time compare.
    core::Result<void> verify(std::string_view path, std::string_view exp, std::string_view sig,
                              std::int64_t now_unix) const;

private:
    std::string signature(std::string_view path, std::string_view exp) const;

    std::string m_secret;
};

// The links the pipeline's replies carry (bot/pipeline/links.h): "/web/p/<project>" and
// export_path(<project>) signed with `signer`, under `public_url` ("" = not set: the replies
// say so). `signer` is borrowed and must outlive the settings.
LinkSettings make_link_settings(const LinkSigner& signer, std::string public_url, long long ttl_seconds);

// The Excel download's path for a project ("/export/<project>.xlsx").
std::string export_path(std::string_view project_id);

}  // namespace bot
