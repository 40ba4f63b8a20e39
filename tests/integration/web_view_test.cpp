// The web view end to end: the real App on 127.0.0.1 port 0 over the demo campaign on 2024-03-23
// (T001 and T002 late), a link asked for in chat, and headless Chromium (Debian's chromium)
// opening it — the DOM must hold a Gantt bar per task with the late ones marked, and a
// screenshot is kept in <build>/test-artifacts/web_view.png. The Chromium tests are skipped
// only when chromium is not installed (scripts/install-deps.sh installs it).

#include <gtest/gtest.h>
#include <httplib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <regex>

#include "bot/app.h"
#include "bot/pipeline/dispatcher.h"
#include "bot/web/signed_link.h"
#include "core/rules.h"
#include "tests/support/demo_data.h"
#include "tests/support/fake_clock.h"
#include "tests/support/temp_dir.h"

namespace {

using testing_support::FakeClock;
using testing_support::TempDir;

constexpr long long k_now = 1711159200;  // 2024-03-23 10:00 Asia/Shanghai
constexpr const char* k_token = "operator-token-0123456789";

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1") == 0; }

// Runs headless Chromium with `arguments` in a fresh profile; returns its stdout.
std::string chromium(const std::string& arguments) {
    TempDir profile;
    std::string command = "timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
                          "--disable-background-networking --disable-component-update --disable-sync "
                          "--user-data-dir=" + profile.path().string() + " " + arguments + " 2>/dev/null";
    std::string out;
    if (FILE* pipe = popen(command.c_str(), "r")) {
        std::array<char, 4096> buffer{};
        size_t read = 0;
        while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), read);
        pclose(pipe);
    }
    return out;
}

class WebViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_clock.set_unix(k_now);
        m_db = m_dir.file("trackerd.db");
        ASSERT_EQ(testing_support::import_demo(m_db, k_now - 86400), "");
        config::Config config = config::default_config();
        config.database = m_db;
        config.host = "127.0.0.1";
        config.port = 0;
        config.web.token = k_token;
        auto app = bot::App::create(config, m_clock);
        ASSERT_TRUE(app) << app.error().message;
        m_app = std::move(*app);
        auto port = m_app->start();
        ASSERT_TRUE(port) << port.error().message;
        m_port = *port;
        // The secret App::create generated and kept in the database: what the App signs with.
        auto signer = bot::LinkSigner::create("", m_app->store());
        ASSERT_TRUE(signer) << signer.error().message;
        m_signer = std::move(*signer);
    }

    void TearDown() override {
        if (m_app) m_app->stop();
    }

    bot::DispatchContext context(bool with_public_url = true) {
        bot::DispatchContext context;
        context.sender = core::Person{"经理", "经理", "市场部", "", "", "", "", ""};
        context.is_admin = true;
        context.today = core::make_date(2024, 3, 23);
        context.source = core::ChangeSource{"经理", "cli", "test", "m1", k_now};
        context.links = bot::make_link_settings(*m_signer, with_public_url ? base_url() : "", 72 * 3600);
        return context;
    }

    std::string say(const std::string& text, const bot::DispatchContext& with) {
        bot::Dispatcher dispatcher(m_app->store());
        auto result = dispatcher.handle(text, with);
        EXPECT_TRUE(result) << result.error().message;
        std::string reply = result ? result->reply.title : "";
        if (result)
            for (const auto& section : result->reply.sections) reply += "\n" + section;
        return reply;
    }

    // A few updates so the chart has actual bars, a task finished late and a blocked one.
    void update_the_plan() {
        say("T002 完成\nT003 进度 60% 主KV初稿已交\nT004 阻塞 等待创意定稿", context());
    }

    // The link the chat command "看板" answers with.
    std::string link_from_chat() {
        std::string reply = say("看板", context());
        std::smatch match;
        if (!std::regex_search(reply, match, std::regex(R"(http://127\.0\.0\.1:\d+/web/p/P1\?[^\s]+)"))) {
            ADD_FAILURE() << "no link in the reply: " << reply;
            return "";
        }
        return match.str();
    }

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
    std::string path_of(const std::string& url) const { return url.substr(base_url().size()); }

    FakeClock m_clock;
    TempDir m_dir;
    std::string m_db;
    std::unique_ptr<bot::App> m_app;
    std::unique_ptr<bot::LinkSigner> m_signer;
    int m_port = 0;
};

TEST_F(WebViewTest, HeadlessChromiumFindsABarPerTaskWithTheLateOnesMarkedAndKeepsAScreenshot) {
    if (!have_chromium()) GTEST_SKIP() << "chromium is not installed (apt-get install -y chromium)";
    update_the_plan();
    const std::string url = link_from_chat();
    ASSERT_FALSE(url.empty());

    const std::string dom = chromium("--dump-dom '" + url + "'");
    ASSERT_TRUE(contains(dom, "<svg")) << "Chromium did not get the page:\n" << dom.substr(0, 2000);
    auto state = m_app->store().load_project("P1");
    ASSERT_TRUE(state);
    const core::Date today = core::make_date(2024, 3, 23);
    int bars = 0;
    for (const auto& task : state->tasks) {
        if (!core::is_leaf(*state, task)) continue;
        ++bars;
        const bool late = core::is_late(task, today, state->project.thresholds);
        EXPECT_TRUE(contains(dom, "data-task=\"" + task.id + "\" data-late=\"" + (late ? "true" : "false") + "\""))
            << task.id;
        EXPECT_TRUE(std::regex_search(dom, std::regex("data-task=\"" + task.id + "\"[^>]*>(<title>[^<]*</title>)?"
                                                      "<text[^>]*>[^<]*</text><rect class=\"bar planned\"")))
            << "a planned bar for " << task.id;
    }
    EXPECT_EQ(bars, 7) << "T001–T006 and M4, a module without tasks";
    // What the seeds say about 2024-03-23: T001 (小李) still open and late, T002 finished late,
    // T003 on its way (60%, its actual bar drawn), T004 blocked.
    EXPECT_TRUE(contains(dom, "class=\"task tone-red\" data-task=\"T001\" data-late=\"true\""));
    EXPECT_TRUE(contains(dom, "class=\"task tone-green\" data-task=\"T002\" data-late=\"true\""));
    EXPECT_TRUE(std::regex_search(dom, std::regex(R"(data-task="T003" data-late="false"[^]*?class="bar actual")")));
    EXPECT_TRUE(contains(dom, "class=\"task tone-orange\" data-task=\"T004\""));
    EXPECT_TRUE(contains(dom, "data-late-task=\"T001\""));
    EXPECT_TRUE(contains(dom, "data-blocked-task=\"T004\""));
    EXPECT_TRUE(contains(dom, "class=\"today\""));
    EXPECT_TRUE(contains(dom, "data-from=\"T003\" data-to=\"T004\""));

    const std::filesystem::path artifacts = TRACKERD_ARTIFACTS_DIR;
    std::filesystem::create_directories(artifacts);
    const std::filesystem::path png = artifacts / "web_view.png";
    std::filesystem::remove(png);
    chromium("--screenshot=" + png.string() + " --window-size=1400,1000 --hide-scrollbars '" + url + "'");
    ASSERT_TRUE(std::filesystem::exists(png)) << "no screenshot at " << png;
    EXPECT_GT(std::filesystem::file_size(png), 20000u) << "a blank page compresses to a few KB";
    EXPECT_EQ(testing_support::read_file(png.string()).substr(1, 3), "PNG");
}

TEST_F(WebViewTest, ThePagesNeedALinkOrTheTokenAndSayWhyTheyRefuse) {
    httplib::Client client("127.0.0.1", m_port);
    auto missing = client.Get("/web/p/P1");
    ASSERT_TRUE(missing);
    EXPECT_EQ(missing->status, 401);
    EXPECT_TRUE(contains(missing->body, "看板")) << "it says how to get a link";

    const std::string url = link_from_chat();
    ASSERT_FALSE(url.empty());
    auto good = client.Get(path_of(url).c_str());
    ASSERT_TRUE(good);
    EXPECT_EQ(good->status, 200);
    EXPECT_EQ(good->get_header_value("Referrer-Policy"), "no-referrer");
    EXPECT_TRUE(contains(good->get_header_value("Content-Security-Policy"), "default-src 'none'"));

    std::string tampered = path_of(url);
    tampered.replace(tampered.find("sig=") + 4, 1, tampered[tampered.find("sig=") + 4] == 'a' ? "b" : "a");
    auto forged = client.Get(tampered.c_str());
    ASSERT_TRUE(forged);
    EXPECT_EQ(forged->status, 403);
    EXPECT_TRUE(contains(forged->body, "the link&#39;s signature is not valid"));

    std::string other = path_of(url);
    other.replace(other.find("/P1"), 3, "/P2");
    auto elsewhere = client.Get(other.c_str());
    ASSERT_TRUE(elsewhere);
    EXPECT_EQ(elsewhere->status, 403) << "a link for P1 opens P1 only";
    auto list_with_project_link = client.Get(("/web/" + path_of(url).substr(path_of(url).find('?'))).c_str());
    ASSERT_TRUE(list_with_project_link);
    EXPECT_EQ(list_with_project_link->status, 403);

    m_clock.advance_seconds(72 * 3600 + 1);
    auto expired = client.Get(path_of(url).c_str());
    ASSERT_TRUE(expired);
    EXPECT_EQ(expired->status, 403);
    EXPECT_TRUE(contains(expired->body, "the link expired at 2024-03-26 02:00 UTC"));
}

TEST_F(WebViewTest, TheOperatorsTokenOpensEveryPageAndMovesFromTheUrlIntoACookie) {
    httplib::Client client("127.0.0.1", m_port);
    auto wrong = client.Get("/web/", {{"Authorization", "Bearer not-the-token-at-all"}});
    ASSERT_TRUE(wrong);
    EXPECT_EQ(wrong->status, 403);

    auto list = client.Get("/web/", {{"Authorization", std::string("Bearer ") + k_token}});
    ASSERT_TRUE(list);
    EXPECT_EQ(list->status, 200);
    EXPECT_TRUE(contains(list->body, "data-project=\"P1\""));
    EXPECT_TRUE(contains(list->body, "href=\"/web/p/P1?lang=zh-CN\""));
    EXPECT_FALSE(contains(list->body, k_token)) << "the token never appears in a page";

    auto redirect = client.Get((std::string("/web/p/P1?lang=en&token=") + k_token).c_str());
    ASSERT_TRUE(redirect);
    EXPECT_EQ(redirect->status, 303);
    EXPECT_EQ(redirect->get_header_value("Location"), "/web/p/P1?lang=en");
    const std::string cookie = redirect->get_header_value("Set-Cookie");
    EXPECT_TRUE(contains(cookie, "HttpOnly"));
    auto page = client.Get("/web/p/P1?lang=en", {{"Cookie", cookie.substr(0, cookie.find(';'))}});
    ASSERT_TRUE(page);
    EXPECT_EQ(page->status, 200);
    EXPECT_TRUE(contains(page->body, "Late tasks (2)"));
    EXPECT_TRUE(contains(page->body, "href=\"/web/?lang=en\"")) << "with the token, the way back to the list";

    auto unknown = client.Get("/web/p/NOPE", {{"Authorization", std::string("Bearer ") + k_token}});
    ASSERT_TRUE(unknown);
    EXPECT_EQ(unknown->status, 404);
}

TEST_F(WebViewTest, TheChatCommandAsksTheAdminForPublicUrlWhenItIsNotSet) {
    std::string reply = say("看板", context(/*with_public_url=*/false));
    EXPECT_TRUE(contains(reply, "web.public_url")) << reply;
    EXPECT_FALSE(contains(reply, "sig=")) << reply;
    bot::DispatchContext english = context(false);
    english.locale = core::Locale::en;
    EXPECT_TRUE(contains(say("web", english), "an admin must set web.public_url"));

    bot::DispatchContext off = context();
    off.links = bot::LinkSettings{};
    EXPECT_TRUE(contains(say("web", off), "turned off"));

    std::string link = say("看板 p1", context());
    EXPECT_TRUE(contains(link, "新品上市推广")) << link;
    EXPECT_TRUE(contains(link, "72 小时内有效")) << link;
    EXPECT_TRUE(contains(say("看板 P9", context()), "这个群没有项目 P9"));
}

}  // namespace
