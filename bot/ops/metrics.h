#pragma once
// A small metrics registry: counters and gauges with labels, rendered in the Prometheus text
// exposition format (version 0.0.4): a HELP and a TYPE line per family, label values escaped
// (\\, \", \n), counters named with "_total", every name with the registry's prefix.
//
// Thread safety: safe for concurrent use. Families are registered up front (a mutex); a
// child is found under a shared lock with no allocation once it exists, and counted with a
// relaxed atomic add, so an increment on a request path costs a map lookup and an atomic.
// References to families and children stay valid as long as the registry.

#include <algorithm>
#include <atomic>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace bot {

class Counter {
public:
    void inc(long long by = 1) { m_value.fetch_add(by, std::memory_order_relaxed); }
    // Mirrors a monotonic count kept elsewhere (e.g. an object's own failure counter).
    void advance_to(long long total);
    long long value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<long long> m_value{0};
};

class Gauge {
public:
    void set(double value) { m_value.store(value, std::memory_order_relaxed); }
    double value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0};
};

// Orders label-value tuples, and lets a lookup by string_views find a stored vector<string>.
struct LabelValuesLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                            [](std::string_view x, std::string_view y) { return x < y; });
    }
};

class FamilyBase {
public:
    FamilyBase(std::string name, std::string help, std::string type, std::vector<std::string> label_names);
    virtual ~FamilyBase() = default;
    const std::string& name() const { return m_name; }
    void render(std::string& out) const;

protected:
    virtual void render_samples(std::string& out) const = 0;
    void render_sample(std::string& out, const std::vector<std::string>& values, const std::string& number) const;
    void check_arity(size_t count) const;  // aborts: a wrong label count is a bug

    const std::string m_name;
    const std::string m_help;
    const std::string m_type;
    const std::vector<std::string> m_label_names;
};

// One metric name and its children, one per combination of label values.
template <typename Child>
class Family final : public FamilyBase {
public:
    using FamilyBase::FamilyBase;
    // The child for these label values (one per label name, in order); made on first use.
    Child& with(std::initializer_list<std::string_view> values) {
        check_arity(values.size());
        {
            std::shared_lock lock(m_mutex);
            if (auto it = m_children.find(values); it != m_children.end()) return *it->second;
        }
        std::unique_lock lock(m_mutex);
        auto& child = m_children[std::vector<std::string>(values.begin(), values.end())];
        if (!child) child = std::make_unique<Child>();
        return *child;
    }
    Child& get() { return with({}); }  // a family without labels

private:
    void render_samples(std::string& out) const override;

    mutable std::shared_mutex m_mutex;
    // Guarded by m_mutex; children are never removed, so references stay valid.
    std::map<std::vector<std::string>, std::unique_ptr<Child>, LabelValuesLess> m_children;
};

template <>
void Family<Counter>::render_samples(std::string& out) const;
template <>
void Family<Gauge>::render_samples(std::string& out) const;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;

class MetricsRegistry {
public:
    explicit MetricsRegistry(std::string prefix = "trackerd_") : m_prefix(std::move(prefix)) {}
    // `name` without the prefix; counters get "_total" appended. Names and label names must be
    // valid Prometheus names and unique (else abort: a bug).
    CounterFamily& counter(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
    GaugeFamily& gauge(const std::string& name, const std::string& help, std::vector<std::string> label_names = {});
    // Every family in registration order, children in label order.
    std::string render() const;

private:
    template <typename F>
    F& add(std::unique_ptr<F> family);

    const std::string m_prefix;
    mutable std::mutex m_mutex;
    std::vector<std::unique_ptr<FamilyBase>> m_families;  // Guarded by m_mutex.
};

// "a\"b\\c\nd" as Prometheus wants a label value; HELP text escapes only \\ and \n.
std::string escape_label_value(std::string_view value);
std::string escape_help(std::string_view help);
// Integers without a fraction; NaN and infinities as Prometheus spells them.
std::string format_sample_value(double value);

}  // namespace bot
