#include "core/json_depth.h"

#include <string>

namespace core {

Result<void> check_json_depth(std::string_view text, int max_depth, bool allow_comments) {
    int depth = 0;
    size_t i = 0;
    const size_t n = text.size();
    while (i < n) {
        char c = text[i];
        if (c == '"') {  // skip the string, escapes included
            for (++i; i < n && text[i] != '"'; ++i)
                if (text[i] == '\\') ++i;
            ++i;
            continue;
        }
        if (allow_comments && c == '/' && i + 1 < n && text[i + 1] == '/') {
            size_t end = text.find('\n', i);
            i = end == std::string_view::npos ? n : end + 1;
            continue;
        }
        if (allow_comments && c == '/' && i + 1 < n && text[i + 1] == '*') {
            size_t end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? n : end + 2;
            continue;
        }
        if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return make_error(ErrorCode::invalid_argument,
                                  "JSON nests deeper than " + std::to_string(max_depth) + " levels");
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
        ++i;
    }
    return ok();
}

}  // namespace core
