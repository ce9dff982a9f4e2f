// Fuzzes the configuration readers: node::ParseConfig (node/config.h, the
// validator's TOML), tools::BuildGenesisJson (tools/genesis_builder.h, the
// genesis description `frontera genesis` reads) and ledger::ParseGenesis on
// the JSON text (ledger/genesis.h, the genesis file every node and
// inspector loads). Input: the file's text, given to all three. Properties:
// no input crashes, leaks or runs long; an accepted node config validates,
// its paths are absolute, and whether it is accepted does not depend on the
// folder it is in; a genesis built from TOML parses, and every parsed
// genesis is the SHA-256 of its canonical form (RFC 8785) and writes back
// (Genesis::ToJson) to a document that parses to the same genesis.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/check.h"
#include "crypto/jcs.h"
#include "crypto/json.h"
#include "crypto/sha256.h"
#include "ledger/genesis.h"
#include "node/config.h"
#include "tools/genesis_builder.h"

namespace frontera {
namespace {

void CheckNodeConfig(std::string_view input) {
  Result<node::NodeConfig> config = node::ParseConfig(input, "fuzz.toml", "/fuzz-a");
  Result<node::NodeConfig> elsewhere = node::ParseConfig(input, "fuzz.toml", "/fuzz-b/c");
  FRONTERA_CHECK(config.ok() == elsewhere.ok())
      << "a config's acceptance depends on its folder: "
      << (config.ok() ? elsewhere.status() : config.status()).ToString();
  if (!config.ok()) return;
  FRONTERA_CHECK(config->Validate().ok()) << config->Validate().ToString();
  for (const std::string* path : {&config->data_dir, &config->key_file, &config->genesis_file}) {
    FRONTERA_CHECK(path->empty() || path->front() == '/') << "relative path " << *path;
  }
}

// ParseGenesis's guarantees for one genesis document.
void CheckGenesis(const crypto::Json& document, const ledger::Genesis& genesis) {
  Result<std::string> canonical = crypto::Canonicalize(document);
  FRONTERA_CHECK(canonical.ok()) << canonical.status().ToString();
  FRONTERA_CHECK(genesis.hash == crypto::Sha256(*canonical)) << "genesis hash is not SHA-256(JCS)";
  FRONTERA_CHECK(!genesis.validators.empty() && genesis.Quorum() <= genesis.validators.size());
  const crypto::Json written = genesis.ToJson();
  Result<ledger::Genesis> again = ledger::ParseGenesis(written);
  FRONTERA_CHECK(again.ok()) << "a parsed genesis writes an invalid one: "
                             << again.status().ToString();
  FRONTERA_CHECK(again->ToJson() == written) << "Genesis::ToJson is not a fixed point";
  FRONTERA_CHECK(again->network == genesis.network && again->resolver == genesis.resolver &&
                 again->validators.size() == genesis.validators.size() &&
                 again->parties.size() == genesis.parties.size());
}

void CheckGenesisToml(std::string_view input) {
  // Key paths resolve against a folder that does not exist, so only
  // absolute ones could name a file.
  Result<crypto::Json> built =
      tools::BuildGenesisJson(input, "/nonexistent-frontera-fuzz/genesis.toml");
  if (!built.ok()) return;
  Result<ledger::Genesis> genesis = ledger::ParseGenesis(*built);
  FRONTERA_CHECK(genesis.ok()) << "a built genesis does not parse: " << genesis.status().ToString();
  CheckGenesis(*built, *genesis);
}

void CheckGenesisJson(std::string_view input) {
  Result<crypto::Json> document = crypto::ParseJson(input);
  if (!document.ok()) return;
  Result<ledger::Genesis> genesis = ledger::ParseGenesis(*document);
  if (!genesis.ok()) return;
  CheckGenesis(*document, *genesis);
}

void FuzzOne(std::string_view input) {
  CheckNodeConfig(input);
  CheckGenesisToml(input);
  CheckGenesisJson(input);
}

}  // namespace
}  // namespace frontera

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  frontera::crypto::InitCrypto();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  frontera::FuzzOne(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
