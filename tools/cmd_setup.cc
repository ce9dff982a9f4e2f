#include "tools/cmd_setup.h"

#include <optional>

#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "tools/exit_codes.h"
#include "tools/genesis_builder.h"
#include "tools/remote.h"

namespace frontera::tools {

int RunKeygen(const KeygenOptions& options, const CommandEnv& env) {
  std::optional<crypto::KeyPair> key;
  if (options.seed_hex.empty()) {
    key = crypto::KeyPair::Generate();
  } else {
    auto seed = crypto::ParseSeedHex(options.seed_hex);
    if (!seed.ok()) return Usage(env, "--seed: " + seed.status().message());
    key = crypto::KeyPair::FromSeed(*seed);
  }
  Status written = crypto::WriteKeyFile(options.output, *key);
  if (!written.ok()) return FailOutput(env, "-o", written);
  env.out << crypto::DidKeyFromPublicKey(key->public_key()) << "\n";
  return kExitOk;
}

int RunGenesis(const GenesisOptions& options, const CommandEnv& env) {
  auto genesis = BuildGenesisFromFile(options.from);
  if (!genesis.ok()) {
    env.err << "frontera: genesis: " << DescribeError(genesis.status()) << "\n";
    return genesis.status().IsNotFound() ? kExitNoInput : kExitDataError;
  }
  std::string text = genesis->dump(2) + "\n";
  if (options.output.empty() || options.output == "-") {
    env.out << text;
    return kExitOk;
  }
  Status written = WriteNewFile(options.output, text, 0644, env.fs);
  if (!written.ok()) return FailOutput(env, "-o", written);
  env.err << "wrote " << options.output << "\n";
  return kExitOk;
}

int RunBenchCommand(const BenchCommandOptions& options, const CommandEnv& env) {
  if (options.bench.n == 0 || options.bench.concurrency == 0) {
    return Usage(env, "bench: -n and -c must be positive");
  }
  auto key = LoadKey(options.key);
  if (!key.ok()) return Fail(env, "--key", key.status());
  BenchOptions bench = options.bench;
  bench.ca_file = env.ca_file;
  auto result = RunBench(bench, *key);
  if (!result.ok()) return Fail(env, "bench", result.status());
  env.out << BenchResultJson(*result).dump(2) << "\n";
  if (result->errors > 0) env.err << "first error: " << result->first_error << "\n";
  return kExitOk;
}

}  // namespace frontera::tools
