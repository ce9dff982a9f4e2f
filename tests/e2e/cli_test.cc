// The `frontera` CLI against a `fronterad --dev` process: the README's
// walk-through as a test.
#include <doctest/doctest.h>

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "tests/e2e/harness.h"

namespace frontera::e2e {
namespace {

std::string DidOf(const std::string& key_file) {
  auto key = crypto::LoadKeyFile(key_file);
  REQUIRE(key.ok());
  return crypto::DidKeyFromPublicKey(key->public_key());
}

TEST_CASE("the README walk-through with the frontera CLI") {
  TempDir dir;
  const std::string dev = dir.path() + "/dev";
  NodeProcess node({"--dev", dev, "--port", "0"}, dir.path() + "/port");
  Cli cli{node.url(), dev + "/genesis.json", ""};
  const std::string keys = dev + "/keys/";
  const std::string cert = "urn:uuid:6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b";
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
                           "LOT42A",
                           "--serial",
                           "SN777",
                           "--expiry",
                           "2028-10-31",
                           "--product-name",
                           "Amoxicillin 500 mg capsules",
                           "--strength-dosage-form",
                           "500 mg, capsule",
                           "--container-size",
                           "30 capsules"},
                          &out) == 0,
                  out);
  CHECK(out.find(cert) != std::string::npos);

  // The same serial again is refused, naming the flag to change.
  CHECK(cli.Run({"issue", "pharma", "--key", keys + "mx-manufacturer.key", "--gtin",
                 "07501234000017", "--lot", "LOT42A", "--serial", "SN777", "--expiry", "2028-10-31",
                 "--product-name", "x", "--strength-dosage-form", "y", "--container-size", "z"},
                &out) != 0);
  CHECK(out.find("--serial") != std::string::npos);
  // A bad check digit never leaves the machine.
  CHECK(cli.Run({"issue", "pharma", "--key", keys + "mx-manufacturer.key", "--gtin",
                 "07501234000018", "--lot", "L", "--serial", "S1", "--expiry", "2028-10-31",
                 "--product-name", "x", "--strength-dosage-form", "y", "--container-size", "z"},
                &out) != 0);
  CHECK(out.find("--gtin") != std::string::npos);

  auto event = [&](std::vector<std::string> args) {
    args.insert(args.begin(), "event");
    int code = cli.Run(args, &out);
    CHECK_MESSAGE(code == 0, out);
  };
  event({"shipping", cert, "--key", keys + "mx-manufacturer.key", "--to",
         DidOf(keys + "mx-carrier.key")});
  event({"arriving", cert, "--key", keys + "mx-carrier.key", "--read-point",
         "https://id.gs1.org/414/0031234500004"});
  event({"inspecting", cert, "--key", keys + "us-cbp.key"});
  event({"shipping", cert, "--key", keys + "mx-carrier.key", "--to",
         DidOf(keys + "us-distributor.key")});
  event({"receiving", cert, "--key", keys + "us-distributor.key"});
  // Receiving twice is not custody: refused.
  CHECK(cli.Run({"event", "receiving", cert, "--key", keys + "mx-carrier.key"}, &out) != 0);

  // Anonymous, the public view: no custody, no commercial details.
  CHECK(cli.Run({"show", cert}, &out) == 0);
  CHECK(out.find("receiving") == std::string::npos);
  CHECK(out.find("public view") != std::string::npos);
  // An agency sees the whole timeline.
  CHECK(cli.Run({"show", "--key", keys + "us-cbp.key", cert}, &out) == 0);
  CHECK(out.find("receiving") != std::string::npos);
  CHECK(out.find("public view") == std::string::npos);

  // Anonymous: verified by its label and the ledger's public record.
  int code = cli.Run({"verify", "--online", cert}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("AUTHENTIC") != std::string::npos);
  CHECK(out.find("public view") != std::string::npos);
  // An agency: the credential's own proof and the custody chain too.
  code = cli.Run({"verify", "--online", "--key", keys + "us-cbp.key", cert}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("custody") != std::string::npos);
  CHECK(out.find("eddsa-jcs-2022 proof") != std::string::npos);
  code = cli.Run({"verify", "--online", "--json", cert}, &out);
  CHECK(code == 0);
  Json verdict = Json::parse(out.substr(out.find('{')));
  CHECK(verdict["verdict"] == "AUTHENTIC");

  // Each full-view read is in the validator's audit trail, which only an
  // agency may read; the anonymous reads are not in it.
  code = cli.Run({"audit", "--key", keys + "us-cbp.key", "--record", cert}, &out);
  CHECK_MESSAGE(code == 0, out);
  // The six event commands read it as their signer, then show and verify
  // read it as the agency.
  CHECK_MESSAGE(out.find("8 read(s)") != std::string::npos, out);
  CHECK(out.find("Transportes Frontera Norte") != std::string::npos);
  CHECK(out.find("certificate " + cert) != std::string::npos);
  CHECK(out.find("U.S. Customs and Border Protection") != std::string::npos);
  code = cli.Run({"audit", "--key", keys + "us-cbp.key", "--json"}, &out);
  CHECK(code == 0);
  Json trail = Json::parse(out.substr(out.find('{')));
  CHECK(trail["entries"].back()["what"] == "audit");  // the query before this one
  CHECK(cli.Run({"audit", "--key", keys + "mx-manufacturer.key"}, &out) == 77);
  CHECK(out.find("agencies") != std::string::npos);

  // An illegitimate-product notice through the node: the distributor holding
  // the pack files it and the pack is flagged; an agency exports the Form
  // 3911 fields; the filer's termination clears the flag.
  const std::string notice = "urn:uuid:5e000000-0000-4000-8000-0000000000e2";
  code = cli.Run({"notice",
                  "file",
                  "--key",
                  keys + "us-distributor.key",
                  "--id",
                  notice,
                  "--certificate",
                  cert,
                  "--classification",
                  "counterfeit",
                  "--determined",
                  "2025-06-01",
                  "--quantity",
                  "1",
                  "--description",
                  "Foil print differs",
                  "--contact-name",
                  "QA desk",
                  "--contact-phone",
                  "+1 555 0100",
                  "--contact-email",
                  "qa@example.com"},
                 &out);
  REQUIRE_MESSAGE(code == 0, out);
  CHECK(cli.Run({"verify", "--online", cert}, &out) == 5);
  code =
      cli.Run({"notice", "export", notice, "--key", keys + "us-cbp.key", "--format", "csv"}, &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find(",Counterfeit,Amoxicillin 500 mg capsules,") != std::string::npos);
  CHECK(out.find(",SN777,LOT42A,2028-10-31,") != std::string::npos);
  code = cli.Run({"notice", "file", "--key", keys + "us-distributor.key", "--type", "termination",
                  "--initial", notice, "--description", "Genuine after all"},
                 &out);
  CHECK_MESSAGE(code == 0, out);
  CHECK(out.find("terminated") != std::string::npos);

  CHECK(cli.Run({"checkpoint", "--genesis", dev + "/genesis.json"}, &out) == 0);

  REQUIRE(cli.Run({"revoke", cert, "--key", keys + "mx-manufacturer.key", "--reason",
                   "recall: failed dissolution test"},
                  &out) == 0);
  code = cli.Run({"verify", "--online", cert}, &out);
  CHECK_MESSAGE(code == 2, out);
  CHECK(out.find("RECALLED: recall: failed dissolution test") != std::string::npos);

  // A genesis the node does not belong to: its checkpoint is not trusted.
  TempDir other;
  NodeProcess other_node({"--dev", other.path() + "/dev", "--port", "0"}, other.path() + "/port");
  code =
      cli.Run({"verify", "--online", "--genesis", other.path() + "/dev/genesis.json", cert}, &out);
  CHECK(code != 0);

  code = cli.Run(
      {"bench", "--key", keys + "mx-manufacturer.key", "-n", "200", "-c", "4", "--warmup", "10"},
      &out);
  CHECK_MESSAGE(code == 0, out);
  Json bench = Json::parse(out.substr(out.find('{')));
  CHECK(bench["errors"] == 0);
  CHECK(bench["throughput_per_s"].get<double>() > 0);
}

TEST_CASE("keygen never overwrites a key") {
  TempDir dir;
  std::string out;
  Cli cli{"", "", ""};
  const std::string key = dir.path() + "/a.key";
  CHECK(cli.Run({"keygen", "-o", key}, &out) == 0);
  CHECK(out.find("did:key:z6Mk") != std::string::npos);
  CHECK(cli.Run({"keygen", "-o", key}, &out) != 0);
  CHECK(crypto::LoadKeyFile(key).ok());
}

}  // namespace
}  // namespace frontera::e2e
