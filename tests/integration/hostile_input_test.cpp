// Hostile input, one row each, against the real App with Slack, Feishu and DingTalk enabled:
// the request, the HTTP status, a log line that names the reason, and what the database holds
// afterwards. A request refused at the door (size, content type, signature, window, replay,
// malformed body, unknown path) leaves every table exactly as it was — not even a
// de-duplication mark. A request that reaches a person (unknown chat, unbound user, another
// project's task, ids with SQL or markup, an over-long line) gets one short reply saying why,
// whose text cannot ping anyone, and changes nothing but that reply and the mark that stops a
// retry from answering twice.

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "tests/integration/three_platforms.h"
#include "adapters/common/form.h"
#include "tests/support/deep_json.h"

namespace {

using testing_support::ThreePlatforms;
using testing_support::three_platforms::k_xiaoli;
using testing_support::three_platforms::k_xiaoming;
using testing_support::three_platforms::k_stranger;
using testing_support::three_platforms::k_zhang;
using Request = testing_support::three_platforms::Request;

// What the database may hold afterwards.
enum class After {
    unchanged,  // every table exactly as before
    replied,    // one reply queued and delivered, one dedup mark (two for Feishu); nothing else
    answered,   // Slack slash command: the reply is in the HTTP answer; one dedup mark, nothing else
};

struct Case {
    std::string name;
    std::function<Request(ThreePlatforms&)> request;
    int status;
    std::string log;                        // a substring of one log line naming the reason
    After after;
    std::string reply_has;                  // replied / answered: the reply says why
    std::vector<std::string> reply_lacks;   // markup that must not come back live
    std::function<void(ThreePlatforms&)> before;  // sent first, outside the comparison
};

// The row's request over the size limit (1 MiB by default) by one byte.
std::string over_limit() { return std::string((1 << 20) + 1, 'x'); }
std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string long_text(size_t bytes) {
    std::string text = "update T003 60% ";
    while (text.size() < bytes) text += "很长的备注 ";
    return text;
}

void PrintTo(const Case& row, std::ostream* out) { *out << row.name; }

class HostileInputTest : public ThreePlatforms, public ::testing::WithParamInterface<Case> {};

// Short names for the table.
struct Rows {
    using Who = testing_support::three_platforms::Who;
    static Request slack_event(ThreePlatforms& f, const std::string& id, const std::string& text, const Who& who = k_xiaoming,
                               const std::string& channel = testing_support::three_platforms::k_slack_chat) {
        return f.slack_event(id, who, text, channel);
    }
    static Request slack_signed(ThreePlatforms& f, const std::string& path, const std::string& body,
                                const std::string& content_type = "application/json") {
        return f.slack_signed(path, body, content_type);
    }
    static Request slash(ThreePlatforms& f, const std::string& text_form) {
        std::string body =
            "token=x&team_id=T123ABC456&team_domain=acme&channel_id=C123ABC456&channel_name=launch&user_id=U061F7AUR"
            "&user_name=xiaoming&command=%2Ftrack&text=" + text_form +
            "&api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1&trigger_id=123.456.abc";
        return slack_signed(f, "/slack/commands", body, "application/x-www-form-urlencoded");
    }
    static Request feishu_event(ThreePlatforms&, const std::string& id, const std::string& text, const Who& who = k_xiaoming,
                                const std::string& chat = testing_support::three_platforms::k_feishu_chat) {
        return ThreePlatforms::feishu_event(id, who, text, chat);
    }
    static Request feishu_signed(ThreePlatforms&, const std::string& body) { return ThreePlatforms::feishu_signed(body); }
    static std::string feishu_encrypt(const std::string& plaintext) { return ThreePlatforms::feishu_encrypt(plaintext); }
    static std::string feishu_json(const std::string& id, const std::string& text) {
        return ThreePlatforms::feishu_event_json(id, "om_" + id, k_xiaoming, text);
    }
    static Request dingtalk_event(ThreePlatforms& f, const std::string& id, const std::string& text, const Who& who = k_xiaoming,
                                  const std::string& chat = testing_support::three_platforms::k_dingtalk_chat) {
        return f.dingtalk_event(id, who, text, chat);
    }
    static std::string dingtalk_body(ThreePlatforms& f, const std::string& id, const std::string& text) {
        return f.dingtalk_body(id, k_xiaoming, text);
    }
    static Request dingtalk_signed(ThreePlatforms& f, const std::string& body, long long at_ms = 0) {
        return f.dingtalk_signed(body, at_ms);
    }
    static void send_ok(ThreePlatforms& f, const Request& request) {
        auto response = f.send(request);
        ASSERT_TRUE(response);
        ASSERT_EQ(response->status, 200) << response->body;
        ASSERT_TRUE(f.wait_for_replies(1));
    }
};

// Invalid UTF-8 where the JSON says text: the placeholder is swapped for raw bytes after dump().
std::string with_invalid_utf8(std::string json) {
    auto at = json.find("BADBYTES");
    json.replace(at, 8, "\xff\xfe\xc3");
    return json;
}

// The DingTalk callback `genuine` (sent first, applied) was signed with; `body` posted under it.
Request under_the_headers_of(const Request& genuine, const std::string& body) {
    Request replay = genuine;
    replay.body = body;
    return replay;
}

// A Feishu event encrypted and signed as Feishu does, at X-Lark-Request-Timestamp `ts`.
Request feishu_signed_at(long long ts, const std::string& body) {
    Request r = ThreePlatforms::feishu_signed(body);
    std::string stamp = std::to_string(ts);
    std::string nonce = "1234567890";
    r.headers = {{"X-Lark-Request-Timestamp", stamp},
                 {"X-Lark-Request-Nonce", nonce},
                 {"X-Lark-Signature",
                  adapters::to_hex(adapters::sha256(stamp + nonce + testing_support::secrets::k_feishu_encrypt_key + body))}};
    return r;
}

Request with_content_type(Request request, const std::string& type) {
    request.content_type = type;
    return request;
}

constexpr long long k_replay_ms = testing_support::three_platforms::k_now * 1000 - 500;

std::vector<Case> cases() {
    using R = Rows;
    const std::string sql = "T003'; DROP TABLE tasks;--";
    return {
        // ---- Slack ----
        {"SlackBodyOverTheSizeLimit", [](auto& f) { return R::slack_signed(f, "/slack/events", over_limit()); }, 413,
         "request body too large", After::unchanged, "", {}, nullptr},
        {"SlackWrongContentType",
         [](auto& f) { return with_content_type(R::slack_event(f, "EvCT", "update T003 60%"), "text/plain"); }, 415,
         "content type text/plain", After::unchanged, "", {}, nullptr},
        {"SlackInvalidUtf8InText",
         [](auto& f) { return R::slack_signed(f, "/slack/events", with_invalid_utf8(Rows::slack_event(f, "EvU8", "BADBYTES").body)); },
         400, "malformed payload", After::unchanged, "", {}, nullptr},
        {"SlackInvalidUtf8InASlashCommand", [](auto& f) { return R::slash(f, "update+T003+%FF%FE+60%25"); }, 400,
         "text is not valid UTF-8", After::unchanged, "", {}, nullptr},
        // Slack sends a typed "<!channel>" as "&lt;!channel&gt;" (a real @channel arrives as "<!channel>").
        {"SlackSlashCommandWithALiteralChannelPing", [](auto& f) { return R::slash(f, "show+%26lt%3B%21channel%26gt%3B"); }, 200,
         "parse_error", After::answered, "&lt;!channel&gt;", {"<!channel>"}, nullptr},
        {"SlackDeeplyNestedJson", [](auto& f) { return R::slack_signed(f, "/slack/events", nested(100000)); }, 400,
         "malformed payload", After::unchanged, "", {}, nullptr},
        {"UnknownPlatformPath",
         [](auto& f) { auto r = R::slack_event(f, "EvPath", "update T003 60%"); r.path = "/teams/events"; return r; },
         404, "no such endpoint", After::unchanged, "", {}, nullptr},
        {"SlackUnknownChat", [](auto& f) { return R::slack_event(f, "EvChat", "update T003 60%", k_xiaoming, "C0STRANGER"); },
         200, "not bound to a project", After::replied, "还没有绑定项目", {}, nullptr},
        {"SlackForgedSignature",
         [](auto& f) {
             auto r = R::slack_event(f, "EvForged", "update T003 60%");
             r.headers.erase("X-Slack-Signature");
             r.headers.emplace("X-Slack-Signature", ThreePlatforms::slack_sign(r.headers.find("X-Slack-Request-Timestamp")->second, r.body, "not-the-secret"));
             return r;
         },
         401, "signature mismatch", After::unchanged, "", {}, nullptr},
        {"SlackStaleTimestamp",
         [](auto&) {
             std::string body = ThreePlatforms::slack_event_body("EvStale", k_xiaoming.slack, "update T003 60%");
             std::string ts = std::to_string(testing_support::three_platforms::k_now - 301);
             return Request{"/slack/events", body,
                            {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", ThreePlatforms::slack_sign(ts, body)}}};
         },
         401, "stale timestamp", After::unchanged, "", {}, nullptr},
        {"SlackFutureTimestamp",
         [](auto&) {
             std::string body = ThreePlatforms::slack_event_body("EvFuture", k_xiaoming.slack, "update T003 60%");
             std::string ts = std::to_string(testing_support::three_platforms::k_now + 301);
             return Request{"/slack/events", body,
                            {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", ThreePlatforms::slack_sign(ts, body)}}};
         },
         401, "in the future", After::unchanged, "", {}, nullptr},
        // The signature and the 5-minute window guard every Slack path, not only events.
        {"SlackSlashCommandWithAForgedSignature",
         [](auto& f) {
             auto r = R::slash(f, "done+T003");
             std::string ts = r.headers.find("X-Slack-Request-Timestamp")->second;
             r.headers.erase("X-Slack-Signature");
             r.headers.emplace("X-Slack-Signature", ThreePlatforms::slack_sign(ts, r.body, "not-the-secret"));
             return r;
         },
         401, "signature mismatch", After::unchanged, "", {}, nullptr},
        {"SlackStaleButtonPress",
         [](auto&) {
             std::string payload = R"({"type":"block_actions","user":{"id":"U061F7AUR"},"channel":{"id":"C123ABC456"},)"
                                   R"("trigger_id":"t1","actions":[{"action_id":"task_done","value":"P1/T003"}]})";
             std::string body = "payload=" + adapters::url_encode(payload);
             std::string ts = std::to_string(testing_support::three_platforms::k_now - 301);
             return Request{"/slack/interactive", body,
                            {{"X-Slack-Request-Timestamp", ts}, {"X-Slack-Signature", ThreePlatforms::slack_sign(ts, body)}},
                            "application/x-www-form-urlencoded"};
         },
         401, "stale timestamp", After::unchanged, "", {}, nullptr},
        {"SlackSignedEventWithADeepFieldBesideValidContent",
         [](auto& f) {
             return R::slack_signed(f, "/slack/events",
                                    testing_support::with_deep_field(R::slack_event(f, "EvDeep", "update T003 43%").body));
         },
         400, "nests deeper than 64", After::unchanged, "", {}, nullptr},
        {"SlackSignedInteractionWithADeepPayload",
         [](auto& f) {
             // 100 deep: cpp-httplib refuses form bodies over 8 KiB (413) before trackerd sees them.
             std::string payload = testing_support::with_deep_field(R"({"type":"block_actions","actions":[]})", 100);
             return R::slack_signed(f, "/slack/interactive", "payload=" + adapters::url_encode(payload),
                                    "application/x-www-form-urlencoded");
         },
         400, "nests deeper than 64", After::unchanged, "", {}, nullptr},
        {"SlackReplayedRequest", [](auto& f) { return R::slack_event(f, "EvReplay", "update T003 60%"); }, 200,
         "duplicate delivery", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::slack_event(f, "EvReplay", "update T003 60%")); }},
        {"SlackUserNotBoundToAPerson", [](auto& f) { return R::slack_event(f, "EvStranger", "update T003 60%", k_stranger); },
         200, "unknown_person", After::replied, "which team member you are", {}, nullptr},
        {"SlackCommandOnAnotherProjectsTask", [](auto& f) { return R::slack_event(f, "EvP2", "done Q003", k_zhang); }, 200,
         "not_found Q003", After::replied, "No task Q003 here", {}, nullptr},
        {"SlackTaskIdWithSql", [sql](auto& f) { return R::slack_event(f, "EvSql", "update " + sql + " 60%"); }, 200,
         "parse_error", After::replied, "", {}, nullptr},
        {"SlackTaskIdWithScriptMarkup", [](auto& f) { return R::slack_event(f, "EvScript", "update &lt;script&gt;alert(1)&lt;/script&gt; 60%"); },
         200, "parse_error", After::replied, "&lt;script&gt;", {"<script>"}, nullptr},
        {"SlackTaskIdWithALiteralMention", [](auto& f) { return R::slack_event(f, "EvAt", "update &lt;@U0XIAOLI1&gt; 60%"); },
         200, "parse_error", After::replied, "&lt;@U0XIAOLI1&gt;", {"<@U0XIAOLI1>"}, nullptr},
        {"SlackLiteralChannelPing", [](auto& f) { return R::slack_event(f, "EvAll", "show &lt;!channel&gt;"); }, 200,
         "parse_error", After::replied, "&lt;!channel&gt;", {"<!channel>"}, nullptr},
        {"SlackExtremelyLongMessage", [](auto& f) { return R::slack_event(f, "EvLong", long_text(200 * 1024)); }, 200,
         "parse_error (too_long)", After::replied, "太长", {}, nullptr},

        // ---- Feishu ----
        {"FeishuBodyOverTheSizeLimit", [](auto& f) { return R::feishu_signed(f, over_limit()); }, 413,
         "request body too large", After::unchanged, "", {}, nullptr},
        {"FeishuWrongContentType",
         [](auto& f) { return with_content_type(R::feishu_event(f, "fct", "T003 进度 60%"), "application/x-www-form-urlencoded"); },
         415, "content type application/x-www-form-urlencoded", After::unchanged, "", {}, nullptr},
        {"FeishuInvalidUtf8InText",
         [](auto& f) { return R::feishu_signed(f, R::feishu_encrypt(with_invalid_utf8(R::feishu_json("fu8", "BADBYTES")))); },
         400, "malformed payload", After::unchanged, "", {}, nullptr},
        {"FeishuDeeplyNestedJson", [](auto& f) { return R::feishu_signed(f, nested(100000)); }, 400,
         "malformed payload", After::unchanged, "", {}, nullptr},
        {"FeishuUnknownChat", [](auto& f) { return R::feishu_event(f, "fchat", "T003 进度 60%", k_xiaoming, "oc_stranger"); },
         200, "not bound to a project", After::replied, "还没有绑定项目", {}, nullptr},
        {"FeishuForgedSignature",
         [](auto& f) {
             auto r = R::feishu_event(f, "fforged", "T003 进度 60%");
             r.headers.erase("X-Lark-Signature");
             r.headers.emplace("X-Lark-Signature", std::string(64, '0'));
             return r;
         },
         401, "X-Lark-Signature does not match", After::unchanged, "", {}, nullptr},
        {"FeishuWrongVerificationToken",
         [](auto& f) {
             return R::feishu_signed(f, R::feishu_encrypt(ThreePlatforms::feishu_event_json(
                                            "ftoken", "om_ftoken", k_xiaoming, "T003 进度 60%",
                                            testing_support::three_platforms::k_feishu_chat, "not-the-token")));
         },
         401, "Verification Token does not match", After::unchanged, "", {}, nullptr},
        {"FeishuSignedEventWithADeepFieldBesideValidContent",
         [](auto& f) {
             return R::feishu_signed(f, R::feishu_encrypt(testing_support::with_deep_field(R::feishu_json("fdeep", "T003 进度 43%"))));
         },
         400, "nests deeper than 64", After::unchanged, "", {}, nullptr},
        {"FeishuSignedEventWithADeepMessageContent",
         [](auto& f) {
             auto event = nlohmann::json::parse(R::feishu_json("fdeepc", "T003 进度 43%"));
             event["event"]["message"]["content"] =
                 testing_support::with_deep_field(nlohmann::json{{"text", "T003 进度 43%"}}.dump(), 100);
             return R::feishu_signed(f, R::feishu_encrypt(event.dump()));
         },
         400, "nests deeper than 64", After::unchanged, "", {}, nullptr},
        {"FeishuStaleTimestamp",
         [](auto&) {
             return feishu_signed_at(testing_support::three_platforms::k_now - 8 * 3600 - 1,
                                     R::feishu_encrypt(R::feishu_json("fstale", "T003 进度 60%")));
         },
         401, "stale X-Lark-Request-Timestamp", After::unchanged, "", {}, nullptr},
        {"FeishuFutureTimestamp",
         [](auto&) {
             return feishu_signed_at(testing_support::three_platforms::k_now + 301,
                                     R::feishu_encrypt(R::feishu_json("ffuture", "T003 进度 60%")));
         },
         401, "in the future", After::unchanged, "", {}, nullptr},
        {"FeishuReplayedRequest", [](auto& f) { return R::feishu_event(f, "freplay", "T003 进度 60%"); }, 200,
         "duplicate delivery", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::feishu_event(f, "freplay", "T003 进度 60%")); }},
        {"FeishuUserNotBoundToAPerson", [](auto& f) { return R::feishu_event(f, "fstranger", "T003 进度 60%", k_stranger); },
         200, "unknown_person", After::replied, "哪位成员", {}, nullptr},
        {"FeishuCommandOnAnotherProjectsTask", [](auto& f) { return R::feishu_event(f, "fp2", "Q003 完成", k_zhang); }, 200,
         "not_found Q003", After::replied, "找不到任务 Q003", {}, nullptr},
        {"FeishuTaskIdWithSql", [sql](auto& f) { return R::feishu_event(f, "fsql", sql + " 进度 60%"); }, 200,
         "parse_error", After::replied, "", {}, nullptr},
        {"FeishuTaskIdWithAtAllMarkup",
         [](auto& f) { return R::feishu_event(f, "fatall", "<at user_id=\"all\">所有人</at> 完成"); }, 200,
         "parse_error", After::replied, "＜at", {"<at user_id=\\\"all\\\""}, nullptr},
        {"FeishuTaskIdWithAtMarkup", [](auto& f) { return R::feishu_event(f, "fat", "<at user_id=\"x\">y</at> 完成"); }, 200,
         "parse_error", After::replied, "＜at", {"<at user_id=\\\"x\\\""}, nullptr},
        {"FeishuExtremelyLongMessage", [](auto& f) { return R::feishu_event(f, "flong", long_text(200 * 1024)); }, 200,
         "parse_error", After::replied, "太长", {}, nullptr},

        // ---- DingTalk ----
        {"DingtalkBodyOverTheSizeLimit", [](auto& f) { return R::dingtalk_signed(f, over_limit()); }, 413,
         "request body too large", After::unchanged, "", {}, nullptr},
        {"DingtalkWrongContentType",
         [](auto& f) { return with_content_type(R::dingtalk_event(f, "dct", "T003 进度 60%"), "text/xml"); }, 415,
         "content type text/xml", After::unchanged, "", {}, nullptr},
        {"DingtalkInvalidUtf8InText",
         [](auto& f) { return R::dingtalk_signed(f, with_invalid_utf8(R::dingtalk_body(f, "du8", "BADBYTES"))); }, 400,
         "malformed payload", After::unchanged, "", {}, nullptr},
        {"DingtalkDeeplyNestedJson", [](auto& f) { return R::dingtalk_signed(f, nested(100000)); }, 400,
         "malformed payload", After::unchanged, "", {}, nullptr},
        {"DingtalkUnknownChat", [](auto& f) { return R::dingtalk_event(f, "dchat", "T003 进度 60%", k_xiaoming, "cidSTRANGER=="); },
         200, "not bound to a project", After::replied, "还没有绑定项目", {}, nullptr},
        {"DingtalkForgedSignature",
         [](auto& f) {
             auto r = R::dingtalk_event(f, "dforged", "T003 进度 60%");
             r.headers.erase("sign");
             r.headers.emplace("sign", ThreePlatforms::dingtalk_sign(std::stoll(r.headers.find("timestamp")->second), "wrong"));
             return r;
         },
         401, "sign does not match", After::unchanged, "", {}, nullptr},
        {"DingtalkStaleTimestamp",
         [](auto& f) {
             return R::dingtalk_signed(f, R::dingtalk_body(f, "dstale", "T003 进度 60%"),
                                       (testing_support::three_platforms::k_now - 3601) * 1000);
         },
         401, "outside", After::unchanged, "", {}, nullptr},
        {"DingtalkCallbackWithADeepFieldBesideValidContent",
         [](auto& f) { return R::dingtalk_signed(f, testing_support::with_deep_field(R::dingtalk_body(f, "ddeep", "T003 进度 43%"))); },
         400, "nests deeper than 64", After::unchanged, "", {}, nullptr},
        // The captured headers of a genuine callback, with another message (another msgId,
        // another sender, another text) posted under them inside the window.
        {"DingtalkReplayedSignatureWithAnotherMessage",
         [](auto& f) { return under_the_headers_of(R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine", "T003 进度 63%"), k_replay_ms),
                                                   f.dingtalk_body("dforged", k_xiaoli, "T003 进度 99%")); },
         401, "replayed signature", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine", "T003 进度 63%"), k_replay_ms)); }},
        // The same msgId, another text: not the platform's redelivery either.
        {"DingtalkReplayedSignatureWithTheSameMsgIdAndAnotherText",
         [](auto& f) { return R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine2", "T003 进度 99%"), k_replay_ms); },
         401, "replayed signature", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine2", "T003 进度 63%"), k_replay_ms)); }},
        // The captured request as it was: the same pair, the same message.
        {"DingtalkReplayedRequest",
         [](auto& f) { return R::dingtalk_signed(f, R::dingtalk_body(f, "dreplay", "T003 进度 60%"), k_replay_ms); }, 200,
         "duplicate delivery", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::dingtalk_signed(f, R::dingtalk_body(f, "dreplay", "T003 进度 60%"), k_replay_ms)); }},
        {"DingtalkUserNotBoundToAPerson", [](auto& f) { return R::dingtalk_event(f, "dstranger", "T003 进度 60%", k_stranger); },
         200, "unknown_person", After::replied, "哪位成员", {}, nullptr},
        // Set-up commands (issue 21) under the same checks: a replayed pair carrying a bind, a
        // forged Slack bind in an unbound channel, a member binding another team's project.
        {"DingtalkReplayedSignatureCarryingABind",
         [](auto& f) { return under_the_headers_of(R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine3", "T003 进度 63%"), k_replay_ms),
                                                   f.dingtalk_body("dbind", k_xiaoming, "绑定 P2", "cidOTHER==")); },
         401, "replayed signature", After::unchanged, "", {},
         [](auto& f) { R::send_ok(f, R::dingtalk_signed(f, R::dingtalk_body(f, "dgenuine3", "T003 进度 63%"), k_replay_ms)); }},
        {"SlackForgedBindInAnUnboundChannel",
         [](auto& f) {
             auto r = R::slack_event(f, "EvForgedBind", "bind P1", k_xiaoming, "C0STRANGER");
             r.headers.erase("X-Slack-Signature");
             r.headers.emplace("X-Slack-Signature", ThreePlatforms::slack_sign(r.headers.find("X-Slack-Request-Timestamp")->second, r.body, "not-the-secret"));
             return r;
         },
         401, "signature mismatch", After::unchanged, "", {}, nullptr},
        {"FeishuMemberBindsAnotherTeamsProject", [](auto& f) { return R::feishu_event(f, "fbind", "绑定 P2", k_xiaoming); },
         200, "team bind:not_allowed", After::replied, "只有管理员或项目负责人", {}, nullptr},
        {"DingtalkCommandOnAnotherProjectsTask", [](auto& f) { return R::dingtalk_event(f, "dp2", "Q003 完成", k_zhang); }, 200,
         "not_found Q003", After::replied, "找不到任务 Q003", {}, nullptr},
        {"DingtalkTaskIdWithSql", [sql](auto& f) { return R::dingtalk_event(f, "dsql", sql + " 进度 60%"); }, 200,
         "parse_error", After::replied, "", {}, nullptr},
        {"DingtalkTaskIdWithMarkup", [](auto& f) { return R::dingtalk_event(f, "dmark", "<script>alert(1)</script> 完成"); }, 200,
         "parse_error", After::replied, "", {}, nullptr},
        {"DingtalkExtremelyLongMessage", [](auto& f) { return R::dingtalk_event(f, "dlong", long_text(200 * 1024)); }, 200,
         "parse_error", After::replied, "太长", {}, nullptr},
    };
}

size_t rows_in(const testing_support::StoreSnapshot& snapshot, const std::string& table) {
    auto it = snapshot.find(table);
    if (it == snapshot.end()) return 0;
    return static_cast<size_t>(std::count(it->second.begin(), it->second.end(), '\n'));
}

TEST_P(HostileInputTest, IsAnsweredWithItsStatusLoggedWithItsReasonAndChangesNothing) {
    const Case& row = GetParam();
    start();
    if (row.before) {
        row.before(*this);
        if (HasFatalFailure()) return;
    }
    drain_outbox();
    const size_t replies_before = replies().size();
    const auto before = snapshot();
    m_log.clear();

    auto response = send(row.request(*this));
    ASSERT_TRUE(response) << "no HTTP answer: " << httplib::to_string(response.error());
    EXPECT_EQ(response->status, row.status) << response->body.substr(0, 300);
    EXPECT_TRUE(m_log.has_line_with({row.log})) << "no log line with \"" << row.log << "\" in:\n" << m_log.joined();
    if (response->status != 200) {  // a refusal names its reason in well-formed JSON
        auto parsed = nlohmann::json::parse(response->body, nullptr, false);
        EXPECT_FALSE(parsed.is_discarded()) << response->body.substr(0, 300);
    }
    for (auto secret : testing_support::secrets::k_all_secrets)
        EXPECT_EQ(response->body.find(secret), std::string::npos) << secret;
    EXPECT_FALSE(m_log.has_line_with({"handler failed"})) << m_log.joined();

    if (row.after == After::replied) {
        ASSERT_TRUE(wait_for_replies(replies_before + 1));
    }
    drain_outbox();
    const auto after = snapshot();
    const auto sent = replies();
    switch (row.after) {
        case After::unchanged:
            EXPECT_EQ(testing_support::changed_tables(before, after), "");
            EXPECT_EQ(sent.size(), replies_before);
            break;
        case After::replied:
        case After::answered: {
            auto tracker_before = before;
            auto tracker_after = after;
            for (auto* snapshot : {&tracker_before, &tracker_after}) {
                snapshot->erase("inbound_seen");
                snapshot->erase("signature_uses");  // DingTalk: the pair bound to this message
                snapshot->erase("outbox");
                // PostgreSQL (a shared database): the worker leased the reply's destination.
                snapshot->erase("outbox_leases");
                // The unbound chat's hint goes out at most once a day: its mark ("hint/…").
                std::string kept, rows = (*snapshot)["state"];
                for (size_t at = 0, end; at < rows.size(); at = end + 1) {
                    end = rows.find('\n', at);
                    if (end == std::string::npos) end = rows.size();
                    if (rows.compare(at, 5, "hint/") != 0) kept += rows.substr(at, end - at) + "\n";
                }
                (*snapshot)["state"] = kept;
            }
            EXPECT_EQ(testing_support::changed_tables(tracker_before, tracker_after), "");
            size_t marks = rows_in(after, "inbound_seen") - rows_in(before, "inbound_seen");
            EXPECT_TRUE(marks == 1 || marks == 2) << marks;
            std::string reply;
            if (row.after == After::replied) {
                EXPECT_EQ(rows_in(after, "outbox"), rows_in(before, "outbox") + 1);
                ASSERT_EQ(sent.size(), replies_before + 1);
                reply = sent.back();
            } else {
                EXPECT_EQ(rows_in(after, "outbox"), rows_in(before, "outbox"));
                reply = response->body;
            }
            EXPECT_NE(reply.find(row.reply_has), std::string::npos) << reply.substr(0, 500);
            for (const auto& lacking : row.reply_lacks)
                EXPECT_EQ(reply.find(lacking), std::string::npos) << lacking << " in " << reply.substr(0, 500);
            EXPECT_LT(reply.size(), 4000u) << "the reply echoes the whole message";
            break;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Table, HostileInputTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& param) { return param.param.name; });

}  // namespace
