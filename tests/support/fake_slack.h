#pragma once
// A fake Slack on 127.0.0.1 (a real HTTP server on an ephemeral port, in its own thread) for
// tests: chat.postMessage with Slack's token check and errors, incoming webhooks under
// /hooks/..., response URLs under /response/..., and the directory's users.info (GET, the bot
// token as a Bearer header, users added with add_directory_user; an unknown one answers
// user_not_found). Accepted messages are logged; failures can be scripted: fail_next scripts
// users.info too (rate_limited: HTTP 429 with Retry-After; slack_error("missing_scope"); raw_body).
//
// Thread safety: safe for concurrent use; the log and the script are guarded by one mutex.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace testing_support {

struct SlackPost {
    std::string endpoint;   // "chat.postMessage", "hooks/<rest>" or "response/<rest>"
    std::string channel;    // the body's channel ("" for webhooks that do not name one)
    std::string text;
    std::string thread_ts;
    std::string blocks_json;  // "" when absent
    std::string ts;           // the ts the fake answered (chat.postMessage only)
    long long received_ms = 0;  // by the fake's clock
};

// What to answer instead of accepting a request.
struct SlackFailure {
    enum class Kind { rate_limited, server_error, slack_error, raw_body };
    Kind kind = Kind::server_error;
    int retry_after_seconds = 1;  // rate_limited
    std::string error;            // slack_error: "channel_not_found", ...; raw_body: the body

    static SlackFailure rate_limited(int retry_after) { return {Kind::rate_limited, retry_after, ""}; }
    static SlackFailure server_error() { return {Kind::server_error, 0, ""}; }
    static SlackFailure slack_error(std::string code) { return {Kind::slack_error, 0, std::move(code)}; }
    // HTTP 200 with `body` as it is (malformed or over-deep JSON, say).
    static SlackFailure raw_body(std::string body) { return {Kind::raw_body, 0, std::move(body)}; }
};

// A user as users.info shows it: user.real_name and profile.{real_name,display_name,email,phone}.
struct SlackDirectoryUser {
    std::string real_name;
    std::string display_name;
    std::string email;
    std::string phone;
};

class FakeSlack {
public:
    // `clock` stamps received messages; the system clock when null.
    explicit FakeSlack(std::string expected_token, const core::Clock* clock = nullptr);
    ~FakeSlack();
    FakeSlack(const FakeSlack&) = delete;
    FakeSlack& operator=(const FakeSlack&) = delete;

    std::string base_url() const;  // "http://127.0.0.1:PORT"
    std::string api_base() const { return base_url() + "/api"; }
    std::string webhook_url(std::string_view path) const { return base_url() + "/hooks/" + std::string(path); }
    std::string response_url(std::string_view path) const { return base_url() + "/response/" + std::string(path); }
    int port() const { return m_port; }

    // The next `count` requests (any endpoint) get `failure` instead of being accepted.
    void fail_next(int count, const SlackFailure& failure);
    // Every message to `channel` (chat.postMessage) is refused with Slack error `error`, as
    // for a channel the bot cannot see.
    void refuse_channel(const std::string& channel, const std::string& error = "channel_not_found");

    // users.info answers this user for `user_id` from now on.
    void add_directory_user(const std::string& user_id, const SlackDirectoryUser& user);

    std::vector<SlackPost> messages() const;  // accepted, in arrival order
    int request_count() const;                // every request that reached an endpoint
    int directory_requests() const;           // every users.info request, whatever it was answered
    // Waits until at least `count` messages were accepted; false on timeout.
    bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    void handle_post_message(const httplib::Request& request, httplib::Response& response);
    void handle_url_post(std::string endpoint, const httplib::Request& request, httplib::Response& response);
    void handle_users_info(const httplib::Request& request, httplib::Response& response);
    // True (and the response filled) when a scripted failure answers this request.
    bool scripted_failure(bool json_api, httplib::Response& response);
    long long now_ms() const;
    void record(SlackPost post);

    const std::string m_token;
    const core::Clock* m_clock;
    std::unique_ptr<httplib::Server> m_server;
    int m_port = 0;
    std::jthread m_thread;

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::vector<SlackPost> m_messages;                // Guarded by m_mutex.
    std::deque<SlackFailure> m_script;                // Guarded by m_mutex.
    std::map<std::string, std::string> m_refused;     // Guarded by m_mutex.
    std::map<std::string, SlackDirectoryUser> m_directory;  // Guarded by m_mutex. By user id.
    int m_directory_requests = 0;                     // Guarded by m_mutex.
    int m_requests = 0;                               // Guarded by m_mutex.
    long long m_next_ts = 1700000000000100;           // Guarded by m_mutex.
};

}  // namespace testing_support
