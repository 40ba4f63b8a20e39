// Logs as JSON lines (config log.json): one object per line with time, level, logger and msg.

#include "bot/ops/json_log.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(JsonLogTest, EachMessageIsOneLineHoldingAJsonObjectWithTimeLevelLoggerAndMsg) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    spdlog::logger logger("outbox", sink);
    logger.set_formatter(std::make_unique<bot::JsonLogFormatter>());
    logger.warn("slack events: refused from {}: {}", "10.0.0.1", "stale \"timestamp\"\nsecond line\\");
    logger.info("T003 进度 60%");

    auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 2u) << out.str();
    auto first = nlohmann::json::parse(lines[0]);
    ASSERT_TRUE(first.is_object());
    EXPECT_EQ(first.size(), 4u) << lines[0];
    EXPECT_EQ(first["level"], "warning");
    EXPECT_EQ(first["logger"], "outbox");
    EXPECT_EQ(first["msg"], "slack events: refused from 10.0.0.1: stale \"timestamp\"\nsecond line\\");
    EXPECT_TRUE(std::regex_match(first["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)")))
        << first["time"];
    auto second = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(second["level"], "info");
    EXPECT_EQ(second["msg"], "T003 进度 60%");
}

TEST(JsonLogTest, BytesThatAreNotUtf8AreReplacedAndTheLineStillParses) {
    std::ostringstream out;
    spdlog::logger logger("", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger.set_formatter(std::make_unique<bot::JsonLogFormatter>());
    logger.error("bad bytes: {}", std::string("\xff\xfe ok"));
    auto line = nlohmann::json::parse(lines_of(out.str()).at(0));
    EXPECT_EQ(line["logger"], "trackerd");  // a logger without a name
    EXPECT_EQ(line["level"], "error");
    EXPECT_EQ(line["msg"], "bad bytes: \xEF\xBF\xBD\xEF\xBF\xBD ok");
}

TEST(JsonLogTest, ConfigureLoggingTurnsJsonOnForTheDefaultLoggerWhenTheConfigSaysSo) {
    auto saved = spdlog::default_logger();
    std::ostringstream out;
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));

    bot::configure_logging(config::LogConfig{"debug", true});
    spdlog::debug("scheduler: digest queued");
    bot::configure_logging(config::LogConfig{"warn", false});
    spdlog::info("not shown: below warn");

    spdlog::set_default_logger(saved);
    auto lines = lines_of(out.str());
    ASSERT_EQ(lines.size(), 1u) << out.str();
    auto line = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(line["level"], "debug");
    EXPECT_EQ(line["msg"], "scheduler: digest queued");
}

}  // namespace
