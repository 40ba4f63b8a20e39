#pragma once
// What Feishu's and DingTalk's token and send endpoints answer, judged the same way for both
// senders: a token with its lifetime, and how a send went. Plain value types.

#include <string>

namespace adapters {

struct TokenResponse {
    std::string token;
    long long expire_seconds = 0;
};

struct ApiOutcome {
    enum class Kind { ok, retry, refresh_token, fatal };
    Kind kind = Kind::fatal;
    long long code = 0;                 // the platform's business code (Feishu code, DingTalk
                                        // webhook errcode; 0 when absent or for the OpenAPI)
    std::string message;                // the platform's msg / errmsg, or what went wrong
    std::string message_id;             // ok: Feishu data.message_id, DingTalk processQueryKey
    long long retry_after_seconds = 0;  // retry: seconds to wait (0 = the caller's backoff)
};

}  // namespace adapters
