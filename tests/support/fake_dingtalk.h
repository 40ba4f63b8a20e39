#pragma once
// A fake DingTalk on 127.0.0.1 (a real HTTP server on an ephemeral port, in its own thread) for
// tests, checking requests as DingTalk does (protocols.md §3.6):
//   POST /v1.0/oauth2/accessToken            {"appKey","appSecret"} -> {"accessToken","expireIn"}
//   POST /v1.0/robot/groupMessages/send      x-acs-dingtalk-access-token, robotCode, and msgParam
//                                            as a JSON string -> {"processQueryKey"}
//   POST /robot/sendBySession?session=…      a known session only -> {"errcode":0,"errmsg":"ok"}
//   POST /robot/send?access_token=…[&timestamp=…&sign=…]   a custom robot (§3.5): a known token
//        (else 300001); with a secret, timestamp (ms) within 1 hour of the fake's clock and
//        sign = urlencode(base64(HMAC-SHA256(secret, timestamp + "\n" + secret))) (else 310000
//        "invalid timestamp" / "sign not match"); 20 accepted messages in any 60 s (both ends
//        included) per robot, the 21st answered 130101 and the robot blocked for 10 minutes.
//        A msgUuid seen before is answered ok and not shown again.
//   POST /topapi/v2/user/get?access_token=…  the directory (OAPI): {"userid"} of a user added
//        with add_directory_user -> {"errcode":0,"result":{name,email,org_email,mobile}}; a token
//        not issued (or revoked) 40014 "不合法的access_token", an unknown userid 60121.
//   POST /v1.0/card/instances/createAndDeliver   interactive cards (cards research §B.2): the
//        token, robotCode, cardTemplateId, openSpaceId "dtv1.card//IM_GROUP.<cid>", a new
//        outTrackId, callbackType STREAM or HTTP + callbackRouteKey, cardParamMap of strings ->
//        {"success":true,"result":{"outTrackId",deliverResults}}; the card is kept (cards()).
// A tap on a card's button is sent as DingTalk does (§B.1): post_card_callback POSTs the card
// callback body to trackerd with x-ddpaas-signature-timestamp (ms) and x-ddpaas-signature =
// base64(HMAC-SHA256(apiSecret, timestamp)) computed from set_card_api_secret's secret;
// card_stream_data is the same tap as a Stream frame's data (plus spaceType/spaceId).
// Accepted messages are logged; so is every custom-robot request, with its time by the clock.
//
// Thread safety: safe for concurrent use; the log and the state are guarded by one mutex.

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace testing_support {

struct DingtalkPost {
    enum class Via { session_webhook, group_api, custom_robot };
    Via via = Via::session_webhook;
    std::string session;               // session_webhook: the session query parameter
    std::string open_conversation_id;  // group_api
    std::string msg_key;               // group_api: sampleText / sampleMarkdown
    std::string msgtype;               // session_webhook: text / markdown
    std::string text;                  // the text (content or markdown text) as DingTalk shows it
    std::vector<std::string> at_user_ids;  // session_webhook, custom_robot: at.atUserIds
    std::string access_token;          // custom_robot
    std::string msg_uuid;              // custom_robot: msgUuid, "" when absent
    long long received_ms = 0;         // by the fake's clock
};

// One request to /robot/send, whatever became of it.
struct RobotRequest {
    std::string access_token;
    std::string timestamp;     // the query's timestamp as sent
    std::string sign;          // the query's sign as sent (still URL-encoded)
    long long received_ms = 0;  // by the fake's clock
    long long errcode = 0;      // what the fake answered
};

// A card createAndDeliver accepted.
struct DingtalkCard {
    std::string template_id;
    std::string out_track_id;
    std::string open_space_id;   // dtv1.card//IM_GROUP.<openConversationId>
    std::string callback_type;   // STREAM | HTTP
    std::string route_key;       // callbackRouteKey (HTTP)
    std::map<std::string, std::string> params;  // cardData.cardParamMap
    std::vector<std::string> at_user_ids;       // imGroupOpenDeliverModel.atUserIds' keys
};

// What trackerd answered a card callback.
struct CardCallbackAnswer {
    int status = 0;  // 0 = no answer (connection failed)
    std::string body;
};

// A user as topapi/v2/user/get shows it (result).
struct DingtalkDirectoryUser {
    std::string name;
    std::string email;
    std::string org_email;
    std::string mobile;
};

class FakeDingtalk {
public:
    // `clock` checks custom-robot timestamps and stamps requests; the system clock when null.
    FakeDingtalk(std::string app_key, std::string app_secret, std::string robot_code,
                 const core::Clock* clock = nullptr);
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
    // A custom robot the fake accepts from now on; its webhook URL (without timestamp/sign).
    // secret "" = no 加签 (the robot relies on keywords or an IP list, not checked here).
    std::string custom_robot(const std::string& access_token, const std::string& secret);

    std::vector<RobotRequest> robot_requests() const;  // in arrival order
    int robot_throttled() const;  // how many times a robot answered 130101

    // Directory. topapi/v2/user/get answers this user for `userid` from now on.
    void add_directory_user(const std::string& userid, const DingtalkDirectoryUser& user);
    // The next `count` user gets answer HTTP 429 with Retry-After and errcode 90018.
    void throttle_directory(int count, int retry_after_seconds);
    // The next `count` user gets with a valid token answer HTTP 200 with `body` as it is.
    void fail_directory(int count, const std::string& body);
    int directory_requests() const;  // every user get, whatever it was answered

    // Cards. The apiSecret registered with the callback route (card/callbacks/register).
    void set_card_api_secret(const std::string& secret);
    std::vector<DingtalkCard> cards() const;  // accepted, in arrival order
    bool wait_for_cards(std::size_t count, std::chrono::milliseconds timeout) const;
    // The HTTP callback body of a tap by `user_id` on the button whose params are {"tk": tk}.
    static std::string card_callback_body(const std::string& out_track_id, const std::string& user_id,
                                          const std::string& tk, const std::string& action_id = "btn");
    // The same tap as a Stream frame's data: spaceType IM_GROUP, spaceId `conversation_id`.
    static std::string card_stream_data(const std::string& out_track_id, const std::string& user_id,
                                        const std::string& tk, const std::string& conversation_id);
    // POSTs `body` to http://127.0.0.1:port<path>, signed at timestamp_ms (the fake's clock when
    // 0) with the card api secret; `signature` replaces the computed one when not "".
    CardCallbackAnswer post_card_callback(int port, const std::string& path, const std::string& body,
                                          long long timestamp_ms = 0, const std::string& signature = "") const;

    std::vector<DingtalkPost> messages() const;  // accepted, in arrival order
    int token_requests() const;
    int request_count() const;  // every request that reached a message endpoint
    // Waits until at least `count` messages were accepted; false on timeout.
    bool wait_for(std::size_t count, std::chrono::milliseconds timeout) const;

private:
    void handle_token(const httplib::Request& request, httplib::Response& response);
    void handle_group_send(const httplib::Request& request, httplib::Response& response);
    void handle_session(const httplib::Request& request, httplib::Response& response);
    void handle_robot_send(const httplib::Request& request, httplib::Response& response);
    void handle_user_get(const httplib::Request& request, httplib::Response& response);
    void handle_card_deliver(const httplib::Request& request, httplib::Response& response);
    // Token, timestamp, sign and rate checks; the errcode and errmsg to answer (0 = accept).
    std::pair<long long, std::string> check_robot(const std::string& token, const std::string& timestamp,
                                                  const std::string& sign, long long now_ms);
    void record(DingtalkPost post);
    long long now_ms() const;

    const std::string m_app_key;
    const std::string m_app_secret;
    const std::string m_robot_code;
    const core::Clock* m_clock;
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
    std::map<std::string, DingtalkDirectoryUser> m_directory;  // Guarded by m_mutex. By userid.
    std::string m_card_api_secret;         // Guarded by m_mutex.
    std::vector<DingtalkCard> m_cards;     // Guarded by m_mutex.
    int m_directory_throttle = 0;          // Guarded by m_mutex.
    int m_directory_retry_after = 0;       // Guarded by m_mutex.
    int m_directory_failures = 0;          // Guarded by m_mutex.
    std::string m_directory_failure_body;  // Guarded by m_mutex.
    int m_directory_requests = 0;          // Guarded by m_mutex.

    struct Robot {
        std::string secret;
        std::vector<long long> accepted_ms;   // when messages were accepted
        long long blocked_until_ms = 0;       // 130101 until then
        std::set<std::string> msg_uuids;      // seen msgUuids
    };
    std::map<std::string, Robot> m_robots;       // Guarded by m_mutex. By access token.
    std::vector<RobotRequest> m_robot_requests;  // Guarded by m_mutex.
    int m_robot_throttled = 0;                   // Guarded by m_mutex.
};

}  // namespace testing_support
