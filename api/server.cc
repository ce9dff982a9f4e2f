// HttpServer: the cpp-httplib wiring and the handlers. Routing and
// parameter parsing are in api/routes.h, the resolver's pages in
// api/resolver_page.h, the Prometheus text in api/metrics.h.
#include "api/server.h"

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "api/client.h"
#include "api/label_image.h"
#include "api/metrics.h"
#include "api/openapi.h"
#include "api/problem.h"
#include "api/resolver_page.h"
#include "api/routes.h"
#include "common/check.h"
#include "common/encoding.h"
#include "common/mutex.h"
#include "crypto/json.h"

namespace frontera::api {
namespace {

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
// The resolver's answers depend on both (docs/api.md#resolver).
constexpr std::string_view kResolverVary = "Accept, Accept-Language";

// The request header that picks a read's consistency (docs/api.md#read-consistency).
constexpr std::string_view kConsistencyHeader = "Frontera-Consistency";

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

void SendProblem(httplib::Response& res, const Problem& problem) {
  res.status = problem.status;
  res.set_content(problem.ToJsonText(), std::string(kProblemContentType));
  // RFC 9110 §10.2.3: tell a client when a retry is worth it.
  if (problem.status == 503 || problem.status == 429) res.set_header("Retry-After", "1");
}

void SendStatus(httplib::Response& res, const Status& status, InputKind input) {
  SendProblem(res, ProblemFromStatus(status, input));
}

void SendJson(httplib::Response& res, int http_status, const Json& body) {
  Result<std::string> text = DumpJson(body);
  if (!text.ok()) {
    SendStatus(res, text.status(), InputKind::kParameters);
    return;
  }
  res.status = http_status;
  res.set_content(*text, std::string(kJsonContentType));
}

void SendMethodNotAllowed(httplib::Response& res, const RouteSpec& spec, std::string_view method) {
  SendProblem(
      res, ProblemForHttpStatus(405, std::string(method) + " is not allowed on " +
                                         std::string(spec.pattern) + "; use " + AllowHeader(spec)));
  // RFC 9110 §15.5.6: a 405 must list the methods the resource supports.
  res.set_header("Allow", AllowHeader(spec));
}

void SendNotFound(httplib::Response& res, std::string_view path) {
  SendProblem(res, ProblemForHttpStatus(404, "no resource at " + std::string(path.substr(0, 512)) +
                                                 "; the API's paths are listed in docs/api.md"));
}

// When the request now being served on this worker thread had its headers
// read. httplib runs routing, writing and logging of one request on one
// thread, so a thread-local carries the time from pre-routing to the logger.
thread_local std::optional<SteadyClock::time_point> t_request_start;

}  // namespace

// ---------------------------------------------------------------------------

Status ServerOptions::Validate() const {
  std::vector<FieldError> errors;
  auto check = [&errors](std::string_view field, long long value, long long low, long long high) {
    if (value < low || value > high) {
      errors.push_back({"/" + std::string(field),
                        std::string(field) + " = " + std::to_string(value) + " is outside [" +
                            std::to_string(low) + ", " + std::to_string(high) + "]"});
    }
  };
  if (host.empty()) errors.push_back({"/host", "host must name an address to bind"});
  check("port", port, 0, 65535);
  check("body_bytes_max", static_cast<long long>(body_bytes_max), 1024, 64LL << 20);
  check("json_depth_max", static_cast<long long>(json_depth_max), 1, 256);
  check("threads", static_cast<long long>(threads), 1, 4096);
  check("keep_alive_max_count", keep_alive_max_count, 1, 1'000'000);
  check("keep_alive_timeout_s", keep_alive_timeout_s, 1, 3600);
  check("read_timeout_s", read_timeout_s, 1, 3600);
  if (errors.empty()) return Status::Ok();
  std::string message = "invalid HTTP server options:";
  for (const FieldError& e : errors) message += " " + e.reason + ";";
  message.pop_back();
  return Status::InvalidArgument(message, std::move(errors));
}

class HttpServer::Impl {
 public:
  Impl(Backend* backend, ServerOptions options) : backend_(backend), options_(std::move(options)) {
    server_.new_task_queue = [this] {
      // httplib calls this from the accept thread once it is running, so it
      // doubles as the signal that stop() will now take effect.
      {
        MutexLock lock(mu_);
        accepting_ = true;
      }
      cv_.notify_all();
      return new httplib::ThreadPool(options_.threads);
    };
    // Enforced from Content-Length before the body is read (413); chunked
    // bodies are cut off by HandlePost's receiver instead.
    server_.set_payload_max_length(options_.body_bytes_max);
    server_.set_keep_alive_max_count(static_cast<size_t>(options_.keep_alive_max_count));
    server_.set_keep_alive_timeout(options_.keep_alive_timeout_s);
    server_.set_read_timeout(options_.read_timeout_s, 0);
    // Answers are small; Nagle plus delayed ACK would add ~40 ms per
    // keep-alive round trip.
    server_.set_tcp_nodelay(true);
    // httplib's default adds SO_REUSEPORT, which lets a second node bind the
    // same port and silently share its traffic; a busy port must be an error.
    // SO_REUSEADDR alone still allows a restart while old sockets linger in
    // TIME_WAIT.
    server_.set_socket_options([this](socket_t sock) {
      int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_socket_ = sock;
    });

    // Every path goes to our own router so that 404 and 405 are decided in
    // one place (kRoutes), on the raw target (ids may contain "%2F").
    static const std::string kAnyPath = R"([\s\S]*)";
    server_.Get(kAnyPath, [this](const httplib::Request& req, httplib::Response& res) {
      HandleGet(req, res);
      if (IsLabelPath(SplitTarget(req.target).path)) AnswerLabelPath(req, res);
    });
    server_.Post(kAnyPath,
                 [this](const httplib::Request& req, httplib::Response& res,
                        const httplib::ContentReader& reader) { HandlePost(req, res, reader); });
    server_.set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
      t_request_start = SteadyClock::now();
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
          return HandleError(req, res);
        }));
    server_.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
          std::string what = "unknown exception";
          try {
            std::rethrow_exception(error);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          SendProblem(res, ProblemForHttpStatus(500, "the request failed unexpectedly: " + what));
        });
    server_.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      std::optional<double> seconds;
      if (t_request_start) {
        seconds = std::chrono::duration<double>(SteadyClock::now() - *t_request_start).count();
        t_request_start.reset();
      }
      RouteMatch match = MatchPath(SplitTarget(req.target).path);
      metrics_.Observe(match.spec ? match.spec->pattern : "unmatched", MethodLabel(req.method),
                       res.status, seconds);
    });
  }

  ~Impl() { Stop(); }

  Status Start() {
    FRONTERA_CHECK(!started_) << "HttpServer::Start called twice";
    started_ = true;
    std::string where = options_.host + ":" + std::to_string(options_.port);
    errno = 0;
    if (options_.port == 0) {
      port_ = server_.bind_to_any_port(options_.host);
    } else {
      port_ = server_.bind_to_port(options_.host, options_.port) ? options_.port : -1;
    }
    if (port_ >= 0 && listen_socket_ >= 0) {
      // Debian's httplib is a compiled library that listens with a backlog
      // of 5: a burst of new connections (64 clients starting at once)
      // overflows it, and clients see reset or 1 s SYN retries. Listening
      // again on the bound socket only raises the backlog.
      ::listen(listen_socket_, kListenBacklog);
    }
    if (port_ < 0) {
      int error = errno;
      return Status::IOError("cannot listen on " + where + ": " +
                             (error != 0 ? std::strerror(error) : "address not usable") +
                             " (check the host and that the port is free)");
    }
    listener_ = std::thread([this] {
      server_.listen_after_bind();
      {
        MutexLock lock(mu_);
        listener_done_ = true;
      }
      cv_.notify_all();
    });
    // The socket already listens (connections queue in the backlog); wait
    // only until the accept loop runs so that Stop() cannot be lost.
    MutexLock lock(mu_);
    cv_.wait(lock.native(), [this]() REQUIRES(mu_) { return accepting_ || listener_done_; });
    return Status::Ok();
  }

  int port() const {
    FRONTERA_CHECK(port_ > 0) << "HttpServer::port() before a successful Start()";
    return port_;
  }

  void Stop() {
    if (!listener_.joinable()) return;
    // Closes the listening socket; each worker finishes its request, and the
    // pool's shutdown joins them inside listen_after_bind().
    server_.stop();
    listener_.join();
  }

 private:
  void HandleGet(const httplib::Request& req, httplib::Response& res) {
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
      case Route::kParty: {
        Result<std::string> id = DecodeIdParam(match.param_name, match.param_raw);
        if (!id.ok()) return SendStatus(res, id.status(), InputKind::kParameters);
        if (match.spec->route == Route::kCertificate) return GetCertificate(*id, res);
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
      case Route::kResolveConsignment:
        return Resolve(req, res);
      case Route::kCheckpoint:
        return GetCheckpoint(res);
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
      case Route::kBlock:
        return GetBlock(match.param_raw, res);
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
        break;
    }
    FRONTERA_CHECK(false) << "GET route without a handler: " << match.spec->pattern;
  }

  void HandlePost(const httplib::Request& req, httplib::Response& res,
                  const httplib::ContentReader& reader) {
    // The body is read (or skipped) first, whatever the verdict, so that the
    // next request on this keep-alive connection starts at a request line.
    std::string body;
    bool too_large = false;
    bool read_ok = true;
    // RFC 9112 §6.3: without Content-Length or Transfer-Encoding a request
    // has no body; httplib would otherwise wait for the connection to close.
    if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) {
      read_ok = reader([&](const char* data, size_t length) {
        if (body.size() + length > options_.body_bytes_max) {
          too_large = true;
          return false;
        }
        body.append(data, length);
        return true;
      });
    }
    if (!read_ok) {
      // What remains of a cut-off body would be read as the next request.
      res.set_header("Connection", "close");
      if (too_large || res.status == 413) {
        return SendProblem(res,
                           ProblemForHttpStatus(413, "the request body exceeds " +
                                                         std::to_string(options_.body_bytes_max) +
                                                         " bytes (body_bytes_max)"));
      }
      return SendProblem(res,
                         ProblemForHttpStatus(400,
                                              "the request body could not be read (connection "
                                              "closed, timed out or malformed chunked encoding)"));
    }

    Target target = SplitTarget(req.target);
    RouteMatch match = MatchPath(target.path, req.method);
    if (match.spec == nullptr) return SendNotFound(res, target.path);
    if (!MethodAllowed(*match.spec, req.method)) {
      return SendMethodNotAllowed(res, *match.spec, req.method);
    }

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
      const char* collection =
          match.spec->route == Route::kRegistry ? "/v1/parties/" : "/v1/certificates/";
      res.set_header("Location", collection + Client::EncodePathSegment(receipt->id));
    }
    SendJson(res, 201, ReceiptJson(*receipt));
  }

  httplib::Server::HandlerResponse HandleError(const httplib::Request& req,
                                               httplib::Response& res) {
    // Our handlers already answered with a problem or an error page;
    // httplib calls this for every status >= 400, so leave those alone.
    const std::string content_type = res.get_header_value("Content-Type");
    if (content_type == kProblemContentType || content_type == kHtmlContentType) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    Target target = SplitTarget(req.target);
    if (res.status == 404) {
      // httplib found no handler: the method has none registered (PUT,
      // DELETE, OPTIONS, …). A known path makes that a 405.
      RouteMatch match = MatchPath(target.path);
      if (match.spec != nullptr) {
        SendMethodNotAllowed(res, *match.spec, req.method);
      } else {
        SendNotFound(res, target.path);
      }
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string detail;
    switch (res.status) {
      case 400:
        detail = "the request line or headers could not be parsed (RFC 9112)";
        break;
      case 413:
        detail = "the request body exceeds " + std::to_string(options_.body_bytes_max) +
                 " bytes (body_bytes_max)";
        break;
      case 414:
        detail = "the request target is too long";
        break;
      case 416:
        detail = "the requested range cannot be served";
        break;
      default:
        detail = "the HTTP layer answered " + std::to_string(res.status);
        break;
    }
    int status = res.status >= 400 && res.status <= 599 ? res.status : 500;
    SendProblem(res, ProblemForHttpStatus(status, detail));
    return httplib::Server::HandlerResponse::Handled;
  }

  void GetCertificate(const std::string& id, httplib::Response& res) {
    Result<Json> certificate = backend_->GetCertificate(id);
    if (!certificate.ok()) return SendStatus(res, certificate.status(), InputKind::kParameters);
    SendJson(res, 200, *certificate);
  }

  void GetProof(const std::string& id, httplib::Response& res) {
    SendProof(backend_->GetProof(id), res);
  }

  void SendProof(const Result<InclusionProofView>& proof, httplib::Response& res) {
    if (!proof.ok()) return SendStatus(res, proof.status(), InputKind::kParameters);
    SendJson(res, 200,
             Json{{"leaf_index", proof->leaf_index},
                  {"leaf_hash", Base64(proof->leaf_hash)},
                  {"tree_size", proof->tree_size},
                  {"inclusion", HashesJson(proof->inclusion)},
                  {"checkpoint", proof->checkpoint}});
  }

  // GET /v1/proofs/inclusion?leaf_index=N.
  void GetLeafProof(std::string_view query, httplib::Response& res) {
    Result<uint64_t> leaf_index = ParseLeafIndexQuery(query);
    if (!leaf_index.ok()) return SendStatus(res, leaf_index.status(), InputKind::kParameters);
    SendProof(backend_->GetLeafProof(*leaf_index), res);
  }

  void GetParty(const std::string& did, httplib::Response& res) {
    Result<Json> party = backend_->GetParty(did);
    if (!party.ok()) return SendStatus(res, party.status(), InputKind::kParameters);
    SendJson(res, 200, *party);
  }

  // GET /v1/certificates/{id}/qr.svg and qr.png: the label the issuer signed
  // and the ledger checked (credentialSubject.label), drawn.
  void GetLabelImage(const std::string& id, bool png, std::string_view query,
                     httplib::Response& res) {
    int module_px = kLabelModulePxDefault;
    if (png) {
      // Checked before the Backend call: a rejected request never reaches it.
      Result<int> parsed =
          ParseModulePxQuery(query, kLabelModulePxDefault, kLabelModulePxMin, kLabelModulePxMax);
      if (!parsed.ok()) return SendStatus(res, parsed.status(), InputKind::kParameters);
      module_px = *parsed;
    }
    Result<Json> certificate = backend_->GetCertificate(id);
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
  void Resolve(const httplib::Request& req, httplib::Response& res) {
    if (options_.resolver_host.empty()) {
      return SendStatus(res,
                        Status::NotFound("this node serves no Digital Link resolver "
                                         "(ServerOptions::resolver_host is not set)"),
                        InputKind::kParameters);
    }
    Result<Json> check = backend_->CheckLabel("https://" + options_.resolver_host + req.target);
    if (!check.ok()) return SendStatus(res, check.status(), InputKind::kParameters);
    res.set_header("Cache-Control", std::string(kResolverCacheControl));
    if (PrefersJson(req.get_header_value("Accept"))) return SendJson(res, 200, *check);
    PageLanguage language = NegotiateLanguage(req.get_header_value("Accept-Language"));
    SendPage(res, 200, VerificationPage(*check, language), language);
  }

  static void SendPage(httplib::Response& res, int http_status, const std::string& html,
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
  static void AnswerLabelPath(const httplib::Request& req, httplib::Response& res) {
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

  void GetCheckpoint(httplib::Response& res) {
    Result<std::string> checkpoint = backend_->GetCheckpoint();
    if (!checkpoint.ok()) return SendStatus(res, checkpoint.status(), InputKind::kParameters);
    res.status = 200;
    res.set_content(*checkpoint, std::string(kTextContentType));
  }

  void GetConsistency(std::string_view query, httplib::Response& res) {
    Result<ConsistencyQuery> sizes = ParseConsistencyQuery(query);
    if (!sizes.ok()) return SendStatus(res, sizes.status(), InputKind::kParameters);
    Result<ConsistencyProofView> proof = backend_->GetConsistency(sizes->first, sizes->second);
    if (!proof.ok()) return SendStatus(res, proof.status(), InputKind::kParameters);
    SendJson(res, 200,
             Json{{"first", proof->first},
                  {"second", proof->second},
                  {"proof", HashesJson(proof->proof)}});
  }

  void GetBlock(std::string_view raw_height, httplib::Response& res) {
    Result<uint64_t> height = DecodeBlockHeight(raw_height);
    if (!height.ok()) return SendStatus(res, height.status(), InputKind::kParameters);
    Result<Json> block = backend_->GetBlock(*height);
    if (!block.ok()) return SendStatus(res, block.status(), InputKind::kParameters);
    SendJson(res, 200, *block);
  }

  void GetMetrics(httplib::Response& res) {
    std::string text;
    metrics_.AppendText(text);
    AppendBackendMetrics(backend_->GetMetrics(), text);
    res.status = 200;
    res.set_content(text, std::string(kMetricsContentType));
  }

  Backend* const backend_;
  const ServerOptions options_;
  httplib::Server server_;
  HttpMetrics metrics_;

  Mutex mu_;
  std::condition_variable cv_;
  bool accepting_ GUARDED_BY(mu_) = false;  // the accept loop has started
  static constexpr int kListenBacklog = 1024;
  socket_t listen_socket_ = -1;                 // set by httplib's socket-options hook before bind
  bool listener_done_ GUARDED_BY(mu_) = false;  // listen_after_bind() returned

  // Owner thread only.
  bool started_ = false;
  int port_ = -1;  // > 0 once bound
  std::thread listener_;
};

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

}  // namespace frontera::api
