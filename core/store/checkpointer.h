#pragma once
// WAL checkpoints off the write path. Left to SQLite, a checkpoint runs inside the COMMIT that
// crosses wal_autocheckpoint pages: it copies the WAL into the database file and fsyncs both
// while the store's connection — and every request waiting on it — is held (under the ingest
// benchmark those stalls were the whole p99: 160–300 ms with them, 33 ms with none at all).
//
// The Checkpointer does the copying from its own connection on its own thread instead, and the
// store's connection stops checkpointing (Store::set_auto_checkpoint(0)):
//   - every `interval` (every `busy_interval` while there is work), a PASSIVE checkpoint: copies
//     what it can without waiting for anybody; the writer goes on committing meanwhile;
//   - SQLite starts writing the WAL from its beginning again only once a checkpoint has copied
//     all of it, which a passive pass never does while the writer keeps adding. So when the WAL
//     holds more than `restart_at_frames` frames and the passive pass left some uncopied, up to
//     three more passive passes copy what was committed meanwhile (while more than 256 frames
//     are left and they make progress), the WAL and the database file are synced from this
//     thread (so the finish has only its own few frames and pages to sync), then `finish` runs
//     one more checkpoint on the
//     writer's own connection, between two commits (Store::checkpoint_wal): it copies the
//     little the passive passes left (one `busy_interval` of commits) and the next commit
//     restarts the WAL. The WAL file stays about restart_at_frames pages long whatever the load.
//     Without `finish`, the checkpointer's connection does it in RESTART mode (it then polls for
//     the write lock with SQLite's busy handler, sleeping up to 100 ms at a time).
// Durability is unchanged: a commit is durable in the WAL (synchronous=NORMAL) before and after.
//
// Thread safety: stats() and run_once() are safe from any thread; start/stop from one.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "core/result.h"

namespace SQLite {
class Database;
}

namespace store {

struct CheckpointerOptions {
    std::chrono::milliseconds interval{1000};     // between passes when the last copied nothing
    std::chrono::milliseconds busy_interval{50};  // between passes while there is work
    long long restart_at_frames = 8192;           // 32 MB of 4 KB pages
    // Told about each failed pass of the background thread (the next pass tries again).
    std::function<void(const core::Error&)> on_error;
    // The finishing checkpoint on the writer's connection (Store::checkpoint_wal).
    std::function<core::Result<void>()> finish;
    // Called after a pass that found nothing new to copy (no commit since the last pass): the
    // daemon is idle, so the writer's connection may give back its page cache
    // (Store::release_memory). The checkpointer's own connection does so itself.
    std::function<void()> on_idle;
};

struct CheckpointStats {
    long long passes = 0;          // passive checkpoints run
    long long restarts = 0;        // finishing checkpoints run (the WAL starts over after each)
    long long frames_copied = 0;   // WAL frames copied into the database by the passive passes
    long long failures = 0;        // passes that failed (CheckpointerOptions::on_error)
    long long wal_frames = 0;      // frames in the WAL after the last pass
};

class Checkpointer {
public:
    // Opens its own connection to the WAL database at `path` (not ":memory:").
    static core::Result<std::unique_ptr<Checkpointer>> open(const std::string& path, CheckpointerOptions options = {});
    ~Checkpointer();  // stops
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    void start();  // a thread that calls run_once() every interval (busy_interval)
    void stop();
    // One pass now: passive, then the finishing checkpoint when the WAL is over the limit and
    // the passive pass could not copy all of it. Returns the frames the passive pass copied.
    core::Result<long long> run_once();
    CheckpointStats stats() const;

private:
    Checkpointer(std::unique_ptr<SQLite::Database> db, std::string path, CheckpointerOptions options);
    void loop(std::stop_token stop);

    const std::string m_path;
    const CheckpointerOptions m_options;
    mutable std::mutex m_mutex;              // guards m_db and m_stats
    std::unique_ptr<SQLite::Database> m_db;  // guarded by m_mutex
    CheckpointStats m_stats;                 // guarded by m_mutex
    long long m_last_log_frames = 0;         // guarded by m_mutex: the WAL after the last pass
    long long m_last_done = 0;               // guarded by m_mutex: frames checkpointed by then
    std::mutex m_wake_mutex;
    std::condition_variable_any m_wake_cv;
    std::jthread m_thread;  // last: joined first
};

}  // namespace store
