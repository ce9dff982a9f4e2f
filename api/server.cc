// HttpServer: the Boost.Beast wiring and the handlers. Routing and
// parameter parsing are in api/routes.h, the resolver's pages in
// api/resolver_page.h, the Prometheus text in api/metrics.h.
//
// One I/O thread accepts, reads and writes every connection (Asio, event
// driven): a slow or idle client costs a socket and a buffer, never a thread.
// A request read whole (headers and body, under one deadline) is handed to a
// pool of `threads` workers, which make the blocking Backend call; the answer
// is written back on the I/O thread. Why not cpp-httplib: docs/security.md
// ("Abuse limits").
#include "api/server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/client.h"
#include "api/epcis_query.h"
#include "api/label_image.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/option_check.h"
#include "api/problem.h"
#include "api/rate_limit.h"
#include "api/request_signature.h"
#include "api/resolver_page.h"
#include "api/response_signature.h"
#include "api/routes.h"
#include "api/vrs.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/encoding.h"
#include "common/mutex.h"
#include "crypto/json.h"

namespace frontera::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";
constexpr std::string_view kSvgContentType = "image/svg+xml";
constexpr std::string_view kPngContentType = "image/png";
// A certificate's label never changes once issued; five minutes bounds how
// long a shared cache can serve an image of a mistaken route or backend.
constexpr std::string_view kLabelImageCacheControl = "public, max-age=300";
// The verdict changes with the ledger (a revocation, a new event): a cache
// must ask again each time.
constexpr std::string_view kResolverCacheControl = "no-cache";
// C2SP tlog-tiles (docs/api.md#13-transparency-log-tiles): a full tile or
// bundle never changes, so caches keep it; a partial one's bytes never change
// either, but the spec lets a log drop it once the full one exists, so it is
// kept briefly; the checkpoint moves with every co-signed tree ("SHOULD
// prevent caching beyond a few seconds"). Entry bundles hold the documents
// and go to agencies only: no shared cache may store them.
constexpr std::string_view kOctetStreamContentType = "application/octet-stream";
constexpr std::string_view kFullTileCacheControl = "public, max-age=31536000, immutable";
constexpr std::string_view kPartialTileCacheControl = "public, max-age=60";
constexpr std::string_view kFullBundleCacheControl = "private, max-age=31536000, immutable";
constexpr std::string_view kPartialBundleCacheControl = "private, max-age=60";
constexpr std::string_view kTlogCheckpointCacheControl = "no-cache";
// The resolver's answers depend on both (docs/api.md#resolver).
constexpr std::string_view kResolverVary = "Accept, Accept-Language";

// The request header that picks a read's consistency (docs/api.md#read-consistency).
constexpr std::string_view kConsistencyHeader = "Frontera-Consistency";

// Longest request target served; longer ones are answered 414 (the ids in
// paths are at most 256 bytes, docs/api.md).
constexpr size_t kTargetBytesMax = 8192;

std::string LowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One request, read whole. This is the single place where everything a
// request carries is available before dispatch: method, target, headers
// (names lower-cased) and body.
struct Request {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // repeated fields joined with ", "
  std::string body;
  std::string remote_address;
  SteadyClock::time_point read_at;  // when the last byte of the request arrived

  // "" when absent. `name` in any case.
  std::string get_header_value(std::string_view name) const {
    auto it = headers.find(LowerCase(name));
    return it == headers.end() ? std::string() : it->second;
  }
};

// One answer; framing (Content-Length, Connection) is added when it is
// written.
struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string_view name, std::string_view value) {
    for (auto& [n, v] : headers) {
      if (LowerCase(n) == LowerCase(name)) {
        v = value;
        return;
      }
    }
    headers.emplace_back(name, value);
  }
  std::string get_header_value(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (LowerCase(n) == LowerCase(name)) return v;
    }
    return "";
  }
  void set_content(std::string content, std::string_view content_type) {
    body = std::move(content);
    set_header("Content-Type", content_type);
  }
};

// The wire form of `res`. A HEAD answer keeps the Content-Length of the body
// it omits (RFC 9110 §9.3.2).
std::string Serialize(const Response& res, bool head_request, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(res.status) + " ";
  out += std::string(http::obsolete_reason(static_cast<http::status>(res.status)));
  out += "\r\n";
  for (const auto& [name, value] : res.headers) {
    const std::string lower = LowerCase(name);
    if (lower == "content-length" || lower == "connection") continue;
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(res.body.size()) + "\r\n";
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  if (!head_request) out += res.body;
  return out;
}

// Methods of RFC 9110 §9 (and PATCH): any other token is a malformed request.
bool KnownMethod(std::string_view method) {
  static constexpr std::string_view kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                  "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  return std::find(std::begin(kMethods), std::end(kMethods), method) != std::end(kMethods);
}

std::string Base64(const crypto::Hash& hash) { return Base64Encode(ByteView(hash)); }

Json ReceiptJson(const Receipt& receipt) {
  return Json{{"id", receipt.id},
              {"status", receipt.status},
              {"ledger",
               {{"leaf_index", receipt.leaf_index},
                {"leaf_hash", Base64(receipt.leaf_hash)},
                {"block", receipt.block_height}}}};
}

Json HashesJson(const std::vector<crypto::Hash>& hashes) {
  Json out = Json::array();
  for (const crypto::Hash& h : hashes) out.push_back(Base64(h));
  return out;
}

// nlohmann throws on a string that is not UTF-8; a Backend answering with
// one is a bug on the node's side, reported as 500 rather than a crash.
Result<std::string> DumpJson(const Json& json) {
  try {
    return json.dump();
  } catch (const Json::exception& e) {
    return Status::Internal(std::string("the node produced JSON that cannot be encoded: ") +
                            e.what());
  }
}

void SendProblem(Response& res, const Problem& problem) {
  res.status = problem.status;
  res.set_content(problem.ToJsonText(), kProblemContentType);
  // RFC 9110 §10.2.3: tell a client when a retry is worth it.
  if (problem.status == 503 || problem.status == 429) res.set_header("Retry-After", "1");
}

void SendStatus(Response& res, const Status& status, InputKind input) {
  SendProblem(res, ProblemFromStatus(status, input));
}

void SendJson(Response& res, int http_status, const Json& body) {
  Result<std::string> text = DumpJson(body);
  if (!text.ok()) {
    SendStatus(res, text.status(), InputKind::kParameters);
    return;
  }
  res.status = http_status;
  res.set_content(*text, kJsonContentType);
}

void SendMethodNotAllowed(Response& res, const RouteSpec& spec, std::string_view method) {
  SendProblem(
      res, ProblemForHttpStatus(405, std::string(method) + " is not allowed on " +
                                         std::string(spec.pattern) + "; use " + AllowHeader(spec)));
  // RFC 9110 §15.5.6: a 405 must list the methods the resource supports.
  res.set_header("Allow", AllowHeader(spec));
}

void SendNotFound(Response& res, std::string_view path) {
  SendProblem(res, ProblemForHttpStatus(404, "no resource at " + std::string(path.substr(0, 512)) +
                                                 "; the API's paths are listed in docs/api.md"));
}

// A route of the other listener (docs/api.md "Listeners").
void SendNotOnThisListener(Response& res, const RouteSpec& spec, Surface surface) {
  if (surface == Surface::kPublic) {
    SendProblem(res, Problem{ProblemType::kOperationalEndpoint,
                             404,
                             std::string(spec.pattern) +
                                 " is served on the node's operational listener ([ops] host and "
                                 "port), not on the public API",
                             {}});
    return;
  }
  SendProblem(res,
              ProblemForHttpStatus(
                  404, std::string(spec.pattern) +
                           " is served by the public API; the operational "
                           "listener serves /healthz, /v1/status, /metrics and POST /v1/backup"));
}

// The server's certificate chain and key (PEM), TLS 1.2 or later only.
Result<std::unique_ptr<asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                           const std::string& key_file) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                       asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  beast::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return Status::IOError("cannot load tls_cert_file " + cert_file + ": " + ec.message() +
                           " (a PEM certificate chain, the server's first)");
  }
  context->use_private_key_file(key_file, asio::ssl::context::pem, ec);
  if (ec) {
    return Status::IOError("cannot load tls_key_file " + key_file + ": " + ec.message() +
                           " (a PEM private key matching tls_cert_file)");
  }
  return context;
}

}  // namespace

// ---------------------------------------------------------------------------

Status ServerOptions::Validate() const {
  std::vector<FieldError> errors;
  auto check = [&errors](std::string_view field, long long value, long long low, long long high) {
    CheckOptionRange(errors, field, value, low, high);
  };
  if (host.empty()) errors.push_back({"/host", "host must name an address to bind"});
  check("port", port, 0, 65535);
  check("body_bytes_max", static_cast<long long>(body_bytes_max), 1024, 64LL << 20);
  check("json_depth_max", static_cast<long long>(json_depth_max), 1, 256);
  check("threads", static_cast<long long>(threads), 1, 4096);
  check("keep_alive_max_count", keep_alive_max_count, 1, 1'000'000);
  check("keep_alive_timeout_s", keep_alive_timeout_s, 1, 3600);
  check("request_timeout_s", request_timeout_s, 1, 3600);
  check("header_bytes_max", static_cast<long long>(header_bytes_max), 1024, 1 << 20);
  check("connections_max", static_cast<long long>(connections_max), 1, 1'000'000);
  check("connections_per_address_max", static_cast<long long>(connections_per_address_max), 1,
        static_cast<long long>(std::max<size_t>(connections_max, 1)));
  check("requests_pending_max", static_cast<long long>(requests_pending_max), 1, 1'000'000);
  check("listen_backlog", listen_backlog, 1, 65535);
  if (tls_cert_file.empty() != tls_key_file.empty()) {
    errors.push_back({tls_cert_file.empty() ? "/tls_cert_file" : "/tls_key_file",
                      "tls_cert_file and tls_key_file are set together (HTTPS) or not at all"});
  }
  check("rate_per_address_per_s", rate_per_address_per_s, 1, 1'000'000);
  check("rate_burst_per_address", rate_burst_per_address, 1, 1'000'000);
  check("rate_addresses_max", static_cast<long long>(rate_addresses_max), 1, 10'000'000);
  check("rate_per_key_per_s", rate_per_key_per_s, 1, 1'000'000);
  check("rate_burst_per_key", rate_burst_per_key, 1, 1'000'000);
  if (Status s = signatures.Validate(); !s.ok()) {
    for (const FieldError& e : s.field_errors()) errors.push_back(e);
  }
  if (errors.empty()) return Status::Ok();
  std::string message = "invalid HTTP server options:";
  for (const FieldError& e : errors) message += " " + e.reason + ";";
  message.pop_back();
  return Status::InvalidArgument(message, std::move(errors));
}

class HttpServer::Impl {
 public:
  Impl(Backend* backend, ServerOptions options)
      : backend_(backend),
        options_(std::move(options)),
        address_rate_(options_.rate_per_address_per_s, options_.rate_burst_per_address,
                      options_.rate_addresses_max),
        key_rate_(options_.rate_per_key_per_s, options_.rate_burst_per_key,
                  options_.rate_addresses_max),
        verifier_(options_.signatures),
        pool_(options_.threads) {}

  ~Impl() { Stop(); }

  Status Start() {
    FRONTERA_CHECK(!started_) << "HttpServer::Start called twice";
    started_ = true;
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    auto fail = [&where](const std::string& why) {
      return Status::IOError("cannot listen on " + where + ": " + why +
                             " (check the host and that the port is free)");
    };
    if (!options_.tls_cert_file.empty()) FRONTERA_RETURN_IF_ERROR(LoadTls());
    beast::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port),
                                      tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (ec || endpoints.empty()) return fail(ec ? ec.message() : "address not usable");
    const tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor_.open(endpoint.protocol(), ec);
    // SO_REUSEADDR only (never SO_REUSEPORT, which would let a second node
    // share the port silently): a restart may bind while old sockets linger
    // in TIME_WAIT.
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(options_.listen_backlog, ec);
    if (ec) {
      acceptor_.close();
      return fail(ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    io_thread_ = std::thread([this] { io_.run(); });
    return Status::Ok();
  }

  Status LoadTls() {
    FRONTERA_ASSIGN_OR_RETURN(tls_, MakeTlsContext(options_.tls_cert_file, options_.tls_key_file));
    return Status::Ok();
  }

  int port() const {
    FRONTERA_CHECK(port_ > 0) << "HttpServer::port() before a successful Start()";
    return port_;
  }

  void Stop() {
    if (!io_thread_.joinable()) return;
    // Stop accepting and close every connection that is not waiting for a
    // worker; those finish their Backend call and are closed after it.
    asio::post(io_, [this] {
      stopping_ = true;
      beast::error_code ignored;
      acceptor_.close(ignored);
      CloseIdleConnections();
    });
    pool_.join();
    // Every Backend call has returned; the last answers are being written.
    // Close what is idle again and give those writes a bounded moment.
    asio::post(io_, [this] { CloseIdleConnections(); });
    {
      MutexLock lock(mu_);
      cv_.wait_for(lock.native(), std::chrono::seconds(2),
                   [this]() REQUIRES(mu_) { return connections_ == 0; });
    }
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

 private:
  // What Stop needs of a connection, whatever its stream.
  class ConnectionBase {
   public:
    virtual ~ConnectionBase() = default;
    virtual void CloseUnlessBusy() = 0;
  };
  template <class Stream>
  class Connection;
  using PlainConnection = Connection<beast::tcp_stream>;
  using TlsConnection = Connection<beast::ssl_stream<beast::tcp_stream>>;

  // Only the I/O thread calls these.
  void Accept() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || stopping_) return;
      if (ec) {
        // Out of descriptors or memory: try again shortly rather than spin.
        accept_retry_.expires_after(std::chrono::milliseconds(100));
        accept_retry_.async_wait([this](beast::error_code wait_ec) {
          if (!wait_ec && !stopping_) Accept();
        });
        return;
      }
      OnAccepted(std::move(socket));
      Accept();
    });
  }

  void OnAccepted(tcp::socket socket);
  void CloseIdleConnections();

  // Any thread (a Connection is destroyed where its last owner lets go).
  void ConnectionClosed(const std::string& address) {
    MutexLock lock(mu_);
    auto it = connections_by_address_.find(address);
    if (it != connections_by_address_.end() && --it->second == 0) {
      connections_by_address_.erase(it);
    }
    --connections_;
    cv_.notify_all();
  }

  // Admission of a request read whole, on the I/O thread. nullopt: hand it
  // to a worker; otherwise the answer to send instead.
  std::optional<Response> Admit(const Request& req) {
    if (int retry_after_s = address_rate_.Take(req.remote_address, req.read_at);
        retry_after_s > 0) {
      Response res;
      SendProblem(res, ProblemForHttpStatus(
                           429, "more than " + std::to_string(options_.rate_per_address_per_s) +
                                    " requests per second from " + req.remote_address +
                                    " (rate_per_address_per_s); retry after " +
                                    std::to_string(retry_after_s) + " s"));
      res.set_header("Retry-After", std::to_string(retry_after_s));
      Observe(req, res);
      return res;
    }
    if (requests_pending_.load() >= options_.requests_pending_max) {
      Response res;
      SendProblem(res,
                  ProblemForHttpStatus(
                      503, "the node has " + std::to_string(options_.requests_pending_max) +
                               " requests waiting or in progress (requests_pending_max); retry"));
      Observe(req, res);
      return res;
    }
    return std::nullopt;
  }

  // A worker thread: the one place a request is answered (rate and size
  // checks happened on the I/O thread before).
  Response Handle(const Request& req) {
    Response res;
    try {
      Dispatch(req, res);
    } catch (const std::exception& e) {
      res = Response{};
      SendProblem(res, ProblemForHttpStatus(
                           500, std::string("the request failed unexpectedly: ") + e.what()));
    } catch (...) {
      res = Response{};
      SendProblem(res,
                  ProblemForHttpStatus(500, "the request failed unexpectedly: unknown exception"));
    }
    Observe(req, res);
    return res;
  }

  void Observe(const Request& req, const Response& res) {
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - req.read_at).count();
    RouteMatch match = MatchPath(SplitTarget(req.target).path);
    metrics_.Observe(match.spec ? match.spec->pattern : "unmatched", MethodLabel(req.method),
                     res.status, seconds);
  }

  // An answer decided by the HTTP layer before a request could be read
  // whole (malformed, too large, too long a target).
  void ObserveHttpError(int status) {
    metrics_.Observe("unmatched", MethodLabel(""), status, std::nullopt);
  }

  void Dispatch(const Request& req, Response& res) {
    if (RouteMatch match = MatchPath(SplitTarget(req.target).path, req.method);
        match.spec != nullptr && !ServedOn(match.spec->route, options_.surface)) {
      return SendNotOnThisListener(res, *match.spec, options_.surface);
    }
    if (req.method == "GET" || req.method == "HEAD" || req.method == "POST") {
      // Who asks (docs/api.md §9): a request that carries a signature must
      // carry a valid one; one without is anonymous and reads the public
      // view. Writes are authorized by the documents' own proofs.
      const int64_t now_s = std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
      Result<Reader> reader =
          verifier_.Verify(HttpRequestView{req.method, req.target, &req.headers, req.body}, now_s);
      if (!reader.ok()) return SendProblem(res, UnauthenticatedProblem(reader.status()));
      if (!reader->anonymous()) {
        if (int retry_after_s = key_rate_.Take(reader->did, SteadyClock::now());
            retry_after_s > 0) {
          SendProblem(res, ProblemForHttpStatus(
                               429, "more than " + std::to_string(options_.rate_per_key_per_s) +
                                        " requests per second signed by " + reader->did +
                                        " (rate_per_key_per_s); retry after " +
                                        std::to_string(retry_after_s) + " s"));
          res.set_header("Retry-After", std::to_string(retry_after_s));
          return;
        }
      }
      if (req.method == "POST") return HandlePost(req, res);
      HandleGet(req, *reader, res);
      const Target target = SplitTarget(req.target);
      // A verification request on a resolver path is answered as VRS
      // clients expect (JSON, signed), never as a page.
      if (IsLabelPath(target.path) && !AsksVerificationService(target.query)) {
        AnswerLabelPath(req, res);
      }
      return;
    }
    // No route takes this method: a known path makes that a 405.
    Target target = SplitTarget(req.target);
    RouteMatch match = MatchPath(target.path);
    if (match.spec != nullptr) return SendMethodNotAllowed(res, *match.spec, req.method);
    SendNotFound(res, target.path);
  }

  void HandleGet(const Request& req, const Reader& reader, Response& res) {
    Target target = SplitTarget(req.target);
    RouteMatch match = MatchPath(target.path, req.method);
    if (match.spec == nullptr) return SendNotFound(res, target.path);
    if (!MethodAllowed(*match.spec, req.method)) {
      return SendMethodNotAllowed(res, *match.spec, req.method);
    }
    if (ReadsLedger(match.spec->route)) {
      // docs/api.md#read-consistency: linearizable unless asked otherwise.
      const std::string mode = req.get_header_value(std::string(kConsistencyHeader));
      if (mode != "local") {
        if (!mode.empty() && mode != "linearizable") {
          return SendStatus(
              res,
              Status::InvalidArgument(
                  std::string(kConsistencyHeader) + " must be \"linearizable\" or \"local\"",
                  {{"/headers/" + std::string(kConsistencyHeader),
                    "unknown read consistency \"" + mode + "\""}}),
              InputKind::kParameters);
        }
        if (Status s = backend_->AwaitLinearizableRead(); !s.ok()) {
          return SendStatus(res, s, InputKind::kParameters);
        }
      }
    }
    switch (match.spec->route) {
      case Route::kCertificate:
      case Route::kProof:
      case Route::kParty:
      case Route::kNotice: {
        Result<std::string> id = DecodeIdParam(match.param_name, match.param_raw);
        if (!id.ok()) return SendStatus(res, id.status(), InputKind::kParameters);
        if (match.spec->route == Route::kNotice) {
          Result<Json> notice = backend_->GetNotice(*id, reader);
          if (!notice.ok()) return SendStatus(res, notice.status(), InputKind::kParameters);
          return SendJson(res, 200, *notice);
        }
        if (match.spec->route == Route::kCertificate) return GetCertificate(*id, reader, res);
        if (match.spec->route == Route::kProof) return GetProof(*id, res);
        return GetParty(*id, res);
      }
      case Route::kLabelSvg:
      case Route::kLabelPng: {
        Result<std::string> id = DecodeIdParam(match.param_name, match.param_raw);
        if (!id.ok()) return SendStatus(res, id.status(), InputKind::kParameters);
        return GetLabelImage(*id, match.spec->route == Route::kLabelPng, target.query, res);
      }
      case Route::kTrustBundle: {
        Result<Json> bundle = backend_->GetTrustBundle();
        if (!bundle.ok()) return SendStatus(res, bundle.status(), InputKind::kParameters);
        return SendJson(res, 200, *bundle);
      }
      case Route::kResolveProduct:
        if (AsksVerificationService(target.query)) return AnswerVrs(req, reader, false, res);
        return Resolve(req, reader, res);
      case Route::kResolveConsignment:
        return Resolve(req, reader, res);
      case Route::kVrsProduct:
      case Route::kVrsProductNumeric:
        return AnswerVrs(req, reader, false, res);
      case Route::kVrsConnectivity:
        return AnswerVrs(req, reader, true, res);
      case Route::kCheckpoint:
        return GetCheckpoint(res);
      case Route::kTlogCheckpoint:
        GetCheckpoint(res);
        if (res.status == 200) {
          res.set_header("Cache-Control", std::string(kTlogCheckpointCacheControl));
        }
        return;
      case Route::kTlogTile:
        return GetTlogTile(match.param_raw, reader, res);
      case Route::kConsistency:
        return GetConsistency(target.query, res);
      case Route::kParties: {
        Result<PartiesQuery> query = ParsePartiesQuery(target.query);
        if (!query.ok()) return SendStatus(res, query.status(), InputKind::kParameters);
        Result<Json> page = backend_->ListParties(*query);
        if (!page.ok()) return SendStatus(res, page.status(), InputKind::kParameters);
        return SendJson(res, 200, *page);
      }
      case Route::kValidators: {
        Result<Json> validators = backend_->ListValidators();
        if (!validators.ok()) return SendStatus(res, validators.status(), InputKind::kParameters);
        return SendJson(res, 200, *validators);
      }
      case Route::kLeafProof:
        return GetLeafProof(target.query, res);
      case Route::kAudit: {
        Result<AuditQueryParams> query = ParseAuditQuery(target.query);
        if (!query.ok()) return SendStatus(res, query.status(), InputKind::kParameters);
        Result<Json> page = backend_->GetAudit(*query, reader);
        if (!page.ok()) return SendStatus(res, page.status(), InputKind::kParameters);
        return SendJson(res, 200, *page);
      }
      case Route::kBlock:
        return GetBlock(match.param_raw, reader, res);
      case Route::kEpcisEvents:
        return QueryEpcisEvents(req, target.query, reader, res);
      case Route::kStatus:
        return SendJson(res, 200, backend_->GetStatus());
      case Route::kHealthz:
        if (backend_->Healthy()) {
          res.status = 200;
          res.set_content("ok", std::string(kTextContentType));
          return;
        }
        return SendStatus(res, Status::Unavailable("the node cannot serve requests now"),
                          InputKind::kParameters);
      case Route::kMetrics:
        return GetMetrics(res);
      case Route::kOpenApi:
        res.status = 200;
        res.set_content(std::string(OpenApiDocument()), std::string(kJsonContentType));
        return;
      case Route::kCertificates:
      case Route::kEvents:
      case Route::kRevocation:
      case Route::kRegistry:
      case Route::kValidatorChange:
      case Route::kBackup:
      case Route::kNotices:
        break;
    }
    FRONTERA_CHECK(false) << "GET route without a handler: " << match.spec->pattern;
  }

  // GET /epcis/events (docs/api.md §12): the EPCIS 2.0 REST binding's
  // events query. A bad parameter is the binding's QueryParameterException.
  void QueryEpcisEvents(const Request& req, std::string_view query, const Reader& reader,
                        Response& res) {
    Result<EpcisQuery> parsed = ParseEpcisQuery(query);
    if (!parsed.ok()) {
      res.status = 400;
      res.set_content(EpcisQueryProblem(parsed.status()), kProblemContentType);
      return;
    }
    Result<EpcisPage> page = backend_->QueryEvents(*parsed, reader);
    if (!page.ok()) return SendStatus(res, page.status(), InputKind::kParameters);
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    Result<std::string> text =
        DumpJson(EpcisQueryDocument(std::move(page->events), FormatRfc3339(now_ms)));
    if (!text.ok()) return SendStatus(res, text.status(), InputKind::kParameters);
    res.status = 200;
    // JSON-LD when asked for it rather than plain JSON; the body is both.
    const std::string accept = req.get_header_value("Accept");
    const bool ld = accept.find("application/ld+json") != std::string::npos &&
                    accept.find("application/json") == std::string::npos;
    res.set_content(*text, ld ? "application/ld+json" : std::string(kJsonContentType));
    res.set_header("GS1-EPCIS-Version", kEpcisVersion);
    res.set_header("GS1-CBV-Version", kCbvVersion);
    if (page->next) {
      std::string next = "/epcis/events?";
      // The query as sent, with any byte a URI may not hold as it is (a
      // lenient client's "<", ">", '"', space) percent-encoded, so that the
      // link stays one URI reference inside its angle brackets (RFC 8288).
      for (char c : parsed->query_without_token) {
        const auto b = static_cast<unsigned char>(c);
        if (b > 0x20 && b < 0x7f && c != '<' && c != '>' && c != '"' && c != '\\' && c != '^' &&
            c != '`' && c != '{' && c != '}') {
          next += c;
        } else {
          static constexpr char kHex[] = "0123456789ABCDEF";
          next += '%';
          next += kHex[b >> 4];
          next += kHex[b & 0xf];
        }
      }
      if (!parsed->query_without_token.empty()) next += '&';
      next += "nextPageToken=" + EncodePageToken(*page->next);
      res.set_header("Link", "<" + next + ">; rel=\"next\"");
    }
  }

  // POST /v1/backup: nothing to say but "now"; the node decides where.
  void PostBackup(const std::string& body, Response& res) {
    if (!body.empty()) {
      return SendStatus(
          res,
          Status::InvalidArgument(
              "POST /v1/backup takes no body (the node's [backup] config says "
              "where backups go)",
              {{"", "expected an empty body, got " + std::to_string(body.size()) + " bytes"}}),
          InputKind::kDocument);
    }
    Result<Json> backup = backend_->Backup();
    if (!backup.ok()) return SendStatus(res, backup.status(), InputKind::kParameters);
    SendJson(res, 201, *backup);
  }

  // The body was read whole by the connection before dispatch (413 and
  // framing errors are answered there), so only its meaning is checked here.
  void HandlePost(const Request& req, Response& res) {
    const std::string& body = req.body;
    Target target = SplitTarget(req.target);
    RouteMatch match = MatchPath(target.path, req.method);
    if (match.spec == nullptr) return SendNotFound(res, target.path);
    if (!MethodAllowed(*match.spec, req.method)) {
      return SendMethodNotAllowed(res, *match.spec, req.method);
    }

    if (match.spec->route == Route::kBackup) return PostBackup(body, res);

    // RFC 9110 §15.5.16: the body's format is not one this resource takes.
    std::string media_type = MediaType(req.get_header_value("Content-Type"));
    if (media_type != "application/json" && media_type != "application/ld+json") {
      return SendProblem(
          res, ProblemForHttpStatus(415, "Content-Type is \"" +
                                             req.get_header_value("Content-Type").substr(0, 128) +
                                             "\"; send application/json or application/ld+json"));
    }

    std::string certificate_id;
    if (!match.param_name.empty()) {
      Result<std::string> id = DecodeIdParam(match.param_name, match.param_raw);
      if (!id.ok()) return SendStatus(res, id.status(), InputKind::kParameters);
      certificate_id = *std::move(id);
    }

    crypto::JsonLimits limits;
    limits.text_bytes_max = options_.body_bytes_max;
    limits.depth_max = options_.json_depth_max;
    Result<Json> document = crypto::ParseJson(body, limits);
    if (!document.ok()) {
      if (document.status().IsResourceExhausted()) {
        return SendProblem(res, ProblemForHttpStatus(413, document.status().message()));
      }
      return SendStatus(res, document.status(), InputKind::kDocument);
    }
    if (!document->is_object()) {
      return SendStatus(res,
                        Status::InvalidArgument("the request body must be a JSON object",
                                                {{"", std::string("expected an object, found ") +
                                                          document->type_name()}}),
                        InputKind::kDocument);
    }

    Result<Receipt> receipt = Status::Internal("unreachable");
    switch (match.spec->route) {
      case Route::kCertificates:
        receipt = backend_->IssueCertificate(*document);
        break;
      case Route::kEvents:
        receipt = backend_->RecordEvent(certificate_id, *document);
        break;
      case Route::kRevocation:
        receipt = backend_->Revoke(certificate_id, *document);
        break;
      case Route::kNotices:
        receipt = backend_->FileNotice(*document);
        break;
      case Route::kRegistry:
      case Route::kValidatorChange: {
        // Parties on /v1/parties, validators on /v1/validators.
        const auto type = document->find("type");
        const bool about_validator = type != document->end() && type->is_string() &&
                                     type->get<std::string>().starts_with("Validator");
        const bool validators_path = match.spec->route == Route::kValidatorChange;
        if (type != document->end() && type->is_string() && about_validator != validators_path) {
          return SendStatus(
              res,
              Status::InvalidArgument(
                  std::string("a ") + (about_validator ? "validator change" : "party change") +
                      " is posted to " + (about_validator ? "/v1/validators" : "/v1/parties"),
                  {{"/type", validators_path ? "must be ValidatorAddition, ValidatorPromotion or "
                                               "ValidatorRemoval"
                                             : "a validator change goes to /v1/validators"}}),
              InputKind::kDocument);
        }
        receipt = backend_->ChangeRegistry(*document);
        break;
      }
      default:
        FRONTERA_CHECK(false) << "POST route without a handler: " << match.spec->pattern;
    }
    if (!receipt.ok()) return SendStatus(res, receipt.status(), InputKind::kDocument);
    // RFC 9110 §15.3.2: 201 names the resource the write created or changed;
    // events and revocations appear on their certificate, registry documents
    // on their party.
    if (match.spec->route == Route::kValidatorChange) {
      res.set_header("Location", "/v1/validators");
    } else {
      const char* collection = match.spec->route == Route::kRegistry  ? "/v1/parties/"
                               : match.spec->route == Route::kNotices ? "/v1/notices/"
                                                                      : "/v1/certificates/";
      res.set_header("Location", collection + Client::EncodePathSegment(receipt->id));
    }
    SendJson(res, 201, ReceiptJson(*receipt));
  }

  void GetCertificate(const std::string& id, const Reader& reader, Response& res) {
    Result<Json> certificate = backend_->GetCertificate(id, reader);
    if (!certificate.ok()) return SendStatus(res, certificate.status(), InputKind::kParameters);
    SendJson(res, 200, *certificate);
  }

  void GetProof(const std::string& id, Response& res) { SendProof(backend_->GetProof(id), res); }

  void SendProof(const Result<InclusionProofView>& proof, Response& res) {
    if (!proof.ok()) return SendStatus(res, proof.status(), InputKind::kParameters);
    SendJson(res, 200,
             Json{{"leaf_index", proof->leaf_index},
                  {"leaf_hash", Base64(proof->leaf_hash)},
                  {"tree_size", proof->tree_size},
                  {"inclusion", HashesJson(proof->inclusion)},
                  {"checkpoint", proof->checkpoint}});
  }

  // GET /v1/proofs/inclusion?leaf_index=N.
  void GetLeafProof(std::string_view query, Response& res) {
    Result<uint64_t> leaf_index = ParseLeafIndexQuery(query);
    if (!leaf_index.ok()) return SendStatus(res, leaf_index.status(), InputKind::kParameters);
    SendProof(backend_->GetLeafProof(*leaf_index), res);
  }

  void GetParty(const std::string& did, Response& res) {
    Result<Json> party = backend_->GetParty(did);
    if (!party.ok()) return SendStatus(res, party.status(), InputKind::kParameters);
    SendJson(res, 200, *party);
  }

  // GET /v1/certificates/{id}/qr.svg and qr.png: the label the issuer signed
  // and the ledger checked (credentialSubject.label), drawn.
  void GetLabelImage(const std::string& id, bool png, std::string_view query, Response& res) {
    int module_px = kLabelModulePxDefault;
    if (png) {
      // Checked before the Backend call: a rejected request never reaches it.
      Result<int> parsed =
          ParseModulePxQuery(query, kLabelModulePxDefault, kLabelModulePxMin, kLabelModulePxMax);
      if (!parsed.ok()) return SendStatus(res, parsed.status(), InputKind::kParameters);
      module_px = *parsed;
    }
    // The label is in the public view: the image reads nothing private, so
    // it is read as anyone (and leaves no audit entry).
    Result<Json> certificate = backend_->GetCertificate(id, Reader{});
    if (!certificate.ok()) return SendStatus(res, certificate.status(), InputKind::kParameters);
    static const Json::json_pointer kLabelPointer("/credential/credentialSubject/label");
    const Json* label =
        certificate->contains(kLabelPointer) ? &certificate->at(kLabelPointer) : nullptr;
    if (label == nullptr || !label->is_string()) {
      // docs/formats.md §4: the label is optional; without one there is no
      // QR label to draw.
      return SendStatus(res, Status::NotFound("certificate " + id + " has no QR label"),
                        InputKind::kParameters);
    }
    Result<std::string> image = png ? RenderLabelPng(label->get<std::string>(), module_px)
                                    : RenderLabelSvg(label->get<std::string>());
    if (!image.ok()) {
      // The ledger admitted the label only if it parsed, so this is the
      // node's fault, not the client's.
      return SendStatus(res,
                        Status::Internal("the stored label of certificate " + id +
                                         " cannot be drawn: " + image.status().message()),
                        InputKind::kParameters);
    }
    res.status = 200;
    res.set_content(*image, std::string(png ? kPngContentType : kSvgContentType));
    res.set_header("Cache-Control", std::string(kLabelImageCacheControl));
  }

  // The Digital Link resolver. The label URI is rebuilt from the configured
  // resolver host and the request target exactly as received: the issuer's
  // signature covers the bytes from the path's first '/' (docs/formats.md
  // §8), so nothing may be decoded, re-encoded or reordered here.
  void Resolve(const Request& req, const Reader& reader, Response& res) {
    if (options_.resolver_host.empty()) {
      return SendStatus(res,
                        Status::NotFound("this node serves no Digital Link resolver "
                                         "(ServerOptions::resolver_host is not set)"),
                        InputKind::kParameters);
    }
    Result<Json> check =
        backend_->CheckLabel("https://" + options_.resolver_host + req.target, reader);
    if (!check.ok()) return SendStatus(res, check.status(), InputKind::kParameters);
    res.set_header("Cache-Control", std::string(kResolverCacheControl));
    if (PrefersJson(req.get_header_value("Accept"))) return SendJson(res, 200, *check);
    PageLanguage language = NegotiateLanguage(req.get_header_value("Accept-Language"));
    SendPage(res, 200, VerificationPage(*check, language), language);
  }

  // DSCSA verification (docs/api.md#vrs): parse, one Backend call, encode,
  // and sign the answer (docs/api.md#signed-answers). A request refused
  // before the Backend is asked (400) is not signed: the validator vouches
  // for nothing in it.
  void AnswerVrs(const Request& req, const Reader& reader, bool connectivity, Response& res) {
    const Target target = SplitTarget(req.target);
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    Result<VrsAnswer> answer = Status::Internal("unreachable");
    if (connectivity) {
      Result<VrsConnectivityRequest> request = ParseVrsConnectivity(target.query);
      if (!request.ok()) return SendStatus(res, request.status(), InputKind::kParameters);
      answer = backend_->AnswerVrsConnectivity(*request, reader);
    } else {
      Result<VrsRequest> request =
          ParseVrsRequest(target.path, target.query,
                          std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
      if (!request.ok()) return SendStatus(res, request.status(), InputKind::kParameters);
      answer = backend_->AnswerVrs(*request, reader);
    }
    if (!answer.ok()) return SendStatus(res, answer.status(), InputKind::kParameters);
    const RequestorDecision& requestor = answer->requestor;
    if (requestor.verdict == RequestorVerdict::kEntitled) {
      SendJson(res, 200, answer->body);
    } else {
      const bool unauthenticated = requestor.http_status() == 401;
      SendProblem(
          res,
          Problem{unauthenticated ? ProblemType::kUnauthenticated : ProblemType::kNotAuthorized,
                  requestor.http_status(),
                  requestor.detail,
                  {{requestor.verdict == RequestorVerdict::kWrongKey ? "/headers/signature-input"
                                                                     : "/query/reqGLN",
                    requestor.detail}}});
    }
    // Each answer is about this moment of the ledger: never from a cache.
    res.set_header("Cache-Control", "no-store");
    const std::string params = ResponseSignatureParams(
        std::chrono::duration_cast<std::chrono::seconds>(now).count(), answer->signer_did);
    const SignedResponseParts parts{res.status, res.body, answer->checkpoint, req.method,
                                    req.target};
    const crypto::Signature signature =
        backend_->SignVrsAnswer(ResponseSignatureBase(parts, params));
    for (const auto& [name, value] : ResponseSignatureHeaders(parts, params, signature)) {
      res.set_header(name, value);
    }
  }

  static void SendPage(Response& res, int http_status, const std::string& html,
                       PageLanguage language) {
    res.status = http_status;
    res.set_content(html, std::string(kHtmlContentType));
    res.set_header("Content-Language", std::string(LanguageTag(language)));
    res.set_header("Content-Security-Policy", std::string(kPageSecurityPolicy));
    res.set_header("X-Content-Type-Options", "nosniff");
  }

  // Every answer on a label path depends on Accept (and the page on
  // Accept-Language, RFC 9110 §12.5.5). A problem there, for a client that
  // prefers HTML, becomes the error page with the same status and headers
  // (Allow, Retry-After); JSON clients keep the problem.
  static void AnswerLabelPath(const Request& req, Response& res) {
    res.set_header("Vary", std::string(kResolverVary));
    if (res.get_header_value("Content-Type") != kProblemContentType) return;
    if (PrefersJson(req.get_header_value("Accept"))) return;
    Json problem = Json::parse(res.body, nullptr, /*allow_exceptions=*/false);
    std::string detail;
    std::vector<FieldError> errors;
    if (problem.is_object()) {
      if (problem.contains("detail") && problem["detail"].is_string()) {
        detail = problem["detail"].get<std::string>();
      }
      if (problem.contains("errors") && problem["errors"].is_array()) {
        for (const Json& error : problem["errors"]) {
          if (error.is_object() && error.contains("reason") && error["reason"].is_string()) {
            errors.push_back({"", error["reason"].get<std::string>()});
          }
        }
      }
    }
    PageLanguage language = NegotiateLanguage(req.get_header_value("Accept-Language"));
    SendPage(res, res.status, ErrorPage(res.status, detail, errors, language), language);
  }

  void GetCheckpoint(Response& res) {
    Result<std::string> checkpoint = backend_->GetCheckpoint();
    if (!checkpoint.ok()) return SendStatus(res, checkpoint.status(), InputKind::kParameters);
    res.status = 200;
    res.set_content(*checkpoint, std::string(kTextContentType));
  }

  // {tile_path} is the rest of the path after /tlog/ (routes.h).
  void GetTlogTile(std::string_view raw_path, const Reader& reader, Response& res) {
    std::optional<std::string> path = PercentDecode(raw_path);
    if (!path) {
      return SendStatus(res,
                        Status::InvalidArgument("the tile path has a malformed percent-encoding",
                                                {{"/path/tile_path",
                                                  "every \"%\" must be followed by two "
                                                  "hexadecimal digits (RFC 3986 §2.1)"}}),
                        InputKind::kParameters);
    }
    // Routes.h matched /tlog/tile/…: the tile path proper starts at "tile/".
    Result<ledger::TileAddress> tile = ledger::ParseTilePath("tile/" + *path);
    if (!tile.ok()) return SendStatus(res, tile.status(), InputKind::kParameters);
    Result<std::string> bytes = backend_->GetTlogTile(*tile, reader);
    if (!bytes.ok()) return SendStatus(res, bytes.status(), InputKind::kParameters);
    res.status = 200;
    res.set_content(*bytes, std::string(kOctetStreamContentType));
    std::string_view cache_control =
        tile->entries ? (tile->full() ? kFullBundleCacheControl : kPartialBundleCacheControl)
                      : (tile->full() ? kFullTileCacheControl : kPartialTileCacheControl);
    res.set_header("Cache-Control", std::string(cache_control));
  }

  void GetConsistency(std::string_view query, Response& res) {
    Result<ConsistencyQuery> sizes = ParseConsistencyQuery(query);
    if (!sizes.ok()) return SendStatus(res, sizes.status(), InputKind::kParameters);
    Result<ConsistencyProofView> proof = backend_->GetConsistency(sizes->first, sizes->second);
    if (!proof.ok()) return SendStatus(res, proof.status(), InputKind::kParameters);
    SendJson(res, 200,
             Json{{"first", proof->first},
                  {"second", proof->second},
                  {"proof", HashesJson(proof->proof)}});
  }

  void GetBlock(std::string_view raw_height, const Reader& reader, Response& res) {
    Result<uint64_t> height = DecodeBlockHeight(raw_height);
    if (!height.ok()) return SendStatus(res, height.status(), InputKind::kParameters);
    Result<Json> block = backend_->GetBlock(*height, reader);
    if (!block.ok()) return SendStatus(res, block.status(), InputKind::kParameters);
    SendJson(res, 200, *block);
  }

  void GetMetrics(Response& res) {
    MetricSet set = backend_->GetMetrics();
    metrics_.AppendTo(set);
    std::string text;
    set.AppendText(text);
    res.status = 200;
    res.set_content(text, std::string(kMetricsContentType));
  }

  Backend* const backend_;
  const ServerOptions options_;
  HttpMetrics metrics_;
  RateLimiter address_rate_;  // keyed by remote address
  RateLimiter key_rate_;      // keyed by the signing key's DID
  RequestVerifier verifier_;

  Mutex mu_;
  std::condition_variable cv_;  // signalled when a connection closes
  size_t connections_ GUARDED_BY(mu_) = 0;
  std::map<std::string, size_t> connections_by_address_ GUARDED_BY(mu_);
  std::atomic<uint64_t> connections_refused_{0};
  // Requests handed to the pool and not yet answered.
  std::atomic<size_t> requests_pending_{0};
  std::atomic<bool> stopping_{false};

  // Set by Start when the options name a certificate; then every
  // connection speaks TLS. Read-only once Start returned.
  std::unique_ptr<asio::ssl::context> tls_;

  // Owner thread only.
  bool started_ = false;
  int port_ = -1;  // > 0 once bound
  std::thread io_thread_;

  // Declared last: destroyed first, while the state above is still there for
  // the Connections their queues release.
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  asio::thread_pool pool_;
  tcp::acceptor acceptor_{io_};
  asio::steady_timer accept_retry_{io_};
  std::vector<std::weak_ptr<ConnectionBase>> live_;  // I/O thread only
};

// One client connection; every member function runs on the I/O thread.
// Requests on it are served one at a time (no pipelining: the next request
// is read after the answer to the previous one is written).
template <class Stream>
class HttpServer::Impl::Connection : public ConnectionBase,
                                     public std::enable_shared_from_this<Connection<Stream>> {
 public:
  // `stream_args`: what Stream is made of (the socket; and the TLS context).
  template <class... StreamArgs>
  Connection(Impl* impl, std::string address, StreamArgs&&... stream_args)
      : impl_(impl),
        stream_(std::forward<StreamArgs>(stream_args)...),
        address_(std::move(address)) {}
  ~Connection() override { impl_->ConnectionClosed(address_); }

  void Start() {
    // The first request's deadline runs from the accept: a client that
    // connects and sends nothing (or never finishes its TLS handshake) is
    // closed after request_timeout_s.
    Lowest().expires_after(std::chrono::seconds(impl_->options_.request_timeout_s));
    if constexpr (kTls) {
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void CloseUnlessBusy() override {
    if (!busy_) Close();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  const ServerOptions& options() const { return impl_->options_; }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // Between requests: the idle timeout applies until the next request's
  // first bytes arrive, then the whole-request deadline.
  void AwaitNextRequest() {
    if (impl_->stopping_) return Close();
    if (buffer_.size() > 0) {
      Lowest().expires_after(std::chrono::seconds(options().request_timeout_s));
      return ReadHeader();
    }
    Lowest().expires_after(std::chrono::seconds(options().keep_alive_timeout_s));
    stream_.async_read_some(
        buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
          if (ec || n == 0) return self->Close();
          self->buffer_.commit(n);
          self->Lowest().expires_after(std::chrono::seconds(self->options().request_timeout_s));
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(options().header_bytes_max));
    parser_->body_limit(options().body_bytes_max);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    const std::string_view method(header.method_string().data(), header.method_string().size());
    if (!KnownMethod(method)) {
      return Refuse(400, "the request method \"" + std::string(method.substr(0, 32)) +
                             "\" is not an HTTP method (RFC 9110 §9)");
    }
    if (header.target().size() > kTargetBytesMax) {
      return Refuse(
          414, "the request target is longer than " + std::to_string(kTargetBytesMax) + " bytes");
    }
    // RFC 9110 §10.1.1: a client waiting for 100 (Continue) sends the body
    // only after it.
    auto expect = header.find(http::field::expect);
    if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      return asio::async_write(
          stream_, asio::buffer(kContinue),
          [self = this->shared_from_this()](beast::error_code write_ec, size_t) {
            if (write_ec) return self->Close();
            self->ReadBody();
          });
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    http::request<http::string_body> message = parser_->release();
    parser_.reset();
    Request req;
    req.method = std::string(message.method_string());
    req.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name =
          LowerCase(std::string_view(field.name_string().data(), field.name_string().size()));
      std::string value(field.value());
      auto [it, inserted] = req.headers.emplace(std::move(name), value);
      if (!inserted) it->second += ", " + value;
    }
    req.body = std::move(message.body());
    req.remote_address = address_;
    req.read_at = SteadyClock::now();
    ++served_;
    keep_alive_ = message.keep_alive() && served_ < options().keep_alive_max_count;
    head_request_ = req.method == "HEAD";
    version_10_ = message.version() == 10;

    if (std::optional<Response> refused = impl_->Admit(req)) return Write(*refused, !keep_alive_);
    busy_ = true;
    ++impl_->requests_pending_;
    asio::post(impl_->pool_, [self = this->shared_from_this(), req = std::move(req)] {
      Response res = self->impl_->Handle(req);
      --self->impl_->requests_pending_;
      asio::post(self->stream_.get_executor(), [self, res = std::move(res)] {
        self->busy_ = false;
        self->Write(res, !self->keep_alive_);
      });
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return Refuse(431, "the request headers exceed " +
                             std::to_string(options().header_bytes_max) +
                             " bytes (header_bytes_max)");
    }
    if (ec == http::error::body_limit) {
      return Refuse(413, "the request body exceeds " + std::to_string(options().body_bytes_max) +
                             " bytes (body_bytes_max)");
    }
    // The client went away, or the deadline passed: nothing to answer. A
    // deadline cuts a request however slowly its bytes trickle in.
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
        ec == asio::error::eof || ec == http::error::partial_message) {
      return Close();
    }
    Refuse(400, "the request could not be parsed (RFC 9112): " + ec.message());
  }

  // An answer from the HTTP layer; the connection closes after it, since
  // what follows in the stream cannot be trusted to start a request.
  void Refuse(int status, const std::string& detail) {
    Response res;
    SendProblem(res, ProblemForHttpStatus(status, detail));
    impl_->ObserveHttpError(status);
    head_request_ = false;
    Write(res, /*close=*/true);
  }

  void Write(const Response& res, bool close) {
    close_after_write_ = close || impl_->stopping_;
    out_ = Serialize(res, head_request_, close_after_write_);
    // An HTTP/1.0 client keeps the connection only when told so (RFC 9112 §9.3).
    if (version_10_ && !close_after_write_) {
      out_.insert(out_.find("\r\n") + 2, "Connection: keep-alive\r\n");
    }
    busy_ = true;
    // A client that does not read its answer is cut off at the deadline too.
    Lowest().expires_after(std::chrono::seconds(options().request_timeout_s));
    asio::async_write(stream_, asio::buffer(out_),
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        self->out_.clear();
                        if (ec) return self->Close();
                        if (self->close_after_write_) return self->LingeringClose();
                        self->AwaitNextRequest();
                      });
  }

  // RFC 9112 §9.6: after an answer that closes the connection, stop sending
  // but read (and discard) what the client still sends, until it closes,
  // the write's deadline passes or kDrainBytesMax arrived. Closing at once
  // would reset the connection under a client still sending a body the
  // answer refused (413), and it would never read the answer.
  void LingeringClose() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    drain_.resize(16 * 1024);
    Drain();
  }

  void Drain() {
    if (drained_bytes_ >= kDrainBytesMax) return Close();
    Lowest().async_read_some(asio::buffer(drain_),
                             [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                               if (ec || n == 0) return self->Close();
                               self->drained_bytes_ += n;
                               self->Drain();
                             });
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
  }

  Impl* const impl_;
  Stream stream_;
  const std::string address_;  // the remote address, for the per-address caps
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  int served_ = 0;  // requests answered or being answered on this connection
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool version_10_ = false;
  bool busy_ = false;  // a worker has the request, or an answer is being written
  bool close_after_write_ = false;
  std::string out_;  // the answer being written
  // Lingering close: what is read and discarded after the last answer.
  static constexpr size_t kDrainBytesMax = size_t{64} << 20;
  std::vector<char> drain_;
  size_t drained_bytes_ = 0;
};

void HttpServer::Impl::OnAccepted(tcp::socket socket) {
  beast::error_code ec;
  const tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // the client already went away
  std::string address = remote.address().to_string();
  {
    MutexLock lock(mu_);
    size_t& from_address = connections_by_address_[address];
    if (connections_ >= options_.connections_max ||
        from_address >= options_.connections_per_address_max) {
      // Over a connection cap: closed at once, before any byte is read,
      // so the excess costs neither a buffer nor a worker.
      if (from_address == 0) connections_by_address_.erase(address);
      connections_refused_.fetch_add(1, std::memory_order_relaxed);
      socket.close(ec);
      return;
    }
    ++from_address;
    ++connections_;
  }
  // Answers are small; Nagle plus delayed ACK would add ~40 ms per
  // keep-alive round trip.
  socket.set_option(tcp::no_delay(true), ec);
  if (live_.size() > 2 * options_.connections_max) {
    std::erase_if(live_, [](const std::weak_ptr<ConnectionBase>& c) { return c.expired(); });
  }
  if (tls_) {
    auto connection =
        std::make_shared<TlsConnection>(this, std::move(address), std::move(socket), *tls_);
    live_.push_back(connection);
    connection->Start();
  } else {
    auto connection =
        std::make_shared<PlainConnection>(this, std::move(address), std::move(socket));
    live_.push_back(connection);
    connection->Start();
  }
}

void HttpServer::Impl::CloseIdleConnections() {
  for (const std::weak_ptr<ConnectionBase>& weak : live_) {
    if (std::shared_ptr<ConnectionBase> c = weak.lock()) c->CloseUnlessBusy();
  }
  std::erase_if(live_, [](const std::weak_ptr<ConnectionBase>& c) { return c.expired(); });
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(Backend* backend, ServerOptions options) {
  FRONTERA_CHECK(backend != nullptr) << "HttpServer needs a Backend";
  FRONTERA_RETURN_IF_ERROR(options.Validate());
  return std::unique_ptr<HttpServer>(
      new HttpServer(std::make_unique<Impl>(backend, std::move(options))));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;

Status HttpServer::Start() { return impl_->Start(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

Status CheckTlsFiles(const std::string& cert_file, const std::string& key_file) {
  return MakeTlsContext(cert_file, key_file).status();
}

}  // namespace frontera::api
