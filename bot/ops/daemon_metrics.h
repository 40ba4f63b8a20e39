#pragma once
// What trackerd counts, on top of the generic registry (bot/metrics.h), and the words it counts
// them with. Every series is named trackerd_…; label values are the one spelling of a platform
// (slack, feishu, dingtalk), a command kind (core/command.h), a rule ("R1" … "R12").
//
//   trackerd_inbound_requests_total{platform,outcome}  each platform request (RequestOutcome)
//   trackerd_commands_total{kind,outcome}              each chat line (kind "unreadable" when the
//                                                      grammar could not read it; outcome applied,
//                                                      query, parse_error, not_found, forbidden,
//                                                      rejected, unknown_person)
//   trackerd_outbox_sent_total{platform}               rows the platform accepted
//   trackerd_outbox_send_failures_total{platform,reason}  failed attempts: rate_limited,
//                                                      transient (retried), rejected (dead),
//                                                      gave_up (dead after the last retry)
//   trackerd_rule_firings_total{rule}                  warnings the scheduler pushed, per rule
//   trackerd_scheduler_pushes_total{kind}              outbox rows the scheduler queued
//   trackerd_scheduler_passes_total                    scheduler passes run (one per tick when leading)
//   trackerd_scheduler_projects_total{result}          projects those passes ran (loaded, rules
//                                                      evaluated) or left settled (nothing changed)
//   trackerd_scheduler_pass_milliseconds_total         time the passes took (wall clock)
//   trackerd_outbox_messages{state}                    rows pending / sent / dead (at scrape)
//   trackerd_outbox_oldest_pending_age_seconds         age of the oldest pending row (at scrape)
//   trackerd_http_handler_failures_total               requests that hit the last-resort catch
//   trackerd_wal_checkpoints_total{mode}               background WAL checkpoints (passive; restart: the
//                                                      finishing one that lets the WAL start over)
//   trackerd_wal_checkpoint_failures_total             of which failed (logged)
//   trackerd_wal_frames                                frames in the WAL after the last checkpoint
//   trackerd_scheduler_leader                          1 when this replica runs the scheduled pushes
//                                                      (always on SQLite; one replica of a cluster)
//   trackerd_build_info{version}, trackerd_process_start_time_seconds
//
// Thread safety: safe for concurrent use.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bot/net/http_server.h"
#include "bot/ops/metrics.h"
#include "bot/net/sender.h"
#include "core/replies.h"
#include "core/result.h"
#include "core/rules.h"
#include "core/store/checkpointer.h"

namespace bot {

// What became of one inbound platform request.
enum class RequestOutcome {
    ok,                 // verified and handled (a change, a reply, or nothing to do)
    duplicate,          // a redelivery: nothing done
    ignored,            // verified, but nothing for trackerd (the bot's own message, other events)
    challenge,          // a URL-verification handshake
    refused_signature,  // missing or wrong signature / token
    refused_stale,      // signature checked, timestamp outside the window
    refused_replay,     // a valid signature already used by another message (DingTalk §3.2)
    bad_request,        // verified but malformed
    error,              // the store could not apply it (5xx, the platform retries)
};
const char* to_string(RequestOutcome outcome);
// refused_stale when a verification error is about the request's age, else refused_signature.
RequestOutcome refusal_outcome(const core::Error& error);
// What a reply's status says when the handler noted nothing finer: 2xx ok, 400/413 bad_request,
// 401/403 refused_signature, anything else error.
RequestOutcome outcome_of_status(int status);

// The outbox's numbers at one instant (read from the store at scrape time).
struct OutboxGauges {
    long long pending = 0;
    long long sent = 0;
    long long dead = 0;
    long long oldest_pending_age_seconds = 0;  // 0 when nothing is pending
};

class DaemonMetrics {
public:
    DaemonMetrics(std::string version, long long start_unix);

    void count_request(std::string_view platform, RequestOutcome outcome);
    void count_command(std::string_view kind, std::string_view outcome);
    void count_commands(const std::vector<core::CommandOutcome>& outcomes);  // one per line
    // One attempt for one outbox row; `last_attempt`: a retryable failure now goes dead.
    void count_send(std::string_view platform, const SendOutcome& outcome, bool last_attempt);
    void count_rule_firing(core::Rule rule);
    void count_scheduler_push(std::string_view kind, int rows);
    void count_scheduler_pass(int projects_run, int projects_settled, long long milliseconds);
    void set_outbox(const OutboxGauges& gauges);
    void set_http_handler_failures(long long total);
    void set_scheduler_leader(bool leading);
    void set_wal(const store::CheckpointStats& stats);
    // Group commit: transactions committed and deliveries they carried (items / batches is the
    // average batch; a batch of 1 under load means deliveries are not overlapping).
    void set_commits(long long batches, long long items);

    std::string render() const { return m_registry.render(); }
    MetricsRegistry& registry() { return m_registry; }

private:
    MetricsRegistry m_registry;
    CounterFamily& m_requests;
    CounterFamily& m_commands;
    CounterFamily& m_sent;
    CounterFamily& m_send_failures;
    CounterFamily& m_rule_firings;
    CounterFamily& m_scheduler_pushes;
    CounterFamily& m_scheduler_passes;
    CounterFamily& m_scheduler_projects;
    CounterFamily& m_scheduler_pass_milliseconds;
    GaugeFamily& m_outbox_messages;
    GaugeFamily& m_outbox_oldest_pending_age;
    CounterFamily& m_handler_failures;
    CounterFamily& m_wal_checkpoints;
    CounterFamily& m_wal_checkpoint_failures;
    GaugeFamily& m_wal_frames;
    CounterFamily& m_commit_batches;
    CounterFamily& m_commit_items;
    GaugeFamily& m_scheduler_leader;
};

// A platform route's handler that may note a finer outcome than its status tells (duplicate,
// ignored, refused_stale …).
using NotedOutcome = std::optional<RequestOutcome>;
using CountedHandler = std::function<HttpReply(const HttpRequest&, NotedOutcome&)>;
// The handler as the server takes it, counting each request under `platform` when `metrics`
// is set. A handler that throws is counted by the server's last-resort catch instead.
HttpHandler counted_route(DaemonMetrics* metrics, std::string platform, CountedHandler handler);

}  // namespace bot
