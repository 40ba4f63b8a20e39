// Tests for adapters/slack/slack.h against the payloads and vectors of protocols.md §1.
// Golden payloads live in tests/adapters/slack/testdata/.

#include "adapters/slack/slack.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/common/form.h"

namespace adapters::slack {
namespace {

using Json = nlohmann::json;

std::string golden(const std::string& name) {
    const std::string path =
        std::string(TRACKERD_TESTDATA_DIR) + "/../adapters/slack/testdata/" + name;
    std::ifstream file(path, std::ios::binary);
    EXPECT_TRUE(file.good()) << path;
    std::ostringstream content;
    content << file.rdbuf();
    return content.str();
}

// --- verify_request ------------------------------------------------------------------------

constexpr const char* k_official_secret = "8f742231b10e8888abcd99yyyzzz85a5";
constexpr const char* k_official_signature =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
constexpr const char* k_test_secret = "test-signing-secret-0123456789ab";
constexpr const char* k_app_mention_signature =
    "v0=a2608f2892a78714d06b79a9cbde2979716597b843873dae1d0011035882d9c1";

TEST(SlackVerifyTest, OfficialSlashCommandVectorVerifies) {
    const std::string body = golden("slash_command_official.form");
    EXPECT_TRUE(verify_request(k_official_secret, "1531420618", k_official_signature, body,
                               1531420618 + 10));
}

TEST(SlackVerifyTest, ComputedAppMentionVectorVerifies) {
    const std::string body = golden("app_mention.json");
    ASSERT_FALSE(body.empty());
    EXPECT_NE(body.back(), '\n');  // the signed bytes are exactly the one-line JSON
    EXPECT_TRUE(
        verify_request(k_test_secret, "1700000000", k_app_mention_signature, body, 1700000000));
}

TEST(SlackVerifyTest, WindowIsSymmetricAndInclusiveAt300Seconds) {
    const std::string body = golden("app_mention.json");
    EXPECT_TRUE(verify_request(k_test_secret, "1700000000", k_app_mention_signature, body,
                               1700000000 + 300));
    EXPECT_TRUE(verify_request(k_test_secret, "1700000000", k_app_mention_signature, body,
                               1700000000 - 300));
    EXPECT_TRUE(verify_request(k_test_secret, "1700000000", k_app_mention_signature, body,
                               1700000000 + 900, 900));
}

struct RejectCase {
    const char* name;
    std::string secret;
    std::string timestamp;
    std::string signature;
    std::string body;
    long long now;
    const char* message;
};

TEST(SlackVerifyTest, RejectionsSayWhy) {
    const std::string body = golden("app_mention.json");
    std::string forged = k_app_mention_signature;
    forged.back() = forged.back() == '1' ? '2' : '1';
    std::string tampered = body;
    tampered.replace(tampered.find("60%"), 3, "90%");
    const std::vector<RejectCase> cases = {
        {"forged signature", k_test_secret, "1700000000", forged, body, 1700000000,
         "signature mismatch"},
        {"tampered body", k_test_secret, "1700000000", k_app_mention_signature, tampered,
         1700000000, "signature mismatch"},
        {"wrong secret", "another-secret", "1700000000", k_app_mention_signature, body, 1700000000,
         "signature mismatch"},
        {"replayed timestamp header", k_test_secret, "1700000001", k_app_mention_signature, body,
         1700000000, "signature mismatch"},
        {"uppercase hex", k_test_secret, "1700000000",
         "v0=A2608F2892A78714D06B79A9CBDE2979716597B843873DAE1D0011035882D9C1", body, 1700000000,
         "signature mismatch"},
        {"stale, past", k_test_secret, "1700000000", k_app_mention_signature, body, 1700000412,
         "stale timestamp (412 s old)"},
        {"stale, future", k_test_secret, "1700000000", k_app_mention_signature, body,
         1700000000 - 301, "timestamp 301 s in the future"},
        {"missing signature", k_test_secret, "1700000000", "", body, 1700000000,
         "missing X-Slack-Signature"},
        {"missing timestamp", k_test_secret, "", k_app_mention_signature, body, 1700000000,
         "missing X-Slack-Request-Timestamp"},
        {"wrong version", k_test_secret, "1700000000",
         "v1=a2608f2892a78714d06b79a9cbde2979716597b843873dae1d0011035882d9c1", body, 1700000000,
         "unsupported signature version"},
        {"no version", k_test_secret, "1700000000", "a2608f2892a78714d06b79a9cbde29797165", body,
         1700000000, "malformed X-Slack-Signature"},
        {"timestamp not a number", k_test_secret, "17e8", k_app_mention_signature, body, 1700000000,
         "malformed X-Slack-Request-Timestamp"},
        {"negative timestamp", k_test_secret, "-1700000000", k_app_mention_signature, body,
         1700000000, "malformed X-Slack-Request-Timestamp"},
        {"no secret configured", "", "1700000000", k_app_mention_signature, body, 1700000000,
         "no Slack signing secret configured"},
    };
    for (const auto& c : cases) {
        const auto result = verify_request(c.secret, c.timestamp, c.signature, c.body, c.now);
        ASSERT_FALSE(result) << c.name;
        EXPECT_EQ(result.error().code, core::ErrorCode::unauthorized) << c.name;
        EXPECT_EQ(result.error().message, c.message) << c.name;
    }
}

// --- decode_events -------------------------------------------------------------------------

TEST(SlackEventsTest, AppMentionBecomesAMessageWithoutTheBotMention) {
    const auto request = decode_events(golden("app_mention.json"), "U0LAN0Z89");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventsRequest::Kind::message);
    const InboundMessage& m = request->message;
    EXPECT_EQ(m.platform, "slack");
    EXPECT_EQ(m.text, "update T003 60%");
    EXPECT_EQ(m.dedup_key, "Ev0123ABCDEF");
    EXPECT_EQ(m.chat_id, "C123ABC456");
    EXPECT_FALSE(m.direct);
    EXPECT_EQ(m.sender_id, "U061F7AUR");
    EXPECT_EQ(m.message_id, "1700000000.000100");
    EXPECT_EQ(m.thread_id, "1700000000.000100");  // reply in the thread of the asking message
    EXPECT_TRUE(m.mentions.empty());
    EXPECT_EQ(m.created_ms, 1700000000000);
}

TEST(SlackEventsTest, ImMessageIsDirectAndFindsTheBotInAuthorizations) {
    const auto request = decode_events(golden("im_message.json"), "");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventsRequest::Kind::message);
    EXPECT_TRUE(request->message.direct);
    EXPECT_EQ(request->message.chat_id, "D0PNCRP9N");
    EXPECT_EQ(request->message.text, "my tasks");
    EXPECT_EQ(request->message.created_ms, 1700000100000);
}

TEST(SlackEventsTest, ThreadReplyListsMentionsAndUnescapesAfterTokens) {
    const auto request = decode_events(golden("thread_reply_mentions.json"), "");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventsRequest::Kind::message);
    const InboundMessage& m = request->message;
    EXPECT_EQ(m.text, "assign T007 to @U0456EFGH & @W0789XYZ note: A <B> &lt; @U0456EFGH");
    ASSERT_EQ(m.mentions.size(), 2u);  // listed once each, the bot excluded
    EXPECT_EQ(m.mentions[0].user_id, "U0456EFGH");
    EXPECT_EQ(m.mentions[0].display, "U0456EFGH");
    EXPECT_EQ(m.mentions[1].user_id, "W0789XYZ");
    EXPECT_EQ(m.message_id, "1700000400.000500");
    EXPECT_EQ(m.thread_id, "1700000000.000100");  // thread_ts wins over ts
}

TEST(SlackEventsTest, UrlVerificationCarriesTheChallenge) {
    const auto request = decode_events(golden("url_verification.json"), "U0LAN0Z89");
    ASSERT_TRUE(request);
    ASSERT_EQ(request->kind, EventsRequest::Kind::url_verification);
    EXPECT_EQ(request->challenge, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    const Json answer = Json::parse(render_challenge_response(request->challenge));
    EXPECT_EQ(answer.at("challenge"), request->challenge);
}

// An event_callback envelope around `event`, with the bot in authorizations.
std::string envelope(const std::string& event) {
    return R"({"type":"event_callback","event_id":"Ev1","event_time":1700000000,"event":)" + event +
           R"(,"authorizations":[{"user_id":"U0HUMAN","is_bot":false},{"user_id":"UBOT","is_bot":true}]})";
}

struct IgnoreCase {
    const char* name;
    std::string body;
    std::string bot_user_id;
    const char* reason_contains;
};

TEST(SlackEventsTest, IgnoredDeliveriesSayWhy) {
    const std::vector<IgnoreCase> cases = {
        {"bot message", golden("bot_message.json"), "UBOT", "bot"},
        {"edited message", golden("message_changed.json"), "UBOT", "message_changed"},
        {"own message by parameter",
         envelope(
             R"({"type":"message","user":"UBOT","text":"hi","ts":"1.2","channel":"C1","channel_type":"channel"})"),
         "UBOT", "bot itself"},
        {"own message by authorizations",
         envelope(
             R"({"type":"message","user":"UBOT","text":"hi","ts":"1.2","channel":"D1","channel_type":"im"})"),
         "", "bot itself"},
        {"bot_id without subtype",
         envelope(
             R"({"type":"message","user":"U1","bot_id":"B1","text":"hi","ts":"1.2","channel":"C1"})"),
         "", "bot"},
        {"channel join",
         envelope(
             R"({"type":"message","subtype":"channel_join","user":"U1","ts":"1.2","channel":"C1"})"),
         "", "channel_join"},
        {"channel message mentioning the bot comes again as app_mention",
         envelope(
             R"({"type":"message","user":"U1","text":"<@UBOT> my tasks","ts":"1.2","channel":"C1","channel_type":"channel"})"),
         "", "app_mention"},
        {"other event type", envelope(R"({"type":"reaction_added","user":"U1","item":{}})"), "",
         "reaction_added"},
        {"rate-limit notice",
         R"({"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820})", "",
         "app_rate_limited"},
    };
    for (const auto& c : cases) {
        const auto request = decode_events(c.body, c.bot_user_id);
        ASSERT_TRUE(request) << c.name << ": " << request.error().message;
        EXPECT_EQ(request->kind, EventsRequest::Kind::ignored) << c.name;
        EXPECT_NE(request->ignored_reason.find(c.reason_contains), std::string::npos)
            << c.name << ": " << request->ignored_reason;
    }
}

TEST(SlackEventsTest, ChannelMessagesAndBroadcastRepliesFromPeopleAreDelivered) {
    const auto plain = decode_events(
        envelope(
            R"({"type":"message","user":"U1","text":"T003 done","ts":"1700000000.5","channel":"C1","channel_type":"channel"})"),
        "");
    ASSERT_TRUE(plain);
    ASSERT_EQ(plain->kind, EventsRequest::Kind::message);
    EXPECT_EQ(plain->message.text, "T003 done");
    EXPECT_FALSE(plain->message.direct);
    EXPECT_EQ(plain->message.created_ms, 1700000000500);

    const auto broadcast = decode_events(
        envelope(
            R"({"type":"message","subtype":"thread_broadcast","user":"U1","text":"ok","ts":"2.0","thread_ts":"1.0","channel":"C1"})"),
        "");
    ASSERT_TRUE(broadcast);
    ASSERT_EQ(broadcast->kind, EventsRequest::Kind::message);
    EXPECT_EQ(broadcast->message.thread_id, "1.0");

    // In a DM the bot's mention is simply removed.
    const auto dm = decode_events(
        envelope(
            R"({"type":"message","user":"U1","text":"<@UBOT|trackerd> help","ts":"2.0","channel":"D1","channel_type":"im"})"),
        "");
    ASSERT_TRUE(dm);
    ASSERT_EQ(dm->kind, EventsRequest::Kind::message);
    EXPECT_EQ(dm->message.text, "help");
}

TEST(SlackEventsTest, TheBotJoiningAChannelIsABotAddedMessageFromTheInviter) {
    const auto request = decode_events(golden("member_joined_channel.json"), "U0LAN0Z89");
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventsRequest::Kind::message);
    const InboundMessage& m = request->message;
    EXPECT_TRUE(m.bot_added);
    EXPECT_EQ(m.platform, "slack");
    EXPECT_EQ(m.dedup_key, "Ev0JOIN000001");
    EXPECT_EQ(m.chat_id, "C0NEWGROUP");
    EXPECT_EQ(m.sender_id, "U061F7AUR");
    EXPECT_FALSE(m.direct);
    EXPECT_EQ(m.text, "");
    EXPECT_EQ(m.message_id, "");  // nothing to reply to: the answer goes to the channel
    EXPECT_EQ(m.thread_id, "");
    EXPECT_EQ(m.created_ms, 1700000200000);
}

struct JoinCase {
    const char* name;
    std::string body;
    std::string bot_user_id;
    bool bot_added;
    const char* sender;
};

TEST(SlackEventsTest, MemberJoinedChannelIsTheBotsOnlyWhenTheUserIsTheBot) {
    const std::vector<JoinCase> cases = {
        {"bot by parameter, no inviter (joined by itself)",
         envelope(R"({"type":"member_joined_channel","user":"UBOT","channel":"C1","channel_type":"C","team":"T1"})"),
         "UBOT", true, ""},
        {"bot by authorizations, inviter blank",
         envelope(R"({"type":"member_joined_channel","user":"UBOT","channel":"G1","channel_type":"G","inviter":""})"),
         "", true, ""},
        {"bot in a private channel, invited",
         envelope(R"({"type":"member_joined_channel","user":"UBOT","channel":"G1","channel_type":"G","inviter":"U1"})"),
         "UBOT", true, "U1"},
        {"another user by parameter",
         envelope(R"({"type":"member_joined_channel","user":"U2","channel":"C1","channel_type":"C","inviter":"U1"})"),
         "UBOT", false, ""},
        {"another user by authorizations (the human entry is not the bot)",
         envelope(R"({"type":"member_joined_channel","user":"U0HUMAN","channel":"C1","channel_type":"C"})"),
         "", false, ""},
    };
    for (const auto& c : cases) {
        const auto request = decode_events(c.body, c.bot_user_id);
        ASSERT_TRUE(request) << c.name << ": " << request.error().message;
        if (!c.bot_added) {
            EXPECT_EQ(request->kind, EventsRequest::Kind::ignored) << c.name;
            EXPECT_NE(request->ignored_reason.find("member_joined_channel"), std::string::npos)
                << c.name << ": " << request->ignored_reason;
            continue;
        }
        ASSERT_EQ(request->kind, EventsRequest::Kind::message) << c.name;
        EXPECT_TRUE(request->message.bot_added) << c.name;
        EXPECT_EQ(request->message.sender_id, c.sender) << c.name;
        EXPECT_EQ(request->message.dedup_key, "Ev1") << c.name;
        EXPECT_EQ(request->message.created_ms, 1700000000000) << c.name;  // event_time, no event_ts
    }
    // An ordinary message is never taken for the bot's arrival.
    const auto plain = decode_events(golden("app_mention.json"), "U0LAN0Z89");
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->message.bot_added);
}

struct MalformedCase {
    const char* name;
    std::string body;
    const char* reason_contains;
};

TEST(SlackEventsTest, MalformedBodiesAreInvalidArgumentsWithTheReason) {
    const std::vector<MalformedCase> cases = {
        {"not JSON", "{\"type\":", "malformed JSON"},
        {"empty", "", "malformed JSON"},
        {"not an object", "[1,2]", "not a JSON object"},
        {"no type", R"({"event_id":"Ev1"})", "type"},
        {"challenge missing", R"({"type":"url_verification"})", "challenge"},
        {"event missing", R"({"type":"event_callback","event_id":"Ev1"})", "event"},
        {"event_id missing", R"({"type":"event_callback","event":{"type":"message"}})", "event_id"},
        {"event type missing", R"({"type":"event_callback","event_id":"Ev1","event":{}})",
         "event.type"},
        {"user missing", envelope(R"({"type":"app_mention","text":"x","ts":"1.2","channel":"C1"})"),
         "event.user"},
        {"channel missing", envelope(R"({"type":"app_mention","user":"U1","text":"x","ts":"1.2"})"),
         "event.channel"},
        {"ts missing", envelope(R"({"type":"app_mention","user":"U1","text":"x","channel":"C1"})"),
         "event.ts"},
        {"text not a string",
         envelope(R"({"type":"app_mention","user":"U1","text":5,"ts":"1.2","channel":"C1"})"),
         "event.text"},
        {"member_joined_channel without user",
         envelope(R"({"type":"member_joined_channel","channel":"C1"})"), "event.user"},
        {"the bot's member_joined_channel without channel",
         envelope(R"({"type":"member_joined_channel","user":"UBOT"})"), "event.channel"},
        {"invalid UTF-8", "{\"type\":\"url_verification\",\"challenge\":\"\xff\"}",
         "malformed JSON"},
    };
    for (const auto& c : cases) {
        const auto request = decode_events(c.body, "UBOT");
        ASSERT_FALSE(request) << c.name;
        EXPECT_EQ(request.error().code, core::ErrorCode::invalid_argument) << c.name;
        EXPECT_NE(request.error().message.find(c.reason_contains), std::string::npos)
            << c.name << ": " << request.error().message;
    }
}

struct NormalizeCase {
    const char* slack_text;
    const char* expected;
};

TEST(SlackEventsTest, NormalizeTextTable) {
    const std::vector<NormalizeCase> cases = {
        {"<@UBOT> update T003 60%", "update T003 60%"},
        {"hi <@UBOT> there", "hi there"},
        {"<@UBOT>update", "update"},
        {"  <@UBOT>  ", ""},
        {"<!here> standup", "@here standup"},
        {"<!channel> <!everyone>", "@channel @everyone"},
        {"ping <!subteam^S0614TZR7|@marketing>", "ping @marketing"},
        {"ping <!subteam^S0614TZR7>", "ping @S0614TZR7"},
        {"due <!date^1392734382^{date_short}|Feb 18, 2014>", "due Feb 18, 2014"},
        {"see <#C024BE7LR|general>", "see #general"},
        {"see <#C024BE7LR>", "see #C024BE7LR"},
        {"spec <https://example.com/a?b=1&amp;c=2|the spec>", "spec the spec"},
        {"spec <https://example.com/a?b=1&amp;c=2>", "spec https://example.com/a?b=1&c=2"},
        {"mail <mailto:a@example.com|a@example.com>", "mail a@example.com"},
        {"A &amp; B &lt;3 &gt;", "A & B <3 >"},
        {"&amp;lt; stays one level", "&lt; stays one level"},
        {"&lt;@U123&gt; is text, not a mention", "<@U123> is text, not a mention"},
        {"<not a token> a < b", "<not a token> a < b"},
        {"<@lowercase>", "<@lowercase>"},
        {"更新 T003 60% <@U0456EFGH>", "更新 T003 60% @U0456EFGH"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(normalize_text(c.slack_text, "UBOT").text, c.expected) << c.slack_text;
    }
    const NormalizedText mentions =
        normalize_text("<@U1> <@W2|w> <@U1|again> <@UBOT> &lt;@U3&gt;", "UBOT");
    ASSERT_EQ(mentions.mentions.size(), 2u);
    EXPECT_EQ(mentions.mentions[0].user_id, "U1");
    EXPECT_EQ(mentions.mentions[1].user_id, "W2");
    EXPECT_EQ(mentions.text, "@U1 @W2 @U1 <@U3>");
}

// --- slash commands and interactions -------------------------------------------------------

TEST(SlackSlashCommandTest, OfficialBodyDecodes) {
    const auto message = decode_slash_command(golden("slash_command_official.form"));
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->platform, "slack");
    EXPECT_EQ(message->text, "");
    EXPECT_EQ(message->chat_id, "G8PSS9T3V");
    EXPECT_FALSE(message->direct);
    EXPECT_EQ(message->sender_id, "U2CERLKJA");
    EXPECT_EQ(message->sender_name, "roadrunner");
    EXPECT_EQ(message->reply_url,
              "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
    EXPECT_EQ(message->dedup_key,
              "slash:T1DC2JH3J:G8PSS9T3V:U2CERLKJA:398738663015.47445629121."
              "803a0bc887a14d10d2c447fce8b6703c");
    EXPECT_EQ(message->message_id, "");
    EXPECT_EQ(message->thread_id, "");
}

TEST(SlackSlashCommandTest, TextIsTheCommandTextNormalised) {
    const std::string body =
        "team_id=T1&channel_id=D0PNCRP9N&channel_name=directmessage&user_id=U1&user_name=alice&"
        "command=%2Ftask&text=" +
        url_encode("assign T007 to <@U0456EFGH|bob> &amp; me") +
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=42.1.abc";
    const auto message = decode_slash_command(body);
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->text, "assign T007 to @U0456EFGH & me");
    ASSERT_EQ(message->mentions.size(), 1u);
    EXPECT_EQ(message->mentions[0].user_id, "U0456EFGH");
    EXPECT_TRUE(message->direct);
    EXPECT_EQ(message->dedup_key, "slash:T1:D0PNCRP9N:U1:42.1.abc");

    const auto plus = decode_slash_command(
        "team_id=T1&channel_id=C1&user_id=U1&command=%2Ftask&trigger_id=9&"
        "text=update+T003+60%25");
    ASSERT_TRUE(plus);
    EXPECT_EQ(plus->text, "update T003 60%");
}

TEST(SlackSlashCommandTest, BadBodiesAreRejected) {
    const std::vector<std::pair<std::string, const char*>> cases = {
        {"team_id=T1&channel_id=C1&user_id=U1&command=%2Ftask", "trigger_id"},
        {"team_id=T1&user_id=U1&command=%2Ftask&trigger_id=1", "channel_id"},
        {"team_id=T1&channel_id=C1&user_id=U1&trigger_id=1", "command"},
        {"team_id=T1&channel_id=C1&user_id=U1&command=%2Ftask&trigger_id=1&text=%zz",
         "form encoding"},
        {"team_id=T1&channel_id=C1&user_id=U1&command=%2Ftask&trigger_id=1&text=%FF", "UTF-8"},
    };
    for (const auto& [body, reason] : cases) {
        const auto message = decode_slash_command(body);
        ASSERT_FALSE(message) << body;
        EXPECT_EQ(message.error().code, core::ErrorCode::invalid_argument);
        EXPECT_NE(message.error().message.find(reason), std::string::npos)
            << message.error().message;
    }
}

TEST(SlackSlashCommandTest, SslCheckIsRecognised) {
    EXPECT_TRUE(is_ssl_check("ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G"));
    EXPECT_FALSE(is_ssl_check("ssl_check=0"));
    EXPECT_FALSE(is_ssl_check(golden("slash_command_official.form")));
    EXPECT_FALSE(is_ssl_check("ssl_check=%zz"));
}

TEST(SlackInteractionTest, BlockActionsButtonDecodes) {
    const auto interaction =
        decode_interaction("payload=" + url_encode(golden("block_actions.json")));
    ASSERT_TRUE(interaction) << interaction.error().message;
    EXPECT_EQ(interaction->action_id, "task_done");  // the "#2" uniqueness suffix is dropped
    EXPECT_EQ(interaction->value, "P1/T007");
    EXPECT_EQ(interaction->user_id, "U061F7AUR");
    EXPECT_EQ(interaction->user_name, "alice");
    EXPECT_EQ(interaction->channel_id, "C123ABC456");
    EXPECT_EQ(interaction->message_ts, "1700000500.000600");
    EXPECT_EQ(interaction->response_url,
              "https://hooks.slack.com/actions/T123ABC456/1234567890/abcdefghijkl");
    EXPECT_EQ(interaction->trigger_id, "12345.98765.abcd2358fdea");
    EXPECT_EQ(interaction->team_id, "T123ABC456");
}

TEST(SlackInteractionTest, BadPayloadsAreRejected) {
    const std::vector<std::pair<std::string, const char*>> cases = {
        {"token=x", "payload"},
        {"payload=%7Bnot", "malformed JSON"},
        {"payload=" + url_encode(R"({"type":"view_submission","user":{"id":"U1"}})"),
         "unsupported type view_submission"},
        {"payload=" + url_encode(R"({"type":"block_actions","user":{"id":"U1"},"actions":[]})"),
         "actions"},
        {"payload=" + url_encode(R"({"type":"block_actions","actions":[{"action_id":"a"}]})"),
         "user.id"},
        {"payload=" +
             url_encode(R"({"type":"block_actions","user":{"id":"U1"},"actions":[{"value":"v"}]})"),
         "action_id"},
    };
    for (const auto& [body, reason] : cases) {
        const auto interaction = decode_interaction(body);
        ASSERT_FALSE(interaction) << body;
        EXPECT_EQ(interaction.error().code, core::ErrorCode::invalid_argument);
        EXPECT_NE(interaction.error().message.find(reason), std::string::npos)
            << interaction.error().message;
    }
}

// --- rendering -----------------------------------------------------------------------------

size_t chars(const std::string& text) {
    size_t count = 0;
    for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return count;
}

core::ChatMessage digest() {
    const core::Markup markup = slack_markup();
    const core::Person alice{"alice", "Alice", "Growth", "U0123ABCD", "", "", "", ""};
    const core::Person bob{"bob", "Bob", "Growth", "", "", "", "", ""};
    core::ChatMessage message;
    message.title = "Daily digest 2026-08-01";
    message.sections = {
        markup.bold("T003") + " Payment API — 60% — owner " + markup.mention_of(alice),
        markup.bold("T007") + " Docs — :warning: delayed 2 days — owner " + markup.mention_of(bob)};
    message.fallback_text = "Daily digest: 2 tasks delayed";
    message.buttons = {{"Mark done", "task_done", "P1/T003"},
                       {"Mark done", "task_done", "P1/T007"},
                       {"Open", "task_open", "P1/T003"}};
    message.locale = core::Locale::en;
    return message;
}

TEST(SlackRenderTest, MarkupMentionsBySlackIdElseByName) {
    const core::Markup markup = slack_markup();
    EXPECT_EQ(markup.dialect, core::Dialect::slack_mrkdwn);
    EXPECT_EQ(markup.mention_of({"alice", "Alice", "", "U0123ABCD", "", "", "", ""}), "<@U0123ABCD>");
    EXPECT_EQ(markup.mention_of({"xm", "小明", "", "", "ou_1", "", "", ""}), "@小明");
    EXPECT_EQ(markup.mention_of({"xm", "", "", "", "", "", "", ""}), "@xm");
    EXPECT_EQ(markup.user_id({"alice", "Alice", "", "U0123ABCD", "", "", "", ""}), "U0123ABCD");
    EXPECT_EQ(markup.bold("T003"), "*T003*");
}

TEST(SlackRenderTest, EscapeTextEscapesTheThreeControlCharacters) {
    EXPECT_EQ(escape_text("a & b <@U1> > c"), "a &amp; b &lt;@U1&gt; &gt; c");
    EXPECT_EQ(normalize_text(escape_text("x &amp; <y>"), "").text, "x &amp; <y>");  // round trip
}

TEST(SlackRenderTest, PostMessageHasHeaderSectionsAndUniqueButtons) {
    const Json body = Json::parse(render_post_message(digest(), "C123ABC456", "1700000000.000100"));
    EXPECT_EQ(body.at("channel"), "C123ABC456");
    EXPECT_EQ(body.at("thread_ts"), "1700000000.000100");
    EXPECT_EQ(body.at("text"), "Daily digest: 2 tasks delayed");
    const Json& blocks = body.at("blocks");
    ASSERT_EQ(blocks.size(), 4u);
    EXPECT_EQ(blocks[0].at("type"), "header");
    EXPECT_EQ(blocks[0].at("text").at("type"), "plain_text");
    EXPECT_EQ(blocks[0].at("text").at("text"), "Daily digest 2026-08-01");
    EXPECT_EQ(blocks[1].at("type"), "section");
    EXPECT_EQ(blocks[1].at("text").at("type"), "mrkdwn");
    EXPECT_EQ(blocks[1].at("text").at("text"), "*T003* Payment API — 60% — owner <@U0123ABCD>");
    EXPECT_EQ(blocks[2].at("text").at("text"),
              "*T007* Docs — :warning: delayed 2 days — owner @Bob");
    const Json& elements = blocks[3].at("elements");
    EXPECT_EQ(blocks[3].at("type"), "actions");
    ASSERT_EQ(elements.size(), 3u);
    EXPECT_EQ(elements[0].at("action_id"), "task_done");
    EXPECT_EQ(elements[0].at("value"), "P1/T003");
    EXPECT_EQ(elements[0].at("text").at("text"), "Mark done");
    EXPECT_EQ(elements[1].at("action_id"), "task_done#2");
    EXPECT_EQ(elements[1].at("value"), "P1/T007");
    EXPECT_EQ(elements[2].at("action_id"), "task_open");

    // The click on the second button comes back as the plain action.
    Json payload = Json::parse(golden("block_actions.json"));
    payload["actions"][0]["action_id"] = elements[1].at("action_id");
    payload["actions"][0]["value"] = elements[1].at("value");
    const auto click = decode_interaction("payload=" + url_encode(payload.dump()));
    ASSERT_TRUE(click);
    EXPECT_EQ(click->action_id, "task_done");
    EXPECT_EQ(click->value, "P1/T007");
}

TEST(SlackRenderTest, ThreadTsIsOmittedWhenEmptyAndFallbackDefaultsToTheJoinedText) {
    core::ChatMessage message;
    message.sections = {"first", "second"};
    const Json body = Json::parse(render_post_message(message, "C1", ""));
    EXPECT_FALSE(body.contains("thread_ts"));
    EXPECT_EQ(body.at("text"), "first\nsecond");
    EXPECT_EQ(body.at("blocks").size(), 2u);  // no header without a title

    core::ChatMessage plain;
    plain.fallback_text = "just text";
    const Json text_only = Json::parse(render_post_message(plain, "C1", ""));
    EXPECT_EQ(text_only.at("text"), "just text");
    EXPECT_FALSE(text_only.contains("blocks"));  // an empty blocks array is rejected by Slack
}

TEST(SlackRenderTest, LongHeaderIsCutTo150Characters) {
    core::ChatMessage message;
    std::string title;
    for (int i = 0; i < 200; ++i) title += "简";
    message.title = title;
    message.sections = {"body"};
    const Json body = Json::parse(render_webhook(message));
    const std::string header = body.at("blocks")[0].at("text").at("text");
    EXPECT_EQ(chars(header), 150u);
    EXPECT_TRUE(header.ends_with("…"));
}

TEST(SlackRenderTest, LongSectionIsSplitAtLineBreaks) {
    std::string section;
    std::vector<std::string> lines;
    for (int i = 0; i < 200; ++i)
        lines.push_back("*T" + std::to_string(1000 + i) + "* " + std::string(25, 'x'));
    for (const auto& line : lines) section += (section.empty() ? "" : "\n") + line;
    ASSERT_GT(section.size(), 6000u);
    core::ChatMessage message;
    message.sections = {section};
    const Json blocks = Json::parse(render_webhook(message)).at("blocks");
    ASSERT_EQ(blocks.size(), 3u);
    std::string rejoined;
    for (const auto& block : blocks) {
        const std::string text = block.at("text").at("text");
        EXPECT_LE(chars(text), 3000u);
        EXPECT_EQ(text.front(), '*');  // every piece starts on a line boundary
        rejoined += (rejoined.empty() ? "" : "\n") + text;
    }
    EXPECT_EQ(rejoined, section);
}

TEST(SlackRenderTest, SplitNeverCutsInsideAMention) {
    const std::string section = std::string(2995, 'a') + "<@U0123ABCD>" + std::string(100, 'b');
    core::ChatMessage message;
    message.sections = {section};
    const Json blocks = Json::parse(render_webhook(message)).at("blocks");
    ASSERT_EQ(blocks.size(), 2u);
    EXPECT_EQ(blocks[0].at("text").at("text"), std::string(2995, 'a'));
    EXPECT_TRUE(std::string(blocks[1].at("text").at("text")).starts_with("<@U0123ABCD>"));
}

TEST(SlackRenderTest, ExtraSectionsAreFoldedIntoTheLastOfFiftyBlocks) {
    core::ChatMessage message;
    message.title = "Weekly";
    for (int i = 0; i < 60; ++i) message.sections.push_back("line " + std::to_string(i));
    message.buttons = {{"Open", "task_open", "P1"}};
    const Json blocks = Json::parse(render_post_message(message, "C1", "")).at("blocks");
    ASSERT_EQ(blocks.size(), 50u);
    EXPECT_EQ(blocks[0].at("type"), "header");
    EXPECT_EQ(blocks[49].at("type"), "actions");
    const std::string last = blocks[48].at("text").at("text");
    EXPECT_TRUE(last.starts_with("line 47\n\nline 48")) << last;
    EXPECT_TRUE(last.ends_with("line 59")) << last;  // everything fitted: no note
}

TEST(SlackRenderTest, SectionsThatCannotFoldAreCountedInANote) {
    core::ChatMessage message;
    message.locale = core::Locale::en;
    for (int i = 0; i < 60; ++i)
        message.sections.push_back(std::to_string(i) + std::string(2000, 'x'));
    const Json blocks = Json::parse(render_webhook(message)).at("blocks");
    ASSERT_EQ(blocks.size(), 50u);
    const std::string last = blocks[49].at("text").at("text");
    EXPECT_LE(chars(last), 3000u);
    EXPECT_TRUE(last.starts_with("49x")) << last.substr(0, 10);
    EXPECT_TRUE(last.ends_with("_… 10 more not shown_")) << last.substr(last.size() - 40);

    message.locale = core::Locale::zh_cn;
    const Json zh = Json::parse(render_webhook(message)).at("blocks");
    EXPECT_TRUE(std::string(zh[49].at("text").at("text")).ends_with("_…（另有 10 段未显示）_"));
}

TEST(SlackRenderTest, ResponseAndWebhookBodies) {
    const Json in_channel = Json::parse(render_response(digest(), true));
    EXPECT_EQ(in_channel.at("response_type"), "in_channel");
    EXPECT_EQ(in_channel.at("blocks").size(), 4u);
    EXPECT_FALSE(in_channel.contains("channel"));
    EXPECT_EQ(Json::parse(render_response(digest(), false)).at("response_type"), "ephemeral");

    const Json webhook = Json::parse(render_webhook(digest()));
    EXPECT_EQ(webhook.at("text"), "Daily digest: 2 tasks delayed");
    EXPECT_EQ(webhook.at("blocks").size(), 4u);
    EXPECT_FALSE(webhook.contains("channel"));
    EXPECT_FALSE(webhook.contains("response_type"));
}

TEST(SlackRenderTest, InvalidUtf8IsReplacedNotThrown) {
    core::ChatMessage message;
    message.sections = {"bad \xff byte"};
    const std::string rendered = render_webhook(message);
    EXPECT_TRUE(is_valid_utf8(rendered));
    EXPECT_TRUE(Json::accept(rendered));
}

// --- response judging ----------------------------------------------------------------------

struct ResponseCase {
    int status;
    std::string retry_after;
    std::string body;
    ApiOutcome::Kind kind;
    std::string error;
    long long retry_after_seconds;
};

const char* kind_name(ApiOutcome::Kind kind) {
    switch (kind) {
        case ApiOutcome::Kind::ok:
            return "ok";
        case ApiOutcome::Kind::retry:
            return "retry";
        case ApiOutcome::Kind::fatal:
            return "fatal";
    }
    return "?";
}

void expect_outcomes(const std::vector<ResponseCase>& cases,
                     ApiOutcome (*parse)(int, std::string_view, std::string_view)) {
    for (const auto& c : cases) {
        const ApiOutcome outcome = parse(c.status, c.retry_after, c.body);
        const std::string where = std::to_string(c.status) + " [" + c.retry_after + "] " + c.body;
        EXPECT_STREQ(kind_name(outcome.kind), kind_name(c.kind)) << where;
        EXPECT_EQ(outcome.error, c.error) << where;
        if (c.kind == ApiOutcome::Kind::retry) {
            EXPECT_EQ(outcome.retry_after_seconds, c.retry_after_seconds) << where;
        }
    }
}

TEST(SlackResponseTest, PostMessageResponseTable) {
    using K = ApiOutcome::Kind;
    const auto fatal = [](const std::string& code) {
        return ResponseCase{200,      "",   R"({"ok":false,"error":")" + code + R"("})",
                            K::fatal, code, 0};
    };
    std::vector<ResponseCase> cases = {
        {429, "7", R"({"ok":false,"error":"ratelimited"})", K::retry, "ratelimited", 7},
        {429, "", "", K::retry, "HTTP 429", 1},
        {429, "Wed, 21 Oct 2015 07:28:00 GMT", "", K::retry, "HTTP 429", 1},
        {503, "", "", K::retry, "HTTP 503", 0},
        {500, "", "<html>oops</html>", K::retry, "HTTP 500", 0},
        {408, "", "", K::retry, "HTTP 408", 0},
        {0, "", "", K::retry, "no response", 0},
        {200, "", R"({"ok":false,"error":"rate_limited"})", K::retry, "rate_limited", 30},
        {200, "12", R"({"ok":false,"error":"ratelimited"})", K::retry, "ratelimited", 12},
        {200, "", R"({"ok":false,"error":"internal_error"})", K::retry, "internal_error", 0},
        {200, "", "<html>gateway</html>", K::retry, "unparseable response body", 0},
        {200, "", "", K::retry, "unparseable response body", 0},
        {200, "", R"({"channel":"C1"})", K::retry, "response without \"ok\"", 0},
        {200, "", R"({"ok":false})", K::fatal, "unknown_error", 0},
        {404, "", "", K::fatal, "HTTP 404", 0},
        {400, "", R"({"ok":false,"error":"invalid_arguments"})", K::fatal, "invalid_arguments", 0},
        fatal("channel_not_found"),
        fatal("not_in_channel"),
        fatal("is_archived"),
        fatal("invalid_auth"),
        fatal("not_authed"),
        fatal("account_inactive"),
        fatal("msg_too_long"),
        fatal("no_text"),
        fatal("invalid_blocks"),
        fatal("msg_blocks_too_long"),
        fatal("some_future_error"),
    };
    expect_outcomes(cases, &parse_post_message_response);

    const ApiOutcome ok = parse_post_message_response(
        200, "",
        R"({"ok":true,"channel":"C1H9RESGL","ts":"1503435956.000247","message":{"text":"hi"}})");
    EXPECT_EQ(ok.kind, ApiOutcome::Kind::ok);
    EXPECT_EQ(ok.ts, "1503435956.000247");
    EXPECT_EQ(ok.error, "");
}

TEST(SlackResponseTest, WebhookResponseTable) {
    using K = ApiOutcome::Kind;
    const std::vector<ResponseCase> cases = {
        {200, "", "ok", K::ok, "", 0},
        {200, "", "ok\n", K::ok, "", 0},
        {200, "", R"({"ok":true})", K::ok, "", 0},
        {400, "", "invalid_payload", K::fatal, "invalid_payload", 0},
        {400, "", "no_text", K::fatal, "no_text", 0},
        {404, "", "channel_not_found", K::fatal, "channel_not_found", 0},
        {410, "", "channel_is_archived", K::fatal, "channel_is_archived", 0},
        {403, "", "action_prohibited", K::fatal, "action_prohibited", 0},
        {403, "", "posting_to_general_channel_denied", K::fatal,
         "posting_to_general_channel_denied", 0},
        {404, "", "no_service", K::fatal, "no_service", 0},
        {403, "", "invalid_token", K::fatal, "invalid_token", 0},
        {404, "", "<html>not found</html>", K::fatal, "HTTP 404", 0},
        {200, "", "<html>proxy</html>", K::fatal, "HTTP 200: unexpected body", 0},
        {404, "", R"({"ok":false,"error":"expired_url"})", K::fatal, "expired_url", 0},
        {429, "3", "", K::retry, "HTTP 429", 3},
        {429, "", "rate_limited", K::retry, "HTTP 429", 1},
        {200, "", "rate_limited", K::retry, "rate_limited", 30},
        {500, "", "", K::retry, "HTTP 500", 0},
        {502, "", "<html>bad gateway</html>", K::retry, "HTTP 502", 0},
        {0, "", "", K::retry, "no response", 0},
    };
    expect_outcomes(cases, &parse_webhook_response);
}

}  // namespace
}  // namespace adapters::slack
