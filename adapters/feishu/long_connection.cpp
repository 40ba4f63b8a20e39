#include "adapters/feishu/long_connection.h"

#include <nlohmann/json.hpp>

#include "adapters/common/crypto.h"
#include "adapters/common/form.h"
#include "adapters/common/json_fields.h"
#include "core/json_depth.h"

namespace adapters::feishu {

using json_fields::text_at;
namespace {

using Json = nlohmann::json;

// ---- protobuf wire format: varints (wire type 0) and length-delimited fields (wire type 2)

void put_varint(std::string& out, uint64_t value) {
    while (value >= 0x80) {
        out += static_cast<char>((value & 0x7f) | 0x80);
        value >>= 7;
    }
    out += static_cast<char>(value);
}

void put_tag(std::string& out, int field, int wire) { put_varint(out, static_cast<uint64_t>(field) << 3 | wire); }

void put_bytes(std::string& out, int field, std::string_view bytes) {
    put_tag(out, field, 2);
    put_varint(out, bytes.size());
    out += bytes;
}

void put_number(std::string& out, int field, uint64_t value) {
    put_tag(out, field, 0);
    put_varint(out, value);
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : m_bytes(bytes) {}
    bool done() const { return m_at >= m_bytes.size(); }
    bool varint(uint64_t& value) {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_at >= m_bytes.size()) return false;
            auto byte = static_cast<unsigned char>(m_bytes[m_at++]);
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if (byte < 0x80) return true;
        }
        return false;
    }
    bool bytes(std::string_view& value) {
        uint64_t size = 0;
        if (!varint(size) || size > m_bytes.size() - m_at) return false;
        value = m_bytes.substr(m_at, size);
        m_at += size;
        return true;
    }
    bool skip(int wire) {
        uint64_t ignored = 0;
        std::string_view ignored_bytes;
        switch (wire) {
            case 0: return varint(ignored);
            case 1: return advance(8);
            case 2: return bytes(ignored_bytes);
            case 5: return advance(4);
            default: return false;
        }
    }

private:
    bool advance(size_t count) {
        if (count > m_bytes.size() - m_at) return false;
        m_at += count;
        return true;
    }
    std::string_view m_bytes;
    size_t m_at = 0;
};

core::Error malformed(const std::string& what) {
    return core::make_error(core::ErrorCode::invalid_argument, "Feishu frame: " + what);
}

core::Result<std::pair<std::string, std::string>> decode_header(std::string_view bytes) {
    Reader reader(bytes);
    std::pair<std::string, std::string> header;
    while (!reader.done()) {
        uint64_t tag = 0;
        if (!reader.varint(tag)) return malformed("truncated header");
        int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
        std::string_view value;
        if ((field == 1 || field == 2) && wire == 2) {
            if (!reader.bytes(value)) return malformed("truncated header field");
            (field == 1 ? header.first : header.second) = std::string(value);
        } else if (!reader.skip(wire)) {
            return malformed("bad header field");
        }
    }
    return header;
}

}  // namespace

std::string PbFrame::header(std::string_view key) const {
    for (const auto& [name, value] : headers)
        if (name == key) return value;
    return "";
}

std::string encode_frame(const PbFrame& frame) {
    std::string out;
    put_number(out, 1, frame.seq_id);
    put_number(out, 2, frame.log_id);
    put_number(out, 3, static_cast<uint64_t>(static_cast<int64_t>(frame.service)));  // int32: sign-extended
    put_number(out, 4, static_cast<uint64_t>(static_cast<int64_t>(frame.method)));
    for (const auto& [key, value] : frame.headers) {
        std::string header;
        put_bytes(header, 1, key);
        put_bytes(header, 2, value);
        put_bytes(out, 5, header);
    }
    put_bytes(out, 6, frame.payload_encoding);
    put_bytes(out, 7, frame.payload_type);
    if (!frame.payload.empty()) put_bytes(out, 8, frame.payload);
    put_bytes(out, 9, frame.log_id_new);
    return out;
}

core::Result<PbFrame> decode_frame(std::string_view bytes) {
    Reader reader(bytes);
    PbFrame frame;
    while (!reader.done()) {
        uint64_t tag = 0;
        if (!reader.varint(tag)) return malformed("truncated tag");
        int field = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
        if (field >= 1 && field <= 4 && wire == 0) {
            uint64_t value = 0;
            if (!reader.varint(value)) return malformed("truncated number");
            if (field == 1) frame.seq_id = value;
            if (field == 2) frame.log_id = value;
            if (field == 3) frame.service = static_cast<int32_t>(value);
            if (field == 4) frame.method = static_cast<int32_t>(value);
        } else if (field >= 5 && field <= 9 && wire == 2) {
            std::string_view value;
            if (!reader.bytes(value)) return malformed("truncated field " + std::to_string(field));
            if (field == 5) {
                auto header = decode_header(value);
                if (!header) return header.error();
                frame.headers.push_back(std::move(*header));
            }
            if (field == 6) frame.payload_encoding = std::string(value);
            if (field == 7) frame.payload_type = std::string(value);
            if (field == 8) frame.payload = std::string(value);
            if (field == 9) frame.log_id_new = std::string(value);
        } else if (!reader.skip(wire)) {
            return malformed("bad field " + std::to_string(field));
        }
    }
    return frame;
}

PbFrame ping_frame(int32_t service_id) {
    PbFrame frame;
    frame.method = k_frame_control;
    frame.service = service_id;
    frame.headers.emplace_back("type", "ping");
    return frame;
}

std::string render_ws_endpoint_request(std::string_view app_id, std::string_view app_secret) {
    return Json{{"AppID", std::string(app_id)}, {"AppSecret", std::string(app_secret)}}.dump();
}

core::Result<WsEndpoint> parse_ws_endpoint_response(int http_status, std::string_view body) {
    Json parsed = Json::parse(body, nullptr, false);
    if (http_status != 200) {
        std::string msg = parsed.is_object() ? text_at(parsed, "msg") : "";
        return core::make_error(core::ErrorCode::upstream, "callback/ws/endpoint: HTTP " + std::to_string(http_status) +
                                                               (msg.empty() ? "" : ": " + msg));
    }
    if (!parsed.is_object()) return core::make_error(core::ErrorCode::upstream, "callback/ws/endpoint: unparseable body");
    long long code = parsed.value("code", -1LL);
    if (code != 0)
        return core::make_error(core::ErrorCode::upstream,
                                "callback/ws/endpoint: code " + std::to_string(code) + " " + text_at(parsed, "msg"));
    auto data = parsed.find("data");
    if (data == parsed.end() || !data->is_object())
        return core::make_error(core::ErrorCode::upstream, "callback/ws/endpoint: no data");
    WsEndpoint endpoint;
    endpoint.url = text_at(*data, "URL");
    if (endpoint.url.rfind("wss://", 0) != 0)
        return core::make_error(core::ErrorCode::upstream, "callback/ws/endpoint: no wss:// URL");
    if (size_t query = endpoint.url.find('?'); query != std::string::npos) {
        if (auto form = parse_form(endpoint.url.substr(query + 1))) {
            if (auto it = form->find("service_id"); it != form->end()) endpoint.service_id = std::atoi(it->second.c_str());
        }
    }
    if (auto config = data->find("ClientConfig"); config != data->end() && config->is_object()) {
        long long ping = config->value("PingInterval", 0LL);
        if (ping > 0) endpoint.ping_interval_s = ping;
    }
    return endpoint;
}

PbFrame response_frame(PbFrame frame, int code, long long biz_rt_ms, std::string_view data) {
    frame.headers.emplace_back("biz_rt", std::to_string(biz_rt_ms));
    Json answer{{"code", code}, {"headers", Json::object()}, {"data", nullptr}};
    if (!data.empty()) answer["data"] = base64_encode(data);  // the SDKs' []byte / Buffer: base64
    frame.payload = answer.dump();
    return frame;
}

core::Result<EventRequest> decode_long_connection_event(std::string_view payload, std::string_view bot_open_id) {
    if (auto shallow = core::check_json_depth(payload); !shallow)
        return core::make_error(core::ErrorCode::invalid_argument, "Feishu event: " + shallow.error().message);
    Json parsed = Json::parse(payload, nullptr, false);
    if (!parsed.is_object()) return core::make_error(core::ErrorCode::invalid_argument, "Feishu event: not a JSON object");
    // One decoder for both transports: the token check of decode_event is satisfied with a
    // token of our own, because here the connection itself was authenticated.
    const std::string token = "long-connection";
    if (parsed.contains("schema") && parsed["header"].is_object())
        parsed["header"]["token"] = token;
    else
        parsed["token"] = token;
    EventConfig config{token, "", std::string(bot_open_id)};
    return decode_event(parsed.dump(-1, ' ', false, Json::error_handler_t::replace), config, SignatureHeaders{});
}

}  // namespace adapters::feishu
