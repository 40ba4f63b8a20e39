// HttpClient against real sockets on 127.0.0.1: the fake Slack, a port that refuses, and a
// listener that never answers.

#include "bot/net/http_client.h"
#include "bot/net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "tests/support/fake_slack.h"
#include "tests/support/faulty_proxy.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_tls.h"

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

// A platform on 127.0.0.1 (plain or TLS) that says which client port each request came from, so
// a test sees how many connections carried them. "/ok" answers "ok"; "/close" answers with
// "Connection: close"; "/slow" answers after 1 s.
class CountingServer {
public:
    explicit CountingServer(int keep_alive_seconds = 5, const testing_support::TestTls* tls = nullptr,
                            const std::string& directory = "") {
        if (tls != nullptr) {
            m_tls = true;
            write(directory + "/cert.pem", tls->cert_pem);
            write(directory + "/key.pem", tls->key_pem);
            auto server = std::make_unique<httplib::SSLServer>((directory + "/cert.pem").c_str(),
                                                               (directory + "/key.pem").c_str());
            m_tls_context = server->ssl_context();
            m_server = std::move(server);
        } else {
            m_server = std::make_unique<httplib::Server>();
        }
        m_server->set_keep_alive_timeout(keep_alive_seconds);
        m_server->set_keep_alive_max_count(1000);
        m_server->set_tcp_nodelay(true);  // as the platforms: no 40 ms wait on a kept connection
        m_server->Post("/ok", [this](const httplib::Request& request, httplib::Response& response) {
            note(request);
            response.set_content("ok", "text/plain");
        });
        m_server->Post("/close", [this](const httplib::Request& request, httplib::Response& response) {
            note(request);
            response.set_header("Connection", "close");
            response.set_content("bye", "text/plain");
        });
        m_server->Post("/slow", [this](const httplib::Request& request, httplib::Response& response) {
            note(request);
            std::this_thread::sleep_for(std::chrono::milliseconds(1000));
            response.set_content("late", "text/plain");
        });
        m_port = m_server->bind_to_any_port("127.0.0.1");
        // bind_to_any_port listens already: connections wait in the backlog until the loop runs.
        m_thread = std::thread([this] { m_server->listen_after_bind(); });
    }
    ~CountingServer() {
        m_server->stop();
        m_thread.join();
    }
    std::string url(const std::string& path) const {
        return std::string(m_tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(m_port) + path;
    }
    int port() const { return m_port; }
    SSL_CTX* tls_context() const { return m_tls_context; }  // the TLS server's, or nullptr
    size_t connections() const {
        std::lock_guard lock(m_mutex);
        return m_ports.size();
    }
    int requests() const { return m_requests.load(); }

private:
    static void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }
    void note(const httplib::Request& request) {
        ++m_requests;
        std::lock_guard lock(m_mutex);
        m_ports.insert(request.remote_port);
    }

    bool m_tls = false;
    SSL_CTX* m_tls_context = nullptr;
    std::unique_ptr<httplib::Server> m_server;
    int m_port = 0;
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::set<int> m_ports;  // Guarded by m_mutex.
    std::atomic<int> m_requests{0};
};

TEST(HttpClientPoolTest, RequestsToOneHostReuseOneConnection) {
    CountingServer server;
    HttpClient client;
    for (int i = 0; i < 10; ++i) {
        auto response = client.post(server.url("/ok"), {}, "{}", "application/json");
        ASSERT_TRUE(response) << response.error().message;
        EXPECT_EQ(response->body, "ok");
    }
    EXPECT_EQ(server.connections(), 1u);
    EXPECT_EQ(client.stats().connections_opened, 1);
    EXPECT_EQ(client.stats().requests_reused, 9);
}

// A CA and a server certificate in a temporary folder, and client options that trust the CA.
struct TlsMaterial {
    testing_support::TempDir dir;
    testing_support::TestTls tls = testing_support::make_test_tls(dir.path().string());

    std::string directory() const { return dir.path().string(); }
    HttpClientOptions client_options() const {
        HttpClientOptions options;
        options.ca_cert_path = tls.ca_file;
        return options;
    }
};

TEST(HttpClientPoolTest, TlsRequestsPayTheHandshakeOnce) {
    const TlsMaterial material;
    CountingServer server(5, &material.tls, material.directory());
    HttpClient client(material.client_options());
    for (int i = 0; i < 5; ++i) {
        auto response = client.post(server.url("/ok"), {}, "{}", "application/json");
        ASSERT_TRUE(response) << response.error().message;
    }
    EXPECT_EQ(server.connections(), 1u);
    EXPECT_EQ(client.stats().connections_opened, 1);
}

// A new connection to a host resumes the TLS session of the one before (issue 22), on TLS 1.3
// (tickets after the handshake) and on TLS 1.2 (where it saves a round trip). The server closes
// each connection ("/close"), so every request opens one.
void expect_sessions_resumed(int max_tls_version) {
    const TlsMaterial material;
    CountingServer server(5, &material.tls, material.directory());
    ASSERT_EQ(SSL_CTX_set_max_proto_version(server.tls_context(), max_tls_version), 1);
    HttpClient client(material.client_options());
    for (int i = 0; i < 4; ++i) {
        auto response = client.post(server.url("/close"), {}, "{}", "application/json");
        ASSERT_TRUE(response) << response.error().message;
        EXPECT_EQ(response->body, "bye");
    }
    const auto stats = client.stats();
    EXPECT_EQ(stats.connections_opened, 4);
    EXPECT_EQ(stats.tls_handshakes, 4);
    EXPECT_EQ(stats.tls_resumed, 3) << "every connection after the first";
    EXPECT_EQ(SSL_CTX_sess_hits(server.tls_context()), 3) << "the server agrees";
}

TEST(HttpClientPoolTest, ANewTlsConnectionResumesTheLastSessionOnTls13) { expect_sessions_resumed(TLS1_3_VERSION); }

TEST(HttpClientPoolTest, ANewTlsConnectionResumesTheLastSessionOnTls12) { expect_sessions_resumed(TLS1_2_VERSION); }

TEST(HttpClientPoolTest, ATlsSessionIsOfferedOnlyToTheHostThatGrantedIt) {
    const TlsMaterial material;
    CountingServer first(5, &material.tls, material.directory());
    CountingServer second(5, &material.tls, material.directory());  // same certificate, another port
    HttpClient client(material.client_options());
    ASSERT_TRUE(client.post(first.url("/close"), {}, "{}", "application/json"));
    ASSERT_TRUE(client.post(second.url("/close"), {}, "{}", "application/json"));
    EXPECT_EQ(client.stats().tls_resumed, 0);
    EXPECT_EQ(SSL_CTX_sess_hits(second.tls_context()), 0);
    ASSERT_TRUE(client.post(second.url("/close"), {}, "{}", "application/json"));
    EXPECT_EQ(client.stats().tls_resumed, 1);
    EXPECT_EQ(client.stats().tls_handshakes, 3);
}

TEST(HttpClientPoolTest, AConnectionTheServerClosedWhileIdleIsReplacedNotFailed) {
    CountingServer server(/*keep_alive_seconds=*/1);
    HttpClient client;
    ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // the server closes its end
    auto response = client.post(server.url("/ok"), {}, "{}", "application/json");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(server.connections(), 2u);
    EXPECT_EQ(client.stats().connections_opened, 2);
    EXPECT_EQ(client.stats().requests_reused, 0);
}

TEST(HttpClientPoolTest, ConnectionCloseFromTheServerIsHonoured) {
    CountingServer server;
    HttpClient client;
    ASSERT_TRUE(client.post(server.url("/close"), {}, "{}", "application/json"));
    ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    EXPECT_EQ(server.connections(), 2u);
    EXPECT_EQ(client.stats().connections_opened, 2);
}

TEST(HttpClientPoolTest, AConnectionIdleLongerThanTheTimeoutIsClosedNotReused) {
    CountingServer server;
    HttpClientOptions options;
    options.idle_timeout = std::chrono::milliseconds(50);
    HttpClient client(options);
    ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    EXPECT_EQ(client.stats().connections_opened, 2);
}

TEST(HttpClientPoolTest, AFailedRequestsConnectionIsNotReusedAndTheNextOneSucceeds) {
    CountingServer server;
    HttpClientOptions options;
    options.read_timeout = std::chrono::milliseconds(400);  // room for "/ok" under TSan
    HttpClient client(options);
    auto slow = client.post(server.url("/slow"), {}, "{}", "application/json");
    ASSERT_FALSE(slow);
    EXPECT_EQ(slow.error().code, core::ErrorCode::upstream);
    auto next = client.post(server.url("/ok"), {}, "{}", "application/json");
    ASSERT_TRUE(next) << next.error().message;
    EXPECT_EQ(next->body, "ok") << "not the slow request's late answer";
    EXPECT_EQ(client.stats().connections_opened, 2);
}

TEST(HttpClientPoolTest, AKeptConnectionClosedAsTheRequestArrivesIsRetriedOnceOnANewOne) {
    CountingServer server;
    testing_support::FaultyProxy proxy("http://127.0.0.1:" + std::to_string(server.port()));
    proxy.add_rule("second", testing_support::Fault::close(), 1);  // closed without a byte of answer
    HttpClient client;
    ASSERT_TRUE(client.post(proxy.base_url() + "/ok", {}, "first", "text/plain"));
    auto response = client.post(proxy.base_url() + "/ok", {}, "second", "text/plain");
    ASSERT_TRUE(response) << response.error().message;
    EXPECT_EQ(response->body, "ok");
    EXPECT_EQ(server.requests(), 2) << "the closed one never reached the server; its retry did, once";
    EXPECT_EQ(client.stats().connections_opened, 2);
}

TEST(HttpClientPoolTest, AFreshConnectionThatFailsIsNotRetried) {
    CountingServer server;
    testing_support::FaultyProxy proxy("http://127.0.0.1:" + std::to_string(server.port()));
    proxy.add_rule("only", testing_support::Fault::close(), 1);
    HttpClient client;
    EXPECT_FALSE(client.post(proxy.base_url() + "/ok", {}, "only", "text/plain"));
    EXPECT_EQ(server.requests(), 0);
    EXPECT_EQ(client.stats().connections_opened, 1);
}

TEST(HttpClientPoolTest, WithoutAPoolEveryRequestHasItsOwnConnection) {
    CountingServer server;
    HttpClientOptions options;
    options.max_idle_per_host = 0;
    HttpClient client(options);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    EXPECT_EQ(server.connections(), 3u);
}

TEST(HttpClientPoolTest, ConcurrentCallersEachGetTheirOwnConnectionAndThePoolStaysBounded) {
    CountingServer server;
    HttpClientOptions options;
    options.max_idle_per_host = 2;
    HttpClient client(options);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20; ++i)
                if (!client.post(server.url("/ok"), {}, "{}", "application/json")) ++failures;
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(server.requests(), 120);
    const auto stats = client.stats();
    EXPECT_EQ(stats.connections_opened + stats.requests_reused, 120);
    EXPECT_LE(server.connections(), static_cast<size_t>(stats.connections_opened));
    // Each request either reused a kept connection or opened one; at most 2 are kept, so after
    // the burst the next 3 calls from one thread open at most one new connection.
    client.close_idle();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.post(server.url("/ok"), {}, "{}", "application/json"));
    EXPECT_EQ(client.stats().connections_opened, stats.connections_opened + 1);
}

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

// A burst of reconnections (keep-alive connections that all reached their request limit) must
// queue, not be dropped: cpp-httplib's backlog of 5 made each dropped client wait 200+ ms for a
// retransmission. Bound but not accepting yet, the server's queue alone holds the burst.
TEST(HttpServerTest, ABurstOfNewConnectionsQueuesInsteadOfBeingDropped) {
    HttpServer server(HttpServerOptions{});
    auto port = server.bind("127.0.0.1", 0);
    ASSERT_TRUE(port) << port.error().message;
    constexpr int k_burst = 64;
    std::vector<int> sockets;
    for (int i = 0; i < k_burst; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<uint16_t>(*port));
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        sockets.push_back(fd);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    int established = 0;
    for (int fd : sockets) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        sockaddr_in peer{};
        socklen_t peer_length = sizeof peer;
        if (error == 0 && ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_length) == 0) ++established;
    }
    for (int fd : sockets) ::close(fd);
    EXPECT_EQ(established, k_burst);
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
