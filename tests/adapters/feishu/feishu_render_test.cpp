// Feishu adapter outbound: markup, im/v1 and custom-bot bodies parsed back, splitting, tokens
// and API-response classification.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/feishu/feishu.h"

namespace adapters::feishu {
namespace {

using nlohmann::json;

core::Person zhang() {
    core::Person person;
    person.id = "zhang";
    person.name = "张三";
    person.feishu = "ou_84aad35d084aa403a838cf73ee18467";
    return person;
}

core::ChatMessage reply(std::string text, std::vector<std::string> mentions = {}) {
    core::ChatMessage message;
    message.sections = {std::move(text)};
    message.fallback_text = message.sections[0];
    message.mention_user_ids = std::move(mentions);
    return message;
}

core::ChatMessage digest() {
    core::Markup markup = feishu_markup(true);
    core::ChatMessage message;
    message.title = "Daily digest 2026-08-01";
    message.sections = {markup.bold("T003") + " 60% " + markup.mention_of(zhang()), "T007 delayed 2 days"};
    message.mention_user_ids = {zhang().feishu};
    message.buttons = {{"Mark done", "task_done", "P1/T003"}, {"Open", "task_open", "P1/T007"}};
    return message;
}

TEST(FeishuMarkupTest, CardAndTextMentionsUseTheirOwnTags) {
    core::Person unknown;
    unknown.id = "li";
    unknown.name = "李四";
    core::Markup card = feishu_markup(true);
    core::Markup text = feishu_markup(false);
    EXPECT_EQ(card.dialect, core::Dialect::markdown);
    EXPECT_EQ(text.dialect, core::Dialect::plain);
    EXPECT_EQ(card.mention_of(zhang()), "<at id=ou_84aad35d084aa403a838cf73ee18467></at>");
    EXPECT_EQ(text.mention_of(zhang()), "<at user_id=\"ou_84aad35d084aa403a838cf73ee18467\">张三</at>");
    EXPECT_EQ(card.mention_of(unknown), "@李四");
    EXPECT_EQ(text.mention_of(unknown), "@李四");
    EXPECT_EQ(card.user_id(zhang()), "ou_84aad35d084aa403a838cf73ee18467");
    EXPECT_EQ(text.user_id(unknown), "");
}

TEST(FeishuRenderTest, PlainReplyIsATextMessageWhoseContentIsAJsonString) {
    core::ChatMessage message =
        reply(feishu_markup(false).mention_of(zhang()) + " T003 已延期 2 天", {zhang().feishu});
    json body = json::parse(render_message_request(message, "oc_5ce6", "delay-T003-2026-08-01"));
    EXPECT_EQ(body["receive_id"], "oc_5ce6");
    EXPECT_EQ(body["msg_type"], "text");
    EXPECT_EQ(body["uuid"], "delay-T003-2026-08-01");
    ASSERT_TRUE(body["content"].is_string());
    json content = json::parse(body["content"].get<std::string>());
    EXPECT_EQ(content["text"], "<at user_id=\"ou_84aad35d084aa403a838cf73ee18467\">张三</at> T003 已延期 2 天");
}

TEST(FeishuRenderTest, TextReplyConvertsCardMentionsAndAppendsUnmentionedIds) {
    core::ChatMessage message = reply("T003 " + feishu_markup(true).mention_of(zhang()), {zhang().feishu, "ou_other"});
    json body = json::parse(render_message_request(message, "oc_1", ""));
    EXPECT_FALSE(body.contains("uuid"));
    json content = json::parse(body["content"].get<std::string>());
    EXPECT_EQ(content["text"],
              "T003 <at user_id=\"ou_84aad35d084aa403a838cf73ee18467\"></at>\n<at user_id=\"ou_other\"></at>");
}

TEST(FeishuRenderTest, DigestIsAnInteractiveCardWithDivsHrAndButtons) {
    json body = json::parse(render_message_request(digest(), "oc_1", "digest-2026-08-01"));
    EXPECT_EQ(body["msg_type"], "interactive");
    ASSERT_TRUE(body["content"].is_string());
    json card = json::parse(body["content"].get<std::string>());
    EXPECT_EQ(card["config"]["wide_screen_mode"], true);
    EXPECT_EQ(card["header"]["title"]["content"], "Daily digest 2026-08-01");
    const json& elements = card["elements"];
    ASSERT_EQ(elements.size(), 4u);
    EXPECT_EQ(elements[0]["tag"], "div");
    EXPECT_EQ(elements[0]["text"]["tag"], "lark_md");
    EXPECT_EQ(elements[0]["text"]["content"], "**T003** 60% <at id=ou_84aad35d084aa403a838cf73ee18467></at>");
    EXPECT_EQ(elements[1]["text"]["content"], "T007 delayed 2 days");
    EXPECT_EQ(elements[2]["tag"], "hr");
    EXPECT_EQ(elements[3]["tag"], "action");
    const json& actions = elements[3]["actions"];
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(actions[0]["text"]["content"], "Mark done");
    EXPECT_EQ(actions[0]["type"], "primary");
    // What a tap runs, in which language, and that the card is about two tasks (a tap answers
    // with a toast and leaves the digest's card as it is).
    EXPECT_EQ(actions[0]["value"],
              (json{{"action", "task_done"}, {"value", "P1/T003"}, {"lang", "zh-CN"}, {"single", false}}));
    EXPECT_EQ(actions[1]["value"]["value"], "P1/T007");
    EXPECT_EQ(card["config"]["update_multi"], true) << "an answer updates the card for everyone in the chat";
}

TEST(FeishuRenderTest, CardConvertsTextMentions) {
    core::ChatMessage message = digest();
    message.sections = {"owner " + feishu_markup(false).mention_of(zhang())};
    json card = json::parse(json::parse(render_message_request(message, "oc_1", ""))["content"].get<std::string>());
    EXPECT_EQ(card["elements"][0]["text"]["content"], "owner <at id=ou_84aad35d084aa403a838cf73ee18467></at>");
}

TEST(FeishuRenderTest, ReplyRequestCarriesNoReceiveId) {
    json body = json::parse(render_reply_request(reply("done"), "u-1", true));
    EXPECT_FALSE(body.contains("receive_id"));
    EXPECT_EQ(body["msg_type"], "text");
    EXPECT_EQ(body["reply_in_thread"], true);
    EXPECT_EQ(body["uuid"], "u-1");
    EXPECT_EQ(reply_path("om_5ce6"), "/open-apis/im/v1/messages/om_5ce6/reply");
}

TEST(FeishuBotTest, SignMatchesTheVectorsAndNotTheDingtalkOrder) {
    EXPECT_EQ(bot_sign("demo-secret-abc", 1599360473), "+Gk9cV/0R/yNAnWHidIKYJHRaQYGiozmDW9M48JsoVo=");
    EXPECT_EQ(bot_sign("demo-secret-abc", 1700000000), "WOEXvdJJyvLqO/okSxgMAmwaBPP3rV6PWcKFqb6O1Uk=");
    EXPECT_NE(bot_sign("demo-secret-abc", 1599360473), "34+kktRCF3VpqUXvdfA2RiFWRD478K0Zu6Dn2lE1EZs=");
}

TEST(FeishuBotTest, WebhookBodyHasSignInTheBodyAndContentAsAnObject) {
    core::ChatMessage message =
        reply(feishu_markup(false).mention_of(zhang()) + " T003 已延期 2 天", {zhang().feishu});
    json body = json::parse(render_bot_webhook(message, "demo-secret-abc", 1599360473));
    EXPECT_EQ(body["timestamp"], "1599360473");
    EXPECT_EQ(body["sign"], "+Gk9cV/0R/yNAnWHidIKYJHRaQYGiozmDW9M48JsoVo=");
    EXPECT_EQ(body["msg_type"], "text");
    ASSERT_TRUE(body["content"].is_object());
    EXPECT_EQ(body["content"]["text"], "<at user_id=\"ou_84aad35d084aa403a838cf73ee18467\">张三</at> T003 已延期 2 天");
}

TEST(FeishuBotTest, WebhookWithoutSecretOmitsSignAndSendsCardsAsObjects) {
    json body = json::parse(render_bot_webhook(digest(), "", 1599360473));
    EXPECT_FALSE(body.contains("timestamp"));
    EXPECT_FALSE(body.contains("sign"));
    EXPECT_EQ(body["msg_type"], "interactive");
    ASSERT_TRUE(body["card"].is_object());
    EXPECT_EQ(body["card"]["header"]["title"]["content"], "Daily digest 2026-08-01");
}

TEST(FeishuBotTest, SigningAnUnsignedBodyPutsTimestampAndSignInAndKeepsTheRest) {
    const std::string unsigned_body = render_bot_webhook(digest(), "", 0);
    auto signed_body = sign_bot_webhook_body(unsigned_body, "demo-secret-abc", 1700000000);
    ASSERT_TRUE(signed_body) << signed_body.error().message;
    json body = json::parse(*signed_body);
    EXPECT_EQ(body["timestamp"], "1700000000");  // a string of seconds (§2.8)
    EXPECT_EQ(body["sign"], "WOEXvdJJyvLqO/okSxgMAmwaBPP3rV6PWcKFqb6O1Uk=");  // §2.10
    body.erase("timestamp");
    body.erase("sign");
    EXPECT_EQ(body, json::parse(unsigned_body));
    // Signing again (a retry an hour later) replaces the old pair.
    auto resigned = sign_bot_webhook_body(*signed_body, "demo-secret-abc", 1599360473);
    ASSERT_TRUE(resigned);
    EXPECT_EQ(json::parse(*resigned)["sign"], "+Gk9cV/0R/yNAnWHidIKYJHRaQYGiozmDW9M48JsoVo=");
    for (std::string bad : {"", "not json", "[1,2]", "\"text\""}) {
        auto refused = sign_bot_webhook_body(bad, "demo-secret-abc", 1700000000);
        ASSERT_FALSE(refused) << bad;
        EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
        EXPECT_EQ(refused.error().message.find("demo-secret-abc"), std::string::npos);
    }
}

std::vector<std::string> all_sections(const std::vector<core::ChatMessage>& parts) {
    std::vector<std::string> out;
    for (const auto& part : parts) out.insert(out.end(), part.sections.begin(), part.sections.end());
    return out;
}

TEST(FeishuSplitTest, ShortMessagesAreNotSplit) {
    auto parts = split_for_limit(digest(), k_card_body_limit);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].title, digest().title);
    EXPECT_EQ(parts[0].sections, digest().sections);
}

TEST(FeishuSplitTest, LongDigestKeepsEverySectionAndEachPartFits) {
    struct Case { std::string name; size_t limit; bool bot; };
    for (const Case& c : {Case{"card 30 KB", k_card_body_limit, false}, Case{"bot 20 KB", k_bot_body_limit, true}}) {
        core::ChatMessage message = digest();
        message.sections.clear();
        for (int i = 0; i < 300; ++i)
            message.sections.push_back("**T" + std::to_string(i) + "** 进度 " + std::string(120, 'x') + " \"quoted\"");
        auto parts = split_for_limit(message, c.limit);
        ASSERT_GT(parts.size(), 1u) << c.name;
        EXPECT_EQ(all_sections(parts), message.sections) << c.name;
        for (size_t i = 0; i < parts.size(); ++i) {
            EXPECT_LE(render_message_request(parts[i], "oc_5ce6d572455d361153b7xx51da133945", "digest-2026-08-01").size(), c.limit);
            EXPECT_LE(render_bot_webhook(parts[i], "demo-secret-abc", 1700000000).size(), c.limit);
            EXPECT_EQ(parts[i].title, message.title + " (" + std::to_string(i + 1) + "/" + std::to_string(parts.size()) + ")");
            EXPECT_EQ(parts[i].buttons.empty(), i + 1 != parts.size()) << "buttons only on the last part";
        }
        EXPECT_EQ(parts[0].mention_user_ids, message.mention_user_ids) << "id mentioned nowhere goes first";
    }
}

TEST(FeishuSplitTest, OversizedSectionIsCutAtLinesAndLosesNothing) {
    core::ChatMessage message = reply("");
    std::string big;
    for (int i = 0; i < 2000; ++i) big += (i ? "\n" : "") + std::string("第") + std::to_string(i) + "行 进度正常";
    message.sections = {"head", big, "tail"};
    auto parts = split_for_limit(message, 8 * 1024);
    ASSERT_GT(parts.size(), 2u);
    std::vector<std::string> sections = all_sections(parts);
    EXPECT_EQ(sections.front(), "head");
    EXPECT_EQ(sections.back(), "tail");
    std::string rejoined;
    for (size_t i = 1; i + 1 < sections.size(); ++i) rejoined += (i > 1 ? "\n" : "") + sections[i];
    EXPECT_EQ(rejoined, big);
    for (const auto& part : parts) {
        EXPECT_TRUE(part.title.empty()) << "a text reply stays text";
        EXPECT_LE(render_message_request(part, "oc_1", "").size(), 8 * 1024u);
    }
}

TEST(FeishuTokenTest, RequestAndResponse) {
    EXPECT_EQ(json::parse(render_token_request("cli_slk", "dskLL")), (json{{"app_id", "cli_slk"}, {"app_secret", "dskLL"}}));
    auto token = parse_token_response(200, R"({"code":0,"msg":"ok","tenant_access_token":"t-caecc734","expire":7200})");
    ASSERT_TRUE(token) << token.error().message;
    EXPECT_EQ(token->token, "t-caecc734");
    EXPECT_EQ(token->expire_seconds, 7200);
    for (auto [status, body] : std::vector<std::pair<int, std::string>>{
             {200, R"({"code":10003,"msg":"invalid param"})"}, {500, "<html>"}, {200, R"({"code":0})"}}) {
        auto failed = parse_token_response(status, body);
        ASSERT_FALSE(failed) << body;
        EXPECT_EQ(failed.error().code, core::ErrorCode::upstream);
    }
}

TEST(FeishuApiResponseTest, ClassifiesEveryKnownAnswer) {
    using Kind = ApiOutcome::Kind;
    struct Case { int status; std::string reset; std::string body; Kind kind; long long code; long long retry_after; std::string in_message; };
    std::vector<Case> cases = {
        {200, "", R"({"code":0,"msg":"success","data":{"message_id":"om_1"}})", Kind::ok, 0, 0, ""},
        {200, "", R"({"code":0,"data":{},"msg":"success"})", Kind::ok, 0, 0, ""},
        {200, "", R"({"StatusCode":0,"StatusMessage":"success"})", Kind::ok, 0, 0, ""},
        {400, "", R"({"code":99991663,"msg":"tenant access token invalid"})", Kind::refresh_token, 99991663, 0, ""},
        {400, "", R"({"code":99991664,"msg":"app token invalid"})", Kind::refresh_token, 99991664, 0, ""},
        {400, "", R"({"code":99991671,"msg":"token invalid"})", Kind::refresh_token, 99991671, 0, ""},
        {400, "", R"({"code":99991661,"msg":"missing auth"})", Kind::refresh_token, 99991661, 0, ""},
        {429, "7", R"({"code":99991400,"msg":"request trigger frequency limit"})", Kind::retry, 99991400, 7, ""},
        {400, "", R"({"code":99991400,"msg":"request trigger frequency limit"})", Kind::retry, 99991400, 1, ""},
        {429, "", "", Kind::retry, 0, 1, ""},
        {200, "", R"({"code":11232,"msg":"frequency limited"})", Kind::retry, 11232, 1, ""},
        {400, "3", R"({"code":230020,"msg":"chat rate limit"})", Kind::retry, 230020, 3, ""},
        {502, "", "<html>bad gateway</html>", Kind::retry, 0, 0, "502"},
        {200, "", R"({"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"})", Kind::fatal, 19021, 0, "signature"},
        {200, "", R"({"code":19024,"msg":"Key Words Not Found"})", Kind::fatal, 19024, 0, "keyword"},
        {400, "", R"({"code":230002,"msg":"The bot can not be outside the group."})", Kind::fatal, 230002, 0, "230002"},
        {404, "", "not found", Kind::fatal, 0, 0, "404"},
        {200, "", "{}", Kind::fatal, 0, 0, "no code"},
        {429, "", "", Kind::retry, 0, 1, "HTTP 429"},
        {200, "", "<html><body>maintenance</body></html>", Kind::retry, 0, 0, "unreadable"},
        {200, "", R"({"code":0,"data":{"mess)", Kind::retry, 0, 0, "unreadable"},
        {404, "", "<html>not found</html>", Kind::fatal, 0, 0, "404"},
    };
    for (const auto& c : cases) {
        ApiOutcome got = parse_api_response(c.status, c.reset, c.body);
        EXPECT_EQ(got.kind, c.kind) << c.status << " " << c.body;
        EXPECT_EQ(got.code, c.code) << c.body;
        EXPECT_EQ(got.retry_after_seconds, c.retry_after) << c.body;
        EXPECT_NE(got.message.find(c.in_message), std::string::npos) << got.message;
    }
    EXPECT_EQ(parse_api_response(200, "", cases[0].body).message_id, "om_1");
}

}  // namespace
}  // namespace adapters::feishu
