#pragma once
// One platform's way of delivering an outbox row. The outbox worker owns retries, backoff,
// pacing and dead-lettering; a Sender only makes one attempt and says how it went.
// Implementations must be safe to call from the outbox worker thread while other threads
// enqueue (they hold no state shared with the store).

#include <cstddef>
#include <string>
#include <vector>

#include "core/store/outbox_types.h"

namespace bot {

struct SendOutcome {
    enum class Kind {
        sent,   // delivered; remote_id set when the platform returns one
        retry,  // a transient failure (429, 5xx, timeout, connection refused): try again later
        dead,   // can never succeed as it is (bad channel, revoked token, malformed body)
    };
    Kind kind = Kind::retry;
    std::string remote_id;
    std::string error;              // why, for the log and `trackerctl outbox`
    long long retry_after_seconds = 0;  // the platform's own hint (Retry-After); 0 = use backoff
};

// Several due rows for one destination carried by one request (see Sender::merge).
struct MergedRows {
    store::OutboxMessage message;  // what to send: the first row with the merged body
    size_t count = 0;              // how many of the rows (a prefix) it carries; < 2 = no merge
};

class Sender {
public:
    virtual ~Sender() = default;
    virtual SendOutcome send(const store::OutboxMessage& message) = 0;
    // `rows` are due for one platform+destination, oldest first. A platform whose limit counts
    // requests (DingTalk custom robots: 20 a minute) may carry a prefix of them in one request;
    // the worker then applies that request's outcome to every row it carries. Default: never.
    virtual MergedRows merge(const std::vector<store::OutboxMessage>& rows) const {
        (void)rows;
        return {};
    }
    // Whether merge() may carry several rows for `head`'s destination (platform, channel and
    // destination set): the worker then reads several of its rows in a pass, else one when
    // the destination is paced (it could not send a second in the same pass).
    virtual bool merges(const store::OutboxMessage& head) const {
        (void)head;
        return false;
    }
};

}  // namespace bot
