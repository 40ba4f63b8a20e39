// Text encodings of the store (lists, dates, numbers), the statement cache, error mapping and
// the audit trail (R13: who, when, from where, old value, new value).
#include <charconv>

#include "core/store/rows.h"

namespace store::detail {

using core::ErrorCode;

Query StatementCache::get(const char* sql) {
    auto known = m_by_address.find(sql);
    Statements::value_type* entry = known != m_by_address.end() && known->second->first == sql ? known->second : nullptr;
    if (!entry) {
        auto it = m_statements.find(sql);
        if (it == m_statements.end()) it = m_statements.emplace(sql, m_db.prepare(sql)).first;
        entry = &*it;
        m_by_address.insert_or_assign(sql, entry);
    }
    entry->second->reset();
    return Query(*entry->second);
}

core::Error map_error(std::string_view what, const sql::Error& e) {
    std::string message = std::string(what) + ": " + e.what();
    switch (e.kind()) {
        case sql::Failure::busy:
        case sql::Failure::unavailable: return core::make_error(ErrorCode::busy, std::move(message));
        case sql::Failure::conflict: return core::make_error(ErrorCode::conflict, std::move(message));
        case sql::Failure::constraint: return core::make_error(ErrorCode::invalid_argument, std::move(message));
        case sql::Failure::io: return core::make_error(ErrorCode::io, std::move(message));
        case sql::Failure::internal: break;
    }
    return core::make_error(ErrorCode::internal, std::move(message));
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (item.empty()) continue;
        if (!out.empty()) out += '\x1f';
        out += item;
    }
    return out;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        auto end = text.find('\x1f');
        auto item = text.substr(0, end);
        if (!item.empty()) out.emplace_back(item);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return out;
}

std::string number_text(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc{} ? std::string(buffer, end) : std::string();
}

std::string optional_text(const std::optional<core::Date>& date) {
    return date ? core::format_iso_date(*date) : std::string();
}
std::string optional_text(const std::optional<double>& value) {
    return value ? number_text(*value) : std::string();
}
std::string optional_text(const std::optional<int>& value) {
    return value ? std::to_string(*value) : std::string();
}

Fields task_fields(const core::Task& t) {
    return {
        {"level", core::to_string(t.level)},
        {"parent_id", t.parent_id},
        {"position", std::to_string(t.position)},
        {"name", t.name},
        {"description", t.description},
        {"deliverable", t.deliverable},
        {"acceptance", t.acceptance},
        {"owner", t.owner},
        {"approver", t.approver},
        {"consulted", join_list(t.consulted)},
        {"informed", join_list(t.informed)},
        {"collaborators", join_list(t.collaborators)},
        {"priority", core::to_string(t.priority)},
        {"planned_start", optional_text(t.planned_start)},
        {"planned_finish", optional_text(t.planned_finish)},
        {"actual_start", optional_text(t.actual_start)},
        {"actual_finish", optional_text(t.actual_finish)},
        {"estimated_days", optional_text(t.estimated_days)},
        {"status", core::to_string(t.status)},
        {"completion", std::to_string(t.completion)},
        {"risk", core::to_string(t.risk)},
        {"predecessors", join_list(t.predecessors)},
        {"resources", t.resources},
        {"budget", optional_text(t.budget)},
        {"remark", t.remark},
        {"blocked_reason", t.blocked_reason},
        {"blocked_since", optional_text(t.blocked_since)},
    };
}

namespace {

std::string thresholds_text(const core::Thresholds& t) {
    return "delay_grace_days=" + std::to_string(t.delay_grace_days) +
           " deviation_at_risk=" + number_text(t.deviation_at_risk) +
           " advance_warning_days=" + std::to_string(t.advance_warning_days) +
           " overload_tasks=" + std::to_string(t.overload_tasks) +
           " cadence_key_days=" + std::to_string(t.cadence_key_days) +
           " cadence_routine_days=" + std::to_string(t.cadence_routine_days) +
           " cadence_long_days=" + std::to_string(t.cadence_long_days) +
           " long_task_days=" + std::to_string(t.long_task_days) +
           " min_task_days=" + std::to_string(t.min_task_days) +
           " on_time_target=" + number_text(t.on_time_target) +
           " report_deadline_hours=" + std::to_string(t.report_deadline_hours);
}

}  // namespace

Fields project_fields(const core::Project& p) {
    return {
        {"name", p.name},
        {"department", p.department},
        {"owner", p.owner},
        {"department_head", p.department_head},
        {"start", optional_text(p.start)},
        {"end", optional_text(p.end)},
        {"goal", p.goal},
        {"budget_total", optional_text(p.budget_total)},
        {"budget_reserve", optional_text(p.budget_reserve)},
        {"status", core::to_string(p.status)},
        {"thresholds", thresholds_text(p.thresholds)},
    };
}

Fields kpi_fields(const core::Kpi& k) {
    return {
        {"name", k.name},
        {"description", k.description},
        {"kind", core::to_string(k.kind)},
        {"target", number_text(k.target)},
        {"current", number_text(k.current)},
        {"percent", k.percent ? "true" : "false"},
        {"data_source", k.data_source},
        {"updated", optional_text(k.updated)},
        {"warn_below", optional_text(k.warn_below)},
    };
}

Fields risk_fields(const core::RiskItem& r) {
    return {
        {"task_id", r.task_id},
        {"title", r.title},
        {"description", r.description},
        {"impact", core::to_string(r.impact)},
        {"owner", r.owner},
        {"trigger", r.trigger},
        {"response", r.response},
        {"status", core::to_string(r.status)},
        {"opened", optional_text(r.opened)},
        {"closed", optional_text(r.closed)},
    };
}

Fields person_fields(const core::Person& p) {
    return {
        {"name", p.name},         {"department", p.department}, {"slack", p.slack},
        {"feishu", p.feishu},     {"dingtalk", p.dingtalk},     {"email", p.email},
        {"mobile", p.mobile},
    };
}

void insert_audit(StatementCache& cache, const AuditContext& context, std::string_view field,
                  std::string_view old_value, std::string_view new_value) {
    execute(cache,
            "INSERT INTO audit (at_unix, who, source, project_id, task_id, entity, entity_id, field,"
            " old_value, new_value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            context.source.at_unix, context.source.person_id, context.source.describe(), context.project_id,
            context.task_id, context.entity, context.entity_id, field, old_value, new_value);
}

int audit_diff(StatementCache& cache, const AuditContext& context, const Fields& before,
               const Fields& after) {
    if (before.empty()) {
        std::string label = after.empty() ? std::string() : after.front().second;
        for (const auto& [field, value] : after)
            if (std::string_view(field) == "name") label = value;
        insert_audit(cache, context, "created", "", label);
        return 1;
    }
    if (after.empty()) {  // removed: what it held, so the trail says what went
        std::string held;
        for (const auto& [field, value] : before)
            if (!value.empty()) held += (held.empty() ? "" : " ") + std::string(field) + "=" + value;
        insert_audit(cache, context, "removed", held, "");
        return 1;
    }
    int rows = 0;
    for (size_t i = 0; i < after.size() && i < before.size(); ++i) {
        if (before[i].second == after[i].second) continue;
        insert_audit(cache, context, after[i].first, before[i].second, after[i].second);
        ++rows;
    }
    return rows;
}

}  // namespace store::detail
