#pragma once
// TLS material for fake servers, made at test time with OpenSSL's C API (nothing checked in, so
// nothing expires): a throw-away CA and a server certificate it signs for 127.0.0.1 (IP SAN)
// and "localhost", valid from an hour ago for a day. Clients trust ca_pem / ca_file.
//
// Thread safety: plain value once made.

#include <string>

namespace testing_support {

struct TestTls {
    std::string ca_pem;    // the CA certificate
    std::string cert_pem;  // the server certificate (signed by the CA)
    std::string key_pem;   // the server's private key
    std::string ca_file;   // ca_pem written to a file (make_test_tls's directory)
};

// Writes ca.pem into `directory`. Aborts on an OpenSSL failure (a broken test environment).
// `names` = the server certificate's subjectAltName.
TestTls make_test_tls(const std::string& directory, const std::string& names = "IP:127.0.0.1,DNS:localhost");

}  // namespace testing_support
