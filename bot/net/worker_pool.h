#pragma once
// The HTTP server's worker threads, started when connections need them and retired when idle.
// cpp-httplib gives each open connection a worker for as long as it stays open, so the pool
// must be able to reach one thread per connection expected at once (`max_threads`); a fixed
// pool of that size kept 64 threads alive through idle hours. Here a job that finds no idle
// thread starts one (up to `max_threads`; beyond it the job waits in order, as before), and a
// thread idle for `idle_timeout` exits, down to `min_threads`.
//
// Thread safety: enqueue() from any thread; shutdown() once, from one thread, runs every job
// already queued and joins all threads. Jobs enqueued after shutdown() are dropped.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace bot {

struct WorkerPoolOptions {
    size_t min_threads = 2;
    size_t max_threads = 64;
    std::chrono::milliseconds idle_timeout{30'000};
};

class WorkerPool {
public:
    explicit WorkerPool(WorkerPoolOptions options);
    ~WorkerPool();  // shutdown() if not done
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void enqueue(std::function<void()> job);
    void shutdown();

    // For tests and metrics: threads alive (running a job or idle) and idle ones.
    size_t threads() const;
    size_t idle() const;

private:
    using Threads = std::list<std::thread>;
    void start_thread();  // m_mutex held
    void work(Threads::iterator self);
    void join_retired(std::unique_lock<std::mutex>& lock);

    const WorkerPoolOptions m_options;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_all_retired;  // shutdown(): the last thread left
    std::deque<std::function<void()>> m_jobs;  // Guarded by m_mutex.
    Threads m_threads;                         // Guarded by m_mutex. Alive ones.
    Threads m_retired;                         // Guarded by m_mutex. Exited or exiting: to join.
    size_t m_idle = 0;                         // Guarded by m_mutex.
    bool m_shutdown = false;                   // Guarded by m_mutex.
};

}  // namespace bot
