// OutboxWorker: the retry, pacing and dead-letter policy around the platform Senders.

#include "bot/pipeline/outbox_worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "bot/ops/daemon_metrics.h"
#include "bot/net/http_client.h"

namespace bot {
namespace {

constexpr const char* k_other_platform = "other";

const char* to_string(SendOutcome::Kind kind) {
    switch (kind) {
    case SendOutcome::Kind::sent: return "sent";
    case SendOutcome::Kind::retry: return "retry";
    case SendOutcome::Kind::dead: return "dead";
    }
    return "?";
}

// Pacing and back-off are per destination: a platform, and the chat or URL on it.
std::string destination_key(const store::OutboxMessage& message) {
    return message.platform + '\x1f' + message.destination;
}

long long ceil_seconds(long long ms) { return ms <= 0 ? ms / 1000 : (ms + 999) / 1000; }

std::uint64_t seed_from(std::uint64_t seed) {
    if (seed != 0) return seed;
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// One line per attempt; the body is never logged and URL destinations are cut to their host,
// since webhook URLs carry secrets.
void log_outcome(const store::OutboxMessage& message, int attempt, const SendOutcome& outcome,
                 std::string_view note) {
    const auto level = outcome.kind == SendOutcome::Kind::sent    ? spdlog::level::info
                       : outcome.kind == SendOutcome::Kind::retry ? spdlog::level::warn
                                                                   : spdlog::level::err;
    spdlog::log(level,
                "outbox: {} id={} platform={} channel={} kind={} destination={} attempt={}{}{}{}",
                to_string(outcome.kind), message.id, message.platform, message.channel,
                message.kind, redact_url(message.destination), attempt,
                outcome.error.empty() ? "" : " error=", outcome.error, note);
}

}  // namespace

OutboxWorker::OutboxWorker(store::OutboxStore& store, const core::Clock& clock,
                           std::map<std::string, Sender*> senders, OutboxWorkerOptions options)
    : m_store(store),
      m_clock(clock),
      m_senders(std::move(senders)),
      m_options(std::move(options)),
      m_random(seed_from(m_options.jitter_seed)) {
    for (const auto& [key, limits] : m_options.windows) {
        for (const RateWindow& limit : limits)
            m_longest_window_ms = std::max<long long>(m_longest_window_ms, limit.window.count());
    }
    for (const char* platform : {"slack", "feishu", "dingtalk", k_other_platform}) {
        m_counters.emplace(platform, std::make_unique<Counters>());
    }
    for (const auto& [platform, sender] : m_senders) {
        m_counters.try_emplace(platform, std::make_unique<Counters>());
    }
}

OutboxWorker::~OutboxWorker() { stop(); }

void OutboxWorker::start() {
    if (m_thread.joinable()) return;
    m_stopping = false;
    m_thread = std::jthread([this](std::stop_token stop) { loop(std::move(stop)); });
    m_running = true;
}

void OutboxWorker::stop() {
    if (!m_thread.joinable()) return;
    m_running = false;
    m_stopping = true;
    m_thread.request_stop();  // also wakes the condition-variable wait
    m_thread.join();
}

void OutboxWorker::wake() {
    {
        std::lock_guard lock(m_wake_mutex);
        m_woken = true;
    }
    m_wake_cv.notify_all();
}

void OutboxWorker::loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
        const auto started = std::chrono::steady_clock::now();
        const OutboxPass pass = run_once();
        if (pass.more) continue;  // a full batch: the rows after it are due too
        auto wait = m_options.idle_wait;
        if (pass.next_ready_ms > 0) {
            const auto until_ready =
                std::chrono::milliseconds(pass.next_ready_ms - m_clock.now_unix_ms());
            wait = std::clamp(until_ready, std::chrono::milliseconds(1), wait);
        }
        std::unique_lock lock(m_wake_mutex);
        m_wake_cv.wait_for(lock, stop, wait, [this] { return m_woken; });
        m_woken = false;
        // Woken by every reply queued: under a burst, passes come at most every
        // min_pass_interval, each taking what the wake-ups queued meanwhile.
        const auto next_pass = started + m_options.min_pass_interval;
        m_wake_cv.wait_until(lock, stop, next_pass, [&] { return std::chrono::steady_clock::now() >= next_pass; });
    }
}

OutboxPass OutboxWorker::run_once() {
    std::lock_guard lock(m_pass_mutex);
    // Last-resort net: our code does not throw, but a library or allocation failure must cost
    // one pass, not the thread.
    try {
        return run_pass();
    } catch (const std::exception& e) {
        spdlog::error("outbox: pass aborted by an exception: {}", e.what());
    } catch (...) {
        spdlog::error("outbox: pass aborted by an unknown exception");
    }
    ++m_pass_failures;
    OutboxPass pass;
    pass.failed = true;
    return pass;
}

// Which due rows this pass reads whole, up to batch_size: none of a destination held back
// (counted, its ready time noted, from the index alone), one of a paced destination (it cannot
// send a second in this pass), up to rows_per_destination of one its sender may merge or that
// is not paced. So a paced burst for one chat neither fills the batch nor costs its rows' reads
// on every pass.
core::Result<std::vector<store::OutboxMessage>> OutboxWorker::due_batch(long long start_ms, OutboxPass& pass) {
    const int batch = std::max(m_options.batch_size, 1);
    const int several = m_options.rows_per_destination > 0 ? m_options.rows_per_destination : -1;
    auto heads = m_store.due_heads(start_ms / 1000, batch, [&](const store::OutboxMessage& head) {
        if (const long long until = held_until_ms(head, start_ms); until > start_ms) {
            ++pass.held;
            pass.next_ready_ms = pass.next_ready_ms == 0 ? until : std::min(pass.next_ready_ms, until);
            return 0;
        }
        const auto sender = m_senders.find(head.platform);
        const bool merges = m_options.merge && sender != m_senders.end() && sender->second && sender->second->merges(head);
        // Paced: only the row it may send now (deliver() notes when it may send the next).
        return pacing_for(head).count() > 0 && !merges ? 1 : several;
    });
    if (!heads) return heads.error();
    pass.more = heads->size() == static_cast<size_t>(batch);
    std::vector<long long> ids;
    for (const store::OutboxMessage& head : *heads) ids.push_back(head.id);
    return m_store.outbox_messages(ids);
}

OutboxPass OutboxWorker::run_pass() {
    OutboxPass pass;
    const long long start_ms = m_clock.now_unix_ms();
    std::erase_if(m_ready_at_ms, [&](const auto& entry) { return entry.second <= start_ms; });
    for (auto& [key, answered] : m_answered_ms) answered.forget_before(start_ms - m_longest_window_ms);
    std::erase_if(m_answered_ms, [](const auto& entry) { return entry.second.empty(); });

    auto due = due_batch(start_ms, pass);
    if (!due) {
        spdlog::warn("outbox: cannot read due messages: {}", due.error().message);
        ++m_pass_failures;
        pass.failed = true;
        return pass;
    }
    // Each destination's rows, destinations in the order of their oldest row.
    std::vector<std::vector<size_t>> destinations;
    std::vector<std::string> keys;
    std::map<std::string, size_t> index_of;
    for (size_t i = 0; i < due->size(); ++i) {
        const std::string key = destination_key((*due)[i]);
        const auto [at, added] = index_of.try_emplace(key, destinations.size());
        if (added) {
            destinations.emplace_back();
            keys.push_back(key);
            // Created here, so that concurrent destinations never insert into the maps.
            m_ready_at_ms.try_emplace(key, 0);
            m_answered_ms.try_emplace(key);
        }
        destinations[at->second].push_back(i);
    }
    if (!m_options.lease_holder.empty()) {  // several replicas: only the destinations we hold
        const std::vector<bool> held = take_leases(keys, start_ms);
        size_t kept = 0;
        for (size_t d = 0; d < destinations.size(); ++d) {
            if (!held[d]) {
                pass.held += static_cast<int>(destinations[d].size());
                continue;
            }
            if (kept != d) destinations[kept] = std::move(destinations[d]);  // never onto itself: that empties it
            ++kept;
        }
        destinations.resize(kept);
    }
    std::vector<OutboxPass> passes(destinations.size());
    const size_t threads =
        std::min(destinations.size(), static_cast<size_t>(std::max(m_options.max_parallel_sends, 1)));
    if (threads <= 1) {
        for (size_t d = 0; d < destinations.size(); ++d) run_destination(*due, destinations[d], passes[d]);
    } else {
        std::atomic<size_t> next{0};
        std::mutex failure_mutex;
        std::exception_ptr failure;  // Guarded by failure_mutex. Rethrown to run_once's net.
        auto work = [&] {
            for (size_t d = next++; d < destinations.size(); d = next++) {
                try {
                    run_destination(*due, destinations[d], passes[d]);
                } catch (...) {
                    std::lock_guard lock(failure_mutex);
                    if (!failure) failure = std::current_exception();
                }
            }
        };
        {
            std::vector<std::jthread> helpers;
            for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
            work();
        }  // joined
        if (failure) std::rethrow_exception(failure);
    }
    for (const OutboxPass& part : passes) {
        pass.sent += part.sent;
        pass.retried += part.retried;
        pass.dead += part.dead;
        pass.held += part.held;
        pass.merged += part.merged;
        if (part.next_ready_ms > 0)
            pass.next_ready_ms = pass.next_ready_ms == 0 ? part.next_ready_ms : std::min(pass.next_ready_ms, part.next_ready_ms);
    }
    return pass;
}

void OutboxWorker::run_destination(const std::vector<store::OutboxMessage>& due, const std::vector<size_t>& rows,
                                   OutboxPass& pass) {
    std::vector<bool> done(rows.size(), false);  // delivered in this pass, alone or merged
    for (size_t r = 0; r < rows.size(); ++r) {
        if (m_stopping) break;
        if (done[r]) continue;
        const store::OutboxMessage& message = due[rows[r]];
        const long long now_ms = m_clock.now_unix_ms();
        const std::string key = destination_key(message);
        if (const long long until = held_until_ms(message, now_ms); until > now_ms) {
            // Later, without spending an attempt. Keeps per-destination order too, since rows
            // are read oldest first.
            m_ready_at_ms[key] = until;
            ++pass.held;
            pass.next_ready_ms = pass.next_ready_ms == 0 ? until : std::min(pass.next_ready_ms, until);
            continue;
        }
        // This destination's rows still waiting in this pass, oldest first: maybe one request.
        std::vector<size_t> same;
        for (size_t j = r; j < rows.size(); ++j) {
            if (!done[j]) same.push_back(j);
        }
        MergedRows merged;
        const auto sender = m_senders.find(message.platform);
        if (m_options.merge && same.size() > 1 && sender != m_senders.end() && sender->second) {
            std::vector<store::OutboxMessage> merging;
            for (size_t j : same) merging.push_back(due[rows[j]]);
            merged = sender->second->merge(merging);
        }
        const size_t count = merged.count > 1 ? std::min(merged.count, same.size()) : 1;
        std::vector<const store::OutboxMessage*> carried;
        for (size_t k = 0; k < count; ++k) {
            carried.push_back(&due[rows[same[k]]]);
            done[same[k]] = true;
        }
        if (!deliver(carried, count > 1 ? merged.message : message, now_ms, pass)) break;
    }
}

std::vector<bool> OutboxWorker::take_leases(const std::vector<std::string>& keys, long long now_ms) {
    std::vector<bool> held(keys.size(), false);
    for (size_t d = 0; d < keys.size(); ++d) {
        const std::string& key = keys[d];
        auto taken = m_store.take_lease(key, m_options.lease_holder, now_ms, m_options.lease.count());
        if (!taken) {
            spdlog::warn("outbox: cannot take the lease of a destination: {}", taken.error().message);
            continue;
        }
        if (!*taken) {  // another replica sends to it
            m_leases.erase(key);
            continue;
        }
        store::DestinationLease& lease = m_leases[key];  // created before the destinations run
        lease = std::move(**taken);
        // What the last holder (maybe this replica before another took over) recorded wins.
        m_ready_at_ms[key] = std::max(m_ready_at_ms[key], lease.ready_at_ms);
        core::SlidingWindow answered;
        for (long long at : lease.answered_ms) answered.record(at);
        m_answered_ms[key] = std::move(answered);
        held[d] = true;
    }
    return held;
}

long long OutboxWorker::held_until_ms(const store::OutboxMessage& message, long long now_ms) const {
    const auto ready = m_ready_at_ms.find(destination_key(message));
    const long long paced = ready != m_ready_at_ms.end() ? ready->second : 0;
    return std::max(paced, window_ready_ms(message, now_ms));
}

long long OutboxWorker::window_ready_ms(const store::OutboxMessage& message, long long now_ms) const {
    const auto* limits = windows_for(message);
    const auto answered = m_answered_ms.find(destination_key(message));
    if (limits == nullptr || answered == m_answered_ms.end()) return 0;
    long long ready = 0;
    for (const RateWindow& limit : *limits)
        ready = std::max(ready, answered->second.ready_at_ms(limit.max_sends, limit.window.count(), now_ms));
    return ready;
}

bool OutboxWorker::deliver(const std::vector<const store::OutboxMessage*>& rows,
                           const store::OutboxMessage& request, long long now_ms, OutboxPass& pass) {
    const store::OutboxMessage& first = *rows.front();
    const std::string key = destination_key(first);
    const auto sender = m_senders.find(first.platform);
    SendOutcome outcome;
    if (sender == m_senders.end() || sender->second == nullptr) {
        outcome.kind = SendOutcome::Kind::dead;
        outcome.error = "no sender configured for platform '" + first.platform + "'";
    } else {
        outcome = sender->second->send(request);
        const long long answered_ms = m_clock.now_unix_ms();
        if (const auto interval = pacing_for(first); interval.count() > 0) {
            m_ready_at_ms[key] = answered_ms + interval.count();
            // Its next row, if any, was not read (due_batch): be back when it may go.
            const long long ready = m_ready_at_ms[key];
            pass.next_ready_ms = pass.next_ready_ms == 0 ? ready : std::min(pass.next_ready_ms, ready);
        }
        if (const auto* limits = windows_for(first); limits != nullptr && !limits->empty()) {
            m_answered_ms[key].record(answered_ms);
        }
    }
    if (outcome.kind != SendOutcome::Kind::sent && outcome.error.empty()) {
        outcome.error = "unspecified failure";
    }
    const long long done_s = m_clock.now_unix_ms() / 1000;
    long long next_s = 0;
    if (outcome.kind == SendOutcome::Kind::retry) {
        // One time for every row of the request, so they stay together.
        next_s = retry_at_unix(first, outcome, now_ms);
        const bool retries = std::any_of(rows.begin(), rows.end(), [&](const auto* row) {
            return row->attempts + 1 < m_options.max_attempts;
        });
        if (retries) {
            // Hold the destination too, so its later rows do not run into the same wall.
            long long& ready = m_ready_at_ms[key];
            ready = std::max(ready, next_s * 1000);
        }
    }
    const std::string note =
        rows.size() > 1 ? " (one request for " + std::to_string(rows.size()) + " rows, first id=" +
                              std::to_string(first.id) + ")"
                        : "";
    if (rows.size() > 1) pass.merged += static_cast<int>(rows.size());
    for (const store::OutboxMessage* row : rows) record(*row, outcome, done_s, next_s, note, pass);
    if (m_options.lease_holder.empty()) return true;
    // Several replicas: the next holder paces from what this send left (written before the
    // lease is extended, so a replica that takes it over after we die starts from it).
    store::DestinationLease& lease = m_leases.at(key);
    lease.ready_at_ms = m_ready_at_ms[key];
    const auto& answered = m_answered_ms[key].times();
    lease.answered_ms.assign(answered.begin(), answered.end());
    auto renewed = m_store.renew_lease(lease, m_clock.now_unix_ms(), m_options.lease.count());
    if (renewed && *renewed) return true;
    spdlog::warn("outbox: lost the lease of destination {} {}{}", first.platform, redact_url(first.destination),
                 renewed ? "" : ": " + renewed.error().message);
    return false;
}

void OutboxWorker::record(const store::OutboxMessage& message, const SendOutcome& outcome,
                          long long done_s, long long next_s, const std::string& note,
                          OutboxPass& pass) {
    const int attempt = message.attempts + 1;
    if (m_options.metrics) m_options.metrics->count_send(message.platform, outcome, attempt >= m_options.max_attempts);
    Counters& counters = counters_for(message.platform);
    if (outcome.kind == SendOutcome::Kind::sent) {
        log_outcome(message, attempt, outcome, note);
        ++counters.sent;
        ++pass.sent;
        if (auto marked = m_store.mark_sent(message.id, done_s, outcome.remote_id); !marked) {
            // The platform has it; the row stays pending and will be sent again (at least once).
            spdlog::error("outbox: id={} was delivered but not marked sent, it may repeat: {}",
                          message.id, marked.error().message);
        }
        return;
    }

    const bool gave_up = outcome.kind == SendOutcome::Kind::retry && attempt >= m_options.max_attempts;
    if (outcome.kind == SendOutcome::Kind::retry && !gave_up) {
        log_outcome(message, attempt, outcome, " next_attempt_at=" + std::to_string(next_s) + note);
        ++counters.retried;
        ++pass.retried;
        if (auto marked = m_store.mark_failed(message.id, next_s, outcome.error, false); !marked) {
            spdlog::error("outbox: id={} failed attempt not recorded: {}", message.id,
                          marked.error().message);
        }
        return;
    }

    SendOutcome dead = outcome;
    dead.kind = SendOutcome::Kind::dead;
    log_outcome(message, attempt, dead,
                (gave_up ? " (gave up after " + std::to_string(attempt) + " attempts)" : "") + note);
    ++counters.dead;
    ++pass.dead;
    if (auto marked = m_store.mark_failed(message.id, done_s, dead.error, true); !marked) {
        spdlog::error("outbox: id={} not marked dead: {}", message.id, marked.error().message);
    }
}

long long OutboxWorker::retry_at_unix(const store::OutboxMessage& message, const SendOutcome& outcome,
                                      long long now_ms) {
    // The platform's own Retry-After wins over our back-off.
    if (outcome.retry_after_seconds > 0) return ceil_seconds(now_ms) + outcome.retry_after_seconds;
    const int doublings = std::clamp(message.attempts, 0, 30);
    long long delay_ms = std::min(m_options.backoff_base.count() << doublings,
                                  m_options.backoff_cap.count());
    if (m_options.jitter > 0) {
        // Shorten by a random share so rows that failed together do not retry together.
        std::uniform_real_distribution<double> share(0.0, std::min(m_options.jitter, 1.0));
        std::lock_guard lock(m_random_mutex);
        delay_ms -= static_cast<long long>(static_cast<double>(delay_ms) * share(m_random));
    }
    return ceil_seconds(now_ms + std::max(delay_ms, 0LL));
}

std::chrono::milliseconds OutboxWorker::pacing_for(const store::OutboxMessage& message) const {
    if (auto it = m_options.pacing.find(message.platform + "/" + message.channel);
        it != m_options.pacing.end()) {
        return it->second;
    }
    if (auto it = m_options.pacing.find(message.platform); it != m_options.pacing.end()) {
        return it->second;
    }
    return std::chrono::milliseconds(0);
}

const std::vector<RateWindow>* OutboxWorker::windows_for(const store::OutboxMessage& message) const {
    if (auto it = m_options.windows.find(message.platform + "/" + message.channel);
        it != m_options.windows.end()) {
        return &it->second;
    }
    if (auto it = m_options.windows.find(message.platform); it != m_options.windows.end()) {
        return &it->second;
    }
    return nullptr;
}

OutboxWorker::Counters& OutboxWorker::counters_for(const std::string& platform) {
    const auto it = m_counters.find(platform);
    return it != m_counters.end() ? *it->second : *m_counters.at(k_other_platform);
}

OutboxCounts OutboxWorker::counts(const std::string& platform) const {
    const auto it = m_counters.find(platform);
    if (it == m_counters.end()) return {};
    return {it->second->sent.load(), it->second->retried.load(), it->second->dead.load()};
}

}  // namespace bot
