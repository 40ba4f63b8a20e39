// HttpClient against real sockets on 127.0.0.1: the fake Slack, a port that refuses, and a
// listener that never answers.

#include "bot/net/http_client.h"
#include "bot/net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/fake_slack.h"

namespace bot {
namespace {

using testing_support::FakeSlack;
using testing_support::SlackFailure;

// A TCP socket bound to 127.0.0.1 on an ephemeral port, listening or not. Not listening, the
// kernel refuses connections; listening without accepting, a request is never answered.
class RawSocket {
public:
    explicit RawSocket(bool listening) : m_fd(::socket(AF_INET, SOCK_STREAM, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        socklen_t length = sizeof address;
        EXPECT_EQ(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
        m_port = ntohs(address.sin_port);
        if (listening) {
            EXPECT_EQ(::listen(m_fd, 8), 0);
        }
    }
    ~RawSocket() { ::close(m_fd); }
    std::string url(const std::string& scheme, const std::string& path) const {
        return scheme + "://127.0.0.1:" + std::to_string(m_port) + path;
    }

private:
    int m_fd;
    int m_port = 0;
};

TEST(HttpClientTest, PostDeliversBodyAndReturnsStatusHeadersAndBody) {
    FakeSlack slack("xoxb-test");
    HttpClient client;
    auto response = client.post(slack.webhook_url("T1/B1/X1"), {}, R"({"text":"hello"})",
                                "application/json");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "ok");
    EXPECT_NE(response->header("CONTENT-TYPE").find("text/plain"), std::string::npos);
    ASSERT_EQ(slack.messages().size(), 1u);
    EXPECT_EQ(slack.messages()[0].text, "hello");
    EXPECT_EQ(slack.messages()[0].endpoint, "hooks/T1/B1/X1");
}

TEST(HttpClientTest, RequestHeadersReachTheServer) {
    FakeSlack slack("xoxb-test");
    HttpClient client;
    auto response = client.post(slack.api_base() + "/chat.postMessage",
                                {{"Authorization", "Bearer xoxb-test"}},
                                R"({"channel":"C1","text":"hi"})", "application/json; charset=utf-8");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_NE(response->body.find(R"("ok":true)"), std::string::npos) << response->body;
}

TEST(HttpClientTest, RateLimitStatusIsAResponseWithItsRetryAfterHeader) {
    FakeSlack slack("xoxb-test");
    slack.fail_next(1, SlackFailure::rate_limited(7));
    HttpClient client;
    auto response = client.post(slack.webhook_url("T/B/X"), {}, R"({"text":"x"})", "application/json");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 429);
    EXPECT_EQ(response->header("Retry-After"), "7");
    EXPECT_EQ(response->header("retry-after"), "7");
    EXPECT_EQ(response->header("x-absent"), "");
}

TEST(HttpClientTest, ServerErrorStatusIsAResponseNotAnError) {
    FakeSlack slack("xoxb-test");
    slack.fail_next(1, SlackFailure::server_error());
    HttpClient client;
    auto response = client.post(slack.webhook_url("T/B/X"), {}, R"({"text":"x"})", "application/json");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 500);
}

TEST(HttpClientTest, GetOfAnUnknownPathReturnsTheNotFoundResponse) {
    FakeSlack slack("xoxb-test");
    HttpClient client;
    auto response = client.get(slack.base_url() + "/nothing?here=1", {{"Accept", "*/*"}});
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->status, 404);
}

TEST(HttpClientTest, ClosedPortIsAnUpstreamErrorSayingConnectionRefusedWithoutThePath) {
    RawSocket closed(/*listening=*/false);
    HttpClient client;
    auto response = client.post(closed.url("http", "/hooks/SECRET-PART"), {}, "{}", "application/json");
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, core::ErrorCode::upstream);
    EXPECT_NE(response.error().message.find("connection refused"), std::string::npos)
        << response.error().message;
    EXPECT_EQ(response.error().message.find("SECRET-PART"), std::string::npos);
}

TEST(HttpClientTest, ServerThatNeverAnswersTimesOutAsAnUpstreamError) {
    RawSocket silent(/*listening=*/true);
    HttpClientOptions options;
    options.connect_timeout = std::chrono::milliseconds(500);
    options.read_timeout = std::chrono::milliseconds(200);
    HttpClient client(options);
    auto response = client.post(silent.url("http", "/api/x"), {}, "{}", "application/json");
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, core::ErrorCode::upstream);
    EXPECT_NE(response.error().message.find("timed out"), std::string::npos) << response.error().message;
}

TEST(HttpClientTest, HttpsToAPlainHttpServerIsATlsError) {
    FakeSlack slack("xoxb-test");
    HttpClient client;
    const std::string url = "https://127.0.0.1:" + std::to_string(slack.port()) + "/hooks/T/B/X";
    auto response = client.post(url, {}, R"({"text":"x"})", "application/json");
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, core::ErrorCode::upstream);
    EXPECT_NE(response.error().message.find("TLS"), std::string::npos) << response.error().message;
    EXPECT_TRUE(slack.messages().empty());
}

TEST(HttpClientTest, NonHttpUrlIsAnInvalidArgument) {
    HttpClient client;
    auto response = client.post("ftp://example.com/x", {}, "{}", "application/json");
    ASSERT_FALSE(response);
    EXPECT_EQ(response.error().code, core::ErrorCode::invalid_argument);
}

TEST(HttpClientTest, RedactUrlKeepsOnlySchemeAndHost) {
    const struct {
        std::string input;
        std::string expected;
    } cases[] = {
        {"https://hooks.slack.com/services/T1/B2/SECRET", "https://hooks.slack.com/…"},
        {"https://oapi.dingtalk.com/robot/send?access_token=SECRET", "https://oapi.dingtalk.com/…"},
        {"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
        {"C0123ABC", "C0123ABC"},
        {"oc_84983ff6516d731e5b5f68d4ea2e1da5", "oc_84983ff6516d731e5b5f68d4ea2e1da5"},
        {"https://user@host/x", "(url)"},
    };
    for (const auto& c : cases) EXPECT_EQ(redact_url(c.input), c.expected) << c.input;
}

TEST(HttpServerTest, StopRightAfterStartReturnsAndFreesThePort) {
    for (int round = 0; round < 20; ++round) {
        HttpServer server(HttpServerOptions{});
        server.get("/ping", [](const HttpRequest&) { return HttpReply{200, "text/plain", "pong", {}}; });
        auto port = server.bind("127.0.0.1", 0);
        ASSERT_TRUE(port) << port.error().message;
        server.start();
        server.stop();  // hung for ever when the listening thread had not begun yet
        httplib::Client client("127.0.0.1", *port);
        client.set_connection_timeout(1, 0);
        EXPECT_FALSE(client.Get("/ping")) << "round " << round << ": still serving after stop()";
    }
}

}  // namespace
}  // namespace bot
