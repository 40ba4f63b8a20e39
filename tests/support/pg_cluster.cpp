// PgCluster: a throw-away PostgreSQL server per test process (see pg_cluster.h).

#include "tests/support/pg_cluster.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace testing_support {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "trackerd";              // initdb --username: the superuser
constexpr const char* kFolderPrefix = "trackerd-pg-";  // a process's folder (swept when stale)
constexpr const char* kTemplatePrefix = "trackerd-pgtpl-";

std::string env_or_empty(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

bool env_flag(const char* name) {
    const std::string value = env_or_empty(name);
    return !value.empty() && value != "0" && value != "false" && value != "no";
}

bool is_executable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

std::string find_in_path(const std::string& name) {
    std::stringstream path(env_or_empty("PATH"));
    std::string dir;
    while (std::getline(path, dir, ':')) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (is_executable(candidate)) return candidate;
    }
    return {};
}

std::string hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "?";
    return name;
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
}

// The last `lines` lines of `text`.
std::string tail_lines(const std::string& text, std::size_t lines) {
    std::size_t pos = text.size();
    if (pos > 0 && text[pos - 1] == '\n') --pos;
    std::size_t count = 0;
    while (pos > 0) {
        if (text[pos - 1] == '\n' && ++count == lines) break;
        --pos;
    }
    return text.substr(pos);
}

std::string file_tail(const std::string& path, std::size_t lines, std::uintmax_t from = 0) {
    std::string text = read_file(path);
    text = from < text.size() ? text.substr(from) : std::string();
    return tail_lines(text, lines);
}

std::uintmax_t file_size_or_zero(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

void write_file(const std::string& path, const std::string& content, bool append = false) {
    std::ofstream out(path, append ? std::ios::app : std::ios::trunc);
    out << content;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
}

std::string join(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        out += arg;
    }
    return out;
}

// The children's environment: ours without PG* (PGDATA, PGPORT, PGOPTIONS ... must not steer
// initdb/pg_ctl/the server) and with the C locale (stable messages, initdb's checks).
std::vector<std::string> child_environment() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        if (entry.starts_with("PG") || entry.starts_with("LC_") || entry.starts_with("LANG=") ||
            entry.starts_with("LANGUAGE="))
            continue;
        env.emplace_back(entry);
    }
    env.emplace_back("LC_ALL=C");
    env.emplace_back("LANG=C");
    return env;
}

// Runs argv[0] (an absolute path) with stdin /dev/null, stdout and stderr appended to
// `log_path`, in `cwd`, no other descriptor inherited (the postmaster that pg_ctl leaves running
// must not keep a test's sockets or files open), default signal dispositions. posix_spawn:
// safe in a threaded process, and cheap under the sanitizers (no copy of their mappings).
int spawn_and_wait(const std::vector<std::string>& argv, const std::string& log_path,
                   const std::string& cwd) {
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_strings = child_environment();
    std::vector<char*> env;
    for (auto& entry : env_strings) env.push_back(entry.data());
    env.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    sigset_t mask;
    sigemptyset(&mask);
    posix_spawnattr_setsigmask(&attr, &mask);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGALRM})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

    pid_t pid = 0;
    const int error = ::posix_spawn(&pid, args[0], &actions, &attr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (error != 0) throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(error));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw std::runtime_error("waitpid: " + std::string(std::strerror(errno)));
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

std::string cp_binary() {
    const std::string cp = find_in_path("cp");
    return cp.empty() ? "/bin/cp" : cp;
}

// The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl.
std::string newest_debian_bin_dir() {
    std::string best;
    double best_version = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string name = entry.path().filename().string();
        char* end = nullptr;
        const double version = std::strtod(name.c_str(), &end);
        if (end == name.c_str() || *end != '\0') continue;
        const std::string bin = entry.path().string() + "/bin";
        if (version > best_version && is_executable(bin + "/initdb") &&
            is_executable(bin + "/pg_ctl")) {
            best = bin;
            best_version = version;
        }
    }
    return best;
}

// With sockets only (listen_addresses = ''), a port is just the socket's name: any number
// works, as each cluster has its folder. One from the pid keeps names apart in logs.
int port_for_pid(pid_t pid) { return 20000 + static_cast<int>(pid % 40000); }

// A folder usable for the cluster: $TMPDIR if it is absolute, short enough for the socket's path
// (sun_path is 108 bytes: <tmp>/trackerd-pg-XXXXXX/.s.PGSQL.NNNNN.lock) and, when the server
// runs as another user (root -> postgres), reachable by it; else /tmp.
std::string temp_root(bool other_user_needs_access) {
    std::string dir = env_or_empty("TMPDIR");
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    const auto usable = [&](const std::string& d) {
        if (d.empty() || d[0] != '/') return false;
        if (d.size() + std::strlen("/trackerd-pg-XXXXXX/.s.PGSQL.65535.lock") >=
            sizeof(sockaddr_un{}.sun_path))
            return false;
        struct stat st {};
        if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
        if (!other_user_needs_access) return true;
        for (fs::path p = d;; p = p.parent_path()) {  // every ancestor searchable by others
            if (::stat(p.c_str(), &st) != 0 || !(st.st_mode & S_IXOTH)) return false;
            if (p == p.parent_path()) break;
        }
        return true;
    };
    return usable(dir) ? dir : "/tmp";
}

// A stable hash (FNV-1a 64) for the template's name.
std::string fnv1a_hex(const std::string& text) {
    std::uint64_t hash = 1469598103934665603ULL;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 1099511628211ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(hash));
    return out;
}

std::string file_identity(const std::string& path) {
    std::error_code ec;
    const fs::path real = fs::canonical(path, ec);
    struct stat st {};
    if (ec || ::stat(real.c_str(), &st) != 0) return path;
    return real.string() + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtime);
}

std::string percent_encode(std::string_view text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

// 'text' for postgresql.conf.
std::string conf_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'' || c == '\\') out += c;
        out += c;
    }
    return out + "'";
}

struct PgConnDeleter {
    void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultDeleter {
    void operator()(PGresult* result) const { PQclear(result); }
};
using PgConn = std::unique_ptr<PGconn, PgConnDeleter>;
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

void ignore_notice(void*, const char*) {}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

PgCluster& PgCluster::shared() {
    // A function-local static: built on first use (thread-safe), destroyed at exit (after
    // main returns or exit()), which stops the server and removes the folder.
    static PgCluster cluster;
    return cluster;
}

PgCluster::PgCluster() : m_creator_pid(::getpid()) {
    const auto started = std::chrono::steady_clock::now();
    try {
        start_up();
        m_available = true;
        m_startup_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "[pg_cluster] PostgreSQL (%s) ready in %.2f s: %s\n", m_pg_ctl.c_str(),
                     m_startup_seconds, uri("postgres").c_str());
    } catch (const std::exception& e) {
        m_reason = e.what();
        std::fprintf(stderr, "[pg_cluster] %s\n", m_reason.c_str());
    }
}

PgCluster::~PgCluster() {
    // Not in a fork()ed child of the process that made it (a gtest death test): the server is
    // the parent's.
    if (::getpid() != m_creator_pid || m_dir.empty()) return;
    try {
        std::error_code ec;
        if (fs::exists(m_data + "/postmaster.pid", ec))
            run({m_pg_ctl, "stop", "-D", m_data, "-m", "immediate", "-w", "-t", "30"});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "[pg_cluster] stopping the server: %s\n", e.what());
    }
    if (env_flag("TRACKERD_PG_KEEP")) {
        try {
            write_file(m_dir + "/owner", "kept\n");  // not stale: the sweep leaves it alone
        } catch (const std::exception&) {
        }
        std::fprintf(stderr, "[pg_cluster] kept %s (TRACKERD_PG_KEEP)\n", m_dir.c_str());
        return;
    }
    std::error_code ec;
    fs::remove_all(m_dir, ec);
}

void PgCluster::start_up() {
    // Binaries.
    if (const std::string dir = env_or_empty("TRACKERD_PG_BIN_DIR"); !dir.empty()) {
        m_initdb = dir + "/initdb";
        m_pg_ctl = dir + "/pg_ctl";
    } else {
        m_initdb = find_in_path("initdb");
        m_pg_ctl = find_in_path("pg_ctl");
        if (m_initdb.empty() || m_pg_ctl.empty()) {
            const std::string newest = newest_debian_bin_dir();
            m_initdb = newest.empty() ? "" : newest + "/initdb";
            m_pg_ctl = newest.empty() ? "" : newest + "/pg_ctl";
        }
    }
    if (m_initdb.empty() || !is_executable(m_initdb) || !is_executable(m_pg_ctl)) {
        throw std::runtime_error(
            "no PostgreSQL server binaries (initdb, pg_ctl) in $TRACKERD_PG_BIN_DIR, PATH or "
            "/usr/lib/postgresql/*/bin; install Debian's postgresql package "
            "(scripts/install-deps.sh)");
    }
    m_binaries_found = true;

    // Who runs them: initdb and postgres refuse root.
    if (::geteuid() == 0) {
        const passwd* pw = ::getpwnam("postgres");
        if (!pw)
            throw std::runtime_error(
                "running as root, and initdb refuses root: there is no user postgres to run it "
                "as (Debian's postgresql package creates one)");
        m_runuser = find_in_path("runuser");
        for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"})
            if (m_runuser.empty() && is_executable(candidate)) m_runuser = candidate;
        if (m_runuser.empty())
            throw std::runtime_error("running as root, and no runuser to run initdb as postgres");
        m_as_postgres = true;
        m_owner_uid = pw->pw_uid;
        m_owner_gid = pw->pw_gid;
    } else {
        m_owner_uid = ::geteuid();
        m_owner_gid = ::getegid();
    }

    const std::string tmp_root = temp_root(m_as_postgres);
    try {
        sweep_stale_folders(tmp_root);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "[pg_cluster] sweeping stale folders: %s\n", e.what());
    }

    // The folder: data/, the socket, the logs.
    std::string pattern = tmp_root + "/" + kFolderPrefix + "XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    m_dir = pattern;
    m_data = m_dir + "/data";
    m_port = port_for_pid(m_creator_pid);
    write_file(m_dir + "/owner", std::to_string(m_creator_pid) + " " + hostname() + "\n");
    if (m_as_postgres && ::chown(m_dir.c_str(), m_owner_uid, m_owner_gid) != 0)
        throw std::runtime_error("chown " + m_dir + " to postgres: " + std::strerror(errno));

    // data/: a copy of this machine's template, else initdb (and keep it as the template).
    // --no-sync: initdb's files are not flushed to the disk (that only matters if the machine
    // crashes); the server itself runs with fsync on.
    const std::vector<std::string> options = {"--auth=trust", "--username=trackerd",
                                              "--encoding=UTF8", "--locale=C", "--no-sync"};
    std::vector<std::string> initdb = {m_initdb, "-D", m_data};
    initdb.insert(initdb.end(), options.begin(), options.end());
    // The template's name: the user, the options and the binaries (an upgrade makes a new one).
    const bool use_template = env_or_empty("TRACKERD_PG_TEMPLATE_CACHE") != "0";
    const std::string cache =
        tmp_root + "/" + kTemplatePrefix + std::to_string(m_owner_uid) + "-" +
        fnv1a_hex(join(options) + "\n" + file_identity(m_initdb) + "\n" + file_identity(m_pg_ctl));
    if (!use_template || !copy_template(cache)) {
        run_ok("initdb", initdb);
        if (use_template) {
            try {
                save_template(tmp_root, cache);
            } catch (const std::exception& e) {
                std::fprintf(stderr, "[pg_cluster] keeping the template: %s\n", e.what());
            }
        }
    }

    // This cluster's settings (restart and start_server keep them).
    std::string settings = "\n# tests/support/pg_cluster.cpp: only a Unix socket, in the folder\n";
    settings += "listen_addresses = ''\n";
    settings += "unix_socket_directories = " + conf_quote(m_dir) + "\n";
    settings += "port = " + std::to_string(m_port) + "\n";
    settings += "shared_buffers = 16MB\n";
    settings += "max_connections = 200\n";
    // After a crash (stop_server(immediate)) the server flushes the whole data folder before
    // recovery: one syncfs() instead of an fsync per file (a fresh cluster has ~1000 files not
    // yet on the disk: 4 s instead of 0.7 s here). As durable. PostgreSQL 14 and later.
    if (std::atoi(read_file(m_data + "/PG_VERSION").c_str()) >= 14)
        settings += "recovery_init_sync_method = syncfs\n";
    write_file(m_data + "/postgresql.conf", settings, /*append=*/true);

    run_ok("pg_ctl start",
           {m_pg_ctl, "start", "-D", m_data, "-l", m_dir + "/server.log", "-w", "-t", "60"},
           /*with_server_log=*/true);
}

// Folders of test processes of this host that are gone (killed before their exit handlers):
// their server is stopped and the folder removed. Only folders of the user the servers run as.
void PgCluster::sweep_stale_folders(const std::string& tmp_root) const {
    const std::string host = hostname();
    const auto now = fs::file_time_type::clock::now();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(tmp_root, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(kFolderPrefix)) continue;
        const std::string dir = entry.path().string();
        struct stat st {};
        if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != m_owner_uid)
            continue;
        std::ifstream owner(dir + "/owner");
        std::string first;
        long pid = 0;
        std::string owner_host;
        if (owner >> first && first == "kept") continue;  // TRACKERD_PG_KEEP: for a human
        if (std::istringstream(first) >> pid && owner >> owner_host) {
            if (owner_host != host) continue;
            if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;  // alive
        } else {
            // No owner file (yet): only an hour-old one is stale.
            std::error_code time_ec;
            const auto modified = fs::last_write_time(dir, time_ec);
            if (time_ec || now - modified < std::chrono::hours(1)) continue;
        }
        std::error_code exists_ec;
        if (fs::exists(dir + "/data/postmaster.pid", exists_ec)) {
            std::vector<std::string> stop = {m_pg_ctl,    "stop", "-D", dir + "/data", "-m",
                                             "immediate", "-w",   "-t", "10"};
            if (m_as_postgres) stop.insert(stop.begin(), {m_runuser, "-u", "postgres", "--"});
            spawn_and_wait(stop, "/dev/null", tmp_root);
        }
        std::error_code remove_ec;
        fs::remove_all(dir, remove_ec);
        std::fprintf(stderr, "[pg_cluster] removed the stale %s\n", dir.c_str());
    }
}

// Copies the template into data/; false when there is none (or it is not ours).
bool PgCluster::copy_template(const std::string& cache) const {
    struct stat st {};
    if (::lstat(cache.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != m_owner_uid ||
        (st.st_mode & (S_IWGRP | S_IWOTH)))
        return false;
    std::error_code ec;
    if (!fs::exists(cache + "/complete", ec) || !fs::exists(cache + "/data/PG_VERSION", ec))
        return false;
    if (run({cp_binary(), "-a", cache + "/data", m_data}) == 0) return true;
    fs::remove_all(m_data, ec);  // a partial copy: initdb instead
    return false;
}

// Keeps the fresh data/ as the template: copied into a staging folder, then renamed into place
// (atomic: a process sees the whole template or none; a second one loses the rename).
void PgCluster::save_template(const std::string& tmp_root, const std::string& cache) const {
    std::string pattern = tmp_root + "/" + kFolderPrefix + "stage-XXXXXX";
    if (!::mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    const std::string stage = pattern;
    std::error_code ec;
    try {
        write_file(stage + "/owner", std::to_string(m_creator_pid) + " " + hostname() + "\n");
        if (m_as_postgres && ::chown(stage.c_str(), m_owner_uid, m_owner_gid) != 0)
            throw std::runtime_error("chown " + stage + ": " + std::strerror(errno));
        if (run({cp_binary(), "-a", m_data, stage + "/data"}) != 0)
            throw std::runtime_error("cp -a " + m_data + " " + stage + "/data failed");
        write_file(stage + "/complete", "");
        fs::remove(stage + "/owner", ec);
        if (::rename(stage.c_str(), cache.c_str()) != 0) {
            fs::remove_all(stage, ec);  // another process was first
            return;
        }
    } catch (...) {
        fs::remove_all(stage, ec);
        throw;
    }
    // Templates of other binaries (an upgraded package) are of no more use.
    const std::string mine = fs::path(cache).filename().string();
    const std::string prefix = kTemplatePrefix + std::to_string(m_owner_uid) + "-";
    for (const auto& entry : fs::directory_iterator(tmp_root, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(prefix) && name != mine) fs::remove_all(entry.path(), ec);
    }
}

int PgCluster::run(const std::vector<std::string>& argv) const {
    std::vector<std::string> full = argv;
    if (m_as_postgres) full.insert(full.begin(), {m_runuser, "-u", "postgres", "--"});
    const std::string log = m_dir + "/commands.log";
    write_file(log, "$ " + join(argv) + "\n", /*append=*/true);
    const auto started = std::chrono::steady_clock::now();
    const int status = spawn_and_wait(full, log, m_dir);
    char took[64];
    std::snprintf(
        took, sizeof took, "(exit status %d, %.3f s)\n", status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    write_file(log, took, /*append=*/true);
    return status;
}

void PgCluster::run_ok(const std::string& what, const std::vector<std::string>& argv,
                       bool with_server_log) const {
    const std::string log = m_dir + "/commands.log";
    const std::uintmax_t from = file_size_or_zero(log);
    const int status = run(argv);
    if (status == 0) return;
    std::string message = what + " failed (exit status " + std::to_string(status) + ", folder " +
                          m_dir + ", kept with TRACKERD_PG_KEEP=1)\n--- output:\n" +
                          trimmed(file_tail(log, 25, from));
    if (with_server_log) message += "\n--- server log (tail):\n" + trimmed(server_log_tail(25));
    throw std::runtime_error(message);
}

bool PgCluster::available() const { return m_available; }

std::string PgCluster::skip_reason() const { return m_reason; }

bool PgCluster::unavailable_is_failure() const {
    return m_binaries_found || env_flag("TRACKERD_REQUIRE_POSTGRES");
}

void PgCluster::ensure_available() const {
    if (!m_available) throw std::runtime_error("PostgreSQL is not available: " + m_reason);
}

std::string PgCluster::uri(std::string_view database) const {
    return std::string("postgresql://") + kUser + "@/" + percent_encode(database) +
           "?host=" + percent_encode(m_dir) + "&port=" + std::to_string(m_port);
}

void PgCluster::admin_exec(const std::string& sql) const {
    ensure_available();
    const std::string port = std::to_string(m_port);
    const char* keys[] = {"host", "port", "user", "dbname", "connect_timeout", "application_name",
                          nullptr};
    const char* values[] = {m_dir.c_str(), port.c_str(), kUser,  "postgres",
                            "10",          "pg_cluster", nullptr};
    PgConn conn(PQconnectdbParams(keys, values, 0));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("cannot connect to " + uri("postgres") + ": " +
                                 trimmed(conn ? PQerrorMessage(conn.get()) : "out of memory"));
    // Quiet: the NOTICE of DROP DATABASE IF EXISTS.
    PQsetNoticeProcessor(conn.get(), ignore_notice, nullptr);
    PgResult result(PQexec(conn.get(), sql.c_str()));
    if (!result || PQresultStatus(result.get()) != PGRES_COMMAND_OK)
        throw std::runtime_error(sql + ": " + trimmed(PQerrorMessage(conn.get())));
}

std::string PgCluster::create_database() {
    static std::atomic<int> counter{0};
    const std::string name = "t" + std::to_string(m_creator_pid) + "_" + std::to_string(++counter);
    admin_exec("CREATE DATABASE \"" + name + "\" TEMPLATE template0");
    return uri(name);
}

void PgCluster::drop_database(const std::string& name_or_uri) {
    std::string name = name_or_uri;
    if (name_or_uri.find("://") != std::string::npos) {
        char* error = nullptr;
        PQconninfoOption* options = PQconninfoParse(name_or_uri.c_str(), &error);
        if (!options) {
            const std::string message = error ? error : "out of memory";
            PQfreemem(error);
            throw std::runtime_error("not a URI: " + name_or_uri + ": " + message);
        }
        name.clear();
        for (PQconninfoOption* option = options; option->keyword; ++option)
            if (std::strcmp(option->keyword, "dbname") == 0 && option->val) name = option->val;
        PQconninfoFree(options);
    }
    if (name.empty()) throw std::runtime_error("no database in " + name_or_uri);
    std::string quoted = "\"";
    for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    admin_exec("DROP DATABASE IF EXISTS " + quoted + "\" WITH (FORCE)");
}

bool PgCluster::running_locked() const {
    // pg_ctl status: 0 running, 3 not running.
    return run({m_pg_ctl, "status", "-D", m_data}) == 0;
}

bool PgCluster::server_running() const {
    ensure_available();
    std::lock_guard lock(m_server_mutex);
    return running_locked();
}

void PgCluster::restart() {
    ensure_available();
    std::lock_guard lock(m_server_mutex);
    run_ok("pg_ctl restart",
           {m_pg_ctl, "restart", "-D", m_data, "-m", "fast", "-l", m_dir + "/server.log", "-w",
            "-t", "60"},
           /*with_server_log=*/true);
}

void PgCluster::stop_server(StopMode mode) {
    ensure_available();
    std::lock_guard lock(m_server_mutex);
    if (!running_locked()) return;
    run_ok("pg_ctl stop",
           {m_pg_ctl, "stop", "-D", m_data, "-m", mode == StopMode::fast ? "fast" : "immediate",
            "-w", "-t", "60"},
           /*with_server_log=*/true);
}

void PgCluster::start_server() {
    ensure_available();
    std::lock_guard lock(m_server_mutex);
    if (running_locked()) return;
    run_ok("pg_ctl start",
           {m_pg_ctl, "start", "-D", m_data, "-l", m_dir + "/server.log", "-w", "-t", "60"},
           /*with_server_log=*/true);
}

std::string PgCluster::socket_dir() const { return m_dir; }
int PgCluster::port() const { return m_port; }
double PgCluster::startup_seconds() const { return m_startup_seconds; }
std::string PgCluster::data_dir() const { return m_data; }
std::string PgCluster::bin_dir() const {
    std::error_code ec;
    const fs::path real = fs::canonical(m_pg_ctl, ec);
    return (ec ? fs::path(m_pg_ctl) : real).parent_path().string();
}

std::string PgCluster::server_log_tail(std::size_t lines) const {
    return m_dir.empty() ? std::string() : file_tail(m_dir + "/server.log", lines);
}

}  // namespace testing_support
