#include "adapters/feishu/at_tags.h"

namespace adapters::feishu {
namespace {

// The value of `name=` inside the attribute text of an opening tag: "v", 'v' or v.
std::string attribute(std::string_view attrs, std::string_view name) {
    size_t pos = 0;
    while ((pos = attrs.find(name, pos)) != std::string_view::npos) {
        bool starts_word = pos == 0 || attrs[pos - 1] == ' ' || attrs[pos - 1] == '\t';
        size_t eq = pos + name.size();
        if (!starts_word || eq >= attrs.size() || attrs[eq] != '=') {
            pos = eq;
            continue;
        }
        size_t start = eq + 1;
        if (start < attrs.size() && (attrs[start] == '"' || attrs[start] == '\'')) {
            size_t close = attrs.find(attrs[start], start + 1);
            if (close == std::string_view::npos) return {};
            return std::string(attrs.substr(start + 1, close - start - 1));
        }
        size_t stop = attrs.find_first_of(" \t", start);
        return std::string(attrs.substr(start, stop == std::string_view::npos ? stop : stop - start));
    }
    return {};
}

}  // namespace

std::vector<AtTag> find_at_tags(std::string_view text) {
    constexpr std::string_view k_open = "<at ";
    constexpr std::string_view k_close = "</at>";
    std::vector<AtTag> tags;
    size_t pos = 0;
    while ((pos = text.find(k_open, pos)) != std::string_view::npos) {
        size_t head_end = text.find('>', pos);
        if (head_end == std::string_view::npos) break;
        size_t close = text.find(k_close, head_end);
        if (close == std::string_view::npos) break;
        std::string_view attrs = text.substr(pos + k_open.size(), head_end - pos - k_open.size());
        AtTag tag;
        tag.begin = pos;
        tag.end = close + k_close.size();
        tag.inner = std::string(text.substr(head_end + 1, close - head_end - 1));
        for (std::string_view name : {"open_id", "user_id", "id"}) {
            tag.id = attribute(attrs, name);
            if (!tag.id.empty()) break;
        }
        tags.push_back(std::move(tag));
        pos = close + k_close.size();
    }
    return tags;
}

std::string rewrite_at_tags(std::string_view text,
                            const std::function<std::string(const AtTag&)>& replace) {
    std::string out;
    size_t copied = 0;
    for (const AtTag& tag : find_at_tags(text)) {
        out.append(text.substr(copied, tag.begin - copied));
        out += replace(tag);
        copied = tag.end;
    }
    out.append(text.substr(copied));
    return out;
}

}  // namespace adapters::feishu
