// SecretsNeverLogged: reads every log the test binaries wrote (test_log_file.cpp) and fails,
// naming the file, the line and which secret, when any secret the tests hand to trackerd
// (test_secrets.h) appears in one. Runs after every other test (ctest FIXTURES_CLEANUP).
// Usage: secrets_never_logged LOG_DIR

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/support/test_secrets.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: secrets_never_logged LOG_DIR\n";
        return 2;
    }
    std::error_code ec;
    int files = 0;
    int leaks = 0;
    for (const auto& entry : std::filesystem::directory_iterator(argv[1], ec)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".log") continue;
        ++files;
        std::ifstream in(entry.path(), std::ios::binary);
        std::string line;
        for (int number = 1; std::getline(in, line); ++number) {
            for (auto secret : testing_support::secrets::k_all_secrets) {
                if (line.find(secret) == std::string::npos) continue;
                ++leaks;
                std::cerr << entry.path().string() << ":" << number << ": holds the secret \"" << secret
                          << "\": " << line.substr(0, 300) << "\n";
            }
        }
    }
    if (ec) {
        std::cerr << "secrets_never_logged: cannot read " << argv[1] << ": " << ec.message() << "\n";
        return 1;
    }
    std::cout << "read " << files << " test logs; " << leaks << " secret(s) found\n";
    return leaks == 0 ? 0 : 1;
}
