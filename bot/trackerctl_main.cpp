// trackerctl: the local command line for the tracker: init, import, export, say, digest,
// schedule, check, outbox, copy (a whole database to another place, bot/trackerctl_copy.cpp),
// and the team directory's people and chats (bot/trackerctl_directory.h).
// Reads like a checklist: parse arguments, open the store, seed it from --config, run one command.

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdio>
#include <iostream>

#include "bot/app.h"
#include "bot/pipeline/dispatcher.h"
#include "bot/schedule/scheduler.h"
#include "bot/team/seed.h"
#include "bot/trackerctl_commands.h"
#include "bot/trackerctl_directory.h"
#include "bot/web/xlsx_export.h"
#include "bot/xlsx/xlsx_reader.h"
#include "bot/ops/local_time.h"
#include "bot/ops/version.h"
#include "config/config.h"
#include "core/clock.h"
#include "core/digest.h"
#include "core/plan_shift.h"
#include "core/store/store.h"
#include "core/table_csv.h"
#include "core/table_sheet.h"

namespace {

struct Options {
    std::string db_path;
    std::string config_path;
    std::string project;
    std::string date;
    std::string as_person;
    std::string text;
    std::string file;
    std::string kpi_file;
    std::string locale;
    std::string state;
    std::string chat;
    std::string xlsx_file;
    std::string shift_to;
    std::string copy_from;
    std::string copy_to;
    bool send = false;
    bool english_headers = false;
    bool allow_readable_config = false;
};

int fail(const std::string& message) {
    std::cerr << "trackerctl: " << message << "\n";
    return 1;
}

core::Result<config::Config> load_config(const Options& options) {
    if (options.config_path.empty()) return config::default_config();
    auto loaded = config::load_config_file(options.config_path, {options.allow_readable_config});
    if (!loaded && loaded.error().code == core::ErrorCode::forbidden)
        return core::make_error(core::ErrorCode::forbidden, loaded.error().message + " (or pass --allow-readable-config)");
    return loaded;
}

core::Result<std::unique_ptr<store::Store>> open_store(const Options& options, const config::Config& config) {
    std::string path = options.db_path.empty() ? config.database : options.db_path;
    return store::Store::open(path);
}

// Today in the configured time zone, or --date.
core::Result<core::Date> today(const Options& options, const config::Config& config) {
    if (options.date.empty()) {
        core::SystemClock clock;
        return bot::local_today(clock, config.timezone);
    }
    auto date = core::parse_iso_date(options.date);
    if (!date) return core::make_error(core::ErrorCode::invalid_argument, "--date: expected YYYY-MM-DD");
    return *date;
}

// The config file seeds the directory (bot/team/seed.h): entries the file changed since they were
// last applied, keeping what was changed at run time. Only with --config: the defaults name no
// chats, and seeding them would drop the chats a file put there.
core::Result<void> seed_from_config(const Options& options, store::Store& store,
                                     const config::Config& config) {
    if (options.config_path.empty()) return core::ok();
    core::SystemClock clock;
    auto seeded = bot::seed_directory(store, config, clock.now_unix());
    if (!seeded) return seeded.error();
    for (const auto& warning : seeded->warnings) std::cerr << "warning: " << warning << "\n";
    return core::ok();
}

bool ends_with_xlsx(const std::string& path) {
    std::string tail = path.size() >= 5 ? path.substr(path.size() - 5) : path;
    for (char& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return tail == ".xlsx";
}

// The plan in `options.file`: an Excel workbook (by its zip magic or its .xlsx name: the tracking
// sheet, and the KPI and risk sheets when present) or a CSV tracking table.
core::Result<core::ImportedTable> read_plan(const Options& options) {
    auto bytes = bot::read_text_file(options.file);
    if (!bytes) return bytes.error();
    core::ImportOptions import_options;
    import_options.project_id = options.project;
    if (!bot::xlsx::looks_like_zip(*bytes) && !ends_with_xlsx(options.file))
        return core::import_tracking_csv(*bytes, import_options);
    auto sheets = bot::xlsx::read_xlsx(*bytes);
    if (!sheets) return sheets.error();
    auto book = core::import_workbook(*sheets, import_options);
    if (!book) return book.error();
    std::cerr << "read sheet '" << book->tracking_sheet << "'"
              << (book->kpi_sheet.empty() ? "" : ", KPIs from '" + book->kpi_sheet + "'")
              << (book->risk_sheet.empty() ? "" : ", risks from '" + book->risk_sheet + "'") << "\n";
    return std::move(book->table);
}

// --shift-to DATE|today: the whole plan moved by whole days so that it is in progress that day
// (core/plan_shift.h). Says what the day shows.
core::Result<void> shift_plan_to(const Options& options, const config::Config& config, core::ProjectState& state) {
    core::Date target{};
    if (options.shift_to == "today") {
        core::SystemClock clock;
        target = bot::local_today(clock, config.timezone);
    } else if (auto day = core::parse_iso_date(options.shift_to)) {
        target = *day;
    } else {
        return core::make_error(core::ErrorCode::invalid_argument, "--shift-to: expected YYYY-MM-DD or today");
    }
    auto anchor = core::plan_anchor(state);
    if (!anchor) return core::make_error(core::ErrorCode::invalid_argument, "--shift-to: no open task has a planned finish");
    int days = core::days_between(anchor->day, target);
    core::shift_plan(state, days);
    std::cerr << "shifted every date by " << days << " days: on " << core::format_iso_date(target) << " "
              << anchor->due_task << " is due in 2 days"
              << (anchor->late_task.empty() ? "" : ", " + anchor->late_task + " is late")
              << (anchor->blocked_task.empty() ? "" : ", " + anchor->blocked_task + " is blocked") << "\n";
    return core::ok();
}

int run_import(const Options& options, const config::Config& config, store::Store& store) {
    auto table = read_plan(options);
    if (!table) return fail(options.file + ": " + table.error().message);
    if (!options.kpi_file.empty()) {
        auto kpi_text = bot::read_text_file(options.kpi_file);
        if (!kpi_text) return fail(kpi_text.error().message);
        auto kpis = core::import_kpi_csv(*kpi_text, table->state.project.id);
        if (!kpis) return fail(options.kpi_file + ": " + kpis.error().message);
        table->state.kpis = *kpis;
    }
    if (!options.shift_to.empty())
        if (auto shifted = shift_plan_to(options, config, table->state); !shifted) return fail(shifted.error().message);
    core::SystemClock clock;
    core::ChangeSource source{"", "import", "", options.file, clock.now_unix()};
    auto saved = store.import_project(table->state, source);
    if (!saved) return fail(saved.error().message);
    for (const auto& warning : table->warnings) std::cerr << "warning: " << warning << "\n";
    std::cout << "imported " << table->state.project.id << " (" << table->state.project.name << "): "
              << table->state.tasks.size() << " rows, " << table->state.kpis.size() << " KPIs, "
              << table->state.risks.size() << " risks\n";
    return 0;
}

core::Result<std::string> single_project(const Options& options, store::Store& store) {
    if (!options.project.empty()) return core::normalize_id(options.project);
    auto projects = store.projects();
    if (!projects) return projects.error();
    if (projects->size() == 1) return projects->front().id;
    if (projects->empty()) return core::make_error(core::ErrorCode::not_found, "no project yet: run import first");
    return core::make_error(core::ErrorCode::invalid_argument, "several projects: pick one with --project");
}

int run_export(const Options& options, const config::Config& config, store::Store& store) {
    auto project = single_project(options, store);
    if (!project) return fail(project.error().message);
    auto state = store.load_project(*project);
    if (!state) return fail(state.error().message);
    core::Locale headers = options.english_headers ? core::Locale::en : core::Locale::zh_cn;
    if (!options.xlsx_file.empty()) {  // the workbook: tracking table, progress log, risks, KPIs, weekly review
        auto day = today(options, config);
        if (!day) return fail(day.error().message);
        auto written = bot::write_project_xlsx(*state, bot::XlsxOptions{headers, *day}, options.xlsx_file);
        if (!written) return fail(written.error().message);
        std::cout << "wrote " << options.xlsx_file << " (" << state->project.id << ": " << state->tasks.size()
                  << " rows, " << state->progress.size() << " log entries, " << state->risks.size() << " risks, "
                  << state->kpis.size() << " KPIs)\n";
        return 0;
    }
    std::cout << (options.kpi_file == "-" ? core::export_kpi_csv(state->kpis, headers)
                                          : core::export_tracking_csv(*state, headers));
    return 0;
}

int run_say(const Options& options, const config::Config& config, store::Store& store) {
    auto day = today(options, config);
    if (!day) return fail(day.error().message);
    bot::DispatchContext context;
    auto person = store.find_person(options.as_person);
    if (!person) return fail(person.error().message);
    if (*person) context.sender = **person;
    for (const auto& admin : config.admins) context.is_admin = context.is_admin || admin == context.sender.id;
    if (!options.project.empty()) context.project_ids.push_back(core::normalize_id(options.project));
    if (!options.locale.empty()) context.locale = core::parse_locale(options.locale);
    context.today = *day;
    core::SystemClock clock;
    context.source = core::ChangeSource{context.sender.id, "cli", "", "", clock.now_unix()};
    bot::Dispatcher dispatcher(store);
    auto result = dispatcher.handle(options.text, context);
    if (!result) return fail(result.error().message);
    std::cout << result->reply.joined_text() << "\n";
    return 0;
}

int run_digest(const Options& options, const config::Config& config, store::Store& store) {
    auto day = today(options, config);
    if (!day) return fail(day.error().message);
    std::vector<std::string> ids;
    if (!options.project.empty()) {
        ids.push_back(core::normalize_id(options.project));
    } else {
        auto projects = store.projects();
        if (!projects) return fail(projects.error().message);
        for (const auto& p : *projects)
            if (p.status == core::ProjectStatus::active) ids.push_back(p.id);
    }
    core::Locale locale = options.locale.empty() ? config.locale
                                                 : core::parse_locale(options.locale).value_or(config.locale);
    for (const auto& id : ids) {
        auto state = store.load_project(id);
        if (!state) return fail(state.error().message);
        auto digest = core::build_digest(*state, *day);
        std::cout << core::render_digest(digest, *state, locale, core::plain_markup()).joined_text() << "\n\n";
    }
    return 0;
}

int run_send_digest(const Options& options, const config::Config& config, store::Store& store) {
    auto chat = bot::find_stored_chat(store, options.chat);  // the chats trackerd reads (trackerctl chats)
    if (!chat) return fail("--chat: " + chat.error().message);
    core::SystemClock clock;
    auto outs = bot::make_platform_outs(config, clock);
    bot::Scheduler scheduler(store, clock, config, outs.by_platform, {});
    auto queued = scheduler.send_digest_now(chat->platform, chat->chat_id);
    if (!queued) return fail(queued.error().message);
    std::cout << "queued " << *queued << " message" << (*queued == 1 ? "" : "s") << " for " << chat->platform
              << ":" << chat->chat_id << " (trackerd sends it within a second)\n";
    return 0;
}

int run_schedule(const Options& options, const config::Config& config, store::Store& store) {
    auto day = today(options, config);
    if (!day) return fail(day.error().message);
    core::SystemClock clock;
    auto outs = bot::make_platform_outs(config, clock);
    bot::Scheduler scheduler(store, clock, config, outs.by_platform, {});
    auto plan = scheduler.plan(*day);
    if (!plan) return fail(plan.error().message);
    if (plan->empty())
        std::cout << "nothing scheduled on " << core::format_iso_date(*day)
                  << " (no chat bound to a project? trackerctl chats lists them)\n";
    for (const auto& send : *plan) {
        char when[32];
        std::snprintf(when, sizeof when, "%02d:%02d", send.minutes / 60, send.minutes % 60);
        std::cout << core::format_iso_date(send.day) << " " << when << " " << send.timezone << "\t" << send.kind
                  << "\t" << send.platform << ":" << send.chat_id << "\t" << send.project_id << "\t" << send.state
                  << (send.detail.empty() ? "" : "\t" + send.detail) << "\n";
    }
    return 0;
}

int run_outbox(const Options& options, store::Store& store) {
    std::optional<store::OutboxState> state;
    if (options.state == "pending") state = store::OutboxState::pending;
    else if (options.state == "sent") state = store::OutboxState::sent;
    else if (options.state == "dead") state = store::OutboxState::dead;
    else if (!options.state.empty()) return fail("--state: expected pending, sent or dead");
    auto rows = store.outbox(state, 200);
    if (!rows) return fail(rows.error().message);
    for (const auto& row : *rows)
        std::cout << row.id << "\t" << store::to_string(row.state) << "\t" << row.platform << "\t" << row.kind << "\t"
                  << row.destination << "\tattempts=" << row.attempts << "\t" << row.last_error << "\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"trackerctl: the campaign tracker's local command line"};
    app.require_subcommand(1);
    // Global options may follow the subcommand too: "trackerctl check --config FILE".
    app.fallthrough();
    app.set_version_flag("--version", std::string("trackerctl ") + bot::version());
    Options options;
    app.add_option("--db", options.db_path, "SQLite database file or postgresql:// URI (default: the config's, or data/trackerd.db)");
    app.add_option("--config", options.config_path, "config file (JSON, comments allowed)");
    app.add_flag("--allow-readable-config", options.allow_readable_config,
                 "load a config file that other users may read (refused by default: it holds secrets)");

    auto* init = app.add_subcommand("init", "create or migrate the database");
    auto* import = app.add_subcommand("import", "import a tracking table (the seeds' CSV format, or an Excel workbook)");
    import->add_option("file", options.file, "CSV file, or .xlsx workbook (its KPI and risk sheets too)")->required();
    import->add_option("--kpis", options.kpi_file, "KPI table CSV for the same project");
    import->add_option("--project", options.project, "project id (default: the phase row's id)");
    import->add_option("--shift-to", options.shift_to,
                       "move every date by whole days so that the plan is in progress on YYYY-MM-DD (or today)");
    auto* export_cmd = app.add_subcommand("export", "print a project's tracking table as CSV, or write it as Excel");
    export_cmd->add_option("--project", options.project, "project id");
    export_cmd->add_flag("--english", options.english_headers, "English column headers");
    export_cmd->add_flag_callback("--kpis", [&] { options.kpi_file = "-"; }, "print the KPI table instead");
    export_cmd->add_option("--xlsx", options.xlsx_file,
                           "write the Excel workbook (tracking table, progress log, risks, KPIs, weekly review) to FILE");
    export_cmd->add_option("--date", options.date, "with --xlsx: the weekly review ends on YYYY-MM-DD (default: today)");
    auto* say = app.add_subcommand("say", "run a chat command as a person and print the reply");
    say->add_option("--as", options.as_person, "person id or name")->required();
    say->add_option("text", options.text, "the chat message")->required();
    say->add_option("--project", options.project, "limit to one project");
    say->add_option("--date", options.date, "act as if today were YYYY-MM-DD");
    say->add_option("--locale", options.locale, "zh-CN or en (default: the message's language)");
    auto* digest = app.add_subcommand("digest", "print the daily digest");
    digest->add_option("--project", options.project, "project id (default: every active project)");
    digest->add_option("--date", options.date, "as of YYYY-MM-DD (default: today)");
    digest->add_option("--locale", options.locale, "zh-CN or en (default: the config's)");
    digest->add_flag("--send", options.send, "push it to --chat now through the outbox instead of printing it");
    digest->add_option("--chat", options.chat,
                       "with --send: the chat (platform:id or id), as trackerctl chats lists it");
    auto* schedule = app.add_subcommand("schedule", "list what the scheduler sends when, per chat");
    schedule->add_option("--date", options.date, "the day YYYY-MM-DD (default: today)");
    auto* check = app.add_subcommand("check", "validate a config file");
    auto* outbox = app.add_subcommand("outbox", "list outgoing messages (dead ones need attention)");
    outbox->add_option("--state", options.state, "pending, sent or dead");
    auto* copy = app.add_subcommand("copy", "copy a whole database into an empty one (e.g. a SQLite file into PostgreSQL)");
    copy->add_option("--from", options.copy_from, "the database to copy: a SQLite file or a postgresql:// URI")->required();
    copy->add_option("--to", options.copy_to, "the empty database to copy into: a SQLite file or a postgresql:// URI")
        ->required();
    bot::DirectoryCommands directory(app);  // people, chats

    CLI11_PARSE(app, argc, argv);

    auto config = load_config(options);
    if (!config) return fail(config.error().message);
    if (check->parsed()) {
        auto zone = bot::check_time_zone(config->timezone);
        if (!zone) return fail("timezone: " + zone.error().message);
        std::cout << "config ok\n";
        return 0;
    }
    // Both ends named on the command line; nothing seeded into the target, which must be empty.
    if (copy->parsed()) return bot::trackerctl::copy_database(options.copy_from, options.copy_to);
    auto store = open_store(options, *config);
    if (!store) return fail(store.error().message);
    auto seeded = seed_from_config(options, **store, *config);
    if (!seeded) return fail("--config: " + seeded.error().message);
    if (init->parsed()) {
        std::cout << "database ready\n";
        return 0;
    }
    if (import->parsed()) return run_import(options, *config, **store);
    if (export_cmd->parsed()) return run_export(options, *config, **store);
    if (say->parsed()) return run_say(options, *config, **store);
    if (digest->parsed() && options.send) {
        if (options.chat.empty()) return fail("digest --send needs --chat");
        return run_send_digest(options, *config, **store);
    }
    if (digest->parsed()) return run_digest(options, *config, **store);
    if (schedule->parsed()) return run_schedule(options, *config, **store);
    if (outbox->parsed()) return run_outbox(options, **store);
    if (directory.parsed()) {
        core::SystemClock clock;
        return directory.run(**store, clock.now_unix());
    }
    return fail("unknown command");
}
