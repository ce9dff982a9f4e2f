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
  REQUIRE(crypto::WriteKeyFile(dir.Sub("carrier.key"), key).ok());
  auto loaded = crypto::LoadKeyFile(dir.Sub("carrier.key"));
  REQUIRE_MESSAGE(loaded.ok(), loaded.status().ToString());
  CHECK(loaded->seed() == key.seed());
  CHECK(loaded->public_key() == key.public_key());

  auto text = ReadTextFile(dir.Sub("carrier.key"));
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
  Status written = crypto::WriteKeyFile(dir.Sub("k.key"), crypto::KeyPair::Generate());
  ::umask(old_umask);
  REQUIRE(written.ok());
  struct stat st {};
  REQUIRE(::stat(dir.Sub("k.key").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an existing key file is never overwritten") {
  TempDir dir;
  crypto::KeyPair first = crypto::KeyPair::Generate();
  REQUIRE(crypto::WriteKeyFile(dir.Sub("k.key"), first).ok());
  Status again = crypto::WriteKeyFile(dir.Sub("k.key"), crypto::KeyPair::Generate());
  CHECK(again.IsAlreadyExists());
  CHECK(crypto::LoadKeyFile(dir.Sub("k.key"))->seed() == first.seed());

  // Not through a symbolic link either.
  REQUIRE(::symlink(dir.Sub("target").c_str(), dir.Sub("link.key").c_str()) == 0);
  CHECK_FALSE(crypto::WriteKeyFile(dir.Sub("link.key"), first).ok());
  CHECK_FALSE(std::filesystem::exists(dir.Sub("target")));
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

TEST_CASE("a key file path that is not a small regular file is refused before it is read") {
  // /dev/zero would never end; a directory or a FIFO is no key file either.
  for (const char* path : {"/dev/zero", "/tmp"}) {
    CAPTURE(path);
    auto key = crypto::LoadKeyFile(path);
    REQUIRE_FALSE(key.ok());
    CHECK(key.status().ToString().find("not a regular file") != std::string::npos);
  }
  TempDir dir;
  REQUIRE(WriteNewFile(dir.Sub("big.key"), std::string(65 * 1024, ' '), 0600).ok());
  auto big = crypto::LoadKeyFile(dir.Sub("big.key"));
  REQUIRE_FALSE(big.ok());
  CHECK(big.status().ToString().find("larger than a key file") != std::string::npos);
}

TEST_CASE("WriteNewFile refuses to clobber and ReadTextFile bounds its reads") {
  TempDir dir;
  REQUIRE(WriteNewFile(dir.Sub("a.json"), "{}\n", 0644).ok());
  CHECK(WriteNewFile(dir.Sub("a.json"), "[]\n", 0644).IsAlreadyExists());
  CHECK(ReadTextFile(dir.Sub("a.json")).value() == "{}\n");
  CHECK(ReadTextFile(dir.Sub("a.json"), 2).status().IsResourceExhausted());
  CHECK(ReadTextFile(dir.Sub("missing.json")).status().IsNotFound());
}

}  // namespace
}  // namespace frontera::tools
