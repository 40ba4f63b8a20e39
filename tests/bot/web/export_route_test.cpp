// `导出` in chat -> a signed link -> GET /export/<project>.xlsx served by trackerd's HTTP server
// on 127.0.0.1 (real store, fake clock): the workbook for a good link; 401 for an altered or
// expired one, 404 for a project that does not exist.
#include <gtest/gtest.h>

#include <httplib.h>

#include "bot/pipeline/dispatcher.h"
#include "bot/web/export_route.h"
#include "bot/net/http_server.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"

namespace {

using testing_support::FakeClock;
using testing_support::TempDir;

class ExportRouteTest : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string db = m_dir.file("t.db");
        ASSERT_EQ(testing_support::import_demo(db, 1700000000), "");
        auto store = store::Store::open(db);
        ASSERT_TRUE(store);
        m_store = std::move(*store);
        m_clock.set_unix(1710000000);  // 2024-03-09
        bot::add_export_route(m_server, m_signer, *m_store, m_clock, "Asia/Shanghai");
        auto port = m_server.bind("127.0.0.1", 0);
        ASSERT_TRUE(port);
        m_port = *port;
        m_server.start();
        // Answered once the server serves: HttpServer::stop() before that would wait forever
        // (cpp-httplib's stop() does nothing until listen_after_bind runs).
        auto ready = get("/export/ready.xlsx");
        ASSERT_TRUE(ready);
    }
    void TearDown() override { m_server.stop(); }

    // The reply to `text` in a chat bound to P1 whose links go to http://127.0.0.1:<port>.
    std::string say(const std::string& text) {
        bot::Dispatcher dispatcher(*m_store);
        bot::DispatchContext context;
        context.sender = core::Person{"小明", "小明", "", "", "", "", "", ""};
        context.project_ids = {"P1"};
        context.today = core::make_date(2024, 3, 9);
        context.source = core::ChangeSource{"小明", "slack", "C1", "m1", m_clock.now_unix()};
        context.links = bot::make_link_settings(m_signer, "http://127.0.0.1:" + std::to_string(m_port) + "/", 24 * 3600);
        auto result = dispatcher.handle(text, context);
        EXPECT_TRUE(result);
        return result ? result->reply.joined_text() : "";
    }

    // The path and query of the first link in `reply`.
    static std::string link_in(const std::string& reply) {
        auto at = reply.find("http://127.0.0.1:");
        if (at == std::string::npos) return "";
        auto path = reply.find('/', at + 7);
        auto end = reply.find_first_of(" \n", path);
        return reply.substr(path, end == std::string::npos ? std::string::npos : end - path);
    }

    httplib::Result get(const std::string& target) {
        httplib::Client client("127.0.0.1", m_port);
        return client.Get(target);
    }

    TempDir m_dir;
    std::unique_ptr<store::Store> m_store;
    FakeClock m_clock;
    bot::LinkSigner m_signer{"export-test-secret"};
    bot::HttpServer m_server{bot::HttpServerOptions{}};
    int m_port = 0;
};

TEST_F(ExportRouteTest, ChatLinkDownloadsTheWorkbookUntilItExpires) {
    std::string reply = say("导出");
    EXPECT_NE(reply.find("的 Excel（跟踪表、进度日志、风险、KPI、周报），24 小时内有效"), std::string::npos) << reply;
    std::string target = link_in(reply);
    ASSERT_EQ(target.rfind("/export/P1.xlsx?exp=", 0), 0u) << reply;

    auto ok = get(target);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->get_header_value("Content-Type"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    EXPECT_EQ(ok->get_header_value("Content-Disposition"), "attachment; filename=\"P1.xlsx\"");
    EXPECT_EQ(ok->body.substr(0, 2), "PK");

    std::string altered = target;
    altered.back() = altered.back() == '0' ? '1' : '0';
    auto forged = get(altered);
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 401);
    EXPECT_NE(forged->body.find("signature"), std::string::npos) << forged->body;
    auto unsigned_link = get("/export/P1.xlsx");
    ASSERT_TRUE(unsigned_link);
    EXPECT_EQ(unsigned_link->status, 401);

    m_clock.set_unix(1710000000 + 24 * 3600 + 1);
    auto expired = get(target);
    ASSERT_TRUE(expired);
    EXPECT_EQ(expired->status, 401);
    EXPECT_NE(expired->body.find("expired"), std::string::npos) << expired->body;
}

TEST_F(ExportRouteTest, UnknownProjectIs404AndEnglishChatsGetEnglishSheets) {
    auto missing = get(m_signer.sign(bot::export_path("P9"), 1710000000 + 60));
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 404);
    std::string reply = say("export");
    std::string target = link_in(reply);
    ASSERT_NE(target.find("&lang=en"), std::string::npos) << reply;
    auto ok = get(target);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_NE(ok->body.find("xl/worksheets/sheet1.xml"), std::string::npos);  // zip directory names
}

TEST_F(ExportRouteTest, WithoutAPublicUrlTheReplySaysWhatToConfigure) {
    bot::Dispatcher dispatcher(*m_store);
    bot::DispatchContext context;
    context.project_ids = {"P1"};
    context.links = bot::make_link_settings(m_signer, "", 3600);
    auto result = dispatcher.handle("导出", context);
    ASSERT_TRUE(result);
    EXPECT_NE(result->reply.joined_text().find("web.public_url"), std::string::npos) << result->reply.joined_text();
    EXPECT_NE(result->reply.joined_text().find("trackerctl export --xlsx"), std::string::npos);
}

}  // namespace
