#pragma once
// The delivery side of the durable outbox: takes due rows from the Store and hands each to its
// platform's Sender, then records the outcome. It owns retries (exponential backoff with jitter,
// or the platform's Retry-After when given), dead-lettering after max_attempts, and pacing (a
// minimum interval between two sends to the same platform+destination). A destination that
// fails or is paced is held back while the others keep flowing in the same pass.
//
// Delivery is at least once: a row is marked sent only after the platform accepted it, so a
// crash between the two re-sends it after a restart.
//
// Thread safety: safe for concurrent use. start()/stop() run a std::jthread that calls
// run_once(); run_once() may also be called directly (tests), passes are serialised by
// m_pass_mutex. wake() and the counters may be used from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>

#include "bot/sender.h"
#include "core/clock.h"
#include "core/store/store.h"

namespace bot {

struct OutboxWorkerOptions {
    int max_attempts = 8;                       // the attempt that reaches this is the last
    std::chrono::milliseconds backoff_base{2000};  // after the 1st failure; doubles per failure
    std::chrono::milliseconds backoff_cap{600000};
    double jitter = 0.2;          // a retry delay is shortened by up to this share, at random
    std::uint64_t jitter_seed = 0;  // 0 = seed from std::random_device
    int batch_size = 100;         // rows read per pass
    std::chrono::milliseconds idle_wait{1000};  // the thread's longest sleep when nothing is due
    // Minimum interval between two sends to one destination. Keys are "platform/channel"
    // (e.g. "dingtalk/webhook") or "platform"; the more specific key wins; absent = no pacing.
    std::map<std::string, std::chrono::milliseconds> pacing = default_pacing();

    // Slack 1/s per channel (protocols §1.7), Feishu custom bot 5/s (§2.8),
    // DingTalk custom robot 20/min (§3.5).
    static std::map<std::string, std::chrono::milliseconds> default_pacing() {
        using std::chrono::milliseconds;
        return {{"slack", milliseconds(1000)}, {"feishu", milliseconds(200)},
                {"dingtalk", milliseconds(3000)}};
    }
};

// What one pass did.
struct OutboxPass {
    int sent = 0;
    int retried = 0;
    int dead = 0;
    int held = 0;  // due but not attempted: destination paced or backing off
    long long next_ready_ms = 0;  // earliest time a held destination frees up; 0 = none held
    bool failed = false;           // the pass could not read the store or hit the safety net
};

struct OutboxCounts {
    long long sent = 0;
    long long retried = 0;
    long long dead = 0;
};

class OutboxWorker {
public:
    // Borrowed: store, clock and senders outlive the worker. `senders` maps a platform name
    // ("slack", "feishu", "dingtalk") to its Sender; rows for another platform go dead.
    OutboxWorker(store::Store& store, const core::Clock& clock,
                 std::map<std::string, Sender*> senders, OutboxWorkerOptions options = {});
    ~OutboxWorker();  // stops
    OutboxWorker(const OutboxWorker&) = delete;
    OutboxWorker& operator=(const OutboxWorker&) = delete;

    void start();
    void stop();   // asks the thread to stop after the message in flight and joins it
    void wake();   // new work was enqueued
    OutboxPass run_once();

    OutboxCounts counts(const std::string& platform) const;
    long long pass_failures() const { return m_pass_failures.load(); }

private:
    struct Counters {
        std::atomic<long long> sent{0};
        std::atomic<long long> retried{0};
        std::atomic<long long> dead{0};
    };

    OutboxPass run_pass();
    void deliver(const store::OutboxMessage& message, long long now_ms, OutboxPass& pass);
    long long retry_at_unix(const store::OutboxMessage& message, const SendOutcome& outcome,
                            long long now_ms);
    std::chrono::milliseconds pacing_for(const store::OutboxMessage& message) const;
    Counters& counters_for(const std::string& platform);
    void loop(std::stop_token stop);

    store::Store& m_store;
    const core::Clock& m_clock;
    const std::map<std::string, Sender*> m_senders;
    const OutboxWorkerOptions m_options;
    // One entry per sender plus "other"; the map is never changed after construction.
    std::map<std::string, std::unique_ptr<Counters>> m_counters;
    std::atomic<long long> m_pass_failures{0};

    std::mutex m_pass_mutex;
    std::map<std::string, long long> m_ready_at_ms;  // destination -> not before. Guarded by m_pass_mutex.
    std::mt19937_64 m_random;                       // Guarded by m_pass_mutex.

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake_cv;
    bool m_woken = false;  // Guarded by m_wake_mutex.

    std::atomic<bool> m_stopping{false};
    std::jthread m_thread;  // last: joined first on destruction
};

}  // namespace bot
