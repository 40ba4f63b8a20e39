// bench_org: the benchmarks' fixtures.
//   bench_org db FILE [--projects N] [--tasks M] [--today YYYY-MM-DD]
//       builds the synthetic organisation (bench/org.h) into a new SQLite file
//   bench_org config FILE --db DB --listen HOST:PORT [--projects N]
//       writes a trackerd config (mode 0600) with every platform on, one chat per project,
//       outgoing APIs pointed at a closed local port, command limits at their maximum
//   bench_org requests FILE --kind slack-commands|slack-events|feishu|dingtalk --count N
//       [--projects N] [--today YYYY-MM-DD]
//       writes N distinct, signed requests, each a real progress update by the task's owner,
//       one per line for bench/requests.lua: path TAB header-count TAB headers... TAB body.
//       Slack signatures carry the current time: generate right before the run.

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/common/crypto.h"
#include "adapters/feishu/feishu.h"
#include "bench/org.h"
#include "core/store/store.h"

namespace {

constexpr const char* k_slack_secret = "bench-slack-signing-secret-0123456789";
constexpr const char* k_slack_bot = "U0BENCHBOT";
constexpr const char* k_feishu_token = "bench-verification-token";
constexpr const char* k_feishu_key = "bench-feishu-encrypt-key";
constexpr const char* k_feishu_app = "cli_bench0000000001";
constexpr const char* k_dingtalk_secret = "bench-dingtalk-app-secret-0123456789";
// Where replies and digests go: --slack-api/--feishu-api/--dingtalk-api (bench_platforms' fakes),
// else a port nothing listens on (they fail fast and back off).
constexpr const char* k_closed = "http://127.0.0.1:9";

using Args = std::map<std::string, std::string>;

Args parse_args(int argc, char** argv, int first) {
    Args args;
    for (int i = first; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--", 0) == 0 && i + 1 < argc) args[arg.substr(2)] = argv[++i];
        else args["_"] = arg;
    }
    return args;
}

bench::OrgShape shape_of(const Args& args) {
    bench::OrgShape shape;
    if (args.count("projects")) shape.projects = std::stoi(args.at("projects"));
    if (args.count("tasks")) shape.tasks_per_project = std::stoi(args.at("tasks"));
    auto today = core::date_from_unix_seconds(
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
    shape.today = today;
    if (args.count("today"))
        if (auto parsed = core::parse_iso_date(args.at("today"))) shape.today = *parsed;
    return shape;
}

int make_db(const Args& args) {
    auto shape = shape_of(args);
    auto store = store::Store::open(args.at("_"));
    if (!store) return std::cerr << store.error().message << "\n", 1;
    auto built = bench::build_org(**store, shape);
    if (!built) return std::cerr << built.error().message << "\n", 1;
    return 0;
}

int make_config(const Args& args) {
    auto shape = shape_of(args);
    auto api = [&](const char* name) { return args.count(name) ? args.at(name) : std::string(k_closed); };
    nlohmann::json chats = nlohmann::json::array();
    for (int p = 0; p < shape.projects; ++p)
        chats.push_back({{"platform", bench::chat_platform(p)},
                         {"chat_id", bench::chat_id(p)},
                         {"projects", {bench::project_id(p)}}});
    nlohmann::json config = {
        {"listen", args.at("listen")},
        {"database", args.at("db")},
        {"timezone", "Asia/Shanghai"},
        {"chats", chats},
        {"slack", {{"signing_secret", k_slack_secret}, {"bot_token", "xoxb-bench"}, {"bot_user_id", k_slack_bot},
                   {"api_base", api("slack-api")}}},
        {"feishu", {{"app_id", k_feishu_app}, {"app_secret", "bench"}, {"verification_token", k_feishu_token},
                    {"encrypt_key", k_feishu_key}, {"api_base", api("feishu-api")}}},
        {"dingtalk", {{"app_key", "dingbench"}, {"app_secret", k_dingtalk_secret}, {"robot_code", "dingbench"},
                      {"api_base", api("dingtalk-api")}, {"oapi_base", api("dingtalk-api")}}},
        {"limits", {{"commands_per_minute_per_person", 100000}, {"commands_per_minute_per_chat", 100000}}},
        {"log", {{"level", args.count("log") ? args.at("log") : "warn"}}}};
    const std::string& path = args.at("_");
    std::ofstream out(path, std::ios::trunc);
    out << config.dump(2) << "\n";
    out.close();
    ::chmod(path.c_str(), 0600);
    return out ? 0 : 1;
}

struct Request {
    std::string path;
    std::vector<std::string> headers;
    std::string body;
};

std::string form_escape(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') out += static_cast<char>(c);
        else if (c == ' ') out += '+';
        else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

Request slack_signed(const std::string& path, const std::string& body, const std::string& content_type, long long now) {
    std::string ts = std::to_string(now);
    std::string sig = "v0=" + adapters::to_hex(adapters::hmac_sha256(k_slack_secret, "v0:" + ts + ":" + body));
    return {path, {"Content-Type: " + content_type, "X-Slack-Request-Timestamp: " + ts, "X-Slack-Signature: " + sig}, body};
}

Request make_request(const std::string& kind, const bench::Updatable& task, const std::string& chat, long long i,
                     long long now_ms, const std::string& session_webhook) {
    int percent = 1 + static_cast<int>((i * 37) % 98);
    std::string note = "bench " + std::to_string(i);
    long long now = now_ms / 1000;
    if (kind == "slack-commands") {
        std::string body = "token=x&team_id=TBENCH&team_domain=bench&channel_id=" + chat + "&channel_name=launch&user_id=" +
                           task.owner.slack + "&user_name=bench&command=%2Ftrack&text=" +
                           form_escape("update " + task.task_id + " " + std::to_string(percent) + "% " + note) +
                           "&api_app_id=ABENCH&trigger_id=" + std::to_string(i) + ".bench";
        return slack_signed("/slack/commands", body, "application/x-www-form-urlencoded", now);
    }
    if (kind == "slack-events") {
        std::string ts = std::to_string(now) + "." + std::to_string(100000 + i % 900000);
        nlohmann::json event = {
            {"token", "x"}, {"team_id", "TBENCH"}, {"api_app_id", "ABENCH"}, {"type", "event_callback"},
            {"event_id", "EvBENCH" + std::to_string(i)}, {"event_time", now},
            {"event", {{"type", "app_mention"}, {"user", task.owner.slack}, {"channel", chat}, {"ts", ts},
                       {"event_ts", ts},
                       {"text", std::string("<@") + k_slack_bot + "> update " + task.task_id + " " +
                                    std::to_string(percent) + "% " + note}}}};
        return slack_signed("/slack/events", event.dump(), "application/json", now);
    }
    if (kind == "feishu") {
        nlohmann::json mention = {{"key", "@_user_1"}, {"id", {{"open_id", "ou_benchbot"}}}, {"name", "TaskBot"}};
        nlohmann::json event = {
            {"schema", "2.0"},
            {"header", {{"event_id", "evbench" + std::to_string(i)}, {"event_type", "im.message.receive_v1"},
                        {"create_time", std::to_string(now_ms)}, {"token", k_feishu_token}, {"app_id", k_feishu_app},
                        {"tenant_key", "bench"}}},
            {"event",
             {{"sender", {{"sender_id", {{"open_id", task.owner.feishu}}}, {"sender_type", "user"}}},
              {"message",
               {{"message_id", "om_bench" + std::to_string(i)}, {"create_time", std::to_string(now_ms)},
                {"chat_id", chat}, {"chat_type", "group"}, {"message_type", "text"},
                {"content", nlohmann::json{{"text", "@_user_1 " + task.task_id + " 进度 " + std::to_string(percent) +
                                                        "% " + note}}.dump()},
                {"mentions", nlohmann::json::array({mention})}}}}}};
        std::string iv = adapters::random_bytes(16);
        std::string body = nlohmann::json{{"encrypt", adapters::feishu::encrypt_envelope(k_feishu_key, event.dump(), iv)}}.dump();
        std::string ts = std::to_string(now);
        std::string nonce = std::to_string(i);
        std::string sig = adapters::to_hex(adapters::sha256(ts + nonce + k_feishu_key + body));
        return {"/feishu/events",
                {"Content-Type: application/json", "X-Lark-Request-Timestamp: " + ts, "X-Lark-Request-Nonce: " + nonce,
                 "X-Lark-Signature: " + sig},
                body};
    }
    nlohmann::json callback = {
        {"conversationId", chat}, {"msgId", "msgbench" + std::to_string(i)}, {"senderNick", task.owner.name},
        {"isAdmin", false}, {"senderStaffId", task.owner.dingtalk}, {"conversationType", "2"},
        {"sessionWebhookExpiredTime", now_ms + 3600000}, {"createAt", now_ms},
        {"sessionWebhook", session_webhook},
        {"conversationTitle", "项目群"}, {"isInAtList", true}, {"robotCode", "dingbench"}, {"msgtype", "text"},
        {"text", {{"content", " " + task.task_id + " 进度 " + std::to_string(percent) + "% " + note}}}};
    // A pair signs one message (a replayed pair with another body is refused): one ms apart each.
    std::string ts = std::to_string(now_ms - (i % 1000000));
    std::string sign = adapters::base64_encode(adapters::hmac_sha256(k_dingtalk_secret, ts + "\n" + k_dingtalk_secret));
    return {"/dingtalk/events", {"Content-Type: application/json", "timestamp: " + ts, "sign: " + sign},
            callback.dump()};
}

int make_requests(const Args& args) {
    auto shape = shape_of(args);
    const std::string kind = args.at("kind");
    const std::string platform = kind.rfind("slack", 0) == 0 ? "slack" : kind;
    long long count = std::stoll(args.at("count"));
    const bench::RoundRobin order(shape, platform);
    long long now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch()).count();
    long long base = now_ms;  // ids unique across runs against the same database
    // DingTalk answers through the message's sessionWebhook: bench_platforms' session, or nowhere.
    std::string session = args.count("dingtalk-session") ? args.at("dingtalk-session")
                                                         : std::string(k_closed) + "/robot/sendBySession?session=bench";
    std::ofstream out(args.at("_"), std::ios::trunc);
    for (long long i = 0; i < count; ++i) {
        Request request = make_request(kind, order.task(i), order.chat(i), base * 1000 + i, now_ms, session);
        out << request.path << '\t' << request.headers.size();
        for (const auto& header : request.headers) out << '\t' << header;
        out << '\t' << request.body << '\n';
    }
    return out ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: bench_org db|config|requests FILE [options]\n";
        return 2;
    }
    std::string command = argv[1];
    Args args = parse_args(argc, argv, 2);
    try {
        if (command == "db") return make_db(args);
        if (command == "config") return make_config(args);
        if (command == "requests") return make_requests(args);
    } catch (const std::exception& e) {
        std::cerr << "bench_org: " << e.what() << "\n";
        return 1;
    }
    std::cerr << "bench_org: unknown command " << command << "\n";
    return 2;
}
