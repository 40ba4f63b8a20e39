#pragma once
// The platform-independent half of handling a chat message that an adapter has verified and
// decoded: de-duplicate, resolve the sender and the chat, dispatch, and enqueue the reply —
// all in one store transaction, so a delivery is applied and answered exactly once even across
// a restart between two deliveries of it.
//
// Thread safety: safe for concurrent use (the store serialises writes; the rest is read-only).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "adapters/common/inbound.h"
#include "bot/dispatcher.h"
#include "core/clock.h"
#include "core/message.h"
#include "core/store/store.h"

namespace bot {

// What the config says about one chat.
struct ChatSettings {
    bool known = false;                    // listed in the config's chats
    std::vector<std::string> projects;     // bound projects (empty + known = every project)
    std::optional<core::Locale> locale;    // unset = answer in the message's language
    std::string timezone;                  // IANA; "" = the global one
};
using ChatLookup = std::function<ChatSettings(const std::string& platform, const std::string& chat_id)>;

// How a platform writes: its markup, and how a reply to an inbound message is delivered.
class PlatformOut {
public:
    virtual ~PlatformOut() = default;
    virtual core::Markup markup() const = 0;
    // The outbox row answering `message` (dedup_key and kind are set by the caller).
    virtual store::OutboxMessage reply(const core::ChatMessage& reply, const adapters::InboundMessage& message) const = 0;
};

struct InboundResult {
    bool duplicate = false;    // seen before: nothing done
    bool changed = false;      // the store changed
    core::ChatMessage reply;
    long long outbox_id = 0;   // 0 when no reply was enqueued
};

struct InboundOptions {
    std::string default_timezone = "Asia/Shanghai";
    std::vector<std::string> admins;
    std::vector<std::string> bot_names;
};

class InboundHandler {
public:
    InboundHandler(store::Store& store, const core::Clock& clock, ChatLookup chats, InboundOptions options);

    // enqueue_reply = false when the platform takes the reply in the HTTP response (slash
    // commands): the reply is returned instead. Errors only when the store failed; then nothing
    // was applied and the platform should be told to retry (HTTP 5xx).
    core::Result<InboundResult> handle(const adapters::InboundMessage& message, const PlatformOut& out,
                                       bool enqueue_reply = true);

private:
    core::Result<DispatchContext> context_for(const adapters::InboundMessage& message, const ChatSettings& chat,
                                              const PlatformOut& out);

    store::Store& m_store;
    const core::Clock& m_clock;
    ChatLookup m_chats;
    InboundOptions m_options;
    Dispatcher m_dispatcher;
};

}  // namespace bot
