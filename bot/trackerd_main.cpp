// trackerd: the daemon. Reads like a checklist: arguments, config, app, signals, wait, stop.

#include <spdlog/spdlog.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include "bot/app.h"
#include "bot/ops/json_log.h"
#include "bot/ops/version.h"

namespace {

int usage() {
    std::cerr << "usage: trackerd [--config FILE] [--allow-readable-config] [--version]\n"
                 "With no config, runs on the embedded default: SQLite in data/trackerd.db,\n"
                 "listening on 127.0.0.1:8080, no platform enabled. The config file holds secrets:\n"
                 "it is refused when other users may read it, unless --allow-readable-config.\n";
    return 2;
}

// SIGHUP: re-reads the file and applies it; a file that does not parse changes nothing.
void reload(bot::App& app, const std::string& path, const config::LoadOptions& options) {
    if (path.empty()) {
        spdlog::warn("reload: SIGHUP received, but trackerd runs without a config file (--config): nothing to reload");
        return;
    }
    spdlog::info("reload: SIGHUP received, reading {}", path);
    auto next = config::load_config_file(path, options);
    if (!next) {  // the message names the file and the JSON path of the bad field
        spdlog::error("reload: refused, the running config stays: {}", next.error().message);
        return;
    }
    auto applied = app.reload(*next);
    if (!applied) spdlog::error("reload: refused, the running config stays: {}", applied.error().message);
}

}  // namespace

int main(int argc, char** argv) {
    std::string config_path;
    config::LoadOptions load_options;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) config_path = argv[++i];
        else if (arg == "--allow-readable-config") load_options.allow_readable = true;
        else if (arg == "--version") { std::cout << "trackerd " << bot::version() << "\n"; return 0; }
        else return usage();
    }
#ifdef __GLIBC__
    // glibc gives each thread that allocates its own malloc arena (up to 8 per core); with 64
    // HTTP workers the partly used arenas were ~10 MB of RSS under load (36-39 MB peak against
    // 24-26 MB with two arenas, and no fewer requests per second). MALLOC_ARENA_MAX still wins.
    if (!std::getenv("MALLOC_ARENA_MAX")) mallopt(M_ARENA_MAX, 2);
#endif
    // Block the stop signals before any thread starts, so only sigwait below receives them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);  // reload the config file (systemctl reload trackerd)
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto config = config_path.empty() ? core::Result<config::Config>(config::default_config())
                                      : config::load_config_file(config_path, load_options);
    if (!config) {  // the message starts with the path
        std::cerr << "trackerd: " << config.error().message
                  << (config.error().code == core::ErrorCode::forbidden ? " (or pass --allow-readable-config)" : "")
                  << "\n";
        return 1;
    }
    bot::configure_logging(config->log);  // level, and JSON lines when log.json
    core::SystemClock clock;
    auto app = bot::App::create(*config, clock);
    if (!app) {
        std::cerr << "trackerd: " << app.error().message << "\n";
        return 1;
    }
    auto port = (*app)->start();
    if (!port) {
        std::cerr << "trackerd: " << port.error().message << "\n";
        return 1;
    }
    int received = 0;
    while (sigwait(&signals, &received) == 0 && received == SIGHUP) reload(**app, config_path, load_options);
    spdlog::info("trackerd: {} received, finishing in-flight requests", strsignal(received));
    (*app)->stop();
    return 0;
}
