// `frontera verify` and `frontera trust` bodies (tools/cmd_verify.h) against
// fake nodes: offline, online, and online with the node unreachable (the
// fallback to the stored trust bundle).
#include "tools/cmd_verify.h"

#include <doctest/doctest.h>

#include <fstream>

#include "tests/tools/cli_fakes.h"
#include "tests/tools/label_support.h"
#include "tools/exit_codes.h"
#include "tools/files.h"
#include "tools/label_verify.h"
#include "tools/scan.h"
#include "tools/trust.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::BundleMaker;
using testing::kNode;
using testing::TempDir;
using testing::TestEnv;

std::string FixtureLabel() {
  return TrimScannedLine(ReadTextFile(testing::FixturePath("label-uri.txt")).value());
}

// A genesis file and, unless `with_bundle` is false, a bundle synced three
// hours before kTestNow.
struct Inspector {
  TempDir dir;
  std::string genesis = dir.path() + "/genesis.json";
  std::string trust = dir.path() + "/trust.json";

  explicit Inspector(bool with_bundle = true) {
    std::ofstream(genesis) << testing::LabelGenesisJson().dump();
    if (!with_bundle) return;
    auto bundle = VerifyTrustBundle(BundleMaker().Make(), testing::LabelGenesis().hash);
    REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
    REQUIRE(WriteTrustFile(trust, *bundle, "2027-06-01T09:00:00Z").ok());
  }

  VerifyOptions Options(bool online) const {
    VerifyOptions options;
    options.node = kNode;
    options.genesis = genesis;
    options.trust = trust;
    options.online = online;
    options.payload = FixtureLabel();
    return options;
  }
};

std::string ResolverPathOf(const std::string& scanned) {
  return ResolverPath(ledger::ParseLabel(scanned).value());
}

TEST_CASE("verify offline: the fixture label against the bundle is AUTHENTIC") {
  Inspector inspector;
  TestEnv t;
  CHECK(RunVerify(inspector.Options(false), t.env()) == 0);
  CHECK(t.out.str().find("AUTHENTIC") != std::string::npos);
  CHECK(t.out.str().find("notice") == std::string::npos);
  CHECK(t.nodes.nodes.empty());

  Inspector no_bundle(false);
  TestEnv missing;
  CHECK(RunVerify(no_bundle.Options(false), missing.env()) == kExitNoInput);
  CHECK(missing.err.str().find("trust sync") != std::string::npos);
}

TEST_CASE("verify offline: a stale bundle exits 6; a rolled-back one is refused (65)") {
  Inspector inspector(false);
  BundleMaker old;
  old.checkpoint_cosigned_at = old.revocations_cosigned_at =
      static_cast<uint64_t>(testing::kTestNow / 1000) - 8 * 86400;
  old.leaves = testing::FillerLeaves(9);
  // synced_at claims a sync one minute ago: it is not trusted.
  REQUIRE(WriteTrustFile(inspector.trust,
                         VerifyTrustBundle(old.Make(), testing::LabelGenesis().hash).value(),
                         "2027-06-01T11:59:00Z")
              .ok());
  TestEnv stale;
  CHECK(RunVerify(inspector.Options(false), stale.env()) == kExitStaleBundle);
  CHECK(stale.out.str().find("STALE BUNDLE (OFFLINE)") != std::string::npos);

  // An older bundle (tree size 6) copied over it is refused, naming both sizes.
  Json older = BundleMaker().Make();
  older["synced_at"] = "2027-06-01T11:59:00Z";
  std::ofstream(inspector.trust, std::ios::trunc) << older.dump();
  TestEnv rolled_back;
  CHECK(RunVerify(inspector.Options(false), rolled_back.env()) == kExitDataError);
  CAPTURE(rolled_back.err.str());
  CHECK(rolled_back.err.str().find("tree size 6") != std::string::npos);
  CHECK(rolled_back.err.str().find("tree size 9") != std::string::npos);
}

TEST_CASE("verify --online with the node unreachable: offline verdict after a notice") {
  Inspector inspector;
  TestEnv t;
  t.node().no_answer = Status::Unavailable("cannot reach http://node.test:7001: Connection");
  int code = RunVerify(inspector.Options(true), t.env());
  CHECK_MESSAGE(code == 0, t.err.str());
  std::string out = t.out.str();
  CAPTURE(out);
  CHECK(
      out.starts_with("notice: http://node.test:7001 unreachable (cannot reach "
                      "http://node.test:7001: Connection); verified OFFLINE against the trust "
                      "bundle co-signed 3 h ago\n"));
  CHECK(out.find("AUTHENTIC") != std::string::npos);
  CHECK(t.node().requests.size() == 1);

  TestEnv json;
  json.node().no_answer = Status::Unavailable("timeout");
  VerifyOptions options = inspector.Options(true);
  options.json = true;
  CHECK(RunVerify(options, json.env()) == 0);
  Json report = Json::parse(json.out.str());
  CHECK(
      report["notice"].get<std::string>().starts_with("notice: http://node.test:7001 "
                                                      "unreachable (timeout); verified OFFLINE"));
  CHECK(report["mode"] == "offline");

  // The exit code is the offline verdict's.
  TestEnv forged;
  forged.node().no_answer = Status::Unavailable("timeout");
  options = inspector.Options(true);
  std::string label = FixtureLabel();
  options.payload = label.replace(label.find("LOT42A"), 6, "LOT42B");
  CHECK(RunVerify(options, forged.env()) == 1);
  CHECK(forged.out.str().starts_with("notice: "));

  // --record cannot record anything: said on the error stream.
  TestEnv record;
  record.node().no_answer = Status::Unavailable("timeout");
  options = inspector.Options(true);
  options.record = true;
  options.key = testing::WriteFixtureKey(inspector.dir, "us-cbp");
  CHECK(RunVerify(options, record.env()) == 0);
  CHECK(record.err.str().find("nothing recorded") != std::string::npos);
}

TEST_CASE("verify --online with the node unreachable and no bundle: the network error (69)") {
  Inspector inspector(false);
  TestEnv t;
  t.node().no_answer = Status::Unavailable("cannot reach http://node.test:7001: Connection");
  CHECK(RunVerify(inspector.Options(true), t.env()) == kExitUnavailable);
  CHECK(t.err.str() == "frontera: resolver: cannot reach http://node.test:7001: Connection\n");
  CHECK(t.out.str().empty());
}

TEST_CASE("verify --online: a node that answers is not a fallback, whatever it answers") {
  Inspector inspector;
  TestEnv busy;  // 503 is an answer
  busy.node().Problem("GET " + ResolverPathOf(FixtureLabel()), 503, "no leader");
  int code = RunVerify(inspector.Options(true), busy.env());
  CHECK(code == 4);
  CHECK(busy.out.str().find("notice") == std::string::npos);

  TestEnv unknown;
  unknown.node().Answer("GET " + ResolverPathOf(FixtureLabel()), 404, {{"certificate", nullptr}});
  CHECK(RunVerify(inspector.Options(true), unknown.env()) == 4);
  CHECK(unknown.out.str().find("NOT ON LEDGER") != std::string::npos);
  CHECK(unknown.out.str().find("notice") == std::string::npos);

  // The resolver names a certificate, then the node answers 500: an answer,
  // so the error stands.
  TestEnv midway;
  midway.node().Answer("GET " + ResolverPathOf(FixtureLabel()), 200,
                       {{"certificate", {{"credential", {{"id", "urn:uuid:1"}}}}}});
  midway.node().Problem("GET " + CertificatePath("urn:uuid:1"), 500, "Internal");
  CHECK(RunVerify(inspector.Options(true), midway.env()) == kExitUnavailable);
  CHECK(midway.err.str().find("verify urn:uuid:1") != std::string::npos);
}

TEST_CASE("verify - (a scanner): one line per label, the first failure's exit code") {
  Inspector inspector;
  TestEnv t;
  std::string label = FixtureLabel();
  std::string forged = label;
  forged.replace(forged.find("LOT42A"), 6, "LOT42C");
  t.in.str(label + "\n\n" + forged + "\n");
  VerifyOptions options = inspector.Options(false);
  options.payload.clear();
  options.target = "-";
  CHECK(RunVerify(options, t.env()) == 1);
  std::string out = t.out.str();
  CHECK(out.starts_with("AUTHENTIC\t" + label + "\t"));
  CHECK(out.find("NOT AUTHENTIC\t" + forged) != std::string::npos);
}

TEST_CASE("verify: usage errors and a certificate id") {
  Inspector inspector;
  VerifyOptions options = inspector.Options(false);
  options.target = "urn:uuid:1";
  TestEnv both;
  CHECK(RunVerify(options, both.env()) == kExitUsage);
  options.payload.clear();
  TestEnv offline_id;
  CHECK(RunVerify(options, offline_id.env()) == kExitUsage);
  CHECK(offline_id.err.str().find("--online") != std::string::npos);
  TestEnv record;
  options.record = true;
  CHECK(RunVerify(options, record.env()) == kExitUsage);

  options.record = false;
  options.online = true;
  TestEnv unknown;  // 404: NOT ON LEDGER
  CHECK(RunVerify(options, unknown.env()) == 4);
  CHECK(unknown.out.str().find("NOT ON LEDGER") != std::string::npos);
  TestEnv down;
  down.node().no_answer = Status::Unavailable("refused");
  CHECK(RunVerify(options, down.env()) == kExitUnavailable);
  TestEnv no_genesis;
  options.genesis.clear();
  CHECK(RunVerify(options, no_genesis.env()) == kExitDataError);
  CHECK(no_genesis.err.str().find("--genesis") != std::string::npos);
}

TEST_CASE("trust sync stores the node's bundle; trust show prints it") {
  Inspector inspector(false);
  TrustOptions options{kNode, inspector.genesis, inspector.trust};
  TestEnv show_none;
  CHECK(RunTrustShow(options, show_none.env()) == kExitNoInput);

  TestEnv t;
  t.node().Answer("GET /v1/trust-bundle", 200, BundleMaker().Make());
  int code = RunTrustSync(options, t.env());
  CHECK_MESSAGE(code == kExitOk, t.err.str());
  CHECK(t.out.str().find("at tree size 6 (3 of 3 voters signed, 0 revocations) written to " +
                         inspector.trust) != std::string::npos);
  // Synced again at the same size: consistent, nothing to prove.
  TestEnv again;
  again.nodes.nodes[kNode] = t.node();
  CHECK(RunTrustSync(options, again.env()) == kExitOk);

  TestEnv show;
  CHECK(RunTrustShow(options, show.env()) == kExitOk);
  CHECK(show.out.str().starts_with(inspector.trust + "\n"));

  TestEnv forged;
  BundleMaker minority;
  minority.checkpoint_signers = {"us-cbp"};
  forged.node().Answer("GET /v1/trust-bundle", 200, minority.Make());
  CHECK(RunTrustSync(options, forged.env()) == kExitDataError);
  TestEnv down;
  down.node().no_answer = Status::Unavailable("refused");
  CHECK(RunTrustSync(options, down.env()) == kExitUnavailable);
  TestEnv no_genesis;
  options.genesis.clear();
  CHECK(RunTrustSync(options, no_genesis.env()) == kExitDataError);
}

}  // namespace
}  // namespace frontera::tools
