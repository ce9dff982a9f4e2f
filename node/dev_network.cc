#include "node/dev_network.h"

#include <filesystem>
#include <fstream>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "crypto/did_key.h"
#include "crypto/key_file.h"
#include "ledger/genesis.h"

namespace frontera::node {

namespace {

struct DevParty {
  const char* key_name;
  const char* name;
  ledger::Role role;
  const char* country;
  const char* gln;
  const char* prefix;
  const char* licence;  // its licence number for pseudoephedrine (CAS 345-78-8), or null
};

// The same cast as the examples (docs/operations.md#development-network).
constexpr DevParty kParties[] = {
    {"mx-manufacturer", "Laboratorios Ejemplo S.A. de C.V.", ledger::Role::kManufacturer, "MX",
     "7501234000017", "7501234", "COFEPRIS-PQ-2026-0117"},
    {"mx-carrier", "Transportes Frontera Norte S.A. de C.V.", ledger::Role::kCarrier, "MX",
     "7509876000013", nullptr, nullptr},
    {"us-distributor", "Example Pharma Distribution LLC", ledger::Role::kDistributor, "US",
     "0031234500004", nullptr, "DEA-CHEM-2026-RD0042"},
    {"us-cbp", "U.S. Customs and Border Protection", ledger::Role::kAgency, "US", nullptr, nullptr,
     nullptr},
    {"mx-anam", "Agencia Nacional de Aduanas de México", ledger::Role::kAgency, "MX", nullptr,
     nullptr, nullptr},
    {"ca-cbsa", "Canada Border Services Agency", ledger::Role::kAgency, "CA", nullptr, nullptr,
     nullptr},
};

// Writes keys (kept when present) and a genesis naming `validators` (key
// names of kParties, with their API and peer ports; APIs at
// `api_scheme`://127.0.0.1:port) into `root`.
Status WriteDevGenesis(const std::filesystem::path& root, const std::string& resolver,
                       const std::string& api_scheme,
                       const std::vector<std::tuple<std::string, int, int>>& validators) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(root / "keys", ec);
  if (ec) return Status::IOError("cannot create " + (root / "keys").string() + ": " + ec.message());
  ledger::Genesis genesis;
  genesis.network = "frontera.dev/local-1";
  genesis.created = FormatRfc3339(SystemClock().NowUnixMillis());
  genesis.resolver = resolver;
  for (const DevParty& p : kParties) {
    const std::string key_path = (root / "keys" / (std::string(p.key_name) + ".key")).string();
    crypto::KeyPair key = crypto::KeyPair::Generate();
    if (fs::exists(key_path)) {
      FRONTERA_ASSIGN_OR_RETURN(key, crypto::LoadKeyFile(key_path));
    } else {
      FRONTERA_RETURN_IF_ERROR(crypto::WriteKeyFile(key_path, key));
    }
    ledger::Party party;
    party.did = crypto::DidKeyFromPublicKey(key.public_key());
    party.public_key = key.public_key();
    party.name = p.name;
    party.role = p.role;
    party.country = p.country;
    if (p.gln) party.gln = p.gln;
    if (p.prefix) party.prefixes.push_back(p.prefix);
    if (p.licence) party.licences.push_back({"345-78-8", p.licence, "2026-01-01", "2035-12-31"});
    genesis.parties.push_back(party);
    for (const auto& [name, api_port, peer_port] : validators) {
      if (name != p.key_name) continue;
      ledger::Validator v;
      v.name = name;
      v.did = party.did;
      v.public_key = party.public_key;
      v.api_url = api_scheme + "://127.0.0.1:" + std::to_string(api_port);
      if (peer_port != 0) v.peer_addr = "127.0.0.1:" + std::to_string(peer_port);
      genesis.validators.push_back(v);
    }
  }
  // Round-trip through the parser: the file written is one the node accepts.
  crypto::Json genesis_json = genesis.ToJson();
  FRONTERA_RETURN_IF_ERROR(ledger::ParseGenesis(genesis_json).status());
  std::ofstream out(root / "genesis.json");
  out << genesis_json.dump(2) << "\n";
  if (!out) return Status::IOError("cannot write " + (root / "genesis.json").string());
  return Status::Ok();
}

}  // namespace

int DevOpsPort(int api_port) {
  // The local network's convention (config/*.toml): API 7001, operational
  // listener 7201. A free API port, or one too high to shift, gets a free one.
  constexpr int kOpsPortOffset = 200;
  if (api_port == 0 || api_port + kOpsPortOffset > 65535) return 0;
  return api_port + kOpsPortOffset;
}

Result<std::string> EnsureDevNetwork(const std::string& dir, int api_port) {
  namespace fs = std::filesystem;
  const fs::path root(dir);
  const fs::path config_path = root / "us-cbp.toml";
  if (fs::exists(config_path)) return config_path.string();
  // Labels point at this node's resolver route; with a port chosen at run
  // time there is no address to name yet.
  FRONTERA_RETURN_IF_ERROR(WriteDevGenesis(
      root, api_port != 0 ? "127.0.0.1:" + std::to_string(api_port) : "verify.frontera.dev", "http",
      {{"us-cbp", api_port, 0}}));
  std::ofstream config(config_path);
  config << "# Development validator (fronterad --dev). docs/operations.md#configuration\n"
         << "[node]\n"
         << "name = \"us-cbp\"\n"
         << "data_dir = \"data/us-cbp\"\n"
         << "key_file = \"keys/us-cbp.key\"\n"
         << "genesis_file = \"genesis.json\"\n\n"
         << "[api]\n"
         << "host = \"127.0.0.1\"\n"
         << "port = " << api_port << "\n"
         << "allow_plain_http = true  # loopback development only\n\n"
         << "# /v1/status and /metrics: loopback only (docs/operations.md#operational-listener)\n"
         << "[ops]\n"
         << "host = \"127.0.0.1\"\n"
         << "port = " << DevOpsPort(api_port) << "\n\n"
         << "[ledger]\n"
         << "item_filter_interval_s = 0  # a small ledger: an item filter every block\n";
  if (!config) return Status::IOError("cannot write " + config_path.string());
  return config_path.string();
}

Status EnsureLocalNetwork(const std::string& dir) {
  const std::filesystem::path root(dir);
  if (std::filesystem::exists(root / "genesis.json")) return Status::Ok();
  // run.sh serves these APIs over HTTPS with certificates of its local CA.
  return WriteDevGenesis(
      root, "127.0.0.1:7001", "https",
      {{"us-cbp", 7001, 7101}, {"mx-anam", 7002, 7102}, {"ca-cbsa", 7003, 7103}});
}

}  // namespace frontera::node
