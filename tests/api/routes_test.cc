// api/routes.h: every route's path, its parameter, the methods it takes, and
// the invalid-parameter statuses of malformed parameters (docs/api.md §2, §4).
#include "api/routes.h"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "api/openapi.h"

namespace frontera::api {
namespace {

// The one field error of an invalid-argument status.
FieldError OnlyError(const Status& status) {
  CHECK(status.IsInvalidArgument());
  REQUIRE(status.field_errors().size() == 1);
  return status.field_errors()[0];
}

struct RouteCase {
  std::string path;
  Route route;
  std::string method;
  std::string param_name;
  std::string param_raw;
  bool reads_ledger;
  std::string allow = method == "GET" ? "GET, HEAD" : "POST";
};

const std::vector<RouteCase> kCases = {
    {"/v1/certificates", Route::kCertificates, "POST", "", "", false},
    {"/v1/certificates/urn%3Auuid%3A1", Route::kCertificate, "GET", "id", "urn%3Auuid%3A1", true},
    {"/v1/certificates/c1/events", Route::kEvents, "POST", "id", "c1", false},
    {"/v1/certificates/c1/revocation", Route::kRevocation, "POST", "id", "c1", false},
    {"/v1/certificates/c1/proof", Route::kProof, "GET", "id", "c1", true},
    {"/v1/checkpoint", Route::kCheckpoint, "GET", "", "", true},
    {"/v1/proofs/consistency", Route::kConsistency, "GET", "", "", true},
    {"/v1/proofs/inclusion", Route::kLeafProof, "GET", "", "", true},
    {"/v1/blocks/7", Route::kBlock, "GET", "height", "7", true},
    {"/v1/parties", Route::kParties, "GET", "", "", true, "GET, HEAD, POST"},
    {"/v1/parties", Route::kRegistry, "POST", "", "", false, "GET, HEAD, POST"},
    {"/v1/parties/did%3Akey%3Az6Mk", Route::kParty, "GET", "did", "did%3Akey%3Az6Mk", true},
    {"/v1/validators", Route::kValidators, "GET", "", "", true, "GET, HEAD, POST"},
    {"/v1/validators", Route::kValidatorChange, "POST", "", "", false, "GET, HEAD, POST"},
    {"/v1/certificates/c1/qr.svg", Route::kLabelSvg, "GET", "id", "c1", true},
    {"/v1/certificates/c1/qr.png", Route::kLabelPng, "GET", "id", "c1", true},
    {"/v1/trust-bundle", Route::kTrustBundle, "GET", "", "", true},
    {"/01/07501234000017/10/LOT42A/21/SN000123", Route::kResolveProduct, "GET", "serial",
     "SN000123", true},
    {"/00/375012345000000013", Route::kResolveConsignment, "GET", "sscc", "375012345000000013",
     true},
    {"/v1/status", Route::kStatus, "GET", "", "", false},
    {"/healthz", Route::kHealthz, "GET", "", "", false},
    {"/metrics", Route::kMetrics, "GET", "", "", false},
    {"/v1/openapi.json", Route::kOpenApi, "GET", "", "", false},
    {"/v1/audit", Route::kAudit, "GET", "", "", false},
    {"/v1/backup", Route::kBackup, "POST", "", "", false, "POST"},
    {"/epcis/events", Route::kEpcisEvents, "GET", "", "", true},
    {"/tlog/checkpoint", Route::kTlogCheckpoint, "GET", "", "", true},
    // The tile path runs to the end, slashes included.
    {"/tlog/tile/0/x001/x234/067.p/8", Route::kTlogTile, "GET", "tile_path", "0/x001/x234/067.p/8",
     true},
    {"/vrs/gtin/07501234000017/lot/L1/ser/S1", Route::kVrsProduct, "GET", "serial", "S1", true},
    {"/vrs/01/07501234000017/10/L1/21/S%2F1", Route::kVrsProductNumeric, "GET", "serial", "S%2F1",
     true},
    {"/vrs/checkConnectivity", Route::kVrsConnectivity, "GET", "", "", true},
    {"/v1/notices", Route::kNotices, "POST", "", "", false, "POST"},
    {"/v1/notices/urn%3Auuid%3A5e", Route::kNotice, "GET", "id", "urn%3Auuid%3A5e", true},
};

TEST_CASE("every route is matched from its path, with its parameter and methods") {
  std::set<Route> covered;
  for (const RouteCase& c : kCases) {
    CAPTURE(c.path);
    RouteMatch match = MatchPath(c.path, c.method);
    REQUIRE(match.spec != nullptr);
    CHECK(match.spec->route == c.route);
    CHECK(match.spec->method == c.method);
    // The last parameter of the pattern is the one reported.
    CHECK(match.param_name == c.param_name);
    CHECK(match.param_raw == c.param_raw);
    CHECK(ReadsLedger(c.route) == c.reads_ledger);
    if (c.method == "GET") {
      CHECK(MethodAllowed(*match.spec, "GET"));
      CHECK(MethodAllowed(*match.spec, "HEAD"));
      CHECK_FALSE(MethodAllowed(*match.spec, "POST"));
      CHECK(AllowHeader(*match.spec) == c.allow);
    } else {
      CHECK(MethodAllowed(*match.spec, "POST"));
      CHECK_FALSE(MethodAllowed(*match.spec, "GET"));
      CHECK_FALSE(MethodAllowed(*match.spec, "HEAD"));
      CHECK(AllowHeader(*match.spec) == c.allow);
    }
    CHECK_FALSE(MethodAllowed(*match.spec, "DELETE"));
    covered.insert(c.route);
  }
  CHECK(covered.size() == Routes().size());
}

TEST_CASE("the route table is the router's, in order") {
  std::vector<std::pair<std::string, std::string>> table = RouteTable();
  REQUIRE(table.size() == Routes().size());
  for (size_t i = 0; i < table.size(); ++i) {
    CHECK(table[i].first == Routes()[i].method);
    CHECK(table[i].second == Routes()[i].pattern);
  }
}

TEST_CASE("paths that match no route") {
  for (std::string path :
       {"", "/", "v1/status", "/v1/status/", "/v1/certificates/", "/v1/certificates//proof",
        "/v1/unknown", "/01/07501234000017", "/00/375012345000000013/extra",
        "/01/07501234000017/10//21/SN1", "/v1/%zzstatus", "/V1/status", "/tlog/tile", "/tlog/tile/",
        "/tlog", "/tlog/checkpoint/x", "/tlog/tiles/0/000"}) {
    CAPTURE(path);
    CHECK(MatchPath(path).spec == nullptr);
  }
}

TEST_CASE("a literal segment matches once percent-decoded; a parameter stays as sent") {
  RouteMatch match = MatchPath("/v1/%63heckpoint");
  REQUIRE(match.spec != nullptr);
  CHECK(match.spec->route == Route::kCheckpoint);
  match = MatchPath("/v1/certificates/a%2Fb/proof");
  REQUIRE(match.spec != nullptr);
  CHECK(match.spec->route == Route::kProof);
  CHECK(match.param_raw == "a%2Fb");
}

TEST_CASE("SplitTarget splits path and query and drops a fragment") {
  Target t = SplitTarget("/01/1/10/2/21/3?17=281031&kid=k#frag");
  CHECK(t.path == "/01/1/10/2/21/3");
  CHECK(t.query == "17=281031&kid=k");
  t = SplitTarget("/v1/status");
  CHECK(t.path == "/v1/status");
  CHECK(t.query.empty());
  t = SplitTarget("/a#b?c");
  CHECK(t.path == "/a");
  CHECK(t.query.empty());
}

TEST_CASE("PercentDecode: two hex digits per octet, '+' is itself") {
  CHECK(PercentDecode("a%2Fb%2fc") == "a/b/c");
  CHECK(PercentDecode("a+b") == "a+b");
  CHECK(PercentDecode("%00") == std::string(1, '\0'));
  CHECK(PercentDecode("") == "");
  CHECK_FALSE(PercentDecode("%").has_value());
  CHECK_FALSE(PercentDecode("%4").has_value());
  CHECK_FALSE(PercentDecode("%4g").has_value());
  CHECK_FALSE(PercentDecode("abc%").has_value());
}

TEST_CASE("IsLabelPath: GS1 Digital Link paths, matched by the router or not") {
  CHECK(IsLabelPath("/01/07501234000017/10/LOT42A/21/SN000123"));
  CHECK(IsLabelPath("/00/375012345000000013"));
  CHECK(IsLabelPath("/01/07501234000017"));
  CHECK(IsLabelPath("/%30%31/x"));
  CHECK_FALSE(IsLabelPath("/01"));
  CHECK_FALSE(IsLabelPath("/02/x"));
  CHECK_FALSE(IsLabelPath("/v1/certificates/01"));
  CHECK_FALSE(IsLabelPath(""));
}

TEST_CASE("DecodeIdParam: decoded, 1 to 256 bytes, no control characters, UTF-8") {
  CHECK(*DecodeIdParam("id", "urn%3Auuid%3A1") == "urn:uuid:1");
  CHECK(*DecodeIdParam("did", std::string(256, 'a')) == std::string(256, 'a'));
  struct Case {
    std::string raw;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"a%zz", "every \"%\" must be followed by two hexadecimal digits (RFC 3986 §2.1)"},
      {std::string(257, 'a'), "must be 1 to 256 bytes once decoded"},
      {"a%0Ab", "control characters (U+0000..U+001F, U+007F) are not allowed"},
      {"a%7F", "control characters (U+0000..U+001F, U+007F) are not allowed"},
      {"%FF%FE", "must decode to well-formed UTF-8"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.raw);
    Result<std::string> id = DecodeIdParam("id", c.raw);
    REQUIRE_FALSE(id.ok());
    FieldError error = OnlyError(id.status());
    CHECK(error.pointer == "/path/id");
    CHECK(error.reason == c.reason);
  }
}

TEST_CASE("DecodeBlockHeight: a decimal integer that fits in 64 bits") {
  CHECK(*DecodeBlockHeight("0") == 0);
  CHECK(*DecodeBlockHeight("18446744073709551615") == UINT64_MAX);
  CHECK(*DecodeBlockHeight("%31%32") == 12);
  for (std::string raw : {"-1", "1.5", "0x10", "18446744073709551616", "%zz", " 1"}) {
    CAPTURE(raw);
    Result<uint64_t> height = DecodeBlockHeight(raw);
    REQUIRE_FALSE(height.ok());
    CHECK(OnlyError(height.status()).pointer == "/path/height");
  }
  CHECK(OnlyError(DecodeBlockHeight("18446744073709551616").status()).reason ==
        "exceeds 18446744073709551615 (2^64 - 1)");
}

TEST_CASE("ParseQuery: pairs decoded, repeated names kept, malformed values reported") {
  QueryParams q = ParseQuery("a=1&b=%41&a=2&&c&bad=%z&%zz=3");
  CHECK(q.values["a"] == std::vector<std::string>{"1", "2"});
  CHECK(q.values["b"] == std::vector<std::string>{"A"});
  CHECK(q.values["c"] == std::vector<std::string>{""});
  CHECK(q.values.count("bad") == 0);
  REQUIRE(q.errors.size() == 1);
  CHECK(q.errors[0] == FieldError{"/query/bad", "malformed percent-encoding"});
  CHECK(q.values.size() == 3);
}

TEST_CASE("ParseLeafIndexQuery: exactly one decimal leaf_index") {
  CHECK(*ParseLeafIndexQuery("leaf_index=42") == 42);
  CHECK(*ParseLeafIndexQuery("other=x&leaf_index=%34") == 4);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "required: a leaf index (decimal integer)"},
      {"leaf_index=1&leaf_index=2", "given more than once"},
      {"leaf_index=", "must not be empty: expected a decimal integer"},
      {"leaf_index=-3", "expected a decimal integer (digits 0-9 only)"},
      {"leaf_index=99999999999999999999", "exceeds 18446744073709551615 (2^64 - 1)"},
      {"leaf_index=%zz", "malformed percent-encoding"},
  };
  for (const auto& [query, reason] : cases) {
    CAPTURE(query);
    Result<uint64_t> index = ParseLeafIndexQuery(query);
    REQUIRE_FALSE(index.ok());
    CHECK(OnlyError(index.status()) == FieldError{"/query/leaf_index", reason});
  }
}

TEST_CASE("ParseConsistencyQuery: first and second, each once") {
  Result<ConsistencyQuery> sizes = ParseConsistencyQuery("second=9&first=3");
  REQUIRE(sizes.ok());
  CHECK(sizes->first == 3);
  CHECK(sizes->second == 9);
  Result<ConsistencyQuery> none = ParseConsistencyQuery("");
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().field_errors() ==
        std::vector<FieldError>{{"/query/first", "required: a tree size (decimal integer)"},
                                {"/query/second", "required: a tree size (decimal integer)"}});
  Result<ConsistencyQuery> twice = ParseConsistencyQuery("first=1&first=2&second=x");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().field_errors() ==
        std::vector<FieldError>{{"/query/first", "given more than once"},
                                {"/query/second", "expected a decimal integer (digits 0-9 only)"}});
  // A malformed value is reported once, not also as missing.
  Result<ConsistencyQuery> malformed = ParseConsistencyQuery("first=%z&second=2");
  REQUIRE_FALSE(malformed.ok());
  CHECK(OnlyError(malformed.status()) == FieldError{"/query/first", "malformed percent-encoding"});
}

TEST_CASE("ParseAuditQuery: optional reader, record, after and limit, each once") {
  Result<AuditQueryParams> none = ParseAuditQuery("");
  REQUIRE(none.ok());
  CHECK(none->reader.empty());
  CHECK(none->after == 0);
  CHECK(none->limit == kAuditPageDefault);
  Result<AuditQueryParams> all =
      ParseAuditQuery("reader=did%3Akey%3Az6MkA&record=urn%3Auuid%3A1&after=41&limit=7");
  REQUIRE(all.ok());
  CHECK(all->reader == "did:key:z6MkA");
  CHECK(all->record == "urn:uuid:1");
  CHECK(all->after == 41);
  CHECK(all->limit == 7);
  for (auto [query, pointer] :
       {std::pair{"reader=alice", "/query/reader"}, std::pair{"after=-1", "/query/after"},
        std::pair{"limit=0", "/query/limit"}, std::pair{"limit=100001", "/query/limit"},
        std::pair{"record=", "/query/record"}, std::pair{"after=1&after=2", "/query/after"}}) {
    CAPTURE(query);
    Result<AuditQueryParams> bad = ParseAuditQuery(query);
    REQUIRE(bad.status().IsInvalidArgument());
    REQUIRE_FALSE(bad.status().field_errors().empty());
    CHECK(bad.status().field_errors()[0].pointer == pointer);
  }
}

TEST_CASE("ParsePartiesQuery: optional role, country, after and limit, each once") {
  Result<PartiesQuery> none = ParsePartiesQuery("");
  REQUIRE(none.ok());
  CHECK(none->role.empty());
  CHECK(none->country.empty());
  CHECK(none->after.empty());
  CHECK(none->limit == kPartiesPageDefault);
  Result<PartiesQuery> all =
      ParsePartiesQuery("role=pharmacy&country=CA&after=did%3Akey%3Az6Mk&limit=1000");
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  CHECK(all->role == "pharmacy");
  CHECK(all->country == "CA");
  CHECK(all->after == "did:key:z6Mk");
  CHECK(all->limit == 1000);
  Result<PartiesQuery> bad = ParsePartiesQuery("role=smuggler&country=ca&limit=0&after=");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().field_errors() ==
        std::vector<FieldError>{
            {"/query/role",
             "must be one of manufacturer, shipper, carrier, distributor, pharmacy, importer, "
             "agency"},
            {"/query/country", "must be an ISO 3166-1 alpha-2 code, such as CA"},
            {"/query/after", "must be the did:key a previous page named as next"},
            {"/query/limit", "must be 1 to 1000"}});
  Result<PartiesQuery> twice = ParsePartiesQuery("role=agency&role=carrier&limit=x");
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.status().field_errors() ==
        std::vector<FieldError>{{"/query/role", "given more than once"},
                                {"/query/limit", "expected a decimal integer (digits 0-9 only)"}});
}

TEST_CASE("ParseModulePxQuery: absent is the default; otherwise min to max") {
  CHECK(*ParseModulePxQuery("", 8, 2, 40) == 8);
  CHECK(*ParseModulePxQuery("module_px=2", 8, 2, 40) == 2);
  CHECK(*ParseModulePxQuery("module_px=40&x=%zz", 8, 2, 40) == 40);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"module_px=1", "is 1; must be 2 to 40"},
      {"module_px=41", "is 41; must be 2 to 40"},
      {"module_px=a", "expected a decimal integer (digits 0-9 only) of pixels per module, 2 to 40"},
      {"module_px=2&module_px=3", "given more than once"},
      {"module_px=%z", "malformed percent-encoding"},
  };
  for (const auto& [query, reason] : cases) {
    CAPTURE(query);
    Result<int> px = ParseModulePxQuery(query, 8, 2, 40);
    REQUIRE_FALSE(px.ok());
    CHECK(OnlyError(px.status()) == FieldError{"/query/module_px", reason});
  }
}

TEST_CASE("MediaType: lower-cased, without parameters or spaces") {
  CHECK(MediaType("Application/JSON; charset=utf-8") == "application/json");
  CHECK(MediaType("  text/html\t") == "text/html");
  CHECK(MediaType("") == "");
}

TEST_CASE("PrefersJson: application/json named above text/html") {
  for (std::string accept : {"application/json", "text/html;q=0.5, application/json",
                             "Application/JSON;Q=0.9, text/*;q=0.1"}) {
    CAPTURE(accept);
    CHECK(PrefersJson(accept));
  }
  for (std::string accept :
       {"", "*/*", "text/html", "application/json, text/html", "application/json;q=0",
        "application/json;q=bogus", "application/json;q=2",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}) {
    CAPTURE(accept);
    CHECK_FALSE(PrefersJson(accept));
  }
}

}  // namespace
}  // namespace frontera::api
