#include "api/client.h"

#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <utility>

#include "api/http_transport.h"
#include "api/problem.h"
#include "api/request_signature.h"

namespace frontera::api {
namespace {

using Json = nlohmann::json;

// RFC 3986 §2.3: the unreserved characters, the only ones never encoded.
bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Checks "scheme://host[:port][/]" and returns the form httplib takes
// ("scheme://host[:port]").
Result<std::string> NormalizeBaseUrl(std::string_view url) {
  auto bad = [&url](std::string_view why) {
    return Status::InvalidArgument("base URL \"" + std::string(url) + "\" " + std::string(why) +
                                   "; expected e.g. http://127.0.0.1:7001");
  };
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return bad("has no scheme");
  std::string_view scheme = url.substr(0, sep);
  if (scheme != "http" && scheme != "https") return bad("must use http or https");
  std::string_view authority = url.substr(sep + 3);
  if (authority.ends_with('/')) authority.remove_suffix(1);
  if (authority.empty()) return bad("has no host");
  if (authority.find_first_of("/?#@ ") != std::string_view::npos) {
    return bad("must not have a path, query, user or spaces");
  }
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("has an unterminated IPv6 literal");
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("has text after the IPv6 literal");
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    if (colon == 0) return bad("has no host");
  }
  if (authority.back() == ':') return bad("has an empty port");
  if (!port.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return bad("has an invalid port");
    }
  }
  return std::string(scheme) + "://" + std::string(authority);
}

bool Is2xx(int status) { return status >= 200 && status <= 299; }

}  // namespace

Result<Json> JsonOfAnswer(const HttpAnswer& answer) {
  if (!Is2xx(answer.status)) return StatusFromProblem(answer.status, answer.body);
  Json parsed = Json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status::Internal("the server answered " + std::to_string(answer.status) +
                            " with a body that is not JSON (Content-Type \"" + answer.content_type +
                            "\")");
  }
  return parsed;
}

// The transport lives in a module loaded on first use (http_transport.h):
// programs that never touch the network do not pay for loading cpp-httplib
// and OpenSSL at start-up.
class Client::Impl {
 public:
  explicit Impl(std::unique_ptr<HttpTransport> transport) : transport_(std::move(transport)) {}

  Result<HttpAnswer> Send(std::string_view method, const std::string& path, const std::string* body,
                          const std::string& content_type, const std::string& accept) {
    if (path.empty() || path.front() != '/') {
      return Status::InvalidArgument("request path \"" + path + "\" must start with \"/\"");
    }
    std::map<std::string, std::string> headers;
    if (key_) {
      const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      headers = SignRequest(*key_, method, path, body != nullptr ? *body : std::string(), now_s,
                            RandomNonce());
    }
    return transport_->Send(method, path, body, content_type, accept, headers);
  }

  void SetSigningKey(const crypto::KeyPair& key) { key_ = key; }

 private:
  std::optional<crypto::KeyPair> key_;        // signs each request when set
  std::unique_ptr<HttpTransport> transport_;  // keeps the keep-alive connection between calls
};

Result<std::unique_ptr<Client>> Client::Create(const std::string& base_url,
                                               const ClientOptions& options) {
  if (options.connect_timeout_ms <= 0 || options.read_timeout_ms <= 0) {
    return Status::InvalidArgument("client timeouts must be positive milliseconds");
  }
  if (options.answer_bytes_max == 0 || options.answer_bytes_max > kClientAnswerBytesMaxLimit) {
    return Status::InvalidArgument(
        "answer_bytes_max = " + std::to_string(options.answer_bytes_max) + " is outside [1, " +
        std::to_string(kClientAnswerBytesMaxLimit) + "]");
  }
  FRONTERA_ASSIGN_OR_RETURN(std::string normalized, NormalizeBaseUrl(base_url));
  FRONTERA_ASSIGN_OR_RETURN(HttpTransportFactory factory, LoadHttpTransport());
  FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<HttpTransport> transport,
                            factory(normalized, options.connect_timeout_ms, options.read_timeout_ms,
                                    options.answer_bytes_max, options.ca_file));
  auto client = std::unique_ptr<Client>(new Client(std::make_unique<Impl>(std::move(transport))));
  if (options.signing_key) client->SetSigningKey(*options.signing_key);
  return client;
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
void Client::SetSigningKey(const crypto::KeyPair& key) { impl_->SetSigningKey(key); }
Client::~Client() = default;

Result<nlohmann::json> Client::PostJson(const std::string& path, const nlohmann::json& body) {
  std::string text;
  try {
    text = body.dump();
  } catch (const Json::exception& e) {
    return Status::InvalidArgument(std::string("the document cannot be sent as JSON: ") + e.what());
  }
  FRONTERA_ASSIGN_OR_RETURN(
      HttpAnswer answer, impl_->Send("POST", path, &text, "application/json", "application/json"));
  return JsonOfAnswer(answer);
}

Result<HttpAnswer> Client::PostRaw(const std::string& path, const std::string& body,
                                   const std::string& content_type) {
  return impl_->Send("POST", path, &body, content_type, "");
}

Result<nlohmann::json> Client::GetJson(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(HttpAnswer answer,
                            impl_->Send("GET", path, nullptr, "", "application/json"));
  return JsonOfAnswer(answer);
}

Result<std::string> Client::GetText(const std::string& path) {
  FRONTERA_ASSIGN_OR_RETURN(HttpAnswer answer, impl_->Send("GET", path, nullptr, "", ""));
  if (!Is2xx(answer.status)) return StatusFromProblem(answer.status, answer.body);
  return std::move(answer.body);
}

Result<HttpAnswer> Client::GetRaw(const std::string& path, const std::string& accept) {
  return impl_->Send("GET", path, nullptr, "", accept);
}

std::string Client::EncodePathSegment(const std::string& segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size());
  for (char c : segment) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      // RFC 3986 §2.1: uppercase hex digits.
      auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
  }
  return out;
}

}  // namespace frontera::api
