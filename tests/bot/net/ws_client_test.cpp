// bot::WsConnection and bot::WsClient against the fake TLS WebSocket server on 127.0.0.1.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "bot/net/ws_client.h"
#include "tests/support/fake_ws_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_tls.h"

namespace {

using namespace std::chrono_literals;
using testing_support::FakeWsServer;
using testing_support::TempDir;

constexpr auto k_wait = 10s;

class WsClientTest : public ::testing::Test {
protected:
    WsClientTest() : m_tls(testing_support::make_test_tls(m_dir.path().string())) {}

    bot::WsOptions options() const {
        bot::WsOptions options;
        options.ca_file = m_tls.ca_file;
        options.connect_timeout = 5s;
        return options;
    }

    // An echo server that also records what it got.
    FakeWsServer::Handlers echo() {
        FakeWsServer::Handlers handlers;
        handlers.on_connect = [this](int, const std::string& target) {
            std::lock_guard lock(m_mutex);
            m_targets.push_back(target);
            return true;
        };
        handlers.on_message = [this](int, const bot::WsFrame& frame) {
            {
                std::lock_guard lock(m_mutex);
                m_received.push_back(frame.data);
            }
            m_server->send("echo:" + frame.data, frame.binary);
        };
        return handlers;
    }

    std::vector<std::string> received() {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

    TempDir m_dir;
    testing_support::TestTls m_tls;
    std::mutex m_mutex;
    std::vector<std::string> m_received;  // Guarded by m_mutex.
    std::vector<std::string> m_targets;   // Guarded by m_mutex.
    std::unique_ptr<FakeWsServer> m_server;
};

core::Result<bot::WsFrame> read_one(bot::WsConnection& connection) {
    auto deadline = std::chrono::steady_clock::now() + k_wait;
    while (std::chrono::steady_clock::now() < deadline) {
        auto frame = connection.read(100ms);
        if (!frame) return frame.error();
        if (*frame) return **frame;
    }
    return core::make_error(core::ErrorCode::upstream, "no frame within the test deadline");
}

TEST_F(WsClientTest, TextAndBinaryMessagesTravelBothWaysOverVerifiedTls) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    auto connection = bot::WsConnection::open(m_server->url("/link?ticket=abc"), options());
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE((*connection)->send("hello"));
    auto text = read_one(**connection);
    ASSERT_TRUE(text) << text.error().message;
    EXPECT_EQ(text->data, "echo:hello");
    EXPECT_FALSE(text->binary);
    std::string bytes("\x00\x01\xff", 3);
    ASSERT_TRUE((*connection)->send(bytes, true));
    auto binary = read_one(**connection);
    ASSERT_TRUE(binary) << binary.error().message;
    EXPECT_EQ(binary->data, "echo:" + bytes);
    EXPECT_TRUE(binary->binary);
    std::lock_guard lock(m_mutex);
    EXPECT_EQ(m_targets, std::vector<std::string>{"/link?ticket=abc"});
}

TEST_F(WsClientTest, ASendTheServerDoesNotReadTimesOutAndBreaksTheConnection) {
    // The server's only thread blocks on its first message until `held` goes; the mutex is shared
    // so that it outlives this body while the server thread finishes (m_server goes after it).
    auto gate = std::make_shared<std::mutex>();
    std::unique_lock held(*gate);
    FakeWsServer::Handlers handlers;
    handlers.on_connect = [](int, const std::string&) { return true; };
    handlers.on_message = [gate](int, const bot::WsFrame&) { std::lock_guard wait(*gate); };
    m_server = std::make_unique<FakeWsServer>(m_tls, handlers);
    auto opts = options();
    opts.send_timeout = 300ms;
    auto connection = bot::WsConnection::open(m_server->url("/stuck"), opts);
    ASSERT_TRUE(connection) << connection.error().message;
    const std::string chunk(1 << 20, 'x');
    core::Result<void> sent = core::ok();
    int written = 0;
    for (; written < 256 && sent; ++written) sent = (*connection)->send(chunk);  // fills both TCP buffers
    held.unlock();
    ASSERT_FALSE(sent) << "256 MB written to a server that reads nothing";
    EXPECT_NE(sent.error().message.find("timed out"), std::string::npos) << sent.error().message;
    EXPECT_GT(written, 1);
    EXPECT_FALSE((*connection)->send("again"));  // unusable: the caller reconnects
    EXPECT_FALSE((*connection)->read(10ms));
}

TEST_F(WsClientTest, AServerWhoseCertificateIsNotTrustedIsRefused) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    TempDir other_dir;
    auto other = testing_support::make_test_tls(other_dir.path().string());
    bot::WsOptions untrusting = options();
    untrusting.ca_file = other.ca_file;  // another CA: the chain does not verify
    auto connection = bot::WsConnection::open(m_server->url("/link?ticket=secret"), untrusting);
    ASSERT_FALSE(connection);
    EXPECT_NE(connection.error().message.find("TLS handshake"), std::string::npos) << connection.error().message;
    EXPECT_EQ(connection.error().message.find("secret"), std::string::npos) << "the query stays out of messages";
    EXPECT_EQ(m_server->connections(), 0);
}

TEST_F(WsClientTest, ACertificateForAnotherHostIsRefused) {
    TempDir other_dir;
    auto other = testing_support::make_test_tls(other_dir.path().string(), "DNS:chat.example.org");
    m_server = std::make_unique<FakeWsServer>(other, echo());
    bot::WsOptions trusting = options();
    trusting.ca_file = other.ca_file;  // a trusted chain, but for another name than 127.0.0.1
    auto connection = bot::WsConnection::open(m_server->url("/link"), trusting);
    ASSERT_FALSE(connection);
    EXPECT_NE(connection.error().message.find("TLS handshake"), std::string::npos) << connection.error().message;
}

TEST_F(WsClientTest, ServerPingsAreAnsweredWhileReading) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    auto connection = bot::WsConnection::open(m_server->url("/"), options());
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE(m_server->wait_until([&] { return m_server->connections() == 1; }, k_wait));
    m_server->ping();
    bool answered = m_server->wait_until(
        [&] {
            auto frame = (*connection)->read(20ms);
            return frame && m_server->pongs() == 1;
        },
        k_wait);
    EXPECT_TRUE(answered);
}

TEST_F(WsClientTest, AServerCloseEndsTheReadWithItsCode) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    auto connection = bot::WsConnection::open(m_server->url("/"), options());
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE(m_server->wait_until([&] { return m_server->connections() == 1; }, k_wait));
    m_server->close(4001);
    auto frame = read_one(**connection);
    ASSERT_FALSE(frame);
    EXPECT_NE(frame.error().message.find("4001"), std::string::npos) << frame.error().message;
    EXPECT_FALSE((*connection)->send("after close"));
}

// Counts frames, asks for a new connection on "bye".
class RecordingProtocol final : public bot::WsProtocol {
public:
    explicit RecordingProtocol(FakeWsServer*& server) : m_server(server) {}
    core::Result<std::string> connect_url() override {
        ++m_urls;
        if (m_fail_urls > 0) {
            --m_fail_urls;
            return core::make_error(core::ErrorCode::upstream, "connections.open: HTTP 503");
        }
        return m_server->url("/socket?n=" + std::to_string(m_urls.load()));
    }
    bool on_frame(const bot::WsFrame& frame, bot::WsConnection&) override {
        ++m_frames;
        return frame.data != "bye";
    }
    std::atomic<int> m_urls{0};
    std::atomic<int> m_frames{0};
    std::atomic<int> m_fail_urls{0};

private:
    FakeWsServer*& m_server;
};

TEST_F(WsClientTest, TheClientReconnectsAfterADropAndAfterARequestAndStopsPromptly) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    FakeWsServer* server = m_server.get();
    RecordingProtocol protocol(server);
    protocol.m_fail_urls = 2;  // connections.open fails twice: backoff, then up
    bot::WsClientOptions client_options;
    client_options.name = "test";
    client_options.socket = options();
    client_options.reconnect_min = 5ms;
    client_options.reconnect_max = 20ms;
    client_options.tick = 20ms;
    std::atomic<int> backs{0};
    bot::WsClient client(client_options, protocol, [&](std::chrono::milliseconds) { ++backs; });
    client.start();
    ASSERT_TRUE(m_server->wait_until([&] { return m_server->connections() == 1; }, k_wait));
    EXPECT_EQ(protocol.m_urls, 3);
    ASSERT_TRUE(m_server->wait_until([&] { return client.status().state == bot::WsState::up; }, k_wait));

    m_server->drop();
    ASSERT_TRUE(m_server->wait_until([&] { return m_server->connections() == 2; }, k_wait));
    m_server->send("bye");  // the platform asks for a fresh connection
    ASSERT_TRUE(m_server->wait_until([&] { return m_server->connections() == 3; }, k_wait));
    ASSERT_TRUE(m_server->wait_until([&] { return client.status().state == bot::WsState::up; }, k_wait));

    // The client reports "up" before it calls on_back: wait for the second call, not only the state.
    ASSERT_TRUE(m_server->wait_until([&] { return backs >= 2; }, k_wait));
    auto status = client.status();
    EXPECT_EQ(status.connects, 3);
    EXPECT_EQ(status.reconnects, 4);  // two failed opens, the drop, the request
    EXPECT_EQ(backs, 2);               // back after the drop, back after the request
    client.stop();
    EXPECT_EQ(client.status().state, bot::WsState::stopped);
}

TEST_F(WsClientTest, StopInterruptsTheBackoffWait) {
    m_server = std::make_unique<FakeWsServer>(m_tls, echo());
    FakeWsServer* server = m_server.get();
    RecordingProtocol protocol(server);
    protocol.m_fail_urls = 1000;
    bot::WsClientOptions client_options;
    client_options.name = "test";
    client_options.socket = options();
    client_options.reconnect_min = std::chrono::hours(1);
    client_options.reconnect_max = std::chrono::hours(1);
    bot::WsClient client(client_options, protocol);
    client.start();
    ASSERT_TRUE(m_server->wait_until([&] { return client.status().state == bot::WsState::down; }, k_wait));
    client.stop();  // returns although the backoff has an hour to go
    EXPECT_EQ(client.status().state, bot::WsState::stopped);
    EXPECT_EQ(protocol.m_urls, 1);
}

}  // namespace
