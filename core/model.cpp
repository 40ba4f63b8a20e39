#include "core/model.h"

#include <array>
#include <utility>

#include "core/text.h"

namespace core {
namespace {

// One row per value: canonical spelling, then accepted aliases (Chinese labels of the seeds).
template <typename E, size_t N>
std::optional<E> lookup(std::string_view text,
                        const std::array<std::pair<E, std::vector<std::string_view>>, N>& table) {
    const std::string lowered = lower_ascii(text);
    for (const auto& [value, names] : table)
        for (auto name : names)
            if (lowered == name) return value;
    return std::nullopt;
}

}  // namespace

const char* to_string(Level v) {
    switch (v) {
        case Level::phase: return "phase";
        case Level::module: return "module";
        case Level::task: return "task";
    }
    return "task";
}

const char* to_string(Status v) {
    switch (v) {
        case Status::not_started: return "not_started";
        case Status::in_progress: return "in_progress";
        case Status::done: return "done";
        case Status::delayed: return "delayed";
        case Status::blocked: return "blocked";
        case Status::cancelled: return "cancelled";
    }
    return "not_started";
}

const char* to_string(Priority v) {
    switch (v) {
        case Priority::p0: return "p0";
        case Priority::p1: return "p1";
        case Priority::p2: return "p2";
        case Priority::p3: return "p3";
    }
    return "p2";
}

const char* to_string(RiskLevel v) {
    switch (v) {
        case RiskLevel::none: return "none";
        case RiskLevel::low: return "low";
        case RiskLevel::medium: return "medium";
        case RiskLevel::high: return "high";
    }
    return "none";
}

const char* to_string(ProjectStatus v) {
    switch (v) {
        case ProjectStatus::active: return "active";
        case ProjectStatus::closed: return "closed";
        case ProjectStatus::archived: return "archived";
    }
    return "active";
}

const char* to_string(KpiKind v) { return v == KpiKind::process ? "process" : "result"; }

const char* to_string(RiskStatus v) {
    switch (v) {
        case RiskStatus::open: return "open";
        case RiskStatus::in_progress: return "in_progress";
        case RiskStatus::resolved: return "resolved";
    }
    return "open";
}

const char* to_string(CauseKind v) {
    switch (v) {
        case CauseKind::unknown: return "unknown";
        case CauseKind::objective: return "objective";
        case CauseKind::subjective: return "subjective";
    }
    return "unknown";
}

const char* to_string(Locale v) { return v == Locale::en ? "en" : "zh-CN"; }

std::optional<Level> parse_level(std::string_view s) {
    static const std::array<std::pair<Level, std::vector<std::string_view>>, 3> table{{
        {Level::phase, {"phase", "一级阶段", "阶段", "一级", "项目", "目标"}},
        {Level::module, {"module", "二级模块", "模块", "二级", "举措"}},
        {Level::task, {"task", "三级任务", "任务", "三级", "子任务"}},
    }};
    return lookup(s, table);
}

std::optional<Status> parse_status(std::string_view s) {
    static const std::array<std::pair<Status, std::vector<std::string_view>>, 6> table{{
        {Status::not_started, {"not_started", "未开始", "not started", "todo", ""}},
        {Status::in_progress, {"in_progress", "进行中", "in progress", "doing"}},
        {Status::done, {"done", "已完成", "完成", "completed"}},
        {Status::delayed, {"delayed", "已延期", "延期", "late"}},
        {Status::blocked, {"blocked", "已阻塞", "阻塞"}},
        {Status::cancelled, {"cancelled", "已取消", "取消", "canceled"}},
    }};
    return lookup(s, table);
}

std::optional<Priority> parse_priority(std::string_view s) {
    static const std::array<std::pair<Priority, std::vector<std::string_view>>, 4> table{{
        {Priority::p0, {"p0", "紧急", "critical"}},
        {Priority::p1, {"p1", "高", "high"}},
        {Priority::p2, {"p2", "中", "medium", ""}},
        {Priority::p3, {"p3", "低", "low"}},
    }};
    return lookup(s, table);
}

std::optional<RiskLevel> parse_risk_level(std::string_view s) {
    static const std::array<std::pair<RiskLevel, std::vector<std::string_view>>, 4> table{{
        {RiskLevel::none, {"none", "无", ""}},
        {RiskLevel::low, {"low", "低"}},
        {RiskLevel::medium, {"medium", "中"}},
        {RiskLevel::high, {"high", "高"}},
    }};
    return lookup(s, table);
}

std::optional<ProjectStatus> parse_project_status(std::string_view s) {
    static const std::array<std::pair<ProjectStatus, std::vector<std::string_view>>, 3> table{{
        {ProjectStatus::active, {"active", "进行中", "执行中"}},
        {ProjectStatus::closed, {"closed", "已结束", "已完成"}},
        {ProjectStatus::archived, {"archived", "已归档"}},
    }};
    return lookup(s, table);
}

std::optional<KpiKind> parse_kpi_kind(std::string_view s) {
    static const std::array<std::pair<KpiKind, std::vector<std::string_view>>, 2> table{{
        {KpiKind::process, {"process", "过程指标", "过程"}},
        {KpiKind::result, {"result", "结果指标", "结果"}},
    }};
    return lookup(s, table);
}

std::optional<RiskStatus> parse_risk_status(std::string_view s) {
    static const std::array<std::pair<RiskStatus, std::vector<std::string_view>>, 3> table{{
        {RiskStatus::open, {"open", "待处理"}},
        {RiskStatus::in_progress, {"in_progress", "处理中"}},
        {RiskStatus::resolved, {"resolved", "已解决"}},
    }};
    return lookup(s, table);
}

std::optional<Locale> parse_locale(std::string_view s) {
    static const std::array<std::pair<Locale, std::vector<std::string_view>>, 2> table{{
        {Locale::zh_cn, {"zh-cn", "zh", "zh_cn", "zh-hans"}},
        {Locale::en, {"en", "en-us", "en_us", "en-gb"}},
    }};
    return lookup(s, table);
}

std::string label(Status v, Locale locale) {
    bool zh = locale == Locale::zh_cn;
    switch (v) {
        case Status::not_started: return zh ? "未开始" : "not started";
        case Status::in_progress: return zh ? "进行中" : "in progress";
        case Status::done: return zh ? "已完成" : "done";
        case Status::delayed: return zh ? "已延期" : "delayed";
        case Status::blocked: return zh ? "已阻塞" : "blocked";
        case Status::cancelled: return zh ? "已取消" : "cancelled";
    }
    return "";
}

std::string label(Level v, Locale locale) {
    bool zh = locale == Locale::zh_cn;
    switch (v) {
        case Level::phase: return zh ? "阶段" : "phase";
        case Level::module: return zh ? "模块" : "module";
        case Level::task: return zh ? "任务" : "task";
    }
    return "";
}

std::string label(RiskLevel v, Locale locale) {
    bool zh = locale == Locale::zh_cn;
    switch (v) {
        case RiskLevel::none: return zh ? "无" : "none";
        case RiskLevel::low: return zh ? "低" : "low";
        case RiskLevel::medium: return zh ? "中" : "medium";
        case RiskLevel::high: return zh ? "高" : "high";
    }
    return "";
}

std::string label(Priority v, Locale) {
    switch (v) {
        case Priority::p0: return "P0";
        case Priority::p1: return "P1";
        case Priority::p2: return "P2";
        case Priority::p3: return "P3";
    }
    return "";
}

std::string normalize_id(std::string_view id) {
    std::string out;
    out.reserve(id.size());
    for (char c : id) out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    return out;
}

const Task* ProjectState::find_task(std::string_view id) const {
    std::string key = normalize_id(id);
    for (const auto& task : tasks)
        if (task.id == key) return &task;
    return nullptr;
}

const Person* ProjectState::find_person(std::string_view id) const {
    auto it = people.find(std::string(id));
    return it == people.end() ? nullptr : &it->second;
}

std::string ProjectState::person_name(std::string_view id) const {
    if (id.empty()) return "";
    const Person* person = find_person(id);
    if (person && !person->name.empty()) return person->name;
    return std::string(id);
}

std::string ChangeSource::describe() const {
    std::string out = platform.empty() ? "unknown" : platform;
    if (!chat_id.empty()) out += ":" + chat_id;
    if (!message_id.empty()) out += ":" + message_id;
    return out;
}

}  // namespace core
