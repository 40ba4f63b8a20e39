// FakeDingtalk: DingTalk's token endpoint, robot OpenAPI group send, sessionWebhook and custom
// robot webhook, as far as the bot uses them.

#include "tests/support/fake_dingtalk.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "adapters/common/crypto.h"

namespace testing_support {
namespace {

using nlohmann::json;

void answer_json(httplib::Response& response, int status, const json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json;charset=utf-8");
}

// The OpenAPI's error shape: {"code","message"} with an HTTP 4xx.
void answer_api_error(httplib::Response& response, int status, const std::string& code,
                      const std::string& message) {
    answer_json(response, status,
                json{{"code", code}, {"message", message}, {"requestid", "fake"}});
}

std::string string_field(const json& body, const char* name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// §3.5: a robot takes 20 messages a minute, then refuses everything for 10 minutes.
constexpr long long k_robot_window_ms = 60000;
constexpr std::size_t k_robot_max_per_window = 20;
constexpr long long k_robot_block_ms = 600000;
constexpr long long k_robot_timestamp_window_ms = 3600000;

// The value of `name` in the target's query as sent (not decoded), "" when absent.
std::string raw_query_value(const std::string& target, const std::string& name) {
    const auto question = target.find('?');
    if (question == std::string::npos) return {};
    std::size_t at = question + 1;
    while (at <= target.size()) {
        std::size_t end = target.find('&', at);
        if (end == std::string::npos) end = target.size();
        const std::string pair = target.substr(at, end - at);
        if (pair.rfind(name + "=", 0) == 0) return pair.substr(name.size() + 1);
        at = end + 1;
    }
    return {};
}

// application/x-www-form-urlencoded decoding, as a Java or Python server reads the query.
std::optional<std::string> form_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out += ' ';
        } else if (text[i] == '%') {
            unsigned value = 0;
            if (i + 2 >= text.size()) return std::nullopt;
            auto [end, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
            if (ec != std::errc() || end != text.data() + i + 3) return std::nullopt;
            out += static_cast<char>(value);
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::vector<std::string> at_user_ids(const json& body) {
    std::vector<std::string> ids;
    if (body.contains("at") && body["at"].is_object() && body["at"].contains("atUserIds") &&
        body["at"]["atUserIds"].is_array()) {
        for (const auto& id : body["at"]["atUserIds"])
            if (id.is_string()) ids.push_back(id.get<std::string>());
    }
    return ids;
}

// text.content or markdown.text; nullopt for another or a malformed msgtype.
std::optional<std::string> webhook_text(const json& body, const std::string& msgtype) {
    const char* field = msgtype == "text" ? "content" : msgtype == "markdown" ? "text" : nullptr;
    if (field == nullptr || !body.contains(msgtype) || !body[msgtype].is_object()) return std::nullopt;
    const auto it = body[msgtype].find(field);
    if (it == body[msgtype].end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

FakeDingtalk::FakeDingtalk(std::string app_key, std::string app_secret, std::string robot_code,
                           const core::Clock* clock)
    : m_app_key(std::move(app_key)),
      m_app_secret(std::move(app_secret)),
      m_robot_code(std::move(robot_code)),
      m_clock(clock),
      m_server(std::make_unique<httplib::Server>()) {
    m_server->Post("/v1.0/oauth2/accessToken",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_token(request, response);
                   });
    m_server->Post("/v1.0/robot/groupMessages/send",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_group_send(request, response);
                   });
    m_server->Post("/robot/sendBySession",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_session(request, response);
                   });
    m_server->Post("/topapi/v2/user/get", [this](const httplib::Request& request, httplib::Response& response) {
        handle_user_get(request, response);
    });
    m_server->Post("/v1.0/card/instances/createAndDeliver",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_card_deliver(request, response);
                   });
    m_server->Post("/robot/send", [this](const httplib::Request& request, httplib::Response& response) {
        handle_robot_send(request, response);
    });
    // As the platforms' servers: a response's headers and body are not held back by Nagle's
    // algorithm waiting for the client's delayed ACK (40 ms a request otherwise).
    m_server->set_tcp_nodelay(true);
    m_port = m_server->bind_to_any_port("127.0.0.1");
    if (m_port <= 0) {
        std::fprintf(stderr, "FakeDingtalk: cannot bind 127.0.0.1\n");
        std::abort();
    }
    m_thread = std::jthread([this] { m_server->listen_after_bind(); });
    // stop() is a no-op until the loop has started; wait for it so the destructor cannot hang.
    while (!m_server->is_running()) std::this_thread::yield();
}

FakeDingtalk::~FakeDingtalk() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
}

std::string FakeDingtalk::base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

std::string FakeDingtalk::session_webhook(const std::string& session) {
    std::lock_guard lock(m_mutex);
    m_sessions.insert(session);
    return base_url() + "/robot/sendBySession?session=" + session;
}

void FakeDingtalk::revoke_tokens() {
    std::lock_guard lock(m_mutex);
    m_tokens.clear();
}

void FakeDingtalk::fail_session_posts(int count) {
    std::lock_guard lock(m_mutex);
    m_session_failures += count;
}

std::string FakeDingtalk::custom_robot(const std::string& access_token, const std::string& secret) {
    std::lock_guard lock(m_mutex);
    m_robots[access_token].secret = secret;
    return base_url() + "/robot/send?access_token=" + access_token;
}

std::vector<RobotRequest> FakeDingtalk::robot_requests() const {
    std::lock_guard lock(m_mutex);
    return m_robot_requests;
}

int FakeDingtalk::robot_throttled() const {
    std::lock_guard lock(m_mutex);
    return m_robot_throttled;
}

long long FakeDingtalk::now_ms() const {
    if (m_clock != nullptr) return m_clock->now_unix_ms();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::vector<DingtalkPost> FakeDingtalk::messages() const {
    std::lock_guard lock(m_mutex);
    return m_messages;
}

int FakeDingtalk::token_requests() const {
    std::lock_guard lock(m_mutex);
    return m_issued;
}

int FakeDingtalk::request_count() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

bool FakeDingtalk::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_messages.size() >= count; });
}

void FakeDingtalk::record(DingtalkPost post) {
    {
        std::lock_guard lock(m_mutex);
        m_messages.push_back(std::move(post));
    }
    m_changed.notify_all();
}

void FakeDingtalk::handle_token(const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object())
        return answer_api_error(response, 400, "InvalidParameter", "body is not JSON");
    if (string_field(body, "appKey") != m_app_key ||
        string_field(body, "appSecret") != m_app_secret)
        return answer_api_error(response, 400, "invalidClientIdOrSecret",
                                "无效的clientId或者clientSecret");
    std::string token;
    {
        std::lock_guard lock(m_mutex);
        token = "fake-token-" + std::to_string(++m_issued);
        m_tokens.insert(token);
    }
    answer_json(response, 200, json{{"accessToken", token}, {"expireIn", 7200}});
}

void FakeDingtalk::handle_group_send(const httplib::Request& request, httplib::Response& response) {
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        if (m_tokens.count(request.get_header_value("x-acs-dingtalk-access-token")) == 0) {
            return answer_api_error(response, 401, "InvalidAuthentication", "不合法的access_token");
        }
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object())
        return answer_api_error(response, 400, "InvalidParameter", "body is not JSON");
    if (string_field(body, "robotCode") != m_robot_code)
        return answer_api_error(response, 400, "robot.notexist", "robot 不存在");
    const auto param_it = body.find("msgParam");
    if (param_it == body.end() || !param_it->is_string())
        return answer_api_error(response, 400, "InvalidParameter.msgParam",
                                "msgParam must be a JSON string");
    const json param = json::parse(param_it->get<std::string>(), nullptr, false);
    if (!param.is_object())
        return answer_api_error(response, 400, "InvalidParameter.msgParam", "msgParam is not JSON");
    DingtalkPost post;
    post.via = DingtalkPost::Via::group_api;
    post.open_conversation_id = string_field(body, "openConversationId");
    post.msg_key = string_field(body, "msgKey");
    if (post.open_conversation_id.empty())
        return answer_api_error(response, 400, "InvalidParameter",
                                "openConversationId is required");
    post.text =
        post.msg_key == "sampleText" ? string_field(param, "content") : string_field(param, "text");
    answer_json(response, 200, json{{"processQueryKey", "fake-query-key"}});
    record(std::move(post));
}

void FakeDingtalk::handle_session(const httplib::Request& request, httplib::Response& response) {
    const std::string session = request.get_param_value("session");
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        if (m_session_failures > 0) {
            --m_session_failures;
            response.status = 500;
            response.set_content("<html>internal error</html>", "text/html");
            return;
        }
        if (m_sessions.count(session) == 0)
            return answer_json(response, 200,
                               json{{"errcode", 300001}, {"errmsg", "session is not exist"}});
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object())
        return answer_json(response, 200, json{{"errcode", 40035}, {"errmsg", "缺少参数 json"}});
    DingtalkPost post;
    post.via = DingtalkPost::Via::session_webhook;
    post.session = session;
    post.msgtype = string_field(body, "msgtype");
    if (post.msgtype == "text" && body.contains("text") && body["text"].is_object())
        post.text = string_field(body["text"], "content");
    else if (post.msgtype == "markdown" && body.contains("markdown") &&
             body["markdown"].is_object())
        post.text = string_field(body["markdown"], "text");
    else
        return answer_json(response, 200, json{{"errcode", 40035}, {"errmsg", "不支持的消息类型"}});
    post.at_user_ids = at_user_ids(body);
    answer_json(response, 200, json{{"errcode", 0}, {"errmsg", "ok"}});
    record(std::move(post));
}

std::pair<long long, std::string> FakeDingtalk::check_robot(const std::string& token,
                                                          const std::string& timestamp,
                                                          const std::string& sign, long long now) {
    const auto found = m_robots.find(token);
    if (found == m_robots.end()) return {300001, "token is not exist"};
    Robot& robot = found->second;
    if (!robot.secret.empty()) {
        long long sent_ms = 0;
        auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), sent_ms);
        if (timestamp.empty() || ec != std::errc() || end != timestamp.data() + timestamp.size() ||
            std::max(now - sent_ms, sent_ms - now) > k_robot_timestamp_window_ms)
            return {310000, "invalid timestamp"};
        const std::string expected = adapters::base64_encode(
            adapters::hmac_sha256(robot.secret, timestamp + "\n" + robot.secret));
        const auto decoded = form_decode(sign);
        if (!decoded || *decoded != expected) return {310000, "sign not match"};
    }
    const auto recent = std::count_if(robot.accepted_ms.begin(), robot.accepted_ms.end(),
                                      [&](long long at) { return at >= now - k_robot_window_ms; });
    if (now < robot.blocked_until_ms || static_cast<std::size_t>(recent) >= k_robot_max_per_window) {
        if (now >= robot.blocked_until_ms) robot.blocked_until_ms = now + k_robot_block_ms;
        ++m_robot_throttled;
        return {130101, "send too fast, exceed 20 times per minute"};
    }
    return {0, "ok"};
}

void FakeDingtalk::handle_robot_send(const httplib::Request& request, httplib::Response& response) {
    const long long now = now_ms();
    RobotRequest seen{request.get_param_value("access_token"), raw_query_value(request.target, "timestamp"),
                      raw_query_value(request.target, "sign"), now, 0};
    const json body = json::parse(request.body, nullptr, false);
    DingtalkPost post;
    post.via = DingtalkPost::Via::custom_robot;
    post.access_token = seen.access_token;
    post.received_ms = now;
    std::string errmsg;
    bool shown = false;
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        std::tie(seen.errcode, errmsg) = check_robot(seen.access_token, seen.timestamp, seen.sign, now);
        std::optional<std::string> text;
        if (seen.errcode == 0 && body.is_object()) {
            post.msgtype = string_field(body, "msgtype");
            text = webhook_text(body, post.msgtype);
        }
        if (seen.errcode == 0 && !text) {
            seen.errcode = 40035;
            errmsg = "缺少参数 json 或不支持的消息类型";
        }
        if (seen.errcode == 0) {
            Robot& robot = m_robots[seen.access_token];
            robot.accepted_ms.push_back(now);
            post.text = *text;
            post.at_user_ids = at_user_ids(body);
            post.msg_uuid = string_field(body, "msgUuid");
            // §3.5: the same msgUuid again is not shown twice.
            shown = post.msg_uuid.empty() || robot.msg_uuids.insert(post.msg_uuid).second;
        }
        m_robot_requests.push_back(seen);
    }
    answer_json(response, 200, json{{"errcode", seen.errcode}, {"errmsg", errmsg}});
    if (shown) record(std::move(post));
}

void FakeDingtalk::add_directory_user(const std::string& userid, const DingtalkDirectoryUser& user) {
    std::lock_guard lock(m_mutex);
    m_directory[userid] = user;
}

void FakeDingtalk::throttle_directory(int count, int retry_after_seconds) {
    std::lock_guard lock(m_mutex);
    m_directory_throttle = count;
    m_directory_retry_after = retry_after_seconds;
}

void FakeDingtalk::fail_directory(int count, const std::string& body) {
    std::lock_guard lock(m_mutex);
    m_directory_failures = count;
    m_directory_failure_body = body;
}

int FakeDingtalk::directory_requests() const {
    std::lock_guard lock(m_mutex);
    return m_directory_requests;
}

void FakeDingtalk::handle_user_get(const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    std::lock_guard lock(m_mutex);
    ++m_directory_requests;
    if (m_directory_throttle > 0) {
        --m_directory_throttle;
        response.set_header("Retry-After", std::to_string(m_directory_retry_after));
        response.status = 429;
        const json throttled{{"errcode", 90018}, {"errmsg", "当前企业正在调用该接口的QPS超出限制"}};
        response.set_content(throttled.dump(), "application/json;charset=utf-8");
        return;
    }
    if (m_tokens.count(request.get_param_value("access_token")) == 0)
        return answer_json(response, 200, json{{"errcode", 40014}, {"errmsg", "不合法的access_token"}});
    if (m_directory_failures > 0) {
        --m_directory_failures;
        response.status = 200;
        response.set_content(m_directory_failure_body, "application/json;charset=utf-8");
        return;
    }
    const std::string userid = body.is_object() ? string_field(body, "userid") : "";
    if (userid.empty())
        return answer_json(response, 200, json{{"errcode", 40035}, {"errmsg", "缺少参数 userid"}});
    const auto user = m_directory.find(userid);
    if (user == m_directory.end())
        return answer_json(response, 200, json{{"errcode", 60121}, {"errmsg", "找不到该用户"}});
    const DingtalkDirectoryUser& found = user->second;
    answer_json(response, 200,
                json{{"errcode", 0},
                     {"errmsg", "ok"},
                     {"result", {{"userid", userid}, {"name", found.name}, {"email", found.email},
                                 {"org_email", found.org_email}, {"mobile", found.mobile}, {"active", true}}}});
}

}  // namespace testing_support

namespace testing_support {

void FakeDingtalk::set_card_api_secret(const std::string& secret) {
    std::lock_guard lock(m_mutex);
    m_card_api_secret = secret;
}

std::vector<DingtalkCard> FakeDingtalk::cards() const {
    std::lock_guard lock(m_mutex);
    return m_cards;
}

bool FakeDingtalk::wait_for_cards(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_cards.size() >= count; });
}

void FakeDingtalk::handle_card_deliver(const httplib::Request& request, httplib::Response& response) {
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        if (m_tokens.count(request.get_header_value("x-acs-dingtalk-access-token")) == 0)
            return answer_api_error(response, 401, "InvalidAuthentication", "不合法的access_token");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return answer_api_error(response, 400, "InvalidParameter", "body is not JSON");
    DingtalkCard card;
    card.template_id = string_field(body, "cardTemplateId");
    card.out_track_id = string_field(body, "outTrackId");
    card.open_space_id = string_field(body, "openSpaceId");
    card.callback_type = string_field(body, "callbackType");
    card.route_key = string_field(body, "callbackRouteKey");
    const json deliver = body.value("imGroupOpenDeliverModel", json::object());
    if (card.template_id.empty() || card.out_track_id.empty())
        return answer_api_error(response, 400, "MissingParameter", "cardTemplateId and outTrackId are required");
    if (card.open_space_id.rfind("dtv1.card//IM_GROUP.", 0) != 0)
        return answer_api_error(response, 400, "InvalidParameter", "openSpaceId");
    if (!deliver.is_object() || string_field(deliver, "robotCode") != m_robot_code)
        return answer_api_error(response, 400, "InvalidParameter", "imGroupOpenDeliverModel.robotCode");
    if ((card.callback_type != "STREAM" && card.callback_type != "HTTP") ||
        (card.callback_type == "HTTP" && card.route_key.empty()))
        return answer_api_error(response, 400, "InvalidParameter", "callbackType / callbackRouteKey");
    const json data = body.value("cardData", json::object());
    const json params = data.is_object() ? data.value("cardParamMap", json::object()) : json();
    if (!params.is_object()) return answer_api_error(response, 400, "InvalidParameter", "cardData.cardParamMap");
    for (const auto& [key, value] : params.items()) {
        if (!value.is_string())
            return answer_api_error(response, 400, "InvalidParameter", "cardParamMap values are strings: " + key);
        card.params[key] = value.get<std::string>();
    }
    if (auto at = deliver.find("atUserIds"); at != deliver.end() && at->is_object())
        for (const auto& [id, nick] : at->items()) card.at_user_ids.push_back(id);
    const std::string space_id = card.open_space_id.substr(std::string("dtv1.card//IM_GROUP.").size());
    {
        std::lock_guard lock(m_mutex);
        for (const auto& sent : m_cards)
            if (sent.out_track_id == card.out_track_id)
                return answer_api_error(response, 400, "param.outTrackId.exist", "outTrackId已存在");
        m_cards.push_back(card);
    }
    m_changed.notify_all();
    answer_json(response, 200,
                json{{"success", true},
                     {"result", {{"outTrackId", card.out_track_id},
                                 {"deliverResults", json::array({json{{"spaceType", "IM_GROUP"}, {"spaceId", space_id},
                                                                      {"success", true}, {"carrierId", "fake-carrier"}}})}}}});
}

std::string FakeDingtalk::card_callback_body(const std::string& out_track_id, const std::string& user_id,
                                             const std::string& tk, const std::string& action_id) {
    json content{{"cardPrivateData", {{"actionIds", json::array({action_id})}, {"params", {{"tk", tk}}}}}};
    return json{{"type", "actionCallback"}, {"outTrackId", out_track_id}, {"corpId", "dingcorp0001"},
                {"userId", user_id}, {"content", content.dump()}}
        .dump();
}

std::string FakeDingtalk::card_stream_data(const std::string& out_track_id, const std::string& user_id,
                                           const std::string& tk, const std::string& conversation_id) {
    json data = json::parse(card_callback_body(out_track_id, user_id, tk));
    data["spaceType"] = "IM_GROUP";
    data["spaceId"] = conversation_id;
    data["userIdType"] = 1;
    data["extension"] = "{}";
    return data.dump();
}

CardCallbackAnswer FakeDingtalk::post_card_callback(int port, const std::string& path, const std::string& body,
                                                    long long timestamp_ms, const std::string& signature) const {
    if (timestamp_ms == 0) timestamp_ms = now_ms();
    std::string secret;
    {
        std::lock_guard lock(m_mutex);
        secret = m_card_api_secret;
    }
    const std::string timestamp = std::to_string(timestamp_ms);
    // §B.1 calcSignature: base64(HMAC-SHA256(key = apiSecret, msg = timestamp)).
    const std::string computed = adapters::base64_encode(adapters::hmac_sha256(secret, timestamp));
    httplib::Client client("127.0.0.1", port);
    httplib::Headers headers{{"x-ddpaas-signature-timestamp", timestamp},
                             {"x-ddpaas-signature", signature.empty() ? computed : signature}};
    auto response = client.Post(path, headers, body, "application/json");
    if (!response) return {};
    return {response->status, response->body};
}

}  // namespace testing_support
