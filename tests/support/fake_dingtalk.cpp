// FakeDingtalk: DingTalk's token endpoint, robot OpenAPI group send and sessionWebhook, as far
// as the bot uses them.

#include "tests/support/fake_dingtalk.h"

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

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

}  // namespace

FakeDingtalk::FakeDingtalk(std::string app_key, std::string app_secret, std::string robot_code)
    : m_app_key(std::move(app_key)),
      m_app_secret(std::move(app_secret)),
      m_robot_code(std::move(robot_code)),
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
    if (body.contains("at") && body["at"].is_object() && body["at"].contains("atUserIds") &&
        body["at"]["atUserIds"].is_array()) {
        for (const auto& id : body["at"]["atUserIds"])
            if (id.is_string()) post.at_user_ids.push_back(id.get<std::string>());
    }
    answer_json(response, 200, json{{"errcode", 0}, {"errmsg", "ok"}});
    record(std::move(post));
}

}  // namespace testing_support
