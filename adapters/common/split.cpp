#include "adapters/common/split.h"

namespace adapters {
namespace {

using Fits = std::function<bool(const std::string& piece)>;


std::string join_lines(const std::vector<std::string>& lines, size_t from, size_t count) {
    std::string out;
    for (size_t i = from; i < from + count; ++i) out += (i == from ? "" : "\n") + lines[i];
    return out;
}

// A line too long for any message, cut into byte runs at UTF-8 boundaries.
void split_line(std::string_view line, const Fits& fits, std::vector<std::string>& out) {
    while (!line.empty()) {
        size_t take = utf8_floor(line, largest_fitting(line.size(), [&](size_t n) {
                                     return fits(std::string(line.substr(0, n)));
                                 }));
        if (take == 0) {  // keep at least one whole code point
            take = 1;
            while (take < line.size() && core::is_utf8_continuation(line[take])) ++take;
        }
        out.emplace_back(line.substr(0, take));
        line.remove_prefix(take);
    }
}

// A section too long for one message, cut into runs of whole lines (long lines by bytes).
void split_section(const std::string& section, const Fits& fits, std::vector<std::string>& out) {
    std::vector<std::string> lines;
    for (size_t start = 0;;) {
        size_t newline = section.find('\n', start);
        lines.push_back(section.substr(start, newline == std::string::npos ? newline : newline - start));
        if (newline == std::string::npos) break;
        start = newline + 1;
    }
    for (size_t i = 0; i < lines.size();) {
        if (!fits(lines[i])) {
            split_line(lines[i++], fits, out);
            continue;
        }
        size_t count = largest_fitting(lines.size() - i, [&](size_t n) { return fits(join_lines(lines, i, n)); });
        out.push_back(join_lines(lines, i, count));
        i += count;
    }
}

}  // namespace

size_t largest_fitting(size_t available, const std::function<bool(size_t)>& fits_count) {
    size_t low = 1;
    size_t high = available;
    while (low < high) {
        size_t mid = low + (high - low + 1) / 2;
        if (fits_count(mid)) low = mid;
        else high = mid - 1;
    }
    return low;
}


std::vector<std::vector<std::string>> pack_sections(const std::vector<std::string>& sections,
                                                    const FitsSections& fits) {
    Fits fits_piece = [&](const std::string& piece) { return fits({piece}); };
    std::vector<std::string> pieces;
    for (const auto& section : sections) {
        if (fits_piece(section)) pieces.push_back(section);
        else split_section(section, fits_piece, pieces);
    }
    std::vector<std::vector<std::string>> runs;
    for (size_t i = 0; i < pieces.size();) {
        size_t count = largest_fitting(pieces.size() - i, [&](size_t n) {
            return fits(std::vector<std::string>(pieces.begin() + i, pieces.begin() + i + n));
        });
        runs.emplace_back(pieces.begin() + i, pieces.begin() + i + count);
        i += count;
    }
    return runs;
}

}  // namespace adapters
