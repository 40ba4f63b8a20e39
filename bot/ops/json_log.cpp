#include "bot/ops/json_log.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

namespace bot {
namespace {

std::string utc_time(spdlog::log_clock::time_point when) {
    using namespace std::chrono;
    auto since_epoch = duration_cast<milliseconds>(when.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(since_epoch / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[40];
    size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(text + n, sizeof text - n, ".%03dZ", static_cast<int>(since_epoch % 1000));
    return text;
}

}  // namespace

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    auto level = spdlog::level::to_string_view(msg.level);
    nlohmann::json line{{"time", utc_time(msg.time)},
                        {"level", std::string(level.data(), level.size())},
                        {"logger", msg.logger_name.size() == 0 ? std::string("trackerd")
                                                               : std::string(msg.logger_name.data(), msg.logger_name.size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    dest.append(text.data(), text.data() + text.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const { return std::make_unique<JsonLogFormatter>(); }

void configure_logging(const config::LogConfig& config) {
    spdlog::set_level(spdlog::level::from_str(config.level));
    if (config.json) spdlog::set_formatter(std::make_unique<JsonLogFormatter>());
}

}  // namespace bot
