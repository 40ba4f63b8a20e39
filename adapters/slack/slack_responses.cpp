// Judging Slack's answers to chat.postMessage and incoming webhooks (adapters/slack/slack.h,
// protocols.md §1.7): sent, retry (and when), or fatal. Pure functions; safe for concurrent use.

#include <charconv>
#include <string>

#include "adapters/common/json_fields.h"
#include "adapters/slack/slack.h"
#include "core/text.h"

namespace adapters::slack {
namespace {

long long retry_after_or(std::string_view header, long long fallback) {
    const std::string_view value = core::trim_ascii(header);
    if (!core::is_all_digits(value) || value.size() > 9) return fallback;  // HTTP-date form: use the default
    long long seconds = 0;
    std::from_chars(value.data(), value.data() + value.size(), seconds);
    return seconds;
}

ApiOutcome outcome(ApiOutcome::Kind kind, std::string error, long long retry_after = 0) {
    ApiOutcome result;
    result.kind = kind;
    result.error = std::move(error);
    result.retry_after_seconds = retry_after;
    return result;
}

// An error code Slack returns that means "try again later" rather than "this cannot work".
bool is_transient_code(std::string_view code) {
    return code == "internal_error" || code == "fatal_error" || code == "service_unavailable" ||
           code == "request_timeout";
}

bool is_rate_limit_code(std::string_view code) {
    return code == "ratelimited" || code == "rate_limited";
}

ApiOutcome judge_error_code(std::string code, std::string_view retry_after_header) {
    if (is_rate_limit_code(code))
        return outcome(ApiOutcome::Kind::retry, std::move(code),
                       retry_after_or(retry_after_header, 30));
    if (is_transient_code(code))
        return outcome(ApiOutcome::Kind::retry, std::move(code),
                       retry_after_or(retry_after_header, 0));
    // channel_not_found, not_in_channel, is_archived, invalid_auth, msg_too_long, invalid_blocks,
    // and codes we do not know: resending the same body cannot help.
    return outcome(ApiOutcome::Kind::fatal, std::move(code));
}

// A Web API JSON body {"ok":…,"error":…,"ts":…}.
ApiOutcome judge_api_body(std::string_view body, std::string_view retry_after_header) {
    const auto parsed = json_fields::parse(body, "Slack response");
    if (!parsed || !parsed->is_object())
        return outcome(ApiOutcome::Kind::retry, "unparseable response body");
    const auto ok = parsed->find("ok");
    if (ok == parsed->end() || !ok->is_boolean())
        return outcome(ApiOutcome::Kind::retry, "response without \"ok\"");
    if (ok->get<bool>()) {
        ApiOutcome result = outcome(ApiOutcome::Kind::ok, "");
        result.ts = json_fields::text_at(*parsed, "ts");
        return result;
    }
    const std::string code = json_fields::text_at(*parsed, "error");
    return judge_error_code(code.empty() ? std::string("unknown_error") : code, retry_after_header);
}

// What a non-2xx status alone says; nullopt when the body must be read.
std::optional<ApiOutcome> judge_status(int http_status, std::string_view retry_after_header) {
    if (http_status <= 0) return outcome(ApiOutcome::Kind::retry, "no response");
    if (http_status == 429)
        return outcome(ApiOutcome::Kind::retry, "HTTP 429", retry_after_or(retry_after_header, 1));
    if (http_status >= 500 || http_status == 408) {
        return outcome(ApiOutcome::Kind::retry, "HTTP " + std::to_string(http_status),
                       retry_after_or(retry_after_header, 0));
    }
    return std::nullopt;
}

// A plain-text webhook error such as "channel_not_found", fit to be an error code.
bool looks_like_code(std::string_view text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_' || (c >= '0' && c <= '9');
    });
}

}  // namespace

ApiOutcome parse_post_message_response(int http_status, std::string_view retry_after_header,
                                       std::string_view body) {
    if (auto by_status = judge_status(http_status, retry_after_header)) {
        if (http_status == 429) {
            // The body usually says "ratelimited"; keep the header's wait either way.
            const auto parsed = json_fields::parse(body, "Slack response");
            if (parsed && parsed->is_object() && json_fields::string_member(*parsed, "error"))
                by_status->error = *json_fields::string_member(*parsed, "error");
        }
        return *by_status;
    }
    if (http_status < 200 || http_status >= 300) {
        const auto parsed = json_fields::parse(body, "Slack response");
        const std::string* code =
            parsed && parsed->is_object() ? json_fields::string_member(*parsed, "error") : nullptr;
        if (code && is_rate_limit_code(*code)) return judge_error_code(*code, retry_after_header);
        return outcome(ApiOutcome::Kind::fatal,
                       code ? *code : "HTTP " + std::to_string(http_status));
    }
    return judge_api_body(body, retry_after_header);
}

ApiOutcome parse_webhook_response(int http_status, std::string_view retry_after_header,
                                  std::string_view body) {
    if (auto by_status = judge_status(http_status, retry_after_header)) return *by_status;
    const std::string_view text = core::trim_ascii(body);
    if (text.starts_with("{")) {  // response_url and some proxies answer in Web API JSON
        ApiOutcome judged = judge_api_body(text, retry_after_header);
        if (judged.kind == ApiOutcome::Kind::ok && (http_status < 200 || http_status >= 300)) {
            return outcome(ApiOutcome::Kind::fatal, "HTTP " + std::to_string(http_status));
        }
        return judged;
    }
    const bool success = http_status >= 200 && http_status < 300;
    if (success && (text == "ok" || text.empty())) return outcome(ApiOutcome::Kind::ok, "");
    // Plain-text errors (§1.6): invalid_payload, no_text, channel_not_found, no_service …
    if (looks_like_code(text)) return judge_error_code(std::string(text), retry_after_header);
    return outcome(ApiOutcome::Kind::fatal,
                   "HTTP " + std::to_string(http_status) + (success ? ": unexpected body" : ""));
}

}  // namespace adapters::slack
