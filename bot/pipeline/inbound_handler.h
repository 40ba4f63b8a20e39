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
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/common/directory_profile.h"
#include "adapters/common/inbound.h"
#include "bot/pipeline/dispatcher.h"
#include "bot/pipeline/inbound_types.h"
#include "bot/pipeline/platform_out.h"
#include "bot/team/team_commands.h"
#include "core/team_command.h"
#include "core/clock.h"
#include "core/message.h"
#include "core/store/group_commit.h"
#include "core/store/store.h"

namespace bot {

class CommandLimiter;
class DaemonMetrics;


// Who may do what: what a reload of the config may change while messages are handled.
struct InboundRoles {
    std::string default_timezone = "Asia/Shanghai";
    std::vector<std::string> admins;
    std::map<std::string, std::vector<std::string>> escalation_contacts;  // see DispatchContext
    std::map<std::string, std::vector<std::string>> managers;  // see TeamContext
};

// Asks the platform's directory who an account is (bot/directory/directory_lookup.h): may
// block on the network for a few seconds; called outside any transaction.
using DirectoryAsk = std::function<adapters::LookupAnswer(const std::string& platform, const std::string& account)>;

struct InboundOptions {
    InboundRoles roles;
    std::vector<std::string> bot_names;
    LinkSettings links;  // see DispatchContext
    CommandLimiter* limiter = nullptr;  // borrowed; null = no command rate limits
    DaemonMetrics* metrics = nullptr;   // borrowed; counts each command line once applied
    DirectoryAsk directory;             // empty = accounts are linked by claim, config or trackerctl only
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
    // A reload of the config: the next message sees the new roles.
    void set_roles(InboundRoles roles);
    store::GroupCommit::Counts commit_counts() const { return m_commits.counts(); }

private:
    // Inside the transaction: true when neither dedup_key nor alt_dedup_key was seen; records both.
    core::Result<bool> remember(const adapters::InboundMessage& message);
    // True when message.signature is unbound or bound to this message. `write`: bind it too
    // (inside the transaction); else only read (the check ahead of the command limiter).
    core::Result<bool> signature_fits(const adapters::InboundMessage& message, bool write);
    core::Result<DispatchContext> context_for(const adapters::InboundMessage& message, const ChatSettings& chat,
                                              const PlatformOut& out, const InboundRoles& roles);
    // Inside the transaction: what a delivery does once known fresh — set-up commands, the
    // unbound chat's hint, or the dispatcher (after linking the sender from `directory`).
    // `team`: the message's set-up lines (core::parse_team_message), read once in handle().
    core::Result<void> apply(const adapters::InboundMessage& message, const ChatSettings& chat, const PlatformOut& out,
                             const InboundRoles& roles, const std::vector<core::TeamCommand>& team,
                             const std::optional<adapters::LookupAnswer>& directory, InboundResult& result,
                             std::vector<core::CommandOutcome>& outcomes);
    // Who sends set-up lines, and where: the TeamCommands' view of the message.
    core::Result<TeamContext> team_context(const adapters::InboundMessage& message, const ChatSettings& chat,
                                           const PlatformOut& out, const InboundRoles& roles,
                                           const std::vector<core::TeamCommand>& team);
    // The set-up lines run, their answer (after "identified as" when the directory linked the
    // sender) as the reply and each refusal as a forbidden outcome.
    core::Result<void> apply_team(const std::vector<core::TeamCommand>& team, const TeamContext& context,
                                  const std::optional<core::Person>& identified, InboundResult& result,
                                  std::vector<core::CommandOutcome>& outcomes);
    core::Result<bool> hint_due(const adapters::InboundMessage& message, const std::string& zone);
    std::shared_ptr<const InboundRoles> roles() const;

    store::Store& m_store;
    const core::Clock& m_clock;
    ChatLookup m_chats;
    InboundOptions m_options;
    mutable std::mutex m_roles_mutex;
    std::shared_ptr<const InboundRoles> m_roles;  // Guarded by m_roles_mutex.
    Dispatcher m_dispatcher;
    TeamCommands m_team;
    store::GroupCommit m_commits;  // every delivery's transaction goes through it
};

}  // namespace bot
