#include "bot/pipeline/inbound_handler.h"

#include "bot/ops/daemon_metrics.h"
#include "bot/pipeline/inbound_limit.h"
#include "bot/ops/local_time.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bot/team/identify.h"
#include "core/answers.h"
#include "core/team_answers.h"
#include "core/grammar_text.h"
#include "core/team_command.h"

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
        if (o.kind == Kind::forbidden && o.line.command) reason = "forbidden " + task;
        if (o.kind == Kind::forbidden && !o.line.command) {  // a set-up command: "team bind:not_allowed"
            std::string why = o.detail;
            for (auto& c : why) c = c == ' ' ? '_' : c;
            reason = "team " + loggable(why);
        }
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
      m_roles(std::make_shared<const InboundRoles>(m_options.roles)),
      m_dispatcher(store),
      m_team(store),
      m_commits(store) {}

void InboundHandler::set_roles(InboundRoles roles) {
    auto next = std::make_shared<const InboundRoles>(std::move(roles));
    std::lock_guard lock(m_roles_mutex);
    m_roles = std::move(next);
}

std::shared_ptr<const InboundRoles> InboundHandler::roles() const {
    std::lock_guard lock(m_roles_mutex);
    return m_roles;
}

core::Result<DispatchContext> InboundHandler::context_for(const adapters::InboundMessage& message,
                                                          const ChatSettings& chat, const PlatformOut& out,
                                                          const InboundRoles& roles) {
    DispatchContext context;
    auto sender = m_store.find_person_by_platform(message.platform, message.sender_id);
    if (!sender) return sender.error();
    if (*sender) context.sender = **sender;
    for (const auto& admin : roles.admins)
        if (!context.sender.id.empty() && admin == context.sender.id) context.is_admin = true;
    context.project_ids = chat.projects;
    context.locale = chat.locale;
    context.markup = out.markup();
    context.today = local_today(m_clock, chat.timezone.empty() ? roles.default_timezone : chat.timezone);
    context.source = core::ChangeSource{context.sender.id, message.platform, message.chat_id, message.message_id,
                                        m_clock.now_unix()};
    context.bot_names = m_options.bot_names;
    context.escalation_contacts = roles.escalation_contacts;
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

core::Result<bool> InboundHandler::hint_due(const adapters::InboundMessage& message, const std::string& zone) {
    const std::string key = "hint/" + message.platform + "/" + message.chat_id;
    const std::string today = core::format_iso_date(local_today(m_clock, zone));
    auto last = m_store.get_state(key);
    if (!last) return last.error();
    if (*last && **last == today) return false;
    auto saved = m_store.put_state(key, today);
    if (!saved) return saved.error();
    return true;
}

core::Result<void> InboundHandler::apply(const adapters::InboundMessage& message, const ChatSettings& chat,
                                         const PlatformOut& out, const InboundRoles& roles,
                                         const std::vector<core::TeamCommand>& team,
                                         const std::optional<adapters::LookupAnswer>& directory, InboundResult& result,
                                         std::vector<core::CommandOutcome>& outcomes) {
    const std::string zone = chat.timezone.empty() ? roles.default_timezone : chat.timezone;
    std::optional<core::Person> identified;
    if (directory) {
        auto linked = link_from_directory(m_store, *directory, message.platform, message.sender_id, chat.projects,
                                          core::ChangeSource{"", message.platform, message.chat_id, message.message_id,
                                                             m_clock.now_unix()});
        if (!linked) return linked.error();
        identified = std::move(*linked);
    }
    if (!team.empty() || message.bot_added) {
        auto context = team_context(message, chat, out, roles, team);
        if (!context) return context.error();
        if (message.bot_added) {  // once per group and day, like the hint; a bound group needs none
            if (chat.known) return core::ok();
            auto due = hint_due(message, zone);
            if (!due) return due.error();
            if (*due) result.reply.sections.push_back(core::team_answers::bot_added(context->locale));
            return core::ok();
        }
        return apply_team(team, *context, identified, result, outcomes);
    }
    if (!chat.known && !message.direct) {
        // A group bound to no project: how to bind it, at most once a day; nothing changes.
        auto due = hint_due(message, zone);
        if (!due) return due.error();
        if (!*due) return core::ok();
        result.reply.sections.push_back(
            core::answers::chat_not_bound(message.chat_id, chat.locale.value_or(core::Locale::zh_cn)));
        result.reply.fallback_text = result.reply.sections.front();
        return core::ok();
    }
    auto context = context_for(message, chat, out, roles);
    if (!context) return context.error();
    auto dispatched = m_dispatcher.handle(message.text, *context);
    if (!dispatched) return dispatched.error();
    result.changed = dispatched->changed || identified.has_value();
    result.reply = std::move(dispatched->reply);
    if (identified) {
        core::Locale locale = context->locale.value_or(core::grammar::contains_cjk(message.text) ? core::Locale::zh_cn : core::Locale::en);
        result.reply.sections.insert(result.reply.sections.begin(),
                                     core::team_answers::identified_as(identified->name, locale));
    }
    outcomes = std::move(dispatched->outcomes);
    return core::ok();
}

core::Result<TeamContext> InboundHandler::team_context(const adapters::InboundMessage& message, const ChatSettings& chat,
                                                       const PlatformOut& out, const InboundRoles& roles,
                                                       const std::vector<core::TeamCommand>& team) {
    auto sender = m_store.find_person_by_platform(message.platform, message.sender_id);
    if (!sender) return sender.error();
    TeamContext context;
    context.platform = message.platform;
    context.chat_id = message.chat_id;
    context.account = message.sender_id;
    context.sender_name = message.sender_name;
    context.message_id = message.message_id;
    context.sender = *sender;
    context.is_admin = *sender && std::find(roles.admins.begin(), roles.admins.end(), (*sender)->id) != roles.admins.end();
    context.admins = roles.admins;
    context.managers = roles.managers;
    context.locale = chat.locale.value_or(team.empty() ? core::Locale::zh_cn : team.front().language);
    context.markup = out.markup();
    context.default_timezone = roles.default_timezone;
    context.now_unix = m_clock.now_unix();
    return context;
}

core::Result<void> InboundHandler::apply_team(const std::vector<core::TeamCommand>& team, const TeamContext& context,
                                              const std::optional<core::Person>& identified, InboundResult& result,
                                              std::vector<core::CommandOutcome>& outcomes) {
    auto ran = m_team.run(team, context);
    if (!ran) return ran.error();
    result.changed = ran->changed || identified.has_value();
    result.reply.sections = std::move(ran->answer);
    result.reply.buttons = std::move(ran->buttons);
    if (identified)
        result.reply.sections.insert(result.reply.sections.begin(),
                                     core::team_answers::identified_as(identified->name, context.locale));
    result.reply.fallback_text = result.reply.sections.empty() ? "" : result.reply.sections.front();
    for (const auto& why : ran->refusals) {
        core::CommandOutcome refused;
        refused.kind = core::CommandOutcome::Kind::forbidden;
        refused.detail = why;
        outcomes.push_back(std::move(refused));
    }
    return core::ok();
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
    if (chat.failed) return core::make_error(core::ErrorCode::busy, "the chat directory could not be read");
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
    auto roles = this->roles();
    std::vector<core::AccountMention> mentions;
    for (const auto& m : message.mentions) mentions.push_back({m.display, m.user_id});
    const auto team = core::parse_team_message(message.text, mentions, m_options.bot_names);  // set-up lines, if any
    // Who an unlinked sender is, asked of the platform before the transaction (it may wait on
    // the network); linked inside it.
    std::optional<adapters::LookupAnswer> directory;
    // In a bound chat, and in any chat for set-up commands (an admin known by email alone binds).
    if (m_options.directory && !message.sender_id.empty() && !message.bot_added &&
        (chat.known || !team.empty())) {
        auto linked = m_store.find_person_by_platform(message.platform, message.sender_id);
        if (!linked) return linked.error();
        if (!*linked) directory = m_options.directory(message.platform, message.sender_id);
    }
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
        auto applied = apply(message, chat, out, *roles, team, directory, result, outcomes);
        if (!applied) return applied.error();
        if (result.reply.sections.empty() && result.reply.title.empty()) return core::ok();  // nothing to say
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
    if (!result.duplicate)
        log_refusals(message, !chat.known && !message.direct && !message.bot_added && !result.changed, outcomes);
    if (m_options.metrics) m_options.metrics->count_commands(outcomes);
    return result;
}

}  // namespace bot
