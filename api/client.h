// Client: a small HTTP client for Frontera's API, used by the CLI and tests.
// Keeps one keep-alive connection. Not thread-safe: one Client per thread.
//
// Non-2xx answers become a Status mapped from the HTTP status (400 →
// kInvalidArgument, 403 → kPermissionDenied, 404 → kNotFound, 409 →
// kAlreadyExists, 413/429 → kResourceExhausted, 422 → kFailedPrecondition,
// 5xx and connection failures → kUnavailable), whose message is the problem's
// title and detail and whose field errors are the problem's `errors`.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/result.h"
#include "crypto/ed25519.h"

namespace frontera::api {

// The longest answer body a client reads by default, and the most any
// ClientOptions may allow: a server is untrusted, and one that streams
// without end must not exhaust this process's memory.
inline constexpr size_t kClientAnswerBytesMaxDefault = 64 << 20;
inline constexpr size_t kClientAnswerBytesMaxLimit = size_t{1} << 30;

struct ClientOptions {
  int connect_timeout_ms = 5000;
  int read_timeout_ms = 30000;
  // An answer body longer than this is not read on: the call fails
  // (kResourceExhausted, naming the limit). 1 to kClientAnswerBytesMaxLimit.
  size_t answer_bytes_max = kClientAnswerBytesMaxDefault;
  // For an https base URL: a PEM file of the certificate authorities to
  // trust (a network's own CA, `--ca-file` / FRONTERA_CA in the CLI). Empty:
  // the system's trusted authorities. The server's certificate is always
  // verified, its name included.
  std::string ca_file;
  // When set, every request is signed with this key (docs/api.md §9).
  std::optional<crypto::KeyPair> signing_key;
};

struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string body;
  // Every header field, names lower-cased; a repeated field's values
  // joined with ", " (RFC 9110 §5.3).
  std::map<std::string, std::string> headers = {};
};

// A JSON answer's value: a 2xx body parsed, else the RFC 9457 problem as a
// Status (StatusFromProblem). A 2xx body that is not JSON is kInternal.
Result<nlohmann::json> JsonOfAnswer(const HttpAnswer& answer);

class Client {
 public:
  // base_url: "http://127.0.0.1:7001" (scheme, host, port; no path).
  static Result<std::unique_ptr<Client>> Create(const std::string& base_url,
                                                const ClientOptions& options = {});
  ~Client();

  // POST `body` as application/json to `path`; the answer's JSON on 2xx.
  Result<nlohmann::json> PostJson(const std::string& path, const nlohmann::json& body);
  // POST raw bytes (for tests of malformed input); any status, no mapping.
  Result<HttpAnswer> PostRaw(const std::string& path, const std::string& body,
                             const std::string& content_type);
  // GET `path` and parse JSON on 2xx.
  Result<nlohmann::json> GetJson(const std::string& path);
  // GET `path` and return the body on 2xx.
  Result<std::string> GetText(const std::string& path);
  // GET with any status, no mapping.
  Result<HttpAnswer> GetRaw(const std::string& path, const std::string& accept = "");

  // Signs every later request as `key` (RFC 9421, docs/api.md §9), so that
  // reads get the full view where the key's party may see it.
  void SetSigningKey(const crypto::KeyPair& key);

  // Percent-encodes one path segment (e.g. a certificate id "urn:uuid:…").
  static std::string EncodePathSegment(const std::string& segment);

 private:
  class Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace frontera::api
