#pragma once
// A fake DingTalk on 127.0.0.1 (a real HTTP server on an ephemeral port, in its own thread) for
// tests, checking requests as DingTalk does (protocols.md §3.6):
//   POST /v1.0/oauth2/accessToken            {"appKey","appSecret"} -> {"accessToken","expireIn"}
//   POST /v1.0/robot/groupMessages/send      x-acs-dingtalk-access-token, robotCode, and msgParam
//                                            as a JSON string -> {"processQueryKey"}
//   POST /robot/sendBySession?session=…      a known session only -> {"errcode":0,"errmsg":"ok"}
// Accepted messages are logged.
//
// Thread safety: safe for concurrent use; the log and the state are guarded by one mutex.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace testing_support {

struct DingtalkPost {
    enum class Via { session_webhook, group_api };
    Via via = Via::session_webhook;
    std::string session;               // session_webhook: the session query parameter
    std::string open_conversation_id;  // group_api
    std::string msg_key;               // group_api: sampleText / sampleMarkdown
    std::string msgtype;               // session_webhook: text / markdown
    std::string text;                  // the text (content or markdown text) as DingTalk shows it
    std::vector<std::string> at_user_ids;  // session_webhook: at.atUserIds
};

class FakeDingtalk {
public:
    FakeDingtalk(std::string app_key, std::string app_secret, std::string robot_code);
    ~FakeDingtalk();
    FakeDingtalk(const FakeDingtalk&) = delete;
    FakeDingtalk& operator=(const FakeDingtalk&) = delete;

    std::string base_url() const;  // "http://127.0.0.1:PORT", the api_base
    // A sessionWebhook URL for `session`, which the fake accepts from now on.
    std::string session_webhook(const std::string& session);
    // Every token issued so far is refused from now on (as after a revocation).
    void revoke_tokens();
    // The next `count` sessionWebhook posts answer HTTP 500.
    void fail_session_posts(int count);

    std::vector<DingtalkPost> messages() const;  // accepted, in arrival order
    int token_requests() const;
    int request_count() const;  // every request that reached a message endpoint
    // Waits until at least `count` messages were accepted; false on timeout.
    bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    void handle_token(const httplib::Request& request, httplib::Response& response);
    void handle_group_send(const httplib::Request& request, httplib::Response& response);
    void handle_session(const httplib::Request& request, httplib::Response& response);
    void record(DingtalkPost post);

    const std::string m_app_key;
    const std::string m_app_secret;
    const std::string m_robot_code;
    std::unique_ptr<httplib::Server> m_server;
    int m_port = 0;
    std::jthread m_thread;

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::vector<DingtalkPost> m_messages;  // Guarded by m_mutex.
    std::set<std::string> m_sessions;      // Guarded by m_mutex.
    std::set<std::string> m_tokens;        // Guarded by m_mutex. Valid tokens.
    int m_issued = 0;                      // Guarded by m_mutex.
    int m_requests = 0;                    // Guarded by m_mutex.
    int m_session_failures = 0;            // Guarded by m_mutex.
};

}  // namespace testing_support
