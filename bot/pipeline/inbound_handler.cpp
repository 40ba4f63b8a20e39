#include "bot/pipeline/inbound_handler.h"

#include "bot/ops/daemon_metrics.h"
#include "bot/pipeline/inbound_limit.h"
#include "bot/ops/local_time.h"

#include <spdlog/spdlog.h>

#include "core/answers.h"

namespace bot {
namespace {

// For logs: printable ASCII of a word a person typed, at most 40 bytes.
std::string loggable(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 40)) out += (c > 0x20 && c < 0x7f) ? c : '?';
    return out;
}

// One log line naming why a message changed nothing for its sender: the chat is not bound to a
// project, or a line could not be read, named no task here or was not theirs to change.
void log_refusals(const adapters::InboundMessage& message, bool unbound_chat,
                  const std::vector<core::CommandOutcome>& outcomes) {
    using Kind = core::CommandOutcome::Kind;
    std::string reasons = unbound_chat ? "chat not bound to a project" : "";
    for (const auto& o : outcomes) {
        std::string task = o.line.command ? loggable(o.line.command->task_id) : "";
        std::string reason;
        if (o.kind == Kind::parse_error) reason = "parse_error (" + (o.line.error.empty() ? "unreadable" : loggable(o.line.error)) + ")";
        if (o.kind == Kind::not_found) reason = "not_found " + task;
        if (o.kind == Kind::forbidden) reason = "forbidden " + task;
        if (o.kind == Kind::rejected) reason = "rejected " + task;
        if (o.kind == Kind::unknown_person) reason = "unknown_person";
        if (!reason.empty()) reasons += (reasons.empty() ? "" : "; ") + reason;
    }
    if (reasons.empty()) return;
    spdlog::info("{} {} from {} in {}: refused: {}", message.platform, loggable(message.dedup_key),
                 loggable(message.sender_id), loggable(message.chat_id), reasons);
}

void log_replayed_signature(const adapters::InboundMessage& message) {
    spdlog::warn("{} {} from {} in {}: refused: replayed signature (already used by another message; "
                 "someone who saw one request is sending others under its signature)",
                 message.platform, loggable(message.dedup_key), loggable(message.sender_id),
                 loggable(message.chat_id));
}

}  // namespace

InboundHandler::InboundHandler(store::Store& store, const core::Clock& clock, ChatLookup chats,
                               InboundOptions options)
    : m_store(store),
      m_clock(clock),
      m_chats(std::move(chats)),
      m_options(std::move(options)),
      m_dispatcher(store),
      m_commits(store) {}

core::Result<DispatchContext> InboundHandler::context_for(const adapters::InboundMessage& message,
                                                          const ChatSettings& chat, const PlatformOut& out) {
    DispatchContext context;
    auto sender = m_store.find_person_by_platform(message.platform, message.sender_id);
    if (!sender) return sender.error();
    if (*sender) context.sender = **sender;
    for (const auto& admin : m_options.admins)
        if (!context.sender.id.empty() && admin == context.sender.id) context.is_admin = true;
    context.project_ids = chat.projects;
    context.locale = chat.locale;
    context.markup = out.markup();
    context.today = local_today(m_clock, chat.timezone.empty() ? m_options.default_timezone : chat.timezone);
    context.source = core::ChangeSource{context.sender.id, message.platform, message.chat_id, message.message_id,
                                        m_clock.now_unix()};
    context.bot_names = m_options.bot_names;
    context.escalation_contacts = m_options.escalation_contacts;
    context.links = m_options.links;
    for (const auto& mentioned : message.mentions) {
        auto person = m_store.find_person_by_platform(message.platform, mentioned.user_id);
        if (!person) return person.error();
        context.mentions.push_back(core::Mention{mentioned.display, *person ? (*person)->id : std::string()});
    }
    return context;
}

core::Result<bool> InboundHandler::remember(const adapters::InboundMessage& message) {
    auto fresh = m_store.remember_inbound(message.platform, message.dedup_key, m_clock.now_unix());
    if (!fresh || message.alt_dedup_key.empty()) return fresh;
    // Both keys are remembered even when the first was seen, so a later delivery carrying
    // only one of them is still recognised.
    auto alt_fresh = m_store.remember_inbound(message.platform, message.alt_dedup_key, m_clock.now_unix());
    if (!alt_fresh) return alt_fresh.error();
    return *fresh && *alt_fresh;
}

core::Result<bool> InboundHandler::signature_fits(const adapters::InboundMessage& message, bool write) {
    if (message.signature.empty()) return true;
    if (write)
        return m_store.bind_signature(message.platform, message.signature, message.signature_binding,
                                      message.signature_expires_at, m_clock.now_unix());
    auto bound = m_store.signature_binding(message.platform, message.signature, m_clock.now_unix());
    if (!bound) return bound.error();
    return !*bound || **bound == message.signature_binding;
}

core::Result<bool> InboundHandler::bind_signature(const adapters::InboundMessage& message) {
    if (message.signature.empty()) return true;  // nothing to bind: no transaction
    bool fits = true;
    auto status = m_commits.run([&]() -> core::Result<void> {
        auto bound = signature_fits(message, true);
        if (!bound) return bound.error();
        fits = *bound;
        return core::ok();
    });
    if (!status) return status.error();
    if (!fits) log_replayed_signature(message);
    return fits;
}

core::Result<InboundResult> InboundHandler::handle(const adapters::InboundMessage& message, const PlatformOut& out,
                                                   bool enqueue_reply) {
    InboundResult result;
    // A replayed signature is refused before the limiter counts it or anything is written.
    auto fits = signature_fits(message, false);
    if (!fits) return fits.error();
    if (!*fits) {
        log_replayed_signature(message);
        result.replayed_signature = true;
        return result;
    }
    ChatSettings chat = m_chats(message.platform, message.chat_id);
    if (m_options.limiter) {  // before anything changes; see inbound_limit.h
        auto limited = limit_inbound(*m_options.limiter, m_store, m_clock, chat, message, out, enqueue_reply);
        if (!limited) return limited.error();
        if (*limited) {
            // Not applied, but its signature is bound to it all the same: a pair that carried
            // one message never carries another, limited or not (DingTalk §3.2).
            auto bound = bind_signature(message);
            if (!bound) return bound.error();
            if (!*bound) {
                InboundResult replayed;
                replayed.replayed_signature = true;
                return replayed;
            }
            return std::move(**limited);
        }
    }
    std::vector<core::CommandOutcome> outcomes;  // counted once committed
    // Group commit: shares one transaction with concurrent deliveries, each in its own
    // savepoint; returns only after the commit, so the 2xx that follows is durable.
    auto status = m_commits.run([&]() -> core::Result<void> {
        auto bound = signature_fits(message, true);  // atomic with the change it lets through
        if (!bound) return bound.error();
        if (!*bound) {
            result.replayed_signature = true;
            return core::ok();
        }
        auto fresh = remember(message);
        if (!fresh) return fresh.error();
        if (!*fresh) {
            result.duplicate = true;
            return core::ok();
        }
        if (!chat.known && !message.direct) {
            // A group nobody bound to a project: answer how to bind it, change nothing.
            core::ChatMessage hint;
            hint.sections.push_back(
                core::answers::chat_not_bound(message.chat_id, chat.locale.value_or(core::Locale::zh_cn)));
            hint.fallback_text = hint.sections.front();
            result.reply = hint;
        } else {
            auto context = context_for(message, chat, out);
            if (!context) return context.error();
            auto dispatched = m_dispatcher.handle(message.text, *context);
            if (!dispatched) return dispatched.error();
            result.changed = dispatched->changed;
            result.reply = std::move(dispatched->reply);
            outcomes = std::move(dispatched->outcomes);
        }
        if (!enqueue_reply) return core::ok();
        auto queued = queue_reply(m_store, out, result.reply, message,
                                    "reply:" + message.platform + ":" + message.dedup_key, m_clock.now_unix());
        if (!queued) return queued.error();
        result.outbox_id = *queued;
        return core::ok();
    });
    if (!status) return status.error();
    if (result.replayed_signature) {
        log_replayed_signature(message);
        return result;
    }
    if (!result.duplicate) log_refusals(message, !chat.known && !message.direct, outcomes);
    if (m_options.metrics) m_options.metrics->count_commands(outcomes);
    return result;
}

}  // namespace bot
