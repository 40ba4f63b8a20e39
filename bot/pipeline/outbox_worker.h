#pragma once
// The delivery side of the durable outbox: takes due rows from the store and hands each to its
// platform's Sender, then records the outcome. It owns retries (exponential backoff with jitter,
// or the platform's Retry-After when given), dead-lettering after max_attempts, pacing (a
// minimum interval between two sends to the same platform+destination) and rate windows (at
// most N requests to one destination in any span of a given length). A destination that fails,
// is paced or is at its window's limit is held back while the others keep flowing in the same
// pass. When several rows are due for one destination, the platform's Sender may carry them in
// one request (Sender::merge: DingTalk custom robots); every row it carries gets its outcome.
//
// A pass works on up to max_parallel_sends destinations at once (each destination's rows in
// order, on one thread), so a destination that hangs until the HTTP client's timeout holds up
// only its own rows in that pass; the pass itself ends when its slowest request does.
//
// Delivery is at least once: a row is marked sent only after the platform accepted it, so a
// crash between the two re-sends it after a restart.
//
// Several replicas on one database (lease_holder set): a destination's rows are sent only by the
// replica holding its lease (store::DestinationLease), which carries the pacing and the rate
// windows' history from one holder to the next, so that a DingTalk robot gets at most 20 a
// minute from the whole cluster. The lease is renewed with every send; a replica that dies
// holding one loses it after `lease`, and its rows in flight are sent again by the next holder
// (at least once, as after a restart).
//
// Thread safety: safe for concurrent use. start()/stop() run a std::jthread that calls
// run_once(); run_once() may also be called directly (tests), passes are serialised by
// m_pass_mutex. wake() and the counters may be used from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "bot/net/sender.h"
#include "core/clock.h"
#include "core/sliding_window.h"
#include "core/store/facets.h"
// Only for callers: they pass a store::Store, and some tests have its definition from here.
#include "core/store/store.h"

namespace bot {

class DaemonMetrics;

// At most max_sends requests to one destination in any span of `window`, both ends included.
struct RateWindow {
    int max_sends = 0;
    std::chrono::milliseconds window{0};
};

struct OutboxWorkerOptions {
    int max_attempts = 8;                       // the attempt that reaches this is the last
    std::chrono::milliseconds backoff_base{2000};  // after the 1st failure; doubles per failure
    std::chrono::milliseconds backoff_cap{600000};
    double jitter = 0.2;          // a retry delay is shortened by up to this share, at random
    std::uint64_t jitter_seed = 0;  // 0 = seed from std::random_device
    // Rows read whole per pass. Destinations held back (paced, at a window's limit, backing
    // off) are skipped before the batch is filled; a paced destination gives its oldest row,
    // one whose Sender merges or that is not paced up to rows_per_destination (0 = no cap). So
    // neither a paced burst for one chat nor one chat's long queue hides the other chats' rows
    // behind it (a thousand chats' 09:00 digests, a reply meanwhile).
    int batch_size = 200;
    int rows_per_destination = 30;
    // The thread's passes start at least this far apart when woken (every queued reply wakes it).
    std::chrono::milliseconds min_pass_interval{50};
    std::chrono::milliseconds idle_wait{1000};  // the thread's longest sleep when nothing is due
    // Minimum interval between two sends to one destination. Keys are "platform/channel"
    // (e.g. "dingtalk/webhook") or "platform"; the more specific key wins; absent = no pacing.
    std::map<std::string, std::chrono::milliseconds> pacing = default_pacing();
    // Rate windows per destination, on top of pacing, keyed like pacing (the more specific
    // key's list wins). A request counts from when its answer came back, so network delays
    // cannot squeeze two requests closer together at the platform than they were here.
    std::map<std::string, std::vector<RateWindow>> windows = default_windows();
    // Let a platform's Sender carry several due rows for one destination in one request.
    bool merge = true;
    // Destinations sent to at the same time within a pass; 1 = one after another. Senders are
    // safe for concurrent use (bot/sender.h).
    int max_parallel_sends = 8;
    DaemonMetrics* metrics = nullptr;  // borrowed; counts every attempt's outcome when set
    // Several replicas on one database: this replica's id ("" = the only sender: no leases) and
    // how long a destination's lease lasts after its last send (longer than one request can take).
    std::string lease_holder;
    std::chrono::milliseconds lease{30000};

    // Slack 1/s per channel (protocols §1.7), Feishu custom bot 5/s (§2.8),
    // DingTalk custom robot 20/min (§3.5).
    static std::map<std::string, std::chrono::milliseconds> default_pacing() {
        using std::chrono::milliseconds;
        return {{"slack", milliseconds(1000)}, {"feishu", milliseconds(200)},
                {"dingtalk", milliseconds(3000)}};
    }
    // DingTalk custom robot 20/min (§3.5; pacing alone allows a 21st request exactly 60 s after
    // the 1st), Feishu custom bot 100/min and 5/s (§2.8), Feishu API 5/s per group (§2.9).
    static std::map<std::string, std::vector<RateWindow>> default_windows() {
        using std::chrono::seconds;
        return {{"dingtalk/webhook", {{20, seconds(60)}}},
                {"feishu/webhook", {{100, seconds(60)}, {5, seconds(1)}}},
                {"feishu/api", {{5, seconds(1)}}}};
    }
};

// What one pass did.
struct OutboxPass {
    int sent = 0;
    int retried = 0;
    int dead = 0;
    // Not attempted: each destination held back (paced, at its window's limit, backing off) when
    // the pass looked at it counts once, and each row the pass read but held (behind a send or
    // a failure to its destination in the same pass) once. A paced destination's rows after the
    // one it sends are not read, so not counted.
    int held = 0;
    int merged = 0;  // rows that shared a request with others (also counted as sent/retried/dead)
    long long next_ready_ms = 0;  // earliest time a held or paced destination frees up; 0 = none
    bool more = false;             // the batch was full: more rows may be due now (run again)
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
    OutboxWorker(store::OutboxStore& store, const core::Clock& clock,
                 std::map<std::string, Sender*> senders, OutboxWorkerOptions options = {});
    ~OutboxWorker();  // stops
    OutboxWorker(const OutboxWorker&) = delete;
    OutboxWorker& operator=(const OutboxWorker&) = delete;

    void start();
    void stop();   // asks the thread to stop after the message in flight and joins it
    void wake();   // new work was enqueued
    bool running() const { return m_running.load(); }  // between start() and stop()
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
    // The rows a pass works on (see batch_size); counts the held-back ones in `pass`.
    core::Result<std::vector<store::OutboxMessage>> due_batch(long long start_ms, OutboxPass& pass);
    // One destination's due rows (indexes into `due`, oldest first), in order, on one thread.
    // Touches only that destination's entries of m_ready_at_ms / m_answered_ms, which run_pass
    // creates beforehand, so destinations may run concurrently.
    void run_destination(const std::vector<store::OutboxMessage>& due, const std::vector<size_t>& rows,
                         OutboxPass& pass);
    // The rows that must wait for `message`'s destination: its pacing or back-off, then its
    // rate windows; 0 when it is free now.
    long long held_until_ms(const store::OutboxMessage& message, long long now_ms) const;
    long long window_ready_ms(const store::OutboxMessage& message, long long now_ms) const;
    // Sends `request` (one row, or several merged) once and records the outcome on every row.
    // Returns false when the destination's lease was lost (several replicas): stop sending to it.
    bool deliver(const std::vector<const store::OutboxMessage*>& rows,
                 const store::OutboxMessage& request, long long now_ms, OutboxPass& pass);
    // Several replicas: takes the lease of each destination in `keys`; those another replica
    // holds come back false. The lease's pacing and window history replace this replica's.
    std::vector<bool> take_leases(const std::vector<std::string>& keys, long long now_ms);
    void record(const store::OutboxMessage& message, const SendOutcome& outcome, long long done_s,
                long long next_s, const std::string& note, OutboxPass& pass);
    long long retry_at_unix(const store::OutboxMessage& message, const SendOutcome& outcome,
                            long long now_ms);
    std::chrono::milliseconds pacing_for(const store::OutboxMessage& message) const;
    const std::vector<RateWindow>* windows_for(const store::OutboxMessage& message) const;
    Counters& counters_for(const std::string& platform);
    void loop(std::stop_token stop);

    store::OutboxStore& m_store;
    const core::Clock& m_clock;
    const std::map<std::string, Sender*> m_senders;
    const OutboxWorkerOptions m_options;
    // One entry per sender plus "other"; the map is never changed after construction.
    std::map<std::string, std::unique_ptr<Counters>> m_counters;
    std::atomic<long long> m_pass_failures{0};

    std::mutex m_pass_mutex;
    std::map<std::string, long long> m_ready_at_ms;  // destination -> not before. Guarded by m_pass_mutex.
    // destination -> when recent requests to it were answered (ms, ascending), for the rate
    // windows; kept for the longest window. Guarded by m_pass_mutex.
    std::map<std::string, core::SlidingWindow> m_answered_ms;
    long long m_longest_window_ms = 0;  // set by the constructor, then constant
    // Several replicas: the leases this replica holds, by destination. Entries are created by
    // run_pass before the destinations run. Guarded by m_pass_mutex.
    std::map<std::string, store::DestinationLease> m_leases;
    std::mutex m_random_mutex;
    std::mt19937_64 m_random;  // Guarded by m_random_mutex.

    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake_cv;
    bool m_woken = false;  // Guarded by m_wake_mutex.

    std::atomic<bool> m_stopping{false};
    std::atomic<bool> m_running{false};
    std::jthread m_thread;  // last: joined first on destruction
};

}  // namespace bot
