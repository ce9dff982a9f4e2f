#include "tools/bench.h"

#include <doctest/doctest.h>

#include <set>

#include "crypto/data_integrity.h"
#include "ledger/documents.h"
#include "ledger/gs1.h"
#include "tests/tools/test_support.h"

namespace frontera::tools {
namespace {

TEST_CASE("GTIN-14 under a company prefix with a valid check digit") {
  CHECK(MakeGtin14("7501234", 1).value() == "07501234000017");  // the fixture's GTIN
  for (uint64_t item : {0ull, 42ull, 99999ull}) {
    std::string gtin = MakeGtin14("7501234", item).value();
    CAPTURE(gtin);
    CHECK(gtin.size() == 14);
    CHECK(gtin.substr(1, 7) == "7501234");
    CHECK(ledger::gs1::CheckGtin14(gtin).ok());
  }
  CHECK(MakeGtin14("750123412345", 0).value().size() == 14);  // 12-digit prefix, no reference
  CHECK(MakeGtin14("7501234", 100000).status().IsInvalidArgument());
  CHECK(MakeGtin14("75x", 1).status().IsInvalidArgument());
}

TEST_CASE("latency percentiles are nearest-rank") {
  std::vector<double> values;
  for (int i = 100; i >= 1; --i) values.push_back(i);
  LatencySummary s = Summarize(values);
  CHECK(s.p50_ms == 50);
  CHECK(s.p90_ms == 90);
  CHECK(s.p99_ms == 99);
  CHECK(s.max_ms == 100);
  LatencySummary one = Summarize({7.5});
  CHECK(one.p50_ms == 7.5);
  CHECK(one.p99_ms == 7.5);
  CHECK(Summarize({}).max_ms == 0);
}

TEST_CASE("pre-signed bench credentials are valid, verify, and have unique serials") {
  PartyRecord issuer;
  issuer.info = {testing::FixtureDid("mx-manufacturer"), "Laboratorios Ejemplo S.A. de C.V.", "MX",
                 "7501234000017"};
  issuer.role = "manufacturer";
  issuer.prefixes = {"7501234"};
  crypto::KeyPair key = testing::FixtureKey("mx-manufacturer");
  int64_t now = ledger::gs1::ParseRfc3339Millis("2026-12-01T00:00:00Z").value();
  auto documents = PresignCredentials(issuer, key, 50, "Bab12cd34", now);
  REQUIRE_MESSAGE(documents.ok(), documents.status().ToString());
  REQUIRE(documents->size() == 50);
  std::set<std::string> serials, ids;
  for (const crypto::Json& d : *documents) {
    auto parsed = ledger::ParseCredential(d);
    REQUIRE(parsed.ok());
    CHECK(parsed->gtin.substr(1, 7) == "7501234");
    CHECK_FALSE(parsed->label.has_value());
    serials.insert(parsed->serial);
    ids.insert(parsed->id);
    CHECK(crypto::VerifyProof(d).ok());
  }
  CHECK(serials.size() == 50);
  CHECK(ids.size() == 50);

  issuer.prefixes.clear();
  CHECK(PresignCredentials(issuer, key, 1, "B", now).status().IsFailedPrecondition());
}

TEST_CASE("bench result JSON has the documented members") {
  BenchResult r;
  r.node = "http://127.0.0.1:7001";
  r.n = 10;
  r.concurrency = 2;
  r.seconds = 0.5;
  r.throughput_per_s = 20;
  r.latency = {1, 2, 3, 4};
  crypto::Json json = BenchResultJson(r);
  CHECK(json["latency_ms"] == crypto::Json{{"p50", 1.0}, {"p90", 2.0}, {"p99", 3.0}, {"max", 4.0}});
  CHECK(json["errors"] == 0);
  CHECK_FALSE(json.contains("first_error"));
  r.errors = 1;
  r.first_error = "409 duplicate";
  CHECK(BenchResultJson(r)["first_error"] == "409 duplicate");
}

}  // namespace
}  // namespace frontera::tools
