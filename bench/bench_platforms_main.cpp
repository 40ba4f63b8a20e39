// bench_platforms: the three fake platforms of the tests (tests/support/fake_*.h) as one process,
// so that the ingest benchmark's replies and digests are delivered and acknowledged as on a
// working platform (sent once, marked sent) instead of failing and being retried.
//   bench_platforms   prints "slack=URL feishu=URL dingtalk=URL dingtalk_session=URL" (each api_base,
//                     and a DingTalk sessionWebhook the fake accepts), then serves until its
//                     standard input closes.
// The fakes check the bench config's credentials (bench_org config) as the platforms would, and
// keep every message they accept in memory. Real platforms rate-limit far below the ingest
// rates; these do not, which is the point here: the benchmark measures trackerd.

#include <iostream>
#include <string>

#include "tests/support/fake_dingtalk.h"
#include "tests/support/fake_feishu.h"
#include "tests/support/fake_slack.h"

int main() {
    testing_support::FakeSlack slack("xoxb-bench");
    testing_support::FakeFeishu feishu("cli_bench0000000001", "bench");
    testing_support::FakeDingtalk dingtalk("dingbench", "bench-dingtalk-app-secret-0123456789", "dingbench");
    std::cout << "slack=" << slack.api_base() << " feishu=" << feishu.api_base() << " dingtalk=" << dingtalk.base_url()
              << " dingtalk_session=" << dingtalk.session_webhook("bench") << std::endl;
    for (std::string line; std::getline(std::cin, line);) {
    }
    std::cerr << "bench_platforms: accepted slack " << slack.messages().size() << ", feishu " << feishu.messages().size()
              << ", dingtalk " << dingtalk.messages().size() << " messages\n";
    return 0;
}
