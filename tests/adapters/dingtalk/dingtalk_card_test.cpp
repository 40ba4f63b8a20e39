// DingTalk interactive cards (cards research §B): the x-ddpaas signature vector, the capability
// tokens, the callback body, the tap -> command mapping, the card and the answer.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/dingtalk/card.h"
#include "core/task_buttons.h"
#include "adapters/dingtalk/dingtalk.h"
#include "adapters/dingtalk/stream.h"

namespace {

using namespace adapters::dingtalk;
using nlohmann::json;

// Cards research §B.4: computed with Python hmac, cross-checked with openssl.
constexpr const char* k_api_secret = "demoCardApiSecret_0123456789";
constexpr long long k_ts = 1700000000000;
constexpr const char* k_signature = "YcEjSPWyk0oWddk3FmrFJBjoqQaRw4KpU2DiORFUlV8=";
constexpr const char* k_chat = "cidAsXSBLnA==";

std::string key() { return card_token_key("trackerd-demo-link-secret-0123456789abcdef"); }

CardToken token(std::string action = "task_done", long long expires = 1700086400) {
    return CardToken{k_chat, "P1/T003", std::move(action), core::Locale::zh_cn, expires, "n7Qx2abc-d"};
}

TEST(DingtalkCardSignatureTest, SignatureMatchesTheResearchVector) {
    EXPECT_EQ(card_signature(k_api_secret, k_ts), k_signature);
    EXPECT_EQ(card_signature("ACTION", k_ts), "ZDl1TSqcOZvcWEsqqUm1kbBYI8Lv5ssEdzZ3QsjoP9c=");
    EXPECT_TRUE(verify_card_signature(k_api_secret, "1700000000000", k_signature, k_ts));
    EXPECT_TRUE(verify_card_signature(k_api_secret, "1700000000000", k_signature, k_ts + 300000));
    EXPECT_TRUE(verify_card_signature(k_api_secret, "1700000000000", k_signature, k_ts - 300000));
}

TEST(DingtalkCardSignatureTest, ForgedStaleAndMissingHeadersAreRefusedWithAReason) {
    struct Case { std::string name, secret, timestamp, signature; long long now; std::string reason; };
    const std::vector<Case> cases = {
        {"stale", k_api_secret, "1700000000000", k_signature, k_ts + 300001, "window"},
        {"from the future", k_api_secret, "1700000000000", k_signature, k_ts - 300001, "window"},
        {"forged", k_api_secret, "1700000000000", "AAAjSPWyk0oWddk3FmrFJBjoqQaRw4KpU2DiORFUlV8=", k_ts, "does not match"},
        {"other secret", "another-secret", "1700000000000", k_signature, k_ts, "does not match"},
        {"other timestamp", k_api_secret, "1700000000001", k_signature, k_ts, "does not match"},
        {"missing timestamp", k_api_secret, "", k_signature, k_ts, "missing x-ddpaas-signature-timestamp"},
        {"missing signature", k_api_secret, "1700000000000", "", k_ts, "missing x-ddpaas-signature"},
        {"not a number", k_api_secret, "17e11", k_signature, k_ts, "not a number"},
        {"no secret configured", "", "1700000000000", k_signature, k_ts, "card_api_secret"},
    };
    for (const auto& c : cases) {
        auto verified = verify_card_signature(c.secret, c.timestamp, c.signature, c.now);
        ASSERT_FALSE(verified) << c.name;
        EXPECT_EQ(verified.error().code, core::ErrorCode::unauthorized) << c.name;
        EXPECT_NE(verified.error().message.find(c.reason), std::string::npos) << c.name << ": " << verified.error().message;
    }
}

TEST(DingtalkCardSignatureTest, ATimestampInSecondsIsReadAsSeconds) {  // UNSURE unit (§B.1)
    const std::string seconds = card_signature(k_api_secret, 1700000000);
    EXPECT_TRUE(verify_card_signature(k_api_secret, "1700000000", seconds, k_ts + 1000));
}

TEST(DingtalkCardTokenTest, AMintedTokenVerifiesAndSaysWhatItWasIssuedFor) {
    auto tk = mint_card_token(key(), token());
    ASSERT_TRUE(tk);
    EXPECT_EQ(tk->rfind("v1|dingtalk|cidAsXSBLnA==|P1/T003|done|1700086400|n7Qx2abc-d|", 0), 0u) << *tk;
    auto verified = verify_card_token(key(), *tk, 1700000000);
    ASSERT_TRUE(verified) << verified.error().message;
    EXPECT_EQ(verified->chat_id, k_chat);
    EXPECT_EQ(verified->value, "P1/T003");
    EXPECT_EQ(verified->action, "task_done");
    EXPECT_EQ(verified->locale, core::Locale::zh_cn);
    EXPECT_EQ(verified->nonce, "n7Qx2abc-d");
    EXPECT_EQ(card_nonce_of(verified->nonce), "n7Qx2abc");
    EXPECT_EQ(out_track_id("n7Qx2abc"), "trk-n7Qx2abc");
}

TEST(DingtalkCardTokenTest, AnEnglishCardsTokenKeepsItsLanguage) {
    CardToken english = token("task_ack");
    english.locale = core::Locale::en;
    auto verified = verify_card_token(key(), *mint_card_token(key(), english), 1700000000);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified->locale, core::Locale::en);
    EXPECT_EQ(verified->action, "task_ack");
}

TEST(DingtalkCardTokenTest, TamperedForgedAndExpiredTokensAreRefused) {
    const std::string tk = *mint_card_token(key(), token());
    auto replaced = [&](const std::string& from, const std::string& to) {
        std::string out = tk;
        out.replace(out.find(from), from.size(), to);
        return out;
    };
    struct Case { std::string name, tk, key; long long now; std::string reason; };
    const std::vector<Case> cases = {
        {"other chat", replaced(k_chat, "cidOther=="), key(), 1700000000, "does not match"},
        {"other task", replaced("T003", "T004"), key(), 1700000000, "does not match"},
        {"other op", replaced("|done|", "|ack|"), key(), 1700000000, "does not match"},
        {"later expiry", replaced("1700086400", "1800086400"), key(), 1700000000, "does not match"},
        {"other key", tk, card_token_key("another secret"), 1700000000, "does not match"},
        {"no mac", tk.substr(0, tk.rfind('|')), key(), 1700000000, "malformed"},
        {"expired", tk, key(), 1700086401, "expired"},
        {"empty", "", key(), 1700000000, "no token"},
        {"garbage", "hello", key(), 1700000000, "malformed"},
    };
    for (const auto& c : cases) {
        auto verified = verify_card_token(c.key, c.tk, c.now);
        ASSERT_FALSE(verified) << c.name;
        EXPECT_EQ(verified.error().code, core::ErrorCode::unauthorized) << c.name;
        EXPECT_NE(verified.error().message.find(c.reason), std::string::npos) << c.name << ": " << verified.error().message;
    }
}

TEST(DingtalkCardTokenTest, FieldsThatCannotStandInATokenMintNone) {
    CardToken bar = token();
    bar.chat_id = "cid|x";
    EXPECT_FALSE(mint_card_token(key(), bar));
    EXPECT_FALSE(mint_card_token(key(), token("claim_confirm")));
    EXPECT_FALSE(mint_card_token("", token()));
}

TEST(DingtalkCardTapTest, EachButtonRunsTheCommandAPersonWouldType) {
    struct Case { std::string action, value; core::Locale locale; std::optional<std::string> text; };
    const std::vector<Case> cases = {
        {"task_done", "P1/T003", core::Locale::zh_cn, "T003 完成"},
        {"task_done", "P1/T003", core::Locale::en, "done T003"},
        {"task_ack", "P1/T003", core::Locale::zh_cn, "收到 T003"},
        {"task_ack", "P1/T003", core::Locale::en, "ack T003"},
        {"task_delay", "P1/T003", core::Locale::zh_cn, "T003 延期"},
        {"task_delay", "P1/T003", core::Locale::en, "delay T003"},
        {"task_open", "P1/T003", core::Locale::zh_cn, "查看 T003"},
        {"web_view", "P1", core::Locale::zh_cn, "看板 P1"},
        {"web_view", "P1", core::Locale::en, "web P1"},
        {"task_done", "P1", core::Locale::zh_cn, std::nullopt},
        {"task_done", "P1/T003 进度 100%", core::Locale::zh_cn, std::nullopt},
        {"claim_confirm", "U1:小明", core::Locale::zh_cn, std::nullopt},
    };
    for (const auto& c : cases)
        EXPECT_EQ(core::button_command(c.action, c.value, c.locale), c.text) << c.action << " " << c.value;
}

TEST(DingtalkCardCallbackTest, TheDocumentedHttpBodyDecodes) {
    // §B.1's sample, with the tk param trackerd's template binds.
    const std::string body =
        R"({"type":"actionCallback","outTrackId":"trk-n7Qx2abc","corpId":"dingXXXXXX","userId":"16650246698",)"
        R"("content":"{\"cardPrivateData\":{\"actionIds\":[\"done\"],\"params\":{\"tk\":\"v1|x\"}}}"})";
    auto tap = decode_card_callback(body);
    ASSERT_TRUE(tap) << tap.error().message;
    EXPECT_EQ(tap->out_track_id, "trk-n7Qx2abc");
    EXPECT_EQ(tap->user_id, "16650246698");
    EXPECT_EQ(tap->corp_id, "dingXXXXXX");
    EXPECT_EQ(tap->action_id, "done");
    EXPECT_EQ(tap->token, "v1|x");
    EXPECT_EQ(tap->space_id, "");
}

TEST(DingtalkCardCallbackTest, AStreamCallbackCarriesItsSpace) {
    json data{{"outTrackId", "trk-1"}, {"userId", "u1"}, {"spaceType", "IM_GROUP"}, {"spaceId", k_chat},
              {"userIdType", 1}, {"extension", "{}"},
              {"content", R"({"cardPrivateData":{"actionIds":["a"],"params":{"tk":"t"}}})"}};
    auto tap = decode_card_callback(data.dump());
    ASSERT_TRUE(tap);
    EXPECT_EQ(tap->space_type, "IM_GROUP");
    EXPECT_EQ(tap->space_id, k_chat);
    EXPECT_EQ(tap->token, "t");
}

TEST(DingtalkCardCallbackTest, MalformedCallbacksAreInvalid) {
    for (const std::string& body : {std::string("nope"), std::string(R"({"userId":"u"})"),
                                   std::string(R"({"outTrackId":"t"})"),
                                   std::string(R"({"outTrackId":"t","userId":"u","content":"{not json"})")}) {
        auto tap = decode_card_callback(body);
        ASSERT_FALSE(tap) << body;
        EXPECT_EQ(tap.error().code, core::ErrorCode::invalid_argument) << body;
    }
}

TEST(DingtalkCardAnswerTest, SharedAndPrivateUpdatesAsTheDocSaysAndTheStreamWrapsThem) {
    CardAnswer answer;
    answer.shared = {{"status", "done"}, {"statusText", "✅ T003 已完成"}};
    answer.private_to_tapper = {{"statusText", "ok"}};
    json body = json::parse(render_card_answer(answer));
    EXPECT_EQ(body["cardUpdateOptions"]["updateCardDataByKey"], true);
    EXPECT_EQ(body["cardUpdateOptions"]["updatePrivateDataByKey"], true);
    EXPECT_EQ(body["cardData"]["cardParamMap"]["status"], "done");
    EXPECT_EQ(body["userPrivateData"]["cardParamMap"]["statusText"], "ok");
    json stream = json::parse(render_card_stream_response(answer));
    EXPECT_EQ(stream["response"], body);
    EXPECT_EQ(render_card_answer({}), "{}");
}

TEST(DingtalkCardStreamTest, TheConnectionSubscribesTheCardCallbackTopic) {
    json request = json::parse(render_stream_open_request("id", "secret"));
    std::vector<std::string> topics;
    for (const auto& s : request["subscriptions"]) {
        EXPECT_EQ(s["type"], "CALLBACK");
        topics.push_back(s["topic"]);
    }
    EXPECT_EQ(topics, (std::vector<std::string>{"/v1.0/im/bot/messages/get", "/v1.0/card/instances/callback"}));
}

core::ChatMessage task_message(std::vector<core::Button> buttons) {
    core::ChatMessage message;
    message.title = "预警 · 新品发布";
    message.sections = {"T003 已逾期 2 天 @16650246698"};
    message.mention_user_ids = {"16650246698"};
    message.buttons = std::move(buttons);
    return message;
}

CardSettings card_settings(bool stream) {
    CardSettings settings;
    settings.template_id = "tpl-123.schema";
    settings.robot_code = "dingxxxx";
    settings.stream = stream;
    settings.route_key = "trackerd_v1";
    settings.token_key = key();
    return settings;
}

TEST(DingtalkCardRenderTest, AOneTaskMessageBecomesACardWithATokenPerButton) {
    auto message = task_message({{"完成", "task_done", "P1/T003"}, {"收到", "task_ack", "P1/T003"},
                                 {"报延期", "task_delay", "P1/T003"}, {"打开看板", "web_view", "P1"}});
    auto body = render_card(message, card_settings(true), k_chat, "abc123", 1700000000, "https://t.example/web/p/P1?x");
    ASSERT_TRUE(body);
    json card = json::parse(*body);
    EXPECT_EQ(card["cardTemplateId"], "tpl-123.schema");
    EXPECT_EQ(card["outTrackId"], "trk-abc123");
    EXPECT_EQ(card["callbackType"], "STREAM");
    EXPECT_FALSE(card.contains("callbackRouteKey"));
    EXPECT_EQ(card["openSpaceId"], "dtv1.card//IM_GROUP.cidAsXSBLnA==");
    EXPECT_EQ(card["imGroupOpenDeliverModel"]["robotCode"], "dingxxxx");
    EXPECT_EQ(card["imGroupOpenDeliverModel"]["atUserIds"]["16650246698"], "16650246698");
    const json& params = card["cardData"]["cardParamMap"];
    EXPECT_EQ(params["title"], "预警 · 新品发布");
    EXPECT_EQ(params["status"], "pending");
    EXPECT_EQ(params["web_url"], "https://t.example/web/p/P1?x");
    EXPECT_EQ(params["markdown"].get<std::string>().find("回复"), std::string::npos) << "buttons, not typed commands";
    EXPECT_EQ(params["tk_open"], "");
    for (const auto& [variable, action] : std::vector<std::pair<std::string, std::string>>{
             {"tk_done", "task_done"}, {"tk_ack", "task_ack"}, {"tk_delay", "task_delay"}, {"tk_web", "web_view"}}) {
        auto tk = verify_card_token(key(), params[variable].get<std::string>(), 1700000000);
        ASSERT_TRUE(tk) << variable;
        EXPECT_EQ(tk->action, action);
        EXPECT_EQ(tk->chat_id, k_chat);
        EXPECT_EQ(tk->expires_unix, 1700000000 + 7 * 86400);
        EXPECT_EQ(out_track_id(card_nonce_of(tk->nonce)), "trk-abc123");
    }
    json http = json::parse(*render_card(message, card_settings(false), k_chat, "abc124", 1700000000));
    EXPECT_EQ(http["callbackType"], "HTTP");
    EXPECT_EQ(http["callbackRouteKey"], "trackerd_v1");
}

TEST(DingtalkCardRenderTest, MessagesACardCannotCarryStayMarkdownThatSaysWhatToType) {
    auto several = task_message({{"完成 T003", "task_done", "P1/T003"}, {"完成 T004", "task_done", "P1/T004"}});
    EXPECT_FALSE(render_card(several, card_settings(true), k_chat, "n", 1700000000));
    EXPECT_FALSE(render_card(task_message({}), card_settings(true), k_chat, "n", 1700000000));
    CardSettings no_template = card_settings(true);
    no_template.template_id = "";
    EXPECT_FALSE(render_card(task_message({{"完成", "task_done", "P1/T003"}}), no_template, k_chat, "n", 1700000000));

    EXPECT_EQ(typed_commands_line(several), "回复「T003 完成」「T004 完成」");
    json markdown = json::parse(render_session_reply(several));
    EXPECT_EQ(markdown["msgtype"], "markdown");
    EXPECT_NE(markdown["markdown"]["text"].get<std::string>().find("回复「T003 完成」「T004 完成」"), std::string::npos);
    auto english = task_message({{"Done", "task_done", "P1/T003"}, {"Got it", "task_ack", "P1/T003"}});
    english.locale = core::Locale::en;
    EXPECT_EQ(typed_commands_line(english), "Reply \"done T003\" or \"ack T003\"");
}

TEST(DingtalkCardResponseTest, CreateAndDeliverAnswersAreJudged) {
    using Kind = ApiOutcome::Kind;
    auto ok = parse_card_response(
        200, R"({"success":true,"result":{"outTrackId":"trk-1","deliverResults":[{"spaceId":"c","success":true}]}})");
    EXPECT_EQ(ok.kind, Kind::ok);
    EXPECT_EQ(ok.message_id, "trk-1");
    auto undelivered = parse_card_response(
        200, R"({"success":true,"result":{"deliverResults":[{"spaceId":"c","success":false,"errorMsg":"robot not in group"}]}})");
    EXPECT_EQ(undelivered.kind, Kind::fatal);
    EXPECT_NE(undelivered.message.find("robot not in group"), std::string::npos);
    EXPECT_EQ(parse_card_response(401, R"({"code":"InvalidAuthentication"})").kind, Kind::refresh_token);
    EXPECT_EQ(parse_card_response(429, "{}").kind, Kind::retry);
    EXPECT_EQ(parse_card_response(503, "").kind, Kind::retry);
    EXPECT_EQ(parse_card_response(400, R"({"code":"param.outTrackId.exist","message":"outTrackId已存在"})").kind, Kind::fatal);
}

}  // namespace
