// Shared helpers of the tools tests: fixture documents and test keys.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/encoding.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "tests/temp_dir.h"
#include "tools/files.h"

namespace frontera::tools::testing {

inline std::string FixturePath(const std::string& name) {
  return std::string(FRONTERA_FIXTURES_DIR) + "/examples/" + name;
}

inline crypto::Json LoadFixture(const std::string& name) {
  auto text = ReadTextFile(FixturePath(name));
  REQUIRE_MESSAGE(text.ok(), text.status().ToString());
  auto json = crypto::ParseJson(*text);
  REQUIRE_MESSAGE(json.ok(), json.status().ToString());
  return *json;
}

// The test-only key of a party of tests/fixtures/examples/parties.json.
inline crypto::KeyPair FixtureKey(const std::string& party) {
  crypto::Json parties = LoadFixture("parties.json");
  auto seed_bytes = HexDecode(parties["parties"][party]["testSeedHex"].get<std::string>());
  REQUIRE(seed_bytes.ok());
  auto seed = crypto::SeedFromBytes(*seed_bytes);
  REQUIRE(seed.ok());
  return crypto::KeyPair::FromSeed(*seed);
}

inline std::string FixtureDid(const std::string& party) {
  return LoadFixture("parties.json")["parties"][party]["did"].get<std::string>();
}

using TempDir = frontera::testing::TempDir;

}  // namespace frontera::tools::testing
