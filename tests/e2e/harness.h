// Test harness for end-to-end tests: a temporary network whose parties are the
// example parties of tests/fixtures/examples (test-only keys), and fronterad
// processes run on it.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/client.h"
#include "crypto/data_integrity.h"
#include "crypto/ed25519.h"
#include "crypto/json.h"
#include "tests/temp_dir.h"

namespace frontera::e2e {

using crypto::Json;

// Reads a file of the examples folder as text / JSON.
std::string ReadFixture(const std::string& name);
Json FixtureJson(const std::string& name);

using TempDir = frontera::testing::TempDir;

// The example parties, by key name ("mx-manufacturer", "us-cbp", …).
struct ExampleParty {
  std::string did;
  crypto::KeyPair key;
};
const std::map<std::string, ExampleParty>& ExampleParties();

// Signs `unsigned_doc` as `party` (eddsa-jcs-2022, created given).
Json Sign(const Json& unsigned_doc, const std::string& party,
          const std::string& created = "2026-11-30T10:00:00Z");

// An unsigned CredentialRevocation of `certificate` by `issuer_party`.
Json Revocation(const std::string& id, const std::string& certificate,
                const std::string& issuer_party, const std::string& reason);

// Writes DIR/keys/<party>.key for every example party and returns the
// genesis "parties" array that registers them.
Json WriteExamplePartyKeys(const std::string& dir);

// A network directory: keys/, genesis.json (origin
// frontera.example/north-america-1, validator us-cbp, the six example
// parties) and node.toml (API on a free port).
class TestNetwork {
 public:
  explicit TestNetwork(const std::string& extra_config = "");
  const std::string& dir() const { return dir_.path(); }
  std::string config_path() const { return dir_.path() + "/node.toml"; }
  std::string genesis_path() const { return dir_.path() + "/genesis.json"; }

 private:
  TempDir dir_;
};

// A running fronterad. Destroying it kills the process.
class NodeProcess {
 public:
  // Starts fronterad with `config_path`; waits until it listens.
  explicit NodeProcess(const std::string& config_path, const std::string& port_file);
  // Starts fronterad with `args` (after the binary) plus --port-file and
  // --ops-port-file (`port_file` + ".ops").
  NodeProcess(const std::vector<std::string>& args, const std::string& port_file);
  ~NodeProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::unique_ptr<api::Client> Client() const;
  // The operational listener ([ops]): GET /v1/status and /metrics.
  int ops_port() const { return ops_port_; }
  std::string ops_url() const { return "http://127.0.0.1:" + std::to_string(ops_port_); }
  std::unique_ptr<api::Client> OpsClient(int read_timeout_ms = 15000) const;
  // SIGKILL and reap.
  void Kill();
  // SIGTERM and wait for a clean exit; returns the exit status.
  int Terminate();

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int ops_port_ = 0;
};

// Path of a built binary ("node/fronterad", "tools/frontera").
std::string BinaryPath(const std::string& relative);

// Runs a command, capturing stdout and stderr; returns the exit code.
int RunCommand(const std::vector<std::string>& argv, std::string* output,
               const std::map<std::string, std::string>& env = {});

// Runs the `frontera` CLI with FRONTERA_NODE, FRONTERA_GENESIS and
// FRONTERA_TRUST set, without colour; `stdin_text`, when given, is its
// standard input (a handheld scanner's lines).
struct Cli {
  std::string node;
  std::string genesis;
  std::string trust;
  int Run(std::vector<std::string> args, std::string* out,
          const std::string& stdin_text = "") const;
};

}  // namespace frontera::e2e
