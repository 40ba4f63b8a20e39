// The long connections' wire formats: Feishu pbbp2 frames, Slack Socket Mode envelopes, DingTalk
// Stream frames.

#include <gtest/gtest.h>

#include "adapters/dingtalk/stream.h"
#include "adapters/feishu/long_connection.h"
#include "adapters/slack/socket_mode.h"

namespace {

namespace fs = adapters::feishu;

TEST(FeishuFrameTest, APingIsEncodedAsTheGoSdkMarshalsIt) {
    // Fields 1-4 always, each header as a nested message, 6/7/9 as empty strings, 8 only when set.
    std::string expected("\x08\x00\x10\x00\x18\x07\x20\x00\x2a\x0c\x0a\x04type\x12\x04ping\x32\x00\x3a\x00\x4a\x00", 28);
    EXPECT_EQ(fs::encode_frame(fs::ping_frame(7)), expected);
}

TEST(FeishuFrameTest, ADataFrameSurvivesARoundTrip) {
    fs::PbFrame frame;
    frame.seq_id = 300;  // two-byte varints
    frame.log_id = 1ULL << 40;
    frame.service = 7;
    frame.method = fs::k_frame_data;
    frame.headers = {{"type", "event"}, {"message_id", "m1"}, {"sum", "1"}};
    frame.payload = std::string("{\"a\":\"\xe4\xb8\xad\"}");
    frame.log_id_new = "L";
    auto decoded = fs::decode_frame(fs::encode_frame(frame));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->seq_id, 300u);
    EXPECT_EQ(decoded->log_id, 1ULL << 40);
    EXPECT_EQ(decoded->service, 7);
    EXPECT_EQ(decoded->method, fs::k_frame_data);
    EXPECT_EQ(decoded->headers, frame.headers);
    EXPECT_EQ(decoded->header("message_id"), "m1");
    EXPECT_EQ(decoded->payload, frame.payload);
    EXPECT_EQ(decoded->log_id_new, "L");
}

TEST(FeishuFrameTest, TruncatedAndMalformedBytesAreErrors) {
    std::string bytes = fs::encode_frame(fs::ping_frame(7));
    for (size_t cut : {size_t{1}, size_t{9}, size_t{12}, bytes.size() - 1}) {
        EXPECT_FALSE(fs::decode_frame(bytes.substr(0, cut))) << "cut at " << cut;
    }
    EXPECT_FALSE(fs::decode_frame(std::string("\x2a\xff\xff\xff\xff\x0f", 6)));  // length beyond the end
    EXPECT_FALSE(fs::decode_frame(std::string("\x0b", 1)));                      // wire type 3 (groups)
}

TEST(FeishuFrameTest, TheEndpointAnswerGivesTheUrlServiceIdAndPingInterval) {
    auto endpoint = fs::parse_ws_endpoint_response(
        200, R"({"code":0,"msg":"ok","data":{"URL":"wss://x.feishu.cn/ws?device_id=d&service_id=33","ClientConfig":{"PingInterval":90}}})");
    ASSERT_TRUE(endpoint) << endpoint.error().message;
    EXPECT_EQ(endpoint->service_id, 33);
    EXPECT_EQ(endpoint->ping_interval_s, 90);
    auto refused = fs::parse_ws_endpoint_response(200, R"({"code":1000040343,"msg":"invalid app"})");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("invalid app"), std::string::npos);
}

TEST(SlackSocketEnvelopeTest, DisconnectHelloAndEventsAreTold) {
    auto disconnect = adapters::slack::decode_socket_envelope(R"({"type":"disconnect","reason":"refresh_requested"})");
    ASSERT_TRUE(disconnect);
    EXPECT_EQ(disconnect->kind, adapters::slack::SocketEnvelope::Kind::disconnect);
    EXPECT_EQ(disconnect->reason, "refresh_requested");
    auto event = adapters::slack::decode_socket_envelope(
        R"({"envelope_id":"e1","type":"events_api","payload":{"x":1},"retry_attempt":2,"accepts_response_payload":false})");
    ASSERT_TRUE(event);
    EXPECT_EQ(event->kind, adapters::slack::SocketEnvelope::Kind::events_api);
    EXPECT_EQ(event->payload, R"({"x":1})");
    EXPECT_EQ(event->retry_attempt, 2);
    EXPECT_FALSE(adapters::slack::decode_socket_envelope(R"({"type":"events_api","payload":{}})"));  // no id
    EXPECT_EQ(adapters::slack::render_socket_ack("e1"), R"({"envelope_id":"e1"})");
    EXPECT_EQ(adapters::slack::render_socket_ack("e1", R"({"text":"ok"})"), R"({"envelope_id":"e1","payload":{"text":"ok"}})");
}

TEST(SlackSocketEnvelopeTest, ConnectionsOpenErrorsNameSlacksCode) {
    auto refused = adapters::slack::parse_connections_open(200, R"({"ok":false,"error":"invalid_auth"})");
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("invalid_auth"), std::string::npos);
    EXPECT_EQ(*adapters::slack::parse_connections_open(200, R"({"ok":true,"url":"wss://a/link/?ticket=1"})"),
              "wss://a/link/?ticket=1");
}

TEST(DingtalkStreamFrameTest, TheTicketIsUrlEncodedAndAcksNameTheMessageId) {
    EXPECT_EQ(adapters::dingtalk::stream_url({"wss://w/connect", "a+b/c="}), "wss://w/connect?ticket=a%2Bb%2Fc%3D");
    auto frame = adapters::dingtalk::decode_stream_frame(
        R"({"specVersion":"1.0","type":"SYSTEM","headers":{"topic":"ping","messageId":"m-9"},"data":"{\"opaque\":1}"})");
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->topic, "ping");
    EXPECT_EQ(adapters::dingtalk::render_stream_ack(frame->message_id, frame->data),
              R"({"code":200,"data":"{\"opaque\":1}","headers":{"contentType":"application/json","messageId":"m-9"},"message":"OK"})");
    EXPECT_FALSE(adapters::dingtalk::decode_stream_frame(R"({"type":"CALLBACK","headers":{}})"));
}

}  // namespace
