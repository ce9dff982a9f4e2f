// `frontera keygen`, `genesis` and `bench` bodies (tools/cmd_setup.h).
#include "tools/cmd_setup.h"

#include <doctest/doctest.h>

#include <fstream>

#include "crypto/key_file.h"
#include "tests/tools/cli_fakes.h"
#include "tools/exit_codes.h"

namespace frontera::tools {
namespace {

using testing::FixtureDid;
using testing::TempDir;
using testing::TestEnv;

constexpr char kSeedHex[] = "0000000000000000000000000000000000000000000000000000000000000001";

TEST_CASE("keygen writes a key file once and prints its DID") {
  TempDir dir;
  TestEnv t;
  KeygenOptions options{dir.path() + "/a.key", kSeedHex};
  REQUIRE(RunKeygen(options, t.env()) == kExitOk);
  auto key = crypto::LoadKeyFile(options.output);
  REQUIRE(key.ok());
  CHECK(t.out.str().starts_with("did:key:z6Mk"));
  TestEnv again;
  CHECK(RunKeygen(options, again.env()) == kExitCantCreate);
  CHECK(again.err.str().find("-o") != std::string::npos);
  TestEnv bad;
  CHECK(RunKeygen({dir.path() + "/b.key", "xyz"}, bad.env()) == kExitUsage);
  CHECK(bad.err.str().find("--seed") != std::string::npos);
}

TEST_CASE("genesis: a missing description is 66, a bad one 65, a good one is printed") {
  TempDir dir;
  TestEnv t;
  CHECK(RunGenesis({dir.path() + "/none.toml", ""}, t.env()) == kExitNoInput);
  std::string bad = dir.path() + "/bad.toml";
  std::ofstream(bad) << "network = 3\n";
  TestEnv t2;
  CHECK(RunGenesis({bad, ""}, t2.env()) == kExitDataError);
  CHECK(t2.err.str().find("bad.toml") != std::string::npos);

  std::string good = dir.path() + "/net.toml";
  std::ofstream(good) << "network = \"frontera.example/test\"\n"
                         "resolver = \"verify.frontera.example\"\n"
                         "created = \"2026-11-30T00:00:00Z\"\n"
                         "[[validator]]\nname = \"us-cbp\"\ndid = \""
                      << FixtureDid("us-cbp")
                      << "\"\napi = \"http://127.0.0.1:7001\"\n"
                         "[[party]]\nname = \"U.S. Customs and Border Protection\"\n"
                         "role = \"agency\"\ncountry = \"US\"\ndid = \""
                      << FixtureDid("us-cbp") << "\"\n";
  TestEnv t3;
  int code = RunGenesis({good, ""}, t3.env());
  CHECK_MESSAGE(code == kExitOk, t3.err.str());
  CHECK(t3.out.str().find("\"frontera.example/test\"") != std::string::npos);
  TestEnv t4;
  CHECK(RunGenesis({good, dir.path() + "/genesis.json"}, t4.env()) == kExitOk);
  CHECK(t4.err.str().find("wrote") != std::string::npos);
  TestEnv t5;
  CHECK(RunGenesis({good, dir.path() + "/genesis.json"}, t5.env()) == kExitCantCreate);
}

TEST_CASE("bench: -n 0 is a usage error, a missing key 66") {
  TestEnv t;
  BenchCommandOptions options;
  options.key = "/nonexistent/key";
  options.bench.n = 0;
  CHECK(RunBenchCommand(options, t.env()) == kExitUsage);
  options.bench.n = 10;
  options.bench.concurrency = 1;
  TestEnv t2;
  CHECK(RunBenchCommand(options, t2.env()) == kExitNoInput);
  CHECK(t2.err.str().find("--key") != std::string::npos);
}

}  // namespace
}  // namespace frontera::tools
