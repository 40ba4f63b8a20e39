#include "bot/ops/daemon_metrics.h"

namespace bot {
namespace {

const char* outcome_label(core::CommandOutcome::Kind kind) {
    using Kind = core::CommandOutcome::Kind;
    switch (kind) {
        case Kind::applied: return "applied";
        case Kind::query: return "query";
        case Kind::parse_error: return "parse_error";
        case Kind::not_found: return "not_found";
        case Kind::forbidden: return "forbidden";
        case Kind::rejected: return "rejected";
        case Kind::unknown_person: return "unknown_person";
    }
    return "rejected";
}

}  // namespace

const char* to_string(RequestOutcome outcome) {
    switch (outcome) {
        case RequestOutcome::ok: return "ok";
        case RequestOutcome::duplicate: return "duplicate";
        case RequestOutcome::ignored: return "ignored";
        case RequestOutcome::challenge: return "challenge";
        case RequestOutcome::refused_signature: return "refused_signature";
        case RequestOutcome::refused_stale: return "refused_stale";
        case RequestOutcome::refused_replay: return "refused_replay";
        case RequestOutcome::bad_request: return "bad_request";
        case RequestOutcome::error: return "error";
    }
    return "error";
}

RequestOutcome refusal_outcome(const core::Error& error) {
    // The adapters word a timestamp outside the window as "stale timestamp (…)" / "… in the
    // future" (Slack) and "… outside the … window" (DingTalk); tests pin both.
    const std::string& m = error.message;
    bool stale = m.find("stale") != std::string::npos || m.find("in the future") != std::string::npos ||
                 m.find("window") != std::string::npos;
    return stale ? RequestOutcome::refused_stale : RequestOutcome::refused_signature;
}

RequestOutcome outcome_of_status(int status) {
    if (status >= 200 && status < 300) return RequestOutcome::ok;
    if (status == 400 || status == 413) return RequestOutcome::bad_request;
    if (status == 401 || status == 403) return RequestOutcome::refused_signature;
    return RequestOutcome::error;
}

HttpHandler counted_route(DaemonMetrics* metrics, std::string platform, CountedHandler handler) {
    return [metrics, platform = std::move(platform), handler = std::move(handler)](const HttpRequest& request) {
        NotedOutcome noted;
        HttpReply reply = handler(request, noted);
        if (metrics) metrics->count_request(platform, noted.value_or(outcome_of_status(reply.status)));
        return reply;
    };
}

DaemonMetrics::DaemonMetrics(std::string version, long long start_unix)
    : m_requests(m_registry.counter("inbound_requests", "Inbound platform requests by outcome.",
                                    {"platform", "outcome"})),
      m_commands(m_registry.counter("commands", "Chat command lines handled, by command kind and outcome.",
                                    {"kind", "outcome"})),
      m_sent(m_registry.counter("outbox_sent", "Outbox rows the platform accepted.", {"platform"})),
      m_send_failures(m_registry.counter("outbox_send_failures",
                                         "Failed outbox send attempts by platform and reason class.",
                                         {"platform", "reason"})),
      m_rule_firings(m_registry.counter("rule_firings", "Warnings pushed by the scheduler, by rule.", {"rule"})),
      m_scheduler_pushes(m_registry.counter("scheduler_pushes", "Outbox rows queued by the scheduler, by kind.",
                                            {"kind"})),
      m_scheduler_passes(m_registry.counter("scheduler_passes", "Scheduler passes run.")),
      m_scheduler_projects(m_registry.counter(
          "scheduler_projects", "Projects the scheduler's passes ran (run) or left as they were (settled).", {"result"})),
      m_scheduler_pass_milliseconds(m_registry.counter("scheduler_pass_milliseconds",
                                                       "Wall-clock time of the scheduler's passes, in milliseconds.")),
      m_outbox_messages(m_registry.gauge("outbox_messages", "Outbox rows by state.", {"state"})),
      m_outbox_oldest_pending_age(m_registry.gauge("outbox_oldest_pending_age_seconds",
                                                   "Age of the oldest pending outbox row (0 when none).")),
      m_handler_failures(m_registry.counter("http_handler_failures",
                                            "HTTP requests answered 500 by the last-resort catch.")),
      m_wal_checkpoints(m_registry.counter("wal_checkpoints", "Background WAL checkpoints run, by mode.", {"mode"})),
      m_wal_checkpoint_failures(m_registry.counter("wal_checkpoint_failures", "Background WAL checkpoints that failed.")),
      m_wal_frames(m_registry.gauge("wal_frames", "Frames in the WAL after the last background checkpoint.")),
      m_commit_batches(m_registry.counter("inbound_commits", "Transactions committed for inbound deliveries (group commit).")),
      m_commit_items(m_registry.counter("inbound_committed_deliveries", "Inbound deliveries those transactions carried.")),
      m_scheduler_leader(m_registry.gauge("scheduler_leader",
                                          "1 when this replica runs the scheduled pushes (one replica of a cluster).")) {
    m_registry.gauge("build_info", "trackerd's version.", {"version"}).with({version}).set(1);
    m_registry.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch.")
        .get()
        .set(static_cast<double>(start_unix));
    for (const char* state : {"pending", "sent", "dead"}) m_outbox_messages.with({state});
    m_outbox_oldest_pending_age.get();
    m_handler_failures.get();
    for (const char* mode : {"passive", "restart"}) m_wal_checkpoints.with({mode});
    m_wal_checkpoint_failures.get();
    m_wal_frames.get();
    m_commit_batches.get();
    m_commit_items.get();
    m_scheduler_passes.get();
    for (const char* result : {"run", "settled"}) m_scheduler_projects.with({result});
    m_scheduler_pass_milliseconds.get();
}

void DaemonMetrics::count_request(std::string_view platform, RequestOutcome outcome) {
    m_requests.with({platform, to_string(outcome)}).inc();
}

void DaemonMetrics::count_command(std::string_view kind, std::string_view outcome) {
    m_commands.with({kind, outcome}).inc();
}

void DaemonMetrics::count_commands(const std::vector<core::CommandOutcome>& outcomes) {
    for (const auto& outcome : outcomes)
        count_command(outcome.line.command ? core::to_string(outcome.line.command->kind) : "unreadable",
                      outcome_label(outcome.kind));
}

void DaemonMetrics::count_send(std::string_view platform, const SendOutcome& outcome, bool last_attempt) {
    switch (outcome.kind) {
        case SendOutcome::Kind::sent: m_sent.with({platform}).inc(); return;
        case SendOutcome::Kind::dead: m_send_failures.with({platform, "rejected"}).inc(); return;
        case SendOutcome::Kind::retry:
            std::string_view reason = last_attempt                       ? "gave_up"
                                      : outcome.retry_after_seconds > 0 ? "rate_limited"
                                                                        : "transient";
            m_send_failures.with({platform, reason}).inc();
            return;
    }
}

void DaemonMetrics::count_rule_firing(core::Rule rule) { m_rule_firings.with({core::to_string(rule)}).inc(); }

void DaemonMetrics::count_scheduler_push(std::string_view kind, int rows) {
    if (rows > 0) m_scheduler_pushes.with({kind}).inc(rows);
}

void DaemonMetrics::count_scheduler_pass(int projects_run, int projects_settled, long long milliseconds) {
    m_scheduler_passes.get().inc();
    m_scheduler_projects.with({"run"}).inc(projects_run);
    m_scheduler_projects.with({"settled"}).inc(projects_settled);
    m_scheduler_pass_milliseconds.get().inc(milliseconds);
}

void DaemonMetrics::set_outbox(const OutboxGauges& gauges) {
    m_outbox_messages.with({"pending"}).set(static_cast<double>(gauges.pending));
    m_outbox_messages.with({"sent"}).set(static_cast<double>(gauges.sent));
    m_outbox_messages.with({"dead"}).set(static_cast<double>(gauges.dead));
    m_outbox_oldest_pending_age.get().set(static_cast<double>(gauges.oldest_pending_age_seconds));
}

void DaemonMetrics::set_scheduler_leader(bool leading) { m_scheduler_leader.get().set(leading ? 1 : 0); }

void DaemonMetrics::set_http_handler_failures(long long total) { m_handler_failures.get().advance_to(total); }

void DaemonMetrics::set_wal(const store::CheckpointStats& stats) {
    m_wal_checkpoints.with({"passive"}).advance_to(stats.passes);
    m_wal_checkpoints.with({"restart"}).advance_to(stats.restarts);
    m_wal_checkpoint_failures.get().advance_to(stats.failures);
    m_wal_frames.get().set(static_cast<double>(stats.wal_frames));
}

void DaemonMetrics::set_commits(long long batches, long long items) {
    m_commit_batches.get().advance_to(batches);
    m_commit_items.get().advance_to(items);
}

}  // namespace bot
