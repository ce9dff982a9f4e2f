// `frontera validator list|add|promote|remove` (tools/cmd_validator.h) and
// the Raft membership lines of `frontera status`, against fake nodes.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/data_integrity.h"
#include "ledger/registry.h"
#include "tests/tools/cli_fakes.h"
#include "tools/cli_app.h"
#include "tools/cluster_status.h"
#include "tools/cmd_ledger.h"
#include "tools/cmd_validator.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::FixtureDid;
using testing::kNode;
using testing::RunCli;
using testing::TempDir;
using testing::TestEnv;
using testing::WriteFixtureKey;

Json ValidatorReceipt(const std::string& did) {
  return {{"id", did},
          {"status", "active"},
          {"ledger", {{"leaf_index", 9}, {"leaf_hash", std::string(44, 'A')}, {"block", 6}}}};
}

// An observer added by two of the three agencies; its key given as a file.
ValidatorChangeOptions AddObserver(const TempDir& dir) {
  ValidatorChangeOptions o;
  o.node = kNode;
  o.change = ValidatorChange::kAdd;
  o.key = WriteFixtureKey(dir, "mx-carrier");
  o.name = "us-cbp-obs";
  o.role = "observer";
  o.peer = "10.0.0.4:7100";
  o.api = "http://10.0.0.4:7001";
  o.reason = "read capacity at Laredo";
  o.agency_keys = {WriteFixtureKey(dir, "us-cbp"), WriteFixtureKey(dir, "mx-anam")};
  return o;
}

TEST_CASE("validator add posts a ValidatorAddition signed by each --agency-key") {
  TempDir dir;
  TestEnv t;
  const std::string did = FixtureDid("mx-carrier");
  t.node().Answer("POST /v1/validators", 201, ValidatorReceipt(did));
  int code = RunValidatorChange(AddObserver(dir), t.env());
  REQUIRE_MESSAGE(code == kExitOk, t.err.str());
  REQUIRE(t.node().requests.size() == 1);
  const testing::Request* posted = t.node().Find("POST", "/v1/validators");
  REQUIRE(posted != nullptr);
  const Json doc = Json::parse(posted->body);
  CHECK(doc["@context"] ==
        Json::array({"https://www.w3.org/ns/credentials/v2", "https://frontera.example/ns/v1"}));
  CHECK(doc["type"] == "ValidatorAddition");
  CHECK(doc["id"].get<std::string>().rfind("urn:uuid:", 0) == 0);
  CHECK(doc["issuer"] == FixtureDid("us-cbp"));
  CHECK(doc["validator"] == Json{{"did", did},
                                 {"name", "us-cbp-obs"},
                                 {"role", "observer"},
                                 {"peer", "10.0.0.4:7100"},
                                 {"api", "http://10.0.0.4:7001"}});
  CHECK(doc["reason"] == "read capacity at Laredo");
  CHECK_FALSE(doc.contains("party"));
  // A proof set, one proof per agency, in the order given; the first signer
  // is the issuer.
  REQUIRE(doc["proof"].is_array());
  CHECK(doc["proof"].size() == 2);
  auto signers = crypto::VerifyProofs(doc);
  REQUIRE_MESSAGE(signers.ok(), signers.status().ToString());
  REQUIRE(signers->size() == 2);
  CHECK((*signers)[0].controller == FixtureDid("us-cbp"));
  CHECK((*signers)[1].controller == FixtureDid("mx-anam"));
  auto change = ledger::ParseRegistryDocument(doc);
  REQUIRE_MESSAGE(change.ok(), change.status().ToString());
  CHECK(change->action == ledger::RegistryAction::kAddValidator);
  CHECK(change->validator.role == ledger::ValidatorRole::kObserver);
  // The receipt, as party commands print it.
  CHECK(t.out.str() == did + " active: leaf 9 (hash " + std::string(44, 'A') + "), block 6\n");

  // Without --api the member is absent; a did:key is taken as is; one
  // agency (a one-agency network) signs with a single proof.
  TestEnv one;
  one.node().Answer("POST /v1/validators", 201, ValidatorReceipt(FixtureDid("ca-cbsa")));
  ValidatorChangeOptions o = AddObserver(dir);
  o.key = FixtureDid("ca-cbsa");
  o.api.clear();
  o.role = "voter";
  o.agency_keys.resize(1);
  REQUIRE_MESSAGE(RunValidatorChange(o, one.env()) == kExitOk, one.err.str());
  const Json single = Json::parse(one.node().Find("POST", "/v1/validators")->body);
  CHECK(single["validator"]["did"] == FixtureDid("ca-cbsa"));
  CHECK(single["validator"]["role"] == "voter");
  CHECK_FALSE(single["validator"].contains("api"));
  CHECK(single["proof"].is_object());
}

TEST_CASE("validator add: a bad field is refused before posting, naming its flag") {
  TempDir dir;
  TestEnv bad_peer;
  ValidatorChangeOptions o = AddObserver(dir);
  o.peer = "10.0.0.4";  // no port
  CHECK(RunValidatorChange(o, bad_peer.env()) == kExitDataError);
  CHECK(bad_peer.err.str().find("/validator/peer comes from --peer") != std::string::npos);
  CHECK(bad_peer.node().requests.empty());

  TestEnv bad_name;
  o = AddObserver(dir);
  o.name = "US-CBP-Obs";
  CHECK(RunValidatorChange(o, bad_name.env()) == kExitDataError);
  CHECK(bad_name.err.str().find("/validator/name comes from --name") != std::string::npos);
  CHECK(bad_name.node().requests.empty());

  TestEnv bad_api;
  o = AddObserver(dir);
  o.api = "ftp://10.0.0.4";
  CHECK(RunValidatorChange(o, bad_api.env()) == kExitDataError);
  CHECK(bad_api.err.str().find("--api") != std::string::npos);
  CHECK(bad_api.node().requests.empty());

  TestEnv no_agency;
  o = AddObserver(dir);
  o.agency_keys.clear();
  CHECK(RunValidatorChange(o, no_agency.env()) == kExitUsage);
  CHECK(no_agency.err.str().find("--agency-key") != std::string::npos);
  CHECK(no_agency.node().requests.empty());

  TestEnv missing_key;
  o = AddObserver(dir);
  o.agency_keys.push_back(dir.path() + "/absent.key");
  CHECK(RunValidatorChange(o, missing_key.env()) == kExitNoInput);
  CHECK(missing_key.err.str().find("--agency-key") != std::string::npos);
  CHECK(missing_key.node().requests.empty());
}

TEST_CASE("validator promote and remove name the validator by DID; remove needs --reason") {
  TempDir dir;
  const std::string did = FixtureDid("mx-carrier");
  const std::vector<std::string> agencies = {WriteFixtureKey(dir, "ca-cbsa"),
                                             WriteFixtureKey(dir, "us-cbp")};

  TestEnv promote;
  promote.node().Answer("POST /v1/validators", 201, ValidatorReceipt(did));
  ValidatorChangeOptions p;
  p.node = kNode;
  p.change = ValidatorChange::kPromote;
  p.key = WriteFixtureKey(dir, "mx-carrier");  // its key file: the DID of its key
  p.agency_keys = agencies;
  REQUIRE_MESSAGE(RunValidatorChange(p, promote.env()) == kExitOk, promote.err.str());
  const Json promotion = Json::parse(promote.node().Find("POST", "/v1/validators")->body);
  CHECK(promotion["type"] == "ValidatorPromotion");
  CHECK(promotion["validator"] == did);
  CHECK(promotion["issuer"] == FixtureDid("ca-cbsa"));
  CHECK_FALSE(promotion.contains("reason"));
  CHECK(promotion["proof"].size() == 2);

  ValidatorChangeOptions r;
  r.node = kNode;
  r.change = ValidatorChange::kRemove;
  r.key = did;
  r.agency_keys = agencies;
  TestEnv no_reason;
  CHECK(RunValidatorChange(r, no_reason.env()) == kExitUsage);
  CHECK(no_reason.err.str().find("--reason") != std::string::npos);
  CHECK(no_reason.node().requests.empty());

  TestEnv remove;
  remove.node().Answer("POST /v1/validators", 201, ValidatorReceipt(did));
  r.reason = "decommissioned";
  REQUIRE_MESSAGE(RunValidatorChange(r, remove.env()) == kExitOk, remove.err.str());
  const Json removal = Json::parse(remove.node().Find("POST", "/v1/validators")->body);
  CHECK(removal["type"] == "ValidatorRemoval");
  CHECK(removal["validator"] == did);
  CHECK(removal["reason"] == "decommissioned");
  CHECK(ledger::ParseRegistryDocument(removal).ok());

  // The node's refusal is the exit code: fewer than a majority is 403, 77;
  // the last voter's removal is 422, 65.
  TestEnv forbidden;
  forbidden.node().Problem("POST /v1/validators", 403, "Forbidden");
  CHECK(RunValidatorChange(r, forbidden.env()) == kExitNoPermission);
  TestEnv last;
  last.node().Problem("POST /v1/validators", 422, "Unprocessable Content");
  CHECK(RunValidatorChange(r, last.env()) == kExitDataError);

  // A malformed DID is refused locally, naming the argument.
  TestEnv bad_did;
  r.key = "did:key:zNotAKey";
  CHECK(RunValidatorChange(r, bad_did.env()) == kExitDataError);
  CHECK(bad_did.err.str().find("/validator comes from VALIDATOR") != std::string::npos);
  CHECK(bad_did.node().requests.empty());
}

// A GET /v1/validators answer: three genesis voters, an observer added
// later and a removed voter.
Json ValidatorList() {
  auto v = [](const std::string& name, const std::string& did, const std::string& role,
              const std::string& status, uint64_t raft_id, const std::string& raft) {
    return Json{{"name", name},
                {"did", did},
                {"role", role},
                {"status", status},
                {"peer", "h:7100"},
                {"raft_id", raft_id},
                {"leaf_index", 0},
                {"changed_by", Json::array()},
                {"history", Json::array()},
                {"raft", raft}};
  };
  return {
      {"validators",
       Json::array({v("us-cbp", "did:key:z6MkA", "voter", "active", 1, "voter"),
                    v("mx-anam", "did:key:z6MkB", "voter", "active", 2, "voter"),
                    v("ca-cbsa", "did:key:z6MkC", "voter", "active", 3, "voter"),
                    v("us-cbp-obs", "did:key:z6MkD", "observer", "active", 4294967301, "observer"),
                    v("mx-old", "did:key:z6MkE", "voter", "removed", 4294967302, "none")})},
      {"voters", Json::array({"us-cbp", "mx-anam", "ca-cbsa"})},
      {"observers", Json::array({"us-cbp-obs"})}};
}

TEST_CASE("validator list: one aligned line per validator, then the voters and observers") {
  TestEnv t;
  t.node().Answer("GET /v1/validators", 200, ValidatorList());
  ValidatorListOptions options;
  options.node = kNode;
  int code = RunValidatorList(options, t.env());
  REQUIRE_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str() ==
        "us-cbp      voter     active   raft voter     id 1           did:key:z6MkA\n"
        "mx-anam     voter     active   raft voter     id 2           did:key:z6MkB\n"
        "ca-cbsa     voter     active   raft voter     id 3           did:key:z6MkC\n"
        "us-cbp-obs  observer  active   raft observer  id 4294967301  did:key:z6MkD\n"
        "mx-old      voter     removed  raft none      id 4294967302  did:key:z6MkE\n"
        "voters: us-cbp, mx-anam, ca-cbsa\n"
        "observers: us-cbp-obs\n");

  TestEnv json;
  json.node().Answer("GET /v1/validators", 200, ValidatorList());
  options.json = true;
  REQUIRE(RunValidatorList(options, json.env()) == kExitOk);
  CHECK(Json::parse(json.out.str()) == ValidatorList());

  TestEnv not_a_list;
  not_a_list.node().Answer("GET /v1/validators", 200, Json{{"validators", Json::array()}});
  CHECK(RunValidatorList(options, not_a_list.env()) == kExitDataError);
  CHECK(not_a_list.err.str().find("voters") != std::string::npos);

  TestEnv down;
  down.node().no_answer = Status::Unavailable("refused");
  CHECK(RunValidatorList(options, down.env()) == kExitUnavailable);
}

TEST_CASE("status prints the Raft voters and observers") {
  const std::string ops = "http://127.0.0.1:7201";
  const Json list = {{"validators", Json::array({{{"name", "us-cbp"}, {"api", kNode}}})},
                     {"voters", Json::array({"us-cbp", "mx-anam", "ca-cbsa"})},
                     {"observers", Json::array({"from-list"})},
                     {"resolver", "verify.frontera.example"}};
  Json status = {{"node", "us-cbp"},
                 {"role", "leader"},
                 {"raft",
                  {{"term", 4},
                   {"commit_index", 10},
                   {"applied_index", 10},
                   {"voters", Json::array({"us-cbp", "mx-anam", "ca-cbsa"})},
                   {"observers", Json::array({"us-cbp-obs"})}}}};
  auto run = [&](TestEnv& t, const Json& validators, const Json& ops_status) {
    t.node().Answer("GET /v1/validators", 200, validators);
    t.nodes.nodes[ops].Answer("GET /v1/status", 200, ops_status);
    return RunStatus({kNode, false, {ops}, ""}, t.env());
  };
  TestEnv t;
  REQUIRE_MESSAGE(run(t, list, status) == kExitOk, t.err.str());
  const std::string out = t.out.str();
  CHECK(out.find("\nvoters: us-cbp, mx-anam, ca-cbsa\nobservers: us-cbp-obs\n") !=
        std::string::npos);

  TestEnv no_observers;
  status["raft"]["observers"] = Json::array();
  REQUIRE(run(no_observers, list, status) == kExitOk);
  CHECK(no_observers.out.str().find("\nvoters: us-cbp, mx-anam, ca-cbsa\nobservers: none\n") !=
        std::string::npos);

  // A node whose status does not report the membership: the list's.
  TestEnv older;
  status["raft"].erase("voters");
  status["raft"].erase("observers");
  REQUIRE(run(older, list, status) == kExitOk);
  CHECK(older.out.str().find("\nobservers: from-list\n") != std::string::npos);

  CHECK(RenderMembership(Json::array({"a"}), Json::array()) == "voters: a\nobservers: none\n");

  // A removed validator (its node shut down) is not listed; one without an
  // API address or a listener given is listed as not asked: the report stays
  // whole and exits 0.
  TestEnv with_removed;
  Json more = list;
  more["validators"].push_back(
      {{"name", "ca-old"}, {"api", "http://127.0.0.1:1"}, {"status", "removed"}});
  more["validators"].push_back({{"name", "obs-no-api"}, {"api", ""}, {"status", "active"}});
  REQUIRE_MESSAGE(run(with_removed, more, status) == kExitOk, with_removed.err.str());
  CHECK(with_removed.out.str().find("ca-old") == std::string::npos);
  CHECK(with_removed.out.str().find("not asked (no operational listener given with --ops or "
                                    "--ops-dir): obs-no-api") != std::string::npos);
}

TEST_CASE("the validator commands on the command line") {
  TempDir dir;
  const std::string cbp = WriteFixtureKey(dir, "us-cbp");
  const std::string anam = WriteFixtureKey(dir, "mx-anam");
  const std::string did = FixtureDid("mx-carrier");

  TestEnv add;
  add.node().Answer("POST /v1/validators", 201, ValidatorReceipt(did));
  REQUIRE_MESSAGE(RunCli(add, {"validator", "add", "--name", "mx-obs", "--key", did, "--role",
                               "observer", "--peer", "10.0.0.5:7100", "--agency-key", cbp,
                               "--agency-key", anam, "--node", kNode}) == kExitOk,
                  add.err.str());
  const Json doc = Json::parse(add.node().Find("POST", "/v1/validators")->body);
  CHECK(doc["validator"]["name"] == "mx-obs");
  CHECK(doc["proof"].size() == 2);

  TestEnv list;
  list.node().Answer("GET /v1/validators", 200, ValidatorList());
  CHECK(RunCli(list, {"validator", "list", "--node", kNode}) == kExitOk);
  CHECK(list.out.str().find("observers: us-cbp-obs\n") != std::string::npos);

  // Usage errors (64) before any request: no --reason, a role that is not
  // voter or observer, no --agency-key.
  TestEnv usage;
  CHECK(RunCli(usage, {"validator", "remove", did, "--agency-key", cbp, "--node", kNode}) ==
        kExitUsage);
  CHECK(RunCli(usage, {"validator", "add", "--name", "x", "--key", did, "--role", "leader",
                       "--peer", "h:1", "--agency-key", cbp, "--node", kNode}) == kExitUsage);
  CHECK(RunCli(usage, {"validator", "promote", did, "--node", kNode}) == kExitUsage);
  CHECK(usage.node().requests.empty());
}

}  // namespace
}  // namespace frontera::tools
