// The label routes of api::HttpServer: qr.svg / qr.png, the trust bundle and
// the Digital Link resolver (docs/api.md "Labels", "Trust bundle",
// "Resolver").
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "api/label_image.h"
#include "api/problem.h"
#include "api/server.h"
#include "tests/api/label_test_support.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

const std::string kCertId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kCertIdEncoded = "urn%3Auuid%3A0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";
const std::string kResolver = "verify.frontera.example";
const std::string kManufacturer = "did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3";
const std::string kCarrier = "did:key:z6MkvCPjuBZY1edsdAQRr4G3m4dXqEuKSGhBgVgnzrJf8TWr";

struct Fixture {
  Fixture() : Fixture(kResolver) {}
  explicit Fixture(std::string resolver_host) {
    ServerOptions options;
    options.resolver_host = std::move(resolver_host);
    auto created = HttpServer::Create(&backend, std::move(options));
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  RawAnswer Get(const std::string& target, const std::string& accept = "",
                const std::string& method = "GET", const std::string& accept_language = "") {
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: " + kResolver + "\r\n";
    if (!accept.empty()) request += "Accept: " + accept + "\r\n";
    if (!accept_language.empty()) request += "Accept-Language: " + accept_language + "\r\n";
    return connection.Exchange(request + "\r\n");
  }

  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

Json ExpectProblem(const RawAnswer& answer, int status, ProblemType type) {
  CHECK(answer.status == status);
  CHECK(answer.header("content-type") == "application/problem+json");
  Json problem = Json::parse(answer.body, nullptr, false);
  REQUIRE(problem.is_object());
  CHECK(problem["type"] == ProblemTypeUri(type));
  CHECK(problem["status"] == status);
  return problem;
}

// The GET /v1/certificates/{id} view of a credential example.
Json CertificateOf(const std::string& credential_file) {
  return Json{{"id", kCertId},
              {"type", "product"},
              {"credential", Json::parse(testing::ReadExample(credential_file))},
              {"status", "active"},
              {"flags", Json::array()},
              {"events", Json::array()},
              {"revocation", nullptr},
              {"ledger", {{"leaf_index", 0}, {"leaf_hash", "AAAA"}, {"block", 1}}}};
}

// A CheckLabel answer for the pharma example with one shipping event.
Json ProductCheck(const std::string& verdict) {
  std::string uri = testing::LabelOfExample("pharma-credential.json");
  Json certificate = CertificateOf("pharma-credential.json");
  certificate["events"].push_back(
      {{"document", Json::parse(testing::ReadExample("shipping-event.json"))},
       {"ledger", {{"leaf_index", 1}, {"leaf_hash", "AAAA"}, {"block", 2}}}});
  return Json{{"verdict", verdict},
              {"reasons", {"the issuer's signature over the label verifies"}},
              {"label",
               {{"uri", uri},
                {"gtin", "07501234000017"},
                {"lot", "LOT42A"},
                {"serial", "SN000123"},
                {"expiry", "2028-10-31"},
                {"sscc", ""}}},
              {"issuer",
               {{"did", kManufacturer},
                {"name", "Laboratorios Ejemplo S.A. de C.V."},
                {"role", "manufacturer"},
                {"country", "MX"}}},
              {"certificate", certificate},
              {"parties",
               {{kManufacturer,
                 {{"name", "Laboratorios Ejemplo S.A. de C.V."},
                  {"role", "manufacturer"},
                  {"country", "MX"}}},
                {kCarrier,
                 {{"name", "Transportes Frontera Norte S.A. de C.V."},
                  {"role", "carrier"},
                  {"country", "MX"}}}}}};
}

// The request target of a label: everything from the path's first '/'.
std::string TargetOf(const std::string& uri) {
  return uri.substr(std::string("https://").size() + kResolver.size());
}

uint32_t PngWidth(const std::string& png) {
  REQUIRE(png.size() > 24);
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(png[i])); };
  return byte(16) << 24 | byte(17) << 16 | byte(18) << 8 | byte(19);  // IHDR width
}

// ---------------------------------------------------------------------------
// qr.svg and qr.png

TEST_CASE("GET qr.png serves the certificate's label, which zbarimg decodes to the URI") {
  Fixture f;
  f.backend.SetReadJson(CertificateOf("pharma-credential.json"));
  RawAnswer answer = f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.png");
  CHECK(answer.status == 200);
  CHECK(answer.header("content-type") == "image/png");
  CHECK(answer.header("cache-control") == "public, max-age=300");
  std::string path = testing::TempPath("route.png");
  std::ofstream(path, std::ios::binary) << answer.body;
  CHECK(testing::DecodeWithZbar(path) == testing::LabelOfExample("pharma-credential.json"));
  std::filesystem::remove(path);
  auto calls = f.backend.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].method == "GetCertificate");
  CHECK(calls[0].id == kCertId);
}

TEST_CASE("GET qr.svg serves the label as SVG") {
  Fixture f;
  f.backend.SetReadJson(CertificateOf("precursor-credential.json"));
  RawAnswer answer = f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.svg");
  CHECK(answer.status == 200);
  CHECK(answer.header("content-type") == "image/svg+xml");
  CHECK(answer.header("cache-control") == "public, max-age=300");
  Result<std::string> expected =
      RenderLabelSvg(testing::LabelOfExample("precursor-credential.json"));
  REQUIRE(expected.ok());
  CHECK(answer.body == *expected);
  CHECK(answer.body.find("(00) 375012345000000013") != std::string::npos);
  // HEAD: same headers, no body.
  RawAnswer head = f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.svg", "", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.header("content-type") == "image/svg+xml");
  CHECK(head.body.empty());
}

TEST_CASE("qr.png takes module_px from 2 to 40; anything else is a 400 before the Backend") {
  Fixture f;
  f.backend.SetReadJson(CertificateOf("pharma-credential.json"));
  Result<QrSymbol> symbol = EncodeLabelQr(testing::LabelOfExample("pharma-credential.json"));
  REQUIRE(symbol.ok());
  for (int module_px : {2, 5, 40}) {
    CAPTURE(module_px);
    RawAnswer answer = f.Get("/v1/certificates/" + kCertIdEncoded +
                             "/qr.png?module_px=" + std::to_string(module_px));
    REQUIRE(answer.status == 200);
    CHECK(PngWidth(answer.body) >=
          static_cast<uint32_t>((symbol->size + 2 * kLabelQuietZoneModules) * module_px));
  }
  // The default is 8; other parameters are ignored.
  RawAnswer plain = f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.png?size=3");
  REQUIRE(plain.status == 200);
  CHECK(plain.body == *RenderLabelPng(testing::LabelOfExample("pharma-credential.json"), 8));
  size_t calls_before = f.backend.calls().size();
  for (std::string bad : {"module_px=1", "module_px=41", "module_px=0", "module_px=-3",
                          "module_px=abc", "module_px=", "module_px=8&module_px=9", "module_px=%zz",
                          "module_px=99999999999999999999999"}) {
    CAPTURE(bad);
    RawAnswer answer = f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.png?" + bad);
    Json problem = ExpectProblem(answer, 400, ProblemType::kInvalidParameter);
    REQUIRE(problem["errors"].size() == 1);
    CHECK(problem["errors"][0]["pointer"] == "/query/module_px");
  }
  CHECK(f.backend.calls().size() == calls_before);
}

TEST_CASE("a certificate without a label is a 404 problem naming it") {
  Fixture f;
  Json certificate = CertificateOf("pharma-credential.json");
  certificate["credential"]["credentialSubject"].erase("label");
  f.backend.SetReadJson(certificate);
  for (std::string image : {"qr.svg", "qr.png"}) {
    CAPTURE(image);
    Json problem = ExpectProblem(f.Get("/v1/certificates/" + kCertIdEncoded + "/" + image), 404,
                                 ProblemType::kNotFound);
    CHECK(problem["detail"] == "certificate " + kCertId + " has no QR label");
  }
  // An unknown certificate is the Backend's 404.
  f.backend.SetReadJson(Status::NotFound("certificate urn:x is not on the ledger"));
  Json problem = ExpectProblem(f.Get("/v1/certificates/urn:x/qr.png"), 404, ProblemType::kNotFound);
  CHECK(problem["detail"] == "certificate urn:x is not on the ledger");
  // A label the node stored but cannot draw is the node's fault.
  certificate["credential"]["credentialSubject"]["label"] = "https://not a label";
  f.backend.SetReadJson(certificate);
  ExpectProblem(f.Get("/v1/certificates/" + kCertIdEncoded + "/qr.svg"), 500,
                ProblemType::kInternal);
}

// ---------------------------------------------------------------------------
// Trust bundle

TEST_CASE("GET /v1/trust-bundle passes the Backend's bundle through") {
  Fixture f;
  Json bundle = {{"genesis", {{"network", "frontera.example/north-america-1"}}},
                 {"checkpoint", "frontera.example/north-america-1\n3\nAAAA\n"},
                 {"revocations", Json::array()}};
  f.backend.SetTrustBundle(bundle);
  RawAnswer answer = f.Get("/v1/trust-bundle");
  CHECK(answer.status == 200);
  CHECK(answer.header("content-type") == "application/json");
  CHECK(Json::parse(answer.body) == bundle);
  CHECK(f.backend.calls().back().method == "GetTrustBundle");
  f.backend.SetTrustBundle(Status::Unavailable("no valid checkpoint yet"));
  ExpectProblem(f.Get("/v1/trust-bundle"), 503, ProblemType::kUnavailable);
}

// ---------------------------------------------------------------------------
// Resolver

TEST_CASE("the resolver passes the label URI byte for byte: encoding and query order kept") {
  Fixture f;
  f.backend.SetLabelCheck(ProductCheck("AUTHENTIC"));
  std::vector<std::string> targets = {
      TargetOf(testing::LabelOfExample("pharma-credential.json")),
      TargetOf(testing::LabelOfExample("precursor-credential.json")),
      // Percent-encoded lot (lower-case hex too) and a query out of order:
      // not canonical, so it is the Backend that must refuse it, and the
      // signature would not verify over a normalised form anyway.
      "/01/07501234000017/10/L%2F42%2a/21/SN%20000123?sig=abc&kid=def&17=281031",
      "/00/375012345000000013?kid=a+b&sig=c%3D",
  };
  for (const std::string& target : targets) {
    CAPTURE(target);
    RawAnswer answer = f.Get(target, "application/json");
    CHECK(answer.status == 200);
    auto calls = f.backend.calls();
    REQUIRE(!calls.empty());
    CHECK(calls.back().method == "CheckLabel");
    CHECK(calls.back().id == "https://" + kResolver + target);
  }
  CHECK(f.backend.calls().size() == targets.size());
}

TEST_CASE("the resolver answers JSON for Accept: application/json, else the HTML page") {
  Fixture f;
  Json check = ProductCheck("AUTHENTIC");
  f.backend.SetLabelCheck(check);
  std::string target = TargetOf(testing::LabelOfExample("pharma-credential.json"));
  for (std::string accept :
       {"application/json", "application/json; charset=utf-8", "text/html;q=0.5, application/json",
        "Application/JSON;Q=0.9, text/*;q=0.1"}) {
    CAPTURE(accept);
    RawAnswer answer = f.Get(target, accept);
    CHECK(answer.status == 200);
    CHECK(answer.header("content-type") == "application/json");
    CHECK(answer.header("vary") == "Accept, Accept-Language");
    CHECK(answer.header("cache-control") == "no-cache");
    CHECK(answer.header("content-language").empty());
    CHECK(Json::parse(answer.body) == check);
  }
  for (std::string accept :
       {"", "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/json;q=0.5, text/html", "application/json, text/html", "application/json;q=0",
        "application/json;q=bogus"}) {
    CAPTURE(accept);
    RawAnswer answer = f.Get(target, accept);
    CHECK(answer.status == 200);
    CHECK(answer.header("content-type") == "text/html; charset=utf-8");
    CHECK(answer.header("vary") == "Accept, Accept-Language");
    CHECK(answer.header("content-language") == "en");
    CHECK(answer.body.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  }
}

TEST_CASE("the page's language follows Accept-Language; the JSON does not change") {
  Fixture f;
  Json check = ProductCheck("AUTHENTIC");
  f.backend.SetLabelCheck(check);
  std::string target = TargetOf(testing::LabelOfExample("pharma-credential.json"));
  const std::vector<std::pair<std::string, std::string>> cases = {{"es-MX,es;q=0.9,en;q=0.8", "es"},
                                                                  {"fr-CA", "fr"},
                                                                  {"de, fr;q=0.5", "fr"},
                                                                  {"es;q=0, *", "en"},
                                                                  {"de", "en"},
                                                                  {"", "en"}};
  for (const auto& [accept_language, tag] : cases) {
    CAPTURE(accept_language);
    RawAnswer answer = f.Get(target, "", "GET", accept_language);
    CHECK(answer.status == 200);
    CHECK(answer.header("content-language") == tag);
    CHECK(answer.body.find("<html lang=\"" + tag + "\">") != std::string::npos);
    CHECK(answer.body.find("<h1>AUTHENTIC</h1>") != std::string::npos);
    RawAnswer json = f.Get(target, "application/json", "GET", accept_language);
    CHECK(Json::parse(json.body) == check);
  }
}

TEST_CASE("the verification page shows verdict, product, issuer, status and custody") {
  Fixture f;
  Json check = ProductCheck("AUTHENTIC");
  check["certificate"]["flags"] = {"customs_hold"};
  f.backend.SetLabelCheck(check);
  RawAnswer answer = f.Get(TargetOf(testing::LabelOfExample("pharma-credential.json")));
  REQUIRE(answer.status == 200);
  const std::string& page = answer.body;
  auto has = [&](const std::string& text) {
    CAPTURE(text);
    CHECK(page.find(text) != std::string::npos);
  };
  has("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
  has("<div class=\"banner green\" role=\"status\"><h1>AUTHENTIC</h1><p class=\"sentence\">");
  has("<li>the issuer&#39;s signature over the label verifies</li>");
  has("<dt>Name</dt><dd>Amoxicillin 500 mg capsules</dd>");
  has("<dt>Strength, form</dt><dd>500 mg, capsule</dd>");
  has("<dt>GTIN</dt><dd>07501234000017</dd>");
  has("<dt>Lot</dt><dd>LOT42A</dd>");
  has("<dt>Serial</dt><dd>SN000123</dd>");
  has("<dt>Expiry</dt><dd>2028-10-31</dd>");
  has("<dt>Name</dt><dd>Laboratorios Ejemplo S.A. de C.V.</dd><dt>Country</dt><dd>MX</dd>");
  has("<dt>Certificate</dt><dd>active</dd>");
  has("<span class=\"flag\">customs hold</span>");
  // The timeline: time, step, who (by name), and the parties of custody.
  has("<div class=\"when\">2026-11-03T09:30:00.000-06:00</div>");
  has("<strong>shipping</strong> by Laboratorios Ejemplo S.A. de C.V. (MX), to Transportes "
      "Frontera Norte S.A. de C.V. (MX)</div>");
  // A source other than the signer is named.
  check["certificate"]["events"][0]["document"]["proof"]["verificationMethod"] = kCarrier + "#k";
  f.backend.SetLabelCheck(check);
  RawAnswer other = f.Get(TargetOf(testing::LabelOfExample("pharma-credential.json")));
  CHECK(other.body.find("<strong>shipping</strong> by Transportes Frontera Norte S.A. de C.V. "
                        "(MX), from Laboratorios Ejemplo S.A. de C.V. (MX), to Transportes") !=
        std::string::npos);
  // Self-contained: inline CSS only; no script, no external resource.
  CHECK(page.find("<script") == std::string::npos);
  CHECK(page.find(" src=") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("<style>") != std::string::npos);
  CHECK(answer.header("content-security-policy").starts_with("default-src 'none'"));
}

TEST_CASE("the verification page escapes every text from the ledger") {
  Fixture f;
  Json check = ProductCheck("AUTHENTIC");
  const std::string evil = "<script>alert(\"x\")</script> & 'quoted'";
  const std::string escaped =
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;";
  check["certificate"]["credential"]["credentialSubject"]["productName"] = evil;
  check["reasons"] = {evil};
  check["issuer"]["name"] = evil;
  check["parties"][kCarrier]["name"] = evil;
  check["certificate"]["events"][0]["document"]["bizStep"] = evil;
  check["label"]["uri"] = "https://x/?a=<b>";
  f.backend.SetLabelCheck(check);
  RawAnswer answer = f.Get(TargetOf(testing::LabelOfExample("pharma-credential.json")));
  REQUIRE(answer.status == 200);
  CHECK(answer.body.find("<script") == std::string::npos);
  CHECK(answer.body.find("'quoted'") == std::string::npos);
  CHECK(answer.body.find("<dt>Name</dt><dd>" + escaped + "</dd>") != std::string::npos);
  CHECK(answer.body.find("<li>" + escaped + "</li>") != std::string::npos);
  CHECK(answer.body.find("<strong>" + escaped + "</strong>") != std::string::npos);
  CHECK(answer.body.find("to " + escaped) != std::string::npos);
  CHECK(answer.body.find("?a=&lt;b&gt;") != std::string::npos);
}

TEST_CASE("each verdict has its banner colour") {
  Fixture f;
  const std::vector<std::pair<std::string, std::string>> verdicts = {
      {"AUTHENTIC", "green"},   {"NOT AUTHENTIC", "red"}, {"REVOKED", "red"},
      {"NOT ON LEDGER", "red"}, {"EXPIRED", "amber"},     {"SOMETHING NEW", "red"}};
  for (const auto& [verdict, colour] : verdicts) {
    CAPTURE(verdict);
    f.backend.SetLabelCheck(ProductCheck(verdict));
    RawAnswer answer = f.Get(TargetOf(testing::LabelOfExample("pharma-credential.json")));
    REQUIRE(answer.status == 200);
    // A verdict ledger::ParseVerdict does not know is shown as UNKNOWN.
    std::string headline = verdict == "SOMETHING NEW" ? "UNKNOWN" : verdict;
    CHECK(answer.body.find("<div class=\"banner " + colour + "\" role=\"status\"><h1>" + headline +
                           "</h1>") != std::string::npos);
  }
}

TEST_CASE("the page of a label not on the ledger, and of a revoked consignment") {
  Fixture f;
  std::string uri = testing::LabelOfExample("precursor-credential.json");
  f.backend.SetLabelCheck(Json{{"verdict", "NOT ON LEDGER"},
                               {"reasons", {"no certificate has this SSCC"}},
                               {"label", {{"uri", uri}, {"sscc", "375012345000000013"}}},
                               {"issuer", nullptr},
                               {"certificate", nullptr},
                               {"parties", Json::object()}});
  RawAnswer unknown = f.Get(TargetOf(uri));
  REQUIRE(unknown.status == 200);
  CHECK(unknown.body.find("<h2>What the label says (not confirmed)</h2>") != std::string::npos);
  CHECK(unknown.body.find("<dt>SSCC</dt><dd>375012345000000013</dd>") != std::string::npos);
  CHECK(unknown.body.find("Who issued this label could not be established.") != std::string::npos);
  CHECK(unknown.body.find("No certificate on the ledger matches this label.") != std::string::npos);

  Json certificate = CertificateOf("precursor-credential.json");
  certificate["status"] = "revoked";
  certificate["revocation"] = {
      {"document", {{"issuer", kManufacturer}, {"reason", "drum seal found broken"}}},
      {"ledger", {{"leaf_index", 4}, {"leaf_hash", "AAAA"}, {"block", 3}}}};
  f.backend.SetLabelCheck(Json{{"verdict", "REVOKED"},
                               {"reasons", {"revoked by its issuer"}},
                               {"label", {{"uri", uri}, {"sscc", "375012345000000013"}}},
                               {"issuer", {{"did", kManufacturer}, {"name", "Lab"}}},
                               {"certificate", certificate},
                               {"parties", Json::object()}});
  RawAnswer revoked = f.Get(TargetOf(uri));
  REQUIRE(revoked.status == 200);
  const std::string& page = revoked.body;
  CHECK(page.find("<div class=\"banner red\"") != std::string::npos);
  Json subject = certificate["credential"]["credentialSubject"];
  CHECK(page.find("<dt>Substance</dt><dd>" + subject["substance"]["name"].get<std::string>() +
                  "</dd>") != std::string::npos);
  CHECK(page.find("<dt>Quantity</dt><dd>" + subject["quantity"]["value"].dump() + " " +
                  subject["quantity"]["uom"].get<std::string>() + "</dd>") != std::string::npos);
  CHECK(page.find("<dt>Certificate</dt><dd>revoked</dd>") != std::string::npos);
  // A party without a name on the ledger is shown by its (shortened) key.
  CHECK(page.find("<dt>Revoked by</dt><dd><span title=\"" + kManufacturer + "\">") !=
        std::string::npos);
  CHECK(page.find("<dt>Reason</dt><dd>drum seal found broken</dd>") != std::string::npos);
}

// A browser (HTML preferred) gets a page with the problem's status; a JSON
// client gets the problem unchanged.
void ExpectErrorPage(const RawAnswer& answer, int status, const std::string& text) {
  CHECK(answer.status == status);
  CHECK(answer.header("content-type") == "text/html; charset=utf-8");
  CHECK(answer.header("vary") == "Accept, Accept-Language");
  CHECK(answer.header("content-security-policy").starts_with("default-src 'none'"));
  CHECK(answer.body.starts_with("<!DOCTYPE html>"));
  CHECK(answer.body.find("HTTP " + std::to_string(status)) != std::string::npos);
  CAPTURE(text);
  CHECK(answer.body.find(text) != std::string::npos);
}

TEST_CASE("a bad label is a 400: an HTML page for a browser, a problem for JSON") {
  Fixture f;
  f.backend.SetLabelCheck(
      Status::InvalidArgument("not a label", {{"", "the GTIN check digit is 7, not 8"}}));
  const std::string target = "/01/07501234000018/10/A/21/B?17=281031&kid=x&sig=y";
  RawAnswer json = f.Get(target, "application/json");
  Json problem = ExpectProblem(json, 400, ProblemType::kInvalidParameter);
  CHECK(problem["errors"][0]["reason"] == "the GTIN check digit is 7, not 8");
  CHECK(json.header("vary") == "Accept, Accept-Language");
  for (std::string accept : {"text/html", "", "*/*"}) {
    CAPTURE(accept);
    ExpectErrorPage(f.Get(target, accept), 400, "<li>the GTIN check digit is 7, not 8</li>");
  }
  RawAnswer spanish = f.Get(target, "text/html", "GET", "es");
  ExpectErrorPage(spanish, 400, "<h1>Esta etiqueta no se puede verificar</h1>");
  CHECK(spanish.header("content-language") == "es");
  // A Digital Link without kid and sig: what a phone opening a bare GS1
  // link gets.
  f.backend.SetLabelCheck(Status::InvalidArgument("the label has no kid"));
  ExpectErrorPage(f.Get("/01/07501234000017/10/LOT42A/21/SN000123?17=281031", "text/html"), 400,
                  "the label has no kid");
  f.backend.SetLabelCheck(Status::Unavailable("no leader"));
  RawAnswer unavailable = f.Get("/00/375012345000000013?kid=x&sig=y", "text/html");
  ExpectErrorPage(unavailable, 503, "no leader");
  CHECK(unavailable.header("retry-after") == "1");
  ExpectProblem(f.Get("/00/375012345000000013?kid=x&sig=y", "application/json"), 503,
                ProblemType::kUnavailable);
}

TEST_CASE("without a resolver host the resolver paths are 404 and the Backend is not asked") {
  Fixture f("");
  ExpectProblem(f.Get("/00/375012345000000013?kid=x&sig=y", "application/json"), 404,
                ProblemType::kNotFound);
  ExpectErrorPage(f.Get("/00/375012345000000013?kid=x&sig=y"), 404, "<h1>Nothing to check here");
  CHECK(f.backend.calls().empty());
}

TEST_CASE("other paths keep their problems for a browser") {
  Fixture f;
  ExpectProblem(f.Get("/v1/certificates/nope%zz", "text/html"), 400,
                ProblemType::kInvalidParameter);
  ExpectProblem(f.Get("/nowhere", "text/html"), 404, ProblemType::kNotFound);
}

TEST_CASE("resolver paths: GET and HEAD only, other shapes are 404") {
  Fixture f;
  f.backend.SetLabelCheck(ProductCheck("AUTHENTIC"));
  std::string target = TargetOf(testing::LabelOfExample("pharma-credential.json"));
  RawAnswer head = f.Get(target, "", "HEAD");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  RawAnswer post = f.Get(target, "", "DELETE");
  ExpectProblem(post, 405, ProblemType::kMethodNotAllowed);
  CHECK(post.header("allow") == "GET, HEAD");
  for (std::string path :
       {"/01/07501234000017", "/00/375012345000000013/extra", "/01/07501234000017/10//21/SN1"}) {
    CAPTURE(path);
    ExpectProblem(f.Get(path, "application/json"), 404, ProblemType::kNotFound);
    ExpectErrorPage(f.Get(path, "text/html"), 404, "no resource at");
  }
}

}  // namespace
}  // namespace frontera::api
