// The API's routes (docs/api.md §2) and the parsing of request targets:
// a path to its route and parameter, percent-decoding, query strings, and
// the invalid-parameter statuses of malformed parameters. No HTTP library
// here: api/server.cc wires these to cpp-httplib.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace frontera::api {

// One route per path and method (GET and POST /v1/parties are two); HEAD is
// served wherever GET is.
enum class Route {
  kCertificates,
  kCertificate,
  kEvents,
  kRevocation,
  kProof,
  kCheckpoint,
  kConsistency,
  kLeafProof,
  kBlock,
  kParties,
  kRegistry,  // POST /v1/parties: a registry document
  kParty,
  kValidators,       // GET /v1/validators
  kValidatorChange,  // POST /v1/validators: a validator change (a registry document)
  kLabelSvg,
  kLabelPng,
  kTrustBundle,
  kResolveProduct,
  kResolveConsignment,
  kStatus,
  kHealthz,
  kMetrics,
  kOpenApi,
  kAudit,        // GET /v1/audit: the validator's audit trail of full-view reads
  kBackup,       // POST /v1/backup: a backup of the node's data (operational listener)
  kEpcisEvents,  // GET /epcis/events: the EPCIS 2.0 events query (docs/api.md §12)
  // The Merkle log as C2SP tlog-tiles (docs/api.md "Transparency log tiles").
  kTlogCheckpoint,  // GET /tlog/checkpoint
  kTlogTile,        // GET /tlog/tile/{tile_path}: {tile_path} is the rest of the path
  // DSCSA verification (api/vrs.h): both Digital Link forms and the
  // connectivity check, under /vrs.
  kVrsProduct,
  kVrsProductNumeric,
  kVrsConnectivity,
  kNotices,  // POST /v1/notices: an illegitimate-product notice
  kNotice,   // GET /v1/notices/{id}
};

struct RouteSpec {
  Route route;
  std::string_view method;   // "GET" or "POST"
  std::string_view pattern;  // "/"-separated; a segment "{name}" is a parameter
};

// The two listeners of a node (docs/api.md "Listeners"): the public API, and
// the operational listener ([ops], loopback by default) that alone serves
// the detailed status and the metrics.
enum class Surface { kPublic, kOperational };

// Whether a server of `surface` answers `route`: /healthz on both,
// /v1/status, /metrics and /v1/backup on the operational listener only, every other
// route on the public API only.
bool ServedOn(Route route, Surface surface);

// Every route, in matching order.
std::span<const RouteSpec> Routes();

// The request target split at "?" (RFC 9112 §3.2: origin-form is
// absolute-path [ "?" query ]); a fragment a sloppy client sent is dropped.
struct Target {
  std::string_view path;
  std::string_view query;
};
Target SplitTarget(std::string_view target);

// The segments of an absolute path ("/a/b/" → "a", "b", ""); none when
// `path` does not start with "/". Segments are not decoded.
std::vector<std::string_view> SplitSegments(std::string_view path);

// RFC 3986 §2.1: "%" HEXDIG HEXDIG is one octet; "+" stays itself (it is a
// space only in HTML form encoding). nullopt for a malformed "%".
std::optional<std::string> PercentDecode(std::string_view text);

struct RouteMatch {
  const RouteSpec* spec = nullptr;  // null: no route has this path
  std::string_view param_name;      // "" when the pattern has no parameter
  std::string_view param_raw;       // the parameter segment as sent (percent-encoded)
};
// The route of a path (without its query) for `method`: of the routes of the
// path, the one that takes the method, else the first (whose MethodAllowed
// is then false). Literal segments match once percent-decoded (RFC 3986
// §6.2.2.2); a parameter segment must not be empty. The parameter of a
// route that TakesRestOfPath is everything after the literal segments
// before it, slashes included ("tile/0/x001/067.p/8" of /tlog/tile/…).
RouteMatch MatchPath(std::string_view path, std::string_view method = "GET");

// True for a route whose last parameter spans the rest of the path (a tlog
// tile path has a variable number of segments).
bool TakesRestOfPath(Route route);

// Whether `method` may be used on the route (HEAD wherever GET).
bool MethodAllowed(const RouteSpec& spec, std::string_view method);
// The Allow header of a 405 on the route's path: "GET, HEAD", "POST" or
// "GET, HEAD, POST".
std::string AllowHeader(const RouteSpec& spec);

// True for the GET routes whose answer depends on the replicated ledger
// state (the genesis-only party registry and the node's status do not).
bool ReadsLedger(Route route);

// True for a GS1 Digital Link path the resolver serves or would serve: its
// first segment is "01" or "00" (percent-decoded), whatever follows. Errors
// on such paths are answered as a page to a browser (docs/api.md#resolver).
bool IsLabelPath(std::string_view path);

// A path identifier ({id}, {did}): percent-decoded, 1..256 bytes, no control
// characters, well-formed UTF-8; otherwise kInvalidArgument at /path/<name>.
Result<std::string> DecodeIdParam(std::string_view name, std::string_view raw);

// {height} of /v1/blocks/{height}: a percent-decoded decimal integer;
// otherwise kInvalidArgument at /path/height.
Result<uint64_t> DecodeBlockHeight(std::string_view raw);

// application/x-www-form-urlencoded pairs of a query, percent-decoded. A
// value with a malformed encoding is an error at "/query/<name>"; a name
// that cannot be decoded is not one we know, whatever it is.
struct QueryParams {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<FieldError> errors;
};
QueryParams ParseQuery(std::string_view query);
// The single value of `name` in `params`, or nullopt: absent, or given more
// than once (then an error is added to params.errors).
std::optional<std::string> SingleValue(QueryParams& params, const std::string& name);

// GET /v1/proofs/inclusion: exactly one decimal leaf_index.
Result<uint64_t> ParseLeafIndexQuery(std::string_view query);

// GET /v1/proofs/consistency: exactly one decimal `first` and `second`.
struct ConsistencyQuery {
  uint64_t first = 0;
  uint64_t second = 0;
};
Result<ConsistencyQuery> ParseConsistencyQuery(std::string_view query);

// GET /v1/parties: the registered parties in DID order, optionally of one
// role and one country, a page of `limit` after the DID `after` (the previous
// page's `next`).
inline constexpr size_t kPartiesPageDefault = 100;
inline constexpr size_t kPartiesPageMax = 1000;
struct PartiesQuery {
  std::string role;     // a role name (ledger::RoleName), or empty: every role
  std::string country;  // ISO 3166-1 alpha-2, or empty: every country
  std::string after;    // empty: from the first
  size_t limit = kPartiesPageDefault;
};
// Each parameter at most once; role one of the roles, country two capital
// letters, limit 1..kPartiesPageMax; otherwise kInvalidArgument naming
// /query/<name>.
Result<PartiesQuery> ParsePartiesQuery(std::string_view query);

// GET /v1/audit: the entries after `after` (a seq), optionally of one
// reader (a did:key) and one record, at most `limit`.
inline constexpr size_t kAuditPageDefault = 100;
inline constexpr size_t kAuditPageMax = 100'000;
struct AuditQueryParams {
  std::string reader;  // empty: every reader
  std::string record;  // empty: every record
  uint64_t after = 0;
  size_t limit = kAuditPageDefault;
};
// Each parameter at most once; reader a did:key, record 1..256 bytes,
// after a decimal, limit 1..kAuditPageMax; otherwise kInvalidArgument
// naming /query/<name>.
Result<AuditQueryParams> ParseAuditQuery(std::string_view query);

// GET /v1/certificates/{id}/qr.png: module_px from `min` to `max`, or
// `default_px` when absent. Only errors about module_px count.
Result<int> ParseModulePxQuery(std::string_view query, int default_px, int min, int max);

// Media type of a Content-Type value, lower-cased, without parameters
// (RFC 9110 §8.3.1: type and subtype are case-insensitive).
std::string MediaType(std::string_view content_type);

// RFC 9110 §12.5.1: whether a client that sent this Accept header would
// rather have JSON than HTML. "application/json" must be named with a weight
// above text/html's: "*/*", an empty header and a tie get the page.
bool PrefersJson(std::string_view accept);

}  // namespace frontera::api
