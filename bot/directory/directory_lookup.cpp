// DirectoryLookup: a platform's directory asked who an account is, and the answer remembered
// (bot/directory/directory_lookup.h).

#include "bot/directory/directory_lookup.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "adapters/dingtalk/directory.h"
#include "adapters/feishu/directory.h"
#include "adapters/slack/directory.h"

namespace bot {
namespace {

using adapters::LookupAnswer;
using adapters::LookupStatus;

// refused / failed are remembered this long: a scope granted or an outage over shows soon.
constexpr long long k_short_memory_seconds = 60;
// How long a platform is left alone after throttling that named no wait.
constexpr long long k_default_wait_seconds = 60;
// Accounts come from inbound messages; a flood of made-up ones must not grow memory for ever.
constexpr std::size_t k_max_remembered = 4096;

std::string without_trailing_slash(std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

HttpClientOptions with_timeout(HttpClientOptions options, long long timeout_ms) {
    const std::chrono::milliseconds timeout{std::max<long long>(timeout_ms, 1)};
    options.connect_timeout = timeout;
    options.read_timeout = timeout;
    return options;
}

adapters::DirectoryRequest render(const std::string& platform, const std::string& token,
                                  const std::string& account) {
    if (platform == "slack") return adapters::slack::render_directory_request(token, account);
    if (platform == "feishu") return adapters::feishu::render_directory_request(token, account);
    return adapters::dingtalk::render_directory_request(token, account);
}

LookupAnswer parse(const std::string& platform, const HttpResponse& response,
                   const std::string& wait_header) {
    const std::string wait = response.header(wait_header);
    if (platform == "slack")
        return adapters::slack::parse_directory_response(response.status, wait, response.body);
    if (platform == "feishu")
        return adapters::feishu::parse_directory_response(response.status, wait, response.body);
    return adapters::dingtalk::parse_directory_response(response.status, wait, response.body);
}

LookupAnswer failed(std::string detail) {
    return adapters::lookup_answer(LookupStatus::failed, std::move(detail));
}

}  // namespace

DirectoryLookup::DirectoryLookup(HttpClient& http, const core::Clock& clock,
                                 DirectorySettings settings)
    : m_http(with_timeout(http.options(), settings.timeout_ms)), m_clock(clock), m_settings([&] {
          settings.slack_api_base = without_trailing_slash(std::move(settings.slack_api_base));
          settings.feishu_api_base = without_trailing_slash(std::move(settings.feishu_api_base));
          settings.dingtalk_oapi_base =
              without_trailing_slash(std::move(settings.dingtalk_oapi_base));
          return std::move(settings);
      }()) {}

long long DirectoryLookup::requests_made() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

const std::string* DirectoryLookup::base_of(const std::string& platform) const {
    if (platform == "slack") return &m_settings.slack_api_base;
    if (platform == "feishu") return &m_settings.feishu_api_base;
    if (platform == "dingtalk") return &m_settings.dingtalk_oapi_base;
    return nullptr;
}

LookupAnswer DirectoryLookup::lookup(const std::string& platform, const std::string& account) {
    const std::string* base = base_of(platform);
    if (base == nullptr) return failed("directory lookup: unknown platform '" + platform + "'");
    if (base->empty()) return failed(platform + " directory lookup is not enabled");
    if (account.empty()) return failed(platform + " directory lookup: no account");
    if (auto remembered = from_memory(platform, account)) return *remembered;

    LookupAnswer answer = ask(platform, account);
    if (answer.status == LookupStatus::rate_limited && answer.retry_after_seconds <= 0)
        answer.retry_after_seconds = static_cast<int>(k_default_wait_seconds);
    if (remember(platform, account, answer)) {
        // Logged once per wait or per short memory, not once per message.
        spdlog::warn("directory: {} lookup of {} {}: {}", platform, account,
                     to_string(answer.status), answer.detail);
    }
    return answer;
}

std::optional<LookupAnswer> DirectoryLookup::from_memory(const std::string& platform,
                                                         const std::string& account) {
    const long long now_ms = m_clock.now_unix_ms();
    std::lock_guard lock(m_mutex);
    // A remembered answer for the account holds even while the platform is throttled.
    if (const auto found = m_answers.find({platform, account}); found != m_answers.end()) {
        if (now_ms < found->second.until_ms) return found->second.answer;
        m_answers.erase(found);
    }
    const auto wait = m_platform_wait_until_ms.find(platform);
    if (wait == m_platform_wait_until_ms.end() || now_ms >= wait->second) return std::nullopt;
    const long long left = (wait->second - now_ms + 999) / 1000;
    LookupAnswer answer = adapters::lookup_answer(
        LookupStatus::rate_limited, platform + " directory is throttled: no request for another " +
                                        std::to_string(left) + " s");
    answer.retry_after_seconds = static_cast<int>(left);
    return answer;
}

LookupAnswer DirectoryLookup::ask(const std::string& platform, const std::string& account) {
    if (platform == "slack") {
        if (m_settings.slack_bot_token.empty())
            return adapters::lookup_answer(LookupStatus::refused,
                                           "slack directory lookup: no bot token");
        return ask_once(platform, account, m_settings.slack_bot_token);
    }
    const TokenFunction& source =
        platform == "feishu" ? m_settings.feishu_token : m_settings.dingtalk_token;
    if (!source) return failed(platform + " directory lookup: no token source");
    auto token = source("");
    if (!token) return failed(platform + " directory lookup: token: " + token.error().message);
    LookupAnswer answer = ask_once(platform, account, *token);
    if (!answer.token_invalid) return answer;
    // The token itself was refused: one new token, one more try.
    auto fresh = source(*token);
    if (!fresh) {
        answer.detail += "; a new token could not be fetched: " + fresh.error().message;
        return answer;
    }
    return ask_once(platform, account, *fresh);
}

LookupAnswer DirectoryLookup::ask_once(const std::string& platform, const std::string& account,
                                       const std::string& token) {
    const adapters::DirectoryRequest request = render(platform, token, account);
    // The URL may carry the token (DingTalk): it goes to the client only, whose errors show
    // scheme://host:port and nothing more.
    const std::string url = *base_of(platform) + request.target;
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
    }
    auto response = request.method == "POST"
                        ? m_http.post(url, request.headers, request.body, request.content_type)
                        : m_http.get(url, request.headers);
    if (!response) return failed(platform + " directory lookup: " + response.error().message);
    return parse(platform, *response, request.wait_header);
}

bool DirectoryLookup::remember(const std::string& platform, const std::string& account,
                               const LookupAnswer& answer) {
    const long long now_ms = m_clock.now_unix_ms();
    std::lock_guard lock(m_mutex);
    if (answer.status == LookupStatus::rate_limited) {
        long long& until = m_platform_wait_until_ms[platform];
        const long long wait_until = now_ms + answer.retry_after_seconds * 1000LL;
        if (wait_until <= until) return false;
        until = wait_until;
        return true;
    }
    const bool lasting =
        answer.status == LookupStatus::found || answer.status == LookupStatus::not_found;
    const long long seconds = lasting ? m_settings.cache_seconds
                                      : std::min(k_short_memory_seconds, m_settings.cache_seconds);
    if (seconds > 0) {
        if (m_answers.size() >= k_max_remembered) make_room(now_ms);
        m_answers[{platform, account}] = Remembered{answer, now_ms + seconds * 1000};
    }
    return !lasting;
}

void DirectoryLookup::make_room(long long now_ms) {
    std::erase_if(m_answers, [&](const auto& entry) { return entry.second.until_ms <= now_ms; });
    if (m_answers.size() < k_max_remembered) return;
    m_answers.erase(std::min_element(
        m_answers.begin(), m_answers.end(),
        [](const auto& a, const auto& b) { return a.second.until_ms < b.second.until_ms; }));
}

}  // namespace bot
