// `frontera event`, `revoke`, `show`, `checkpoint`, `status` and `label`
// bodies (tools/cmd_ledger.h) against fake nodes.
#include "tools/cmd_ledger.h"

#include <doctest/doctest.h>

#include <fstream>

#include "crypto/data_integrity.h"
#include "tests/tools/cli_fakes.h"
#include "tests/tools/label_support.h"
#include "tools/exit_codes.h"
#include "tools/files.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::FixtureDid;
using testing::kNode;
using testing::LabelPartyJson;
using testing::LoadFixture;
using testing::PartyPath;
using testing::Receipt;
using testing::TempDir;
using testing::TestEnv;
using testing::WriteFixtureKey;

constexpr char kCert[] = "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70";

Json CertificateAnswer() {
  return {{"credential", LoadFixture("pharma-credential.json")},
          {"status", "active"},
          {"events", Json::array({LoadFixture("shipping-event.json")})},
          {"ledger", {{"leaf_index", 0}, {"block", 1}}}};
}

EventOptions Shipping(const TempDir& dir) {
  EventOptions options;
  options.step = "shipping";
  options.certificate_id = kCert;
  options.node = kNode;
  options.key = WriteFixtureKey(dir, "mx-manufacturer");
  options.time = "2026-11-03T09:30:00.000-06:00";
  return options;
}

TEST_CASE("event shipping --to-key: the DID comes from the key file") {
  TempDir dir;
  TestEnv t;
  t.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  t.node().Answer("POST " + CertificatePath(kCert) + "/events", 201, Receipt("urn:uuid:e1"));
  EventOptions options = Shipping(dir);
  options.to_key = WriteFixtureKey(dir, "mx-carrier");
  int code = RunEvent(options, t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str() == "urn:uuid:e1 active: leaf 7 (hash abc=), block 3\n");
  const testing::Request* post = t.node().Find("POST", CertificatePath(kCert) + "/events");
  REQUIRE(post != nullptr);
  Json event = Json::parse(post->body);
  CHECK(event["destinationList"][0]["destination"] == FixtureDid("mx-carrier"));
  CHECK(event["eventTime"] == "2026-11-03T09:30:00.000-06:00");

  // --to gives the same DID.
  TestEnv by_did;
  by_did.nodes.nodes[kNode] = t.node();
  by_did.node().requests.clear();
  options.to_key.clear();
  options.to = FixtureDid("mx-carrier");
  CHECK(RunEvent(options, by_did.env()) == kExitOk);
}

TEST_CASE("event flag and clear: an inspecting event with the DSCSA flag and its reason") {
  TempDir dir;
  TestEnv t;
  t.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  t.node().Answer("POST " + CertificatePath(kCert) + "/events", 201, Receipt("urn:uuid:e1"));
  EventOptions options = Shipping(dir);
  options.step = "flag";
  options.key = WriteFixtureKey(dir, "us-cbp");
  options.flag = "suspect";
  options.reason = "seal broken";
  REQUIRE_MESSAGE(RunEvent(options, t.env()) == kExitOk, t.err.str());
  Json event = Json::parse(t.node().Find("POST", CertificatePath(kCert) + "/events")->body);
  CHECK(event["bizStep"] == "inspecting");
  CHECK(event["persistentDisposition"]["set"] ==
        Json::array({"https://frontera.example/ns/v1/disposition/suspect"}));
  CHECK(event["frontera:reason"] == "seal broken");
  CHECK(event["proof"].is_object());

  // A majority clearing: a proof per agency.
  TestEnv clear;
  clear.nodes.nodes[kNode] = t.node();
  clear.node().requests.clear();
  options.step = "clear";
  options.cosign_keys = {WriteFixtureKey(dir, "ca-cbsa")};
  REQUIRE_MESSAGE(RunEvent(options, clear.env()) == kExitOk, clear.err.str());
  event = Json::parse(clear.node().Find("POST", CertificatePath(kCert) + "/events")->body);
  CHECK(event["persistentDisposition"]["unset"] ==
        Json::array({"https://frontera.example/ns/v1/disposition/suspect"}));
  CHECK(event["proof"].size() == 2);

  TestEnv no_reason;
  options.reason.clear();
  CHECK(RunEvent(options, no_reason.env()) == kExitUsage);
  TestEnv bad_flag;
  options.reason = "x";
  options.flag = "damaged";
  CHECK(RunEvent(options, bad_flag.env()) == kExitUsage);
  CHECK(bad_flag.err.str().find("--flag") != std::string::npos);
  TestEnv not_a_flag_step;
  options = Shipping(dir);
  options.flag = "suspect";
  CHECK(RunEvent(options, not_a_flag_step.env()) == kExitUsage);
}

TEST_CASE("event: --to / --to-key mistakes are named") {
  TempDir dir;
  EventOptions options = Shipping(dir);
  TestEnv none;
  CHECK(RunEvent(options, none.env()) == kExitUsage);
  CHECK(none.err.str().find("--to-key") != std::string::npos);

  TestEnv both;
  options.to = FixtureDid("mx-carrier");
  options.to_key = WriteFixtureKey(dir, "mx-carrier");
  CHECK(RunEvent(options, both.env()) == kExitUsage);

  TestEnv missing;
  options.to.clear();
  options.to_key = dir.path() + "/nobody.key";
  CHECK(RunEvent(options, missing.env()) == kExitNoInput);
  CHECK(missing.err.str().starts_with("frontera: --to-key: "));
  CHECK(missing.err.str().find("nobody.key") != std::string::npos);

  TestEnv bad;
  options.to_key = dir.path() + "/bad.key";
  std::ofstream(options.to_key) << R"({"did": "did:key:z6Mk", "seedHex": "00"})";
  CHECK(RunEvent(options, bad.env()) == kExitDataError);
  CHECK(bad.err.str().starts_with("frontera: --to-key: "));
  CHECK(bad.nodes.nodes.empty());  // nothing was asked

  TestEnv step;
  options = Shipping(dir);
  options.step = "teleporting";
  CHECK(RunEvent(options, step.env()) == kExitUsage);
  TestEnv time;
  options = Shipping(dir);
  options.to = FixtureDid("mx-carrier");
  options.time = "yesterday";
  CHECK(RunEvent(options, time.env()) == kExitUsage);
}

TEST_CASE("event: an unknown certificate is 66, a refusal names the flag") {
  TempDir dir;
  EventOptions options = Shipping(dir);
  options.to = FixtureDid("mx-carrier");
  TestEnv unknown;
  CHECK(RunEvent(options, unknown.env()) == kExitNoInput);
  CHECK(unknown.err.str().find("CERT_ID") != std::string::npos);

  TestEnv refused;
  refused.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  refused.node().answers["POST " + CertificatePath(kCert) + "/events"] = {
      422, "application/problem+json",
      Json{{"title", "Unprocessable"},
           {"status", 422},
           {"errors", {{{"pointer", "/destinationList/0/destination"}, {"reason", "not a party"}}}}}
          .dump()};
  CHECK(RunEvent(options, refused.env()) == kExitDataError);
  CHECK(refused.err.str().find("comes from --to)") != std::string::npos);
}

TEST_CASE("revoke: posted and printed; 403 is 77") {
  TempDir dir;
  RevokeOptions options{
      kCert, kNode, "recall: failed test", {WriteFixtureKey(dir, "mx-manufacturer")}};
  TestEnv t;
  t.node().Answer("POST " + CertificatePath(kCert) + "/revocation", 201, Receipt(kCert));
  CHECK(RunRevoke(options, t.env()) == kExitOk);
  CHECK(t.out.str().starts_with(std::string(kCert) + " active"));
  Json sent = Json::parse(t.node().requests.at(0).body);
  CHECK(sent["reason"] == "recall: failed test");
  CHECK(sent["credential"] == kCert);

  TestEnv forbidden;
  forbidden.node().Problem("POST " + CertificatePath(kCert) + "/revocation", 403, "Forbidden");
  CHECK(RunRevoke(options, forbidden.env()) == kExitNoPermission);
  TestEnv down;
  down.node().no_answer = Status::Unavailable("connection refused");
  CHECK(RunRevoke(options, down.env()) == kExitUnavailable);
}

TEST_CASE("revoke with several keys: one proof each, the first key names the issuer") {
  TempDir dir;
  RevokeOptions options{kCert,
                        kNode,
                        "counterfeit: illegitimate product",
                        {WriteFixtureKey(dir, "us-cbp"), WriteFixtureKey(dir, "mx-anam")}};
  TestEnv t;
  t.node().Answer("POST " + CertificatePath(kCert) + "/revocation", 201, Receipt(kCert));
  CHECK(RunRevoke(options, t.env()) == kExitOk);
  Json sent = Json::parse(t.node().requests.at(0).body);
  CHECK(sent["issuer"] == FixtureDid("us-cbp"));
  REQUIRE(sent["proof"].is_array());
  auto verified = crypto::VerifyProofs(sent);
  REQUIRE_MESSAGE(verified.ok(), verified.status().ToString());
  REQUIRE(verified->size() == 2);
  CHECK((*verified)[0].controller == FixtureDid("us-cbp"));
  CHECK((*verified)[1].controller == FixtureDid("mx-anam"));

  TestEnv missing;
  options.keys.push_back(dir.path() + "/nobody.key");
  CHECK(RunRevoke(options, missing.env()) == kExitNoInput);
  CHECK(missing.err.str().find("--key " + dir.path() + "/nobody.key") != std::string::npos);
  CHECK(missing.node().requests.empty());
}

TEST_CASE("show names the timeline's parties by their registered names, the DID after") {
  TestEnv t;
  t.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  t.node().Answer("GET " + PartyPath(FixtureDid("mx-manufacturer")), 200,
                  LabelPartyJson("mx-manufacturer"));
  t.node().Answer("GET " + PartyPath(FixtureDid("mx-carrier")), 200, LabelPartyJson("mx-carrier"));
  ShowOptions options{kCert, kNode};
  REQUIRE(RunShow(options, t.env()) == kExitOk);
  std::string text = t.out.str();
  CAPTURE(text);
  CHECK(text.find("certificate  " + std::string(kCert)) != std::string::npos);
  CHECK(text.find("shipping → Transportes Frontera Norte S.A. de C.V. (" +
                  FixtureDid("mx-carrier") + ")  by Laboratorios Ejemplo S.A. de C.V. (" +
                  FixtureDid("mx-manufacturer") + ")") != std::string::npos);
  // Above the flags and the timeline, nothing is renamed.
  CHECK(text.find("issuer       " + FixtureDid("mx-manufacturer") + "\n") != std::string::npos);

  // A DID the node does not know as a party is shown alone.
  TestEnv unknown;
  unknown.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  REQUIRE(RunShow(options, unknown.env()) == kExitOk);
  CHECK(unknown.out.str().find("shipping → " + FixtureDid("mx-carrier") + "  by " +
                               FixtureDid("mx-manufacturer")) != std::string::npos);
}

TEST_CASE("show names the agency whose customs hold or DSCSA flag is in force, and why") {
  TestEnv t;
  Json answer = CertificateAnswer();
  answer["flags"] = Json::array({"customs_hold", "suspect"});
  answer["held_by"] = FixtureDid("us-cbp");
  answer["flagged"] = {{"suspect", {{"by", {FixtureDid("us-cbp")}}, {"reason", "seal broken"}}}};
  t.node().Answer("GET " + CertificatePath(kCert), 200, answer);
  t.node().Answer("GET " + PartyPath(FixtureDid("us-cbp")), 200, LabelPartyJson("us-cbp"));
  ShowOptions options{kCert, kNode};
  REQUIRE(RunShow(options, t.env()) == kExitOk);
  CAPTURE(t.out.str());
  CHECK(t.out.str().find("flags\n  ! customs_hold by U.S. Customs and Border Protection (" +
                         FixtureDid("us-cbp") + ")\n") != std::string::npos);
  CHECK(t.out.str().find("  ! suspect by U.S. Customs and Border Protection (" +
                         FixtureDid("us-cbp") + ") — seal broken\n") != std::string::npos);
}

TEST_CASE("show --label prints the label URI alone; --json the answer") {
  TestEnv t;
  t.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  ShowOptions options{kCert, kNode};
  options.label = true;
  REQUIRE(RunShow(options, t.env()) == kExitOk);
  CHECK(t.out.str() ==
        LoadFixture("pharma-credential.json")["credentialSubject"]["label"].get<std::string>() +
            "\n");

  TestEnv unlabelled;
  Json answer = CertificateAnswer();
  answer["credential"]["credentialSubject"].erase("label");
  unlabelled.node().Answer("GET " + CertificatePath(kCert), 200, answer);
  CHECK(RunShow(options, unlabelled.env()) == kExitNoInput);
  CHECK(unlabelled.err.str().find("no QR label") != std::string::npos);
  CHECK(unlabelled.out.str().empty());

  TestEnv json;
  json.node().Answer("GET " + CertificatePath(kCert), 200, CertificateAnswer());
  options.label = false;
  options.json = true;
  REQUIRE(RunShow(options, json.env()) == kExitOk);
  CHECK(Json::parse(json.out.str())["status"] == "active");

  TestEnv missing;
  CHECK(RunShow(options, missing.env()) == kExitNoInput);
  TestEnv bad_url;
  options.node = "node.test";
  CHECK(RunShow(options, bad_url.env()) == kExitDataError);
  CHECK(bad_url.err.str().find("--node") != std::string::npos);
}

TEST_CASE("checkpoint: printed; with --genesis, verified (exit 1 when not valid)") {
  TempDir dir;
  std::string genesis = dir.path() + "/genesis.json";
  std::ofstream(genesis) << testing::LabelGenesisJson().dump();
  std::string good = testing::CheckpointOf(testing::FillerLeaves(3));
  std::string minority = testing::CheckpointOf(testing::FillerLeaves(3), {"us-cbp"});

  TestEnv plain;
  plain.node().AnswerText("GET /v1/checkpoint", good);
  CHECK(RunCheckpoint({kNode, ""}, plain.env()) == kExitOk);
  CHECK(plain.out.str() == good);

  TestEnv valid;
  valid.node().AnswerText("GET /v1/checkpoint", good);
  CHECK(RunCheckpoint({kNode, genesis}, valid.env()) == kExitOk);
  CHECK(valid.out.str().find("✓ valid checkpoint") != std::string::npos);

  TestEnv invalid;
  invalid.node().AnswerText("GET /v1/checkpoint", minority);
  CHECK(RunCheckpoint({kNode, genesis, true}, invalid.env()) == 1);
  CHECK(Json::parse(invalid.out.str())["valid"] == false);

  TestEnv down;
  down.node().no_answer = Status::Unavailable("timeout");
  CHECK(RunCheckpoint({kNode, genesis}, down.env()) == kExitUnavailable);
}

// GET /v1/validators of a network of us-cbp and mx-anam (and a removed
// validator), as --node answers it.
Json ValidatorList() {
  return {
      {"validators",
       Json::array({{{"name", "us-cbp"}, {"api", kNode}, {"status", "active"}},
                    {{"name", "mx-anam"}, {"api", "http://b.test:7002"}, {"status", "active"}},
                    {{"name", "ca-old"}, {"api", "http://c.test:7003"}, {"status", "removed"}}})},
      {"voters", Json::array({"us-cbp", "mx-anam"})},
      {"observers", Json::array()},
      {"resolver", "verify.frontera.example"}};
}

TEST_CASE("status reads each validator's operational listener; one unreachable is exit 1") {
  const std::string us_ops = "http://127.0.0.1:7201";
  const std::string mx_ops = "http://127.0.0.1:7202";
  auto network = [&](TestEnv& t) {
    t.node().Answer("GET /v1/validators", 200, ValidatorList());
    t.nodes.nodes[us_ops].Answer(
        "GET /v1/status", 200,
        {{"node", "us-cbp"},
         {"role", "leader"},
         {"raft",
          {{"term", 3},
           {"commit_index", 9},
           {"applied_index", 9},
           {"voters", Json::array({"us-cbp", "mx-anam"})},
           {"observers", Json::array()},
           {"peers", Json::array({{{"name", "mx-anam"}, {"lag", 2}, {"last_contact_ms", 40}}})}}}});
    t.nodes.nodes[mx_ops].Answer(
        "GET /v1/status", 200,
        {{"node", "mx-anam"},
         {"role", "follower"},
         {"raft", {{"term", 3}, {"commit_index", 9}, {"applied_index", 7}}}});
  };

  // Without a listener to ask: a usage error saying what to give; nothing asked.
  TestEnv none;
  network(none);
  CHECK(RunStatus({kNode, false, {}, ""}, none.env()) == kExitUsage);
  CHECK(none.err.str().find("--ops") != std::string::npos);
  CHECK(none.node().requests.empty());

  // Both listeners by URL: each answer names its validator.
  TestEnv t;
  network(t);
  StatusOptions both{kNode, true, {mx_ops, us_ops}, ""};
  REQUIRE_MESSAGE(RunStatus(both, t.env()) == kExitOk, t.err.str());
  Json report = Json::parse(t.out.str());
  CHECK(report["leader"] == "us-cbp");
  REQUIRE(report["validators"].size() == 2);  // the removed one is not listed
  CHECK(report["validators"][1]["name"] == "mx-anam");
  CHECK(report["validators"][1]["ops"] == mx_ops);
  CHECK(report["validators"][1]["lag"] == 2);
  // The public API was asked for the list only, never for a status.
  CHECK(t.node().Find("GET", "/v1/validators") != nullptr);
  CHECK(t.node().Find("GET", "/v1/status") == nullptr);

  // Only the leader's listener: the other row shows what the leader says of
  // it, and does not make the report fail.
  TestEnv one;
  network(one);
  REQUIRE_MESSAGE(RunStatus({kNode, false, {us_ops}, ""}, one.env()) == kExitOk, one.err.str());
  const std::string table = one.out.str();
  CHECK(table.find("not asked") != std::string::npos);
  CHECK(table.find("40 ms ago") != std::string::npos);
  CHECK(table.find("\nvoters: us-cbp, mx-anam\n") != std::string::npos);

  // A listener asked that does not answer: exit 1, the reason printed.
  TestEnv one_down;
  network(one_down);
  one_down.nodes.nodes[mx_ops].no_answer = Status::Unavailable("refused");
  CHECK(RunStatus({kNode, false, {us_ops, mx_ops}, ""}, one_down.env()) == 1);
  CHECK(one_down.out.str().find("refused") != std::string::npos);

  // --ops-dir: the <name>.ops.port files fronterad wrote.
  TempDir dir;
  std::ofstream(dir.path() + "/us-cbp.ops.port") << "7201\n";
  std::ofstream(dir.path() + "/mx-anam.ops.port") << "7202\n";
  TestEnv from_dir;
  network(from_dir);
  REQUIRE_MESSAGE(RunStatus({kNode, false, {}, dir.path()}, from_dir.env()) == kExitOk,
                  from_dir.err.str());
  CHECK(from_dir.nodes.nodes[mx_ops].Find("GET", "/v1/status") != nullptr);
  CHECK(from_dir.out.str().find("not asked") == std::string::npos);
  // A port file that does not hold a port is refused, naming it.
  std::ofstream(dir.path() + "/mx-anam.ops.port") << "70000\n";
  TestEnv bad_file;
  network(bad_file);
  CHECK(RunStatus({kNode, false, {}, dir.path()}, bad_file.env()) != kExitOk);
  CHECK(bad_file.err.str().find("mx-anam.ops.port does not hold a port") != std::string::npos);

  TestEnv down;
  down.node().no_answer = Status::Unavailable("refused");
  CHECK(RunStatus({kNode, false, {us_ops}, ""}, down.env()) == kExitUnavailable);
}

TEST_CASE("label: saved once, never overwritten; .png or .svg only") {
  TempDir dir;
  LabelOptions options{kCert, kNode, dir.path() + "/label.svg"};
  TestEnv t;
  t.node().AnswerText("GET " + CertificatePath(kCert) + "/qr.svg", "<svg/>");
  REQUIRE(RunLabel(options, t.env()) == kExitOk);
  CHECK(ReadTextFile(options.output).value() == "<svg/>");
  CHECK(t.out.str() == options.output + ": label of " + kCert + "\n");
  TestEnv again;
  again.nodes.nodes[kNode] = t.node();
  CHECK(RunLabel(options, again.env()) == kExitCantCreate);
  CHECK(again.err.str().find("nothing is overwritten") != std::string::npos);
  TestEnv gif;
  options.output = dir.path() + "/label.gif";
  CHECK(RunLabel(options, gif.env()) == kExitUsage);
  TestEnv unknown;
  options.output = dir.path() + "/other.png";
  CHECK(RunLabel(options, unknown.env()) == kExitNoInput);
}

}  // namespace
}  // namespace frontera::tools
