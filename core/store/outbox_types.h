#pragma once
// Rows of the durable outbox: every outgoing message is written here before it is sent and
// marked sent after. Plain value types.

#include <string>
#include <vector>

namespace store {

enum class OutboxState { pending, sent, dead };
const char* to_string(OutboxState state);

struct OutboxMessage {
    long long id = 0;
    std::string platform;     // "slack" | "feishu" | "dingtalk"
    // How to deliver: "api" (platform API with the bot token, destination = chat/channel id),
    // "reply" (reply to a message: destination = chat, reply_to = message/thread id),
    // "response_url" / "session_webhook" / "webhook" (destination = that URL).
    std::string channel;
    std::string destination;
    std::string reply_to;     // thread ts / message id, or ""
    std::string kind;         // "reply", "digest", "warning", "escalation", "reminder", "weekly"
    std::string body;         // the platform's request JSON, rendered by the adapter
    std::string dedup_key;    // unique: the same key is never enqueued (or sent) twice
    long long created_at = 0;
    long long next_attempt_at = 0;
    long long expires_at = 0;  // 0 = never; a session webhook past this is re-routed
    int attempts = 0;
    OutboxState state = OutboxState::pending;
    std::string last_error;
    long long sent_at = 0;
    std::string remote_id;    // the platform's id of the sent message (ts, message_id)
};

struct OutboxStats {
    long long pending = 0;
    long long sent = 0;
    long long dead = 0;
    long long oldest_pending_created_at = 0;  // 0 = nothing pending
};

struct EnqueueResult {
    long long id = 0;
    bool inserted = false;  // false: a message with that dedup_key was already there
};

// Several replicas on one database: one destination's rows are sent by the replica holding its
// lease, with what pacing and the rate windows are computed from, so that they hold for the
// whole cluster (outbox_leases, migration 7).
struct DestinationLease {
    std::string destination;  // the outbox worker's key: platform and destination
    std::string holder;       // the replica's id
    long long until_ms = 0;   // taken over by another replica after this
    long long ready_at_ms = 0;  // not sent to before this (pacing, a back-off)
    std::vector<long long> answered_ms;  // recent answers, oldest first (rate windows)
};

}  // namespace store
