// HttpClient over cpp-httplib. The only file in bot/ that sends HTTP requests.

#include "bot/net/http_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <exception>
#include <functional>

#include "adapters/common/form.h"
#include "core/text.h"

namespace bot {
namespace {


// What went wrong, in words an operator can act on.
std::string describe(httplib::Error error) {
    switch (error) {
    case httplib::Error::Connection:
        return "connection refused or host unreachable";
    case httplib::Error::ConnectionTimeout:
        return "connect timed out";
    case httplib::Error::Read:
        return "read failed or timed out waiting for the response";
    case httplib::Error::Write:
        return "write failed while sending the request";
    case httplib::Error::SSLConnection:
        return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts:
        return "TLS: could not load CA certificates";
    case httplib::Error::SSLServerVerification:
        return "TLS: server certificate verification failed";
    case httplib::Error::BindIPAddress:
        return "could not bind the local address";
    case httplib::Error::Canceled:
        return "request canceled";
    case httplib::Error::Compression:
        return "response decompression failed";
    default:
        return "transport error (" + httplib::to_string(error) + ")";
    }
}

using Call = std::function<httplib::Result(httplib::Client&, const std::string& path,
                                           const httplib::Headers& headers)>;

core::Result<HttpResponse> perform(const HttpClientOptions& options, std::string_view method,
                                   const std::string& url, const HttpHeaders& headers,
                                   const Call& call) {
    const auto parts = adapters::split_url(url);
    if (!parts) {
        return core::make_error(core::ErrorCode::invalid_argument,
                                std::string(method) + ": not an http(s) URL: " + redact_url(url));
    }
    const std::string where = std::string(method) + " " + parts->base;
    try {
        httplib::Client client(parts->base);
        if (!client.is_valid()) {
            return core::make_error(core::ErrorCode::invalid_argument, where + ": unusable URL");
        }
        client.set_connection_timeout(options.connect_timeout);
        client.set_read_timeout(options.read_timeout);
        client.set_write_timeout(options.read_timeout);
        client.set_follow_location(false);
        // The request line and headers go out before the body: with Nagle's algorithm the body
        // waited for the server's delayed ACK of the first segment, ~40 ms per request.
        client.set_tcp_nodelay(true);
        if (!options.ca_cert_path.empty()) client.set_ca_cert_path(options.ca_cert_path);

        httplib::Headers request_headers;
        for (const auto& [name, value] : headers) request_headers.emplace(name, value);

        httplib::Result result = call(client, parts->path_and_query, request_headers);
        if (!result) {
            return core::make_error(core::ErrorCode::upstream, where + ": " + describe(result.error()));
        }
        HttpResponse response;
        response.status = result->status;
        response.body = std::move(result->body);
        for (const auto& [name, value] : result->headers) response.headers.emplace(core::lower_ascii(name), value);
        return response;
    } catch (const std::exception& e) {
        return core::make_error(core::ErrorCode::internal, where + ": " + e.what());
    } catch (...) {
        return core::make_error(core::ErrorCode::internal, where + ": unknown exception");
    }
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    const auto it = headers.find(core::lower_ascii(name));
    return it == headers.end() ? std::string() : it->second;
}

HttpClient::HttpClient(HttpClientOptions options) : m_options(std::move(options)) {}

core::Result<HttpResponse> HttpClient::post(const std::string& url, const HttpHeaders& headers,
                                            std::string_view body, std::string_view content_type) {
    const std::string type(content_type);
    return perform(m_options, "POST", url, headers,
                   [&](httplib::Client& client, const std::string& path, const httplib::Headers& h) {
                       return client.Post(path, h, body.data(), body.size(), type);
                   });
}

core::Result<HttpResponse> HttpClient::get(const std::string& url, const HttpHeaders& headers) {
    return perform(m_options, "GET", url, headers,
                   [](httplib::Client& client, const std::string& path, const httplib::Headers& h) {
                       return client.Get(path, h);
                   });
}

std::string redact_url(std::string_view url_or_id) {
    const auto parts = adapters::split_url(url_or_id);
    if (!parts) {
        // Something URL-like that does not parse may still hold a secret.
        return url_or_id.find("://") == std::string_view::npos ? std::string(url_or_id) : "(url)";
    }
    if (parts->path_and_query == "/") return parts->base;
    return parts->base + "/…";
}

}  // namespace bot
