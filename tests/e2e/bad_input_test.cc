// Bad input: malformed and unauthorized requests each get the right 4xx as an
// RFC 9457 problem naming the field, and leave the ledger unchanged.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/version.h"
#include "crypto/did_key.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

const char* kPharmaId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

Json Unsigned(const std::string& fixture) {
  Json doc = FixtureJson(fixture);
  doc.erase("proof");
  return doc;
}

// A fresh, valid pharmaceutical credential (new id and serial, no label).
Json FreshPharma(const std::string& serial) {
  Json doc = Unsigned("pharma-credential.json");
  doc["id"] = "urn:uuid:11111111-0000-4000-8000-" + std::string(12 - serial.size(), '0') + serial;
  doc["credentialSubject"]["serial"] = serial;
  doc["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/" + serial;
  doc["credentialSubject"].erase("label");
  return doc;
}

Json FreshPrecursor() {
  Json doc = Unsigned("precursor-credential.json");
  doc["id"] = "urn:uuid:22222222-0000-4000-8000-000000000001";
  doc["credentialSubject"].erase("label");
  doc["credentialSubject"]["sscc"] = "375012345000000020";
  doc["credentialSubject"]["id"] = "https://id.gs1.org/00/375012345000000020";
  return doc;
}

Json Event(const std::string& id, const std::string& step) {
  Json e = Unsigned("shipping-event.json");
  e["eventID"] = id;
  e["bizStep"] = step;
  if (step != "shipping") {
    e.erase("sourceList");
    e.erase("destinationList");
  }
  return e;
}

Json Shipping(const std::string& id, const std::string& from) {
  Json e = Event(id, "shipping");
  e["sourceList"] = {{{"type", "possessing_party"}, {"source", ExampleParties().at(from).did}}};
  e["destinationList"] = {
      {{"type", "possessing_party"}, {"destination", ExampleParties().at("mx-carrier").did}}};
  return e;
}

struct Case {
  std::string name;
  std::string method;  // "POST" or "GET"
  std::string path;
  std::string body;
  int status;
  std::string pointer;  // expected among the problem's errors; empty = don't check
  std::string content_type = "application/json";
};

std::string Events(const std::string& id) {
  return "/v1/certificates/" + api::Client::EncodePathSegment(id) + "/events";
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto post = [&](std::string name, std::string path, const Json& body, int status,
                  std::string pointer) {
    cases.push_back(
        {std::move(name), "POST", std::move(path), body.dump(), status, std::move(pointer)});
  };
  auto issue = [&](std::string name, const Json& body, int status, std::string pointer) {
    post(std::move(name), "/v1/certificates", body, status, std::move(pointer));
  };
  const std::string mfr = "mx-manufacturer";

  cases.push_back({"broken JSON", "POST", "/v1/certificates", "{\"id\": ", 400, ""});
  cases.push_back({"array body", "POST", "/v1/certificates", "[]", 400, ""});
  cases.push_back({"trailing garbage", "POST", "/v1/certificates", "{} x", 400, ""});
  cases.push_back(
      {"duplicate member", "POST", "/v1/certificates", "{\"id\":1,\"id\":2}", 400, "/id"});
  cases.push_back({"deep nesting", "POST", "/v1/certificates",
                   std::string(200, '[') + std::string(200, ']'), 400, ""});
  cases.push_back({"oversize body", "POST", "/v1/certificates",
                   "{\"x\":\"" + std::string(2 << 20, 'a') + "\"}", 413, ""});
  cases.push_back({"wrong content type", "POST", "/v1/certificates",
                   Sign(FreshPharma("BAD01"), mfr).dump(), 415, "", "text/plain"});

  Json no_context = FreshPharma("BAD02");
  no_context.erase("@context");
  issue("missing @context", Sign(no_context, mfr), 400, "/@context");
  Json type_string = FreshPharma("BAD03");
  type_string["type"] = "VerifiableCredential";
  issue("type is not an array", Sign(type_string, mfr), 400, "/type");
  Json gtin_number = FreshPharma("BAD04");
  gtin_number["credentialSubject"]["gtin"] = 7501234000017;
  issue("GTIN is a number", Sign(gtin_number, mfr), 400, "/credentialSubject/gtin");
  Json bad_check = FreshPharma("BAD05");
  bad_check["credentialSubject"]["gtin"] = "07501234000018";
  bad_check["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000018/10/LOT42A/21/BAD05";
  issue("GTIN check digit", Sign(bad_check, mfr), 422, "/credentialSubject/gtin");
  Json bad_serial = FreshPharma("BAD06");
  bad_serial["credentialSubject"]["serial"] = "SN#06";
  issue("serial outside GS1 CSET 82", Sign(bad_serial, mfr), 422, "/credentialSubject/serial");
  Json long_serial = FreshPharma("BAD07");
  long_serial["credentialSubject"]["serial"] = std::string(21, '7');
  issue("serial longer than 20", Sign(long_serial, mfr), 422, "/credentialSubject/serial");
  Json bad_expiry = FreshPharma("BAD08");
  bad_expiry["credentialSubject"]["expiry"] = "2028-02-30";
  issue("expiry is not a date", Sign(bad_expiry, mfr), 422, "/credentialSubject/expiry");
  Json bad_subject = FreshPharma("BAD09");
  bad_subject["credentialSubject"]["id"] = "https://id.gs1.org/01/07501234000017/10/LOT42A/21/X";
  issue("subject id is not the item's Digital Link", Sign(bad_subject, mfr), 422,
        "/credentialSubject/id");
  Json bad_country = FreshPharma("BAD10");
  bad_country["credentialSubject"]["manufacturer"]["countryOfOrigin"] = "XX";
  issue("unknown country code", Sign(bad_country, mfr), 422,
        "/credentialSubject/manufacturer/countryOfOrigin");
  Json bad_gln = FreshPharma("BAD11");
  bad_gln["credentialSubject"]["manufacturer"]["gln"] = "7501234000018";
  issue("GLN check digit", Sign(bad_gln, mfr), 422, "/credentialSubject/manufacturer/gln");
  Json until_before = FreshPharma("BAD12");
  until_before["validUntil"] = "2026-01-01T00:00:00Z";
  issue("validUntil before validFrom", Sign(until_before, mfr), 422, "/validUntil");

  // Signatures and signers.
  {
    crypto::KeyPair stranger = crypto::KeyPair::FromSeed(crypto::Seed{42});
    Json doc = FreshPharma("BAD13");
    doc["issuer"] = crypto::DidKeyFromPublicKey(stranger.public_key());
    crypto::ProofOptions options;
    options.created = "2026-11-30T10:00:00Z";
    options.verification_method = crypto::VerificationMethodFromPublicKey(stranger.public_key());
    auto signed_doc = crypto::CreateProof(doc, options, stranger);
    REQUIRE(signed_doc.ok());
    issue("unknown signer", *signed_doc, 403, "/proof/verificationMethod");
  }
  Json tampered = Sign(FreshPharma("BAD14"), mfr);
  tampered["credentialSubject"]["productName"] = "Oxycodone 80 mg tablets";
  issue("signature does not cover the content", tampered, 422, "");
  Json bad_proof_value = Sign(FreshPharma("BAD15"), mfr);
  bad_proof_value["proof"]["proofValue"] = "z111";
  issue("proofValue is not a signature", bad_proof_value, 422, "/proof/proofValue");
  Json other_suite = Sign(FreshPharma("BAD16"), mfr);
  other_suite["proof"]["cryptosuite"] = "ecdsa-rdfc-2019";
  issue("unsupported cryptosuite", other_suite, 422, "/proof/cryptosuite");
  Json no_proof = FreshPharma("BAD17");
  issue("no proof", no_proof, 400, "/proof");
  issue("signed by someone else than the issuer", Sign(FreshPharma("BAD18"), "mx-carrier"), 422,
        "/proof/verificationMethod");
  {
    Json doc = FreshPharma("BAD19");
    doc["issuer"] = ExampleParties().at("mx-carrier").did;
    issue("a carrier cannot issue", Sign(doc, "mx-carrier"), 403, "/issuer");
  }
  {
    Json doc = FreshPharma("BAD20");
    doc["credentialSubject"]["gtin"] = "00012345678905";
    doc["credentialSubject"]["id"] = "https://id.gs1.org/01/00012345678905/10/LOT42A/21/BAD20";
    issue("GTIN outside the issuer's company prefix", Sign(doc, mfr), 403,
          "/credentialSubject/gtin");
  }
  {
    // The fixture's id on another document (an identical one is a retry).
    Json doc = Unsigned("pharma-credential.json");
    doc["validFrom"] = "2026-11-02T14:06:00Z";
    issue("duplicate certificate id", Sign(doc, mfr), 409, "/id");
  }
  {
    Json doc = FreshPharma("SN000123");  // the fixture's serial, new id
    issue("duplicate GTIN and serial", Sign(doc, mfr), 409, "/credentialSubject/serial");
  }

  // Precursors.
  Json bad_cas = FreshPrecursor();
  bad_cas["credentialSubject"]["substance"]["casRn"] = "345-78-9";
  issue("CAS RN checksum", Sign(bad_cas, mfr), 422, "/credentialSubject/substance/casRn");
  Json no_pen = FreshPrecursor();
  no_pen["credentialSubject"].erase("preExportNotification");
  issue("Table I across a border without pre-export notification", Sign(no_pen, mfr), 422,
        "/credentialSubject/preExportNotification");
  Json bad_uom = FreshPrecursor();
  bad_uom["credentialSubject"]["quantity"]["uom"] = "KILOS";
  issue("unknown unit of measure", Sign(bad_uom, mfr), 422, "/credentialSubject/quantity/uom");
  Json bad_sscc = FreshPrecursor();
  bad_sscc["credentialSubject"]["sscc"] = "375012345000000021";
  bad_sscc["credentialSubject"]["id"] = "https://id.gs1.org/00/375012345000000021";
  issue("SSCC check digit", Sign(bad_sscc, mfr), 422, "/credentialSubject/sscc");
  Json negative = FreshPrecursor();
  negative["credentialSubject"]["quantity"]["value"] = -5;
  issue("negative quantity", Sign(negative, mfr), 422, "/credentialSubject/quantity/value");

  // Events (the fixture certificate is on the ledger, held by the manufacturer).
  post("event by a party that does not hold the item", Events(kPharmaId),
       Sign(Shipping("urn:uuid:33333333-0000-4000-8000-000000000001", "us-distributor"),
            "us-distributor"),
       403, "/proof/verificationMethod");
  post("event about an unknown certificate", Events("urn:uuid:unknown"),
       Sign(Event("urn:uuid:33333333-0000-4000-8000-000000000002", "arriving"), mfr), 404, "");
  {
    Json e = Event("urn:uuid:33333333-0000-4000-8000-000000000003", "arriving");
    e["certificationInfo"] = "urn:uuid:7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
    post("certificationInfo names another certificate", Events(kPharmaId), Sign(e, mfr), 422,
         "/certificationInfo");
  }
  post("unknown bizStep", Events(kPharmaId),
       Sign(Event("urn:uuid:33333333-0000-4000-8000-000000000004", "teleporting"), mfr), 422,
       "/bizStep");
  {
    Json e = Event("urn:uuid:33333333-0000-4000-8000-000000000005", "arriving");
    e["epcList"] = {"https://id.gs1.org/01/07501234000017/21/OTHER"};
    post("epcList does not name the item", Events(kPharmaId), Sign(e, mfr), 422, "/epcList");
  }
  post("receiving by a party it was not shipped to", Events(kPharmaId),
       Sign(Event("urn:uuid:33333333-0000-4000-8000-000000000006", "receiving"), "us-distributor"),
       403, "/proof/verificationMethod");
  post("customs hold by a non-agency", Events(kPharmaId),
       Sign(Event("urn:uuid:33333333-0000-4000-8000-000000000007",
                  "https://frontera.example/ns/v1/bizstep/customs_hold"),
            "mx-carrier"),
       403, "/proof/verificationMethod");
  {
    Json e = Event("urn:uuid:33333333-0000-4000-8000-000000000008", "shipping");
    e.erase("destinationList");
    post("shipping without the next custodian", Events(kPharmaId), Sign(e, mfr), 422,
         "/destinationList");
  }
  {
    Json rev = Revocation("urn:uuid:44444444-0000-4000-8000-000000000001", kPharmaId, "mx-carrier",
                          "not mine to revoke");
    post("revocation by a carrier",
         "/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId) + "/revocation",
         Sign(rev, "mx-carrier"), 403, "/proof/verificationMethod");
  }

  // Reads with bad parameters.
  cases.push_back({"consistency with first = 0", "GET", "/v1/proofs/consistency?first=0&second=1",
                   "", 400, "/query/first"});
  cases.push_back({"consistency beyond the tree", "GET",
                   "/v1/proofs/consistency?first=1&second=999999", "", 400, "/query/second"});
  cases.push_back({"unknown certificate", "GET", "/v1/certificates/urn:uuid:nope", "", 404, ""});
  cases.push_back({"unknown route", "GET", "/v1/nothing-here", "", 404, ""});
  cases.push_back({"wrong method", "GET", "/v1/certificates", "", 405, ""});
  return cases;
}

TEST_CASE("every bad request gets the right problem and changes nothing") {
  TestNetwork net;
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();
  auto first = client->PostJson("/v1/certificates", FixtureJson("pharma-credential.json"));
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  REQUIRE(client->PostJson("/v1/certificates", FixtureJson("precursor-credential.json")).ok());
  // Sending the same document again is a safe retry: the original receipt,
  // nothing written.
  auto again = client->PostJson("/v1/certificates", FixtureJson("pharma-credential.json"));
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(*again == *first);
  auto before = client->GetText("/v1/checkpoint");
  REQUIRE(before.ok());

  std::vector<Case> cases = Cases();
  CHECK(cases.size() >= 30);
  for (const Case& c : cases) {
    CAPTURE(c.name);
    auto fresh = node.Client();  // a server may close a connection after an error
    auto answer =
        c.method == "POST" ? fresh->PostRaw(c.path, c.body, c.content_type) : fresh->GetRaw(c.path);
    REQUIRE_MESSAGE(answer.ok(), answer.status().ToString());
    CHECK(answer->status == c.status);
    CHECK(answer->content_type.find("application/problem+json") == 0);
    Json problem = Json::parse(answer->body, nullptr, false);
    REQUIRE_MESSAGE(problem.is_object(), answer->body.substr(0, 300));
    CHECK(problem["status"] == c.status);
    CHECK(problem.contains("type"));
    CHECK(problem.contains("title"));
    CHECK(problem["detail"].get<std::string>().size() > 10);
    if (!c.pointer.empty()) {
      bool found = false;
      for (const Json& e : problem["errors"]) found |= e["pointer"] == c.pointer;
      CHECK_MESSAGE(found, "expected pointer " << c.pointer << " in " << problem.dump());
    }
  }
  auto after = client->GetText("/v1/checkpoint");
  REQUIRE(after.ok());
  CHECK(*after == *before);
  auto health = client->GetText("/healthz");
  CHECK(health.ok());
  // The data directory records its format (docs/operations.md#data-directory),
  // and /metrics names the build (docs/operations.md#versions).
  std::ifstream format_file(net.dir() + "/data/FORMAT");
  std::string format_line;
  std::getline(format_file, format_line);
  CHECK(format_line == "1");
  auto metrics = node.OpsClient()->GetText("/metrics");
  REQUIRE(metrics.ok());
  CHECK_MESSAGE(metrics->find("\nfrontera_build_info{version=\"" + std::string(version::Release()) +
                              "\",commit=\"" + std::string(version::GitCommit()) +
                              "\",data_format=\"1\",peer_protocol=\"1\"} 1\n") != std::string::npos,
                *metrics);
  // The operator's log names each kind of refusal once (then at most once
  // per 10 s), with the validator's name, a UTC timestamp and the level.
  std::ifstream log(net.dir() + "/port.log");
  std::stringstream text;
  text << log.rdbuf();
  const std::string lines = text.str();
  CHECK_MESSAGE(
      lines.find(" info [us-cbp] refused a credential at admission (problem ") != std::string::npos,
      lines);
  CHECK(lines.find(" info [us-cbp] recovered: ledger ") != std::string::npos);
  CHECK(lines.find(" info [us-cbp] fronterad: validator us-cbp serving http://") !=
        std::string::npos);
  const size_t first_t = lines.find('T');
  REQUIRE(first_t == 10);  // "2026-12-06T04:20:00.123Z info ..."
  CHECK(lines.substr(23, 2) == "Z ");
}

}  // namespace
}  // namespace frontera::e2e
