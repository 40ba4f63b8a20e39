// Tests for core/people_csv.h: the people table that `trackerctl people import` reads.

#include "core/people_csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace core {
namespace {

std::string describe_all(const std::vector<Person>& people) {
    std::string out;
    for (const auto& p : people)
        out += p.id + "|" + p.name + "|" + p.department + "|" + p.email + "|" + p.mobile + "|" +
               p.slack + "|" + p.feishu + "|" + p.dingtalk + "\n";
    return out;
}

TEST(PeopleCsvTest, ChineseHeadersReadEveryField) {
    auto people = parse_people_csv(
        "编号,姓名,部门,邮箱,手机,slack,飞书,钉钉\n"
        "xiaoming,小明,市场部,xm@example.com,+86 138-0013-8000,U0123,ou_abc,16650246698\n");
    ASSERT_TRUE(people) << people.error().message;
    EXPECT_EQ(describe_all(*people),
              "xiaoming|小明|市场部|xm@example.com|+86 138-0013-8000|U0123|ou_abc|16650246698\n");
}

TEST(PeopleCsvTest, EnglishHeadersAnyCaseAnyOrderWithSpacesAndBom) {
    auto people = parse_people_csv(
        "\xEF\xBB\xBF Email , NAME ,Department,ID,Phone,FeiShu,DingTalk,Slack\r\n"
        " lw@example.com , Li Wei ,Sales,liwei,13800138000,,,\r\n");
    ASSERT_TRUE(people) << people.error().message;
    EXPECT_EQ(describe_all(*people), "liwei|Li Wei|Sales|lw@example.com|13800138000|||\n");
}

TEST(PeopleCsvTest, TheIdDefaultsToTheNameAndMissingColumnsReadEmpty) {
    auto people = parse_people_csv("姓名,手机号\n小明,13800138000\n\n小红,\n");
    ASSERT_TRUE(people) << people.error().message;
    EXPECT_EQ(describe_all(*people), "小明|小明|||13800138000|||\n小红|小红||||||\n");
}

TEST(PeopleCsvTest, EveryMobileHeaderIsAccepted) {
    for (std::string header : {"手机", "mobile", "手机号", "电话", "phone", "Mobile"}) {
        SCOPED_TRACE(header);
        auto people = parse_people_csv("name," + header + "\nA,139\n");
        ASSERT_TRUE(people) << people.error().message;
        ASSERT_EQ(people->size(), 1u);
        EXPECT_EQ(people->front().mobile, "139");
    }
}

TEST(PeopleCsvTest, AQuotedCellKeepsItsComma) {
    auto people = parse_people_csv("name,department\n\"Wang, Fang\",\"R&D, Platform\"\n");
    ASSERT_TRUE(people) << people.error().message;
    EXPECT_EQ(describe_all(*people), "Wang, Fang|Wang, Fang|R&D, Platform|||||\n");
}

TEST(PeopleCsvTest, AHeaderOnlyTableHasNobody) {
    auto people = parse_people_csv("姓名,部门\n");
    ASSERT_TRUE(people) << people.error().message;
    EXPECT_TRUE(people->empty());
}

// Each bad table and words its error must contain.
struct BadTable {
    const char* what;
    std::string csv;
    std::vector<std::string> words;
};

TEST(PeopleCsvTest, BadTablesAreErrorsThatSayWhereAndWhat) {
    const std::vector<BadTable> cases = {
        {"empty", "", {"empty"}},
        {"blank lines only", "\n\n", {"empty"}},
        {"unknown columns, all named",
         "name,title,wechat\nA,B,C\n",
         {"row 1", "'title'", "'wechat'", "姓名"}},
        {"no name column", "id,email\nx,x@example.com\n", {"row 1", "missing column", "name"}},
        {"a column twice", "name,姓名\nA,B\n", {"row 1", "'姓名'", "twice"}},
        {"a row without a name", "姓名,邮箱\n小明,a@x\n,b@x\n", {"row 3", "no name", "姓名"}},
        {"a name of spaces only", "name,id\n   ,x\n", {"row 2", "no name"}},
        {"duplicate ids",
         "id,name\nx,A\ny,B\nx,C\n",
         {"row 4", "duplicate id 'x'", "first on row 2"}},
        {"duplicate names as ids", "name\nA\nA\n", {"row 3", "duplicate id 'A'", "id column"}},
        {"a cell beyond the header", "name\nA,extra\n", {"row 2", "right of the last column"}},
        {"malformed CSV", "name\n\"A\n", {"row 2"}},
    };
    for (const auto& bad : cases) {
        SCOPED_TRACE(bad.what);
        auto people = parse_people_csv(bad.csv);
        ASSERT_FALSE(people) << describe_all(*people);
        EXPECT_EQ(people.error().code, ErrorCode::invalid_argument);
        for (const auto& word : bad.words)
            EXPECT_NE(people.error().message.find(word), std::string::npos)
                << "'" << word << "' not in: " << people.error().message;
    }
}

}  // namespace
}  // namespace core
