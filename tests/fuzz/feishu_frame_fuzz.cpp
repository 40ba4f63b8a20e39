// libFuzzer target: Feishu long-connection frames (adapters/feishu/long_connection.h), protobuf
// decoded by hand from bytes the server sends. The first byte picks a mode:
//   0: the bytes are a frame, given to decode_frame;
//   1: the bytes describe a frame (numbers, then header key/values, then payload strings), which
//      is encoded, decoded and compared.
// Checked: decode_frame never crashes and refuses only with invalid_argument; a decoded frame
// re-encodes to bytes that decode to the same fields, and encode_frame is then a fixed point;
// an encoded frame missing its last byte is refused (truncation); header() gives the first
// value of a key; ping_frame and response_frame build the frames the header describes.

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "adapters/feishu/long_connection.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace fs = adapters::feishu;

bool same_frame(const fs::PbFrame& a, const fs::PbFrame& b) {
    return a.seq_id == b.seq_id && a.log_id == b.log_id && a.service == b.service && a.method == b.method &&
           a.headers == b.headers && a.payload_encoding == b.payload_encoding && a.payload_type == b.payload_type &&
           a.payload == b.payload && a.log_id_new == b.log_id_new;
}

// encode_frame(frame) decodes back to `frame`, and encoding that again gives the same bytes.
void check_round_trip(const fs::PbFrame& frame) {
    std::string bytes = fs::encode_frame(frame);
    auto decoded = fs::decode_frame(bytes);
    FUZZ_CHECK(decoded.has_value());
    FUZZ_CHECK(same_frame(*decoded, frame));
    FUZZ_CHECK(fs::encode_frame(*decoded) == bytes);
    // encode_frame always ends with field 9 (log_id_new, written even when empty), so without its
    // last byte that field is cut short, which decode_frame must notice.
    FUZZ_CHECK(!bytes.empty());
    auto truncated = fs::decode_frame(std::string_view(bytes).substr(0, bytes.size() - 1));
    FUZZ_CHECK(!truncated && truncated.error().code == core::ErrorCode::invalid_argument);
}

void check_header_lookup(const fs::PbFrame& frame) {
    for (size_t i = 0; i < frame.headers.size(); ++i) {
        const auto& [key, value] = frame.headers[i];
        bool first = true;
        for (size_t j = 0; j < i; ++j) first = first && frame.headers[j].first != key;
        if (first) FUZZ_CHECK(frame.header(key) == value);
    }
}

// The answer to a data frame is the frame itself, with a new payload and a biz_rt header added.
void check_response(const fs::PbFrame& frame) {
    fs::PbFrame response = fs::response_frame(frame, 200, 12);
    FUZZ_CHECK(response.seq_id == frame.seq_id && response.log_id == frame.log_id);
    FUZZ_CHECK(response.service == frame.service && response.method == frame.method);
    FUZZ_CHECK(response.headers.size() == frame.headers.size() + 1);
    FUZZ_CHECK(std::equal(frame.headers.begin(), frame.headers.end(), response.headers.begin()));
    FUZZ_CHECK(response.headers.back() == std::make_pair(std::string("biz_rt"), std::string("12")));
    FUZZ_CHECK(response.payload.find("\"code\":200") != std::string::npos);
    FUZZ_CHECK(response.log_id_new == frame.log_id_new);
    check_round_trip(response);
}

void fuzz_bytes(std::string_view bytes) {
    auto frame = fs::decode_frame(bytes);
    if (!frame) {
        FUZZ_CHECK(frame.error().code == core::ErrorCode::invalid_argument);
        FUZZ_CHECK(!frame.error().message.empty());
        return;
    }
    check_header_lookup(*frame);
    check_round_trip(*frame);
    check_response(*frame);
}

// Reads a frame description from fuzzer bytes; missing bytes read as zeros or empty strings.
class Cursor {
public:
    explicit Cursor(std::string_view bytes) : m_bytes(bytes) {}
    template <typename T>
    T number() {
        unsigned char raw[sizeof(T)] = {};
        std::string_view taken = take(sizeof(T));
        std::memcpy(raw, taken.data(), taken.size());
        T value;
        std::memcpy(&value, raw, sizeof(T));
        return value;
    }
    uint8_t byte() { return number<uint8_t>(); }
    // A string of up to 255 bytes, its length in the byte before it.
    std::string short_string() { return std::string(take(byte())); }
    std::string rest() { return std::string(take(m_bytes.size())); }

private:
    std::string_view take(size_t count) {
        std::string_view taken = m_bytes.substr(0, count);
        m_bytes.remove_prefix(taken.size());
        return taken;
    }
    std::string_view m_bytes;
};

void fuzz_description(std::string_view bytes) {
    Cursor cursor(bytes);
    fs::PbFrame frame;
    frame.seq_id = cursor.number<uint64_t>();
    frame.log_id = cursor.number<uint64_t>();
    frame.service = cursor.number<int32_t>();  // negative services exercise the sign extension
    frame.method = cursor.number<int32_t>();
    for (int count = cursor.byte() % 8; count > 0; --count) {
        std::string key = cursor.short_string();
        frame.headers.emplace_back(std::move(key), cursor.short_string());
    }
    frame.payload_encoding = cursor.short_string();
    frame.payload_type = cursor.short_string();
    frame.log_id_new = cursor.short_string();
    frame.payload = cursor.rest();
    check_header_lookup(frame);
    check_round_trip(frame);
    check_response(frame);

    fs::PbFrame ping = fs::ping_frame(frame.service);
    FUZZ_CHECK(ping.method == fs::k_frame_control && ping.service == frame.service);
    FUZZ_CHECK(ping.header("type") == "ping" && ping.payload.empty());
    check_round_trip(ping);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view rest = fuzz::as_text(data + 1, size - 1);
    if (data[0] % 2 == 0)
        fuzz_bytes(rest);
    else
        fuzz_description(rest);
    return 0;
}
