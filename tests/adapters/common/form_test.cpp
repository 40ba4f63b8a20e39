// Tests for adapters/common/form.h: percent-encoding, form bodies, URL splitting, UTF-8.

#include "adapters/common/form.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace adapters {
namespace {

TEST(FormTest, UrlEncodeKeepsOnlyUnreservedCharacters) {
    EXPECT_EQ(url_encode(""), "");
    EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
    EXPECT_EQ(url_encode("a b+c/d=e&f"), "a%20b%2Bc%2Fd%3De%26f");
    EXPECT_EQ(url_encode("WkhwWv/d9lDN+iQSL1g+x4dWEUFe/9+W28zhERrfbFU="),
              "WkhwWv%2Fd9lDN%2BiQSL1g%2Bx4dWEUFe%2F9%2BW28zhERrfbFU%3D");  // protocols.md §3.7
    EXPECT_EQ(url_encode("更"), "%E6%9B%B4");
    EXPECT_EQ(url_encode(std::string("\0", 1)), "%00");
}

TEST(FormTest, UrlDecodeHandlesEscapesAndPlus) {
    EXPECT_EQ(url_decode("").value(), "");
    EXPECT_EQ(url_decode("a+b%20c").value(), "a b c");
    EXPECT_EQ(url_decode("%2Fwebhook-collect").value(), "/webhook-collect");
    EXPECT_EQ(url_decode("%e6%9B%b4").value(), "更");  // hex digits in either case
    EXPECT_EQ(url_decode("%2B").value(), "+");
    EXPECT_EQ(url_decode("%00").value(), std::string("\0", 1));
    for (const std::string text : {"%", "%2", "abc%", "%G0", "%0G", "%%20"}) {
        EXPECT_FALSE(url_decode(text).has_value()) << text;
    }
}

TEST(FormTest, UrlDecodeInvertsUrlEncode) {
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    EXPECT_EQ(url_decode(url_encode(all)).value(), all);
}

TEST(FormTest, ParseFormReadsTheSlackSlashCommandBody) {
    const auto form = parse_form(
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fwebhook-collect&text=&"
        "response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%"
        "2F96rGlfmibIGlgcZRskXaIFfN");
    ASSERT_TRUE(form.has_value());
    EXPECT_EQ(form->size(), 5u);
    EXPECT_EQ(form->at("team_id"), "T1DC2JH3J");
    EXPECT_EQ(form->at("command"), "/webhook-collect");
    EXPECT_EQ(form->at("text"), "");
    EXPECT_EQ(form->at("response_url"),
              "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN");
}

TEST(FormTest, ParseFormEdgeCases) {
    EXPECT_TRUE(parse_form("").value().empty());
    const auto form = parse_form("a=1&&b&a=2&c=x=y&d+e=f+g&=v");
    ASSERT_TRUE(form.has_value());
    EXPECT_EQ(form->at("a"), "1");    // a repeated key keeps the first value
    EXPECT_EQ(form->at("b"), "");     // a key with no '=' has an empty value
    EXPECT_EQ(form->at("c"), "x=y");  // only the first '=' separates
    EXPECT_EQ(form->at("d e"), "f g");
    EXPECT_EQ(form->at(""), "v");
    EXPECT_FALSE(parse_form("a=1&b=%zz").has_value());
    EXPECT_FALSE(parse_form("a%=1").has_value());
}

struct SplitCase {
    const char* url;
    bool valid;
    const char* base;
    const char* path_and_query;
};

TEST(FormTest, SplitUrlTable) {
    const std::vector<SplitCase> cases = {
        {"https://hooks.slack.com/services/T0/B0/X0", true, "https://hooks.slack.com",
         "/services/T0/B0/X0"},
        {"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1", true,
         "https://oapi.dingtalk.com", "/robot/send?access_token=abc&timestamp=1"},
        {"http://127.0.0.1:8080/hook", true, "http://127.0.0.1:8080", "/hook"},
        {"http://localhost:9", true, "http://localhost:9", "/"},
        {"https://example.com?x=1", true, "https://example.com", "/?x=1"},
        {"https://example.com/a#frag", true, "https://example.com", "/a"},
        {"HTTPS://Example.com/A", true, "HTTPS://Example.com", "/A"},
        {"ftp://example.com/a", false, "", ""},
        {"example.com/a", false, "", ""},
        {"https:///path", false, "", ""},
        {"https://", false, "", ""},
        {"https://:80/a", false, "", ""},
        {"https://user@example.com/a", false, "", ""},
        {"https://exa mple.com/a", false, "", ""},
        {"https://example.com/a\nb", false, "", ""},
    };
    for (const auto& c : cases) {
        const auto parts = split_url(c.url);
        ASSERT_EQ(parts.has_value(), c.valid) << c.url;
        if (!c.valid) continue;
        EXPECT_EQ(parts->base, c.base) << c.url;
        EXPECT_EQ(parts->path_and_query, c.path_and_query) << c.url;
    }
}

struct Utf8Case {
    const char* name;
    std::string bytes;
    bool valid;
};

TEST(FormTest, Utf8ValidationTable) {
    const std::vector<Utf8Case> cases = {
        {"empty", "", true},
        {"ascii", "update T003 60%", true},
        {"two-byte", "caf\xc3\xa9", true},
        {"three-byte chinese", "\xe6\x9b\xb4\xe6\x96\xb0", true},
        {"four-byte emoji", "\xf0\x9f\x9a\x80", true},
        {"max code point U+10FFFF", "\xf4\x8f\xbf\xbf", true},
        {"last before surrogates U+D7FF", "\xed\x9f\xbf", true},
        {"first after surrogates U+E000", "\xee\x80\x80", true},
        {"nul byte", std::string("a\0b", 3), true},
        {"lone continuation", "\x80", false},
        {"overlong slash c0 af", "\xc0\xaf", false},
        {"overlong c1", "\xc1\xbf", false},
        {"overlong three-byte", "\xe0\x80\xaf", false},
        {"overlong four-byte", "\xf0\x80\x80\xaf", false},
        {"surrogate U+D800", "\xed\xa0\x80", false},
        {"surrogate U+DFFF", "\xed\xbf\xbf", false},
        {"above U+10FFFF", "\xf4\x90\x80\x80", false},
        {"f5 lead", "\xf5\x80\x80\x80", false},
        {"ff byte", "\xff", false},
        {"truncated two-byte", "\xc3", false},
        {"truncated three-byte", "\xe6\x9b", false},
        {"truncated four-byte", "\xf0\x9f\x9a", false},
        {"bad continuation", "\xe6\x28\xb4", false},
        {"bad third byte", "\xe6\x9b\x28", false},
        {"valid then invalid", "ok \xe6\x9b\xb4 \xc3\x28", false},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(is_valid_utf8(c.bytes), c.valid) << c.name;
    }
}

}  // namespace
}  // namespace adapters
