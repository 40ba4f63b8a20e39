#pragma once
// A small blocking HTTP(S) client for talking to the chat platforms (Slack, Feishu, DingTalk).
// Transport failures (connection refused, timeout, TLS) are errors (ErrorCode::upstream, the
// message says which); an HTTP error status is not: the response comes back for the caller's
// adapter to judge. Request bodies and header values are never logged or put in error messages,
// and URLs appear in messages only as scheme://host:port, because webhook URLs carry secrets.
//
// Thread safety: safe for concurrent use. Every call opens its own connection; the object only
// holds immutable options.

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace bot {

struct HttpResponse {
    int status = 0;
    std::multimap<std::string, std::string> headers;  // names lower-cased
    std::string body;

    // The first value of header `name` (any case), or "" when absent.
    std::string header(std::string_view name) const;
};

struct HttpClientOptions {
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds read_timeout{10000};
    std::string ca_cert_path;  // PEM bundle for https; empty = the system's trust store
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options = {});

    core::Result<HttpResponse> post(const std::string& url, const HttpHeaders& headers,
                                    std::string_view body, std::string_view content_type);
    core::Result<HttpResponse> get(const std::string& url, const HttpHeaders& headers);

    const HttpClientOptions& options() const { return m_options; }

private:
    HttpClientOptions m_options;
};

// "https://hooks.slack.com/services/T/B/X?x=1" -> "https://hooks.slack.com/…": fit to log.
// Text that is not a URL comes back unchanged (a channel id such as "C123").
std::string redact_url(std::string_view url_or_id);

}  // namespace bot
