// bench_sweep: the scheduler's sweep over a whole organisation, timed in stages.
//   bench_sweep DB [--projects N] [--today YYYY-MM-DD] [--repeat R]
// For every project bound to a chat (bench/org.h: one chat per project) it does what a
// scheduler pass does for a chat's digest: load the project's state from the store, evaluate
// the rules (core::evaluate, on the plan indexed once: core::PlanIndex), build and render the
// digest (core::build_digest/render_digest, on the same index) and turn it into the platform's
// outbox rows (PlatformOut::push). Prints one line per stage with the median over R repeats, in
// CPU milliseconds.

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bench/org.h"
#include "bot/app.h"
#include "core/digest.h"
#include "core/plan_index.h"
#include "core/rules.h"
#include "core/store/store.h"

namespace {

// CPU time of this (single) thread: the machine is shared, wall time would count other work.
struct CpuClock {
    using time_point = double;
    static double now() {
        timespec t{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
    }
};
using Clock = CpuClock;

double ms_since(double start) { return Clock::now() - start; }

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

struct Pass {
    double load = 0, evaluate = 0, digest = 0, push = 0;
    size_t tasks = 0, findings = 0, bytes = 0;
};

Pass sweep(store::Store& store, const std::map<std::string, const bot::PlatformOut*>& outs, int projects,
           core::Date today) {
    Pass pass;
    std::vector<core::ProjectState> states;
    auto start = Clock::now();
    for (int p = 0; p < projects; ++p) {
        auto state = store.load_project(bench::project_id(p));
        if (!state) throw std::runtime_error(state.error().message);
        states.push_back(std::move(*state));
    }
    pass.load = ms_since(start);
    start = Clock::now();
    // As the scheduler: the plan indexed once per project, the rules evaluated once per project
    // and day, and the digest built on the same index.
    std::vector<core::PlanIndex> plans;
    plans.reserve(states.size());
    std::vector<std::vector<core::Finding>> findings;
    for (const auto& state : states) {
        findings.push_back(core::evaluate(plans.emplace_back(state), today));
        pass.findings += findings.back().size();
        pass.tasks += state.tasks.size();
    }
    pass.evaluate = ms_since(start);
    start = Clock::now();
    std::vector<core::ChatMessage> messages;
    for (const auto& state : states) {
        core::Digest digest =
            core::build_digest(plans[messages.size()], today, core::add_days(today, -1), findings[messages.size()]);
        messages.push_back(core::render_digest(digest, state, core::Locale::zh_cn,
                                               outs.at(bench::chat_platform(static_cast<int>(messages.size())))->markup()));
    }
    pass.digest = ms_since(start);
    start = Clock::now();
    for (size_t p = 0; p < messages.size(); ++p) {
        int project = static_cast<int>(p);
        bot::PushTarget target{bench::chat_id(project), ""};
        for (const auto& row : outs.at(bench::chat_platform(project))->push(messages[p], target, "digest", "digest/bench", 0))
            pass.bytes += row.body.size();
    }
    pass.push = ms_since(start);
    return pass;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: bench_sweep DB [--projects N] [--today YYYY-MM-DD] [--repeat R]\n";
        return 2;
    }
    std::string db = argv[1];
    int projects = 1000, repeat = 5;
    core::Date today = core::date_from_unix_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    for (int i = 2; i + 1 < argc; i += 2) {
        std::string arg = argv[i];
        if (arg == "--projects") projects = std::stoi(argv[i + 1]);
        else if (arg == "--repeat") repeat = std::stoi(argv[i + 1]);
        else if (arg == "--today") today = core::parse_iso_date(argv[i + 1]).value_or(today);
    }
    auto store = store::Store::open(db);
    if (!store) return std::cerr << store.error().message << "\n", 1;
    config::Config config = config::default_config();
    config.slack.enabled = config.feishu.enabled = config.dingtalk.enabled = true;
    core::SystemClock clock;
    bot::PlatformOuts outs = bot::make_platform_outs(config, clock);

    std::vector<double> load, evaluate, digest, push, total;
    Pass last;
    try {
        for (int r = 0; r < repeat; ++r) {
            last = sweep(**store, outs.by_platform, projects, today);
            load.push_back(last.load);
            evaluate.push_back(last.evaluate);
            digest.push_back(last.digest);
            push.push_back(last.push);
            total.push_back(last.load + last.evaluate + last.digest + last.push);
        }
    } catch (const std::exception& e) {
        std::cerr << "bench_sweep: " << e.what() << "\n";
        return 1;
    }
    std::printf("projects %d, tasks %zu, findings %zu, rendered %zu bytes, median of %d\n", projects, last.tasks,
                last.findings, last.bytes, repeat);
    std::printf("load_ms %.1f\nevaluate_ms %.1f\ndigest_ms %.1f\npush_ms %.1f\nsweep_ms %.1f\ncompute_ms %.1f\n",
                median(load), median(evaluate), median(digest), median(push), median(total),
                median(evaluate) + median(digest) + median(push));
    return 0;
}
