// DingTalk adapter: protocols.md §3.7 vectors, the §3.2 golden callback, rendering parsed back,
// splitting, merging, tokens and API-response classification.
#include "adapters/dingtalk/dingtalk.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace adapters::dingtalk {
namespace {

using nlohmann::json;

std::string read_testdata(const std::string& name) {
    std::ifstream in(std::string(TRACKERD_TESTDATA_DIR) + "/../adapters/dingtalk/testdata/" + name,
                     std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

constexpr std::string_view k_app_secret = "demoAppSecret_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
constexpr std::string_view k_callback_sign = "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=";
constexpr long long k_ts = 1700000000000;

core::Person zhang() {
    core::Person person;
    person.id = "zhang";
    person.name = "张三";
    person.dingtalk = "16650246698";
    return person;
}

core::ChatMessage reply(std::string text, std::vector<std::string> mentions = {}) {
    core::ChatMessage message;
    message.sections = {std::move(text)};
    message.mention_user_ids = std::move(mentions);
    return message;
}

core::ChatMessage digest() {
    core::ChatMessage message;
    message.title = "每日汇总";
    message.sections = {"- T003 60% " + dingtalk_markup().mention_of(zhang()), "- T007 延期 2 天"};
    message.mention_user_ids = {"16650246698"};
    message.buttons = {{"完成", "task_done", "P1/T003"}};
    return message;
}

// ---- §3.7 vectors and callback verification -----------------------------------------------

TEST(DingtalkCallbackTest, SignMatchesTheVector) {
    EXPECT_EQ(callback_sign(k_app_secret, k_ts), k_callback_sign);
    EXPECT_TRUE(verify_callback(k_app_secret, "1700000000000", k_callback_sign, k_ts));
    EXPECT_TRUE(verify_callback(k_app_secret, "1700000000000", k_callback_sign, k_ts + 3600000));
    EXPECT_TRUE(verify_callback(k_app_secret, "1700000000000", k_callback_sign, k_ts - 3600000));
}

TEST(DingtalkCallbackTest, ForgedStaleAndMissingHeadersAreUnauthorizedWithAReason) {
    struct Case { std::string name, timestamp, sign; long long now; long long window; std::string reason; };
    std::vector<Case> cases = {
        {"stale", "1700000000000", std::string(k_callback_sign), k_ts + 3600001, 3600000, "window"},
        {"from the future", "1700000000000", std::string(k_callback_sign), k_ts - 3600001, 3600000, "window"},
        {"tighter window", "1700000000000", std::string(k_callback_sign), k_ts + 300001, 300000, "window"},
        {"forged", "1700000000000", "AAAARRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=", k_ts, 3600000, "sign"},
        {"url-encoded sign", "1700000000000", "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8%3D", k_ts, 3600000, "sign"},
        {"other timestamp", "1700000000001", std::string(k_callback_sign), k_ts, 3600000, "sign"},
        {"missing timestamp", "", std::string(k_callback_sign), k_ts, 3600000, "timestamp"},
        {"missing sign", "1700000000000", "", k_ts, 3600000, "sign"},
        {"seconds with junk", "1700000000000x", std::string(k_callback_sign), k_ts, 3600000, "number"},
    };
    for (const auto& c : cases) {
        auto result = verify_callback(k_app_secret, c.timestamp, c.sign, c.now, c.window);
        ASSERT_FALSE(result) << c.name;
        EXPECT_EQ(result.error().code, core::ErrorCode::unauthorized) << c.name;
        EXPECT_NE(result.error().message.find(c.reason), std::string::npos) << c.name << ": " << result.error().message;
    }
}

TEST(DingtalkCustomRobotTest, UrlSignMatchesTheVectorsExactly) {
    EXPECT_EQ(sign_custom_robot_url("https://oapi.dingtalk.com/robot/send?access_token=ACCESS_TOKEN",
                                    "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd",
                                    1700000000015),
              "https://oapi.dingtalk.com/robot/send?access_token=ACCESS_TOKEN&timestamp=1700000000015"
              "&sign=WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D");
    EXPECT_EQ(sign_custom_robot_url("https://x/robot/send?access_token=T", "this is secret", k_ts),
              "https://x/robot/send?access_token=T&timestamp=1700000000000"
              "&sign=sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D");
    EXPECT_EQ(sign_custom_robot_url("https://x/robot/send", "this is secret", k_ts),
              "https://x/robot/send?timestamp=1700000000000&sign=sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D");
    EXPECT_EQ(sign_custom_robot_url("https://x/robot/send?access_token=T", "", k_ts),
              "https://x/robot/send?access_token=T");
}

// ---- decode_callback ----------------------------------------------------------------------

TEST(DingtalkDecodeTest, GoldenGroupCallbackDecodes) {
    auto callback = decode_callback(read_testdata("callback_group_text.json"));
    ASSERT_TRUE(callback) << callback.error().message;
    ASSERT_EQ(callback->kind, Callback::Kind::message);
    const InboundMessage& msg = callback->message;
    EXPECT_EQ(msg.platform, "dingtalk");
    EXPECT_EQ(msg.text, "T003 进度 60%");
    EXPECT_EQ(msg.sender_id, "16650246698");
    EXPECT_EQ(msg.sender_name, "张三");
    EXPECT_EQ(msg.chat_id, "cidAsXSBLnA==");
    EXPECT_FALSE(msg.direct);
    EXPECT_EQ(msg.dedup_key, "msgLICYeHgY4JtMQw==");
    EXPECT_EQ(msg.message_id, "msgLICYeHgY4JtMQw==");
    EXPECT_EQ(msg.reply_url, "https://oapi.dingtalk.com/robot/sendBySession?session=76da36b4…");
    EXPECT_EQ(msg.reply_url_expires_ms, 1700005400000);
    EXPECT_EQ(msg.created_ms, 1699999999900);
    EXPECT_TRUE(msg.mentions.empty()) << "the bot is not a mention";
    EXPECT_EQ(callback->robot_code, "dingxxxx");
    EXPECT_EQ(callback->conversation_title, "项目群");
}

TEST(DingtalkCallbackTest, APairIsBoundToItsMessageUntilTheWindowCloses) {
    auto callback = decode_callback(read_testdata("callback_group_text.json"));
    ASSERT_TRUE(callback) << callback.error().message;
    InboundMessage genuine = callback->message;
    bind_callback_signature(genuine, "1700000000000", "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=", 3600000);
    EXPECT_EQ(genuine.signature, "1700000000000:9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=");
    EXPECT_EQ(genuine.signature_expires_at, 1700003601);
    EXPECT_EQ(genuine.signature_binding.rfind("msgLICYeHgY4JtMQw== ", 0), 0u) << genuine.signature_binding;

    InboundMessage again = callback->message;  // a redelivery binds the same way
    bind_callback_signature(again, "1700000000000", "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=", 3600000);
    EXPECT_EQ(again.signature_binding, genuine.signature_binding);
    // Another text, another sender or another chat under the same msgId binds differently.
    for (auto change : {+[](InboundMessage& m) { m.text = "T003 进度 99%"; },
                        +[](InboundMessage& m) { m.sender_id = "manager"; },
                        +[](InboundMessage& m) { m.chat_id = "cidOther=="; }}) {
        InboundMessage forged = callback->message;
        change(forged);
        bind_callback_signature(forged, "1700000000000", "9grAuIRRsXI166kcJYjhH3usmuOaZ5r3dXKCSWh4Zv8=", 3600000);
        EXPECT_EQ(forged.signature, genuine.signature);
        EXPECT_NE(forged.signature_binding, genuine.signature_binding);
    }
}

TEST(DingtalkDecodeTest, BodiesNestedPastTheBoundAreRefused) {
    std::string body = read_testdata("callback_group_text.json");
    auto with = [&](int depth) {
        return "{\"deep\":" + std::string(depth, '[') + std::string(depth, ']') + "," + body.substr(body.find('{') + 1);
    };
    EXPECT_TRUE(decode_callback(with(63)));
    auto refused = decode_callback(with(64));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
    EXPECT_EQ(refused.error().message, "JSON nests deeper than 64 levels");
    EXPECT_FALSE(decode_callback(std::string(500000, '{')));
}

TEST(DingtalkDecodeTest, OtherMentionsAreListedByStaffIdWithoutTheBot) {
    json body = json::parse(read_testdata("callback_group_text.json"));
    body["atUsers"] = json::array({json{{"dingtalkId", "$:LWCP_v1:$4bot…"}},
                                   json{{"dingtalkId", "$:LWCP_v1:$li"}, {"staffId", "0123"}},
                                   json{{"dingtalkId", "$:LWCP_v1:$ext"}},
                                   json{{"dingtalkId", "$:LWCP_v1:$li"}, {"staffId", "0123"}}});
    body["text"]["content"] = " T003 交给 @李四 ";
    auto callback = decode_callback(body.dump());
    ASSERT_TRUE(callback);
    EXPECT_EQ(callback->message.text, "T003 交给 @李四");
    ASSERT_EQ(callback->message.mentions.size(), 1u);
    EXPECT_EQ(callback->message.mentions[0].user_id, "0123");
}

TEST(DingtalkDecodeTest, DirectChatAndSenderFallback) {
    json body = json::parse(read_testdata("callback_group_text.json"));
    body["conversationType"] = "1";
    body.erase("senderStaffId");
    auto callback = decode_callback(body.dump());
    ASSERT_TRUE(callback);
    EXPECT_TRUE(callback->message.direct);
    EXPECT_EQ(callback->message.sender_id, "$:LWCP_v1:$jqTgIfhRX9Q==");
}

TEST(DingtalkDecodeTest, NonTextMessagesAreIgnoredWithAReason) {
    for (std::string type : {"picture", "richText", "audio", "file"}) {
        json body = json::parse(read_testdata("callback_group_text.json"));
        body["msgtype"] = type;
        body.erase("text");
        auto callback = decode_callback(body.dump());
        ASSERT_TRUE(callback) << type;
        EXPECT_EQ(callback->kind, Callback::Kind::ignored) << type;
        EXPECT_NE(callback->ignored_reason.find(type), std::string::npos) << callback->ignored_reason;
        EXPECT_EQ(callback->message.dedup_key, "msgLICYeHgY4JtMQw==");
    }
}

TEST(DingtalkDecodeTest, MalformedCallbacksAreInvalidArguments) {
    json body = json::parse(read_testdata("callback_group_text.json"));
    json no_id = body;
    no_id.erase("msgId");
    json no_chat = body;
    no_chat.erase("conversationId");
    json no_text = body;
    no_text.erase("text");
    for (const auto& [name, raw] : std::vector<std::pair<std::string, std::string>>{
             {"not json", "{"}, {"no msgId", no_id.dump()}, {"no conversationId", no_chat.dump()},
             {"text without content", no_text.dump()}}) {
        auto callback = decode_callback(raw);
        ASSERT_FALSE(callback) << name;
        EXPECT_EQ(callback.error().code, core::ErrorCode::invalid_argument) << name;
    }
}

// ---- Rendering ----------------------------------------------------------------------------

TEST(DingtalkMarkupTest, MentionsUseTheStaffIdOrTheName) {
    core::Markup markup = dingtalk_markup();
    core::Person unknown;
    unknown.id = "li";
    unknown.name = "李四";
    EXPECT_EQ(markup.dialect, core::Dialect::markdown);
    EXPECT_EQ(markup.mention_of(zhang()), "@16650246698");
    EXPECT_EQ(markup.mention_of(unknown), "@李四");
    EXPECT_EQ(markup.user_id(zhang()), "16650246698");
    EXPECT_EQ(markup.user_id(unknown), "");
}

TEST(DingtalkRenderTest, PlainReplyIsTextWithAtUserIds) {
    json body = json::parse(render_session_reply(reply("@16650246698 T003 已延期 2 天", {"16650246698"})));
    EXPECT_EQ(body["msgtype"], "text");
    EXPECT_EQ(body["text"]["content"], "@16650246698 T003 已延期 2 天");
    EXPECT_EQ(body["at"]["atUserIds"], json::array({"16650246698"}));
    EXPECT_EQ(body["at"]["isAtAll"], false);
}

TEST(DingtalkRenderTest, MissingAtTextIsAppendedForEachMention) {
    json body = json::parse(render_session_reply(reply("T003 已延期", {"16650246698", "0123", "0123"})));
    EXPECT_EQ(body["text"]["content"], "T003 已延期\n\n@16650246698 @0123");
    EXPECT_EQ(body["at"]["atUserIds"], json::array({"16650246698", "0123"}));
}

// Markdown carries no callback buttons: the digest's "done" button becomes what to type.
TEST(DingtalkRenderTest, DigestIsMarkdownWithTitleMentionsAndTheButtonsTypedCommand) {
    json body = json::parse(render_session_reply(digest()));
    EXPECT_EQ(body["msgtype"], "markdown");
    EXPECT_EQ(body["markdown"]["title"], "每日汇总");
    EXPECT_EQ(body["markdown"]["text"], "### 每日汇总\n\n- T003 60% @16650246698\n\n- T007 延期 2 天\n\n回复「T003 完成」");
    EXPECT_EQ(body["at"]["atUserIds"], json::array({"16650246698"}));
}

TEST(DingtalkRenderTest, CustomRobotAddsMsgUuidOnlyWhenGiven) {
    json with = json::parse(render_custom_robot(digest(), "digest-2026-08-01"));
    EXPECT_EQ(with["msgUuid"], "digest-2026-08-01");
    EXPECT_EQ(with["msgtype"], "markdown");
    json without = json::parse(render_custom_robot(reply("hi"), ""));
    EXPECT_FALSE(without.contains("msgUuid"));
    EXPECT_EQ(without["text"]["content"], "hi");
}

TEST(DingtalkRenderTest, SessionEnvelopeCarriesBothRequestsAndReadsBackAsRendered) {
    const auto message = reply("@16650246698 T003 已延期 2 天", {"16650246698"});
    auto envelope = read_session_envelope(render_session_envelope(message, "dingxxxx", "cidAsXSBLnA=="));
    ASSERT_TRUE(envelope);
    EXPECT_EQ(json::parse(envelope->session), json::parse(render_session_reply(message)));
    EXPECT_EQ(json::parse(envelope->api), json::parse(render_group_message(message, "dingxxxx", "cidAsXSBLnA==")));
}

TEST(DingtalkRenderTest, ABareSessionBodyHasNoFallbackAndNonJsonIsRefused) {
    const std::string bare = render_session_reply(reply("hi"));
    auto envelope = read_session_envelope(bare);
    ASSERT_TRUE(envelope);
    EXPECT_EQ(envelope->session, bare);
    EXPECT_EQ(envelope->api, "");
    EXPECT_FALSE(read_session_envelope("not json"));
    EXPECT_FALSE(read_session_envelope("[1]"));
}

TEST(DingtalkRenderTest, GroupMessageParamIsAJsonString) {
    json markdown = json::parse(render_group_message(digest(), "dingxxxx", "cidAsXSBLnA=="));
    EXPECT_EQ(markdown["robotCode"], "dingxxxx");
    EXPECT_EQ(markdown["openConversationId"], "cidAsXSBLnA==");
    EXPECT_EQ(markdown["msgKey"], "sampleMarkdown");
    ASSERT_TRUE(markdown["msgParam"].is_string());
    json param = json::parse(markdown["msgParam"].get<std::string>());
    EXPECT_EQ(param["title"], "每日汇总");
    EXPECT_EQ(param["text"], "### 每日汇总\n\n- T003 60% @16650246698\n\n- T007 延期 2 天\n\n回复「T003 完成」");

    json text = json::parse(render_group_message(reply("done"), "dingxxxx", "cid"));
    EXPECT_EQ(text["msgKey"], "sampleText");
    EXPECT_EQ(json::parse(text["msgParam"].get<std::string>()), (json{{"content", "done"}}));
}

core::ChatMessage long_digest() {
    core::ChatMessage message = digest();
    message.sections.clear();
    for (int i = 0; i < 400; ++i)
        message.sections.push_back("- T" + std::to_string(i) + " 进度正常 \"ok\" " + std::string(40, 'x'));
    return message;
}

TEST(DingtalkRenderTest, OversizedGroupMessageIsTruncatedWithANote) {
    core::ChatMessage message = long_digest();
    json body = json::parse(render_group_message(message, "dingxxxx", "cid"));
    std::string param = body["msgParam"].get<std::string>();
    EXPECT_LE(param.size(), k_msg_param_limit);
    EXPECT_GT(param.size(), k_msg_param_limit - 200) << "keeps as much as fits";
    std::string text = json::parse(param)["text"].get<std::string>();
    EXPECT_NE(text.find("已截断"), std::string::npos);
    EXPECT_EQ(text.rfind("### 每日汇总\n\n- T0 ", 0), 0u);
}

TEST(DingtalkSplitTest, LongDigestKeepsEverySectionAndEachParamFits) {
    core::ChatMessage message = long_digest();
    auto parts = split_for_limit(message);
    ASSERT_GT(parts.size(), 1u);
    std::vector<std::string> sections;
    for (size_t i = 0; i < parts.size(); ++i) {
        sections.insert(sections.end(), parts[i].sections.begin(), parts[i].sections.end());
        json body = json::parse(render_group_message(parts[i], "dingxxxx", "cid"));
        std::string param = body["msgParam"].get<std::string>();
        EXPECT_LE(param.size(), k_msg_param_limit);
        EXPECT_EQ(param.find("已截断"), std::string::npos) << "no part needs truncating";
        EXPECT_EQ(parts[i].title, "每日汇总 (" + std::to_string(i + 1) + "/" + std::to_string(parts.size()) + ")");
    }
    EXPECT_EQ(sections, message.sections);
    EXPECT_EQ(parts[0].mention_user_ids, message.mention_user_ids);
    ASSERT_EQ(split_for_limit(digest()).size(), 1u);
}

TEST(DingtalkMergeTest, MergesSectionsTitlesMentionsAndButtons) {
    core::ChatMessage warning = digest();
    warning.title = "延期预警";
    warning.sections = {"T007 已延期 @0123"};
    warning.mention_user_ids = {"0123", "16650246698"};
    core::ChatMessage plain = reply("T009 完成");
    core::ChatMessage merged = merge_messages({digest(), warning, plain});
    EXPECT_EQ(merged.title, "3 条通知");
    EXPECT_EQ(merged.sections, (std::vector<std::string>{"**每日汇总**", "- T003 60% @16650246698", "- T007 延期 2 天",
                                                          "**延期预警**", "T007 已延期 @0123", "T009 完成"}));
    EXPECT_EQ(merged.mention_user_ids, (std::vector<std::string>{"16650246698", "0123"}));
    EXPECT_EQ(merged.buttons.size(), 1u);
    EXPECT_EQ(merge_messages({plain}).sections, plain.sections);
    EXPECT_TRUE(merge_messages({}).sections.empty());
    core::ChatMessage untitled = merge_messages({plain, reply("T010 完成")});
    EXPECT_TRUE(untitled.title.empty()) << "replies merge into a text message";
    EXPECT_EQ(json::parse(render_custom_robot(untitled, ""))["msgtype"], "text");
}

// ---- Tokens and responses -----------------------------------------------------------------

TEST(DingtalkTokenTest, RequestAndResponse) {
    EXPECT_EQ(json::parse(render_token_request("dingxxxx", "s3cret")), (json{{"appKey", "dingxxxx"}, {"appSecret", "s3cret"}}));
    auto token = parse_token_response(200, R"({"accessToken":"fw8ef8we8f76e6f7s8df8s","expireIn":7200})");
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(token->token, "fw8ef8we8f76e6f7s8df8s");
    EXPECT_EQ(token->expire_seconds, 7200);
    auto failed = parse_token_response(400, R"({"code":"invalidClientSecret","message":"bad secret"})");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, core::ErrorCode::upstream);
    EXPECT_NE(failed.error().message.find("invalidClientSecret"), std::string::npos);
    EXPECT_FALSE(parse_token_response(200, "nope"));
}

TEST(DingtalkApiResponseTest, ClassifiesEveryKnownAnswer) {
    using Kind = ApiOutcome::Kind;
    struct Case { int status; std::string body; Kind kind; long long code; long long retry_after; std::string in_message; };
    std::vector<Case> cases = {
        {200, R"({"processQueryKey":"pqk-1"})", Kind::ok, 0, 0, ""},
        {200, R"({"errcode":0,"errmsg":"ok"})", Kind::ok, 0, 0, ""},
        {401, R"({"code":"InvalidAuthentication","message":"token invalid"})", Kind::refresh_token, 0, 0, "InvalidAuthentication"},
        {403, "", Kind::refresh_token, 0, 0, "403"},
        {400, R"({"code":"InvalidAuthentication","message":"不合法的access_token"})", Kind::refresh_token, 0, 0, ""},
        {200, R"({"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"})", Kind::retry, 130101, 600, "too fast"},
        {200, R"({"errcode":310000,"errmsg":"keywords not in content"})", Kind::fatal, 310000, 0, "keywords not in content"},
        {200, R"({"errcode":310000,"errmsg":"sign not match"})", Kind::fatal, 310000, 0, "security"},
        {200, R"({"errcode":300001,"errmsg":"token is not exist"})", Kind::fatal, 300001, 0, "300001"},
        {429, R"({"code":"Throttling","message":"slow down"})", Kind::retry, 0, 1, "Throttling"},
        {503, "<html>", Kind::retry, 0, 0, "503"},
        {400, R"({"code":"invalidParameter","message":"msgParam too long"})", Kind::fatal, 0, 0, "invalidParameter"},
        {200, "{}", Kind::fatal, 0, 0, "200"},
        {200, "<html><body>maintenance</body></html>", Kind::retry, 0, 0, "unreadable"},
        {200, R"({"processQueryKey":"pq)", Kind::retry, 0, 0, "unreadable"},
        {404, "<html>not found</html>", Kind::fatal, 0, 0, "unreadable"},
    };
    for (const auto& c : cases) {
        ApiOutcome got = parse_api_response(c.status, c.body);
        EXPECT_EQ(got.kind, c.kind) << c.status << " " << c.body;
        EXPECT_EQ(got.code, c.code) << c.body;
        EXPECT_EQ(got.retry_after_seconds, c.retry_after) << c.body;
        EXPECT_NE(got.message.find(c.in_message), std::string::npos) << got.message;
    }
    EXPECT_EQ(parse_api_response(200, cases[0].body).message_id, "pqk-1");
}

}  // namespace
}  // namespace adapters::dingtalk
