#include "core/task_buttons.h"

namespace core {

std::vector<Button> task_buttons(std::string_view project_id, std::string_view task_id, Locale locale,
                                 const ButtonOffer& offer, bool name_task) {
    const bool zh = locale == Locale::zh_cn;
    const std::string value = std::string(project_id) + "/" + std::string(task_id);
    const std::string suffix = name_task ? " " + std::string(task_id) : "";
    std::vector<Button> out;
    if (offer.done) out.push_back({(zh ? "完成" : "Done") + suffix, std::string(k_action_done), value});
    if (offer.ack) out.push_back({(zh ? "收到" : "Got it") + suffix, std::string(k_action_ack), value});
    if (offer.delay) out.push_back({(zh ? "报延期" : "Report delay") + suffix, std::string(k_action_delay), value});
    if (offer.show) out.push_back({(zh ? "查看" : "Details") + suffix, std::string(k_action_show), value});
    if (offer.web) out.push_back({zh ? "打开看板" : "Open web view", std::string(k_action_web), std::string(project_id)});
    return out;
}

void add_buttons(ChatMessage& message, std::vector<Button> more, std::size_t limit) {
    for (auto& button : more) {
        if (message.buttons.size() >= limit) return;
        bool known = false;
        for (const auto& have : message.buttons) known = known || (have.action == button.action && have.value == button.value);
        if (!known) message.buttons.push_back(std::move(button));
    }
}

std::optional<std::string> button_command(std::string_view action, std::string_view value, Locale locale) {
    const bool zh = locale == Locale::zh_cn;
    const auto slash = value.find('/');
    const std::string project(value.substr(0, slash));
    const std::string task = slash == std::string_view::npos ? std::string() : std::string(value.substr(slash + 1));
    auto valid = [](std::string_view id) {
        if (id.empty() || id.size() > 40) return false;
        for (char c : id)
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
                return false;
        return true;
    };
    if (action == k_action_web) return valid(project) ? std::optional<std::string>((zh ? "看板 " : "web ") + project) : std::nullopt;
    if (!valid(task)) return std::nullopt;
    if (action == k_action_done) return zh ? task + " 完成" : "done " + task;
    if (action == k_action_ack) return zh ? "收到 " + task : "ack " + task;
    if (action == k_action_delay) return zh ? task + " 延期" : "delay " + task;
    if (action == k_action_show) return zh ? "查看 " + task : "show " + task;
    return std::nullopt;
}

}  // namespace core
