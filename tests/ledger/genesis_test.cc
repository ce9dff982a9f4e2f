// ledger::ParseGenesis: the parties' GS1 company prefixes do not overlap
// across parties, and their precursor licences are well-formed
// (docs/formats.md §10).
#include "ledger/genesis.h"

#include <doctest/doctest.h>

#include <string>

#include "tests/ledger/ledger_test_util.h"

namespace frontera::ledger {
namespace {

// The example network with the manufacturer's and the distributor's
// prefixes replaced.
Json GenesisWithPrefixes(const Json& manufacturer, const Json& distributor) {
  const Json fixture = Fixture("parties.json");
  Json parties = Json::array();
  for (const char* name : {"mx-manufacturer", "us-distributor"}) {
    const Json& p = fixture["parties"][name];
    parties.push_back(
        {{"did", p["did"]}, {"name", p["name"]}, {"role", p["role"]}, {"country", p["country"]}});
  }
  parties[0]["prefixes"] = manufacturer;
  parties[1]["prefixes"] = distributor;
  return {{"network", "frontera.example/north-america-1"},
          {"created", "2026-11-01T00:00:00Z"},
          {"resolver", "verify.frontera.example"},
          {"validators", {{{"name", "us-cbp"}, {"did", fixture["parties"]["us-cbp"]["did"]}}}},
          {"parties", parties}};
}

// The one field error of a refused genesis, as "<pointer>: <reason>".
std::string OnlyError(const Json& document) {
  auto g = ParseGenesis(document);
  REQUIRE_FALSE(g.ok());
  REQUIRE(g.status().field_errors().size() == 1);
  return g.status().field_errors()[0].pointer + ": " + g.status().field_errors()[0].reason;
}

TEST_CASE("prefixes of different parties that do not overlap are accepted") {
  CHECK(ParseGenesis(GenesisWithPrefixes({"7501234", "7509"}, {"0031234", "75012350"})).ok());
  // One party may list nested prefixes of its own: it signs for both anyway.
  CHECK(ParseGenesis(GenesisWithPrefixes({"7501234", "75012345"}, {"0031234"})).ok());
  CHECK(ParseGenesis(GenesisWithPrefixes(Json::array(), Json::array())).ok());
}

TEST_CASE("a prefix inside another party's is refused at the longer one, naming the other") {
  std::string error = OnlyError(GenesisWithPrefixes({"7501234"}, {"0031234", "75012345"}));
  CHECK(error.starts_with("/parties/1/prefixes/1: lies inside /parties/0/prefixes/0 (\"7501234\""));
  CHECK(error.find("could sign for each other's items") != std::string::npos);

  // Either order of the parties; the shorter may be the later party's.
  error = OnlyError(GenesisWithPrefixes({"75012345"}, {"7501"}));
  CHECK(error.starts_with("/parties/0/prefixes/0: lies inside /parties/1/prefixes/0 (\"7501\""));
}

TEST_CASE("the same prefix in two parties is refused") {
  std::string error = OnlyError(GenesisWithPrefixes({"7501234"}, {"7501234"}));
  CHECK(error.starts_with("/parties/1/prefixes/0: repeats /parties/0/prefixes/0"));
}

TEST_CASE("an overlap is found past a party's own nested prefixes") {
  // Sorted: 7500 (A), 75001 (A), 75002 (B). 75002 lies inside A's 7500
  // although its neighbour 75001 is not its prefix.
  std::string error = OnlyError(GenesisWithPrefixes({"7500", "75001"}, {"75002"}));
  CHECK(error.starts_with("/parties/1/prefixes/0: lies inside /parties/0/prefixes/0 (\"7500\""));
}

// The example network with `licence` as the manufacturer's only licence.
Json GenesisWithLicence(const Json& licence) {
  Json document = GenesisWithPrefixes(Json::array(), Json::array());
  document["parties"][0]["licences"] = Json::array({licence});
  return document;
}

TEST_CASE("a licence names a substance by a valid CAS number, a number and an ordered period") {
  const Json good = {{"casRn", "345-78-8"},
                     {"number", "COFEPRIS-PQ-2026-0117"},
                     {"validFrom", "2026-01-01"},
                     {"validUntil", "2027-12-31"}};
  auto g = ParseGenesis(GenesisWithLicence(good));
  REQUIRE_MESSAGE(g.ok(), g.status().ToString());
  CHECK(g->parties[0].ToJson()["licences"] == Json::array({good}));

  Json bad_cas = good;
  bad_cas["casRn"] = "345-78-9";
  CHECK(OnlyError(GenesisWithLicence(bad_cas)) ==
        "/parties/0/licences/0/casRn: must be a CAS Registry Number with a valid check digit");
  Json bad_date = good;
  bad_date["validUntil"] = "2027-02-30";
  CHECK(OnlyError(GenesisWithLicence(bad_date)) ==
        "/parties/0/licences/0/validUntil: must be a date YYYY-MM-DD");
  Json reversed = good;
  reversed["validUntil"] = "2025-12-31";
  CHECK(OnlyError(GenesisWithLicence(reversed)) ==
        "/parties/0/licences/0/validUntil: must not be before validFrom");
  Json no_number = good;
  no_number.erase("number");
  CHECK(OnlyError(GenesisWithLicence(no_number)) ==
        "/parties/0/licences/0/number: required non-empty string");
}

}  // namespace
}  // namespace frontera::ledger

namespace frontera::ledger {
namespace {

TEST_CASE("max_bundle_age_seconds: 7 days when absent, else 60 s to 366 days") {
  Json document = GenesisWithPrefixes(Json::array({"7501234"}), Json::array({"0614141"}));
  auto plain = ParseGenesis(document);
  REQUIRE(plain.ok());
  CHECK_FALSE(plain->max_bundle_age_seconds.has_value());
  CHECK(plain->MaxBundleAgeSeconds() == 7 * 24 * 3600);
  CHECK_FALSE(plain->ToJson().contains("max_bundle_age_seconds"));

  document["max_bundle_age_seconds"] = 36 * 3600;
  auto set = ParseGenesis(document);
  REQUIRE(set.ok());
  CHECK(set->MaxBundleAgeSeconds() == 36 * 3600);
  CHECK(set->ToJson()["max_bundle_age_seconds"] == 36 * 3600);
  // It is part of the document, so of the network's identity.
  CHECK(set->hash != plain->hash);

  for (const Json& bad : {Json(59), Json(366 * 24 * 3600 + 1), Json(-5), Json(3.5), Json("7d")}) {
    document["max_bundle_age_seconds"] = bad;
    CAPTURE(bad.dump());
    CHECK(OnlyError(document).starts_with("/max_bundle_age_seconds: must be a whole number"));
  }
}

}  // namespace
}  // namespace frontera::ledger
