// libFuzzer target: Feishu event callbacks (adapters/feishu/feishu.h). The first byte picks a mode:
//   0: the bytes are a plaintext body, decoded with a verification token, with and without the
//      bot's open_id;
//   1: the bytes are the plaintext inside an {"encrypt":…} envelope made with a fixed key and IV
//      and signed as Feishu would, so the fuzzer reaches the decoder behind decryption;
//   2: the bytes are the "encrypt" base64 text itself, decrypted with the fixed key.
// Checked: decrypt_envelope inverts encrypt_envelope; a decoded message comes from "feishu",
// has alt_dedup_key "message_id:…" (none when the bot was added), never lists the bot's open_id when it is configured, and
// was_encrypted says whether an envelope was used.

#include <string>

#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"
#include "core/json_depth.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using adapters::feishu::EventConfig;
using adapters::feishu::EventRequest;
using adapters::feishu::SignatureHeaders;

constexpr std::string_view k_key = "test key";
constexpr std::string_view k_iv = "0123456789abcdef";
constexpr std::string_view k_bot = "ou_bot";
const std::string k_token = "v-token-demo";  // as in the seeds

// `bot` is the bot_open_id the decoder was given ("" = unknown, when nothing is checked: the
// leading mention is then dropped by position, which this check cannot tell from the text).
void check_event(const core::Result<EventRequest>& event, bool encrypted, std::string_view bot) {
    if (!event) {
        FUZZ_CHECK(!event.error().message.empty());
        return;
    }
    if (event->kind != EventRequest::Kind::message) return;
    const auto& message = event->message;
    FUZZ_CHECK(message.platform == "feishu");
    FUZZ_CHECK(event->was_encrypted == encrypted);
    if (message.bot_added) {  // no message behind it: no text, no message id
        FUZZ_CHECK(message.text.empty() && message.message_id.empty() && message.alt_dedup_key.empty());
        return;
    }
    FUZZ_CHECK(message.alt_dedup_key.rfind("message_id:", 0) == 0);
    if (bot.empty()) return;
    for (const auto& mention : message.mentions) {
        if (mention.user_id == bot)
            std::fprintf(stderr, "bot listed as a mention, display '%s', text '%s'\n",
                         mention.display.c_str(), message.text.c_str());
        FUZZ_CHECK(mention.user_id != bot);
    }
}

void fuzz_plain(std::string_view body) {
    // Nesting past the bound is refused before the parser builds anything (core/json_depth.h).
    if (!core::check_json_depth(body))
        FUZZ_CHECK(!adapters::feishu::decode_event(body, EventConfig{k_token, "", ""}, {}));
    check_event(adapters::feishu::decode_event(body, EventConfig{k_token, "", std::string(k_bot)}, {}),
                false, k_bot);
    check_event(adapters::feishu::decode_event(body, EventConfig{k_token, "", ""}, {}), false, "");
}

void fuzz_encrypted(std::string_view plaintext) {
    std::string encrypt = adapters::feishu::encrypt_envelope(k_key, plaintext, k_iv);
    FUZZ_CHECK(!encrypt.empty());
    auto round_trip = adapters::feishu::decrypt_envelope(k_key, encrypt);
    FUZZ_CHECK(round_trip.has_value() && *round_trip == plaintext);

    std::string body = nlohmann::json{{"encrypt", encrypt}}.dump();
    SignatureHeaders headers{"1700000000", "1234567890", ""};
    headers.signature = adapters::to_hex(
        adapters::sha256(headers.timestamp + headers.nonce + std::string(k_key) + body));
    EventConfig config{"", std::string(k_key), std::string(k_bot)};
    auto event = adapters::feishu::decode_event(body, config, headers);
    if (!core::check_json_depth(plaintext)) FUZZ_CHECK(!event);
    check_event(event, true, k_bot);
    // Correctly signed: a rejection may be about the token, never about the signature.
    if (!event && event.error().code == core::ErrorCode::unauthorized) {
        FUZZ_CHECK(event.error().message.find("ignature") == std::string::npos);
    }
}

void fuzz_ciphertext(std::string_view encrypt_b64) {
    auto plain = adapters::feishu::decrypt_envelope(k_key, encrypt_b64);
    if (!plain) return;
    // Whatever decrypts was made of blocks under some IV: re-encrypting with that IV gives it back.
    auto raw = adapters::base64_decode(encrypt_b64);
    FUZZ_CHECK(raw.has_value() && raw->size() >= 32);
    std::string again = adapters::feishu::encrypt_envelope(k_key, *plain, raw->substr(0, 16));
    FUZZ_CHECK(adapters::base64_decode(again) == raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view rest = fuzz::as_text(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0: fuzz_plain(rest); break;
        case 1: fuzz_encrypted(rest); break;
        default: fuzz_ciphertext(rest); break;
    }
    return 0;
}
