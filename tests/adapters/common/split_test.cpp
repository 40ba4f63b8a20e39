#include "adapters/common/split.h"

#include <gtest/gtest.h>

#include "adapters/common/form.h"

namespace {

// Fits when the sections joined by "\n" take at most `limit` bytes.
adapters::FitsSections within(size_t limit) {
    return [limit](const std::vector<std::string>& sections) {
        size_t size = 0;
        for (const auto& s : sections) size += s.size() + 1;
        return size <= limit + 1;
    };
}

std::string concatenated(const std::vector<std::vector<std::string>>& runs, const char* sep) {
    std::string out;
    for (const auto& run : runs)
        for (const auto& piece : run) out += (out.empty() ? "" : sep) + piece;
    return out;
}

TEST(SplitTest, SectionsThatFitTogetherStayInOneRun) {
    auto runs = adapters::pack_sections({"ab", "cd", "ef"}, within(100));
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0], (std::vector<std::string>{"ab", "cd", "ef"}));
}

TEST(SplitTest, RunsKeepOrderAndEachFits) {
    std::vector<std::string> sections{"aaaa", "bbbb", "cccc", "dddd", "eeee"};
    auto runs = adapters::pack_sections(sections, within(10));
    EXPECT_EQ(runs.size(), 3u);
    for (const auto& run : runs) EXPECT_TRUE(within(10)(run));
    EXPECT_EQ(concatenated(runs, "|"), "aaaa|bbbb|cccc|dddd|eeee");
}

TEST(SplitTest, OversizedSectionIsCutAtLinesThenAtUtf8Boundaries) {
    std::string section = "第一行\n第二行很长很长很长很长\nend";
    auto runs = adapters::pack_sections({section}, within(10));
    std::string rebuilt;
    for (const auto& run : runs)
        for (const auto& piece : run) {
            EXPECT_LE(piece.size(), 10u);
            EXPECT_TRUE(adapters::is_valid_utf8(piece)) << piece;
            rebuilt += piece;
        }
    std::string without_newlines;
    for (char c : section)
        if (c != '\n') without_newlines += c;
    EXPECT_EQ(rebuilt, without_newlines);
}

TEST(SplitTest, LargestFittingAndUtf8Floor) {
    EXPECT_EQ(adapters::largest_fitting(10, [](size_t n) { return n <= 7; }), 7u);
    EXPECT_EQ(adapters::largest_fitting(10, [](size_t) { return false; }), 1u);
    std::string text = "a中b";  // 中 is 3 bytes at [1, 4)
    EXPECT_EQ(adapters::utf8_floor(text, 2), 1u);
    EXPECT_EQ(adapters::utf8_floor(text, 4), 4u);
    EXPECT_EQ(adapters::utf8_floor(text, 99), text.size());
}

}  // namespace
