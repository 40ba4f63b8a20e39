#include "core/store/group_commit.h"

#include <algorithm>
#include <exception>
#include <string>

namespace store {

struct GroupCommit::Writer {
    const Work* work = nullptr;
    core::Result<void> result = core::ok();  // written by the leader before `done`
    bool done = false;                       // Guarded by m_mutex.
    std::condition_variable wake;
};

GroupCommit::GroupCommit(Store& store, size_t max_batch) : m_store(store), m_max_batch(std::max<size_t>(1, max_batch)) {}

core::Result<void> GroupCommit::run(const Work& work) {
    Writer self;
    self.work = &work;
    std::unique_lock lock(m_mutex);
    m_queue.push_back(&self);
    self.wake.wait(lock, [&] { return self.done || m_queue.front() == &self; });
    if (self.done) return self.result;  // a leader committed (or failed) it for us

    // Leader: everything queued so far, up to the cap, goes into one transaction.
    size_t count = std::min(m_queue.size(), m_max_batch);
    std::deque<Writer*> batch(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(count));
    lock.unlock();
    commit_batch(batch);
    lock.lock();
    m_queue.erase(m_queue.begin(), m_queue.begin() + static_cast<std::ptrdiff_t>(count));
    ++m_counts.batches;
    m_counts.items += static_cast<long long>(count);
    for (Writer* writer : batch) {
        writer->done = true;
        if (writer != &self) writer->wake.notify_one();
    }
    if (!m_queue.empty()) m_queue.front()->wake.notify_one();  // the next leader
    return self.result;
}

void GroupCommit::commit_batch(const std::deque<Writer*>& batch) {
    if (batch.size() == 1) {  // alone, its transaction undoes it alone: no savepoint (two statements)
        batch.front()->result = m_store.transaction(*batch.front()->work);
        return;
    }
    auto status = m_store.transaction([&]() -> core::Result<void> {
        for (Writer* writer : batch) writer->result = m_store.savepoint(*writer->work);
        return core::ok();
    });
    if (!status)  // rolled back: none of the batch was applied, whatever each work returned
        for (Writer* writer : batch) writer->result = status.error();
}

GroupCommit::Counts GroupCommit::counts() const {
    std::lock_guard lock(m_mutex);
    return m_counts;
}

size_t GroupCommit::waiting() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

}  // namespace store
