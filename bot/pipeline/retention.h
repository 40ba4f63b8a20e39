#pragma once
// How long the inbound side remembers what it has seen. De-duplication marks (Store::
// remember_inbound) and signatures bound to a message (Store::bind_signature) are kept for
// config::k_dedup_horizon_seconds (48 h) — longer than any platform redelivers and than any
// signature window a config may set, so a request old enough to have lost its mark is refused by
// its timestamp, never applied again — and pruned after that, once an hour.
//
// Thread safety: prune_once() is safe from any thread (the store serialises); start/stop from one.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "core/store/facets.h"

namespace bot {

struct Pruned {
    int marks = 0;       // de-duplication marks older than the horizon
    int signatures = 0;  // signature bindings past their expiry
};

class Retention {
public:
    // Borrowed: the store and clock outlive it.
    Retention(store::InboundLog& store, const core::Clock& clock,
              std::chrono::milliseconds interval = std::chrono::hours(1));
    ~Retention();  // stops
    Retention(const Retention&) = delete;
    Retention& operator=(const Retention&) = delete;

    void start();  // a pass now, then one every interval
    void stop();
    core::Result<Pruned> prune_once();

private:
    void loop(std::stop_token stop);

    store::InboundLog& m_store;
    const core::Clock& m_clock;
    const std::chrono::milliseconds m_interval;
    std::mutex m_mutex;  // for m_cv only
    std::condition_variable_any m_cv;
    std::jthread m_thread;  // last: joined first on destruction
};

}  // namespace bot
