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

// Default and largest file count of one snapshot (a RocksDB checkpoint of
// tens of GiB holds a few thousand files).
inline constexpr uint32_t kSnapshotFilesMaxDefault = 1 << 16;
inline constexpr uint32_t kSnapshotFilesMaxLimit = 1 << 20;

// Stages the chunks of ONE snapshot transfer at a time, from the one sender
// the driver declares current.
//
// Who may send: the driver calls Expect(leader, term) whenever its Raft core's
// leader or current term changes. Only `leader` may then send chunks (Add)
// and have its transfer taken (Complete); a chunk from any other validator
// is refused and changes nothing, so a non-leader cannot disturb, restart or
// finish the leader's transfer. Staging belongs to the (leader, term) it was
// started under: any change of either deletes it from disk (it can never
// complete: a new leader streams from its own first chunk). A snapshot whose
// term is newer than the expected leader's term cannot come from that leader
// and is refused. (A snapshot's term is the term of its last entry, so it is
// usually OLDER than the leader's term; that is normal and accepted.)
//
// Bounds, each refused with a Status before anything is written: more than
// bytes_max bytes in all (declared file sizes and received data), more than
// files_max files, file names unsafe, longer than 255 bytes or not strictly
// increasing (StreamSnapshot sends them sorted, so no name repeats), a chunk
// whose name or size differs from the file it continues. At construction the
// staging directory's leftovers (of a previous process) are deleted.
//
// Thread-safety: not thread-safe (one driver thread).
class SnapshotReceiver {
 public:
  // Chunks are staged under `staging_root` (created when needed, emptied
  // now). REQUIRES: 1 <= files_max <= kSnapshotFilesMaxLimit.
  SnapshotReceiver(std::string staging_root, uint64_t bytes_max,
                   uint32_t files_max = kSnapshotFilesMaxDefault);

  // Declares the validator whose chunks are accepted from now on: the
  // current leader (0: none known; every chunk is then refused) and the
  // current term. A change of either deletes what was staged.
  void Expect(uint64_t leader, uint64_t term);

  // Stages one chunk received from validator `from`. A first chunk (file 0,
  // offset 0) starts the transfer afresh, discarding what was staged
  // (another snapshot, or the same one resent whole); a chunk out of order
  // fails the transfer until the next first chunk. Errors, naming why:
  // kPermissionDenied (`from` is not the expected leader; nothing changes),
  // kInvalidArgument (a term newer than the expected one, nothing changes;
  // out of order, a missed start, a name not in order or inconsistent),
  // kResourceExhausted (over bytes_max or files_max), kIOError.
  Status Add(uint64_t from, const SnapshotChunk& chunk);

  // The directory holding every file of `snapshot`, complete, when `from` is
  // the expected leader and staged it under the current expectation;
  // nullopt otherwise. The caller takes the directory (moves it away) before
  // the next Add.
  std::optional<std::string> Complete(uint64_t from, const consensus::SnapshotMeta& snapshot) const;

 private:
  void Reset();
  Status Stage(const SnapshotChunk& chunk);
  bool CompleteStaged(const consensus::SnapshotMeta& snapshot) const;

  const std::string staging_root_;
  const uint64_t bytes_max_;
  const uint32_t files_max_;
  uint64_t expected_leader_ = 0;  // 0: none; set only by Expect
  uint64_t expected_term_ = 0;
  // Staging, all for the expectation in force (Expect resets it):
  std::optional<consensus::SnapshotMeta> current_;
  uint32_t file_count_ = 0;
  uint32_t files_done_ = 0;
  uint32_t file_number_ = 0;  // file being received
  uint64_t file_offset_ = 0;  // bytes of it received
  std::string file_name_;     // name of the file being received, or of the last one done
  uint64_t file_size_ = 0;    // declared size of the file being received
  uint64_t bytes_ = 0;        // total declared by the files started; >= bytes staged
  bool failed_ = false;
};

}  // namespace frontera::node
