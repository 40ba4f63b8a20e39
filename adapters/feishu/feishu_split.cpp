// Feishu split_for_limit: long digests cut by sections so each request body fits (§2.8, §2.9).
#include <functional>
#include <string>

#include "adapters/feishu/feishu.h"

namespace adapters::feishu {
namespace {

// receive_id and uuid of the measured request: longer than any real one, so measuring errs safe.
const std::string k_probe(64, 'x');

using Fits = std::function<bool(const std::string& piece)>;

// The largest count in [1, available] for which fits_count holds, assuming it is monotone; 1 even
// when nothing fits (a piece must go somewhere).
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

std::string join(const std::vector<std::string>& items, size_t from, size_t count, std::string_view sep) {
    std::string out;
    for (size_t i = from; i < from + count; ++i) out += (i == from ? "" : std::string(sep)) + items[i];
    return out;
}

// A line too long for any message, cut into byte runs at UTF-8 boundaries.
void split_line(std::string_view line, const Fits& fits, std::vector<std::string>& out) {
    while (!line.empty()) {
        size_t take = largest_fitting(line.size(), [&](size_t n) { return fits(std::string(line.substr(0, n))); });
        while (take < line.size() && take > 0 && (static_cast<unsigned char>(line[take]) & 0xC0) == 0x80) --take;
        if (take == 0) {  // keep at least one whole code point
            take = 1;
            while (take < line.size() && (static_cast<unsigned char>(line[take]) & 0xC0) == 0x80) ++take;
        }
        out.emplace_back(line.substr(0, take));
        line.remove_prefix(take);
    }
}

// A section too long for one message, cut into runs of whole lines (long lines by bytes).
void split_section(const std::string& section, const Fits& fits, std::vector<std::string>& out) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (true) {
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
        size_t count = largest_fitting(lines.size() - i, [&](size_t n) { return fits(join(lines, i, n, "\n")); });
        out.push_back(join(lines, i, count, "\n"));
        i += count;
    }
}

}  // namespace

std::vector<core::ChatMessage> split_for_limit(const core::ChatMessage& message,
                                               size_t max_body_bytes) {
    auto fits_message = [&](const core::ChatMessage& candidate) {
        return render_message_request(candidate, k_probe, k_probe).size() <= max_body_bytes;
    };
    if (fits_message(message)) return {message};

    // Every part is measured with the longest title suffix, the buttons and every mention.
    core::ChatMessage shell = message;
    shell.sections.clear();
    if (!shell.title.empty()) shell.title += " (999/999)";
    auto fits_sections = [&](std::vector<std::string> sections) {
        core::ChatMessage candidate = shell;
        candidate.sections = std::move(sections);
        return fits_message(candidate);
    };
    Fits fits_piece = [&](const std::string& piece) { return fits_sections({piece}); };

    std::vector<std::string> pieces;
    for (const auto& section : message.sections) {
        if (fits_piece(section)) pieces.push_back(section);
        else split_section(section, fits_piece, pieces);
    }

    std::vector<core::ChatMessage> parts;
    for (size_t i = 0; i < pieces.size();) {
        size_t count = largest_fitting(pieces.size() - i, [&](size_t n) {
            return fits_sections(std::vector<std::string>(pieces.begin() + i, pieces.begin() + i + n));
        });
        core::ChatMessage part;
        part.title = message.title;
        part.locale = message.locale;
        part.sections.assign(pieces.begin() + i, pieces.begin() + i + count);
        parts.push_back(std::move(part));
        i += count;
    }
    if (parts.empty()) parts.emplace_back();

    // Each part notifies the people it mentions; ids mentioned nowhere go with the first part.
    std::vector<bool> placed(message.mention_user_ids.size(), false);
    for (auto& part : parts) {
        std::string text = part.joined_text();
        for (size_t m = 0; m < message.mention_user_ids.size(); ++m) {
            if (text.find(message.mention_user_ids[m]) == std::string::npos) continue;
            part.mention_user_ids.push_back(message.mention_user_ids[m]);
            placed[m] = true;
        }
    }
    for (size_t m = 0; m < placed.size(); ++m)
        if (!placed[m]) parts.front().mention_user_ids.push_back(message.mention_user_ids[m]);

    parts.back().buttons = message.buttons;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (!message.title.empty() && parts.size() > 1)
            parts[i].title += " (" + std::to_string(i + 1) + "/" + std::to_string(parts.size()) + ")";
        parts[i].fallback_text = parts[i].joined_text();
    }
    return parts;
}

}  // namespace adapters::feishu
