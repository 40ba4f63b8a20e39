// OpenSSL-backed primitives declared in adapters/common/crypto.h. Every function is pure over
// its arguments (RAND_bytes aside), so all are safe for concurrent use.

#include "adapters/common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdlib>
#include <initializer_list>
#include <limits>
#include <memory>

namespace adapters {

namespace {

const unsigned char* bytes_of(std::string_view text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

bool is_base64_alphabet(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// The number of '=' at the end of a well-formed base64 text, or -1 when it is malformed:
// length not a multiple of 4, a character outside the alphabet (whitespace included), or
// '=' anywhere but in the last two positions. EVP_DecodeBlock alone is too lenient (it
// skips surrounding whitespace) and reports the length with the padding counted as zeros.
int base64_padding(std::string_view text) {
    if (text.size() % 4 != 0) return -1;
    int padding = 0;
    if (!text.empty() && text.back() == '=') padding = 1;
    if (text.size() >= 2 && text[text.size() - 2] == '=') {
        if (padding == 0) return -1;  // "x=y" style: '=' followed by data
        padding = 2;
    }
    for (size_t i = 0; i + padding < text.size(); ++i) {
        if (!is_base64_alphabet(text[i])) return -1;
    }
    return padding;
}

struct CipherContextDeleter {
    void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

core::Result<void> check_aes_parameters(std::string_view key, std::string_view iv) {
    if (key.size() != 32) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                "AES-256 key must be 32 bytes, got " + std::to_string(key.size()));
    }
    if (iv.size() != 16) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                "AES-CBC IV must be 16 bytes, got " + std::to_string(iv.size()));
    }
    return core::ok();
}

// One pass of EVP encryption or decryption; `encrypt` selects the direction. PKCS#7 padding
// is the EVP default, which is what Feishu uses (protocols.md §0.5, §2.4).
core::Result<std::string> aes256_cbc(bool encrypt, std::string_view key, std::string_view iv,
                                     std::string_view input) {
    if (auto checked = check_aes_parameters(key, iv); !checked) return checked.error();
    const char* what = encrypt ? "AES encrypt" : "AES decrypt";
    CipherContext context(EVP_CIPHER_CTX_new());
    if (!context)
        return core::make_error(core::ErrorCode::internal, std::string(what) + ": no context");
    if (EVP_CipherInit_ex(context.get(), EVP_aes_256_cbc(), nullptr, bytes_of(key), bytes_of(iv),
                          encrypt ? 1 : 0) != 1) {
        return core::make_error(core::ErrorCode::internal, std::string(what) + ": init failed");
    }
    if (input.size() > static_cast<size_t>(std::numeric_limits<int>::max()) - 32) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                std::string(what) + ": input too large");
    }
    std::string output(input.size() + 16, '\0');
    auto* out = reinterpret_cast<unsigned char*>(output.data());
    int written = 0;
    if (EVP_CipherUpdate(context.get(), out, &written, bytes_of(input),
                         static_cast<int>(input.size())) != 1) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                std::string(what) + ": update failed");
    }
    int final_written = 0;
    if (EVP_CipherFinal_ex(context.get(), out + written, &final_written) != 1) {
        return core::make_error(
            core::ErrorCode::invalid_argument,
            encrypt ? std::string("AES encrypt: final block failed")
                    : std::string("AES decrypt: bad padding or length (wrong key?)"));
    }
    output.resize(static_cast<size_t>(written + final_written));
    return output;
}

}  // namespace

namespace {

// SHA-256 looked up once: OpenSSL 3's one-shot HMAC() and SHA256() search the provider tables
// for the algorithm on every call, which was most of a request's signature check.
const EVP_MD* sha256_md() {
    static EVP_MD* md = [] {
        EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
        if (!fetched) std::abort();  // an OpenSSL without SHA-256: an invariant, not an input error
        return fetched;
    }();
    return md;
}

// One digest context per thread, reset for each use.
EVP_MD_CTX* digest_context() {
    thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context) std::abort();
    return context.get();
}

// SHA-256 of the parts, one after the other, into `out` (32 bytes).
void digest(std::initializer_list<std::string_view> parts, unsigned char* out) {
    EVP_MD_CTX* context = digest_context();
    unsigned int length = 0;
    bool ok = EVP_DigestInit_ex2(context, sha256_md(), nullptr) == 1;
    for (std::string_view part : parts) ok = ok && EVP_DigestUpdate(context, part.data(), part.size()) == 1;
    ok = ok && EVP_DigestFinal_ex(context, out, &length) == 1;
    if (!ok || length != SHA256_DIGEST_LENGTH) std::abort();  // only a broken OpenSSL fails here
}

std::string_view view(const unsigned char* data, size_t size) { return {reinterpret_cast<const char*>(data), size}; }

}  // namespace

// HMAC (RFC 2104) over SHA-256, whose block is 64 bytes.
std::string hmac_sha256(std::string_view key, std::string_view message) {
    constexpr size_t k_block = 64;
    unsigned char block[k_block] = {};
    if (key.size() > k_block) digest({key}, block);  // a longer key is hashed first
    else std::copy(key.begin(), key.end(), block);
    unsigned char pad[k_block];
    for (size_t i = 0; i < k_block; ++i) pad[i] = block[i] ^ 0x36;
    unsigned char inner[SHA256_DIGEST_LENGTH];
    digest({view(pad, k_block), message}, inner);
    for (size_t i = 0; i < k_block; ++i) pad[i] = block[i] ^ 0x5c;
    unsigned char out[SHA256_DIGEST_LENGTH];
    digest({view(pad, k_block), view(inner, sizeof inner)}, out);
    OPENSSL_cleanse(block, sizeof block);
    OPENSSL_cleanse(pad, sizeof pad);
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string sha256(std::string_view data) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    digest({data}, out);
    return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string to_hex(std::string_view bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        hex.push_back(k_digits[byte >> 4]);
        hex.push_back(k_digits[byte & 0x0f]);
    }
    return hex;
}

std::string base64_encode(std::string_view bytes) {
    std::string text(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock writes a NUL
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()),
                                       bytes_of(bytes), static_cast<int>(bytes.size()));
    text.resize(static_cast<size_t>(length));
    return text;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) return std::nullopt;
    const int padding = base64_padding(text);
    if (padding < 0) return std::nullopt;
    if (text.empty()) return std::string();
    std::string bytes(text.size() / 4 * 3, '\0');
    const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(bytes.data()),
                                       bytes_of(text), static_cast<int>(text.size()));
    if (length < padding) return std::nullopt;
    // EVP_DecodeBlock counts each '=' as a decoded zero byte; drop them.
    bytes.resize(static_cast<size_t>(length - padding));
    return bytes;
}

bool constant_time_equals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

core::Result<std::string> aes256_cbc_decrypt(std::string_view key, std::string_view iv,
                                             std::string_view ciphertext) {
    if (ciphertext.empty() || ciphertext.size() % 16 != 0) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                "AES decrypt: ciphertext length " +
                                    std::to_string(ciphertext.size()) +
                                    " is not a positive multiple of 16");
    }
    return aes256_cbc(false, key, iv, ciphertext);
}

core::Result<std::string> aes256_cbc_encrypt(std::string_view key, std::string_view iv,
                                             std::string_view plaintext) {
    return aes256_cbc(true, key, iv, plaintext);
}

std::string random_bytes(size_t count) {
    std::string bytes(count, '\0');
    if (count == 0) return bytes;
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
        std::abort();  // no entropy: continuing would hand out predictable IVs and ids
    }
    return bytes;
}

std::string random_hex_id(size_t bytes) { return to_hex(random_bytes(bytes)); }

}  // namespace adapters
