// Validator configuration: values are read, paths resolved, and every bad
// value is refused with the key's name and the file.
#include "node/config.h"

#include <doctest/doctest.h>

namespace frontera::node {
namespace {

const char* kMinimal = R"(
[node]
name = "us-cbp"
data_dir = "data"
key_file = "keys/us-cbp.key"
genesis_file = "/etc/frontera/genesis.json"
)";

TEST_CASE("a minimal config takes the defaults and resolves relative paths") {
  auto c = ParseConfig(kMinimal, "node.toml", "/srv/frontera");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->name == "us-cbp");
  CHECK(c->data_dir == "/srv/frontera/data");
  CHECK(c->key_file == "/srv/frontera/keys/us-cbp.key");
  CHECK(c->genesis_file == "/etc/frontera/genesis.json");
  CHECK(c->api.port == 7001);
  CHECK(c->proposer.batch_documents_max == 2048);
}

TEST_CASE("limits are read from their sections") {
  std::string text = std::string(kMinimal) +
                     "[api]\nport = 0\nthreads = 16\n[proposer]\nbatch_documents_max = 10\n"
                     "queue_depth_max = 99\n[ledger]\nevents_per_certificate_max = 5\n";
  auto c = ParseConfig(text, "node.toml", "/");
  REQUIRE_MESSAGE(c.ok(), c.status().ToString());
  CHECK(c->api.port == 0);
  CHECK(c->api.threads == 16);
  CHECK(c->proposer.batch_documents_max == 10);
  CHECK(c->proposer.queue_depth_max == 99);
  CHECK(c->ledger.events_per_certificate_max == 5);
}

TEST_CASE("bad values name the key, the range and the file") {
  struct Case {
    std::string extra;
    std::string expected;
  };
  const Case cases[] = {
      {"[api]\nport = 70000\n", "api.port must be in [0, 65535]"},
      {"[api]\nport = 4294974297\n", "api.port is too large"},
      {"[api]\nport = -1\n", "api.port must not be negative"},
      {"[api]\nthreads = 1\n", "api.threads must be in [2, 4096]"},
      {"[api]\nkeep_alive_timeout_s = 0\n", "api.keep_alive_timeout_s must be in [1, 3600]"},
      {"[api]\nport = \"7001\"\n", "api.port must be an integer"},
      {"[proposer]\nbatch_documents_max = 0\n", "proposer.batch_documents_max"},
      {"[proposer]\ncommit_timeout_ms = 5\n", "proposer.commit_timeout_ms"},
      {"[ledger]\nevents_per_certificate_max = 0\n", "ledger.events_per_certificate_max"},
      {"[nodes]\nname = \"x\"\n", "unknown section [nodes]"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.extra);
    auto parsed = ParseConfig(std::string(kMinimal) + c.extra, "node.toml", "/");
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    CHECK(parsed.status().message().find(c.expected) != std::string::npos);
    CHECK(parsed.status().message().find("node.toml") != std::string::npos);
  }
}

TEST_CASE("a TOML syntax error cites the line") {
  auto parsed = ParseConfig("[node]\nname = \n", "node.toml", "/");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("node.toml:2") != std::string::npos);
}

TEST_CASE("required keys are required") {
  auto parsed = ParseConfig("[node]\nname = \"us-cbp\"\n", "node.toml", "/");
  REQUIRE_FALSE(parsed.ok());
  CHECK(parsed.status().message().find("node.data_dir is required") != std::string::npos);
}

}  // namespace
}  // namespace frontera::node
