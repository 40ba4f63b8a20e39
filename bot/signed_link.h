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

// What a chat command needs to answer with a link (the dispatcher's DispatchContext::links).
struct LinkSettings {
    const LinkSigner* signer = nullptr;  // borrowed; null = the web view is off (web.enabled)
    std::string public_url;              // web.public_url; "" = not set (the reply says so)
    long long ttl_seconds = 72 * 3600;   // web.link_ttl_hours
};

}  // namespace bot
