// Feishu split_for_limit: long digests cut by sections so each request body fits (§2.8, §2.9).
#include <functional>
#include <string>

#include "adapters/common/split.h"
#include "adapters/feishu/feishu.h"

namespace adapters::feishu {
namespace {

// receive_id and uuid of the measured request: longer than any real one, so measuring errs safe.
const std::string k_probe(64, 'x');

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
    auto fits_sections = [&](const std::vector<std::string>& sections) {
        core::ChatMessage candidate = shell;
        candidate.sections = sections;
        return fits_message(candidate);
    };
    std::vector<core::ChatMessage> parts;
    for (auto& run : pack_sections(message.sections, fits_sections)) {
        core::ChatMessage part;
        part.title = message.title;
        part.locale = message.locale;
        part.sections = std::move(run);
        parts.push_back(std::move(part));
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
