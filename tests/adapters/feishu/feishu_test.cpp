// Feishu adapter: protocols.md §2.10 vectors, golden payloads, decoding, rendering, responses.
#include "adapters/feishu/feishu.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/common/crypto.h"
#include "adapters/feishu/long_connection.h"

namespace adapters::feishu {
namespace {

using nlohmann::json;

std::string read_testdata(const std::string& name) {
    std::ifstream in(std::string(TRACKERD_TESTDATA_DIR) + "/../adapters/feishu/testdata/" + name,
                     std::ios::binary);
    std::stringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string bytes_of_hex(std::string_view hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
    return out;
}

// The signature as Feishu computes it (§2.5), to sign our own test bodies.
SignatureHeaders signed_headers(std::string_view key, std::string_view body) {
    SignatureHeaders headers{"1700000000", "1234567890", ""};
    headers.signature = to_hex(sha256(headers.timestamp + headers.nonce + std::string(key) + std::string(body)));
    return headers;
}

constexpr std::string_view k_test_key_cipher = "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=";
constexpr std::string_view k_kudryavka_key = "kudryavka-demo-encrypt-key";
constexpr std::string_view k_url_verification_plain =
    R"({"challenge":"ajls384kdjx98XX","token":"xxxxxx","type":"url_verification"})";
constexpr std::string_view k_url_verification_cipher =
    "AAECAwQFBgcICQoLDA0OD446FixXU6m1QO2cgYF8YveOo4vOvwnZg2EE3WUmSVoJ+Ll/5q1cSjHIlsAQ/gAs2IAT//we6OaSXQGCBXPjSLkpatFpIJrUnn+ukMMVerA6";

// ---- §2.10 vectors ------------------------------------------------------------------------

TEST(FeishuCryptoTest, OfficialTestKeyVectorDecryptsToHelloWorld) {
    auto plain = decrypt_envelope("test key", k_test_key_cipher);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(*plain, "hello world");
    EXPECT_EQ(to_hex(sha256("test key")), "fa2bdca424f01f01ffb48df93acc35d439c7fd331a1a7fba6ac2fd83aa9ab31a");
}

TEST(FeishuCryptoTest, EncryptedUrlVerificationWithFixedIvDecryptsToThePlaintext) {
    auto plain = decrypt_envelope(k_kudryavka_key, k_url_verification_cipher);
    ASSERT_TRUE(plain) << plain.error().message;
    EXPECT_EQ(*plain, k_url_verification_plain);
}

TEST(FeishuCryptoTest, EncryptWithTheFixedIvReproducesTheVector) {
    EXPECT_EQ(encrypt_envelope(k_kudryavka_key, k_url_verification_plain,
                               bytes_of_hex("000102030405060708090a0b0c0d0e0f")),
              k_url_verification_cipher);
    EXPECT_EQ(encrypt_envelope(k_kudryavka_key, "x", "short-iv"), "");
}

TEST(FeishuCryptoTest, MalformedOrWronglyKeyedEnvelopesAreRejected) {
    EXPECT_FALSE(decrypt_envelope("test key", "not base64!"));
    EXPECT_FALSE(decrypt_envelope("test key", base64_encode("sixteen byte iv!")));   // no blocks
    EXPECT_FALSE(decrypt_envelope("test key", base64_encode(std::string(40, 'a'))));  // not whole blocks
    EXPECT_FALSE(decrypt_envelope("wrong key", k_test_key_cipher));  // padding fails
}

TEST(FeishuSignatureTest, PlainSha256VectorVerifies) {
    std::string body = R"({"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="})";
    EXPECT_TRUE(verify_signature("test key", "1700000000", "1234567890",
                                 "b322b5c524c73507f884ce6160ad6dc89b01398815a5e04d98b67ba828f54803", body));
}

TEST(FeishuSignatureTest, ForgedTamperedOrMissingSignaturesAreUnauthorized) {
    std::string body = R"({"encrypt":"P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk="})";
    std::string good = "b322b5c524c73507f884ce6160ad6dc89b01398815a5e04d98b67ba828f54803";
    // The wrong community variants (§2.5): HMAC keyed with the encrypt key or the token.
    std::string hmac_key = to_hex(hmac_sha256("test key", "17000000001234567890" + body));
    struct Case { std::string name, timestamp, nonce, signature, body; };
    std::vector<Case> cases = {
        {"tampered body", "1700000000", "1234567890", good, body + " "},
        {"other timestamp", "1700000001", "1234567890", good, body},
        {"other nonce", "1700000000", "1234567891", good, body},
        {"hmac variant", "1700000000", "1234567890", hmac_key, body},
        {"uppercase hex", "1700000000", "1234567890", "B322B5C524C73507F884CE6160AD6DC89B01398815A5E04D98B67BA828F54803", body},
        {"missing signature", "1700000000", "1234567890", "", body},
        {"missing timestamp", "", "1234567890", good, body},
    };
    for (const auto& c : cases) {
        auto result = verify_signature("test key", c.timestamp, c.nonce, c.signature, c.body);
        ASSERT_FALSE(result) << c.name;
        EXPECT_EQ(result.error().code, core::ErrorCode::unauthorized) << c.name;
    }
}

// ---- decode_event -------------------------------------------------------------------------

TEST(FeishuDecodeTest, EncryptedUrlVerificationAnswersTheChallengeWithoutSignature) {
    EventConfig config{"xxxxxx", std::string(k_kudryavka_key), ""};
    auto request = decode_event(read_testdata("url_verification_encrypted.json"), config, {});
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->kind, EventRequest::Kind::url_verification);
    EXPECT_EQ(request->challenge, "ajls384kdjx98XX");
    EXPECT_EQ(request->token, "xxxxxx");
    EXPECT_TRUE(request->was_encrypted);
}

TEST(FeishuDecodeTest, UrlVerificationWithAWrongTokenIsUnauthorized) {
    EventConfig config{"another-token", "", ""};
    auto request = decode_event(k_url_verification_plain, config, {});
    ASSERT_FALSE(request);
    EXPECT_EQ(request.error().code, core::ErrorCode::unauthorized);
}

TEST(FeishuDecodeTest, GoldenGroupMessageDropsTheLeadingBotMentionWhenTheBotIsUnknown) {
    EventConfig config{"v-token-demo", "", ""};
    auto request = decode_event(read_testdata("im_message_receive_v1.json"), config, {});
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventRequest::Kind::message);
    const InboundMessage& msg = request->message;
    EXPECT_EQ(msg.platform, "feishu");
    EXPECT_EQ(msg.text, "T003 进度 60%");
    EXPECT_TRUE(msg.mentions.empty());
    EXPECT_EQ(msg.dedup_key, "5e3702a84e847582be8db7fb73283c02");
    EXPECT_EQ(msg.alt_dedup_key, "message_id:om_5ce6d572455d361153b7cb51da133945");  // §2.6 second key
    EXPECT_EQ(msg.message_id, "om_5ce6d572455d361153b7cb51da133945");
    EXPECT_EQ(msg.chat_id, "oc_5ce6d572455d361153b7xx51da133945");
    EXPECT_FALSE(msg.direct);
    EXPECT_EQ(msg.sender_id, "ou_84aad35d084aa403a838cf73ee18467");
    EXPECT_EQ(msg.created_ms, 1700000000000);
    EXPECT_FALSE(request->was_encrypted);
}

TEST(FeishuDecodeTest, SignedRequestsOutsideTheWindowAreRefusedAsStaleOrFromTheFuture) {
    std::string plain = read_testdata("im_message_receive_v1.json");
    std::string body = json{{"encrypt", encrypt_envelope("test key", plain, "0123456789abcdef")}}.dump();
    EventConfig config{"v-token-demo", "test key", "", k_default_window_seconds};
    const long long at = 1700000000;  // signed_headers' timestamp
    struct Case {
        long long now;
        std::string refusal;  // "" = accepted
    };
    for (const Case& c : {Case{at, ""}, Case{at + k_default_window_seconds, ""}, Case{at - 300, ""},
                          Case{at + k_default_window_seconds + 1, "stale X-Lark-Request-Timestamp"},
                          Case{at - 301, "s in the future"}}) {
        auto request = decode_event(body, config, signed_headers("test key", body), c.now);
        if (c.refusal.empty()) {
            EXPECT_TRUE(request) << c.now << ": " << request.error().message;
            continue;
        }
        ASSERT_FALSE(request) << c.now;
        EXPECT_EQ(request.error().code, core::ErrorCode::unauthorized);
        EXPECT_NE(request.error().message.find(c.refusal), std::string::npos) << request.error().message;
    }
    // No window configured (the long connection): no timestamp is asked for.
    EXPECT_TRUE(decode_event(body, EventConfig{"v-token-demo", "test key", ""}, signed_headers("test key", body), 1));
}

TEST(FeishuDecodeTest, UnsignedEventsAreJudgedByTheirOwnCreateTime) {
    std::string plain = read_testdata("im_message_receive_v1.json");
    EventConfig config{"v-token-demo", "", "", 3600};
    auto created = json::parse(plain)["header"]["create_time"].get<std::string>();
    long long at = std::stoll(created) / 1000;
    EXPECT_TRUE(decode_event(plain, config, {}, at + 3600));
    auto stale = decode_event(plain, config, {}, at + 3601);
    ASSERT_FALSE(stale);
    EXPECT_NE(stale.error().message.find("stale header.create_time"), std::string::npos) << stale.error().message;
    auto without = json::parse(plain);
    without["header"].erase("create_time");
    auto refused = decode_event(without.dump(), config, {}, at);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("no readable header.create_time"), std::string::npos);
}

TEST(FeishuDecodeTest, BodiesNestedPastTheBoundAreRefusedBeforeTheyAreBuilt) {
    std::string plain = read_testdata("im_message_receive_v1.json");
    std::string deep = "{\"deep\":" + std::string(64, '[') + std::string(64, ']') + "," + plain.substr(plain.find('{') + 1);
    std::string at_bound = "{\"deep\":" + std::string(63, '[') + std::string(63, ']') + "," + plain.substr(plain.find('{') + 1);
    EventConfig config{"v-token-demo", "", ""};
    EXPECT_TRUE(decode_event(at_bound, config, {}));
    auto refused = decode_event(deep, config, {});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, core::ErrorCode::invalid_argument);
    EXPECT_EQ(refused.error().message, "JSON nests deeper than 64 levels");
    // Signed with a wrong key, the signature is what is reported, whatever the body holds.
    std::string envelope = json{{"encrypt", encrypt_envelope("test key", plain, "0123456789abcdef")}}.dump();
    std::string deep_envelope = "{\"deep\":" + std::string(100, '[') + std::string(100, ']') + "," + envelope.substr(1);
    auto forged = decode_event(deep_envelope, EventConfig{"v-token-demo", "test key", ""},
                               signed_headers("other key", deep_envelope));
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, core::ErrorCode::unauthorized);
}

TEST(FeishuDecodeTest, GoldenMessageEncryptedAndSignedDecodes) {
    std::string plain = read_testdata("im_message_receive_v1.json");
    std::string body = json{{"encrypt", encrypt_envelope("test key", plain, "0123456789abcdef")}}.dump();
    EventConfig config{"v-token-demo", "test key", "ou_bot…"};
    auto request = decode_event(body, config, signed_headers("test key", body));
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_EQ(request->kind, EventRequest::Kind::message);
    EXPECT_TRUE(request->was_encrypted);
    EXPECT_EQ(request->message.text, "T003 进度 60%");
}

TEST(FeishuDecodeTest, EncryptedEventsWithBadOrMissingSignaturesAreUnauthorized) {
    std::string plain = read_testdata("im_message_receive_v1.json");
    std::string body = json{{"encrypt", encrypt_envelope("test key", plain, "0123456789abcdef")}}.dump();
    std::string garbage = json{{"encrypt", base64_encode(std::string(48, 'g'))}}.dump();
    EventConfig config{"v-token-demo", "test key", ""};
    SignatureHeaders forged = signed_headers("test key", body);
    forged.signature[0] = forged.signature[0] == '0' ? '1' : '0';
    struct Case { std::string name, body; SignatureHeaders headers; };
    std::vector<Case> cases = {
        {"forged", body, forged},
        {"missing", body, {}},
        {"signed for another body", body, signed_headers("test key", garbage)},
        {"undecryptable and unsigned", garbage, {}},  // no decryption error leaks out
    };
    for (const auto& c : cases) {
        auto request = decode_event(c.body, config, c.headers);
        ASSERT_FALSE(request) << c.name;
        EXPECT_EQ(request.error().code, core::ErrorCode::unauthorized) << c.name;
    }
}

TEST(FeishuDecodeTest, HeaderTokenIsCheckedForSchemaTwo) {
    std::string body = read_testdata("im_message_receive_v1.json");
    auto wrong = decode_event(body, EventConfig{"other-token", "", ""}, {});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, core::ErrorCode::unauthorized);
    auto none = decode_event(body, EventConfig{"", "", ""}, {});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, core::ErrorCode::unauthorized);
}

TEST(FeishuDecodeTest, MalformedBodiesAreInvalidArguments) {
    EventConfig config{"v-token-demo", "", ""};
    json event = json::parse(read_testdata("im_message_receive_v1.json"));
    json bad_content = event;
    bad_content["event"]["message"]["content"] = "not json";
    json no_id = event;
    no_id["header"].erase("event_id");
    std::vector<std::pair<std::string, std::string>> cases = {
        {"not json", "{oops"},
        {"array", "[1,2]"},
        {"content not json", bad_content.dump()},
        {"no event_id", no_id.dump()},
        {"neither v2 nor v1", R"({"token":"v-token-demo","type":"event_callback"})"},
        {"encrypted without a key", R"({"encrypt":"AAAA"})"},
    };
    for (const auto& [name, body] : cases) {
        auto request = decode_event(body, config, {});
        ASSERT_FALSE(request) << name;
        EXPECT_EQ(request.error().code, core::ErrorCode::invalid_argument) << name;
    }
}

struct MentionCase {
    std::string name;
    std::string text;
    json mentions;
    std::string bot_open_id;
    std::string chat_type;
    std::string want_text;
    std::vector<std::pair<std::string, std::string>> want_mentions;  // display, user_id
};

TEST(FeishuDecodeTest, MentionPlaceholdersResolve) {
    json bot = {{"key", "@_user_1"}, {"id", {{"open_id", "ou_bot"}, {"user_id", ""}}}, {"name", "TaskBot"}};
    json zhang = {{"key", "@_user_2"}, {"id", {{"open_id", "ou_zhang"}}}, {"name", "张三"}};
    json ten = {{"key", "@_user_10"}, {"id", {{"open_id", "ou_ten"}}}, {"name", "Ten"}};
    std::vector<MentionCase> cases = {
        {"known bot removed, person named", "@_user_1 assign T003 @_user_2", json{bot, zhang}, "ou_bot", "group",
         "assign T003 @张三", {{"张三", "ou_zhang"}}},
        {"known bot in the middle", "T003 @_user_1 60%", json{bot}, "ou_bot", "group", "T003 60%", {}},
        {"unknown bot: leading mention is the bot", "@_user_1 T003 @_user_2 done", json{bot, zhang}, "", "group",
         "T003 @张三 done", {{"张三", "ou_zhang"}}},
        {"unknown bot in p2p: nothing removed", "@_user_2 T003", json{zhang}, "", "p2p", "@张三 T003",
         {{"张三", "ou_zhang"}}},
        {"@_all removed though not listed", "@_user_1 @_all 注意 T003", json{bot}, "ou_bot", "group", "注意 T003", {}},
        {"@_user_1 does not eat @_user_10", "@_user_1 ping @_user_10", json{bot, ten}, "ou_bot", "group",
         "ping @Ten", {{"Ten", "ou_ten"}}},
        {"repeated person listed once", "@_user_1 @_user_2 and @_user_2", json{bot, zhang}, "ou_bot", "group",
         "@张三 and @张三", {{"张三", "ou_zhang"}}},
        {"unknown placeholder left as text", "@_user_1 @_user_9 hi", json{bot}, "ou_bot", "group", "@_user_9 hi", {}},
    };
    json base = json::parse(read_testdata("im_message_receive_v1.json"));
    for (const auto& c : cases) {
        json event = base;
        event["event"]["message"]["content"] = json{{"text", c.text}}.dump();
        event["event"]["message"]["mentions"] = c.mentions;
        event["event"]["message"]["chat_type"] = c.chat_type;
        auto request = decode_event(event.dump(), EventConfig{"v-token-demo", "", c.bot_open_id}, {});
        ASSERT_TRUE(request) << c.name << ": " << request.error().message;
        EXPECT_EQ(request->message.text, c.want_text) << c.name;
        EXPECT_EQ(request->message.direct, c.chat_type == "p2p") << c.name;
        std::vector<std::pair<std::string, std::string>> got;
        for (const auto& m : request->message.mentions) got.emplace_back(m.display, m.user_id);
        EXPECT_EQ(got, c.want_mentions) << c.name;
    }
}

TEST(FeishuDecodeTest, NonTextAppSentAndOtherEventsAreIgnoredWithAReason) {
    json base = json::parse(read_testdata("im_message_receive_v1.json"));
    json image = base;
    image["event"]["message"]["message_type"] = "image";
    json from_app = base;
    from_app["event"]["sender"]["sender_type"] = "app";
    json other = base;
    other["header"]["event_type"] = "im.chat.member.user.added_v1";
    std::vector<std::tuple<std::string, json, std::string>> cases = {
        {"image", image, "image"}, {"app sender", from_app, "app"}, {"other event", other, "im.chat.member.user.added_v1"}};
    for (const auto& [name, event, reason] : cases) {
        auto request = decode_event(event.dump(), EventConfig{"v-token-demo", "", ""}, {});
        ASSERT_TRUE(request) << name;
        EXPECT_EQ(request->kind, EventRequest::Kind::ignored) << name;
        EXPECT_NE(request->ignored_reason.find(reason), std::string::npos) << request->ignored_reason;
        EXPECT_EQ(request->message.dedup_key, "5e3702a84e847582be8db7fb73283c02") << name;
    }
}

TEST(FeishuDecodeTest, TheBotAddedToAGroupIsABotAddedMessageFromTheOperator) {
    auto request = decode_event(read_testdata("im_chat_member_bot_added_v1.json"), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventRequest::Kind::message);
    const InboundMessage& msg = request->message;
    EXPECT_TRUE(msg.bot_added);
    EXPECT_EQ(msg.platform, "feishu");
    EXPECT_EQ(msg.dedup_key, "7c1e2d3f4a5b6c7d8e9f0a1b2c3d4e5f");
    EXPECT_EQ(msg.alt_dedup_key, "");  // no message behind it
    EXPECT_EQ(msg.chat_id, "oc_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d");
    EXPECT_EQ(msg.sender_id, "ou_84aad35d084aa403a838cf73ee18467");
    EXPECT_EQ(msg.message_id, "");  // nothing to reply to: the answer goes to the chat
    EXPECT_FALSE(msg.direct);
    EXPECT_EQ(msg.text, "");
    EXPECT_EQ(msg.created_ms, 1700000200000);
    // A message is never taken for the bot's arrival.
    auto plain = decode_event(read_testdata("im_message_receive_v1.json"), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->message.bot_added);
}

TEST(FeishuDecodeTest, BotAddedIsVerifiedLikeEveryEventAndOverTheLongConnectionToo) {
    std::string plain = read_testdata("im_chat_member_bot_added_v1.json");
    std::string body = json{{"encrypt", encrypt_envelope("test key", plain, "0123456789abcdef")}}.dump();
    EventConfig config{"v-token-demo", "test key", "ou_bot"};
    auto signed_request = decode_event(body, config, signed_headers("test key", body));
    ASSERT_TRUE(signed_request) << signed_request.error().message;
    EXPECT_TRUE(signed_request->message.bot_added);
    EXPECT_TRUE(signed_request->was_encrypted);
    auto unsigned_request = decode_event(body, config, {});
    ASSERT_FALSE(unsigned_request);
    EXPECT_EQ(unsigned_request.error().code, core::ErrorCode::unauthorized);
    auto wrong_token = decode_event(plain, EventConfig{"other-token", "", ""}, {});
    ASSERT_FALSE(wrong_token);
    EXPECT_EQ(wrong_token.error().code, core::ErrorCode::unauthorized);

    json carried = json::parse(plain);
    carried["header"]["token"] = "";  // the long connection carries no token
    auto over_connection = decode_long_connection_event(carried.dump(), "ou_bot");
    ASSERT_TRUE(over_connection) << over_connection.error().message;
    ASSERT_EQ(over_connection->kind, EventRequest::Kind::message);
    EXPECT_TRUE(over_connection->message.bot_added);
    EXPECT_EQ(over_connection->message.chat_id, "oc_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d");
}

TEST(FeishuDecodeTest, BotAddedWithoutAChatIsInvalidAndWithoutAnOperatorHasNoSender) {
    json event = json::parse(read_testdata("im_chat_member_bot_added_v1.json"));
    json no_chat = event;
    no_chat["event"].erase("chat_id");
    auto invalid = decode_event(no_chat.dump(), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().code, core::ErrorCode::invalid_argument);
    EXPECT_NE(invalid.error().message.find("chat_id"), std::string::npos) << invalid.error().message;
    json no_operator = event;
    no_operator["event"].erase("operator_id");
    auto anonymous = decode_event(no_operator.dump(), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(anonymous) << anonymous.error().message;
    EXPECT_TRUE(anonymous->message.bot_added);
    EXPECT_EQ(anonymous->message.sender_id, "");
}

TEST(FeishuDecodeTest, LegacyV1MessageUsesUuidAndTextWithoutAtBot) {
    auto request = decode_event(read_testdata("v1_message.json"), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(request) << request.error().message;
    ASSERT_EQ(request->kind, EventRequest::Kind::message);
    const InboundMessage& msg = request->message;
    EXPECT_EQ(msg.dedup_key, "bc447199585340d1f3728d26b1c0297a");
    EXPECT_EQ(msg.alt_dedup_key, "message_id:om_36686ee62209da697d8775375d0c8e88");
    EXPECT_EQ(msg.message_id, "om_36686ee62209da697d8775375d0c8e88");
    EXPECT_EQ(msg.chat_id, "oc_5ce6d572455d361153b7cb51da133945");
    EXPECT_EQ(msg.sender_id, "ou_18eac85d35a26f989317ad4f02e8bbbb");
    EXPECT_FALSE(msg.direct);
    EXPECT_EQ(msg.text, "T003 进度 60% @张三");
    ASSERT_EQ(msg.mentions.size(), 1u);
    EXPECT_EQ(msg.mentions[0].user_id, "ou_zhang");
    EXPECT_EQ(msg.mentions[0].display, "张三");
}

TEST(FeishuDecodeTest, LegacyV1WithoutTextWithoutAtBotRemovesTheBotsTag) {
    json event = json::parse(read_testdata("v1_message.json"));
    event["event"].erase("text_without_at_bot");
    auto request = decode_event(event.dump(), EventConfig{"v-token-demo", "", "ou_bot"}, {});
    ASSERT_TRUE(request);
    EXPECT_EQ(request->message.text, "T003 进度 60% @张三");
    auto unknown_bot = decode_event(event.dump(), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(unknown_bot);
    EXPECT_EQ(unknown_bot->message.text, "T003 进度 60% @张三") << "the opening tag of a group message is the bot's";
    ASSERT_EQ(unknown_bot->message.mentions.size(), 1u);
    EXPECT_EQ(unknown_bot->message.mentions[0].user_id, "ou_zhang");
    event["event"]["chat_type"] = "private";
    event["event"]["text"] = "<at open_id=\"ou_zhang\">@张三</at> T003 进度 60%";
    auto direct = decode_event(event.dump(), EventConfig{"v-token-demo", "", ""}, {});
    ASSERT_TRUE(direct);
    EXPECT_EQ(direct->message.text, "@张三 T003 进度 60%") << "in a direct chat nobody needs to mention the bot";
    auto wrong = decode_event(event.dump(), EventConfig{"other", "", ""}, {});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, core::ErrorCode::unauthorized);
}

}  // namespace
}  // namespace adapters::feishu
