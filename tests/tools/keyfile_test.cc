// The key files `frontera keygen` writes and every command reads
// (crypto/key_file.h; docs/cli.md#key-files).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "tests/tools/test_support.h"

namespace frontera::tools {
namespace {

using crypto::Json;
using testing::TempDir;

TEST_CASE("key file round trip keeps the key and records its did") {
  TempDir dir;
  crypto::KeyPair key = testing::FixtureKey("mx-carrier");
  REQUIRE(crypto::WriteKeyFile(dir.Path("carrier.key"), key).ok());
  auto loaded = crypto::LoadKeyFile(dir.Path("carrier.key"));
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK(loaded->seed() == key.seed());
  CHECK(loaded->public_key() == key.public_key());

  auto text = ReadTextFile(dir.Path("carrier.key"));
  REQUIRE(text.ok());
  Json file = crypto::ParseJson(*text).value();
  Json parties = testing::LoadFixture("parties.json");
  CHECK(file["did"] == parties["parties"]["mx-carrier"]["did"]);
  CHECK(file["verificationMethod"] == parties["parties"]["mx-carrier"]["verificationMethod"]);
  CHECK(file["publicKeyHex"] == parties["parties"]["mx-carrier"]["publicKeyHex"]);
  CHECK(file["seedHex"] == parties["parties"]["mx-carrier"]["testSeedHex"]);
}

TEST_CASE("key file is created with mode 0600") {
  TempDir dir;
  mode_t old_umask = ::umask(0);  // the file's mode must not depend on the umask's leniency
  Status written = crypto::WriteKeyFile(dir.Path("k.key"), crypto::KeyPair::Generate());
  ::umask(old_umask);
  REQUIRE(written.ok());
  struct stat st {};
  REQUIRE(::stat(dir.Path("k.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an existing key file is never overwritten") {
  TempDir dir;
  crypto::KeyPair first = crypto::KeyPair::Generate();
  REQUIRE(crypto::WriteKeyFile(dir.Path("k.key"), first).ok());
  Status again = crypto::WriteKeyFile(dir.Path("k.key"), crypto::KeyPair::Generate());
  CHECK(again.IsAlreadyExists());
  CHECK(crypto::LoadKeyFile(dir.Path("k.key"))->seed() == first.seed());

  // Not through a symbolic link either.
  REQUIRE(::symlink(dir.Path("target").c_str(), dir.Path("link.key").c_str()) == 0);
  CHECK_FALSE(crypto::WriteKeyFile(dir.Path("link.key"), first).ok());
  CHECK_FALSE(std::filesystem::exists(dir.Path("target")));
}

TEST_CASE("a key file whose members disagree with its seed is rejected") {
  Json file = crypto::KeyFileJson(testing::FixtureKey("mx-carrier"));
  file["did"] = testing::FixtureDid("us-distributor");
  auto key = crypto::KeyPairFromKeyFileJson(file);
  REQUIRE_FALSE(key.ok());
  CHECK(key.status().field_errors().at(0).pointer == "/did");
  CHECK_FALSE(crypto::ParseSeedHex("abcd").ok());
  CHECK(crypto::LoadKeyFile("/nonexistent/frontera.key")
            .status()
            .ToString()
            .find("/nonexistent/frontera.key") != std::string::npos);
}

TEST_CASE("WriteNewFile refuses to clobber and ReadTextFile bounds its reads") {
  TempDir dir;
  REQUIRE(WriteNewFile(dir.Path("a.json"), "{}\n", 0644).ok());
  CHECK(WriteNewFile(dir.Path("a.json"), "[]\n", 0644).IsAlreadyExists());
  CHECK(ReadTextFile(dir.Path("a.json")).value() == "{}\n");
  CHECK(ReadTextFile(dir.Path("a.json"), 2).status().IsResourceExhausted());
  CHECK(ReadTextFile(dir.Path("missing.json")).status().IsNotFound());
}

}  // namespace
}  // namespace frontera::tools
