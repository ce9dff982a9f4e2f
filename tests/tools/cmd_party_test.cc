// `frontera party list|show|add|suspend|reinstate|rotate` (tools/cmd_party.h)
// against fake nodes.
#include "tools/cmd_party.h"

#include <doctest/doctest.h>

#include "crypto/data_integrity.h"
#include "ledger/registry.h"
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
using testing::TempDir;
using testing::TestEnv;
using testing::WriteFixtureKey;

Json Registered(const std::string& fixture_name) {
  Json party = LabelPartyJson(fixture_name);
  party["registered_by"] = "genesis";
  return party;
}

TEST_CASE("party list reads every page, with the role and country asked") {
  TestEnv t;
  const std::string first = "/v1/parties?limit=1000&role=agency&country=MX";
  const std::string cursor = FixtureDid("mx-anam");
  t.node().Answer("GET " + first, 200,
                  Json{{"parties", Json::array({Registered("mx-anam")})}, {"next", cursor}});
  Json suspended = Registered("us-cbp");
  suspended["suspended"] = true;
  t.node().Answer("GET " + first + "&after=" + api::Client::EncodePathSegment(cursor), 200,
                  Json{{"parties", Json::array({suspended})}, {"next", nullptr}});
  PartyListOptions options;
  options.node = kNode;
  options.role = "agency";
  options.country = "MX";
  int code = RunPartyList(options, t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str() == FixtureDid("mx-anam") +
                           "  agency  MX  Agencia Nacional de Aduanas de México\n" +
                           FixtureDid("us-cbp") +
                           "  agency  US  U.S. Customs and Border Protection  (suspended)\n"
                           "2 parties\n");

  TestEnv json;
  json.nodes.nodes[kNode] = t.node();
  options.json = true;
  REQUIRE(RunPartyList(options, json.env()) == kExitOk);
  CHECK(Json::parse(json.out.str()).size() == 2);
}

TEST_CASE("party list stops at a node whose pages do not move forward") {
  TestEnv t;
  const std::string first = "/v1/parties?limit=1000";
  const std::string cursor = FixtureDid("mx-anam");
  const Json looping = {{"parties", Json::array({Registered("mx-anam")})}, {"next", cursor}};
  t.node().Answer("GET " + first, 200, looping);
  t.node().Answer("GET " + first + "&after=" + api::Client::EncodePathSegment(cursor), 200,
                  looping);
  PartyListOptions options;
  options.node = kNode;
  CHECK(RunPartyList(options, t.env()) == kExitDataError);
  CHECK(t.err.str().find("does not move forward") != std::string::npos);
  CHECK(t.node().requests.size() == 2);
}

TEST_CASE("party show: by DID or key file, with the licences; unknown is 66") {
  TempDir dir;
  TestEnv t;
  const std::string did = FixtureDid("us-distributor");
  t.node().Answer("GET " + PartyPath(did), 200, Registered("us-distributor"));
  PartyShowOptions options;
  options.node = kNode;
  options.key = WriteFixtureKey(dir, "us-distributor");
  int code = RunPartyShow(options, t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  const std::string shown = t.out.str();
  CHECK(shown.rfind("Example Pharma Distribution LLC\n", 0) == 0);
  CHECK(shown.find("  role:      distributor\n") != std::string::npos);
  CHECK(
      shown.find("    CAS 345-78-8  no. DEA-CHEM-2026-RD0042  valid 2026-01-01 to 2027-06-30\n") !=
      std::string::npos);
  CHECK(shown.find("  in good standing\n") != std::string::npos);

  TestEnv unknown;
  PartyShowOptions by_did;
  by_did.node = kNode;
  by_did.did = FixtureDid("mx-carrier");
  CHECK(RunPartyShow(by_did, unknown.env()) == kExitNoInput);
  CHECK(unknown.err.str().find("is not a registered party") != std::string::npos);

  TestEnv both;
  by_did.key = options.key;
  CHECK(RunPartyShow(by_did, both.env()) == kExitUsage);
  TestEnv neither;
  CHECK(RunPartyShow(PartyShowOptions{}, neither.env()) == kExitUsage);
  CHECK(neither.node().requests.empty());
}

Json Receipt(const std::string& did, const std::string& status) {
  return {{"id", did},
          {"status", status},
          {"ledger", {{"leaf_index", 7}, {"leaf_hash", std::string(44, 'A')}, {"block", 5}}}};
}

TEST_CASE("party add signs a PartyRegistration with each agency key and posts it") {
  TempDir dir;
  TestEnv t;
  const std::string did = FixtureDid("mx-carrier");
  t.node().Answer("POST /v1/parties", 201, Receipt(did, "active"));
  PartyChangeOptions options;
  options.node = kNode;
  options.change = PartyChange::kAdd;
  options.key = did;
  options.role = "carrier";
  options.country = "MX";
  options.name = "Transportes";
  options.prefixes = {"7509876"};
  options.licences = {"345-78-8:L-1:2026-01-01:2027-12-31"};
  options.agency_keys = {WriteFixtureKey(dir, "mx-anam"), WriteFixtureKey(dir, "us-cbp")};
  int code = RunPartyChange(options, t.env());
  REQUIRE_MESSAGE(code == kExitOk, t.err.str());
  const testing::Request* posted = t.node().Find("POST", "/v1/parties");
  REQUIRE(posted != nullptr);
  const Json doc = Json::parse(posted->body);
  auto change = ledger::ParseRegistryDocument(doc);
  REQUIRE_MESSAGE(change.ok(), change.status().ToString());
  CHECK(change->action == ledger::RegistryAction::kRegister);
  CHECK(change->issuer == FixtureDid("mx-anam"));
  CHECK(change->party.prefixes == std::vector<std::string>{"7509876"});
  REQUIRE(change->party.licences.size() == 1);
  CHECK(change->party.licences[0].number == "L-1");
  // A proof set: each agency signed, the first is the issuer.
  auto signers = crypto::VerifyProofs(doc);
  REQUIRE_MESSAGE(signers.ok(), signers.status().ToString());
  REQUIRE(signers->size() == 2);
  CHECK((*signers)[1].controller == FixtureDid("us-cbp"));
  CHECK(t.out.str().find(did) != std::string::npos);

  // A bad field is refused before posting, naming its flag.
  TestEnv bad;
  options.gln = "0061414000018";
  CHECK(RunPartyChange(options, bad.env()) == kExitDataError);
  CHECK(bad.err.str().find("--gln") != std::string::npos);
  CHECK(bad.node().requests.empty());
  TestEnv licence;
  options.gln.clear();
  options.licences = {"345-78-8:L-1"};
  CHECK(RunPartyChange(options, licence.env()) == kExitUsage);
  TestEnv no_agency;
  options.agency_keys.clear();
  CHECK(RunPartyChange(options, no_agency.env()) == kExitUsage);
}

TEST_CASE("party suspend and rotate: the party by DID or key file; the signer") {
  TempDir dir;
  TestEnv t;
  const std::string carrier = FixtureDid("mx-carrier");
  t.node().Answer("POST /v1/parties", 201, Receipt(carrier, "suspended"));
  PartyChangeOptions suspend;
  suspend.node = kNode;
  suspend.change = PartyChange::kSuspend;
  suspend.key = WriteFixtureKey(dir, "mx-carrier");
  suspend.reason = "licence revoked";
  suspend.agency_keys = {WriteFixtureKey(dir, "mx-anam")};
  REQUIRE_MESSAGE(RunPartyChange(suspend, t.env()) == kExitOk, t.err.str());
  const Json doc = Json::parse(t.node().Find("POST", "/v1/parties")->body);
  CHECK(doc["type"] == "PartySuspension");
  CHECK(doc["party"] == carrier);
  CHECK(doc["reason"] == "licence revoked");
  CHECK(doc["issuer"] == FixtureDid("mx-anam"));

  // The node's refusal is the exit code: 403 is 77.
  TestEnv refused;
  refused.node().Problem("POST /v1/parties", 403, "Forbidden");
  CHECK(RunPartyChange(suspend, refused.env()) == kExitNoPermission);

  // A rotation the party signs itself, with its current key.
  TestEnv rotate;
  const std::string next = FixtureDid("us-distributor");
  rotate.node().Answer("POST /v1/parties", 201, Receipt(next, "active"));
  PartyChangeOptions o;
  o.node = kNode;
  o.change = PartyChange::kRotate;
  o.key = suspend.key;
  o.new_key = next;
  REQUIRE_MESSAGE(RunPartyChange(o, rotate.env()) == kExitOk, rotate.err.str());
  const Json rotation = Json::parse(rotate.node().Find("POST", "/v1/parties")->body);
  CHECK(rotation["type"] == "PartyKeyRotation");
  CHECK(rotation["issuer"] == carrier);
  CHECK(rotation["party"] == carrier);
  CHECK(rotation["newKey"] == next);
  TestEnv no_new;
  o.new_key.clear();
  CHECK(RunPartyChange(o, no_new.env()) == kExitUsage);
}

}  // namespace
}  // namespace frontera::tools
