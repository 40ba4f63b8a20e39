#pragma once
// Reading the Prometheus text format in tests: one sample's value, and a line-by-line check of
// the format (HELP and TYPE before a family's samples, names and label syntax).

#include <cstdlib>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace testing_support {

// The value of `series` (e.g. `trackerd_commands_total{kind="progress",outcome="applied"}`), or
// -1 when the text has no such line.
inline double sample_value(const std::string& text, const std::string& series) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind(series + " ", 0) == 0) return std::strtod(line.c_str() + series.size() + 1, nullptr);
    return -1;
}

// "" when every line is well formed, else the first bad line and why.
inline std::string check_exposition_format(const std::string& text) {
    static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
    static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex sample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*")*\})? (-?[0-9.e+]+|NaN|\+Inf|-Inf))");
    if (text.empty() || text.back() != '\n') return "the text must end with a newline";
    std::istringstream lines(text);
    std::string line, helped, typed;
    std::set<std::string> seen;
    std::smatch m;
    while (std::getline(lines, line)) {
        if (std::regex_match(line, m, help)) {
            if (!seen.insert(m[1]).second) return line + ": family described twice";
            helped = m[1];
        } else if (std::regex_match(line, m, type)) {
            if (m[1] != helped) return line + ": TYPE does not follow its HELP";
            typed = m[1];
        } else if (std::regex_match(line, m, sample)) {
            if (m[1] != typed) return line + ": sample outside its family";
        } else {
            return line + ": not a HELP, TYPE or sample line";
        }
    }
    return "";
}

}  // namespace testing_support
