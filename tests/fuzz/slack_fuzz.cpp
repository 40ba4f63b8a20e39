// libFuzzer target: Slack inbound decoding (adapters/slack/slack.h). The same bytes are tried as
// an Events API JSON body, a slash-command form body and an interactive "payload=" form body.
// Checked: decoded messages are from "slack", their text is trimmed and never lists the bot's
// own mention; slash commands carry no message or thread id.

#include <string>

#include "adapters/slack/slack.h"
#include "core/json_depth.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr std::string_view k_bot = "UBOT";

void check_mentions(const adapters::InboundMessage& message, std::string_view bot) {
    for (const auto& mention : message.mentions) FUZZ_CHECK(mention.user_id != bot);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body = fuzz::as_text(data, size);

    for (std::string_view bot : {k_bot, std::string_view()}) {
        auto events = adapters::slack::decode_events(body, bot);
        if (!core::check_json_depth(body)) FUZZ_CHECK(!events);  // refused before it is built
        if (events && events->kind == adapters::slack::EventsRequest::Kind::message) {
            FUZZ_CHECK(events->message.platform == "slack");
            FUZZ_CHECK(fuzz::is_trimmed(events->message.text));
            if (!bot.empty()) check_mentions(events->message, bot);
        }
    }

    (void)adapters::slack::is_ssl_check(body);
    auto slash = adapters::slack::decode_slash_command(body);
    if (slash) {
        FUZZ_CHECK(slash->platform == "slack");
        FUZZ_CHECK(slash->message_id.empty() && slash->thread_id.empty());
        FUZZ_CHECK(slash->reply_url_expires_ms == 0);
        FUZZ_CHECK(fuzz::is_trimmed(slash->text));
    }

    (void)adapters::slack::decode_interaction(body);

    auto normalized = adapters::slack::normalize_text(body, k_bot);
    FUZZ_CHECK(fuzz::is_trimmed(normalized.text));
    for (const auto& mention : normalized.mentions) FUZZ_CHECK(mention.user_id != k_bot);
    return 0;
}
