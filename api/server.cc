#include "api/server.h"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "api/client.h"
#include "api/label_image.h"
#include "api/openapi.h"
#include "api/problem.h"
#include "common/check.h"
#include "common/encoding.h"
#include "common/mutex.h"
#include "crypto/jcs.h"
#include "crypto/json.h"

namespace frontera::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kJsonContentType = "application/json";
constexpr std::string_view kTextContentType = "text/plain; charset=utf-8";
// Prometheus text exposition format 0.0.4.
constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kHtmlContentType = "text/html; charset=utf-8";
constexpr std::string_view kSvgContentType = "image/svg+xml";
constexpr std::string_view kPngContentType = "image/png";
// A certificate's label never changes once issued; five minutes bounds how
// long a shared cache can serve an image of a mistaken route or backend.
constexpr std::string_view kLabelImageCacheControl = "public, max-age=300";
// The verdict changes with the ledger (a revocation, a new event): a cache
// must ask again each time.
constexpr std::string_view kResolverCacheControl = "no-cache";
// The verification page has inline CSS and nothing else: no scripts, no
// images, no external resources, no forms, not framed.
constexpr std::string_view kPageSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";
constexpr size_t kPathParamBytesMax = 256;

// ---------------------------------------------------------------------------
// Routes (docs/api.md §2). One method per path; HEAD is served wherever GET is.

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
  kParty,
  kLabelSvg,
  kLabelPng,
  kTrustBundle,
  kResolveProduct,
  kResolveConsignment,
  kStatus,
  kHealthz,
  kMetrics,
  kOpenApi,
};

struct RouteSpec {
  Route route;
  std::string_view method;   // "GET" or "POST"
  std::string_view pattern;  // "/"-separated; a segment "{name}" is a parameter
};

constexpr std::array<RouteSpec, 19> kRoutes = {{
    {Route::kCertificates, "POST", "/v1/certificates"},
    {Route::kCertificate, "GET", "/v1/certificates/{id}"},
    {Route::kEvents, "POST", "/v1/certificates/{id}/events"},
    {Route::kRevocation, "POST", "/v1/certificates/{id}/revocation"},
    {Route::kProof, "GET", "/v1/certificates/{id}/proof"},
    {Route::kCheckpoint, "GET", "/v1/checkpoint"},
    {Route::kConsistency, "GET", "/v1/proofs/consistency"},
    {Route::kLeafProof, "GET", "/v1/proofs/inclusion"},
    {Route::kBlock, "GET", "/v1/blocks/{height}"},
    {Route::kParty, "GET", "/v1/parties/{did}"},
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
}};

// The request target split at "?" (RFC 9112 §3.2: origin-form is
// absolute-path [ "?" query ]). A fragment never reaches a server, but a
// sloppy client may send one; it is not part of the path.
struct Target {
  std::string_view path;
  std::string_view query;
};

Target SplitTarget(std::string_view target) {
  Target out;
  size_t end = target.find('#');
  if (end != std::string_view::npos) target = target.substr(0, end);
  size_t q = target.find('?');
  out.path = target.substr(0, q);
  if (q != std::string_view::npos) out.query = target.substr(q + 1);
  return out;
}

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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1: "%" HEXDIG HEXDIG is one octet. "+" is not a space in a
// path (that is HTML form encoding), so it stays itself.
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

// The request header that picks a read's consistency (docs/api.md#read-consistency).
constexpr std::string_view kConsistencyHeader = "Frontera-Consistency";

// True for the GET routes whose answer depends on the replicated ledger state
// (the genesis-only party registry and the node's own status do not).
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
      return true;
    case Route::kCertificates:
    case Route::kEvents:
    case Route::kRevocation:
    case Route::kParty:
    case Route::kStatus:
    case Route::kHealthz:
    case Route::kMetrics:
    case Route::kOpenApi:
      return false;
  }
  return false;
}

struct RouteMatch {
  const RouteSpec* spec = nullptr;  // null: no route has this path
  std::string_view param_name;      // "" when the pattern has no parameter
  std::string_view param_raw;       // the parameter segment as sent (percent-encoded)
};

RouteMatch MatchPath(std::string_view path) {
  std::vector<std::string_view> segments = SplitSegments(path);
  for (const RouteSpec& spec : kRoutes) {
    std::vector<std::string_view> pattern = SplitSegments(spec.pattern);
    if (pattern.size() != segments.size()) continue;
    RouteMatch match;
    bool ok = true;
    for (size_t i = 0; i < pattern.size() && ok; ++i) {
      if (pattern[i].starts_with('{')) {
        match.param_name = pattern[i].substr(1, pattern[i].size() - 2);
        match.param_raw = segments[i];
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
      return match;
    }
  }
  return RouteMatch{};
}

bool MethodAllowed(const RouteSpec& spec, std::string_view method) {
  if (spec.method == "GET") return method == "GET" || method == "HEAD";
  return method == spec.method;
}

std::string AllowHeader(const RouteSpec& spec) {
  return spec.method == "GET" ? "GET, HEAD" : std::string(spec.method);
}

// An identifier from the path: percent-decoded, 1..256 bytes, no control
// characters (they would end up in logs and problem details).
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

// Media type of a Content-Type value, lower-cased, without parameters
// (RFC 9110 §8.3.1: type and subtype are case-insensitive).
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

// application/x-www-form-urlencoded pairs of a query, percent-decoded. A
// value with a malformed encoding is an error at "/query/<name>"; a name
// that cannot be decoded is not one we know, whatever it is.
struct QueryParams {
  std::map<std::string, std::vector<std::string>> values;
  std::vector<FieldError> errors;
};

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

// RFC 9110 §12.5.1: whether a client that sent this Accept header would
// rather have JSON than HTML. The media ranges' weights are compared;
// "application/json" must be named (a "*/*" from curl or a browser gets the
// page), and on a tie HTML wins, since a person is then likely reading.
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

// ---------------------------------------------------------------------------
// The resolver's verification page (docs/api.md "Resolver"): what a phone
// shows after its camera opened a label. Every text that comes from the
// ledger or the label is escaped: an issuer chooses its product names.

// The member at `path` of nested objects, or null when any step is missing
// or not an object.
const Json& Member(const Json& json, std::initializer_list<std::string_view> path) {
  static const Json kNull;
  const Json* at = &json;
  for (std::string_view key : path) {
    if (!at->is_object()) return kNull;
    auto it = at->find(key);
    if (it == at->end()) return kNull;
    at = &*it;
  }
  return *at;
}

// A JSON scalar as display text: strings as they are, numbers and booleans
// as JSON writes them, anything else "".
std::string Scalar(const Json& json) {
  if (json.is_string()) return json.get<std::string>();
  if (json.is_number() || json.is_boolean()) return json.dump();
  return "";
}

// The first of `candidates` that has display text.
std::string FirstScalar(std::initializer_list<const Json*> candidates) {
  for (const Json* json : candidates) {
    std::string text = Scalar(*json);
    if (!text.empty()) return text;
  }
  return "";
}

// Colour of a verdict's banner: green only for AUTHENTIC, amber for EXPIRED
// (genuine, but not to be used), red for everything else, including a
// verdict this page does not know.
std::string_view VerdictColour(std::string_view verdict) {
  if (verdict == "AUTHENTIC") return "green";
  if (verdict == "EXPIRED") return "amber";
  return "red";
}

// "did:key:z6MkrmyC…Lzf3": enough to tell keys apart on a phone's screen.
std::string ShortDid(std::string_view did) {
  if (did.size() <= 28) return std::string(did);
  return std::string(did.substr(0, 16)) + "\u2026" + std::string(did.substr(did.size() - 4));
}

// A party as "Name (CC)", from the answer's `parties` names; the shortened
// did when the ledger has no name for it.
std::string PartyHtml(const Json& parties, const std::string& did) {
  const Json& party = Member(parties, {did});
  std::string name = Scalar(Member(party, {"name"}));
  std::string country = Scalar(Member(party, {"country"}));
  if (name.empty()) {
    return "<span title=\"" + EscapeMarkup(did) + "\">" + EscapeMarkup(ShortDid(did)) + "</span>";
  }
  std::string out = EscapeMarkup(name);
  if (!country.empty()) out += " (" + EscapeMarkup(country) + ")";
  return out;
}

// EPCIS bizStep for people: CBV words as they are, Frontera's customs URIs
// (docs/formats.md §6.1) by their last segment, "_" read as a space.
std::string BizStepText(std::string_view biz_step) {
  constexpr std::string_view kOwnVocabulary = "https://frontera.example/ns/v1/bizstep/";
  if (biz_step.starts_with(kOwnVocabulary)) biz_step.remove_prefix(kOwnVocabulary.size());
  std::string out(biz_step);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

// The did of the key that signed a document: its proof's verificationMethod
// up to the '#'.
std::string SignerDid(const Json& document) {
  std::string method = Scalar(Member(document, {"proof", "verificationMethod"}));
  return method.substr(0, method.find('#'));
}

// The possessing party named in an EPCIS sourceList or destinationList
// (docs/formats.md §6 "Parties of custody"), or "".
std::string PossessingParty(const Json& list, std::string_view member) {
  if (!list.is_array()) return "";
  for (const Json& entry : list) {
    std::string type = Scalar(Member(entry, {"type"}));
    if (type == "possessing_party" || type.ends_with("SDT-possessing_party") ||
        type.ends_with("sdt:possessing_party")) {
      return Scalar(Member(entry, {member}));
    }
  }
  return "";
}

void AppendRow(std::string& html, std::string_view term, const std::string& value) {
  if (value.empty()) return;
  html += "<dt>" + EscapeMarkup(term) + "</dt><dd>" + EscapeMarkup(value) + "</dd>";
}

constexpr std::string_view kPageStyle =
    "body{margin:0;font:16px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1a1a1a;background:#f3f3f1}"
    "main{max-width:40rem;margin:0 auto;padding-bottom:1.5rem}"
    ".banner{padding:1.4rem 1rem;text-align:center;color:#fff}"
    ".banner h1{margin:0;font-size:2rem;letter-spacing:.04em}"
    ".green{background:#1b7a36}.red{background:#b3261e}.amber{background:#f0a202;color:#1a1a1a}"
    "section{background:#fff;margin:.9rem;padding:.7rem 1rem;border-radius:.5rem;"
    "box-shadow:0 1px 2px rgba(0,0,0,.12)}"
    "h2{font-size:1rem;margin:0 0 .4rem;color:#555;text-transform:uppercase;letter-spacing:.05em}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}"
    "dt{color:#555}dd{margin:0;overflow-wrap:anywhere}"
    "ul{margin:0;padding-left:1.2rem}"
    "ol{list-style:none;margin:0;padding:0}"
    "ol li{border-left:3px solid #8a8a8a;padding:0 0 .7rem .8rem}"
    ".when{color:#555;font-size:.9rem}"
    ".flag{display:inline-block;background:#fde7c2;border-radius:.25rem;padding:0 .4rem;"
    "margin:0 .25rem .25rem 0}"
    "footer{margin:.9rem;color:#666;font-size:.8rem;overflow-wrap:anywhere}";

// The page for a Backend::CheckLabel answer (shape in docs/api.md
// "Resolver"). Missing members are left out, never guessed.
std::string VerificationPage(const Json& check) {
  std::string verdict = Scalar(Member(check, {"verdict"}));
  if (verdict.empty()) verdict = "UNKNOWN";
  const Json& label = Member(check, {"label"});
  const Json& issuer = Member(check, {"issuer"});
  const Json& certificate = Member(check, {"certificate"});
  const Json& parties = Member(check, {"parties"});
  const Json& subject = Member(certificate, {"credential", "credentialSubject"});

  std::string html;
  html +=
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"referrer\" content=\"no-referrer\">"
      "<title>" +
      EscapeMarkup(verdict) + " \u00b7 Frontera label check</title><style>" +
      std::string(kPageStyle) + "</style></head><body><main>\n";
  html += "<div class=\"banner " + std::string(VerdictColour(verdict)) + "\" role=\"status\"><h1>" +
          EscapeMarkup(verdict) + "</h1></div>\n";

  const Json& reasons = Member(check, {"reasons"});
  if (reasons.is_array() && !reasons.empty()) {
    html += "<section class=\"reasons\"><h2>Reasons</h2><ul>";
    for (const Json& reason : reasons) html += "<li>" + EscapeMarkup(Scalar(reason)) + "</li>";
    html += "</ul></section>\n";
  }

  std::string sscc = FirstScalar({&Member(subject, {"sscc"}), &Member(label, {"sscc"})});
  if (!sscc.empty()) {
    html += "<section class=\"item\"><h2>Consignment</h2><dl>";
    AppendRow(html, "Substance", Scalar(Member(subject, {"substance", "name"})));
    std::string quantity = Scalar(Member(subject, {"quantity", "value"}));
    std::string uom = Scalar(Member(subject, {"quantity", "uom"}));
    if (!quantity.empty() && !uom.empty()) quantity += " " + uom;
    AppendRow(html, "Quantity", quantity);
    AppendRow(html, "SSCC", sscc);
    html += "</dl></section>\n";
  } else {
    html += "<section class=\"item\"><h2>Product</h2><dl>";
    AppendRow(html, "Name", Scalar(Member(subject, {"productName"})));
    AppendRow(html, "Strength, form", Scalar(Member(subject, {"strengthDosageForm"})));
    AppendRow(html, "GTIN", FirstScalar({&Member(subject, {"gtin"}), &Member(label, {"gtin"})}));
    AppendRow(html, "Lot", FirstScalar({&Member(subject, {"lot"}), &Member(label, {"lot"})}));
    AppendRow(html, "Serial",
              FirstScalar({&Member(subject, {"serial"}), &Member(label, {"serial"})}));
    AppendRow(html, "Expiry",
              FirstScalar({&Member(subject, {"expiry"}), &Member(label, {"expiry"})}));
    html += "</dl></section>\n";
  }

  html += "<section class=\"issuer\"><h2>Issuer</h2>";
  if (issuer.is_object()) {
    html += "<dl>";
    AppendRow(html, "Name", Scalar(Member(issuer, {"name"})));
    AppendRow(html, "Country", Scalar(Member(issuer, {"country"})));
    AppendRow(html, "Role", Scalar(Member(issuer, {"role"})));
    AppendRow(html, "Key", ShortDid(Scalar(Member(issuer, {"did"}))));
    html += "</dl>";
  } else {
    html += "<p>Not a party registered on the ledger.</p>";
  }
  html += "</section>\n";

  html += "<section class=\"status\"><h2>Status</h2>";
  if (certificate.is_object()) {
    html += "<dl>";
    AppendRow(html, "Certificate", Scalar(Member(certificate, {"status"})));
    const Json& flags = Member(certificate, {"flags"});
    html += "<dt>Flags</dt><dd>";
    if (flags.is_array() && !flags.empty()) {
      for (const Json& flag : flags) {
        html += "<span class=\"flag\">" + EscapeMarkup(BizStepText(Scalar(flag))) + "</span>";
      }
    } else {
      html += "none";
    }
    html += "</dd>";
    const Json& revocation = Member(certificate, {"revocation", "document"});
    if (revocation.is_object()) {
      html += "<dt>Revoked by</dt><dd>" +
              PartyHtml(parties, Scalar(Member(revocation, {"issuer"}))) + "</dd>";
      AppendRow(html, "Reason", Scalar(Member(revocation, {"reason"})));
    }
    AppendRow(html, "Certificate id", Scalar(Member(certificate, {"id"})));
    html += "</dl>";
  } else {
    html += "<p>No certificate on the ledger matches this label.</p>";
  }
  html += "</section>\n";

  const Json& events = Member(certificate, {"events"});
  if (events.is_array() && !events.empty()) {
    html += "<section class=\"custody\"><h2>Custody</h2><ol>";
    for (const Json& entry : events) {
      const Json& event = Member(entry, {"document"});
      html += "<li><div class=\"when\">" + EscapeMarkup(Scalar(Member(event, {"eventTime"}))) +
              "</div><div><strong>" +
              EscapeMarkup(BizStepText(Scalar(Member(event, {"bizStep"})))) + "</strong> by " +
              PartyHtml(parties, SignerDid(event));
      std::string from = PossessingParty(Member(event, {"sourceList"}), "source");
      std::string to = PossessingParty(Member(event, {"destinationList"}), "destination");
      // The signer usually is the party the item leaves; say so only when not.
      if (!from.empty() && from != SignerDid(event)) html += ", from " + PartyHtml(parties, from);
      if (!to.empty()) html += ", to " + PartyHtml(parties, to);
      html += "</div></li>";
    }
    html += "</ol></section>\n";
  }

  std::string uri = Scalar(Member(label, {"uri"}));
  if (!uri.empty()) html += "<footer>Label " + EscapeMarkup(uri) + "</footer>\n";
  html += "</main></body></html>\n";
  return html;
}

// ---------------------------------------------------------------------------
// Prometheus metrics the server keeps about itself.

std::string FormatDouble(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  FRONTERA_CHECK(ec == std::errc()) << "to_chars of a double";
  return std::string(buf.data(), end);
}

// Prometheus metric names match [a-zA-Z_:][a-zA-Z0-9_:]*; anything else would
// make the whole exposition unparseable, so it is mapped to "_".
std::string SanitizeMetricName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    bool digit = c >= '0' && c <= '9';
    out.push_back(letter || (digit && i > 0) ? c : '_');
  }
  if (out.empty()) out = "_";
  return out;
}

class HttpMetrics {
 public:
  // Upper bounds (seconds) of the latency histogram's buckets.
  static constexpr std::array<double, 14> kBucketsSeconds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

  // Counts one answered request; `seconds` is its latency when known.
  void Observe(std::string_view route, std::string_view method, int http_status,
               std::optional<double> seconds) {
    std::string status_class = http_status >= 100 && http_status <= 599
                                   ? std::to_string(http_status / 100) + "xx"
                                   : "other";
    MutexLock lock(mu_);
    ++requests_[{std::string(route), std::string(method), status_class}];
    if (seconds) {
      for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
        if (*seconds <= kBucketsSeconds[i]) ++bucket_counts_[i];
      }
      ++latency_count_;
      latency_sum_seconds_ += *seconds;
    }
  }

  void AppendText(std::string& out) const {
    MutexLock lock(mu_);
    out +=
        "# HELP frontera_http_requests_total HTTP requests answered, by route, method and "
        "status class.\n"
        "# TYPE frontera_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
      const auto& [route, method, status_class] = key;
      out += "frontera_http_requests_total{route=\"" + route + "\",method=\"" + method +
             "\",code=\"" + status_class + "\"} " + std::to_string(count) + "\n";
    }
    out +=
        "# HELP frontera_http_request_duration_seconds Time from a request's headers being "
        "read to its answer being written.\n"
        "# TYPE frontera_http_request_duration_seconds histogram\n";
    for (size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      out += "frontera_http_request_duration_seconds_bucket{le=\"" +
             FormatDouble(kBucketsSeconds[i]) + "\"} " + std::to_string(bucket_counts_[i]) + "\n";
    }
    out += "frontera_http_request_duration_seconds_bucket{le=\"+Inf\"} " +
           std::to_string(latency_count_) + "\n";
    out +=
        "frontera_http_request_duration_seconds_sum " + FormatDouble(latency_sum_seconds_) + "\n";
    out += "frontera_http_request_duration_seconds_count " + std::to_string(latency_count_) + "\n";
  }

 private:
  mutable Mutex mu_;
  // Keys are (route pattern, method, status class): a bounded set, since
  // routes come from kRoutes and methods from httplib's parser.
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> requests_ GUARDED_BY(mu_);
  // Cumulative: bucket i counts latencies <= kBucketsSeconds[i].
  std::array<uint64_t, kBucketsSeconds.size()> bucket_counts_ GUARDED_BY(mu_){};
  uint64_t latency_count_ GUARDED_BY(mu_) = 0;
  double latency_sum_seconds_ GUARDED_BY(mu_) = 0;
};

// When the request now being served on this worker thread had its headers
// read. httplib runs routing, writing and logging of one request on one
// thread, so a thread-local carries the time from pre-routing to the logger.
thread_local std::optional<SteadyClock::time_point> t_request_start;

std::string_view MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"};
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "other";
}

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
    RouteMatch match = MatchPath(target.path);
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
    RouteMatch match = MatchPath(target.path);
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
    if (match.spec->route != Route::kCertificates) {
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
      default:
        FRONTERA_CHECK(false) << "POST route without a handler: " << match.spec->pattern;
    }
    if (!receipt.ok()) return SendStatus(res, receipt.status(), InputKind::kDocument);
    // RFC 9110 §15.3.2: 201 names the resource the write created or changed;
    // events and revocations appear on their certificate.
    res.set_header("Location", "/v1/certificates/" + Client::EncodePathSegment(receipt->id));
    SendJson(res, 201, ReceiptJson(*receipt));
  }

  httplib::Server::HandlerResponse HandleError(const httplib::Request& req,
                                               httplib::Response& res) {
    // Our handlers already answered with a problem; httplib calls this for
    // every status >= 400, so leave those alone.
    if (res.get_header_value("Content-Type") == kProblemContentType) {
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

  // GET /v1/proofs/inclusion?leaf_index=N: exactly one decimal leaf_index.
  void GetLeafProof(std::string_view query, httplib::Response& res) {
    QueryParams query_params = ParseQuery(query);
    std::vector<FieldError>& errors = query_params.errors;
    uint64_t leaf_index = 0;
    auto it = query_params.values.find("leaf_index");
    if (it == query_params.values.end()) {
      if (errors.empty())
        errors.push_back({"/query/leaf_index", "required: a leaf index (decimal integer)"});
    } else if (it->second.size() > 1) {
      errors.push_back({"/query/leaf_index", "given more than once"});
    } else if (std::optional<std::string> problem = DecimalProblem(it->second[0], leaf_index)) {
      errors.push_back({"/query/leaf_index", *problem});
    }
    if (!errors.empty()) {
      return SendStatus(res,
                        Status::InvalidArgument("query parameter leaf_index must be a decimal leaf "
                                                "index",
                                                std::move(errors)),
                        InputKind::kParameters);
    }
    SendProof(backend_->GetLeafProof(leaf_index), res);
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
      const std::string pointer = "/query/module_px";
      const std::string range =
          std::to_string(kLabelModulePxMin) + " to " + std::to_string(kLabelModulePxMax);
      QueryParams params = ParseQuery(query);
      std::vector<FieldError> errors;
      for (const FieldError& e : params.errors) {
        if (e.pointer == pointer) errors.push_back(e);
      }
      auto it = params.values.find("module_px");
      if (it != params.values.end()) {
        uint64_t value = 0;
        if (it->second.size() > 1) {
          errors.push_back({pointer, "given more than once"});
        } else if (std::optional<std::string> problem = DecimalProblem(it->second[0], value)) {
          errors.push_back({pointer, *problem + " of pixels per module, " + range});
        } else if (value < static_cast<uint64_t>(kLabelModulePxMin) ||
                   value > static_cast<uint64_t>(kLabelModulePxMax)) {
          errors.push_back({pointer, "is " + std::to_string(value) + "; must be " + range});
        } else {
          module_px = static_cast<int>(value);
        }
      }
      if (!errors.empty()) {
        return SendStatus(res,
                          Status::InvalidArgument("query parameter module_px must be a whole "
                                                  "number of pixels per module, " +
                                                      range,
                                                  std::move(errors)),
                          InputKind::kParameters);
      }
    }
    Result<Json> certificate = backend_->GetCertificate(id);
    if (!certificate.ok()) return SendStatus(res, certificate.status(), InputKind::kParameters);
    const Json& label = Member(*certificate, {"credential", "credentialSubject", "label"});
    if (!label.is_string()) {
      // docs/formats.md §4: the label is optional; without one there is no
      // QR label to draw.
      return SendStatus(res, Status::NotFound("certificate " + id + " has no QR label"),
                        InputKind::kParameters);
    }
    Result<std::string> image = png ? RenderLabelPng(label.get<std::string>(), module_px)
                                    : RenderLabelSvg(label.get<std::string>());
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
    // RFC 9110 §12.5.5: the answer depends on Accept; caches must know.
    res.set_header("Vary", "Accept");
    res.set_header("Cache-Control", std::string(kResolverCacheControl));
    if (PrefersJson(req.get_header_value("Accept"))) return SendJson(res, 200, *check);
    res.status = 200;
    res.set_content(VerificationPage(*check), std::string(kHtmlContentType));
    res.set_header("Content-Security-Policy", std::string(kPageSecurityPolicy));
    res.set_header("X-Content-Type-Options", "nosniff");
  }

  void GetCheckpoint(httplib::Response& res) {
    Result<std::string> checkpoint = backend_->GetCheckpoint();
    if (!checkpoint.ok()) return SendStatus(res, checkpoint.status(), InputKind::kParameters);
    res.status = 200;
    res.set_content(*checkpoint, std::string(kTextContentType));
  }

  void GetConsistency(std::string_view query, httplib::Response& res) {
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
      return SendStatus(
          res,
          Status::InvalidArgument("query parameters first and second must be decimal tree sizes",
                                  std::move(errors)),
          InputKind::kParameters);
    }
    Result<ConsistencyProofView> proof = backend_->GetConsistency(sizes[0], sizes[1]);
    if (!proof.ok()) return SendStatus(res, proof.status(), InputKind::kParameters);
    SendJson(res, 200,
             Json{{"first", proof->first},
                  {"second", proof->second},
                  {"proof", HashesJson(proof->proof)}});
  }

  void GetBlock(std::string_view raw_height, httplib::Response& res) {
    uint64_t height = 0;
    std::optional<std::string> decoded = PercentDecode(raw_height);
    std::optional<std::string> problem =
        decoded ? DecimalProblem(*decoded, height)
                : std::optional<std::string>("malformed percent-encoding");
    if (problem) {
      return SendStatus(res,
                        Status::InvalidArgument("block height must be a decimal integer",
                                                {{"/path/height", *problem}}),
                        InputKind::kParameters);
    }
    Result<Json> block = backend_->GetBlock(height);
    if (!block.ok()) return SendStatus(res, block.status(), InputKind::kParameters);
    SendJson(res, 200, *block);
  }

  void GetMetrics(httplib::Response& res) {
    std::string text;
    metrics_.AppendText(text);
    std::string family_typed;
    for (const auto& [name, value] : backend_->GetMetrics()) {
      // A name may carry Prometheus labels ("name{peer=\"x\"}"), escaped by
      // the Backend; one TYPE line per metric family.
      const size_t brace = name.find('{');
      std::string metric = SanitizeMetricName(std::string_view(name).substr(0, brace));
      // The Backend reports bare values; by Prometheus naming convention a
      // "_total" suffix is a counter and anything else a gauge.
      bool counter = metric.size() > 6 && metric.ends_with("_total");
      if (metric != family_typed) {
        text += "# TYPE " + metric + (counter ? " counter\n" : " gauge\n");
        family_typed = metric;
      }
      const std::string labels = brace == std::string::npos ? "" : name.substr(brace);
      text += metric + labels + " " + FormatDouble(value) + "\n";
    }
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

std::vector<std::pair<std::string, std::string>> RouteTable() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const RouteSpec& spec : kRoutes) out.emplace_back(spec.method, spec.pattern);
  return out;
}

}  // namespace frontera::api
