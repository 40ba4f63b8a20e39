// Form bodies and URL splitting declared in adapters/common/form.h. Pure functions; safe for concurrent use.

#include "adapters/common/form.h"

namespace adapters {

namespace {

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        const size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;  // "a=1&&b=2"
        const size_t equals = pair.find('=');
        auto key = core::url_decode(pair.substr(0, equals));
        auto value = core::url_decode(equals == std::string_view::npos ? std::string_view()
                                                                 : pair.substr(equals + 1));
        if (!key || !value) return std::nullopt;
        fields.emplace(std::move(*key), std::move(*value));  // emplace keeps the first value
    }
    return fields;
}

std::optional<UrlParts> split_url(std::string_view url) {
    size_t scheme_length = 0;
    if (starts_with_ignoring_case(url, "https://")) {
        scheme_length = 8;
    } else if (starts_with_ignoring_case(url, "http://")) {
        scheme_length = 7;
    } else {
        return std::nullopt;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
    }
    url = url.substr(0, url.find('#'));  // a fragment is never sent to the server
    const size_t path_start = url.find_first_of("/?", scheme_length);
    const std::string_view authority = url.substr(
        scheme_length,
        path_start == std::string_view::npos ? std::string_view::npos : path_start - scheme_length);
    if (authority.empty() || authority.front() == ':' ||
        authority.find('@') != std::string_view::npos) {
        return std::nullopt;
    }
    UrlParts parts;
    parts.base = std::string(url.substr(0, scheme_length + authority.size()));
    const std::string_view rest =
        path_start == std::string_view::npos ? std::string_view() : url.substr(path_start);
    const bool needs_slash = rest.empty() || rest.front() == '?';
    parts.path_and_query.reserve(rest.size() + 1);
    if (needs_slash) parts.path_and_query.push_back('/');
    parts.path_and_query.append(rest);
    return parts;
}

}  // namespace adapters
