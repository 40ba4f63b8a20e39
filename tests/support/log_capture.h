#pragma once
// Captures what trackerd logs through spdlog's default logger while it lives, so a test can
// assert that a refusal was logged with its reason. Install before starting threads that log;
// it removes itself on destruction (stop those threads first).
//
// Thread safety: the sink is safe for concurrent use (base_sink's mutex); construct and destroy
// from the test's thread.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace testing_support {

class LogCapture {
public:
    LogCapture() : m_sink(std::make_shared<Sink>()) { spdlog::default_logger()->sinks().push_back(m_sink); }
    ~LogCapture() {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_sink), sinks.end());
    }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> lines() const { return m_sink->lines(); }
    void clear() { m_sink->clear(); }
    // True when some line holds every one of `parts`.
    bool has_line_with(std::initializer_list<std::string_view> parts) const {
        for (const auto& line : lines()) {
            bool all = std::all_of(parts.begin(), parts.end(),
                                   [&](std::string_view part) { return line.find(part) != std::string::npos; });
            if (all) return true;
        }
        return false;
    }
    std::string joined() const {
        std::string out;
        for (const auto& line : lines()) out += line + "\n";
        return out;
    }

private:
    class Sink final : public spdlog::sinks::base_sink<std::mutex> {
    public:
        std::vector<std::string> lines() {
            std::lock_guard lock(this->mutex_);
            return m_lines;
        }
        void clear() {
            std::lock_guard lock(this->mutex_);
            m_lines.clear();
        }

    protected:
        void sink_it_(const spdlog::details::log_msg& message) override {
            m_lines.emplace_back(message.payload.begin(), message.payload.end());
        }
        void flush_() override {}

    private:
        std::vector<std::string> m_lines;  // Guarded by mutex_.
    };

    std::shared_ptr<Sink> m_sink;
};

}  // namespace testing_support
