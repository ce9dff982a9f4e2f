// `frontera issue` bodies (tools/cmd_issue.h) against a fake node.
#include "tools/cmd_issue.h"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/tools/cli_fakes.h"
#include "tests/tools/label_support.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::FixtureDid;
using testing::kNode;
using testing::LabelPartyJson;
using testing::PartyPath;
using testing::Receipt;
using testing::TempDir;
using testing::TestEnv;
using testing::WriteFixtureKey;

PharmaOptions Amoxicillin() {
  PharmaOptions p;
  p.gtin = "07501234000017";
  p.lot = "LOT42A";
  p.serial = "SN7";
  p.expiry = "2028-10-31";
  p.product_name = "Amoxicillin 500 mg capsules";
  p.strength_dosage_form = "500 mg, capsule";
  p.container_size = "30 capsules";
  return p;
}

// 200 kg of a UN Table I precursor, MX to US; importer and consignee are the
// test's to set.
PrecursorOptions Pseudoephedrine() {
  PrecursorOptions p;
  p.sscc = "375012345000000013";
  p.substance = "Pseudoephedrine hydrochloride";
  p.cas = "345-78-8";
  p.un_table = "I";
  p.hs_code = "2939.42";
  p.quantity = "200";
  p.uom = "KGM";
  p.point_of_entry = "USLRD";
  p.dispatch_date = "2026-12-01";
  p.pen = "PEN-MX-2026-000123";
  p.import_permit = "DEA486-2026-0042";
  return p;
}

TEST_CASE("issue pharma: labels on the node's resolver, signs, posts, prints the receipt") {
  TempDir dir;
  TestEnv t;
  t.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                  LabelPartyJson("mx-manufacturer"));
  t.node().Answer("GET /v1/validators", 200,
                  {{"validators", Json::array()},
                   {"voters", Json::array()},
                   {"observers", Json::array()},
                   {"resolver", "verify.frontera.example"}});
  t.node().Answer("POST /v1/certificates", 201, Receipt("urn:uuid:1"));
  IssueOptions common;
  common.node = kNode;
  common.key = WriteFixtureKey(dir, "mx-manufacturer");
  common.id = "urn:uuid:1";
  int code = RunIssuePharma(common, Amoxicillin(), t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str() == "urn:uuid:1 active: leaf 7 (hash abc=), block 3\n");
  const testing::Request* post = t.node().Find("POST", "/v1/certificates");
  REQUIRE(post != nullptr);
  Json sent = Json::parse(post->body);
  CHECK(sent["id"] == "urn:uuid:1");
  CHECK(sent["credentialSubject"]["label"].get<std::string>().starts_with(
      "https://verify.frontera.example/01/07501234000017/10/LOT42A/21/SN7"));
  CHECK(sent.contains("proof"));
  CHECK(sent["validFrom"] == "2027-06-01T12:00:00Z");  // the injected clock
}

TEST_CASE("issue pharma: the node's refusals and failures map to exit codes") {
  TempDir dir;
  IssueOptions common;
  common.node = kNode;
  common.key = WriteFixtureKey(dir, "mx-manufacturer");
  common.no_label = true;

  TestEnv unknown;  // the issuer is not a party: 404
  CHECK(RunIssuePharma(common, Amoxicillin(), unknown.env()) == kExitNoInput);
  CHECK(unknown.err.str().find("issuer party (--key)") != std::string::npos);

  TestEnv refused;
  refused.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                        LabelPartyJson("mx-manufacturer"));
  refused.node().answers["POST /v1/certificates"] = {
      422, "application/problem+json",
      Json{{"title", "Unprocessable"},
           {"status", 422},
           {"errors", {{{"pointer", "/credentialSubject/lot"}, {"reason", "lot is recalled"}}}}}
          .dump()};
  CHECK(RunIssuePharma(common, Amoxicillin(), refused.env()) == kExitDataError);
  CHECK(refused.err.str().find("(/credentialSubject/lot comes from --lot)") != std::string::npos);

  TestEnv forbidden;
  forbidden.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                          LabelPartyJson("mx-manufacturer"));
  forbidden.node().Problem("POST /v1/certificates", 403, "Forbidden");
  CHECK(RunIssuePharma(common, Amoxicillin(), forbidden.env()) == kExitNoPermission);

  TestEnv down;
  down.node().no_answer = Status::Unavailable("cannot reach " + std::string(kNode));
  CHECK(RunIssuePharma(common, Amoxicillin(), down.env()) == kExitUnavailable);

  TestEnv bad_flag;  // caught before any request, naming the flag
  bad_flag.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                         LabelPartyJson("mx-manufacturer"));
  PharmaOptions p = Amoxicillin();
  p.gtin = "07501234000018";
  CHECK(RunIssuePharma(common, p, bad_flag.env()) == kExitDataError);
  CHECK(bad_flag.err.str().find("--gtin") != std::string::npos);
  CHECK(bad_flag.node().Find("POST", "/v1/certificates") == nullptr);

  TestEnv no_key;
  common.key = dir.path() + "/none.key";
  CHECK(RunIssuePharma(common, Amoxicillin(), no_key.env()) == kExitNoInput);
  CHECK(no_key.nodes.nodes.empty());
}

TEST_CASE("issue precursor: importer and consignee must be parties") {
  TempDir dir;
  TestEnv t;
  t.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                  LabelPartyJson("mx-manufacturer"));
  IssueOptions common;
  common.node = kNode;
  common.key = WriteFixtureKey(dir, "mx-manufacturer");
  common.no_label = true;
  PrecursorOptions p = Pseudoephedrine();
  p.importer = FixtureDid("us-distributor");
  p.consignee = FixtureDid("us-distributor");
  CHECK(RunIssuePrecursor(common, p, t.env()) == kExitNoInput);
  CHECK(t.err.str().find("--importer") != std::string::npos);

  t.node().Answer("GET " + PartyPath(FixtureDid("us-distributor")), 200,
                  LabelPartyJson("us-distributor"));
  t.node().Answer("POST /v1/certificates", 201, Receipt("urn:uuid:2"));
  TestEnv ok;
  ok.nodes.nodes[kNode] = t.node();
  int code = RunIssuePrecursor(common, p, ok.env());
  CHECK_MESSAGE(code == kExitOk, ok.err.str());
  CHECK(ok.out.str().starts_with("urn:uuid:2 active"));

  // The node's licence rule names the party's flag.
  TestEnv unlicensed;
  unlicensed.nodes.nodes[kNode] = t.node();
  unlicensed.node().answers["POST /v1/certificates"] = {
      403, "application/problem+json",
      Json{{"title", "Forbidden"},
           {"status", 403},
           {"errors",
            {{{"pointer", "/credentialSubject/importer/id"},
              {"reason", "no licence for 345-78-8 valid on 2026-12-01"}}}}}
          .dump()};
  CHECK(RunIssuePrecursor(common, p, unlicensed.env()) == kExitNoPermission);
  CHECK(unlicensed.err.str().find("(/credentialSubject/importer/id comes from --importer)") !=
        std::string::npos);

  TestEnv bad;
  p.quantity = "lots";
  CHECK(RunIssuePrecursor(common, p, bad.env()) == kExitUsage);
}

TEST_CASE("issue precursor: --importer-key and --consignee-key give the key files' DIDs") {
  TempDir dir;
  TestEnv t;
  t.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                  LabelPartyJson("mx-manufacturer"));
  t.node().Answer("GET " + PartyPath(FixtureDid("us-distributor")), 200,
                  LabelPartyJson("us-distributor"));
  t.node().Answer("POST /v1/certificates", 201, Receipt("urn:uuid:3"));
  IssueOptions common;
  common.node = kNode;
  common.key = WriteFixtureKey(dir, "mx-manufacturer");
  common.no_label = true;
  PrecursorOptions p = Pseudoephedrine();
  p.importer_key = WriteFixtureKey(dir, "us-distributor");
  p.consignee = FixtureDid("us-distributor");
  int code = RunIssuePrecursor(common, p, t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  const testing::Request* post = t.node().Find("POST", "/v1/certificates");
  REQUIRE(post != nullptr);
  Json sent = Json::parse(post->body);
  CHECK(sent["credentialSubject"]["importer"]["id"] == FixtureDid("us-distributor"));

  // Both forms of one party, no form at all, and an unreadable key file are
  // refused before the node is asked, naming the flags.
  PrecursorOptions both = p;
  both.importer = FixtureDid("us-distributor");
  TestEnv both_env;
  CHECK(RunIssuePrecursor(common, both, both_env.env()) == kExitUsage);
  CHECK(both_env.err.str().find("--importer DID or --importer-key FILE, not both") !=
        std::string::npos);
  PrecursorOptions neither = p;
  neither.consignee.clear();
  TestEnv neither_env;
  CHECK(RunIssuePrecursor(common, neither, neither_env.env()) == kExitUsage);
  CHECK(neither_env.err.str().find("--consignee-key") != std::string::npos);
  PrecursorOptions missing = p;
  missing.consignee.clear();
  missing.consignee_key = dir.path() + "/no-such.key";
  TestEnv missing_env;
  CHECK(RunIssuePrecursor(common, missing, missing_env.env()) == kExitNoInput);
  CHECK(missing_env.err.str().find("--consignee-key") != std::string::npos);
  CHECK(both_env.nodes.nodes.empty());
  CHECK(neither_env.nodes.nodes.empty());
  CHECK(missing_env.nodes.nodes.empty());
}

TEST_CASE("issue --file: posts a credential file; unsigned needs --key") {
  TempDir dir;
  IssueOptions common;
  common.node = kNode;
  TestEnv missing;
  CHECK(RunIssueFile(common, dir.path() + "/none.json", missing.env()) == kExitNoInput);

  std::string signed_file = testing::FixturePath("pharma-credential.json");
  TestEnv t;
  t.node().Answer("POST /v1/certificates", 201, Receipt("urn:uuid:3"));
  common.json = true;
  CHECK(RunIssueFile(common, signed_file, t.env()) == kExitOk);
  CHECK(Json::parse(t.out.str())["id"] == "urn:uuid:3");

  std::string unsigned_file = dir.path() + "/unsigned.json";
  Json credential = testing::LoadFixture("pharma-credential.json");
  credential.erase("proof");
  std::ofstream(unsigned_file) << credential.dump();
  TestEnv no_key;
  CHECK(RunIssueFile(common, unsigned_file, no_key.env()) == kExitUsage);
  CHECK(no_key.err.str().find("--key") != std::string::npos);

  std::string not_json = dir.path() + "/x.json";
  std::ofstream(not_json) << "[1,";
  TestEnv bad;
  CHECK(RunIssueFile(common, not_json, bad.env()) == kExitDataError);
}

}  // namespace
}  // namespace frontera::tools
