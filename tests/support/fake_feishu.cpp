// FakeFeishu: Feishu's token and im/v1 message endpoints as far as the bot uses them.

#include "tests/support/fake_feishu.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

namespace testing_support {
namespace {

using nlohmann::json;

void answer(httplib::Response& response, int status, const json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json; charset=utf-8");
}

void answer_code(httplib::Response& response, int status, long long code, const std::string& msg) {
    answer(response, status, json{{"code", code}, {"msg", msg}});
}

std::string string_field(const json& body, const char* name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

FakeFeishu::FakeFeishu(std::string app_id, std::string app_secret, const core::Clock* clock)
    : m_app_id(std::move(app_id)),
      m_app_secret(std::move(app_secret)),
      m_clock(clock),
      m_server(std::make_unique<httplib::Server>()) {
    m_server->Post("/open-apis/auth/v3/tenant_access_token/internal",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_token(request, response);
                   });
    m_server->Post("/open-apis/im/v1/messages", [this](const httplib::Request& request, httplib::Response& response) {
        if (request.get_param_value("receive_id_type") != "chat_id")
            return answer_code(response, 400, 99992402, "field validation failed: receive_id_type");
        handle_message("send", "", request, response);
    });
    m_server->Post(R"(/open-apis/im/v1/messages/([^/]+)/reply)",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_message("reply", request.matches[1], request, response);
                   });
    m_port = m_server->bind_to_any_port("127.0.0.1");
    if (m_port <= 0) {
        std::fprintf(stderr, "FakeFeishu: cannot bind 127.0.0.1\n");
        std::abort();
    }
    m_thread = std::jthread([this] { m_server->listen_after_bind(); });
    // stop() is a no-op until the loop has started; wait for it so the destructor cannot hang.
    while (!m_server->is_running()) std::this_thread::yield();
}

FakeFeishu::~FakeFeishu() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
}

std::string FakeFeishu::api_base() const { return "http://127.0.0.1:" + std::to_string(m_port); }

void FakeFeishu::set_token_lifetime(long long seconds) {
    std::lock_guard lock(m_mutex);
    m_lifetime = seconds;
}

void FakeFeishu::revoke_tokens() {
    std::lock_guard lock(m_mutex);
    m_tokens.clear();
}

std::vector<FeishuMessage> FakeFeishu::messages() const {
    std::lock_guard lock(m_mutex);
    return m_messages;
}

int FakeFeishu::token_requests() const {
    std::lock_guard lock(m_mutex);
    return m_token_requests;
}

int FakeFeishu::refused_for_token() const {
    std::lock_guard lock(m_mutex);
    return m_refused_for_token;
}

bool FakeFeishu::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_messages.size() >= count; });
}

long long FakeFeishu::now_unix() const {
    if (m_clock != nullptr) return m_clock->now_unix();
    return core::SystemClock().now_unix();
}

void FakeFeishu::handle_token(const httplib::Request& request, httplib::Response& response) {
    const json body = json::parse(request.body, nullptr, false);
    std::lock_guard lock(m_mutex);
    ++m_token_requests;
    if (!body.is_object()) return answer_code(response, 400, 9499, "Bad Request");
    if (string_field(body, "app_id") != m_app_id) return answer_code(response, 400, 10003, "invalid param");
    if (string_field(body, "app_secret") != m_app_secret) return answer_code(response, 400, 10014, "app secret invalid");
    const std::string token = "t-" + std::to_string(m_next_token++);
    m_tokens[token] = now_unix() + m_lifetime;
    answer(response, 200, json{{"code", 0}, {"msg", "ok"}, {"tenant_access_token", token}, {"expire", m_lifetime}});
}

void FakeFeishu::handle_message(const std::string& endpoint, const std::string& target,
                                const httplib::Request& request, httplib::Response& response) {
    const std::string authorization = request.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    std::unique_lock lock(m_mutex);
    if (authorization.rfind(prefix, 0) != 0)
        return answer_code(response, 400, 99991661, "Missing access token for authorization");
    const auto token = m_tokens.find(authorization.substr(prefix.size()));
    if (token == m_tokens.end() || now_unix() >= token->second) {
        ++m_refused_for_token;
        return answer_code(response, 400, 99991663, "tenant access token invalid");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return answer_code(response, 400, 9499, "Bad Request");
    const auto content = body.find("content");
    if (content == body.end() || !content->is_string())
        return answer_code(response, 400, 99992402, "field validation failed: content must be a string");
    const json parsed = json::parse(content->get<std::string>(), nullptr, false);
    if (!parsed.is_object()) return answer_code(response, 400, 230001, "invalid content");
    FeishuMessage message;
    message.endpoint = endpoint;
    message.target = endpoint == "send" ? string_field(body, "receive_id") : target;
    message.msg_type = string_field(body, "msg_type");
    message.content = content->get<std::string>();
    message.text = message.msg_type == "text" ? string_field(parsed, "text") : "";
    message.uuid = string_field(body, "uuid");
    if (message.target.empty()) return answer_code(response, 400, 230001, "receive_id is missing");
    if (message.msg_type.empty()) return answer_code(response, 400, 99992402, "msg_type is missing");
    if (message.uuid.empty()) return answer_code(response, 400, 99992402, "uuid is missing");
    message.message_id = "om_fake" + std::to_string(m_messages.size() + 1);
    answer(response, 200,
           json{{"code", 0}, {"msg", "success"}, {"data", {{"message_id", message.message_id}, {"chat_id", message.target}}}});
    m_messages.push_back(std::move(message));
    lock.unlock();
    m_changed.notify_all();
}

}  // namespace testing_support
