// Shared helpers of the tools tests: fixture documents and test keys.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/encoding.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
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

// A fresh empty directory under the system's temporary directory, removed
// when the object goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "frontera-tools-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string Path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace frontera::tools::testing
