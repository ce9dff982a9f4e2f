#include "api/problem.h"

#include <nlohmann/json.hpp>

#include "common/check.h"

namespace frontera::api {
namespace {

using Json = nlohmann::json;

struct TypeInfo {
  std::string_view slug;
  std::string_view title;
  int status;
};

// RFC 9457 §3.1.3: the title does not change from occurrence to occurrence,
// so it lives here, once per type; the detail carries the occurrence.
TypeInfo Info(ProblemType type) {
  switch (type) {
    case ProblemType::kInvalidDocument:
      return {"invalid-document", "Malformed request document", 400};
    case ProblemType::kInvalidParameter:
      return {"invalid-parameter", "Invalid path or query parameter", 400};
    case ProblemType::kMalformedRequest:
      return {"malformed-request", "Malformed HTTP request", 400};
    case ProblemType::kUnauthenticated:
      return {"unauthenticated", "Request signature refused", 401};
    case ProblemType::kNotAuthorized:
      return {"not-authorized", "Signer not authorized", 403};
    case ProblemType::kNotFound:
      return {"not-found", "Not found", 404};
    case ProblemType::kOperationalEndpoint:
      return {"operational-endpoint", "Served on the operational listener", 404};
    case ProblemType::kMethodNotAllowed:
      return {"method-not-allowed", "Method not allowed", 405};
    case ProblemType::kDuplicate:
      return {"duplicate", "Duplicate document", 409};
    case ProblemType::kPayloadTooLarge:
      return {"payload-too-large", "Request body too large", 413};
    case ProblemType::kUriTooLong:
      return {"uri-too-long", "Request URI too long", 414};
    case ProblemType::kUnsupportedMediaType:
      return {"unsupported-media-type", "Unsupported media type", 415};
    case ProblemType::kRuleViolation:
      return {"rule-violation", "Ledger rule violated", 422};
    case ProblemType::kTooManyRequests:
      return {"too-many-requests", "Too many requests", 429};
    case ProblemType::kInternal:
      return {"internal", "Internal error", 500};
    case ProblemType::kUnavailable:
      return {"unavailable", "Service unavailable", 503};
    case ProblemType::kHttpError:
      return {"http-error", "HTTP error", 0};
  }
  FRONTERA_CHECK(false) << "unknown ProblemType " << static_cast<int>(type);
  return {};
}

Problem Make(ProblemType type, std::string detail, std::vector<FieldError> errors = {}) {
  Problem problem;
  problem.type = type;
  problem.status = Info(type).status;
  problem.detail = detail.empty() ? std::string(Info(type).title) : std::move(detail);
  problem.errors = std::move(errors);
  return problem;
}

}  // namespace

std::string_view ProblemSlug(ProblemType type) { return Info(type).slug; }
std::string_view ProblemTitle(ProblemType type) { return Info(type).title; }
int ProblemHttpStatus(ProblemType type) { return Info(type).status; }

std::string ProblemTypeUri(ProblemType type) {
  return std::string(kProblemTypeBase) + std::string(ProblemSlug(type));
}

std::string Problem::ToJsonText() const {
  Json errors_json = Json::array();
  for (const FieldError& e : errors) {
    errors_json.push_back({{"pointer", e.pointer}, {"reason", e.reason}});
  }
  Json body = {
      {"type", ProblemTypeUri(type)},
      {"title", std::string(ProblemTitle(type))},
      {"status", status},
      {"detail", detail},
      {"errors", std::move(errors_json)},
  };
  // A detail may quote a byte of bad input; answering must not fail on it.
  return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Problem ProblemFromStatus(const Status& status, InputKind input) {
  FRONTERA_CHECK(!status.ok()) << "ProblemFromStatus of an OK status";
  const std::string& detail = status.message();
  const std::vector<FieldError>& errors = status.field_errors();
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      return Make(input == InputKind::kDocument ? ProblemType::kInvalidDocument
                                                : ProblemType::kInvalidParameter,
                  detail, errors);
    case Status::Code::kPermissionDenied:
      return Make(ProblemType::kNotAuthorized, detail, errors);
    case Status::Code::kNotFound:
      return Make(ProblemType::kNotFound, detail, errors);
    case Status::Code::kAlreadyExists:
      return Make(ProblemType::kDuplicate, detail, errors);
    case Status::Code::kResourceExhausted:
      return Make(ProblemType::kTooManyRequests, detail, errors);
    case Status::Code::kFailedPrecondition:
      return Make(ProblemType::kRuleViolation, detail, errors);
    case Status::Code::kUnavailable:
      return Make(ProblemType::kUnavailable, detail, errors);
    case Status::Code::kOk:
    case Status::Code::kCorruption:
    case Status::Code::kIOError:
    case Status::Code::kInternal:
      break;
  }
  // Corruption and I/O failures are the node's fault, not the client's: 500,
  // and the detail says which kind so an operator can grep the node's log.
  return Make(ProblemType::kInternal, std::string(Status::CodeName(status.code())) + ": " + detail,
              errors);
}

Problem ProblemForHttpStatus(int http_status, std::string detail) {
  FRONTERA_CHECK(http_status >= 400 && http_status <= 599) << "not an error: " << http_status;
  switch (http_status) {
    case 400:
      return Make(ProblemType::kMalformedRequest, std::move(detail));
    case 401:
      return Make(ProblemType::kUnauthenticated, std::move(detail));
    case 403:
      return Make(ProblemType::kNotAuthorized, std::move(detail));
    case 404:
      return Make(ProblemType::kNotFound, std::move(detail));
    case 405:
      return Make(ProblemType::kMethodNotAllowed, std::move(detail));
    case 409:
      return Make(ProblemType::kDuplicate, std::move(detail));
    case 413:
      return Make(ProblemType::kPayloadTooLarge, std::move(detail));
    case 414:
      return Make(ProblemType::kUriTooLong, std::move(detail));
    case 415:
      return Make(ProblemType::kUnsupportedMediaType, std::move(detail));
    case 422:
      return Make(ProblemType::kRuleViolation, std::move(detail));
    case 429:
      return Make(ProblemType::kTooManyRequests, std::move(detail));
    case 500:
      return Make(ProblemType::kInternal, std::move(detail));
    case 503:
      return Make(ProblemType::kUnavailable, std::move(detail));
    default:
      break;
  }
  Problem problem = Make(ProblemType::kHttpError, std::move(detail));
  problem.status = http_status;
  return problem;
}

Status StatusFromProblem(int http_status, std::string_view body) {
  FRONTERA_CHECK(http_status < 200 || http_status > 299) << "2xx is not an error";
  std::string message;
  std::vector<FieldError> errors;
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && parsed.contains("title") && parsed["title"].is_string()) {
    message = parsed["title"].get<std::string>();
    if (parsed.contains("detail") && parsed["detail"].is_string()) {
      std::string detail = parsed["detail"].get<std::string>();
      if (!detail.empty() && detail != message) message += ": " + detail;
    }
    if (parsed.contains("errors") && parsed["errors"].is_array()) {
      for (const Json& e : parsed["errors"]) {
        if (!e.is_object()) continue;
        FieldError field;
        if (e.contains("pointer") && e["pointer"].is_string())
          field.pointer = e["pointer"].get<std::string>();
        if (e.contains("reason") && e["reason"].is_string())
          field.reason = e["reason"].get<std::string>();
        errors.push_back(std::move(field));
      }
    }
  } else {
    // Not a problem document (a proxy's HTML page, say): keep enough of it to
    // be recognisable without flooding a terminal.
    constexpr size_t kBodyQuoteBytesMax = 200;
    message = "HTTP " + std::to_string(http_status);
    if (!body.empty()) message += ": " + std::string(body.substr(0, kBodyQuoteBytesMax));
  }

  if (http_status >= 500 && http_status <= 599) return Status::Unavailable(message);
  switch (http_status) {
    case 403:
      return Status::PermissionDenied(message, std::move(errors));
    case 404:
      return Status::NotFound(message);
    case 409:
      return Status::AlreadyExists(message, std::move(errors));
    case 413:
    case 429:
      return Status::ResourceExhausted(message, std::move(errors));
    case 422:
      return Status::FailedPrecondition(message, std::move(errors));
    default:
      break;
  }
  if (http_status >= 400 && http_status <= 499) {
    return Status::InvalidArgument(message, std::move(errors));
  }
  return Status::Internal("unexpected answer " + message);
}

}  // namespace frontera::api
