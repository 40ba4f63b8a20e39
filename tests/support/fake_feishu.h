#pragma once
// A fake Feishu Open Platform on 127.0.0.1 (a real HTTP server on an ephemeral port, in its own
// thread) for tests: the tenant_access_token endpoint (checks app_id/app_secret, issues "t-<n>"
// tokens with a configurable lifetime) and im/v1 send and reply, which check the bearer token
// as Feishu does (an unknown, expired or revoked token answers code 99991663), that `content` is
// a JSON-serialised string and that a uuid is present. Accepted messages are logged.
//
// Custom group bots (§2.8): POST /open-apis/bot/v2/hook/{token} for bots added with
// add_custom_bot. It checks, in this order, the token (19001), the body size (at most 20 KB),
// the JSON (9499), the signature when the bot has a secret (timestamp in seconds as a decimal
// string within 1 hour of the fake's clock, sign = base64(HMAC-SHA256(key = timestamp + "\n" +
// secret, message = "")), else 19021), the rate (5 in any second and 100 in any minute per bot,
// by the fake's clock in ms, else 11232) and the message (text with content.text, interactive
// with a card object, post/image/share_chat with a content object). Which codes Feishu uses for
// an unknown token and an oversized body is not documented; 19001 and 9499 are the fake's choice.
//
// Directory: GET /open-apis/contact/v3/users/{open_id}?user_id_type=open_id with the bearer
// tenant token (checked as for im/v1: 99991663), for users added with add_directory_user; an
// unknown open_id answers HTTP 400 code 99992351 ("these open ids not existed", the fake's
// choice: Feishu's page for the API does not say), a user_id_type other than open_id 40001.
//
// Thread safety: safe for concurrent use; all state is guarded by one mutex.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace testing_support {

struct FeishuMessage {
    std::string endpoint;    // "send" or "reply"
    std::string target;      // send: receive_id (the chat); reply: the message_id replied to
    std::string msg_type;    // "text", "interactive", ...
    std::string content;     // the serialised content string as received
    std::string text;        // content's "text" for text messages, else ""
    std::string uuid;
    std::string message_id;  // the om_… id the fake answered
};

struct FeishuBotMessage {
    std::string hook_token;
    std::string msg_type;
    std::string text;           // content.text for text messages, else ""
    std::string card;           // the card object, serialised, for interactive messages, else ""
    long long timestamp = 0;    // the signed timestamp; 0 when the bot has no secret
    long long received_ms = 0;  // the fake's clock when it was accepted
};

// A user as contact/v3 shows it (data.user).
struct FeishuDirectoryUser {
    std::string name;
    std::string email;
    std::string enterprise_email;
    std::string mobile;
    std::string nickname;
};

class FakeFeishu {
public:
    // `clock` decides when tokens expire; the system clock when null.
    FakeFeishu(std::string app_id, std::string app_secret, const core::Clock* clock = nullptr);
    ~FakeFeishu();
    FakeFeishu(const FakeFeishu&) = delete;
    FakeFeishu& operator=(const FakeFeishu&) = delete;

    std::string api_base() const;  // "http://127.0.0.1:PORT"

    void set_token_lifetime(long long seconds);  // "expire" of tokens issued from now on
    void revoke_tokens();                        // every token issued so far becomes invalid

    // Custom bots. secret "" = the bot checks no signature.
    void add_custom_bot(const std::string& hook_token, const std::string& secret);
    std::string hook_url(const std::string& hook_token) const;  // api_base() + the hook path
    // The next `count` hook requests that pass the token check are answered HTTP 429 with
    // x-ogw-ratelimit-reset: reset_seconds (as Feishu's gateway throttles, §2.9).
    void throttle_next_hooks(int count, long long reset_seconds);
    std::vector<FeishuBotMessage> bot_messages() const;  // accepted, in arrival order
    int hook_requests() const;        // every request to a hook path
    int hook_refused_for_sign() const;  // answered 19021
    int hook_throttled() const;       // answered 11232 (over 5/s or 100/min) or 429 (throttle_next_hooks)

    // Directory. The user get answers this user for `open_id` from now on.
    void add_directory_user(const std::string& open_id, const FeishuDirectoryUser& user);
    // The next `count` user gets answer HTTP 429, code 99991400 and x-ogw-ratelimit-reset.
    void throttle_directory(int count, long long reset_seconds);
    // The next `count` user gets with a valid token answer `status` with `body` as it is.
    void fail_directory(int count, int status, const std::string& body);
    int directory_requests() const;  // every user get, whatever it was answered

    std::vector<FeishuMessage> messages() const;  // accepted, in arrival order
    int token_requests() const;                   // every request to the token endpoint
    int refused_for_token() const;                // im/v1 requests refused with 99991663
    // Waits until at least `count` messages were accepted; false on timeout.
    bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    void handle_token(const httplib::Request& request, httplib::Response& response);
    void handle_message(const std::string& endpoint, const std::string& target, const httplib::Request& request,
                        httplib::Response& response);
    void handle_hook(const std::string& hook_token, const httplib::Request& request, httplib::Response& response);
    void handle_user_get(const std::string& open_id, const httplib::Request& request, httplib::Response& response);
    long long now_unix() const;
    long long now_unix_ms() const;

    const std::string m_app_id;
    const std::string m_app_secret;
    const core::Clock* m_clock;
    std::unique_ptr<httplib::Server> m_server;
    int m_port = 0;
    std::jthread m_thread;

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::map<std::string, long long> m_tokens;  // token -> valid until (unix s). Guarded by m_mutex.
    long long m_lifetime = 7200;                // Guarded by m_mutex.
    int m_next_token = 1;                       // Guarded by m_mutex.
    int m_token_requests = 0;                   // Guarded by m_mutex.
    int m_refused_for_token = 0;                // Guarded by m_mutex.
    std::vector<FeishuMessage> m_messages;      // Guarded by m_mutex.
    std::map<std::string, std::string> m_bot_secrets;  // hook token -> secret. Guarded by m_mutex.
    std::vector<FeishuBotMessage> m_bot_messages;      // Guarded by m_mutex.
    int m_throttle_next = 0;                    // Guarded by m_mutex.
    long long m_throttle_reset = 0;             // Guarded by m_mutex.
    int m_hook_requests = 0;                    // Guarded by m_mutex.
    int m_hook_refused_for_sign = 0;            // Guarded by m_mutex.
    int m_hook_throttled = 0;                   // Guarded by m_mutex.
    std::map<std::string, FeishuDirectoryUser> m_directory;  // Guarded by m_mutex. By open_id.
    int m_directory_throttle = 0;               // Guarded by m_mutex.
    long long m_directory_reset = 0;            // Guarded by m_mutex.
    int m_directory_failures = 0;               // Guarded by m_mutex.
    int m_directory_failure_status = 0;         // Guarded by m_mutex.
    std::string m_directory_failure_body;       // Guarded by m_mutex.
    int m_directory_requests = 0;               // Guarded by m_mutex.
};

}  // namespace testing_support
