// FakeFeishu: Feishu's token and im/v1 message endpoints as far as the bot uses them.

#include "tests/support/fake_feishu.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "adapters/common/crypto.h"

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

constexpr std::size_t k_hook_body_limit = 20 * 1024;  // §2.8
constexpr long long k_hook_window_seconds = 3600;     // §2.8: within 1 hour of server time
constexpr std::size_t k_hook_per_second = 5;          // §2.8: 5/s and 100/min per bot
constexpr std::size_t k_hook_per_minute = 100;

// A decimal string of seconds, as §2.8 shows it; -1 when it is anything else.
long long parse_timestamp(const std::string& text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size() && value >= 0 ? value : -1;
}

// §2.8, written out here rather than calling the adapter: the key is timestamp + "\n" + secret
// and the HMAC's message is empty.
std::string expected_sign(const std::string& timestamp, const std::string& secret) {
    return adapters::base64_encode(adapters::hmac_sha256(timestamp + "\n" + secret, ""));
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
    m_server->Get(R"(/open-apis/contact/v3/users/([^/]+))",
                  [this](const httplib::Request& request, httplib::Response& response) {
                      handle_user_get(request.matches[1], request, response);
                  });
    m_server->Post(R"(/open-apis/bot/v2/hook/([^/]+))",
                   [this](const httplib::Request& request, httplib::Response& response) {
                       handle_hook(request.matches[1], request, response);
                   });
    // As the platforms' servers: a response's headers and body are not held back by Nagle's
    // algorithm waiting for the client's delayed ACK (40 ms a request otherwise).
    m_server->set_tcp_nodelay(true);
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

long long FakeFeishu::now_unix_ms() const {
    if (m_clock != nullptr) return m_clock->now_unix_ms();
    return core::SystemClock().now_unix_ms();
}

void FakeFeishu::add_custom_bot(const std::string& hook_token, const std::string& secret) {
    std::lock_guard lock(m_mutex);
    m_bot_secrets[hook_token] = secret;
}

std::string FakeFeishu::hook_url(const std::string& hook_token) const {
    return api_base() + "/open-apis/bot/v2/hook/" + hook_token;
}

void FakeFeishu::throttle_next_hooks(int count, long long reset_seconds) {
    std::lock_guard lock(m_mutex);
    m_throttle_next = count;
    m_throttle_reset = reset_seconds;
}

std::vector<FeishuBotMessage> FakeFeishu::bot_messages() const {
    std::lock_guard lock(m_mutex);
    return m_bot_messages;
}

int FakeFeishu::hook_requests() const {
    std::lock_guard lock(m_mutex);
    return m_hook_requests;
}

int FakeFeishu::hook_refused_for_sign() const {
    std::lock_guard lock(m_mutex);
    return m_hook_refused_for_sign;
}

int FakeFeishu::hook_throttled() const {
    std::lock_guard lock(m_mutex);
    return m_hook_throttled;
}

void FakeFeishu::handle_hook(const std::string& hook_token, const httplib::Request& request,
                             httplib::Response& response) {
    std::unique_lock lock(m_mutex);
    ++m_hook_requests;
    const auto bot = m_bot_secrets.find(hook_token);
    if (bot == m_bot_secrets.end())
        return answer_code(response, 200, 19001, "param invalid: incoming webhook access token invalid");
    if (m_throttle_next > 0) {
        --m_throttle_next;
        ++m_hook_throttled;
        response.set_header("x-ogw-ratelimit-limit", std::to_string(k_hook_per_second));
        response.set_header("x-ogw-ratelimit-reset", std::to_string(m_throttle_reset));
        return answer_code(response, 429, 99991400, "request trigger frequency limit");
    }
    if (request.body.size() > k_hook_body_limit)
        return answer_code(response, 400, 9499, "Bad Request: the request body exceeds 20 KB");
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return answer_code(response, 400, 9499, "Bad Request");

    FeishuBotMessage message;
    message.hook_token = hook_token;
    const std::string& secret = bot->second;
    if (!secret.empty()) {
        const std::string timestamp = string_field(body, "timestamp");
        const long long seconds = parse_timestamp(timestamp);
        const bool in_window = seconds >= 0 && std::llabs(now_unix() - seconds) <= k_hook_window_seconds;
        if (!in_window || string_field(body, "sign") != expected_sign(timestamp, secret)) {
            ++m_hook_refused_for_sign;
            return answer_code(response, 200, 19021,
                               "sign match fail or timestamp is not within one hour from current time");
        }
        message.timestamp = seconds;
    }

    const long long now_ms = now_unix_ms();
    const auto since = [&](long long window_ms) {
        return static_cast<std::size_t>(std::count_if(m_bot_messages.begin(), m_bot_messages.end(), [&](const auto& m) {
            return m.hook_token == hook_token && m.received_ms > now_ms - window_ms;
        }));
    };
    if (since(1000) >= k_hook_per_second || since(60000) >= k_hook_per_minute) {
        ++m_hook_throttled;
        return answer_code(response, 200, 11232, "frequency limited psm[lark.oapi.app_platform_runtime]");
    }

    message.msg_type = string_field(body, "msg_type");
    const auto content = body.find("content");
    const auto card = body.find("card");
    if (message.msg_type == "text") {
        if (content == body.end() || !content->is_object() || !content->contains("text") ||
            !content->at("text").is_string())
            return answer_code(response, 400, 9499, "Bad Request: content.text");
        message.text = content->at("text").get<std::string>();
    } else if (message.msg_type == "interactive") {
        if (card == body.end() || !card->is_object()) return answer_code(response, 400, 9499, "Bad Request: card");
        message.card = card->dump();
    } else if (message.msg_type == "post" || message.msg_type == "image" || message.msg_type == "share_chat") {
        if (content == body.end() || !content->is_object()) return answer_code(response, 400, 9499, "Bad Request: content");
    } else {
        return answer_code(response, 400, 9499, "Bad Request: msg_type");
    }
    message.received_ms = now_ms;
    m_bot_messages.push_back(std::move(message));
    answer(response, 200, json{{"code", 0}, {"data", json::object()}, {"msg", "success"}});
    lock.unlock();
    m_changed.notify_all();
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

void FakeFeishu::add_directory_user(const std::string& open_id, const FeishuDirectoryUser& user) {
    std::lock_guard lock(m_mutex);
    m_directory[open_id] = user;
}

void FakeFeishu::throttle_directory(int count, long long reset_seconds) {
    std::lock_guard lock(m_mutex);
    m_directory_throttle = count;
    m_directory_reset = reset_seconds;
}

void FakeFeishu::fail_directory(int count, int status, const std::string& body) {
    std::lock_guard lock(m_mutex);
    m_directory_failures = count;
    m_directory_failure_status = status;
    m_directory_failure_body = body;
}

int FakeFeishu::directory_requests() const {
    std::lock_guard lock(m_mutex);
    return m_directory_requests;
}

void FakeFeishu::handle_user_get(const std::string& open_id, const httplib::Request& request,
                                 httplib::Response& response) {
    const std::string authorization = request.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    std::lock_guard lock(m_mutex);
    ++m_directory_requests;
    if (m_directory_throttle > 0) {  // the gateway throttles before it looks at the token
        --m_directory_throttle;
        response.set_header("x-ogw-ratelimit-limit", "50");
        response.set_header("x-ogw-ratelimit-reset", std::to_string(m_directory_reset));
        return answer_code(response, 429, 99991400, "request trigger frequency limit");
    }
    if (authorization.rfind(prefix, 0) != 0)
        return answer_code(response, 400, 99991661, "Missing access token for authorization");
    const auto token = m_tokens.find(authorization.substr(prefix.size()));
    if (token == m_tokens.end() || now_unix() >= token->second)
        return answer_code(response, 400, 99991663, "tenant access token invalid");
    if (m_directory_failures > 0) {
        --m_directory_failures;
        response.status = m_directory_failure_status;
        response.set_content(m_directory_failure_body, "application/json; charset=utf-8");
        return;
    }
    if (request.has_param("user_id_type") && request.get_param_value("user_id_type") != "open_id")
        return answer_code(response, 400, 40001, "param error: user_id_type");
    const auto user = m_directory.find(open_id);
    if (user == m_directory.end())
        return answer_code(response, 400, 99992351, "these open ids not existed: [" + open_id + "]");
    const FeishuDirectoryUser& found = user->second;
    answer(response, 200,
           json{{"code", 0},
                {"msg", "success"},
                {"data", {{"user", {{"open_id", open_id}, {"name", found.name}, {"nickname", found.nickname},
                                    {"email", found.email}, {"enterprise_email", found.enterprise_email},
                                    {"mobile", found.mobile}, {"status", {{"is_resigned", false}}}}}}}});
}

}  // namespace testing_support
