#pragma once
// JSON texts that nest deeper than any parser should be asked to build, made by splicing text
// (never by building the value: the point is that nothing builds it).

#include <string>

namespace testing_support {

// "[[[…]]]", `depth` levels.
inline std::string nested_array(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// `object_json` with "deep": nested_array(depth) as its first field, beside everything it held.
inline std::string with_deep_field(const std::string& object_json, size_t depth = 10000) {
    std::string out = object_json;
    size_t open = out.find('{');
    if (open == std::string::npos) return out;
    bool empty = out.find_first_not_of(" \t\r\n", open + 1) == out.find('}', open + 1);
    out.insert(open + 1, "\"deep\":" + nested_array(depth) + (empty ? "" : ","));
    return out;
}

}  // namespace testing_support
