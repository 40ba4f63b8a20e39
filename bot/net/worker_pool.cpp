#include "bot/net/worker_pool.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

namespace bot {

WorkerPool::WorkerPool(WorkerPoolOptions options) : m_options(options) {
    std::lock_guard lock(m_mutex);
    for (size_t i = 0; i < std::min(m_options.min_threads, m_options.max_threads); ++i) start_thread();
}

WorkerPool::~WorkerPool() { shutdown(); }

void WorkerPool::start_thread() {
    m_threads.emplace_back();
    auto self = std::prev(m_threads.end());
    ++m_idle;  // counted idle until it takes a job, so a burst does not start one per job
    *self = std::thread([this, self] { work(self); });
}

void WorkerPool::enqueue(std::function<void()> job) {
    std::unique_lock lock(m_mutex);
    if (m_shutdown) return;
    m_jobs.push_back(std::move(job));
    if (m_idle < m_jobs.size() && m_threads.size() < std::max<size_t>(1, m_options.max_threads)) {
        join_retired(lock);
        start_thread();
        return;  // the new thread takes a job without being woken
    }
    lock.unlock();
    m_wake.notify_one();
}

void WorkerPool::work(Threads::iterator self) {
    std::unique_lock lock(m_mutex);
    for (;;) {
        bool woke = m_wake.wait_for(lock, m_options.idle_timeout, [&] { return m_shutdown || !m_jobs.empty(); });
        if (m_jobs.empty()) {
            if (m_shutdown) break;
            if (!woke && m_threads.size() > m_options.min_threads) break;  // idle too long: retire
            continue;
        }
        auto job = std::move(m_jobs.front());
        m_jobs.pop_front();
        --m_idle;
        lock.unlock();
        try {
            job();
        } catch (const std::exception& e) {  // httplib's jobs catch their own; a last resort
            spdlog::error("http worker: job failed: {}", e.what());
        } catch (...) {
            spdlog::error("http worker: job failed");
        }
        job = nullptr;  // what it captured is released outside the lock
        lock.lock();
        ++m_idle;
    }
    --m_idle;
    m_retired.splice(m_retired.end(), m_threads, self);  // joined by the next start or shutdown
    if (m_threads.empty()) m_all_retired.notify_all();
}

void WorkerPool::join_retired(std::unique_lock<std::mutex>& lock) {
    if (m_retired.empty()) return;
    Threads retired;
    retired.swap(m_retired);
    lock.unlock();  // they exit right after giving the lock back
    for (auto& thread : retired) thread.join();
    lock.lock();
}

void WorkerPool::shutdown() {
    std::unique_lock lock(m_mutex);
    m_shutdown = true;
    lock.unlock();
    m_wake.notify_all();
    lock.lock();
    m_all_retired.wait(lock, [&] { return m_threads.empty(); });  // each finishes the queue first
    join_retired(lock);
}

size_t WorkerPool::threads() const {
    std::lock_guard lock(m_mutex);
    return m_threads.size();
}

size_t WorkerPool::idle() const {
    std::lock_guard lock(m_mutex);
    return m_idle;
}

}  // namespace bot
