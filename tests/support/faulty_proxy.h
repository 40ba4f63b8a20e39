#pragma once
// A faulty network in front of a fake platform, for tests: a TCP proxy on 127.0.0.1 (an
// ephemeral port, its own threads) that reads each request whole (headers, then Content-Length
// bytes) and either forwards it to the fake and pipes the answer back, or — when a scripted
// rule matches — answers with a fault instead:
//   respond  a canned HTTP answer: any status, headers, content type and body (an HTML error
//            page, non-JSON garbage, truncated JSON, a success body with the wrong type ...);
//   hang     no answer: the connection stays open until the client gives up, release_hangs()
//            is called or the proxy is destroyed (a timeout, as the client sees it);
//   close    the connection is closed without a byte of answer;
//   cut      a status line and headers promising more body than is sent, then closed.
// The fakes stay unaware: the sender under test is simply given the proxy's base URL. A client
// connection carries requests one after another (HttpClient keeps connections alive); each
// forwarded request goes to the fake on a connection of its own, and a fault's answer closes
// the client's connection ("Connection: close", or no answer). A rule counts requests.
//
// Thread safety: safe for concurrent use; rules and counters are guarded by one mutex.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace testing_support {

struct Fault {
    enum class Kind { respond, hang, close, cut };
    Kind kind = Kind::respond;
    int status = 500;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string name;  // for test output

    static Fault respond(int status, std::string content_type, std::string body,
                         std::vector<std::pair<std::string, std::string>> headers = {}) {
        return {Kind::respond, status, std::move(content_type), std::move(body), std::move(headers), "respond"};
    }
    static Fault hang() { return {Kind::hang, 0, "", "", {}, "hang"}; }
    static Fault close() { return {Kind::close, 0, "", "", {}, "close"}; }
    // A 200 whose headers announce more body than `partial_body`, then the connection closes.
    static Fault cut(std::string partial_body) {
        return {Kind::cut, 200, "application/json", std::move(partial_body), {}, "cut"};
    }
};

class FaultyProxy {
public:
    // `upstream_base` is the fake's "http://127.0.0.1:PORT".
    explicit FaultyProxy(const std::string& upstream_base);
    ~FaultyProxy();
    FaultyProxy(const FaultyProxy&) = delete;
    FaultyProxy& operator=(const FaultyProxy&) = delete;

    std::string base_url() const;  // "http://127.0.0.1:PORT"
    int port() const { return m_port; }
    // The same URL with the fake's host:port replaced by the proxy's.
    std::string through(const std::string& upstream_url) const;

    // The next `times` requests whose raw text (request line, headers, body) contains `match`
    // ("" matches any) get `fault`; times < 0 = every one. Rules are tried in the order added.
    void add_rule(std::string match, Fault fault, int times);
    void clear_rules();
    // Closes every hung connection now; later hangs still hang.
    void release_hangs();

    int faults_served() const;  // requests answered by a rule
    int forwarded() const;      // requests passed to the fake
    int hanging() const;        // connections hung right now
    // Waits until at least `count` connections hang; false on timeout.
    bool wait_for_hanging(int count, std::chrono::milliseconds timeout) const;

private:
    struct Rule {
        std::string match;
        Fault fault;
        int times;
    };

    void accept_loop();
    void serve(int client);
    bool pick_fault(const std::string& request, Fault* fault);
    void hang_until_released(int client);
    // False when the fake gave no answer or the client is gone: the connection ends.
    bool forward(int client, const std::string& request);

    std::string m_upstream_base;
    int m_upstream_port = 0;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stopping{false};

    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::vector<Rule> m_rules;           // Guarded by m_mutex.
    std::vector<std::jthread> m_workers;  // Guarded by m_mutex. One per connection, joined at the end.
    long long m_release_generation = 0;  // Guarded by m_mutex.
    int m_faults = 0;                    // Guarded by m_mutex.
    int m_forwarded = 0;                 // Guarded by m_mutex.
    int m_hanging = 0;                   // Guarded by m_mutex.

    std::jthread m_acceptor;  // last: joined first
};

}  // namespace testing_support
