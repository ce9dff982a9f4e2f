// NodeConfig: everything a validator needs to start, read from a TOML file
// (docs/operations.md#configuration). Every limit is a named value with a
// validated range; errors name the key and the file.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "common/result.h"
#include "ledger/state_machine.h"
#include "node/audit_trail.h"
#include "node/witness_submitter.h"
#include "storage/kv_store.h"

namespace frontera::node {

struct ApiConfig {
  std::string host = "127.0.0.1";
  int port = 7001;                  // [0, 65535]; 0 picks a free port
  size_t body_bytes_max = 1 << 20;  // [1 KiB, 64 MiB]
  size_t json_depth_max = 32;       // [4, 256]
  size_t threads = 128;             // [2, 4096]: writes hold a thread until committed
  int keep_alive_timeout_s = 5;     // [1, 3600]: idle connections closed after; bounds shutdown
  // Abuse limits (docs/operations.md#configuration, api/server.h).
  int request_timeout_s = 10;                // [1, 3600]: one whole request, headers and body
  size_t header_bytes_max = 16 * 1024;       // [1 KiB, 1 MiB]: request line and headers; 431
  size_t connections_max = 4096;             // [1, 1000000]: open connections in total
  size_t connections_per_address_max = 256;  // [1, connections_max]: from one remote address
  size_t requests_pending_max = 1024;        // [1, 1000000]: waiting for or holding a worker; 503
  int rate_per_address_per_s = 500;          // [1, 1000000]: requests/s from one address; 429
  int rate_burst_per_address = 1000;         // [1, 1000000]: requests at once from one address
  size_t rate_addresses_max = 100000;        // [1, 10000000]: addresses whose rate is tracked
  int rate_per_key_per_s = 200;              // [1, 1000000]: requests/s signed by one key; 429
  int rate_burst_per_key = 400;              // [1, 1000000]: signed requests at once by one key
  // HTTPS (PEM files, paths relative to the config file). Both or neither;
  // neither is refused unless allow_plain_http is true AND host is a
  // loopback address (development only).
  std::string tls_cert_file;
  std::string tls_key_file;
  bool allow_plain_http = false;
  // Request signatures (docs/api.md §9).
  int64_t signature_window_s = 300;              // created within this of the clock, [10, 3600]
  size_t signature_replay_entries_max = 100000;  // nonces remembered, [1000, 10^7]
  size_t signature_field_bytes_max = 4096;       // a signature field's size, [256, 65536]
};

// The API is served over HTTPS (tls_cert_file and tls_key_file), or over
// plain HTTP only when allow_plain_http is set and host is a loopback
// address; otherwise kInvalidArgument saying what to set. fronterad refuses
// to start without it (docs/operations.md#https).
Status CheckApiTransport(const ApiConfig& api);

// 127.0.0.0/8, ::1 (bracketed or not) or "localhost": reachable from this
// machine only.
bool IsLoopbackHost(const std::string& host);

// The operational listener (docs/operations.md#operational-listener): the
// only place the detailed GET /v1/status and GET /metrics are served, beside
// GET /healthz. On a loopback host it serves plain HTTP; on any other host
// it serves HTTPS with [api]'s certificate and key, and is refused without
// them (NodeConfig::Validate).
struct OpsConfig {
  std::string host = "127.0.0.1";  // non-empty; loopback unless TLS is configured in [api]
  int port = 0;                    // [0, 65535], not api.port; 0 picks a free port
  size_t threads = 2;              // [1, 64]: status and metrics requests answered at once
  size_t connections_max = 64;     // [1, 4096]: open connections, in total and per address
  // [0, 2^60]: free bytes on the data directory's filesystem below which the
  // FronteraDiskFilling alert fires (docs/alerts.yml); exported as the gauge
  // frontera_data_dir_free_alert_bytes, so the rule needs no per-node copy.
  int64_t disk_free_alert_bytes = int64_t{10} << 30;
};

struct ProposerConfig {
  size_t batch_documents_max = 2048;  // documents per block, [1, 100000]
  size_t batch_bytes_max = 4 << 20;   // canonical bytes per block, [1 KiB, 256 MiB]
  size_t queue_depth_max = 50000;     // admitted documents waiting, [1, 10,000,000]
  int64_t commit_timeout_ms = 10000;  // a write's wait for its block, [100, 600000]
  uint64_t log_retain_entries =
      1000;  // log entries kept behind a snapshot, [1, 1e8], < snapshot_interval_entries
  size_t inflight_blocks_max = 4;      // proposed blocks not yet committed, [1, 1024]
  size_t forward_documents_max = 512;  // documents per forward to the leader, [1, 100000]
};

// The Raft replication between validators (docs/consensus.md,
// docs/operations.md#configuration).
struct RaftNodeConfig {
  // host:port the peer link listens on; empty: this validator's peer_addr in
  // genesis. Port 0 picks a free port (tests).
  std::string listen;
  // [peers] name = "host:port": where to dial a validator instead of its
  // genesis peer_addr (a proxy, a NAT address).
  std::map<std::string, std::string> peer_addresses;
  int tick_ms = 100;                           // one Raft tick, [1, 10000]
  uint32_t election_ticks = 10;                // [2, 1000], >= 2 * heartbeat_ticks
  uint32_t heartbeat_ticks = 1;                // [1, 500]
  uint32_t max_inflight_appends = 16;          // unacknowledged appends per follower, [1, 1024]
  uint32_t max_entries_per_append = 8;         // blocks per append, [1, 65536]
  uint32_t max_uncommitted_entries = 1024;     // blocks waiting to commit, [1, 1048576]
  uint64_t snapshot_interval_entries = 10000;  // applied blocks between snapshots, [16, 1e9]
  size_t frame_bytes_max = 64 << 20;           // one peer frame, [1 MiB, 1 GiB]
  size_t send_queue_frames_max = 4096;         // per peer, [16, 1,000,000]
  size_t snapshot_chunk_bytes = 1 << 20;       // [4 KiB, 16 MiB], < frame_bytes_max
  int64_t snapshot_timeout_ms = 60000;         // a snapshot transfer's time, [1000, 3600000]
  int64_t read_timeout_ms = 5000;              // a linearizable read's wait, [10, 600000]
  // Peer frames waiting for the raft thread, in bytes; beyond it new frames
  // are dropped (Raft retransmits). [1 MiB, 16 GiB], >= frame_bytes_max.
  size_t inbox_bytes_max = 256u << 20;
  // A follower refuses to acknowledge a block whose time is further than
  // this ahead of its own clock (docs/security.md). [1000, 86400000].
  int64_t block_time_skew_max_ms = 60000;
  // A peer's term may be at most this far above ours; beyond it the message
  // is refused (a hostile term near 2^64 would end elections). [1, 2^40].
  uint64_t term_step_max = 1000000;
  // Co-signatures are kept for at most this many heights above the block
  // this node applied, per peer. [1, 100000].
  uint64_t cosign_window_heights = 256;
  // A follower stops following (and voting for) a leader that committed
  // nothing for this long; an idle leader commits a no-op every quarter of
  // it (docs/security.md). [1000, 600000], above two election timeouts.
  int64_t leader_stall_ms = 10000;
};

// The certified-item filter of trust bundles (docs/formats.md §16,
// node/item_filter_cosigner.h).
struct ItemFilterConfig {
  // The filter is built for the tree size of the first block of each
  // interval of this many seconds of block time (a rule of the ledger, so
  // that every validator builds and signs the same filters), in a background
  // thread: at most one build (seconds for 10 million items) per interval.
  // Every validator of a network must use the same value. 0: every block,
  // for a small network (the local one of ./run.sh), so a bundle synced
  // right after a certificate carries it. [0, 86400]; TOML key
  // ledger.item_filter_interval_s. The last blocks of a burst wait for the
  // next block in a later interval: a quiet network's newest items are not
  // in a filter until then (docs/formats.md §16).
  int interval_s = 60;
};

// [backup]: backups taken while the node runs (POST /v1/backup on the
// operational listener; docs/operations.md#backups).
struct BackupConfig {
  // Where backups are written, one directory each; empty: <data_dir>/backups.
  // On the data directory's file system, a backup's table files are hard
  // links (no copy, no extra space until the stores move on).
  std::string dir;
  // Backups kept: taking one more removes the oldest. [1, 1000].
  int keep_max = 3;
};

struct LogConfig {
  std::string level = "info";  // "debug", "info", "warning" or "error" (node/log.h)
};

struct NodeConfig {
  std::string name;      // the validator's name in genesis (signed-note key name)
  std::string data_dir;  // RocksDB store
  std::string key_file;  // the validator's key (JSON key file, docs/cli.md#key-files)
  std::string genesis_file;
  ApiConfig api;
  OpsConfig ops;
  ProposerConfig proposer;
  RaftNodeConfig raft;
  ledger::StateMachineOptions ledger;
  AuditOptions audit;  // [audit]: the trail of full-view reads (docs/api.md#audit-trail)
  storage::KvOptions storage;
  ItemFilterConfig item_filter;
  BackupConfig backup;
  LogConfig log;
  WitnessConfig witness;  // [witness]: submitting checkpoints to the genesis's witnesses

  Status Validate() const;
};

// Longest config file read: a config is a few KiB; anything near this is not
// one (and a device or FIFO is refused before it is read).
inline constexpr size_t kConfigFileBytesMax = 1 << 20;

// Reads and validates a TOML config of at most kConfigFileBytesMax bytes;
// relative paths are relative to the file's folder.
Result<NodeConfig> LoadConfigFile(const std::string& path);
Result<NodeConfig> ParseConfig(std::string_view toml_text, const std::string& source_name,
                               const std::string& base_dir);

}  // namespace frontera::node
