#pragma once
// The platform-independent half of handling a chat message that an adapter has verified and
// decoded: de-duplicate, resolve the sender and the chat, dispatch, and enqueue the reply —
// all in one store transaction, so a delivery is applied and answered exactly once even across
// a restart between two deliveries of it. Concurrent deliveries share one transaction (group
// commit, core/store/group_commit.h), each in its own savepoint; handle() returns after the commit.
//
// Thread safety: safe for concurrent use (the store serialises writes; the rest is read-only).

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "adapters/common/inbound.h"
#include "bot/dispatcher.h"
#include "core/clock.h"
#include "core/message.h"
#include "core/store/group_commit.h"
#include "core/store/store.h"

namespace bot {

class CommandLimiter;
class DaemonMetrics;

// What the config says about one chat.
struct ChatSettings {
    bool known = false;                    // listed in the config's chats
    std::vector<std::string> projects;     // bound projects (empty + known = every project)
    std::optional<core::Locale> locale;    // unset = answer in the message's language
    std::string timezone;                  // IANA; "" = the global one
};
using ChatLookup = std::function<ChatSettings(const std::string& platform, const std::string& chat_id)>;

// Where pushes for one chat go.
struct PushTarget {
    std::string chat_id;      // the platform's chat / channel / openConversationId
    std::string webhook_url;  // non-empty: push through this incoming webhook / custom robot
};

// How a platform writes: its markup, and how a reply to an inbound message is delivered.
class PlatformOut {
public:
    virtual ~PlatformOut() = default;
    virtual core::Markup markup() const = 0;
    // The outbox row answering `message` (dedup_key and kind are set by the caller).
    virtual store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const = 0;
    // The outbox rows that push `message` (a digest, warning, escalation ...) to one chat:
    // channel "webhook" (destination = target.webhook_url) when the chat has an incoming
    // webhook / custom robot, else "api" (destination = target.chat_id). Several rows when the
    // platform's size limit makes the message split; row i > 0 gets dedup_key + "#" + i, row 0
    // dedup_key itself. kind, created_at and next_attempt_at (= now) are set; idempotency keys
    // the platform supports (Feishu uuid, DingTalk msgUuid) derive from the row's dedup_key.
    // Webhook signatures are not in the body: the sender signs at send time (they expire).
    virtual std::vector<store::OutboxMessage> push(const core::ChatMessage& message, const PushTarget& target,
                                                   const std::string& kind, const std::string& dedup_key,
                                                   long long now_unix) const = 0;
};

// The rows of PlatformOut::push from the parts of a (split) message: row i has dedup_key
// (i > 0: + "#" + i), channel "webhook" / "api" and destination as PushTarget says, and the body
// render(part, row) returns (called after the row's other fields are set).
std::vector<store::OutboxMessage> make_push_rows(
    const std::string& platform, const std::vector<core::ChatMessage>& parts, const PushTarget& target,
    const std::string& kind, const std::string& dedup_key, long long now_unix,
    const std::function<std::string(const core::ChatMessage&, const store::OutboxMessage&)>& render);

struct InboundResult {
    // The message's signature (InboundMessage::signature) is bound to another message: a
    // replayed signature with a forged body. Nothing done; the caller answers 401.
    bool replayed_signature = false;
    bool duplicate = false;    // seen before: nothing done
    bool limited = false;      // refused by the command limiter (inbound_limit.h): nothing done
    bool changed = false;      // the store changed
    core::ChatMessage reply;
    long long outbox_id = 0;   // 0 when no reply was enqueued
};

struct InboundOptions {
    std::string default_timezone = "Asia/Shanghai";
    std::vector<std::string> admins;
    std::vector<std::string> bot_names;
    std::map<std::string, std::vector<std::string>> escalation_contacts;  // see DispatchContext
    LinkSettings links;  // see DispatchContext
    CommandLimiter* limiter = nullptr;  // borrowed; null = no command rate limits
    DaemonMetrics* metrics = nullptr;   // borrowed; counts each command line once applied
};

class InboundHandler {
public:
    InboundHandler(store::Store& store, const core::Clock& clock, ChatLookup chats, InboundOptions options);

    // A message whose dedup_key or alt_dedup_key was seen before is a duplicate: nothing is done.
    // enqueue_reply = false when the platform takes the reply in the HTTP response (slash
    // commands): the reply is returned instead. Errors only when the store failed; then nothing
    // was applied and the platform should be told to retry (HTTP 5xx).
    core::Result<InboundResult> handle(const adapters::InboundMessage& message, const PlatformOut& out,
                                       bool enqueue_reply = true);
    // For a verified request the handler will not otherwise see (a message that is ignored):
    // binds its signature as handle() does, so that the signature cannot carry another body
    // later. False when the signature is bound to another message (nothing recorded).
    core::Result<bool> bind_signature(const adapters::InboundMessage& message);
    store::GroupCommit::Counts commit_counts() const { return m_commits.counts(); }

private:
    // Inside the transaction: true when neither dedup_key nor alt_dedup_key was seen; records both.
    core::Result<bool> remember(const adapters::InboundMessage& message);
    // True when message.signature is unbound or bound to this message. `write`: bind it too
    // (inside the transaction); else only read (the check ahead of the command limiter).
    core::Result<bool> signature_fits(const adapters::InboundMessage& message, bool write);
    core::Result<DispatchContext> context_for(const adapters::InboundMessage& message, const ChatSettings& chat,
                                              const PlatformOut& out);

    store::Store& m_store;
    const core::Clock& m_clock;
    ChatLookup m_chats;
    InboundOptions m_options;
    Dispatcher m_dispatcher;
    store::GroupCommit m_commits;  // every delivery's transaction goes through it
};

}  // namespace bot
