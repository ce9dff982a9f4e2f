#include "api/routes.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "api/openapi.h"
#include "crypto/jcs.h"
#include "ledger/genesis.h"
#include "ledger/gs1.h"

namespace frontera::api {
namespace {

constexpr size_t kPathParamBytesMax = 256;

constexpr std::array<RouteSpec, 33> kRoutes = {{
    {Route::kCertificates, "POST", "/v1/certificates"},
    {Route::kCertificate, "GET", "/v1/certificates/{id}"},
    {Route::kEvents, "POST", "/v1/certificates/{id}/events"},
    {Route::kRevocation, "POST", "/v1/certificates/{id}/revocation"},
    {Route::kProof, "GET", "/v1/certificates/{id}/proof"},
    {Route::kCheckpoint, "GET", "/v1/checkpoint"},
    {Route::kConsistency, "GET", "/v1/proofs/consistency"},
    {Route::kLeafProof, "GET", "/v1/proofs/inclusion"},
    {Route::kBlock, "GET", "/v1/blocks/{height}"},
    {Route::kParties, "GET", "/v1/parties"},
    {Route::kRegistry, "POST", "/v1/parties"},
    {Route::kParty, "GET", "/v1/parties/{did}"},
    {Route::kValidators, "GET", "/v1/validators"},
    {Route::kValidatorChange, "POST", "/v1/validators"},
    {Route::kLabelSvg, "GET", "/v1/certificates/{id}/qr.svg"},
    {Route::kLabelPng, "GET", "/v1/certificates/{id}/qr.png"},
    {Route::kTrustBundle, "GET", "/v1/trust-bundle"},
    // GS1 Digital Link resolver (docs/formats.md §8 "QR label", docs/api.md
    // "Resolver"): the paths of the labels this network's issuers sign.
    {Route::kResolveProduct, "GET", "/01/{gtin}/10/{lot}/21/{serial}"},
    {Route::kResolveConsignment, "GET", "/00/{sscc}"},
    {Route::kStatus, "GET", "/v1/status"},
    {Route::kHealthz, "GET", "/healthz"},
    {Route::kMetrics, "GET", "/metrics"},
    {Route::kOpenApi, "GET", "/v1/openapi.json"},
    {Route::kAudit, "GET", "/v1/audit"},
    {Route::kBackup, "POST", "/v1/backup"},
    // The GS1 EPCIS 2.0 REST binding's events query, under /epcis.
    {Route::kEpcisEvents, "GET", "/epcis/events"},
    {Route::kTlogCheckpoint, "GET", "/tlog/checkpoint"},
    {Route::kTlogTile, "GET", "/tlog/tile/{tile_path}"},
    // DSCSA verification (docs/api.md#vrs).
    {Route::kVrsProduct, "GET", "/vrs/gtin/{gtin}/lot/{lot}/ser/{serial}"},
    {Route::kVrsProductNumeric, "GET", "/vrs/01/{gtin}/10/{lot}/21/{serial}"},
    {Route::kVrsConnectivity, "GET", "/vrs/checkConnectivity"},
    // Illegitimate-product notices (docs/formats.md §18).
    {Route::kNotices, "POST", "/v1/notices"},
    {Route::kNotice, "GET", "/v1/notices/{id}"},
}};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A non-negative decimal integer that fits in 64 bits: digits only, no sign,
// no spaces.
std::optional<std::string> DecimalProblem(std::string_view text, uint64_t& value) {
  if (text.empty()) return "must not be empty: expected a decimal integer";
  for (char c : text) {
    if (c < '0' || c > '9') return "expected a decimal integer (digits 0-9 only)";
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) return "exceeds 18446744073709551615 (2^64 - 1)";
  if (ec != std::errc() || end != text.data() + text.size()) return "expected a decimal integer";
  return std::nullopt;
}

}  // namespace

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

std::span<const RouteSpec> Routes() { return kRoutes; }

bool ServedOn(Route route, Surface surface) {
  if (route == Route::kHealthz) return true;
  // Topology, peer addresses, Raft state and queue depths are for the
  // operators of this node, not for whoever reaches the public API; so is
  // writing a backup on its disk.
  const bool operational =
      route == Route::kStatus || route == Route::kMetrics || route == Route::kBackup;
  return operational == (surface == Surface::kOperational);
}

std::vector<std::pair<std::string, std::string>> RouteTable() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const RouteSpec& spec : kRoutes) out.emplace_back(spec.method, spec.pattern);
  return out;
}

Target SplitTarget(std::string_view target) {
  Target out;
  size_t end = target.find('#');
  if (end != std::string_view::npos) target = target.substr(0, end);
  size_t q = target.find('?');
  out.path = target.substr(0, q);
  if (q != std::string_view::npos) out.query = target.substr(q + 1);
  return out;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int hi = HexValue(text[i + 1]);
    int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

RouteMatch MatchPath(std::string_view path, std::string_view method) {
  std::vector<std::string_view> segments = SplitSegments(path);
  RouteMatch first;
  for (const RouteSpec& spec : kRoutes) {
    std::vector<std::string_view> pattern = SplitSegments(spec.pattern);
    const bool rest = TakesRestOfPath(spec.route);
    if (rest ? segments.size() < pattern.size() : pattern.size() != segments.size()) continue;
    RouteMatch match;
    bool ok = true;
    for (size_t i = 0; i < pattern.size() && ok; ++i) {
      if (pattern[i].starts_with('{')) {
        match.param_name = pattern[i].substr(1, pattern[i].size() - 2);
        // The last parameter of such a route runs to the end of the path.
        match.param_raw = rest && i + 1 == pattern.size()
                              ? path.substr(static_cast<size_t>(segments[i].data() - path.data()))
                              : segments[i];
        ok = !segments[i].empty();
      } else {
        // RFC 3986 §6.2.2.2: a percent-encoded unreserved character is the
        // character itself, so "/v1/%63heckpoint" names the same resource.
        std::optional<std::string> literal = PercentDecode(segments[i]);
        ok = literal.has_value() && *literal == pattern[i];
      }
    }
    if (ok) {
      match.spec = &spec;
      if (MethodAllowed(spec, method)) return match;
      if (first.spec == nullptr) first = match;
    }
  }
  return first;
}

bool TakesRestOfPath(Route route) { return route == Route::kTlogTile; }

bool MethodAllowed(const RouteSpec& spec, std::string_view method) {
  if (spec.method == "GET") return method == "GET" || method == "HEAD";
  return method == spec.method;
}

std::string AllowHeader(const RouteSpec& spec) {
  std::string out;
  for (const RouteSpec& other : kRoutes) {
    if (other.pattern != spec.pattern) continue;
    if (!out.empty()) out += ", ";
    out += other.method == "GET" ? "GET, HEAD" : std::string(other.method);
  }
  return out;
}

bool ReadsLedger(Route route) {
  switch (route) {
    case Route::kCertificate:
    case Route::kProof:
    case Route::kCheckpoint:
    case Route::kConsistency:
    case Route::kLeafProof:
    case Route::kBlock:
    case Route::kLabelSvg:
    case Route::kLabelPng:
    case Route::kTrustBundle:
    case Route::kResolveProduct:
    case Route::kResolveConsignment:
    case Route::kParties:
    case Route::kParty:
    case Route::kValidators:
    case Route::kEpcisEvents:
    case Route::kTlogCheckpoint:
    case Route::kTlogTile:
    case Route::kVrsProduct:
    case Route::kVrsProductNumeric:
    case Route::kVrsConnectivity:
    case Route::kNotice:
      return true;
    case Route::kCertificates:
    case Route::kEvents:
    case Route::kRevocation:
    case Route::kRegistry:
    case Route::kValidatorChange:
    case Route::kStatus:
    case Route::kHealthz:
    case Route::kMetrics:
    case Route::kOpenApi:
    case Route::kAudit:
    case Route::kBackup:
    case Route::kNotices:
      return false;
  }
  return false;
}

bool IsLabelPath(std::string_view path) {
  std::vector<std::string_view> segments = SplitSegments(path);
  if (segments.size() < 2) return false;
  std::optional<std::string> first = PercentDecode(segments[0]);
  return first.has_value() && (*first == "01" || *first == "00");
}

Result<std::string> DecodeIdParam(std::string_view name, std::string_view raw) {
  std::string pointer = "/path/" + std::string(name);
  std::optional<std::string> decoded = PercentDecode(raw);
  if (!decoded) {
    return Status::InvalidArgument(
        "path parameter " + std::string(name) + " has a malformed percent-encoding",
        {{pointer, "every \"%\" must be followed by two hexadecimal digits (RFC 3986 §2.1)"}});
  }
  if (decoded->empty() || decoded->size() > kPathParamBytesMax) {
    return Status::InvalidArgument(
        "path parameter " + std::string(name) + " has " + std::to_string(decoded->size()) +
            " bytes",
        {{pointer, "must be 1 to " + std::to_string(kPathParamBytesMax) + " bytes once decoded"}});
  }
  for (char c : *decoded) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return Status::InvalidArgument(
          "path parameter " + std::string(name) + " contains a control character",
          {{pointer, "control characters (U+0000..U+001F, U+007F) are not allowed"}});
    }
  }
  if (!crypto::IsWellFormedUtf8(*decoded)) {
    return Status::InvalidArgument("path parameter " + std::string(name) + " is not UTF-8",
                                   {{pointer, "must decode to well-formed UTF-8"}});
  }
  return *std::move(decoded);
}

Result<uint64_t> DecodeBlockHeight(std::string_view raw) {
  uint64_t height = 0;
  std::optional<std::string> decoded = PercentDecode(raw);
  std::optional<std::string> problem =
      decoded ? DecimalProblem(*decoded, height)
              : std::optional<std::string>("malformed percent-encoding");
  if (problem) {
    return Status::InvalidArgument("block height must be a decimal integer",
                                   {{"/path/height", *problem}});
  }
  return height;
}

QueryParams ParseQuery(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> key = PercentDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (!key) continue;
    if (!value) {
      out.errors.push_back({"/query/" + *key, "malformed percent-encoding"});
      continue;
    }
    out.values[*key].push_back(*value);
  }
  return out;
}

Result<uint64_t> ParseLeafIndexQuery(std::string_view query) {
  QueryParams query_params = ParseQuery(query);
  std::vector<FieldError>& errors = query_params.errors;
  uint64_t leaf_index = 0;
  auto it = query_params.values.find("leaf_index");
  if (it == query_params.values.end()) {
    if (errors.empty()) {
      errors.push_back({"/query/leaf_index", "required: a leaf index (decimal integer)"});
    }
  } else if (it->second.size() > 1) {
    errors.push_back({"/query/leaf_index", "given more than once"});
  } else if (std::optional<std::string> problem = DecimalProblem(it->second[0], leaf_index)) {
    errors.push_back({"/query/leaf_index", *problem});
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("query parameter leaf_index must be a decimal leaf index",
                                   std::move(errors));
  }
  return leaf_index;
}

Result<ConsistencyQuery> ParseConsistencyQuery(std::string_view query) {
  // Each parameter at most once, since two values for one size would make
  // the answer ambiguous.
  QueryParams query_params = ParseQuery(query);
  std::map<std::string, std::vector<std::string>>& params = query_params.values;
  std::vector<FieldError>& errors = query_params.errors;
  uint64_t sizes[2] = {0, 0};
  const char* names[2] = {"first", "second"};
  for (int i = 0; i < 2; ++i) {
    std::string pointer = std::string("/query/") + names[i];
    auto it = params.find(names[i]);
    if (it == params.end()) {
      if (std::none_of(errors.begin(), errors.end(),
                       [&](const FieldError& e) { return e.pointer == pointer; })) {
        errors.push_back({pointer, "required: a tree size (decimal integer)"});
      }
      continue;
    }
    if (it->second.size() > 1) {
      errors.push_back({pointer, "given more than once"});
      continue;
    }
    if (std::optional<std::string> problem = DecimalProblem(it->second[0], sizes[i])) {
      errors.push_back({pointer, *problem});
    }
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("query parameters first and second must be decimal tree sizes",
                                   std::move(errors));
  }
  return ConsistencyQuery{sizes[0], sizes[1]};
}

std::optional<std::string> SingleValue(QueryParams& params, const std::string& name) {
  auto it = params.values.find(name);
  if (it == params.values.end()) return std::nullopt;
  if (it->second.size() > 1) {
    params.errors.push_back({"/query/" + name, "given more than once"});
    return std::nullopt;
  }
  return it->second[0];
}

namespace {

// `limit` of a paged query: absent leaves `out` as is.
void ParseLimit(QueryParams& params, size_t max, size_t& out) {
  auto limit = SingleValue(params, "limit");
  if (!limit) return;
  uint64_t value = 0;
  if (std::optional<std::string> problem = DecimalProblem(*limit, value)) {
    params.errors.push_back({"/query/limit", *problem});
  } else if (value < 1 || value > max) {
    params.errors.push_back({"/query/limit", "must be 1 to " + std::to_string(max)});
  } else {
    out = static_cast<size_t>(value);
  }
}

}  // namespace

Result<PartiesQuery> ParsePartiesQuery(std::string_view query) {
  QueryParams query_params = ParseQuery(query);
  std::vector<FieldError>& errors = query_params.errors;
  PartiesQuery out;
  auto single = [&](const std::string& name) { return SingleValue(query_params, name); };
  if (auto role = single("role")) {
    if (!ledger::RoleFromName(*role)) {
      errors.push_back({"/query/role",
                        "must be one of manufacturer, shipper, carrier, distributor, pharmacy, "
                        "importer, agency"});
    }
    out.role = *role;
  }
  if (auto country = single("country")) {
    if (!ledger::gs1::IsCountryCode(*country)) {
      errors.push_back({"/query/country", "must be an ISO 3166-1 alpha-2 code, such as CA"});
    }
    out.country = *country;
  }
  if (auto after = single("after")) {
    if (after->empty() || after->size() > kPathParamBytesMax) {
      errors.push_back({"/query/after", "must be the did:key a previous page named as next"});
    }
    out.after = *after;
  }
  ParseLimit(query_params, kPartiesPageMax, out.limit);
  if (!errors.empty()) {
    return Status::InvalidArgument("the query of GET /v1/parties is not valid", std::move(errors));
  }
  return out;
}

Result<AuditQueryParams> ParseAuditQuery(std::string_view query) {
  QueryParams params = ParseQuery(query);
  AuditQueryParams out;
  if (auto reader = SingleValue(params, "reader")) {
    if (!reader->starts_with("did:key:z") || reader->size() > kPathParamBytesMax) {
      params.errors.push_back({"/query/reader", "must be the did:key of a reader"});
    }
    out.reader = *reader;
  }
  if (auto record = SingleValue(params, "record")) {
    if (record->empty() || record->size() > kPathParamBytesMax) {
      params.errors.push_back({"/query/record", "must be a record id of 1 to " +
                                                    std::to_string(kPathParamBytesMax) + " bytes"});
    }
    out.record = *record;
  }
  if (auto after = SingleValue(params, "after")) {
    if (std::optional<std::string> problem = DecimalProblem(*after, out.after)) {
      params.errors.push_back({"/query/after", *problem});
    }
  }
  ParseLimit(params, kAuditPageMax, out.limit);
  if (!params.errors.empty()) {
    return Status::InvalidArgument("the query of GET /v1/audit is not valid",
                                   std::move(params.errors));
  }
  return out;
}

Result<int> ParseModulePxQuery(std::string_view query, int default_px, int min, int max) {
  const std::string pointer = "/query/module_px";
  const std::string range = std::to_string(min) + " to " + std::to_string(max);
  QueryParams params = ParseQuery(query);
  std::vector<FieldError> errors;
  for (const FieldError& e : params.errors) {
    if (e.pointer == pointer) errors.push_back(e);
  }
  int module_px = default_px;
  auto it = params.values.find("module_px");
  if (it != params.values.end()) {
    uint64_t value = 0;
    if (it->second.size() > 1) {
      errors.push_back({pointer, "given more than once"});
    } else if (std::optional<std::string> problem = DecimalProblem(it->second[0], value)) {
      errors.push_back({pointer, *problem + " of pixels per module, " + range});
    } else if (value < static_cast<uint64_t>(min) || value > static_cast<uint64_t>(max)) {
      errors.push_back({pointer, "is " + std::to_string(value) + "; must be " + range});
    } else {
      module_px = static_cast<int>(value);
    }
  }
  if (!errors.empty()) {
    return Status::InvalidArgument(
        "query parameter module_px must be a whole number of pixels per module, " + range,
        std::move(errors));
  }
  return module_px;
}

std::string MediaType(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  while (!content_type.empty() && (content_type.front() == ' ' || content_type.front() == '\t')) {
    content_type.remove_prefix(1);
  }
  while (!content_type.empty() && (content_type.back() == ' ' || content_type.back() == '\t')) {
    content_type.remove_suffix(1);
  }
  std::string out(content_type);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool PrefersJson(std::string_view accept) {
  double json_q = 0;
  double html_q = 0;
  while (!accept.empty()) {
    std::string_view range = accept.substr(0, accept.find(','));
    accept.remove_prefix(std::min(accept.size(), range.size() + 1));
    std::string media_type = MediaType(range);
    double q = 1;
    // RFC 9110 §12.4.2: weight = OWS ";" OWS "q=" qvalue, case-insensitive.
    size_t semicolon = range.find(';');
    while (semicolon != std::string_view::npos) {
      std::string_view param = range.substr(semicolon + 1);
      size_t next = param.find(';');
      std::string_view text = param.substr(0, next);
      while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
      if (text.size() >= 2 && (text[0] == 'q' || text[0] == 'Q') && text[1] == '=') {
        text.remove_prefix(2);
        while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
        double value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        q = ec == std::errc() && end == text.data() + text.size() && value >= 0 && value <= 1
                ? value
                : 0;
      }
      semicolon = next == std::string_view::npos ? next : semicolon + 1 + next;
    }
    if (media_type == "application/json") json_q = std::max(json_q, q);
    if (media_type == "text/html") html_q = std::max(html_q, q);
  }
  return json_q > 0 && json_q > html_q;
}

}  // namespace frontera::api
