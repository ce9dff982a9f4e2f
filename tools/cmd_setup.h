// `frontera keygen`, `frontera genesis` and `frontera bench`: setting a
// network up and measuring it (docs/cli.md#key-files, #genesis, #bench).
// Each returns its exit code (tools/exit_codes.h).
#pragma once

#include <string>

#include "tools/bench.h"
#include "tools/cli_common.h"

namespace frontera::tools {

struct KeygenOptions {
  std::string output;    // key file to create (never overwritten)
  std::string seed_hex;  // 64 hex digits (tests only); empty: a fresh key
};

// Creates the key file and prints its did:key.
int RunKeygen(const KeygenOptions& options, const CommandEnv& env);

struct GenesisOptions {
  std::string from;    // network description (TOML)
  std::string output;  // genesis file to create; empty or "-": the output stream
};

int RunGenesis(const GenesisOptions& options, const CommandEnv& env);

struct BenchCommandOptions {
  BenchOptions bench;
  std::string key;  // key file of a manufacturer
};

// Runs the benchmark (over real HTTP connections: RunBench, tools/bench.h)
// and prints its JSON summary.
int RunBenchCommand(const BenchCommandOptions& options, const CommandEnv& env);

}  // namespace frontera::tools
