// FakeSlack: Slack's Web API, incoming webhooks and response URLs as far as the bot uses them.

#include "tests/support/fake_slack.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>

namespace testing_support {
namespace {

using nlohmann::json;

void answer_json(httplib::Response& response, int status, const json& body) {
    response.status = status;
    response.set_content(body.dump(), "application/json; charset=utf-8");
}

void answer_api_error(httplib::Response& response, const std::string& error) {
    answer_json(response, 200, json{{"ok", false}, {"error", error}});
}

std::string string_field(const json& body, const char* name) {
    const auto it = body.find(name);
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool has_content(const json& body) {
    if (!string_field(body, "text").empty()) return true;
    const auto blocks = body.find("blocks");
    return blocks != body.end() && blocks->is_array() && !blocks->empty();
}

}  // namespace

FakeSlack::FakeSlack(std::string expected_token, const core::Clock* clock)
    : m_token(std::move(expected_token)), m_clock(clock), m_server(std::make_unique<httplib::Server>()) {
    m_server->Post("/api/chat.postMessage", [this](const httplib::Request& request, httplib::Response& response) {
        handle_post_message(request, response);
    });
    m_server->Get("/api/users.info", [this](const httplib::Request& request, httplib::Response& response) {
        handle_users_info(request, response);
    });
    m_server->Post(R"(/hooks/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
        handle_url_post("hooks/" + std::string(request.matches[1]), request, response);
    });
    m_server->Post(R"(/response/(.+))", [this](const httplib::Request& request, httplib::Response& response) {
        handle_url_post("response/" + std::string(request.matches[1]), request, response);
    });
    // As the platforms' servers: a response's headers and body are not held back by Nagle's
    // algorithm waiting for the client's delayed ACK (40 ms a request otherwise).
    m_server->set_tcp_nodelay(true);
    m_port = m_server->bind_to_any_port("127.0.0.1");
    if (m_port <= 0) {
        std::fprintf(stderr, "FakeSlack: cannot bind 127.0.0.1\n");
        std::abort();
    }
    // The socket already listens, so requests queue until the accept loop runs.
    m_thread = std::jthread([this] { m_server->listen_after_bind(); });
    // stop() is a no-op until the loop has started; wait for it so the destructor cannot hang.
    while (!m_server->is_running()) std::this_thread::yield();
}

FakeSlack::~FakeSlack() {
    m_server->stop();
    if (m_thread.joinable()) m_thread.join();
}

std::string FakeSlack::base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

void FakeSlack::fail_next(int count, const SlackFailure& failure) {
    std::lock_guard lock(m_mutex);
    for (int i = 0; i < count; ++i) m_script.push_back(failure);
}

void FakeSlack::refuse_channel(const std::string& channel, const std::string& error) {
    std::lock_guard lock(m_mutex);
    m_refused[channel] = error;
}

std::vector<SlackPost> FakeSlack::messages() const {
    std::lock_guard lock(m_mutex);
    return m_messages;
}

int FakeSlack::request_count() const {
    std::lock_guard lock(m_mutex);
    return m_requests;
}

void FakeSlack::add_directory_user(const std::string& user_id, const SlackDirectoryUser& user) {
    std::lock_guard lock(m_mutex);
    m_directory[user_id] = user;
}

int FakeSlack::directory_requests() const {
    std::lock_guard lock(m_mutex);
    return m_directory_requests;
}

bool FakeSlack::wait_for(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_messages.size() >= count; });
}

long long FakeSlack::now_ms() const {
    if (m_clock != nullptr) return m_clock->now_unix_ms();
    return core::SystemClock().now_unix_ms();
}

void FakeSlack::record(SlackPost post) {
    {
        std::lock_guard lock(m_mutex);
        m_messages.push_back(std::move(post));
    }
    m_changed.notify_all();
}

bool FakeSlack::scripted_failure(bool json_api, httplib::Response& response) {
    SlackFailure failure;
    {
        std::lock_guard lock(m_mutex);
        ++m_requests;
        if (m_script.empty()) return false;
        failure = m_script.front();
        m_script.pop_front();
    }
    switch (failure.kind) {
    case SlackFailure::Kind::rate_limited:
        response.set_header("Retry-After", std::to_string(failure.retry_after_seconds));
        if (json_api) {
            answer_json(response, 429, json{{"ok", false}, {"error", "ratelimited"}});
        } else {
            response.status = 429;
            response.set_content("rate_limited", "text/plain");
        }
        break;
    case SlackFailure::Kind::server_error:
        response.status = 500;
        response.set_content("<html>internal server error</html>", "text/html");
        break;
    case SlackFailure::Kind::raw_body:
        response.status = 200;
        response.set_content(failure.error, "application/json; charset=utf-8");
        break;
    case SlackFailure::Kind::slack_error:
        if (json_api) {
            answer_api_error(response, failure.error);
        } else {
            response.status = failure.error == "channel_not_found" ? 404 : 400;
            response.set_content(failure.error, "text/plain");
        }
        break;
    }
    return true;
}

void FakeSlack::handle_post_message(const httplib::Request& request, httplib::Response& response) {
    if (scripted_failure(true, response)) return;
    // Slack's token check: no token is not_authed, any other token than the bot's invalid_auth.
    if (!request.has_header("Authorization")) return answer_api_error(response, "not_authed");
    if (request.get_header_value("Authorization") != "Bearer " + m_token) {
        return answer_api_error(response, "invalid_auth");
    }
    if (request.get_header_value("Content-Type").rfind("application/json", 0) != 0) {
        return answer_api_error(response, "invalid_post_type");
    }
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object()) return answer_api_error(response, "invalid_json");
    const std::string channel = string_field(body, "channel");
    if (channel.empty()) return answer_api_error(response, "channel_not_found");
    if (!has_content(body)) return answer_api_error(response, "no_text");

    SlackPost post;
    {
        std::lock_guard lock(m_mutex);
        if (const auto refused = m_refused.find(channel); refused != m_refused.end()) {
            return answer_api_error(response, refused->second);
        }
        const long long n = m_next_ts++;
        char ts[32];
        std::snprintf(ts, sizeof ts, "%lld.%06lld", n / 1000000, n % 1000000);
        post.ts = ts;
    }
    post.endpoint = "chat.postMessage";
    post.channel = channel;
    post.text = string_field(body, "text");
    post.thread_ts = string_field(body, "thread_ts");
    if (body.contains("blocks")) post.blocks_json = body["blocks"].dump();
    post.received_ms = now_ms();
    answer_json(response, 200,
                json{{"ok", true}, {"channel", channel}, {"ts", post.ts},
                     {"message", {{"type", "message"}, {"text", post.text}, {"ts", post.ts}}}});
    record(std::move(post));
}

void FakeSlack::handle_url_post(std::string endpoint, const httplib::Request& request,
                                httplib::Response& response) {
    const bool is_response_url = endpoint.rfind("response/", 0) == 0;
    if (scripted_failure(is_response_url, response)) return;
    const json body = json::parse(request.body, nullptr, false);
    if (!body.is_object() || !has_content(body)) {
        const std::string error = body.is_object() ? "no_text" : "invalid_payload";
        if (is_response_url) return answer_api_error(response, error);
        response.status = 400;
        response.set_content(error, "text/plain");
        return;
    }
    SlackPost post;
    post.endpoint = std::move(endpoint);
    post.channel = string_field(body, "channel");
    post.text = string_field(body, "text");
    post.thread_ts = string_field(body, "thread_ts");
    if (body.contains("blocks")) post.blocks_json = body["blocks"].dump();
    post.received_ms = now_ms();
    // Incoming webhooks answer plain "ok"; response URLs answer JSON.
    if (is_response_url) {
        answer_json(response, 200, json{{"ok", true}});
    } else {
        response.status = 200;
        response.set_content("ok", "text/plain");
    }
    record(std::move(post));
}

void FakeSlack::handle_users_info(const httplib::Request& request, httplib::Response& response) {
    {
        std::lock_guard lock(m_mutex);
        ++m_directory_requests;
    }
    if (scripted_failure(true, response)) return;
    if (!request.has_header("Authorization")) return answer_api_error(response, "not_authed");
    if (request.get_header_value("Authorization") != "Bearer " + m_token)
        return answer_api_error(response, "invalid_auth");
    const std::string user_id = request.get_param_value("user");
    SlackDirectoryUser user;
    {
        std::lock_guard lock(m_mutex);
        const auto found = m_directory.find(user_id);
        if (found == m_directory.end()) return answer_api_error(response, "user_not_found");
        user = found->second;
    }
    const json profile{{"real_name", user.real_name}, {"display_name", user.display_name},
                       {"email", user.email}, {"phone", user.phone}};
    answer_json(response, 200,
                json{{"ok", true},
                     {"user", {{"id", user_id}, {"name", user.display_name}, {"deleted", false},
                               {"real_name", user.real_name}, {"profile", profile}}}});
}

}  // namespace testing_support
