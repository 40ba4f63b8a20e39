#include "bot/ops/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace bot {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':');
        bool digit = c >= '0' && c <= '9';
        if (!letter && !(digit && i > 0)) return false;
    }
    return true;
}

[[noreturn]] void bug(const std::string& what) {
    std::fprintf(stderr, "metrics: %s\n", what.c_str());
    std::abort();
}

}  // namespace

void Counter::advance_to(long long total) {
    long long current = m_value.load(std::memory_order_relaxed);
    while (current < total && !m_value.compare_exchange_weak(current, total, std::memory_order_relaxed)) {
    }
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    for (char c : help) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string format_sample_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::trunc(value) && std::fabs(value) < 1e15) return std::to_string(static_cast<long long>(value));
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : std::string("NaN");
}

FamilyBase::FamilyBase(std::string name, std::string help, std::string type, std::vector<std::string> label_names)
    : m_name(std::move(name)), m_help(std::move(help)), m_type(std::move(type)), m_label_names(std::move(label_names)) {
    if (!valid_name(m_name, true)) bug("invalid metric name '" + m_name + "'");
    for (const auto& label : m_label_names)
        if (!valid_name(label, false) || label.starts_with("__")) bug("invalid label name '" + label + "' of " + m_name);
}

void FamilyBase::check_arity(size_t count) const {
    if (count != m_label_names.size())
        bug(m_name + " takes " + std::to_string(m_label_names.size()) + " label values, got " + std::to_string(count));
}

void FamilyBase::render(std::string& out) const {
    out += "# HELP " + m_name + " " + escape_help(m_help) + "\n";
    out += "# TYPE " + m_name + " " + m_type + "\n";
    render_samples(out);
}

void FamilyBase::render_sample(std::string& out, const std::vector<std::string>& values,
                               const std::string& number) const {
    out += m_name;
    if (!values.empty()) {
        out += '{';
        for (size_t i = 0; i < values.size(); ++i) {
            if (i > 0) out += ',';
            out += m_label_names[i] + "=\"" + escape_label_value(values[i]) + "\"";
        }
        out += '}';
    }
    out += ' ' + number + '\n';
}

template <>
void Family<Counter>::render_samples(std::string& out) const {
    std::shared_lock lock(m_mutex);
    for (const auto& [values, child] : m_children) render_sample(out, values, std::to_string(child->value()));
}

template <>
void Family<Gauge>::render_samples(std::string& out) const {
    std::shared_lock lock(m_mutex);
    for (const auto& [values, child] : m_children) render_sample(out, values, format_sample_value(child->value()));
}

template <typename F>
F& MetricsRegistry::add(std::unique_ptr<F> family) {
    std::lock_guard lock(m_mutex);
    for (const auto& existing : m_families)
        if (existing->name() == family->name()) bug("metric " + family->name() + " registered twice");
    F& added = *family;
    m_families.push_back(std::move(family));
    return added;
}

CounterFamily& MetricsRegistry::counter(const std::string& name, const std::string& help,
                                        std::vector<std::string> label_names) {
    return add(std::make_unique<CounterFamily>(m_prefix + name + "_total", help, "counter", std::move(label_names)));
}

GaugeFamily& MetricsRegistry::gauge(const std::string& name, const std::string& help,
                                    std::vector<std::string> label_names) {
    return add(std::make_unique<GaugeFamily>(m_prefix + name, help, "gauge", std::move(label_names)));
}

std::string MetricsRegistry::render() const {
    std::lock_guard lock(m_mutex);
    std::string out;
    for (const auto& family : m_families) family->render(out);
    return out;
}

}  // namespace bot
