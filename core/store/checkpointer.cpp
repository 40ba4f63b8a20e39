#include "core/store/checkpointer.h"

#include <fcntl.h>
#include <unistd.h>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>

#include "core/store/store_impl.h"

namespace store {

using core::ErrorCode;
using core::make_error;

core::Result<std::unique_ptr<Checkpointer>> Checkpointer::open(const std::string& path, CheckpointerOptions options) {
    if (path.empty() || path == ":memory:")
        return make_error(ErrorCode::invalid_argument, "checkpointer: needs a database file, not " + path);
    return detail::guarded("checkpointer: open " + path, [&]() -> core::Result<std::unique_ptr<Checkpointer>> {
        // A RESTART pass (no `finish` given) waits (busy handler) for the writer's commit in progress.
        auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX, 5000);
        std::string mode = db->execAndGet("PRAGMA journal_mode").getString();
        if (mode != "wal")
            return make_error(ErrorCode::invalid_argument, "checkpointer: " + path + " is not in WAL mode (" + mode + ")");
        db->exec("PRAGMA wal_autocheckpoint=0");  // only the passes below, and closing, checkpoint
        return std::unique_ptr<Checkpointer>(new Checkpointer(std::move(db), path, std::move(options)));
    });
}

Checkpointer::Checkpointer(std::unique_ptr<SQLite::Database> db, std::string path, CheckpointerOptions options)
    : m_path(std::move(path)), m_options(std::move(options)), m_db(std::move(db)) {}

Checkpointer::~Checkpointer() { stop(); }

void Checkpointer::start() {
    if (m_thread.joinable()) return;
    m_thread = std::jthread([this](std::stop_token stop) { loop(stop); });
}

void Checkpointer::stop() {
    if (!m_thread.joinable()) return;
    m_thread.request_stop();
    m_wake_cv.notify_all();
    m_thread.join();
}

void Checkpointer::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        auto copied = run_once();
        if (!copied && m_options.on_error) m_options.on_error(copied.error());
        bool busy = copied && *copied > 0;
        if (copied && !busy) {
            {
                std::lock_guard db_lock(m_mutex);
                sqlite3_db_release_memory(m_db->getHandle());
            }
            if (m_options.on_idle) m_options.on_idle();
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake_cv.wait_for(lock, stop, busy ? m_options.busy_interval : m_options.interval, [] { return false; });
    }
}

namespace {

// Before a finishing checkpoint: at most this many more passive passes, while more than
// k_finish_frames frames are left.
constexpr int k_extra_passes = 3;
constexpr long long k_finish_frames = 256;

// Writes a file's dirty pages to disk from this thread. A passive pass that does not reach the
// WAL's end copies pages without syncing the database file; the finishing checkpoint then synced
// everything those passes wrote while it held the writer. It also syncs the WAL first, and with
// synchronous=NORMAL commits do not, so that was every frame committed since the last pass began.
// Synced here first, what it has left to sync is its own few pages and frames. A failure changes
// nothing: it syncs in any case.
void sync_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    (void)::fdatasync(fd);
    ::close(fd);
}

}  // namespace

core::Result<long long> Checkpointer::run_once() {
    std::lock_guard lock(m_mutex);
    auto checkpoint = [&](int mode, int& log_frames, int& copied) -> core::Result<void> {
        int rc = sqlite3_wal_checkpoint_v2(m_db->getHandle(), nullptr, mode, &log_frames, &copied);
        // BUSY: another connection is checkpointing, or (RESTART) the writer held on past the
        // busy timeout; what was copied stays copied and the next pass goes on from there.
        if (rc == SQLITE_OK || rc == SQLITE_BUSY) return core::ok();
        ++m_stats.failures;
        return make_error(ErrorCode::io, std::string("checkpoint of ") + m_path + ": " + sqlite3_errstr(rc));
    };
    // One passive pass; returns the frames it copied and keeps the WAL's size and progress.
    auto pass = [&]() -> core::Result<long long> {
        int log_frames = 0, done = 0;
        ++m_stats.passes;
        if (auto passive = checkpoint(SQLITE_CHECKPOINT_PASSIVE, log_frames, done); !passive) return passive.error();
        log_frames = std::max(log_frames, 0);
        done = std::max(done, 0);
        // SQLite reports every frame of the WAL checkpointed so far; this pass copied the
        // difference (from zero when the WAL started over since the last pass).
        bool started_over = log_frames < m_last_log_frames || done < m_last_done;
        long long copied = done - (started_over ? 0 : m_last_done);
        m_last_log_frames = log_frames;
        m_last_done = done;
        m_stats.frames_copied += copied;
        m_stats.wal_frames = log_frames;
        return copied;
    };
    auto first = pass();
    if (!first) return first.error();
    long long copied = *first;
    auto over_with_frames_left = [&] {
        return m_last_log_frames > m_options.restart_at_frames && m_last_done < m_last_log_frames;
    };
    // The finishing checkpoint holds the writer while it copies what is left and syncs the
    // file: first copy most of that in more passive passes (each has only the commits made
    // during the one before), while they get somewhere. Finishing straight after the first
    // pass held the writer for the commits of a whole pass: the 50-100 ms maxima at 32
    // connections that issue 22's stall runs showed in runs with restart checkpoints.
    for (int extra = 0; extra < k_extra_passes && over_with_frames_left() &&
                        m_last_log_frames - m_last_done > k_finish_frames;
         ++extra) {
        auto more = pass();
        if (!more) return more.error();
        copied += *more;
        if (*more == 0) break;  // a reader holds the rest back: finishing will not wait for it either
    }
    // All copied: the next commit starts the WAL over by itself. Frames left (the writer kept
    // adding during the pass) in a WAL over the limit: finish between two commits.
    if (over_with_frames_left()) {
        ++m_stats.restarts;
        sync_file(m_path + "-wal");
        sync_file(m_path);
        if (m_options.finish) {
            if (auto finished = m_options.finish(); !finished) {
                ++m_stats.failures;
                return finished.error();
            }
        } else {
            int restart_log = 0, restart_done = 0;
            if (auto restarted = checkpoint(SQLITE_CHECKPOINT_RESTART, restart_log, restart_done); !restarted)
                return restarted.error();
        }
    }
    return copied;
}

CheckpointStats Checkpointer::stats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

}  // namespace store
