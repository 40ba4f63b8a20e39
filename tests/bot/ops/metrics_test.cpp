// The metrics registry's text format, and how trackerd's metrics classify what they count.

#include "bot/ops/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "adapters/common/crypto.h"
#include "adapters/dingtalk/dingtalk.h"
#include "adapters/slack/slack.h"
#include "bot/ops/daemon_metrics.h"
#include "tests/support/prometheus_text.h"

namespace {

using testing_support::check_exposition_format;
using testing_support::sample_value;

TEST(MetricsTest, ACounterRendersHelpTypeAndItsSamplesWithTheTotalSuffix) {
    bot::MetricsRegistry registry;
    auto& requests = registry.counter("requests", "Requests by platform.", {"platform"});
    requests.with({"slack"}).inc(2);
    requests.with({"feishu"}).inc();
    EXPECT_EQ(registry.render(),
              "# HELP trackerd_requests_total Requests by platform.\n"
              "# TYPE trackerd_requests_total counter\n"
              "trackerd_requests_total{platform=\"feishu\"} 1\n"
              "trackerd_requests_total{platform=\"slack\"} 2\n");
}

TEST(MetricsTest, LabelValuesEscapeQuotesBackslashesAndNewlines) {
    bot::MetricsRegistry registry;
    registry.counter("odd", "Odd labels.", {"value"}).with({"a\"b\\c\nd"}).inc();
    std::string text = registry.render();
    EXPECT_NE(text.find("trackerd_odd_total{value=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
    EXPECT_EQ(check_exposition_format(text), "");
}

TEST(MetricsTest, HelpTextEscapesBackslashesAndNewlinesButNotQuotes) {
    EXPECT_EQ(bot::escape_help("a \"b\" c\\d\ne"), "a \"b\" c\\\\d\\ne");
}

TEST(MetricsTest, GaugesRenderWholeNumbersPlainAndFractionsNaNAndInfinitiesAsPrometheusSpellsThem) {
    bot::MetricsRegistry registry;
    auto& gauge = registry.gauge("level", "A level.", {"which"});
    gauge.with({"whole"}).set(3);
    gauge.with({"fraction"}).set(0.25);
    gauge.with({"nan"}).set(std::numeric_limits<double>::quiet_NaN());
    gauge.with({"inf"}).set(std::numeric_limits<double>::infinity());
    gauge.with({"negative"}).set(-7);
    std::string text = registry.render();
    EXPECT_NE(text.find("# TYPE trackerd_level gauge\n"), std::string::npos);
    EXPECT_EQ(sample_value(text, "trackerd_level{which=\"whole\"}"), 3);
    EXPECT_NE(text.find("trackerd_level{which=\"whole\"} 3\n"), std::string::npos);
    EXPECT_NE(text.find("trackerd_level{which=\"fraction\"} 0.25\n"), std::string::npos);
    EXPECT_NE(text.find("trackerd_level{which=\"nan\"} NaN\n"), std::string::npos);
    EXPECT_NE(text.find("trackerd_level{which=\"inf\"} +Inf\n"), std::string::npos);
    EXPECT_NE(text.find("trackerd_level{which=\"negative\"} -7\n"), std::string::npos);
    EXPECT_EQ(check_exposition_format(text), "");
}

TEST(MetricsTest, AFamilyWithoutLabelsRendersABareSampleAndOneWithNoChildrenOnlyItsHeader) {
    bot::MetricsRegistry registry;
    registry.gauge("start_time_seconds", "Start.").get().set(1700000000);
    registry.counter("never", "Never counted.", {"kind"});
    EXPECT_EQ(registry.render(),
              "# HELP trackerd_start_time_seconds Start.\n"
              "# TYPE trackerd_start_time_seconds gauge\n"
              "trackerd_start_time_seconds 1700000000\n"
              "# HELP trackerd_never_total Never counted.\n"
              "# TYPE trackerd_never_total counter\n");
}

TEST(MetricsTest, AChildIsTheSameObjectEveryTimeItsLabelsAreAskedFor) {
    bot::MetricsRegistry registry;
    auto& family = registry.counter("things", "Things.", {"a", "b"});
    bot::Counter& first = family.with({"x", "y"});
    for (int i = 0; i < 50; ++i) family.with({"x", std::to_string(i)}).inc();  // rebalance the map
    EXPECT_EQ(&family.with({"x", "y"}), &first);
}

TEST(MetricsTest, IncrementsFromManyThreadsAreAllCounted) {
    bot::MetricsRegistry registry;
    auto& family = registry.counter("hits", "Hits.", {"platform"});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&family, t] {
            for (int i = 0; i < 10000; ++i) family.with({t % 2 == 0 ? "slack" : "feishu"}).inc();
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(family.with({"slack"}).value(), 20000);
    EXPECT_EQ(family.with({"feishu"}).value(), 20000);
}

TEST(MetricsTest, AMirroredCounterNeverGoesBackwards) {
    bot::Counter counter;
    counter.advance_to(5);
    counter.advance_to(3);
    EXPECT_EQ(counter.value(), 5);
}

TEST(DaemonMetricsTest, EverySeriesIsWellFormedAndNamedWithTheTrackerdPrefix) {
    bot::DaemonMetrics metrics("0.1.0 (git abc)", 1700000000);
    metrics.count_request("slack", bot::RequestOutcome::ok);
    metrics.count_command("progress", "applied");
    metrics.count_rule_firing(core::Rule::r1_late);
    metrics.count_scheduler_push("digest", 2);
    metrics.set_outbox({3, 10, 1, 42});
    std::string text = metrics.render();
    EXPECT_EQ(check_exposition_format(text), "") << text;
    EXPECT_EQ(sample_value(text, "trackerd_build_info{version=\"0.1.0 (git abc)\"}"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_process_start_time_seconds"), 1700000000);
    EXPECT_EQ(sample_value(text, "trackerd_inbound_requests_total{platform=\"slack\",outcome=\"ok\"}"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_rule_firings_total{rule=\"R1\"}"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_scheduler_pushes_total{kind=\"digest\"}"), 2);
    EXPECT_EQ(sample_value(text, "trackerd_outbox_messages{state=\"pending\"}"), 3);
    EXPECT_EQ(sample_value(text, "trackerd_outbox_oldest_pending_age_seconds"), 42);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::string name = line.rfind("# ", 0) == 0 ? line.substr(7) : line;
        EXPECT_EQ(name.rfind("trackerd_", 0), 0u) << line;
    }
}

TEST(DaemonMetricsTest, SendFailuresAreClassedAsRateLimitedTransientRejectedOrGaveUp) {
    bot::DaemonMetrics metrics("v", 0);
    bot::SendOutcome limited{bot::SendOutcome::Kind::retry, "", "429", 30};
    bot::SendOutcome transient{bot::SendOutcome::Kind::retry, "", "503", 0};
    bot::SendOutcome dead{bot::SendOutcome::Kind::dead, "", "channel_not_found", 0};
    bot::SendOutcome sent{bot::SendOutcome::Kind::sent, "123.4", "", 0};
    metrics.count_send("slack", limited, false);
    metrics.count_send("slack", transient, false);
    metrics.count_send("slack", transient, true);
    metrics.count_send("dingtalk", dead, false);
    metrics.count_send("feishu", sent, false);
    std::string text = metrics.render();
    auto failures = [&](const char* platform, const char* reason) {
        return sample_value(text, std::string("trackerd_outbox_send_failures_total{platform=\"") + platform +
                                      "\",reason=\"" + reason + "\"}");
    };
    EXPECT_EQ(failures("slack", "rate_limited"), 1);
    EXPECT_EQ(failures("slack", "transient"), 1);
    EXPECT_EQ(failures("slack", "gave_up"), 1);
    EXPECT_EQ(failures("dingtalk", "rejected"), 1);
    EXPECT_EQ(sample_value(text, "trackerd_outbox_sent_total{platform=\"feishu\"}"), 1);
}

// Pins the wording refusal_outcome relies on to the adapters' real errors.
TEST(DaemonMetricsTest, ARefusalForTheRequestsAgeIsStaleAndAnyOtherIsASignatureRefusal) {
    const std::string secret = "test-signing-secret-0123456789ab";
    const std::string body = "{}";
    auto slack_sign = [&](long long ts) {
        return "v0=" + adapters::to_hex(adapters::hmac_sha256(secret, "v0:" + std::to_string(ts) + ":" + body));
    };
    const long long now = 1700000000;
    auto stale = adapters::slack::verify_request(secret, std::to_string(now - 301), slack_sign(now - 301), body, now);
    auto ahead = adapters::slack::verify_request(secret, std::to_string(now + 301), slack_sign(now + 301), body, now);
    auto forged = adapters::slack::verify_request(secret, std::to_string(now), "v0=00", body, now);
    auto unsigned_request = adapters::slack::verify_request(secret, "", "", body, now);
    ASSERT_FALSE(stale);
    ASSERT_FALSE(ahead);
    ASSERT_FALSE(forged);
    ASSERT_FALSE(unsigned_request);
    EXPECT_EQ(bot::refusal_outcome(stale.error()), bot::RequestOutcome::refused_stale) << stale.error().message;
    EXPECT_EQ(bot::refusal_outcome(ahead.error()), bot::RequestOutcome::refused_stale) << ahead.error().message;
    EXPECT_EQ(bot::refusal_outcome(forged.error()), bot::RequestOutcome::refused_signature);
    EXPECT_EQ(bot::refusal_outcome(unsigned_request.error()), bot::RequestOutcome::refused_signature);

    const long long now_ms = now * 1000;
    auto old = adapters::dingtalk::verify_callback("app-secret", std::to_string(now_ms - 3601 * 1000LL), "sign", now_ms,
                                                   3600 * 1000LL);
    auto wrong = adapters::dingtalk::verify_callback("app-secret", std::to_string(now_ms), "bad-sign", now_ms,
                                                     3600 * 1000LL);
    ASSERT_FALSE(old);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(bot::refusal_outcome(old.error()), bot::RequestOutcome::refused_stale) << old.error().message;
    EXPECT_EQ(bot::refusal_outcome(wrong.error()), bot::RequestOutcome::refused_signature) << wrong.error().message;
}

TEST(DaemonMetricsTest, AReplysStatusGivesTheOutcomeWhenTheHandlerNotedNone) {
    EXPECT_EQ(bot::outcome_of_status(200), bot::RequestOutcome::ok);
    EXPECT_EQ(bot::outcome_of_status(400), bot::RequestOutcome::bad_request);
    EXPECT_EQ(bot::outcome_of_status(413), bot::RequestOutcome::bad_request);
    EXPECT_EQ(bot::outcome_of_status(401), bot::RequestOutcome::refused_signature);
    EXPECT_EQ(bot::outcome_of_status(503), bot::RequestOutcome::error);
}

}  // namespace
