// Issue 4 through the CLI against a `fronterad --dev` process: label image,
// trust sync, offline and online verification of a photo, a payload and
// scanner input, recording the inspection, and what happens after a revocation.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "ledger/documents.h"
#include "ledger/label.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

TEST_CASE("an inspector verifies a label online and offline with the CLI") {
  TempDir dir;
  const std::string dev = dir.path() + "/dev";
  NodeProcess node({"--dev", dev, "--port", "0"}, dir.path() + "/port");
  Cli cli{node.url(), dev + "/genesis.json", dir.path() + "/trust.json"};
  const std::string keys = dev + "/keys/";
  const std::string cert = "urn:uuid:8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  std::string out;

  REQUIRE_MESSAGE(cli.Run({"issue",
                           "pharma",
                           "--key",
                           keys + "mx-manufacturer.key",
                           "--id",
                           cert,
                           "--gtin",
                           "07501234000017",
                           "--lot",
                           "LOT7",
                           "--serial",
                           "SN4242",
                           "--expiry",
                           "2029-01-31",
                           "--product-name",
                           "Metformin 850 mg tablets",
                           "--strength-dosage-form",
                           "850 mg, tablet",
                           "--container-size",
                           "60 tablets"},
                          &out) == 0,
                  out);
  const std::string image = dir.path() + "/label.png";
  REQUIRE_MESSAGE(cli.Run({"label", cert, "-o", image}, &out) == 0, out);
  REQUIRE(std::filesystem::file_size(image) > 500);
  // Read as an agency: the full view (the credential whole, for the forgery below).
  auto agency_key = crypto::LoadKeyFile(keys + "us-cbp.key");
  REQUIRE(agency_key.ok());
  auto agency = node.Client();
  agency->SetSigningKey(*agency_key);
  auto view = agency->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(cert));
  REQUIRE(view.ok());
  REQUIRE((*view)["view"] == "full");
  const std::string label = (*view)["credential"]["credentialSubject"]["label"].get<std::string>();

  // Offline needs a bundle first.
  CHECK(cli.Run({"verify", image}, &out) != 0);
  // The dev node builds its item filter every second of block time, in the
  // background: wait until the bundle carries one that holds the certificate.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (;;) {
    auto bundle = node.Client()->GetJson("/v1/trust-bundle");
    REQUIRE(bundle.ok());
    if (bundle->contains("item_filter")) break;
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "no item filter in the bundle");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_MESSAGE(cli.Run({"trust", "sync"}, &out) == 0, out);

  int code = cli.Run({"verify", image}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("OFFLINE") != std::string::npos);
  CHECK(out.find("AUTHENTIC") != std::string::npos);
  CHECK(cli.Run({"verify", "--payload", label}, &out) == 0);
  CHECK(out.find("on the ledger as of checkpoint") != std::string::npos);
  CHECK(out.find("false-positive rate") != std::string::npos);

  // The manufacturer's key (stolen) signs a label for a serial never put on
  // the ledger: a registered issuer's valid signature, flagged offline.
  {
    auto key = crypto::LoadKeyFile(keys + "mx-manufacturer.key");
    REQUIRE(key.ok());
    auto credential = ledger::ParseCredential((*view)["credential"]);
    REQUIRE(credential.ok());
    credential->serial = "SN9999";
    auto parsed = ledger::ParseLabel(label);
    REQUIRE(parsed.ok());
    auto forged = ledger::BuildLabel(parsed->resolver, *credential, *key);
    REQUIRE_MESSAGE(forged.ok(), forged.status().ToString());
    code = cli.Run({"verify", "--payload", *forged}, &out);
    CHECK_MESSAGE(code == 4, out);
    CHECK(out.find("NOT ON LEDGER (OFFLINE)") != std::string::npos);
    CHECK(out.find("not on the ledger as of checkpoint") != std::string::npos);
  }

  std::string tampered = label;
  tampered[tampered.find("SN4242") + 2] = '5';
  code = cli.Run({"verify", "-"}, &out, label + "\n" + tampered + "\n");
  CHECK_MESSAGE(code == 1, out);
  CHECK(out.find("AUTHENTIC") != std::string::npos);
  CHECK(out.find("NOT AUTHENTIC") != std::string::npos);

  // Online, and the inspection is recorded on the ledger.
  code = cli.Run({"verify", "--online", "--record", "--key", keys + "us-cbp.key", image}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("recorded inspecting") != std::string::npos);
  // The events are private (docs/api.md §10): the agency's signed read.
  auto after = agency->GetJson("/v1/certificates/" + api::Client::EncodePathSegment(cert));
  REQUIRE(after.ok());
  REQUIRE((*after)["events"].size() == 1);
  CHECK((*after)["events"][0]["document"]["bizStep"] == "inspecting");

  // Revoked after the sync: offline cannot know (and says how old its bundle
  // is); online it is REVOKED; after a new sync, offline knows too.
  REQUIRE(cli.Run({"revoke", cert, "--key", keys + "mx-manufacturer.key", "--reason",
                   "recall: wrong strength printed"},
                  &out) == 0);
  code = cli.Run({"verify", image}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("co-signed") != std::string::npos);
  const auto read_trust = [&] {
    std::ifstream in(cli.trust);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before_revocation = read_trust();
  code = cli.Run({"verify", "--online", "--key", keys + "us-cbp.key", image}, &out);
  CHECK_MESSAGE(code == 2, out);
  CHECK(out.find("RECALLED") != std::string::npos);
  REQUIRE_MESSAGE(cli.Run({"trust", "sync"}, &out) == 0, out);
  code = cli.Run({"verify", image}, &out);
  CHECK_MESSAGE(code == 2, out);
  CHECK(out.find("RECALLED: recall: wrong strength printed (OFFLINE)") != std::string::npos);

  // The bundle synced before the revocation, copied over the current one, is
  // refused (it once turned REVOKED back into AUTHENTIC (OFFLINE)).
  const std::string current = read_trust();
  std::ofstream(cli.trust, std::ios::trunc) << before_revocation;
  code = cli.Run({"verify", image}, &out);
  CHECK_MESSAGE(code == 65, out);
  CHECK(out.find("older than the newest this verifier has seen") != std::string::npos);
  std::ofstream(cli.trust, std::ios::trunc) << current;

  // A bundle edited on the laptop is refused.
  std::string text = read_trust();
  size_t at = text.find("\"leaf_index\": ");
  REQUIRE(at != std::string::npos);
  text.replace(at, 14, "\"leaf_index\": 9");
  std::ofstream(cli.trust) << text;
  code = cli.Run({"verify", image}, &out);
  CHECK(code != 0);
  CHECK(code != 2);
}

}  // namespace
}  // namespace frontera::e2e
