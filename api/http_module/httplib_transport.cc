// The HTTP transport module (libfrontera_http.so): api::HttpTransport on
// cpp-httplib. Loaded by api::LoadHttpTransport.
#include <httplib.h>

#include <cctype>

#include "api/http_transport.h"

namespace frontera::api {
namespace {

class HttplibTransport final : public HttpTransport {
 public:
  HttplibTransport(std::string base_url, int connect_timeout_ms, int read_timeout_ms,
                   size_t answer_bytes_max, const std::string& ca_file)
      : base_url_(std::move(base_url)), answer_bytes_max_(answer_bytes_max), http_(base_url_) {
    // https: the server's certificate chain and name are verified, against
    // ca_file when given, else the system's authorities.
    http_.enable_server_certificate_verification(true);
    if (!ca_file.empty()) http_.set_ca_cert_path(ca_file.c_str());
    http_.set_keep_alive(true);
    // Requests are small and latency-bound: do not let Nagle wait for an ACK.
    http_.set_tcp_nodelay(true);
    http_.set_connection_timeout(connect_timeout_ms / 1000, (connect_timeout_ms % 1000) * 1000);
    http_.set_read_timeout(read_timeout_ms / 1000, (read_timeout_ms % 1000) * 1000);
    http_.set_write_timeout(read_timeout_ms / 1000, (read_timeout_ms % 1000) * 1000);
  }

  bool valid() const { return http_.is_valid(); }

  Result<HttpAnswer> Send(std::string_view method, const std::string& path, const std::string* body,
                          const std::string& content_type, const std::string& accept,
                          const std::map<std::string, std::string>& extra_headers) override {
    httplib::Request request;
    request.method = std::string(method);
    request.path = path;
    if (!accept.empty()) request.headers.emplace("Accept", accept);
    for (const auto& [name, value] : extra_headers) request.headers.emplace(name, value);
    if (method == "POST") {
      request.headers.emplace("Content-Type", content_type);
      request.body = *body;
    }
    // The body is collected here rather than by the library, so that a
    // server sending more than answer_bytes_max is cut off instead of read
    // into memory whole.
    std::string answer_body;
    bool too_long = false;
    request.content_receiver = [&](const char* data, size_t length, uint64_t, uint64_t) {
      if (length > answer_bytes_max_ - answer_body.size()) {
        too_long = true;
        return false;
      }
      answer_body.append(data, length);
      return true;
    };
    httplib::Response response;
    httplib::Error error = httplib::Error::Success;
    const bool sent = http_.send(request, response, error);
    if (too_long) {
      http_.stop();  // the rest of the answer is still on the connection
      return Status::ResourceExhausted("the answer of " + base_url_ + " (" + std::string(method) +
                                       " " + path + ") is longer than " +
                                       std::to_string(answer_bytes_max_) + " bytes");
    }
    if (!sent) {
      return Status::Unavailable("cannot reach " + base_url_ + " (" + std::string(method) + " " +
                                 path + "): " + httplib::to_string(error));
    }
    HttpAnswer answer;
    answer.status = response.status;
    answer.content_type = response.get_header_value("Content-Type");
    for (const auto& [name, value] : response.headers) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, added] = answer.headers.emplace(lower, value);
      if (!added) it->second += ", " + value;
    }
    answer.body = std::move(answer_body);
    return answer;
  }

 private:
  const std::string base_url_;
  const size_t answer_bytes_max_;
  httplib::Client http_;  // keeps the keep-alive connection between calls
};

Result<std::unique_ptr<HttpTransport>> Create(const std::string& base_url, int connect_timeout_ms,
                                              int read_timeout_ms, size_t answer_bytes_max,
                                              const std::string& ca_file) {
  auto transport = std::make_unique<HttplibTransport>(base_url, connect_timeout_ms, read_timeout_ms,
                                                      answer_bytes_max, ca_file);
  if (!transport->valid()) {
    return Status::InvalidArgument("base URL \"" + base_url +
                                   "\" is not usable (https needs TLS support in cpp-httplib)");
  }
  return std::unique_ptr<HttpTransport>(std::move(transport));
}

}  // namespace
}  // namespace frontera::api

// The entry point LoadHttpTransport looks up (kHttpTransportFactorySymbol).
extern "C" {
__attribute__((visibility(
    "default"))) extern const frontera::api::HttpTransportFactory frontera_http_transport_factory;
const frontera::api::HttpTransportFactory frontera_http_transport_factory = &frontera::api::Create;
}
