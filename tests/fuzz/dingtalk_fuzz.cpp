// libFuzzer target: DingTalk robot callbacks (adapters/dingtalk/dingtalk.h decode_callback).
// Checked, as the header promises: the message is from "dingtalk", its text is trimmed, and
// each mention has a staffId as both its user id and its display; a body nesting deeper than
// core::k_max_json_depth is refused.

#include "adapters/dingtalk/dingtalk.h"
#include "core/json_depth.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto callback = adapters::dingtalk::decode_callback(fuzz::as_text(data, size));
    // Nesting past the bound is refused before the parser builds anything (core/json_depth.h).
    if (!core::check_json_depth(fuzz::as_text(data, size))) FUZZ_CHECK(!callback);
    if (!callback) {
        FUZZ_CHECK(callback.error().code == core::ErrorCode::invalid_argument);
        return 0;
    }
    if (callback->kind != adapters::dingtalk::Callback::Kind::message) return 0;
    const adapters::InboundMessage& message = callback->message;
    FUZZ_CHECK(message.platform == "dingtalk");
    FUZZ_CHECK(fuzz::is_trimmed(message.text));
    for (const auto& mention : message.mentions) {
        FUZZ_CHECK(!mention.user_id.empty());
        FUZZ_CHECK(mention.display == mention.user_id);
    }
    return 0;
}
