#pragma once
// Group commit: many threads' writes share one store transaction. A caller of run() queues its
// work; the first caller in the queue becomes the leader, takes every queued work item (up to
// max_batch), runs each in its own SAVEPOINT inside one BEGIN IMMEDIATE ... COMMIT (a batch of
// one needs none: its transaction is its own), and only after COMMIT has returned releases every
// caller of the batch with its own result. Work that fails is undone alone (its savepoint, or
// the transaction of a batch of one) and only its caller gets the error; when the commit
// itself fails, every caller of the batch gets that error and nothing of the batch is applied.
// So run() returning ok means the work is committed (as durable as the store's commits), and
// an error means none of it was applied. The pattern is LevelDB's writer queue: no thread of its
// own, the leader is one of the callers.
//
// Work runs on the leader's thread while its caller waits in run(), so it may capture the
// caller's locals by reference; it must not call run() itself.
//
// Thread safety: safe for concurrent use.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

#include "core/result.h"
#include "core/store/store.h"

namespace store {

class GroupCommit {
public:
    using Work = std::function<core::Result<void>()>;

    explicit GroupCommit(Store& store, size_t max_batch = 128);
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;

    // Runs `work` in a store transaction shared with concurrent callers; returns once that
    // transaction committed (ok, or the work's own error) or failed (the commit's error).
    core::Result<void> run(const Work& work);

    // Observability for tests and metrics: transactions committed and work items run.
    struct Counts {
        long long batches = 0;
        long long items = 0;
    };
    Counts counts() const;
    // Callers inside run() right now, the leader included.
    size_t waiting() const;

private:
    struct Writer;
    void commit_batch(const std::deque<Writer*>& batch);

    Store& m_store;
    const size_t m_max_batch;
    mutable std::mutex m_mutex;
    std::deque<Writer*> m_queue;  // Guarded by m_mutex. Front = the leader or the next one.
    Counts m_counts;              // Guarded by m_mutex.
};

}  // namespace store
