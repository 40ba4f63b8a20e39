#pragma once
// The cryptographic primitives the three platforms use, over OpenSSL. Pure functions over
// bytes held in std::string; safe for concurrent use. No OpenSSL types leak from here.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace adapters {

// Raw 32-byte digests.
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string sha256(std::string_view data);

std::string to_hex(std::string_view bytes);  // lowercase
std::string base64_encode(std::string_view bytes);  // standard alphabet, '=' padded
// Strict: standard alphabet, padding required, no whitespace. nullopt when malformed.
std::optional<std::string> base64_decode(std::string_view text);

// Constant-time equality (CRYPTO_memcmp); false for different lengths.
bool constant_time_equals(std::string_view a, std::string_view b);

// AES-256-CBC with PKCS#7 padding. `key` must be 32 bytes and `iv` 16 bytes.
core::Result<std::string> aes256_cbc_decrypt(std::string_view key, std::string_view iv,
                                             std::string_view ciphertext);
core::Result<std::string> aes256_cbc_encrypt(std::string_view key, std::string_view iv,
                                             std::string_view plaintext);

std::string random_bytes(size_t count);  // RAND_bytes; for IVs, nonces and idempotency keys
std::string random_hex_id(size_t bytes = 16);

}  // namespace adapters
