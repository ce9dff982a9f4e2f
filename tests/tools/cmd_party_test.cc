// `frontera party list` and `frontera party show` (tools/cmd_party.h)
// against fake nodes.
#include "tools/cmd_party.h"

#include <doctest/doctest.h>

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

}  // namespace
}  // namespace frontera::tools
