#pragma once
// Feishu "<at …>…</at>" mention tags inside message text: found, read and rewritten. Used by
// the Feishu adapter only (legacy v1 inbound text, outbound text <-> card conversion). Pure
// functions; safe for concurrent use.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace adapters::feishu {

// One tag "<at ATTRS>INNER</at>" at [begin, end) of the text.
struct AtTag {
    size_t begin = 0;
    size_t end = 0;
    std::string id;     // the value of id=, user_id= or open_id= (quoted or not); "" if none
    std::string inner;  // the text between the tags (a name, or "" in cards)
};

// Every well-formed tag, in order. A "<at" without a closing "</at>" is left as text.
std::vector<AtTag> find_at_tags(std::string_view text);

// Replaces each tag by what `replace` returns for it.
std::string rewrite_at_tags(std::string_view text,
                            const std::function<std::string(const AtTag&)>& replace);

}  // namespace adapters::feishu
