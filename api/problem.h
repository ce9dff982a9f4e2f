// Problem details for HTTP APIs (RFC 9457): how Frontera's API reports every
// non-2xx answer, and how a client turns one back into a Status.
//
// A problem is `application/problem+json`:
//   {"type": "https://frontera.example/problems/<slug>", "title": <fixed per
//    type>, "status": <HTTP status>, "detail": <what went wrong this time>,
//    "errors": [{"pointer": <RFC 6901 pointer into the request>, "reason": …}]}
// Pointers name the request body ("/credentialSubject/gtin"), a path
// parameter ("/path/id") or a query parameter ("/query/first").
// The full table of types is in docs/api.md.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace frontera::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypeBase = "https://frontera.example/problems/";

enum class ProblemType {
  kInvalidDocument,       // 400: the request body is malformed or breaks the schema
  kInvalidParameter,      // 400: a path or query parameter is malformed or out of range
  kMalformedRequest,      // 400: the HTTP request itself could not be parsed or read
  kUnauthenticated,       // 401: the request's signature is refused (docs/api.md §9)
  kNotAuthorized,         // 403
  kNotFound,              // 404: unknown resource or unknown path
  kOperationalEndpoint,   // 404: /v1/status, /metrics: served on the operational listener only
  kMethodNotAllowed,      // 405 (with an Allow header)
  kDuplicate,             // 409
  kPayloadTooLarge,       // 413
  kUriTooLong,            // 414
  kUnsupportedMediaType,  // 415
  kRuleViolation,         // 422
  kTooManyRequests,       // 429 (with Retry-After)
  kInternal,              // 500
  kUnavailable,           // 503 (with Retry-After)
  kHttpError,             // any other HTTP error status produced by the transport
};

// The URI slug ("invalid-document"), fixed title, and the HTTP status of a
// type (kHttpError: 0, its status is carried by the Problem).
std::string_view ProblemSlug(ProblemType type);
std::string_view ProblemTitle(ProblemType type);
int ProblemHttpStatus(ProblemType type);
// kProblemTypeBase + slug.
std::string ProblemTypeUri(ProblemType type);

struct Problem {
  ProblemType type = ProblemType::kInternal;
  int status = 500;    // HTTP status; equals ProblemHttpStatus(type) unless kHttpError
  std::string detail;  // this occurrence; never empty
  std::vector<FieldError> errors;

  // The application/problem+json body (nlohmann's compact form; `errors`
  // always present, possibly empty). Invalid UTF-8 in detail or reasons is
  // replaced by U+FFFD rather than failing.
  std::string ToJsonText() const;
};

// What a 400 (kInvalidArgument) is about: the request body or its path/query.
enum class InputKind { kDocument, kParameters };

// Maps a failed Status to a problem (docs/api.md "Status codes"):
// InvalidArgument 400, PermissionDenied 403, NotFound 404, AlreadyExists 409,
// ResourceExhausted 429, FailedPrecondition 422, Unavailable 503, others 500.
// REQUIRES: !status.ok().
Problem ProblemFromStatus(const Status& status, InputKind input);

// A problem for an error status the HTTP transport produced itself (bad request
// line, over-long URI, body too large, unknown method): picks the matching
// type or kHttpError. REQUIRES: 400 <= http_status <= 599.
Problem ProblemForHttpStatus(int http_status, std::string detail);

// Client side: the Status for a non-2xx answer (client.h's table): 400 and
// other 4xx → kInvalidArgument, 403 → kPermissionDenied, 404 → kNotFound, 409
// → kAlreadyExists, 413/429 → kResourceExhausted, 422 → kFailedPrecondition,
// 5xx → kUnavailable, anything else (1xx, 3xx) → kInternal. The message is
// "<title>: <detail>" of the problem body; its `errors` become field errors
// where the Status code can carry them. A body that is not a problem yields
// "HTTP <status>: <first 200 bytes of body>". REQUIRES: http_status is not 2xx.
Status StatusFromProblem(int http_status, std::string_view body);

}  // namespace frontera::api
