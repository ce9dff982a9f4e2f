// Streaming a ledger snapshot (a RocksDB checkpoint directory) from the
// leader to a follower over the peer link, in chunks
// (docs/consensus.md#snapshots).
//
// The leader's Raft core asks for a snapshot with a kSnapshot message; the
// driver first sends the snapshot's files as chunks, in order, on the same
// ordered peer stream, then the kSnapshot message itself. The follower stages
// the chunks and steps kSnapshot into its core only when every file of that
// snapshot arrived whole; otherwise the message is dropped and the leader
// tries again after a timeout.
//
// Thread-safety: SnapshotReceiver is not thread-safe (one driver thread).
// StreamSnapshot is a free function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "consensus/types.h"

namespace frontera::node {

struct SnapshotChunk {
  consensus::SnapshotMeta snapshot;
  uint32_t file_number = 0;  // in [0, file_count)
  uint32_t file_count = 0;
  std::string file_name;  // a plain file name (no directories)
  uint64_t file_size = 0;
  uint64_t offset = 0;
  std::string data;
};
std::string EncodeSnapshotChunk(const SnapshotChunk& chunk);
// kInvalidArgument for malformed input or an unsafe file name.
Result<SnapshotChunk> DecodeSnapshotChunk(std::string_view bytes);

// Sends every file of the flat directory `dir` as chunks of at most
// `chunk_bytes` through `send` (false from `send` aborts with kUnavailable).
// A file with no bytes is sent as one empty chunk. kInvalidArgument when
// chunk_bytes is 0.
Status StreamSnapshot(const std::string& dir, const consensus::SnapshotMeta& snapshot,
                      size_t chunk_bytes, const std::function<bool(std::string)>& send);

class SnapshotReceiver {
 public:
  // Chunks are staged under `staging_root` (created when needed); a snapshot
  // larger than `bytes_max` is refused.
  SnapshotReceiver(std::string staging_root, uint64_t bytes_max);

  // Stages one chunk. A first chunk (file 0, offset 0) starts the transfer
  // afresh, discarding what was staged (another snapshot, or the same one
  // resent whole); a chunk out of order fails the transfer until the next
  // first chunk. kInvalidArgument / kResourceExhausted / kIOError.
  Status Add(const SnapshotChunk& chunk);

  // The directory holding every file of `snapshot`, complete; nullopt when
  // the transfer of that snapshot is not complete. The caller takes the
  // directory (moves it away) before the next Add.
  std::optional<std::string> Complete(const consensus::SnapshotMeta& snapshot) const;

 private:
  void Reset();

  const std::string staging_root_;
  const uint64_t bytes_max_;
  std::optional<consensus::SnapshotMeta> current_;
  uint32_t file_count_ = 0;
  uint32_t files_done_ = 0;
  uint32_t file_number_ = 0;  // file being received
  uint64_t file_offset_ = 0;  // bytes of it received
  uint64_t bytes_ = 0;        // total staged
  bool failed_ = false;
};

}  // namespace frontera::node
