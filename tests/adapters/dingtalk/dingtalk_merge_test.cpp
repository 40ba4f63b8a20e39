// merge_custom_robot_bodies: custom-robot bodies for one robot as one request (§3.5).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/dingtalk/dingtalk.h"

namespace adapters::dingtalk {
namespace {

using nlohmann::json;

core::ChatMessage warning(const std::string& task, const std::string& staff_id) {
    core::ChatMessage message;
    message.title = "延期预警 " + task;
    message.sections = {task + " 已延期 2 天 @" + staff_id};
    message.mention_user_ids = {staff_id};
    return message;
}

core::ChatMessage reply(const std::string& text) {
    core::ChatMessage message;
    message.sections = {text};
    return message;
}

TEST(DingtalkMergeBodiesTest, MarkdownBodiesBecomeOneInOrderWithEveryMention) {
    const std::vector<std::string> bodies = {render_custom_robot(warning("T003", "111"), "uuid-a"),
                                             render_custom_robot(warning("T007", "222"), "uuid-b"),
                                             render_custom_robot(warning("T009", "111"), "uuid-c")};
    const MergedBody merged = merge_custom_robot_bodies(bodies);
    ASSERT_EQ(merged.count, 3u);
    const json body = json::parse(merged.body);
    EXPECT_EQ(body["msgtype"], "markdown");
    EXPECT_EQ(body["markdown"]["title"], "延期预警 T003 (+2)");
    EXPECT_EQ(body["markdown"]["text"],
              "### 延期预警 T003\n\nT003 已延期 2 天 @111\n\n### 延期预警 T007\n\nT007 已延期 2 天 @222\n\n"
              "### 延期预警 T009\n\nT009 已延期 2 天 @111");
    EXPECT_EQ(body["at"]["atUserIds"], json::array({"111", "222"}));
    EXPECT_EQ(body["at"]["isAtAll"], false);
    EXPECT_FALSE(body["at"].contains("atMobiles"));
}

TEST(DingtalkMergeBodiesTest, TextBodiesStayTextJoinedByABlankLine) {
    const MergedBody merged = merge_custom_robot_bodies(
        {render_custom_robot(reply("T010 完成"), "a"), render_custom_robot(reply("T011 完成"), "b")});
    ASSERT_EQ(merged.count, 2u);
    const json body = json::parse(merged.body);
    EXPECT_EQ(body["msgtype"], "text");
    EXPECT_EQ(body["text"]["content"], "T010 完成\n\nT011 完成");
}

TEST(DingtalkMergeBodiesTest, TextFirstGivesTheMarkdownTitleItsFirstLine) {
    const MergedBody merged = merge_custom_robot_bodies(
        {render_custom_robot(reply("T010 完成\n第二行"), "a"), render_custom_robot(warning("T003", "111"), "b")});
    ASSERT_EQ(merged.count, 2u);
    const json body = json::parse(merged.body);
    EXPECT_EQ(body["msgtype"], "markdown");
    EXPECT_EQ(body["markdown"]["title"], "T010 完成 (+1)");
}

TEST(DingtalkMergeBodiesTest, MsgUuidDependsOnEveryPartSoADifferentSetIsNotDeduplicated) {
    const std::string a = render_custom_robot(reply("a"), "uuid-a");
    const std::string b = render_custom_robot(reply("b"), "uuid-b");
    const std::string c = render_custom_robot(reply("c"), "uuid-c");
    const std::string ab = json::parse(merge_custom_robot_bodies({a, b}).body)["msgUuid"];
    EXPECT_EQ(ab.size(), 32u);
    EXPECT_EQ(json::parse(merge_custom_robot_bodies({a, b}).body)["msgUuid"], ab) << "a retry dedups";
    EXPECT_NE(json::parse(merge_custom_robot_bodies({a, b, c}).body)["msgUuid"], ab);
    EXPECT_NE(ab, "uuid-a");
    EXPECT_EQ(merge_custom_robot_bodies({a, b}).msg_uuid, ab) << "the sender's remote id, unparsed";
    const std::string bare = render_custom_robot(reply("d"), "");
    EXPECT_FALSE(json::parse(merge_custom_robot_bodies({a, bare}).body).contains("msgUuid"));
    EXPECT_EQ(merge_custom_robot_bodies({a, bare}).msg_uuid, "");
    EXPECT_EQ(merge_custom_robot_bodies({a}).msg_uuid, "") << "one body keeps its own";
}

TEST(DingtalkMergeBodiesTest, AtMobilesAndAtAllAreUnited) {
    const std::string first = R"({"msgtype":"text","text":{"content":"x"},"at":{"atMobiles":["138"],"isAtAll":false}})";
    const std::string second = R"({"msgtype":"text","text":{"content":"y"},"at":{"atMobiles":["139","138"],"isAtAll":true}})";
    const json body = json::parse(merge_custom_robot_bodies({first, second}).body);
    EXPECT_EQ(body["at"]["atMobiles"], json::array({"138", "139"}));
    EXPECT_EQ(body["at"]["isAtAll"], true);
}

TEST(DingtalkMergeBodiesTest, MergesOnlyAsManyAsFitTheLimit) {
    core::ChatMessage big = reply(std::string(6000, 'x'));
    const std::string body = render_custom_robot(big, "u");
    const MergedBody merged = merge_custom_robot_bodies({body, body, body, body});
    EXPECT_EQ(merged.count, 2u);
    EXPECT_LE(merged.body.size(), k_custom_robot_merge_limit);

    const MergedBody tight = merge_custom_robot_bodies({body, body}, body.size() + 10);
    EXPECT_EQ(tight.count, 1u);
    EXPECT_EQ(tight.body, body) << "a body alone goes as it is";
}

TEST(DingtalkMergeBodiesTest, StopsAtABodyItCannotMergeToKeepTheOrder) {
    const std::string a = render_custom_robot(reply("a"), "");
    const std::string card = R"({"msgtype":"actionCard","actionCard":{"title":"t","text":"x"}})";
    EXPECT_EQ(merge_custom_robot_bodies({a, card, a}).count, 1u);
    EXPECT_EQ(merge_custom_robot_bodies({a, a, "not json", a}).count, 2u);
    EXPECT_EQ(merge_custom_robot_bodies({card, a}).count, 1u);
    EXPECT_EQ(merge_custom_robot_bodies({card, a}).body, card);
    EXPECT_EQ(merge_custom_robot_bodies({}).count, 0u);
}

}  // namespace
}  // namespace adapters::dingtalk
