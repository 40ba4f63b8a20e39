#pragma once
// Who a chat account is, as the platform's directory says (issue 21): the one shape the three
// adapters' directory parsers answer in (adapters/<platform>/directory.h), and the request they
// build for one account. Plain value types; safe to share read-only.

#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/text.h"

namespace adapters {

struct DirectoryProfile {
    std::string name;  // the person's real name
    std::string email;
    std::string enterprise_email;  // Feishu enterprise_email, DingTalk org_email; "" on Slack
    std::string mobile;            // as the platform gives it (Slack: profile.phone)
    std::string display_name;      // Slack profile.display_name, Feishu nickname; "" on DingTalk
};

enum class LookupStatus {
    found,         // `profile` holds what the directory gave (fields it withheld are "")
    not_found,     // the directory has no such account
    rate_limited,  // throttled: ask again after retry_after_seconds (0 = the caller's default)
    refused,       // the app may not read this account: a missing scope, a bad or revoked token
    failed,        // anything else: transport, a 5xx, an answer that cannot be read
};

inline const char* to_string(LookupStatus status) {
    switch (status) {
        case LookupStatus::found:
            return "found";
        case LookupStatus::not_found:
            return "not_found";
        case LookupStatus::rate_limited:
            return "rate_limited";
        case LookupStatus::refused:
            return "refused";
        case LookupStatus::failed:
            return "failed";
    }
    return "failed";
}

struct LookupAnswer {
    LookupStatus status = LookupStatus::failed;
    DirectoryProfile profile;
    int retry_after_seconds = 0;
    std::string detail;          // what the platform said, fit to log; never holds a token
    bool token_invalid = false;  // the token itself was refused (status refused): fetch a new one
};

// One HTTP request to a directory endpoint. `target` is the path and query, appended to the
// platform's API base; it may hold a token (DingTalk's access_token), so it is never logged.
struct DirectoryRequest {
    std::string method;  // "GET" or "POST"
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;          // POST only
    std::string content_type;  // POST only
    std::string wait_header;   // the response header that says how long to wait when throttled
};

inline LookupAnswer lookup_answer(LookupStatus status, std::string detail) {
    LookupAnswer answer;
    answer.status = status;
    answer.detail = std::move(detail);
    return answer;
}

// A wait header ("Retry-After: 30", "x-ogw-ratelimit-reset: 12") in whole seconds, at most a
// day; 0 when absent or not plain digits (Retry-After's HTTP-date form included).
inline int wait_seconds(std::string_view header) {
    constexpr int k_max_wait_seconds = 86400;
    const std::string_view digits = core::trim_ascii(header);
    if (!core::is_all_digits(digits)) return 0;
    if (digits.size() > 6) return k_max_wait_seconds;
    int seconds = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    return seconds > k_max_wait_seconds ? k_max_wait_seconds : seconds;
}

// What a platform's error code means, as its directory parser's table says.
enum class CodeMeaning { not_found, rate_limited, token_invalid, refused };
template <typename Code>
struct CodeMeanings {
    CodeMeaning meaning;
    std::vector<Code> codes;
};

// The answer to an error code: the first row of `table` that lists it decides (token_invalid
// is refused with token_invalid set; rate_limited waits what `wait_header` says); a code no row
// lists is failed. `detail` is what the answer says.
template <typename Code>
LookupAnswer judge_code(const Code& code, std::string detail, std::string_view wait_header,
                        const std::vector<CodeMeanings<Code>>& table) {
    for (const auto& row : table) {
        bool listed = false;
        for (const auto& candidate : row.codes) listed = listed || candidate == code;
        if (!listed) continue;
        switch (row.meaning) {
            case CodeMeaning::not_found:
                return lookup_answer(LookupStatus::not_found, std::move(detail));
            case CodeMeaning::rate_limited: {
                LookupAnswer answer = lookup_answer(LookupStatus::rate_limited, std::move(detail));
                answer.retry_after_seconds = wait_seconds(wait_header);
                return answer;
            }
            case CodeMeaning::token_invalid: {
                LookupAnswer answer = lookup_answer(LookupStatus::refused, std::move(detail));
                answer.token_invalid = true;
                return answer;
            }
            case CodeMeaning::refused:
                return lookup_answer(LookupStatus::refused, std::move(detail));
        }
    }
    return lookup_answer(LookupStatus::failed, std::move(detail));
}

// The failed answers every parser gives before it reaches the platform's code: no response;
// a body that is not JSON (`error` says why); JSON without the member that carries the code.
inline LookupAnswer no_response(std::string_view what) {
    return lookup_answer(LookupStatus::failed, std::string(what) + ": no response");
}
inline LookupAnswer unreadable(const std::string& error, int http_status) {
    return lookup_answer(LookupStatus::failed, error + " (HTTP " + std::to_string(http_status) + ")");
}
inline LookupAnswer without_member(std::string_view what, int http_status, std::string_view member) {
    return lookup_answer(LookupStatus::failed, std::string(what) + ": HTTP " + std::to_string(http_status) +
                                                   ", an answer without \"" + std::string(member) + "\"");
}

}  // namespace adapters
