// The two views of a record: what the public view keeps and drops
// (api/record_views.h), and how the server hands the reader a signature
// proves to the Backend, or refuses a bad signature with 401.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "api/record_views.h"
#include "api/request_signature.h"
#include "api/server.h"
#include "crypto/did_key.h"
#include "tests/api/test_support.h"

namespace frontera::api {
namespace {

using testing::FakeBackend;
using testing::RawAnswer;
using testing::RawConnection;

Json ExampleJson(const std::string& name) {
  std::ifstream in(std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return Json::parse(text.str());
}

// A GetCertificate answer in the full view, as the node builds it.
Json FullPrecursorCertificate() {
  Json credential = ExampleJson("precursor-credential.json");
  Json event = ExampleJson("shipping-event.json");
  return Json{{"id", credential["id"]},
              {"type", "PrecursorConsignmentCredential"},
              {"credential", credential},
              {"status", "active"},
              {"flags", Json::array({"customs_hold"})},
              {"held_by", "did:key:z6MkAgency"},
              {"flagged", Json::object()},
              {"custody",
               {{"custodian", "did:key:z6MkfDmFkbn4kWSa8gjEj5czwnpEDftXVedY1Nxa1vqq8Rvv"},
                {"in_transit_to", nullptr}}},
              {"events", Json::array({{{"document", event}, {"ledger", {{"leaf_index", 2}}}}})},
              {"revocation", nullptr},
              {"ledger", {{"leaf_index", 1}, {"block", 1}}}};
}

TEST_CASE("the public view of a certificate keeps the label's facts and drops the commerce") {
  const Json full = FullPrecursorCertificate();
  const Json view = PublicCertificate(full);
  CHECK(view["view"] == "public");
  const Json& subject = view["credential"]["credentialSubject"];
  CHECK(subject["sscc"] == "375012345000000013");
  CHECK(subject.contains("label"));
  for (const char* private_member :
       {"exporter", "importer", "consignee", "quantity", "substance", "importPermit",
        "preExportNotification", "pointOfEntry", "dispatchDate", "concentration"}) {
    CHECK_MESSAGE(!subject.contains(private_member), private_member);
  }
  CHECK_FALSE(view["credential"].contains("proof"));
  CHECK(view["credential"]["issuer"] == full["credential"]["issuer"]);
  CHECK(view["events"].empty());
  CHECK(view["events_withheld"] == 1);
  CHECK(view["custody"].is_null());
  CHECK(view["status"] == "active");
  CHECK(view["flags"] == Json::array({"customs_hold"}));
  CHECK(view["held_by"] == "did:key:z6MkAgency");
  CHECK(view["ledger"] == full["ledger"]);

  // Where and when a pack was decommissioned is public; the key that did it
  // is not.
  Json dispensed = full;
  dispensed["lifecycle"] = {
      {"state", "dispensed"}, {"gln", "0061414000017"}, {"time", "2026-11-30T10:00:04.000Z"},
      {"block", 7},           {"leaf_index", 12},       {"by", "did:key:z6Mkpharmacy"}};
  const Json lifecycle = PublicCertificate(dispensed)["lifecycle"];
  CHECK(lifecycle["state"] == "dispensed");
  CHECK(lifecycle["gln"] == "0061414000017");
  CHECK(lifecycle["time"] == "2026-11-30T10:00:04.000Z");
  CHECK_FALSE(lifecycle.contains("by"));

  // A product's identity stays whole.
  Json pharma = full;
  pharma["credential"] = ExampleJson("pharma-credential.json");
  const Json product = PublicCertificate(pharma)["credential"]["credentialSubject"];
  for (const char* member : {"gtin", "lot", "serial", "expiry", "productName", "label"}) {
    CHECK_MESSAGE(product.contains(member), member);
  }
  CHECK_FALSE(product.contains("manufacturer"));
}

TEST_CASE("NamedDids lists the issuer, the subject's parties, custody and the events' parties") {
  const Json full = FullPrecursorCertificate();
  std::vector<std::string> dids = NamedDids(full);
  auto has = [&](const std::string& did) {
    return std::find(dids.begin(), dids.end(), did) != dids.end();
  };
  CHECK(has("did:key:z6MkrmyC2ff8r8q7s33aQjVAv3UHE73nptnDnyNhEHiaLzf3"));  // issuer, exporter
  CHECK(has("did:key:z6MkfDmFkbn4kWSa8gjEj5czwnpEDftXVedY1Nxa1vqq8Rvv"));  // importer
  const Json& event = full["events"][0]["document"];
  const std::string signer = event["proof"]["verificationMethod"].get<std::string>();
  CHECK(has(signer.substr(0, signer.find('#'))));
  for (const Json& entry : event["destinationList"]) {
    if (entry["destination"].get<std::string>().starts_with("did:")) {
      CHECK(has(entry["destination"].get<std::string>()));
    }
  }
}

TEST_CASE("the public view of a block shows leaf hashes, not certificate ids") {
  Json block = {
      {"height", 3},
      {"documents", Json::array({{{"leaf_hash", "AAAA"},
                                  {"certificate", "urn:uuid:1"},
                                  {"outcome", "accepted"},
                                  {"leaf_index", 4}},
                                 {{"leaf_hash", "BBBB"},
                                  {"certificate", "urn:uuid:2"},
                                  {"outcome", "rejected"},
                                  {"reason", "FailedPrecondition: importer urn:x is unknown"}}})},
      {"root", "CCCC"}};
  const Json view = PublicBlock(block);
  CHECK(view["view"] == "public");
  CHECK(view["root"] == "CCCC");
  REQUIRE(view["documents"].size() == 2);
  for (const Json& document : view["documents"]) {
    CHECK(document.contains("leaf_hash"));
    CHECK(document.contains("outcome"));
    CHECK_FALSE(document.contains("certificate"));
    CHECK_FALSE(document.contains("reason"));
  }
  CHECK(view["documents"][0]["leaf_index"] == 4);
}

TEST_CASE("the public view of a label check names only the issuer and agencies") {
  const Json full = FullPrecursorCertificate();
  Json check = {{"verdict", "AUTHENTIC"},
                {"issuer", {{"did", "did:key:issuer"}, {"role", "shipper"}}},
                {"certificate", full},
                {"parties",
                 {{"did:key:issuer", {{"role", "shipper"}}},
                  {"did:key:carrier", {{"role", "carrier"}}},
                  {"did:key:agency", {{"role", "agency"}}}}}};
  const Json view = PublicLabelCheck(check);
  CHECK(view["verdict"] == "AUTHENTIC");
  CHECK(view["view"] == "public");
  CHECK(view["certificate"]["view"] == "public");
  CHECK(view["parties"].size() == 2);
  CHECK(view["parties"].contains("did:key:issuer"));
  CHECK(view["parties"].contains("did:key:agency"));
  CHECK_FALSE(view["parties"].contains("did:key:carrier"));
}

// ---------------------------------------------------------------------------
// The server's hook: the reader goes to the Backend.

struct Server {
  explicit Server(ServerOptions options = {}) {
    options.resolver_host = "verify.frontera.example";
    auto created = HttpServer::Create(&backend, std::move(options));
    REQUIRE(created.ok());
    server = std::move(created).value();
    REQUIRE(server->Start().ok());
  }
  RawAnswer Send(const std::string& method, const std::string& target,
                 const std::map<std::string, std::string>& headers, const std::string& body = "") {
    std::string request = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
    if (!body.empty()) {
      request +=
          "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
          "\r\n";
    }
    request += "\r\n" + body;
    RawConnection connection(server->port());
    REQUIRE(connection.connected());
    return connection.Exchange(request);
  }
  FakeBackend backend;
  std::unique_ptr<HttpServer> server;
};

int64_t NowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

crypto::KeyPair ReaderKey() {
  crypto::InitCrypto();
  crypto::Seed seed{};
  seed.fill(0x42);
  return crypto::KeyPair::FromSeed(seed);
}

TEST_CASE("a signed read reaches the Backend with its reader; an unsigned one is anonymous") {
  Server s;
  s.backend.SetReadJson(Json{{"id", "x"}});
  s.backend.SetLabelCheck(Json{{"verdict", "AUTHENTIC"}});
  const crypto::KeyPair key = ReaderKey();
  const std::string did = crypto::DidKeyFromPublicKey(key.public_key());
  for (const std::string target : {"/v1/certificates/urn%3Auuid%3A1", "/v1/blocks/2",
                                   "/00/375012345000000013?kid=LbhMZpGvVU4&sig=abc"}) {
    CAPTURE(target);
    RawAnswer anonymous = s.Send("GET", target, {{"Accept", "application/json"}});
    CHECK(anonymous.status == 200);
    REQUIRE_FALSE(s.backend.calls().empty());
    CHECK(s.backend.calls().back().reader.empty());

    std::map<std::string, std::string> headers =
        SignRequest(key, "GET", target, "", NowS(), RandomNonce());
    headers["Accept"] = "application/json";
    RawAnswer signed_read = s.Send("GET", target, headers);
    CHECK(signed_read.status == 200);
    CHECK(s.backend.calls().back().reader == did);
  }
}

TEST_CASE("a read with a bad signature is 401, names the reason and reaches no Backend") {
  Server s;
  s.backend.SetReadJson(Json{{"id", "x"}});
  const crypto::KeyPair key = ReaderKey();
  const std::string target = "/v1/certificates/urn%3Auuid%3A1";

  SUBCASE("signed for another path") {
    std::map<std::string, std::string> headers =
        SignRequest(key, "GET", "/v1/certificates/urn%3Auuid%3A2", "", NowS(), RandomNonce());
    RawAnswer answer = s.Send("GET", target, headers);
    CHECK(answer.status == 401);
    CHECK(answer.header("content-type") == "application/problem+json");
    Json problem = Json::parse(answer.body);
    CHECK(problem["errors"][0]["pointer"] == "/headers/signature");
    CHECK(problem["type"] == ProblemTypeUri(ProblemType::kUnauthenticated));
    CHECK(problem["status"] == 401);
    CHECK(problem["detail"].get<std::string>().find("does not verify") != std::string::npos);
  }
  SUBCASE("replayed") {
    std::map<std::string, std::string> headers =
        SignRequest(key, "GET", target, "", NowS(), RandomNonce());
    CHECK(s.Send("GET", target, headers).status == 200);
    const size_t calls = s.backend.calls().size();
    RawAnswer again = s.Send("GET", target, headers);
    CHECK(again.status == 401);
    CHECK(again.body.find("replayed") != std::string::npos);
    CHECK(s.backend.calls().size() == calls);
    return;
  }
  SUBCASE("created long ago") {
    std::map<std::string, std::string> headers =
        SignRequest(key, "GET", target, "", NowS() - 3600, RandomNonce());
    RawAnswer answer = s.Send("GET", target, headers);
    CHECK(answer.status == 401);
    CHECK(answer.body.find("signature_window_s") != std::string::npos);
  }
  SUBCASE("a write whose body is not the one signed") {
    std::map<std::string, std::string> headers =
        SignRequest(key, "POST", "/v1/certificates", "{\"a\":1}", NowS(), RandomNonce());
    RawAnswer answer = s.Send("POST", "/v1/certificates", headers, "{\"a\":2}");
    CHECK(answer.status == 401);
    CHECK(answer.body.find("Content-Digest does not match") != std::string::npos);
    CHECK(s.backend.write_calls() == 0);
  }
  CHECK(s.backend.calls().empty());
}

TEST_CASE("requests signed by one key beyond rate_per_key_per_s are 429; other readers are not") {
  ServerOptions options;
  options.rate_per_key_per_s = 1;
  options.rate_burst_per_key = 2;
  Server s(options);
  s.backend.SetReadJson(Json{{"id", "x"}});
  const crypto::KeyPair key = ReaderKey();
  const std::string target = "/v1/certificates/urn%3Auuid%3A1";
  auto signed_read = [&] {
    return s.Send("GET", target, SignRequest(key, "GET", target, "", NowS(), RandomNonce()));
  };
  CHECK(signed_read().status == 200);
  CHECK(signed_read().status == 200);
  RawAnswer limited = signed_read();
  CHECK(limited.status == 429);
  CHECK(std::stoi(limited.header("retry-after")) >= 1);
  CHECK(limited.body.find("rate_per_key_per_s") != std::string::npos);
  // The same address, unsigned, is only under the per-address limit.
  CHECK(s.Send("GET", target, {}).status == 200);
  // Another key has its own bucket.
  crypto::Seed seed{};
  seed.fill(0x17);
  const crypto::KeyPair other = crypto::KeyPair::FromSeed(seed);
  CHECK(
      s.Send("GET", target, SignRequest(other, "GET", target, "", NowS(), RandomNonce())).status ==
      200);
}

}  // namespace
}  // namespace frontera::api
