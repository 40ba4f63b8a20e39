#pragma once
// Signed Slack traffic for the tests that kill the real trackerd binary with SIGKILL
// (integration/crash_test.cpp: one daemon on a SQLite file; integration/cluster_test.cpp: three
// replicas on one PostgreSQL database): the config they run on, the writers (one a client
// thread) and their tasks, one update as an Events API app_mention or a slash command carrying a
// unique marker, signed as Slack signs it, the clients' shared record of what was acknowledged,
// and the checks on what the database and the fake Slack hold at the end.
//
// Thread safety: DeliveryLog is safe for concurrent use (one mutex); the rest are plain values
// and functions.

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/common/crypto.h"
#include "tests/support/fake_slack.h"

namespace testing_support::slack_traffic {

inline constexpr const char* k_secret = "crash-signing-secret-0123456789ab";
inline constexpr const char* k_token = "xoxb-crash-test";
inline constexpr const char* k_bot_user = "U0LAN0Z89";
inline constexpr int k_channels = 256;  // replies are paced 1/s per channel: spread them
// The outbox worker sends to at most this many destinations at once, so one kill can leave at
// most this many rows sent but not yet marked sent.
inline constexpr int k_max_in_flight_per_kill = 8;

inline long long env_number(const char* name, long long fallback) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return fallback;
    return std::strtoll(value, nullptr, 10);
}

inline long long now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

inline std::string channel_id(int index) {
    char id[24];
    std::snprintf(id, sizeof id, "C0CRASH%03d", index);
    return id;
}

// The task each client thread updates, and its owner's Slack id (the demo campaign's owners).
struct Writer {
    std::string task;
    std::string person;
    std::string slack_id;
    bool slash = false;  // slash commands instead of Events API app_mentions
};

inline const std::vector<Writer>& writers() {
    static const std::vector<Writer> k_writers{
        {"T001", "小李", "U0XIAOLI1", true},
        {"T002", "小王", "U0XIAOWA1", false},
        {"T003", "小明", "U061F7AUR", false},
        {"T004", "小张", "U0XIAOZH1", false},
        {"T005", "小陈", "U0XIAOCH1", true},
        {"T003", "小明", "U061F7AUR", false},
        {"T002", "小王", "U0XIAOWA1", false},
        {"T004", "小张", "U0XIAOZH1", true},
    };
    return k_writers;
}

// trackerd's config: `database` a file or a postgresql:// URI, replies to the fake at `api_base`,
// `channels` chats bound to the demo project.
inline std::string config_json(const std::string& database, const std::string& api_base, int channels = k_channels) {
    using nlohmann::json;
    json people = json::array();
    std::set<std::string> listed;
    for (const auto& writer : writers()) {
        if (listed.insert(writer.person).second)
            people.push_back({{"id", writer.person}, {"name", writer.person}, {"slack", writer.slack_id}});
    }
    json chats = json::array();
    for (int i = 0; i < channels; ++i)
        chats.push_back({{"platform", "slack"}, {"chat_id", channel_id(i)}, {"projects", {"P1"}}});
    json config = {
        {"listen", "127.0.0.1:0"},
        {"database", database},
        {"timezone", "Asia/Shanghai"},
        {"people", people},
        {"chats", chats},
        {"slack",
         {{"signing_secret", k_secret}, {"bot_token", k_token}, {"bot_user_id", k_bot_user}, {"api_base", api_base}}},
        // Far above what the clients send: these tests are about durability, not the limits.
        {"limits", {{"commands_per_minute_per_person", 100000}, {"commands_per_minute_per_chat", 100000}}},
        {"log", {{"level", "info"}}},
    };
    return config.dump(2);
}

inline std::string form_encode(const std::string& text) {
    static const char* k_hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

inline std::string sign(const std::string& timestamp, const std::string& body) {
    return "v0=" + adapters::to_hex(adapters::hmac_sha256(k_secret, "v0:" + timestamp + ":" + body));
}

// One update sent as a Slack event or slash command; `marker` is its unique note.
struct Delivery {
    std::string id;  // event_id, or the slash command's trigger_id
    std::string marker;
    std::string channel;
    std::string ts;  // the event's ts: the reply's thread_ts (events only)
    bool slash = false;
    int attempts = 0;
};

// Client `index`'s update number `sequence` (from 1), to one of the first `channels` channels
// picked with `random`. `id_prefix` tells one test's event ids from another's in the logs.
inline Delivery new_delivery(int index, int sequence, std::mt19937_64& random, const std::string& id_prefix,
                             int channels = k_channels) {
    const Writer& writer = writers()[static_cast<size_t>(index)];
    Delivery fresh;
    fresh.marker = "ck-" + std::to_string(index) + "-" + std::to_string(sequence);
    fresh.slash = writer.slash;
    fresh.id = (writer.slash ? "trig." : id_prefix) + std::to_string(index) + "x" + std::to_string(sequence);
    fresh.channel = channel_id(static_cast<int>(random() % static_cast<std::uint64_t>(channels)));
    char ts[40];
    std::snprintf(ts, sizeof ts, "%lld.%06d", now_unix(), index * 100000 + sequence % 100000);
    fresh.ts = ts;
    return fresh;
}

// One HTTP request as Slack sends it: signed now, with X-Slack-Retry-Num from the 2nd attempt.
struct SignedRequest {
    std::string path;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// `delivery` from client `index`'s writer; slash commands name `response_url`.
inline SignedRequest signed_request(int index, const Delivery& delivery, const std::string& response_url) {
    const Writer& writer = writers()[static_cast<size_t>(index)];
    const std::string text = "note " + writer.task + " " + delivery.marker;
    SignedRequest request;
    if (delivery.slash) {
        request.path = "/slack/commands";
        request.content_type = "application/x-www-form-urlencoded";
        request.body = "token=x&team_id=T0CRASH&team_domain=crash&channel_id=" + delivery.channel +
                       "&channel_name=crash&user_id=" + writer.slack_id + "&user_name=" + form_encode(writer.person) +
                       "&command=%2Ftrack&text=" + form_encode(text) + "&api_app_id=A0CRASH" +
                       "&response_url=" + form_encode(response_url) + "&trigger_id=" + delivery.id;
    } else {
        request.path = "/slack/events";
        request.content_type = "application/json";
        request.body = nlohmann::json{{"token", "x"},
                                      {"team_id", "T0CRASH"},
                                      {"api_app_id", "A0CRASH"},
                                      {"event",
                                       {{"type", "app_mention"},
                                        {"user", writer.slack_id},
                                        {"text", std::string("<@") + k_bot_user + "> " + text},
                                        {"ts", delivery.ts},
                                        {"channel", delivery.channel},
                                        {"event_ts", delivery.ts}}},
                                      {"type", "event_callback"},
                                      {"event_id", delivery.id},
                                      {"event_time", now_unix()}}
                           .dump();
    }
    const std::string timestamp = std::to_string(now_unix());
    request.headers = {{"X-Slack-Request-Timestamp", timestamp}, {"X-Slack-Signature", sign(timestamp, request.body)}};
    if (delivery.attempts > 1) {
        request.headers.emplace_back("X-Slack-Retry-Num", std::to_string(delivery.attempts - 1));
        request.headers.emplace_back("X-Slack-Retry-Reason", "http_error");
    }
    return request;
}

// The clients' shared record: every delivery made, which were acknowledged (2xx), what failed.
class DeliveryLog {
public:
    void created(const Delivery& delivery) {
        std::lock_guard lock(m_log_mutex);
        m_all.push_back(delivery);
        ++m_unacked;
    }
    void acked(const Delivery& delivery) {
        std::lock_guard lock(m_log_mutex);
        m_acked.push_back(delivery.marker);
        if (delivery.attempts > 1) ++m_acked_after_resend;
        --m_unacked;
    }
    void duplicate_answered() {
        std::lock_guard lock(m_log_mutex);
        ++m_duplicates_answered;
    }
    // A 5xx or a transport error is expected (a retry follows); anything else is `unexpected`.
    void failed(const std::string& why, bool unexpected) {
        std::lock_guard lock(m_log_mutex);
        ++m_failures;
        if (unexpected && m_unexpected.size() < 20) m_unexpected.push_back(why);
    }

    int duplicates_answered() const {
        std::lock_guard lock(m_log_mutex);
        return m_duplicates_answered;
    }
    std::vector<std::string> acked_markers() const {
        std::lock_guard lock(m_log_mutex);
        return m_acked;
    }
    std::vector<Delivery> deliveries() const {
        std::lock_guard lock(m_log_mutex);
        return m_all;
    }
    int unacked() const {
        std::lock_guard lock(m_log_mutex);
        return m_unacked;
    }
    int failures() const {
        std::lock_guard lock(m_log_mutex);
        return m_failures;
    }
    int acked_after_resend() const {
        std::lock_guard lock(m_log_mutex);
        return m_acked_after_resend;
    }
    std::vector<std::string> unexpected() const {
        std::lock_guard lock(m_log_mutex);
        return m_unexpected;
    }

private:
    mutable std::mutex m_log_mutex;
    std::vector<Delivery> m_all;            // Guarded by m_log_mutex.
    std::vector<std::string> m_acked;       // Guarded by m_log_mutex.
    int m_unacked = 0;                      // Guarded by m_log_mutex.
    int m_failures = 0;                     // Guarded by m_log_mutex.
    int m_acked_after_resend = 0;           // Guarded by m_log_mutex.
    int m_duplicates_answered = 0;          // Guarded by m_log_mutex.
    std::vector<std::string> m_unexpected;  // Guarded by m_log_mutex.
};

// Every acknowledged marker is in `counts` (marker -> entries in the progress log); none is
// there twice. `when` names the moment in failure messages.
inline void expect_acked_applied_once(const std::map<std::string, int>& counts, const std::vector<std::string>& acked,
                                      const std::string& when) {
    int missing = 0;
    for (const auto& marker : acked) {
        if (counts.find(marker) == counts.end() && ++missing <= 5)
            ADD_FAILURE() << when << ": acknowledged " << marker << " is not stored";
    }
    for (const auto& [marker, count] : counts)
        EXPECT_EQ(count, 1) << when << ": " << marker << " applied " << count << " times";
    EXPECT_EQ(missing, 0) << when << ": acknowledged updates lost";
}

struct ReplyTally {
    int events = 0;      // deliveries that were events, each wanting one reply
    int duplicates = 0;  // posts the fake received beyond one per reply
};

// Every event has its reply row (`reply_rows`: dedup_key -> state) sent, and the fake received
// it (`posts`), maybe more than once; no reply row for an event nobody sent.
inline ReplyTally expect_every_reply_sent(const std::vector<Delivery>& deliveries,
                                          const std::map<std::string, std::string>& reply_rows,
                                          const std::vector<SlackPost>& posts) {
    std::map<std::string, int> received;  // thread_ts -> posts
    for (const auto& post : posts) ++received[post.thread_ts];
    ReplyTally tally;
    for (const auto& delivery : deliveries) {
        if (delivery.slash) continue;
        ++tally.events;
        const auto row = reply_rows.find("reply:slack:" + delivery.id);
        if (row == reply_rows.end()) {
            ADD_FAILURE() << "no reply row for " << delivery.id;
            continue;
        }
        EXPECT_EQ(row->second, "sent") << delivery.id;
        const int count = received.count(delivery.ts) ? received[delivery.ts] : 0;
        EXPECT_GE(count, 1) << "the fake never received the reply to " << delivery.id;
        if (count > 1) tally.duplicates += count - 1;
    }
    EXPECT_EQ(static_cast<int>(reply_rows.size()), tally.events) << "reply rows for events nobody sent";
    return tally;
}

}  // namespace testing_support::slack_traffic
