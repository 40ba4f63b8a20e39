#pragma once
// Asks a platform's directory who a chat account is (issue 21), so that an unknown account can be
// linked to a person of the plan: Slack users.info, Feishu contact/v3 user get, DingTalk
// topapi/v2/user/get (the wire formats are adapters/<platform>/directory.h).
//
// What it remembers, per (platform, account):
//   found / not_found   reused for cache_seconds, no request made meanwhile;
//   refused / failed    reused for 60 s only, so that a scope granted or an outage over is
//                       noticed soon.
// Per platform: after a throttling answer (HTTP 429, Feishu 99991400, DingTalk 90018 …) no
// request goes to that platform until its wait has passed (Retry-After / x-ogw-ratelimit-reset,
// 60 s when the platform gives none); meanwhile every lookup there answers rate_limited from
// memory, retry_after_seconds = what is left of the wait.
// When Feishu or DingTalk refuses the token itself, the token function is called once with the
// stale token (it fetches a new one) and the request is retried once.
// Each request's connect and read timeouts are timeout_ms. Tokens are never logged nor put in an
// answer's detail.
//
// Thread safety: safe for concurrent use. The memory is guarded by m_mutex, which is not held
// during a request: two lookups of one uncached account at once may both ask the platform.

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "adapters/common/directory_profile.h"
#include "bot/net/http_client.h"
#include "core/clock.h"
#include "core/result.h"

namespace bot {

// A token source: the current token, or a fresh one when `stale` is the token just refused.
using TokenFunction = std::function<core::Result<std::string>(const std::string& stale)>;

struct DirectorySettings {  // per platform; an empty base = the platform is not enabled
    std::string slack_api_base, slack_bot_token;  // "https://slack.com/api"
    std::string feishu_api_base;                  // "https://open.feishu.cn"
    TokenFunction feishu_token;                   // FeishuSender::token
    std::string dingtalk_oapi_base;               // "https://oapi.dingtalk.com"
    TokenFunction dingtalk_token;                 // DingtalkSender::access_token
    long long cache_seconds = 6 * 3600;           // a found / not_found answer is reused this long
    long long timeout_ms = 3000;
};

class DirectoryLookup {
public:
    // `http` lends its TLS settings (CA bundle); the timeouts are settings.timeout_ms.
    DirectoryLookup(HttpClient& http, const core::Clock& clock, DirectorySettings settings);

    // platform "slack" | "feishu" | "dingtalk"; account = Slack user id / Feishu open_id /
    // DingTalk staff id. A platform not enabled, an unknown one or an empty account: failed,
    // without a request.
    adapters::LookupAnswer lookup(const std::string& platform, const std::string& account);

    // Directory requests sent so far (token fetches not included).
    long long requests_made() const;

private:
    struct Remembered {
        adapters::LookupAnswer answer;
        long long until_ms = 0;
    };

    // The configured base of a known platform ("" = not enabled); nullptr for another name.
    const std::string* base_of(const std::string& platform) const;
    // The answer in memory for this account or this platform's wait, if any.
    std::optional<adapters::LookupAnswer> from_memory(const std::string& platform,
                                                      const std::string& account);
    adapters::LookupAnswer ask(const std::string& platform, const std::string& account);
    adapters::LookupAnswer ask_once(const std::string& platform, const std::string& account,
                                    const std::string& token);
    // Keeps the answer as the header says; true when it is worth a warning (refused, failed,
    // or a throttle that starts or lengthens the platform's wait).
    bool remember(const std::string& platform, const std::string& account,
                  const adapters::LookupAnswer& answer);
    // Drops expired answers, else the one expiring first. Called with m_mutex held.
    void make_room(long long now_ms);

    HttpClient m_http;
    const core::Clock& m_clock;
    const DirectorySettings m_settings;

    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, std::string>, Remembered> m_answers;  // Guarded by m_mutex.
    std::map<std::string, long long> m_platform_wait_until_ms;            // Guarded by m_mutex.
    long long m_requests = 0;                                             // Guarded by m_mutex.
};

}  // namespace bot
