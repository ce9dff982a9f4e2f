// ledger::ParseGenesis: the optional witnesses and witness_quorum
// (docs/formats.md#witnesses).
#include <doctest/doctest.h>

#include <string>

#include "crypto/tlog_witness.h"
#include "ledger/genesis.h"
#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

crypto::KeyPair WitnessKey(uint8_t fill) {
  crypto::Seed seed{};
  seed.fill(fill);
  return crypto::KeyPair::FromSeed(seed);
}

Json Witness(const std::string& name, uint8_t fill) {
  return {{"name", name},
          {"key", crypto::FormatCosignerVkey(name, WitnessKey(fill).public_key())},
          {"url", "http://127.0.0.1:9000/" + name}};
}

Json BaseGenesis() {
  const Json fixture = Fixture("parties.json");
  return {{"network", "frontera.example/north-america-1"},
          {"created", "2026-11-01T00:00:00Z"},
          {"resolver", "verify.frontera.example"},
          {"validators", {{{"name", "us-cbp"}, {"did", fixture["parties"]["us-cbp"]["did"]}}}},
          {"parties", Json::array()}};
}

std::string OnlyError(const Json& document) {
  auto g = ParseGenesis(document);
  REQUIRE_FALSE(g.ok());
  REQUIRE(g.status().field_errors().size() == 1);
  return g.status().field_errors()[0].pointer + ": " + g.status().field_errors()[0].reason;
}

TEST_CASE("a genesis without witnesses stays valid, with a witness quorum of 0") {
  auto g = ParseGenesis(BaseGenesis());
  REQUIRE(g.ok());
  CHECK(g->witnesses.empty());
  CHECK(g->witness_quorum == 0);
  CHECK_FALSE(g->ToJson().contains("witnesses"));
}

TEST_CASE("witnesses are read with their keys, and the quorum up to their number") {
  Json doc = BaseGenesis();
  doc["witnesses"] = {Witness("w1.example", 1), Witness("w2.example", 2)};
  doc["witness_quorum"] = 2;
  auto g = ParseGenesis(doc);
  REQUIRE(g.ok());
  REQUIRE(g->witnesses.size() == 2);
  CHECK(g->witnesses[1].name == "w2.example");
  CHECK(g->witnesses[1].public_key == WitnessKey(2).public_key());
  CHECK(g->witnesses[0].url == "http://127.0.0.1:9000/w1.example");
  CHECK(g->witness_quorum == 2);
  CHECK(g->WitnessVerifiers().size() == 2);
  CHECK(g->ToJson()["witnesses"] == doc["witnesses"]);
  CHECK(g->ToJson()["witness_quorum"] == 2);

  doc["witness_quorum"] = 3;
  CHECK(
      OnlyError(doc).starts_with("/witness_quorum: must be a whole number from 0 to the number "
                                 "of witnesses (2)"));
  doc["witness_quorum"] = -1;
  CHECK(OnlyError(doc).starts_with("/witness_quorum"));
  doc.erase("witnesses");
  doc["witness_quorum"] = 1;
  CHECK(OnlyError(doc).starts_with("/witness_quorum"));
}

TEST_CASE("bad witness entries are refused with a pointer") {
  auto refused = [](Json witness) {
    Json doc = BaseGenesis();
    doc["witnesses"] = {Witness("w1.example", 1), std::move(witness)};
    return OnlyError(doc);
  };
  Json w = Witness("w2.example", 2);
  w["key"] = "w2.example+00000000+AAAA";
  CHECK(refused(w).starts_with("/witnesses/1/key: not a verifier key"));
  w = Witness("w2.example", 2);
  w["key"] = crypto::FormatCosignerVkey("w3.example", WitnessKey(2).public_key());
  CHECK(refused(w) ==
        "/witnesses/1/key: names \"w3.example\", not the witness's name \"w2.example\"");
  CHECK(refused(Witness("w1.example", 2)) == "/witnesses/1/name: duplicate witness name");
  CHECK(refused(Witness("w2.example", 1)) == "/witnesses/1/key: the same key as another witness");
  CHECK(refused(Witness("us-cbp", 2)).starts_with("/witnesses/1/name: is a validator's name"));
  for (const char* url :
       {"ftp://w.example", "http://w.example/", "http://w.example/?a=1", "127.0.0.1:9000"}) {
    CAPTURE(url);
    w = Witness("w2.example", 2);
    w["url"] = url;
    CHECK(refused(w).starts_with("/witnesses/1/url: must be an http:// or https://"));
  }
  w = Witness("w2.example", 2);
  w.erase("url");
  CHECK(refused(w) == "/witnesses/1/url: required non-empty string");
  w = Witness("w2.example", 2);
  w["cosigns"] = true;
  CHECK(refused(w).starts_with("/witnesses/1/cosigns: unknown member"));

  Json doc = BaseGenesis();
  doc["witnesses"] = Json::object();
  CHECK(OnlyError(doc).starts_with("/witnesses: must be an array"));
}

}  // namespace
}  // namespace frontera::ledger
