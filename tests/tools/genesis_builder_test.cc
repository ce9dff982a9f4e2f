#include "tools/genesis_builder.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "crypto/key_file.h"
#include "crypto/tlog_witness.h"
#include "ledger/genesis.h"
#include "tests/tools/test_support.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::FixtureDid;
using testing::FixtureKey;
using testing::TempDir;

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

// A network description in `dir` with key files under keys/ for the three
// agencies and the manufacturer, the carrier given by did.
std::string NetworkToml() {
  return "network = \"frontera.example/north-america-1\"\n"
         "resolver = \"verify.frontera.example\"\n"
         "created = \"2026-11-30T00:00:00Z\"\n"
         "\n"
         "[[validator]]\n"
         "name = \"us-cbp\"\n"
         "key = \"keys/us-cbp.key\"\n"
         "api = \"http://127.0.0.1:7001\"\n"
         "peer = \"127.0.0.1:7101\"\n"
         "\n"
         "[[validator]]\n"
         "name = \"mx-anam\"\n"
         "key = \"keys/mx-anam.key\"\n"
         "api = \"http://127.0.0.1:7002\"\n"
         "\n"
         "[[validator]]\n"
         "name = \"ca-cbsa\"\n"
         "did = \"" +
         FixtureDid("ca-cbsa") +
         "\"\n"
         "api = \"http://127.0.0.1:7003\"\n"
         "\n"
         "[[party]]\n"
         "name = \"Laboratorios Ejemplo S.A. de C.V.\"\n"
         "role = \"manufacturer\"\n"
         "country = \"MX\"\n"
         "gln = \"7501234000017\"\n"
         "prefixes = [\"7501234\"]\n"
         "key = \"keys/mx-manufacturer.key\"\n"
         "\n"
         "[[party]]\n"
         "name = \"Transportes Frontera Norte S.A. de C.V.\"\n"
         "role = \"carrier\"\n"
         "country = \"MX\"\n"
         "did = \"" +
         FixtureDid("mx-carrier") + "\"\n";
}

void WriteKeys(const TempDir& dir) {
  std::filesystem::create_directory(dir.Sub("keys"));
  for (const char* party : {"us-cbp", "mx-anam", "mx-manufacturer"}) {
    REQUIRE(crypto::WriteKeyFile(dir.Sub(std::string("keys/") + party + ".key"), FixtureKey(party))
                .ok());
  }
}

TEST_CASE("genesis from a TOML description parses with ledger::ParseGenesis") {
  TempDir dir;
  WriteKeys(dir);
  WriteText(dir.Sub("network.toml"), NetworkToml());
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  auto genesis = ledger::ParseGenesis(*built);
  REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
  CHECK(genesis->network == "frontera.example/north-america-1");
  CHECK(genesis->resolver == "verify.frontera.example");
  REQUIRE(genesis->validators.size() == 3);
  CHECK(genesis->validators[0].did == FixtureDid("us-cbp"));  // from the key file
  CHECK(genesis->validators[0].peer_addr == "127.0.0.1:7101");
  CHECK(genesis->validators[2].did == FixtureDid("ca-cbsa"));  // given as did
  CHECK(genesis->Quorum() == 2);
  REQUIRE(genesis->parties.size() == 2);
  CHECK(genesis->parties[0].did == FixtureDid("mx-manufacturer"));
  CHECK(genesis->parties[0].role == ledger::Role::kManufacturer);
  CHECK(genesis->parties[0].prefixes == std::vector<std::string>{"7501234"});
  CHECK(genesis->parties[1].did == FixtureDid("mx-carrier"));
  // The JSON has exactly the documented members (no secret from a key file).
  CHECK((*built)["validators"][0] == Json{{"name", "us-cbp"},
                                          {"did", FixtureDid("us-cbp")},
                                          {"api", "http://127.0.0.1:7001"},
                                          {"peer", "127.0.0.1:7101"}});
  CHECK(built->dump().find("seed") == std::string::npos);
}

TEST_CASE("a TOML syntax error cites file and line") {
  std::string toml = NetworkToml();
  toml.insert(toml.find("[[party]]"), "gln = 7501234000017x\n");  // line 21
  auto built = BuildGenesisJson(toml, "/nets/na.toml");
  REQUIRE_FALSE(built.ok());
  CHECK(built.status().message().find("/nets/na.toml:21:") == 0);
}

TEST_CASE("a missing member cites the line of its table") {
  TempDir dir;
  WriteKeys(dir);
  std::string toml = NetworkToml();
  toml.erase(toml.find("api = \"http://127.0.0.1:7002\"\n"), 30);  // validator at line 11
  WriteText(dir.Sub("network.toml"), toml);
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_FALSE(built.ok());
  std::string message = built.status().message();
  CAPTURE(message);
  CHECK(message.find(dir.Sub("network.toml") + ":11: validator \"mx-anam\": missing `api") !=
        std::string::npos);
}

TEST_CASE("a bad key path and an unknown role cite their lines") {
  TempDir dir;
  WriteKeys(dir);
  std::string toml = NetworkToml();
  toml.replace(toml.find("keys/mx-anam.key"), 16, "keys/nobody.key");  // line 13
  toml.replace(toml.find("\"carrier\""), 9, "\"smuggler\"");           // line 31
  WriteText(dir.Sub("network.toml"), toml);
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_FALSE(built.ok());
  std::string message = built.status().message();
  CAPTURE(message);
  CHECK(message.find("network.toml:13: validator \"mx-anam\": cannot use key file") !=
        std::string::npos);
  CHECK(message.find("network.toml:31: party \"Transportes Frontera Norte S.A. de C.V.\": role "
                     "must be one of") != std::string::npos);
}

TEST_CASE("a rule broken in the genesis is mapped back to the party's line") {
  TempDir dir;
  WriteKeys(dir);
  std::string toml = NetworkToml();
  toml.replace(toml.find("7501234000017"), 13, "7501234000018");  // bad GLN check digit
  WriteText(dir.Sub("network.toml"), toml);
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_FALSE(built.ok());
  std::string message = built.status().message();
  CAPTURE(message);
  // [[party]] of the manufacturer starts at line 21.
  CHECK(message.find("network.toml:21: genesis /parties/0/gln:") != std::string::npos);
}

// The description with a licence table after the manufacturer's key line.
std::string WithLicence(const std::string& cas) {
  std::string toml = NetworkToml();
  const std::string after = "key = \"keys/mx-manufacturer.key\"\n";
  toml.insert(toml.find(after) + after.size(),
              "[[party.licence]]\n"
              "cas = \"" +
                  cas +
                  "\"\n"
                  "number = \"COFEPRIS-PQ-2026-0117\"\n"
                  "valid_from = 2026-01-01\n"
                  "valid_until = \"2027-12-31\"\n");
  return toml;
}

TEST_CASE("a party's precursor licences: TOML dates or strings, checked like the rest") {
  TempDir dir;
  WriteKeys(dir);
  WriteText(dir.Sub("network.toml"), WithLicence("345-78-8"));
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  CHECK((*built)["parties"][0]["licences"] == Json::array({{{"casRn", "345-78-8"},
                                                            {"number", "COFEPRIS-PQ-2026-0117"},
                                                            {"validFrom", "2026-01-01"},
                                                            {"validUntil", "2027-12-31"}}}));
  auto genesis = ledger::ParseGenesis(*built);
  REQUIRE_MESSAGE(genesis.ok(), genesis.status().ToString());
  REQUIRE(genesis->parties[0].licences.size() == 1);
  CHECK(genesis->parties[0].licences[0].Covers("345-78-8", "2027-12-31"));
  CHECK_FALSE(genesis->parties[0].licences[0].Covers("345-78-8", "2028-01-01"));
  CHECK_FALSE(genesis->parties[0].licences[0].Covers("90-82-4", "2026-06-01"));

  // A CAS number with a wrong check digit, mapped back to the party's line.
  WriteText(dir.Sub("network.toml"), WithLicence("345-78-9"));
  built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_FALSE(built.ok());
  CAPTURE(built.status().message());
  CHECK(built.status().message().find("network.toml:21: genesis /parties/0/licences/0/casRn:") !=
        std::string::npos);
}

TEST_CASE("max_bundle_age: a duration in the TOML, seconds in the genesis, range checked") {
  TempDir dir;
  WriteKeys(dir);
  const auto build = [&](const std::string& value) {
    std::string toml = NetworkToml();
    toml.insert(toml.find("\n\n[[validator]]") + 1, "max_bundle_age = " + value + "\n");  // line 4
    WriteText(dir.Sub("network.toml"), toml);
    return BuildGenesisFromFile(dir.Sub("network.toml"));
  };
  auto days = build("\"3d\"");
  REQUIRE_MESSAGE(days.ok(), days.status().ToString());
  CHECK((*days)["max_bundle_age_seconds"] == 3 * 86400);
  CHECK((*build("\"36h\""))["max_bundle_age_seconds"] == 36 * 3600);
  CHECK((*build("\"90min\""))["max_bundle_age_seconds"] == 90 * 60);
  CHECK((*build("7200"))["max_bundle_age_seconds"] == 7200);
  // Absent: the genesis has none (verifiers use 7 days).
  TempDir plain_dir;
  WriteKeys(plain_dir);
  WriteText(plain_dir.Sub("network.toml"), NetworkToml());
  CHECK_FALSE(
      BuildGenesisFromFile(plain_dir.Sub("network.toml"))->contains("max_bundle_age_seconds"));

  for (const char* bad : {"\"7 days\"", "\"d\"", "-1", "true"}) {
    auto refused = build(bad);
    REQUIRE_FALSE(refused.ok());
    CAPTURE(refused.status().message());
    CHECK(refused.status().message().find(":4: `max_bundle_age` must be a duration") !=
          std::string::npos);
  }
  // Out of range (more than 366 days): ParseGenesis's error, at the TOML line.
  auto too_long = build("\"400d\"");
  REQUIRE_FALSE(too_long.ok());
  CAPTURE(too_long.status().message());
  CHECK(too_long.status().message().find(":4: genesis /max_bundle_age_seconds") !=
        std::string::npos);
}

TEST_CASE("a description without validators is refused") {
  auto built = BuildGenesisJson(
      "network = \"n\"\nresolver = \"r.example\"\ncreated = \"2026-11-30T00:00:00Z\"\n", "x.toml");
  REQUIRE_FALSE(built.ok());
  CHECK(built.status().message().find("at least one [[validator]]") != std::string::npos);
}

TEST_CASE("[[witness]] tables and witness_quorum become the genesis's witnesses") {
  TempDir dir;
  WriteKeys(dir);
  crypto::Seed seed{};
  seed.fill(0x77);
  const std::string vkey = crypto::FormatCosignerVkey("witness.example/w1",
                                                      crypto::KeyPair::FromSeed(seed).public_key());
  WriteText(dir.Sub("network.toml"), "witness_quorum = 1\n" + NetworkToml() +
                                         "[[witness]]\nname = \"witness.example/w1\"\nkey = \"" +
                                         vkey + "\"\nurl = \"https://witness.example/w1\"\n");
  auto built = BuildGenesisFromFile(dir.Sub("network.toml"));
  REQUIRE_MESSAGE(built.ok(), built.status().ToString());
  auto genesis = ledger::ParseGenesis(*built);
  REQUIRE(genesis.ok());
  REQUIRE(genesis->witnesses.size() == 1);
  CHECK(genesis->witnesses[0].url == "https://witness.example/w1");
  CHECK(genesis->witness_quorum == 1);

  // A bad key is reported at the witness's table.
  WriteText(dir.Sub("bad.toml"), NetworkToml() +
                                     "[[witness]]\nname = \"w\"\nkey = \"w+00+AA\"\nurl = "
                                     "\"https://w.example\"\n");
  auto bad = BuildGenesisFromFile(dir.Sub("bad.toml"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().ToString().find("genesis /witnesses/0/key: not a verifier key") !=
        std::string::npos);
}

}  // namespace
}  // namespace frontera::tools
