// Form bodies, percent-encoding, URL splitting and UTF-8 validation declared in
// adapters/common/form.h. Pure functions; safe for concurrent use.

#include "adapters/common/form.h"

namespace adapters {

namespace {

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != prefix[i]) return false;
    }
    return true;
}

// The length of the UTF-8 sequence that `lead` starts, with the allowed range of the second
// byte (which is where overlongs and surrogates are excluded), or 0 for an invalid lead byte.
struct SequenceShape {
    int length;
    unsigned char second_min;
    unsigned char second_max;
};

SequenceShape shape_of(unsigned char lead) {
    if (lead < 0x80) return {1, 0, 0};
    if (lead >= 0xC2 && lead <= 0xDF) return {2, 0x80, 0xBF};
    if (lead == 0xE0) return {3, 0xA0, 0xBF};  // no overlong 3-byte forms
    if (lead == 0xED) return {3, 0x80, 0x9F};  // no UTF-16 surrogates
    if (lead >= 0xE1 && lead <= 0xEF) return {3, 0x80, 0xBF};
    if (lead == 0xF0) return {4, 0x90, 0xBF};  // no overlong 4-byte forms
    if (lead >= 0xF1 && lead <= 0xF3) return {4, 0x80, 0xBF};
    if (lead == 0xF4) return {4, 0x80, 0x8F};  // nothing above U+10FFFF
    return {0, 0, 0};                          // 0x80–0xC1, 0xF5–0xFF
}

}  // namespace

std::string url_encode(std::string_view text) {
    static constexpr char k_digits[] = "0123456789ABCDEF";
    std::string encoded;
    encoded.reserve(text.size() * 3);
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (is_unreserved(byte)) {
            encoded.push_back(c);
        } else {
            encoded.push_back('%');
            encoded.push_back(k_digits[byte >> 4]);
            encoded.push_back(k_digits[byte & 0x0f]);
        }
    }
    return encoded;
}

std::optional<std::string> url_decode(std::string_view text) {
    std::string decoded;
    decoded.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            decoded.push_back(' ');
        } else if (c == '%') {
            if (text.size() - i < 3) return std::nullopt;  // '%' needs two hex digits after it
            const int high = hex_value(text[i + 1]);
            const int low = hex_value(text[i + 2]);
            if (high < 0 || low < 0) return std::nullopt;
            decoded.push_back(static_cast<char>(high * 16 + low));
            i += 2;
        } else {
            decoded.push_back(c);
        }
    }
    return decoded;
}

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        const size_t amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;  // "a=1&&b=2"
        const size_t equals = pair.find('=');
        auto key = url_decode(pair.substr(0, equals));
        auto value = url_decode(equals == std::string_view::npos ? std::string_view()
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

bool is_valid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const SequenceShape shape = shape_of(lead);
        if (shape.length == 0) return false;
        if (shape.length == 1) {
            ++i;
            continue;
        }
        if (text.size() - i < static_cast<size_t>(shape.length)) return false;
        const auto second = static_cast<unsigned char>(text[i + 1]);
        if (second < shape.second_min || second > shape.second_max) return false;
        for (int k = 2; k < shape.length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
            if ((next & 0xC0) != 0x80) return false;
        }
        i += static_cast<size_t>(shape.length);
    }
    return true;
}

}  // namespace adapters
