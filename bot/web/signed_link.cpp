// LinkSigner: HMAC-SHA256 over "path\nexp", hex; the secret from config or the store.

#include "bot/web/signed_link.h"

#include <charconv>
#include <cstdio>

#include "adapters/common/crypto.h"
#include "core/date.h"
#include "core/html.h"
#include "core/url.h"
#include "core/store/store.h"

namespace bot {

namespace {

constexpr size_t k_secret_bytes = 32;

std::string utc_time(std::int64_t unix_seconds) {
    const auto day = core::date_from_unix_seconds(unix_seconds);
    const auto seconds_of_day = unix_seconds - static_cast<std::int64_t>(
                                                   day.time_since_epoch().count()) * 86400;
    char clock[16];
    std::snprintf(clock, sizeof clock, " %02d:%02d UTC", static_cast<int>(seconds_of_day / 3600),
                  static_cast<int>(seconds_of_day / 60 % 60));
    return core::format_iso_date(day) + clock;
}

core::Error refused(std::string reason) {
    return core::make_error(core::ErrorCode::unauthorized, std::move(reason));
}

}  // namespace

core::Result<std::string> link_secret(std::string_view configured_secret, store::Store& store) {
    if (!configured_secret.empty()) return std::string(configured_secret);
    // Read and, the first time, made in one write transaction: replicas starting together on
    // one database all end up with the one secret the first of them stored.
    std::string secret;
    auto done = store.transaction([&]() -> core::Result<void> {
        auto kept = store.get_state(k_link_secret_state_key);
        if (!kept) return kept.error();
        if (kept->has_value() && !(*kept)->empty()) {
            secret = **kept;
            return core::ok();
        }
        secret = adapters::to_hex(adapters::random_bytes(k_secret_bytes));
        return store.put_state(k_link_secret_state_key, secret);
    });
    if (!done) return done.error();
    return secret;
}

core::Result<std::unique_ptr<LinkSigner>> LinkSigner::create(std::string_view configured_secret,
                                                             store::Store& store) {
    auto secret = link_secret(configured_secret, store);
    if (!secret) return secret.error();
    return std::make_unique<LinkSigner>(std::move(*secret));
}

LinkSigner::LinkSigner(std::string secret) : m_secret(std::move(secret)) {}

std::string LinkSigner::signature(std::string_view path, std::string_view exp) const {
    std::string message(path);
    message += '\n';
    message += exp;
    return adapters::to_hex(adapters::hmac_sha256(m_secret, message));
}

std::string LinkSigner::sign(std::string_view path, std::int64_t expires_unix) const {
    const std::string exp = std::to_string(expires_unix);
    return core::url_encode_path(path) + "?exp=" + exp + "&sig=" + signature(path, exp);
}

std::string LinkSigner::sign_url(std::string_view public_url, std::string_view path,
                                 std::int64_t expires_unix) const {
    while (!public_url.empty() && public_url.back() == '/') public_url.remove_suffix(1);
    return std::string(public_url) + sign(path, expires_unix);
}

core::Result<void> LinkSigner::verify(std::string_view path, std::string_view exp,
                                      std::string_view sig, std::int64_t now_unix) const {
    if (sig.empty() || exp.empty()) return refused("the link has no signature");
    if (!adapters::constant_time_equals(signature(path, exp), sig))
        return refused("the link's signature is not valid");
    std::int64_t expires = 0;
    const auto parsed = std::from_chars(exp.data(), exp.data() + exp.size(), expires);
    if (parsed.ec != std::errc{} || parsed.ptr != exp.data() + exp.size())
        return refused("the link's signature is not valid");
    if (expires < now_unix) return refused("the link expired at " + utc_time(expires));
    return core::ok();
}

std::string export_path(std::string_view project_id) { return "/export/" + std::string(project_id) + ".xlsx"; }

LinkSettings make_link_settings(const LinkSigner& signer, std::string public_url, long long ttl_seconds) {
    LinkSettings links;
    links.public_url_set = !public_url.empty();
    links.ttl_seconds = ttl_seconds;
    links.web_view = [&signer, public_url](std::string_view project_id, long long expires) {
        return signer.sign_url(public_url, "/web/p/" + std::string(project_id), expires);
    };
    links.export_xlsx = [&signer, public_url](std::string_view project_id, long long expires) {
        return signer.sign_url(public_url, export_path(project_id), expires);
    };
    return links;
}

}  // namespace bot
