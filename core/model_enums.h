#pragma once
// The model's enumerations (domain.md "Model"): WBS level, status, priority, risk, KPI kind,
// locale; their stable names (to_string / parse_*), their zh-CN / en labels, and the id key.
// Pure functions; safe for concurrent use.

#include <optional>
#include <string>
#include <string_view>

namespace core {

enum class Level { phase, module, task };  // 一级阶段 / 二级模块 / 三级任务

// Stored status. `delayed` may also be derived by R1 (see effective_status in rules.h).
enum class Status { not_started, in_progress, done, delayed, blocked, cancelled };

enum class Priority { p0, p1, p2, p3 };  // 高 = p1, 中 = p2, 低 = p3; P0 is the key level

enum class RiskLevel { none, low, medium, high };  // 无 / 低 / 中 / 高

enum class ProjectStatus { active, closed, archived };

enum class KpiKind { process, result };  // 过程指标 / 结果指标

enum class RiskStatus { open, in_progress, resolved };  // 待处理 / 处理中 / 已解决

enum class CauseKind { unknown, objective, subjective };  // 偏差原因: 客观 / 主观

enum class Locale { zh_cn, en };

// Canonical spelling used in the database, config and logs ("not_started", "p0", "high" ...).
const char* to_string(Level v);
const char* to_string(Status v);
const char* to_string(Priority v);
const char* to_string(RiskLevel v);
const char* to_string(ProjectStatus v);
const char* to_string(KpiKind v);
const char* to_string(RiskStatus v);
const char* to_string(CauseKind v);
const char* to_string(Locale v);  // "zh-CN" | "en"
// Accept the canonical spelling and the Chinese labels of the seeds (未开始, 进行中, 高, P0 ...).
std::optional<Level> parse_level(std::string_view s);
std::optional<Status> parse_status(std::string_view s);
std::optional<Priority> parse_priority(std::string_view s);
std::optional<RiskLevel> parse_risk_level(std::string_view s);
std::optional<ProjectStatus> parse_project_status(std::string_view s);
std::optional<KpiKind> parse_kpi_kind(std::string_view s);
std::optional<RiskStatus> parse_risk_status(std::string_view s);
std::optional<Locale> parse_locale(std::string_view s);
// Localised labels for people (已延期 / delayed ...).
std::string label(Status v, Locale locale);
std::string label(Level v, Locale locale);
std::string label(RiskLevel v, Locale locale);
std::string label(Priority v, Locale locale);

// Ids are case-insensitive when typed: the key is the ASCII upper-case form ("t003" -> "T003").
std::string normalize_id(std::string_view id);

}  // namespace core
