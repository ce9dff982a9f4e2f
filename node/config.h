// NodeConfig: everything a validator needs to start, read from a TOML file
// (docs/operations.md#configuration). Every limit is a named value with a
// validated range; errors name the key and the file.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "ledger/state_machine.h"
#include "storage/kv_store.h"

namespace frontera::node {

struct ApiConfig {
  std::string host = "127.0.0.1";
  int port = 7001;                  // [0, 65535]; 0 picks a free port
  size_t body_bytes_max = 1 << 20;  // [1 KiB, 64 MiB]
  size_t json_depth_max = 32;       // [4, 256]
  size_t threads = 128;             // [2, 4096]: writes hold a thread until committed
  int keep_alive_timeout_s = 5;     // [1, 3600]: idle connections closed after; bounds shutdown
};

struct ProposerConfig {
  size_t batch_documents_max = 2048;   // documents per block, [1, 100000]
  size_t batch_bytes_max = 16 << 20;   // canonical bytes per block, [1 KiB, 256 MiB]
  size_t queue_depth_max = 50000;      // admitted documents waiting, [1, 10,000,000]
  int64_t commit_timeout_ms = 10000;   // a write's wait for its block, [100, 600000]
  uint64_t log_retain_entries = 1000;  // applied log entries kept, [1, 100,000,000]
};

struct NodeConfig {
  std::string name;      // the validator's name in genesis (signed-note key name)
  std::string data_dir;  // RocksDB store
  std::string key_file;  // the validator's key (JSON key file, docs/cli.md#key-files)
  std::string genesis_file;
  ApiConfig api;
  ProposerConfig proposer;
  ledger::StateMachineOptions ledger;
  storage::KvOptions storage;

  Status Validate() const;
};

// Reads and validates a TOML config; relative paths are relative to the
// file's folder.
Result<NodeConfig> LoadConfigFile(const std::string& path);
Result<NodeConfig> ParseConfig(std::string_view toml_text, const std::string& source_name,
                               const std::string& base_dir);

}  // namespace frontera::node
