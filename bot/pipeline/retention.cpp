#include "bot/pipeline/retention.h"

#include <spdlog/spdlog.h>

#include "config/config.h"

namespace bot {

Retention::Retention(store::InboundLog& store, const core::Clock& clock, std::chrono::milliseconds interval)
    : m_store(store), m_clock(clock), m_interval(interval) {}

Retention::~Retention() { stop(); }

void Retention::start() {
    if (m_thread.joinable()) return;
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void Retention::stop() {
    if (!m_thread.joinable()) return;
    m_thread.request_stop();
    m_thread.join();
}

core::Result<Pruned> Retention::prune_once() {
    long long now = m_clock.now_unix();
    Pruned pruned;
    auto marks = m_store.forget_inbound_before(now - config::k_dedup_horizon_seconds);
    if (!marks) return marks.error();
    pruned.marks = *marks;
    auto signatures = m_store.forget_signatures_before(now);
    if (!signatures) return signatures.error();
    pruned.signatures = *signatures;
    return pruned;
}

void Retention::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        auto pruned = prune_once();
        if (!pruned)
            spdlog::warn("retention: pruning failed, next try in {} s: {}",
                         std::chrono::duration_cast<std::chrono::seconds>(m_interval).count(), pruned.error().message);
        else if (pruned->marks > 0 || pruned->signatures > 0)
            spdlog::info("retention: forgot {} de-duplication marks older than {} h and {} expired signatures",
                         pruned->marks, config::k_dedup_horizon_seconds / 3600, pruned->signatures);
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, stop, m_interval, [] { return false; });
    }
}

}  // namespace bot
