// bench_update: the durable update path without HTTP, and SQLite's floor under it.
//   bench_update DB --mode floor|inbound|backlog [--count N] [--batch B] [--threads T] [--per-chat K]
//                [--projects P] [--tasks M] [--today YYYY-MM-DD]
// DB is a synthetic organisation (bench_org db) that this run writes to: pass a copy.
//
// floor    what SQLite itself costs for the rows one progress update must write, with nothing
//          of trackerd around it: the sqlite3 C API, statements prepared once, B updates per
//          transaction (WAL, synchronous=NORMAL, the daemon's Checkpointer on its own thread).
//          Each update: the de-duplication mark, the task row read, the task row updated, one
//          audit row, one progress-log row — fewer statements than trackerd runs, no savepoint.
//          No HTTP, no signature, no parsing, no reply: an upper bound on durable updates/s.
// inbound  trackerd's own path below HTTP: T threads call InboundHandler::handle (group commit,
//          dispatcher, grammar, the store) with Slack slash commands by each task's owner, as
//          the ingest benchmark's requests carry them once verified and decoded.
// backlog  not timed here: queues --per-chat K messages (the chat's real digest, K times) in the
//          outbox of every project's chat, for scripts/bench.sh to time their delivery by trackerd
//          (ONLY=delivery): the 09:00 digests of a whole organisation at once.
// Prints updates/s (wall), CPU µs per update (the whole process, user+sys) and, for inbound,
// the average group-commit batch and the latency of handle() (p50/p90/p99/max).

#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/org.h"
#include "bot/app.h"
#include "bot/pipeline/inbound_handler.h"
#include "bot/platforms/slack/slack_routes.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/date.h"
#include "core/digest.h"
#include "core/rules.h"
#include "core/store/checkpointer.h"
#include "core/store/store.h"

namespace {

using Args = std::map<std::string, std::string>;

double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Timing {
    double wall_start = 0, cpu_start = 0;
    static double wall_now() {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    }
    void start() { wall_start = wall_now(), cpu_start = process_cpu_seconds(); }
    void report(const char* mode, long long updates, const std::string& extra) const {
        double wall = wall_now() - wall_start, cpu = process_cpu_seconds() - cpu_start;
        std::printf("%s updates=%lld updates_per_s=%.0f cpu_us_per_update=%.1f wall_s=%.2f%s\n", mode, updates,
                    static_cast<double>(updates) / wall, cpu * 1e6 / static_cast<double>(updates), wall, extra.c_str());
    }
};

bench::OrgShape shape_of(const Args& args) {
    bench::OrgShape shape;
    if (args.count("projects")) shape.projects = std::stoi(args.at("projects"));
    if (args.count("tasks")) shape.tasks_per_project = std::stoi(args.at("tasks"));
    if (args.count("today"))
        if (auto parsed = core::parse_iso_date(args.at("today"))) shape.today = *parsed;
    return shape;
}

std::unique_ptr<store::Checkpointer> daemon_checkpointer(const std::string& path, std::function<core::Result<void>()> finish) {
    store::CheckpointerOptions options;
    options.finish = std::move(finish);
    auto opened = store::Checkpointer::open(path, options);
    if (!opened) throw std::runtime_error(opened.error().message);
    (*opened)->start();
    return std::move(*opened);
}

// --- floor ---------------------------------------------------------------------------------

struct Db {
    sqlite3* db = nullptr;
    std::mutex mutex;  // the writer's transactions and the checkpointer's finish
    ~Db() { sqlite3_close_v2(db); }
    void exec(const char* sql) {
        char* error = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
            std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(std::string(sql) + ": " + message);
        }
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db));
        return statement;
    }
    void step(sqlite3_stmt* statement) {
        int rc;
        while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
        sqlite3_reset(statement);
    }
};

void text(sqlite3_stmt* statement, int index, const std::string& value) {
    sqlite3_bind_text(statement, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
}

int run_floor(const std::string& path, const bench::OrgShape& shape, long long count, int batch) {
    Db db;
    if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
        throw std::runtime_error("cannot open " + path);
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0; PRAGMA busy_timeout=5000");
    auto seen = db.prepare("INSERT INTO inbound_seen(platform, key, seen_at) VALUES('slack', ?, ?)");
    auto read = db.prepare("SELECT * FROM tasks WHERE project_id = ? AND id = ?");
    auto update = db.prepare("UPDATE tasks SET completion = ?, status = 'in_progress', last_update = ? WHERE project_id = ? AND id = ?");
    auto audit = db.prepare(
        "INSERT INTO audit(at_unix, who, source, project_id, task_id, entity, entity_id, field, old_value, new_value) "
        "VALUES(?, ?, ?, ?, ?, 'task', ?, 'completion', '10', ?)");
    auto progress = db.prepare(
        "INSERT INTO progress_log(project_id, task_id, date, at_unix, who, action, actual_content, completion, source) "
        "VALUES(?, ?, ?, ?, ?, 'update', ?, ?, ?)");
    auto begin = db.prepare("BEGIN IMMEDIATE");
    auto commit = db.prepare("COMMIT");
    auto checkpointer = daemon_checkpointer(path, [&db]() -> core::Result<void> {
        std::lock_guard lock(db.mutex);
        db.exec("PRAGMA wal_checkpoint(PASSIVE)");
        return core::ok();
    });
    const bench::RoundRobin order(shape, "slack");
    std::string today = core::format_iso_date(shape.today), base = std::to_string(Timing::wall_now());
    Timing timing;
    timing.start();
    for (long long i = 0; i < count; i += batch) {
        std::lock_guard lock(db.mutex);
        db.step(begin);
        for (long long k = i; k < std::min(count, i + batch); ++k) {
            const auto& task = order.task(k);
            std::string key = "bench:" + base + ":" + std::to_string(k), source = "slack:C:" + std::to_string(k);
            int percent = static_cast<int>(1 + k % 98);
            text(seen, 1, key), sqlite3_bind_int64(seen, 2, k), db.step(seen);
            text(read, 1, task.project_id), text(read, 2, task.task_id), db.step(read);
            sqlite3_bind_int(update, 1, percent), text(update, 2, today), text(update, 3, task.project_id);
            text(update, 4, task.task_id), db.step(update);
            sqlite3_bind_int64(audit, 1, k), text(audit, 2, task.owner.id), text(audit, 3, source);
            text(audit, 4, task.project_id), text(audit, 5, task.task_id), text(audit, 6, task.project_id + "/" + task.task_id);
            text(audit, 7, std::to_string(percent)), db.step(audit);
            text(progress, 1, task.project_id), text(progress, 2, task.task_id), text(progress, 3, today);
            sqlite3_bind_int64(progress, 4, k), text(progress, 5, task.owner.id), text(progress, 6, "bench " + std::to_string(k));
            sqlite3_bind_int(progress, 7, percent), text(progress, 8, source), db.step(progress);
        }
        db.step(commit);
    }
    timing.report("floor", count, " batch=" + std::to_string(batch));
    checkpointer->stop();
    for (auto* statement : {seen, read, update, audit, progress, begin, commit}) sqlite3_finalize(statement);
    return 0;
}

// --- inbound -------------------------------------------------------------------------------

int run_inbound(const std::string& path, const bench::OrgShape& shape, long long count, int threads) {
    auto opened = store::Store::open(path);
    if (!opened) throw std::runtime_error(opened.error().message);
    store::Store& store = **opened;
    auto checkpointer = daemon_checkpointer(path, [&store] { return store.checkpoint_wal(); });
    if (auto off = store.set_auto_checkpoint(0); !off) throw std::runtime_error(off.error().message);
    std::map<std::string, std::string> project_of_chat;
    for (int p = 0; p < shape.projects; ++p) project_of_chat[bench::chat_id(p)] = bench::project_id(p);
    core::SystemClock clock;
    bot::InboundHandler inbound(store, clock, [&](const std::string&, const std::string& chat) {
        bot::ChatSettings settings;
        auto it = project_of_chat.find(chat);
        if (it == project_of_chat.end()) return settings;
        settings.known = true;
        settings.projects = {it->second};
        return settings;
    }, bot::InboundOptions{});
    const bench::RoundRobin order(shape, "slack");
    std::vector<adapters::InboundMessage> messages;
    std::string base = std::to_string(Timing::wall_now());
    for (long long i = 0; i < count; ++i) {
        const auto& task = order.task(i);
        adapters::InboundMessage message;
        message.platform = "slack";
        message.dedup_key = "command:" + base + ":" + std::to_string(i);
        message.chat_id = order.chat(i);
        message.sender_id = task.owner.slack;
        message.text = "update " + task.task_id + " " + std::to_string(1 + i % 98) + "% bench " + std::to_string(i);
        messages.push_back(std::move(message));
    }
    bot::SlackOut out;
    std::atomic<long long> next{0}, failed{0}, changed{0};
    std::vector<float> latency_us(static_cast<size_t>(count));
    Timing timing;
    timing.start();
    {
        std::vector<std::jthread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&] {
                for (long long i; (i = next++) < count;) {
                    double start = Timing::wall_now();
                    auto handled = inbound.handle(messages[static_cast<size_t>(i)], out, /*enqueue_reply=*/false);
                    latency_us[static_cast<size_t>(i)] = static_cast<float>((Timing::wall_now() - start) * 1e6);
                    if (!handled) ++failed;
                    else if (handled->changed) ++changed;
                }
            });
    }
    auto commits = inbound.commit_counts();
    std::sort(latency_us.begin(), latency_us.end());
    auto percentile = [&](double p) {
        return std::to_string(static_cast<long long>(latency_us[static_cast<size_t>(p * static_cast<double>(count - 1))]));
    };
    timing.report("inbound", count,
                  " threads=" + std::to_string(threads) + " changed=" + std::to_string(changed.load()) +
                      " failed=" + std::to_string(failed.load()) + " average_batch=" +
                      std::to_string(commits.batches ? static_cast<double>(commits.items) / static_cast<double>(commits.batches) : 0) +
                      " p50_us=" + percentile(0.5) + " p90_us=" + percentile(0.9) + " p99_us=" + percentile(0.99) +
                      " max_us=" + percentile(1.0));
    checkpointer->stop();
    return changed.load() == count ? 0 : 1;
}

// --- backlog -------------------------------------------------------------------------------

int run_backlog(const std::string& path, const bench::OrgShape& shape, int per_chat) {
    auto opened = store::Store::open(path);
    if (!opened) throw std::runtime_error(opened.error().message);
    store::Store& store = **opened;
    config::Config config = config::default_config();
    config.slack.enabled = config.feishu.enabled = config.dingtalk.enabled = true;
    config.dingtalk.robot_code = "dingbench";  // bench_org config's: the rows name the bench's robot
    core::SystemClock clock;
    bot::PlatformOuts outs = bot::make_platform_outs(config, clock);
    long long rows = 0, now = clock.now_unix();
    for (int p = 0; p < shape.projects; ++p) {
        auto state = store.load_project(bench::project_id(p));
        if (!state) throw std::runtime_error(state.error().message);
        const bot::PlatformOut& out = *outs.by_platform.at(bench::chat_platform(p));
        core::Digest digest = core::build_digest(*state, shape.today, core::add_days(shape.today, -1),
                                                 core::evaluate(*state, shape.today));
        auto message = core::render_digest(digest, *state, core::Locale::zh_cn, out.markup());
        for (int k = 0; k < per_chat; ++k) {
            bot::PushTarget target{bench::chat_id(p), ""};
            std::string key = "backlog/" + bench::project_id(p) + "/" + std::to_string(k);
            for (auto& row : out.push(message, target, k == 0 ? "digest" : "warning", key, now)) {
                if (auto queued = store.enqueue(row); !queued) throw std::runtime_error(queued.error().message);
                ++rows;
            }
        }
    }
    std::printf("backlog rows=%lld chats=%d\n", rows, shape.projects);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bench_update DB --mode floor|inbound|backlog [--count N] [--batch B] [--threads T] [--per-chat K] [--projects P] [--tasks M] [--today D]\n";
        return 2;
    }
    Args args{{"mode", "floor"}, {"count", "50000"}, {"batch", "16"}, {"threads", "32"}, {"per-chat", "3"}};
    for (int i = 2; i + 1 < argc; i += 2) args[std::string(argv[i]).substr(2)] = argv[i + 1];
    try {
        auto shape = shape_of(args);
        long long count = std::stoll(args.at("count"));
        if (args.at("mode") == "floor") return run_floor(argv[1], shape, count, std::stoi(args.at("batch")));
        if (args.at("mode") == "inbound") return run_inbound(argv[1], shape, count, std::stoi(args.at("threads")));
        if (args.at("mode") == "backlog") return run_backlog(argv[1], shape, std::stoi(args.at("per-chat")));
    } catch (const std::exception& e) {
        std::cerr << "bench_update: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "bench_update: unknown mode " << args.at("mode") << "\n";
    return 2;
}
