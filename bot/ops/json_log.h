#pragma once
// Logs as JSON lines (config `log.json`): one object per line,
//   {"time":"2026-11-23T07:05:55.123Z","level":"info","logger":"trackerd","msg":"…"}
// time in UTC with milliseconds; level as spdlog names it (trace … critical); msg escaped as
// JSON (bytes that are not UTF-8 become U+FFFD), so a log shipper can parse every line.
//
// Thread safety: the formatter is used under spdlog's sink lock; configure_logging changes the
// process's default logger, so call it from main before starting threads.

#include <spdlog/formatter.h>

#include <memory>

#include "config/config.h"

namespace bot {

class JsonLogFormatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

// Sets the default logger's level and, when config.json, the JSON formatter. A logger without
// a name is written as "trackerd".
void configure_logging(const config::LogConfig& config);

}  // namespace bot
