#include "config/value_syntax.h"

#include <algorithm>

namespace config {

bool parse_listen(std::string_view listen, std::string& host, int& port) {
    std::string text(listen);
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size() ||
        text.size() - colon - 1 > 5)
        return false;
    std::string name = text.substr(0, colon);
    if (name.front() == '[') {
        if (name.size() < 3 || name.back() != ']') return false;
        name = name.substr(1, name.size() - 2);
    } else if (name.find(':') != std::string::npos) {
        return false;  // an IPv6 address needs brackets
    }
    int number = 0;
    for (char c : text.substr(colon + 1)) {
        if (c < '0' || c > '9') return false;
        number = number * 10 + (c - '0');
    }
    if (number > 65535) return false;
    host = name;
    port = number;
    return true;
}

bool is_http_url(std::string_view url) {
    return url.starts_with("https://") || url.starts_with("http://");
}

}  // namespace config
