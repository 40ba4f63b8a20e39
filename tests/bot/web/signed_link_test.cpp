// Tests of bot/signed_link.h: good, expired, tampered path / expiry / signature, the secret kept
// in the store across reopening, the configured secret winning.
#include "bot/web/signed_link.h"

#include <gtest/gtest.h>

#include <map>

#include "core/store/store.h"
#include "tests/support/temp_dir.h"

namespace {

constexpr long long k_now = 1711152000;  // 2024-03-23 00:00 UTC

// "/web/p/P1?exp=…&sig=…" -> {"path": …, "exp": …, "sig": …}
std::map<std::string, std::string> split(const std::string& link) {
    std::map<std::string, std::string> parts;
    size_t question = link.find('?');
    parts["path"] = link.substr(0, question);
    std::string query = link.substr(question + 1);
    size_t start = 0;
    while (start < query.size()) {
        size_t amp = query.find('&', start);
        if (amp == std::string::npos) amp = query.size();
        std::string pair = query.substr(start, amp - start);
        size_t eq = pair.find('=');
        parts[pair.substr(0, eq)] = pair.substr(eq + 1);
        start = amp + 1;
    }
    return parts;
}

TEST(SignedLinkTest, AFreshLinkVerifiesUntilItsExpiry) {
    bot::LinkSigner signer("0123456789abcdef0123456789abcdef");
    auto link = split(signer.sign("/web/p/P1", k_now + 3600));
    EXPECT_EQ(link["path"], "/web/p/P1");
    EXPECT_EQ(link["exp"], std::to_string(k_now + 3600));
    EXPECT_EQ(link["sig"].size(), 64u);
    EXPECT_TRUE(signer.verify("/web/p/P1", link["exp"], link["sig"], k_now));
    EXPECT_TRUE(signer.verify("/web/p/P1", link["exp"], link["sig"], k_now + 3600)) << "valid through the second it names";
}

TEST(SignedLinkTest, AnExpiredLinkIsRefusedSayingWhenItExpired) {
    bot::LinkSigner signer("0123456789abcdef0123456789abcdef");
    auto link = split(signer.sign("/web/p/P1", k_now - 1));
    auto verified = signer.verify("/web/p/P1", link["exp"], link["sig"], k_now);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().code, core::ErrorCode::unauthorized);
    EXPECT_EQ(verified.error().message, "the link expired at 2024-03-22 23:59 UTC");
}

TEST(SignedLinkTest, ALinkForOneProjectDoesNotOpenAnother) {
    bot::LinkSigner signer("0123456789abcdef0123456789abcdef");
    auto link = split(signer.sign("/web/p/P1", k_now + 3600));
    auto verified = signer.verify("/web/p/P2", link["exp"], link["sig"], k_now);
    ASSERT_FALSE(verified);
    EXPECT_EQ(verified.error().message, "the link's signature is not valid");
    EXPECT_FALSE(signer.verify("/web/", link["exp"], link["sig"], k_now));
}

TEST(SignedLinkTest, AnExpiryPushedLaterOrATamperedSignatureIsRefused) {
    bot::LinkSigner signer("0123456789abcdef0123456789abcdef");
    auto link = split(signer.sign("/web/p/P1", k_now + 3600));
    EXPECT_FALSE(signer.verify("/web/p/P1", std::to_string(k_now + 999999), link["sig"], k_now));
    std::string sig = link["sig"];
    sig[10] = sig[10] == 'a' ? 'b' : 'a';
    EXPECT_FALSE(signer.verify("/web/p/P1", link["exp"], sig, k_now));
    EXPECT_FALSE(signer.verify("/web/p/P1", link["exp"], link["sig"].substr(0, 63), k_now));
    auto missing = signer.verify("/web/p/P1", "", "", k_now);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "the link has no signature");
    bot::LinkSigner other("another-secret-0123456789abcdef");
    EXPECT_FALSE(other.verify("/web/p/P1", link["exp"], link["sig"], k_now)) << "another secret, another signature";
}

TEST(SignedLinkTest, NonAsciiPathsAreSignedDecodedAndSentEncoded) {
    bot::LinkSigner signer("0123456789abcdef0123456789abcdef");
    auto link = split(signer.sign("/web/p/新品", k_now + 60));
    EXPECT_EQ(link["path"], "/web/p/%E6%96%B0%E5%93%81");
    EXPECT_TRUE(signer.verify("/web/p/新品", link["exp"], link["sig"], k_now));
    EXPECT_EQ(signer.sign_url("https://track.example.com/", "/web/p/P1", k_now).rfind("https://track.example.com/web/p/P1?exp=", 0), 0u);
}

TEST(SignedLinkTest, TheGeneratedSecretIsKeptInTheStoreSoLinksSurviveARestart) {
    testing_support::TempDir dir;
    std::string link;
    {
        auto store = store::Store::open(dir.file("t.db"));
        ASSERT_TRUE(store) << store.error().message;
        auto signer = bot::LinkSigner::create("", **store);
        ASSERT_TRUE(signer) << signer.error().message;
        link = (*signer)->sign("/web/p/P1", k_now + 60);
        auto kept = (*store)->get_state(bot::k_link_secret_state_key);
        ASSERT_TRUE(kept && kept->has_value());
        EXPECT_EQ((*kept)->size(), 64u) << "32 random bytes as hex";
    }
    auto store = store::Store::open(dir.file("t.db"));
    ASSERT_TRUE(store);
    auto signer = bot::LinkSigner::create("", **store);
    ASSERT_TRUE(signer);
    auto parts = split(link);
    EXPECT_TRUE((*signer)->verify("/web/p/P1", parts["exp"], parts["sig"], k_now));

    testing_support::TempDir other_dir;
    auto other_store = store::Store::open(other_dir.file("t.db"));
    ASSERT_TRUE(other_store);
    auto other = bot::LinkSigner::create("", **other_store);
    ASSERT_TRUE(other);
    EXPECT_FALSE((*other)->verify("/web/p/P1", parts["exp"], parts["sig"], k_now)) << "each database its own secret";
}

TEST(SignedLinkTest, AConfiguredSecretWinsOverTheStoredOne) {
    testing_support::TempDir dir;
    auto store = store::Store::open(dir.file("t.db"));
    ASSERT_TRUE(store);
    auto secret = bot::link_secret("configured-secret-0123456789", **store);
    ASSERT_TRUE(secret);
    EXPECT_EQ(*secret, "configured-secret-0123456789");
    auto kept = (*store)->get_state(bot::k_link_secret_state_key);
    ASSERT_TRUE(kept);
    EXPECT_FALSE(kept->has_value()) << "nothing generated when the config sets one";
}

}  // namespace
