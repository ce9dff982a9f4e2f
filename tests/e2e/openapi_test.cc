// The API contract against a running validator: its answers to every route,
// successes and problems, are recorded and validated against the schemas of
// api/openapi.json by tests/api/check_answers.py (python3-jsonschema).
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "crypto/did_key.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

const std::string kPharmaId = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

struct Recorder {
  Json answers = Json::array();
  void Add(const std::string& operation_id, const Result<api::HttpAnswer>& answer,
           int expected_status) {
    REQUIRE_MESSAGE(answer.ok(), operation_id << ": " << answer.status().ToString());
    CHECK_MESSAGE(answer->status == expected_status,
                  operation_id << " answered " << answer->status << ": " << answer->body);
    answers.push_back({{"operationId", operation_id},
                       {"status", answer->status},
                       {"content_type", answer->content_type},
                       {"body", answer->body}});
  }
};

TEST_CASE("a running validator's answers match the schemas of api/openapi.json") {
  TestNetwork net;
  NodeProcess node(net.config_path(), net.dir() + "/port");
  auto client = node.Client();
  const std::string cert = "/v1/certificates/" + api::Client::EncodePathSegment(kPharmaId);
  Recorder r;
  auto post = [&](const std::string& path, const std::string& fixture) {
    return client->PostRaw(path, FixtureJson(fixture).dump(), "application/json");
  };
  r.Add("issueCertificate", post("/v1/certificates", "pharma-credential.json"), 201);
  r.Add("issueCertificate", post("/v1/certificates", "precursor-credential.json"), 201);
  r.Add("recordEvent", post(cert + "/events", "shipping-event.json"), 201);
  // The carrier receives the unit: a second event, for the EPCIS pages below.
  Json received = FixtureJson("shipping-event.json");
  for (const char* member : {"proof", "sourceList", "destinationList", "disposition"}) {
    received.erase(member);
  }
  received["eventID"] = "urn:uuid:00000000-0000-4000-e000-000000000001";
  received["bizStep"] = "receiving";
  received["eventTime"] = "2026-11-04T09:30:00.000-06:00";
  r.Add("recordEvent",
        client->PostRaw(cert + "/events", Sign(received, "mx-carrier").dump(), "application/json"),
        201);
  // A retry answers with the first receipt; a duplicate is a problem.
  r.Add("issueCertificate", post("/v1/certificates", "pharma-credential.json"), 201);
  r.Add("issueCertificate", client->PostRaw("/v1/certificates", "{}", "application/json"), 400);
  r.Add("issueCertificate", client->PostRaw("/v1/certificates", "{}", "text/plain"), 415);

  r.Add("getCertificate", client->GetRaw(cert), 200);
  r.Add("getCertificate", client->GetRaw("/v1/certificates/urn:uuid:nothing"), 404);
  r.Add("getCertificateProof", client->GetRaw(cert + "/proof"), 200);
  r.Add("getInclusionProof", client->GetRaw("/v1/proofs/inclusion?leaf_index=2"), 200);
  r.Add("getInclusionProof", client->GetRaw("/v1/proofs/inclusion?leaf_index=x"), 400);
  r.Add("getInclusionProof", client->GetRaw("/v1/proofs/inclusion?leaf_index=99"), 404);
  r.Add("getConsistencyProof", client->GetRaw("/v1/proofs/consistency?first=1&second=3"), 200);
  r.Add("getCheckpoint", client->GetRaw("/v1/checkpoint"), 200);
  r.Add("getBlock", client->GetRaw("/v1/blocks/1"), 200);
  // A registry document: ANAM suspends the carrier (receipt, then the party
  // with its history), and CBP may not register a Mexican party (403).
  const std::string carrier = ExampleParties().at("mx-carrier").did;
  const Json suspension = Sign(
      {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
       {"type", "PartySuspension"},
       {"id", "urn:uuid:00000000-0000-4000-b000-000000000001"},
       {"issuer", ExampleParties().at("mx-anam").did},
       {"party", carrier},
       {"reason", "operating licence revoked"}},
      "mx-anam");
  r.Add("changeRegistry", client->PostRaw("/v1/parties", suspension.dump(), "application/json"),
        201);
  r.Add("getParty", client->GetRaw("/v1/parties/" + carrier), 200);
  const Json by_cbp = Sign(
      {{"@context", {"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}},
       {"type", "PartyRegistration"},
       {"id", "urn:uuid:00000000-0000-4000-b000-000000000002"},
       {"issuer", ExampleParties().at("us-cbp").did},
       {"party",
        {{"did",
          crypto::DidKeyFromPublicKey(crypto::KeyPair::FromSeed(crypto::Seed{7}).public_key())},
         {"name", "Farmacia"},
         {"role", "pharmacy"},
         {"country", "MX"}}}},
      "us-cbp");
  r.Add("changeRegistry", client->PostRaw("/v1/parties", by_cbp.dump(), "application/json"), 403);
  r.Add("getParty", client->GetRaw("/v1/parties/" + ExampleParties().at("mx-manufacturer").did),
        200);
  r.Add("listParties", client->GetRaw("/v1/parties?role=distributor&limit=2"), 200);
  r.Add("listParties", client->GetRaw("/v1/parties?limit=1001"), 400);
  // The detailed status and the metrics: on the operational listener; the
  // public API says so.
  auto ops = node.OpsClient();
  r.Add("getStatus", ops->GetRaw("/v1/status"), 200);
  r.Add("getStatus", client->GetRaw("/v1/status"), 404);
  r.Add("postBackup", ops->PostRaw("/v1/backup", "", "application/json"), 201);
  r.Add("postBackup", ops->PostRaw("/v1/backup", "{}", "application/json"), 400);
  r.Add("postBackup", client->PostRaw("/v1/backup", "", "application/json"), 404);
  r.Add("getMetrics", client->GetRaw("/metrics"), 404);
  r.Add("getTrustBundle", client->GetRaw("/v1/trust-bundle"), 200);
  r.Add("getLabelSvg", client->GetRaw(cert + "/qr.svg"), 200);
  const std::string label = ReadFixture("label-uri.txt");
  const std::string label_path =
      label.substr(label.find("/01/"), label.find_last_not_of("\n") - label.find("/01/") + 1);
  r.Add("resolveProductLabel", client->GetRaw(label_path, "application/json"), 200);
  r.Add("resolveProductLabel", client->GetRaw(label_path, "text/html"), 200);
  r.Add("getHealth", client->GetRaw("/healthz"), 200);
  r.Add("getMetrics", ops->GetRaw("/metrics"), 200);
  r.Add("getOpenApi", client->GetRaw("/v1/openapi.json"), 200);
  // The EPCIS 2.0 query (docs/api.md §12): the public view, an agency's full
  // view, an empty answer, a page with a next token, and a bad parameter; the
  // answers are also checked against GS1's own schema below.
  Json epcis = Json::array();
  auto add_epcis = [&](const std::string& name, const Result<api::HttpAnswer>& answer) {
    r.Add("getEpcisEvents", answer, 200);
    if (answer.ok()) epcis.push_back({{"name", name}, {"body", answer->body}});
  };
  const std::string item = "https://id.gs1.org/01/07501234000017/21/SN000123";
  add_epcis("public view", client->GetRaw("/epcis/events?MATCH_epc=" + item));
  add_epcis("empty", client->GetRaw("/epcis/events?EQ_bizStep=destroying"));
  add_epcis("paged", client->GetRaw("/epcis/events?perPage=1&GE_eventTime=2026-01-01T00:00:00Z"));
  r.Add("getEpcisEvents", client->GetRaw("/epcis/events?EQ_bizstep=shipping"), 400);
  auto agency = node.Client();
  agency->SetSigningKey(ExampleParties().at("us-cbp").key);
  add_epcis("full view", agency->GetRaw("/epcis/events?EQ_bizStep=shipping"));
  REQUIRE(epcis.size() == 4);
  const Json full = Json::parse(epcis[3]["body"].get<std::string>());
  const Json& events = full["epcisBody"]["queryResults"]["resultsBody"]["eventList"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["frontera:view"] == "full");
  CHECK(events[0].contains("sourceList"));
  const Json pub = Json::parse(epcis[0]["body"].get<std::string>());
  CHECK(pub["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0]["frontera:view"] ==
        "public");

  const std::string answers_path = net.dir() + "/answers.json";
  std::ofstream(answers_path) << r.answers.dump();
  std::string output;
  const int code = RunCommand(
      {"/usr/bin/python3", std::string(FRONTERA_SOURCE_DIR) + "/tests/api/check_answers.py",
       std::string(FRONTERA_SOURCE_DIR) + "/api/openapi.json", answers_path},
      &output);
  CHECK_MESSAGE(code == 0, output);
  CHECK(output.find(std::to_string(r.answers.size()) + " answers match the document") !=
        std::string::npos);

  const std::string epcis_path = net.dir() + "/epcis.json";
  std::ofstream(epcis_path) << epcis.dump();
  std::string epcis_output;
  const int epcis_code = RunCommand(
      {"/usr/bin/python3", std::string(FRONTERA_SOURCE_DIR) + "/tests/api/check_epcis.py",
       std::string(FRONTERA_FIXTURES_DIR) + "/epcis/EPCIS-JSON-Schema.json", epcis_path},
      &epcis_output);
  CHECK_MESSAGE(epcis_code == 0, epcis_output);
  CHECK(epcis_output.find("4 answers match the EPCIS 2.0 schema, 0 do not") != std::string::npos);
}

}  // namespace
}  // namespace frontera::e2e
