// bench_reply: what a reply costs on the wire to a platform that far away (issue 22). A sink on
// 127.0.0.1 answers chat.postMessage as Slack does ({"ok":true,…}), plain HTTP or TLS (a
// certificate made at run time), behind bench::DelayProxy holding each byte DELAY ms each way.
// HttpClient posts REQUESTS replies one after another, first without the connection pool (a
// connection per request, as before issue 22), then with it; the first request is cold (a new
// connection), the others warm. Over TLS (1.3, and 1.2 where a resumed handshake saves a round
// trip), the connection-per-request case runs with and without TLS session resumption: the
// "warm" requests there are new connections to a host seen before. Prints a table, and one line
// per case for scripts.
//   bench_reply [--delay-ms 50] [--requests 11]

#include <httplib.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench/delay_proxy.h"
#include "bot/net/http_client.h"
#include "tests/support/test_tls.h"

namespace {

using Ms = std::chrono::duration<double, std::milli>;

struct Sink {
    std::unique_ptr<httplib::Server> server;
    int port = 0;
    std::thread thread;
    Sink(const testing_support::TestTls* tls, const std::string& dir) {
        if (tls != nullptr) {
            std::ofstream(dir + "/cert.pem") << tls->cert_pem;
            std::ofstream(dir + "/key.pem") << tls->key_pem;
            server = std::make_unique<httplib::SSLServer>((dir + "/cert.pem").c_str(), (dir + "/key.pem").c_str());
        } else {
            server = std::make_unique<httplib::Server>();
        }
        server->set_tcp_nodelay(true);
        server->set_keep_alive_max_count(100000);
        server->set_keep_alive_timeout(60);
        server->Post("/api/chat.postMessage", [](const httplib::Request&, httplib::Response& response) {
            response.set_content(R"({"ok":true,"channel":"C1","ts":"1700000000.000100"})", "application/json");
        });
        port = server->bind_to_any_port("127.0.0.1");
        thread = std::thread([this] { server->listen_after_bind(); });
    }
    ~Sink() {
        server->stop();
        thread.join();
    }
};

struct Case {
    double cold_ms = 0;
    double warm_ms = 0;  // median
    long long connections = 0;
    long long resumed = 0;  // TLS handshakes that resumed a session
};

// tls_version: 0 = plain HTTP, else the sink's highest TLS version.
Case run(int tls_version, bool pool, bool resume, int delay_ms, int requests, const testing_support::TestTls& material,
         const std::string& dir) {
    const bool tls = tls_version != 0;
    Sink sink(tls ? &material : nullptr, dir);
    if (tls) SSL_CTX_set_max_proto_version(static_cast<httplib::SSLServer&>(*sink.server).ssl_context(), tls_version);
    bench::DelayProxy proxy(sink.port, std::chrono::milliseconds(delay_ms));
    bot::HttpClientOptions options;
    options.max_idle_per_host = pool ? 8 : 0;
    options.resume_tls_sessions = resume;
    if (tls) options.ca_cert_path = material.ca_file;
    bot::HttpClient client(options);
    const std::string url =
        std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(proxy.port()) + "/api/chat.postMessage";
    const std::string body = R"({"channel":"C1","thread_ts":"1700000000.000001","text":"T003 进度 60%（原 40%）"})";
    std::vector<double> times;
    for (int i = 0; i < requests; ++i) {
        const auto start = std::chrono::steady_clock::now();
        auto response = client.post(url, {{"Authorization", "Bearer xoxb-bench"}}, body, "application/json; charset=utf-8");
        times.push_back(Ms(std::chrono::steady_clock::now() - start).count());
        if (!response || response->status != 200) {
            std::fprintf(stderr, "bench_reply: request failed: %s\n", response ? "status" : response.error().message.c_str());
            std::exit(1);
        }
    }
    Case out;
    out.cold_ms = times.front();
    std::vector<double> warm(times.begin() + 1, times.end());
    std::sort(warm.begin(), warm.end());
    out.warm_ms = warm.empty() ? 0 : warm[warm.size() / 2];
    out.connections = proxy.connections();
    out.resumed = client.stats().tls_resumed;
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // closing a kept TLS connection the sink already closed
    int delay_ms = 50;
    int requests = 11;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--delay-ms") delay_ms = std::atoi(argv[i + 1]);
        if (flag == "--requests") requests = std::max(2, std::atoi(argv[i + 1]));
    }
    std::string dir_template = (std::filesystem::temp_directory_path() / "bench-reply-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) return 1;
    const std::string dir = dir_template;
    const auto material = testing_support::make_test_tls(dir);
    std::printf("reply to a platform %d ms away each way (round trip %d ms), %d replies in a row\n", delay_ms,
                2 * delay_ms, requests);
    std::printf("%-12s %-36s %9s %14s %8s %8s\n", "wire", "connections", "cold ms", "warm ms (p50)", "opened",
                "resumed");
    struct Mode {
        bool pool, resume;
        const char* name;
    };
    for (int version : {0, TLS1_3_VERSION, TLS1_2_VERSION}) {
        const std::string wire = version == 0 ? "http" : version == TLS1_3_VERSION ? "https-tls1.3" : "https-tls1.2";
        for (Mode mode : {Mode{false, false, "one per request (before)"}, Mode{false, true, "one per request, resumed"},
                          Mode{true, true, "kept alive (issue 22)"}}) {
            if (version == 0 && mode.resume && !mode.pool) continue;  // nothing to resume
            const Case c = run(version, mode.pool, mode.resume, delay_ms, requests, material, dir);
            std::printf("%-12s %-36s %9.1f %14.1f %8lld %8lld\n", wire.c_str(), mode.name, c.cold_ms, c.warm_ms,
                        c.connections, c.resumed);
            std::printf("reply wire=%s pool=%s resume=%s delay_ms=%d cold_ms=%.1f warm_ms=%.1f connections=%lld resumed=%lld\n",
                        wire.c_str(), mode.pool ? "on" : "off", mode.resume ? "on" : "off", delay_ms, c.cold_ms,
                        c.warm_ms, c.connections, c.resumed);
        }
    }
    std::filesystem::remove_all(dir);
    return 0;
}
