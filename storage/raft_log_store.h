// RaftLogStore: the durable Raft log, hard state and snapshot point of one
// node, in a RocksDB store of its own (a KvStore in e.g. <data_dir>/raft), so
// that the log's synced writes never wait behind the ledger state's.
//
// Layout (values in the format of consensus/codec.h, each with a CRC32C):
//   Column::kLog   key EncodeUint64(index) → EncodeEntry(entry), for every
//                  index in [Snapshot().index + 1, LastIndex()] and no other.
//   Column::kMeta  "hard_state" → EncodeHardState (absent: all zero)
//                  "snapshot"   → EncodeSnapshotMeta (absent: all zero)
//
// Durability: Save, Compact and InstallSnapshot each write one synced batch
// (one fsync), so after they return the change survives power loss, and a
// crash leaves the store as it was before or after the call, never between.
// The store opens its KvStore with WalRecovery::kTolerateCorruptedTail: a
// torn last write-ahead-log record (a write that never returned) is dropped,
// damage anywhere else refuses to open, because a synced vote or entry that
// silently rolled back could let this node vote twice or lose a committed
// entry.
//
// Open checks the whole store once (see Open); a store that fails is never
// repaired in silence: the error tells the operator what to do.
//
// Thread-safety: not thread-safe (like every consensus::LogStorage); one
// thread, the Raft driver's, uses a RaftLogStore. CreateCheckpoint alone
// may be called from another thread meanwhile.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "consensus/codec.h"
#include "consensus/log_storage.h"
#include "consensus/types.h"
#include "storage/kv_store.h"

namespace frontera::storage {

class RaftLogStore final : public consensus::LogStorage {
 public:
  // Keys of Column::kMeta.
  static constexpr std::string_view kHardStateKey = "hard_state";
  static constexpr std::string_view kSnapshotKey = "snapshot";

  // Opens (creating when missing) the store in `dir` and checks it: the hard
  // state and snapshot point decode; the log holds exactly the indexes
  // Snapshot().index + 1 .. LastIndex(), each entry's checksum matches and it
  // carries its key's index; terms are > 0, never decrease (starting from
  // Snapshot().term) and are <= current_term; commit_index <= LastIndex().
  // The snapshot point's term is <= current_term. Every entry is read once. `options.wal_recovery`
  // is ignored (kTolerateCorruptedTail is used, see above). Errors:
  //   kCorruption: a check failed; the message names the directory, the index
  //     and what is wrong, and says to restore the directory from a backup or
  //     remove it so the node catches up from its peers.
  //   Anything KvStore::Open returns (kUnavailable when already open, ...).
  static Result<std::unique_ptr<RaftLogStore>> Open(const std::string& dir,
                                                    const KvOptions& options);

  RaftLogStore(const RaftLogStore&) = delete;
  RaftLogStore& operator=(const RaftLogStore&) = delete;

  // Persists a Ready's entries and hard state in one batch, synced unless
  // only commit_index changed (volatile in Raft; see the .cc): `entries`
  // replace every stored entry from entries.front().index on (Raft §5.3, a
  // leader overwrote a conflicting suffix); `hard_state`, when set, replaces
  // the stored one. Writes nothing when entries is empty and hard_state unset.
  // InvalidArgument, with nothing written, when the result would break what
  // Open checks or Raft's rules on the hard state:
  //   entries not contiguous, or entries.front().index outside
  //   [FirstIndex(), LastIndex() + 1]; a term of 0, a term below the entry
  //   before it, or above current_term (of `hard_state` when set, else the
  //   stored one); commit_index beyond the new last index;
  //   current_term or commit_index lower than the stored one; a different
  //   vote (voted_for) in the same current_term once a vote was cast.
  // kResourceExhausted when the batch exceeds the KvOptions batch limits;
  // kIOError when the write fails (nothing is known to be written).
  Status Save(const std::vector<consensus::Entry>& entries,
              const std::optional<consensus::HardState>& hard_state);

  // Drops the entries up to and including snapshot.index and records
  // `snapshot` as Snapshot() (Raft::Compact; the state machine's snapshot
  // covers them), in one synced batch. A snapshot equal to Snapshot() is a
  // no-op. InvalidArgument unless Snapshot().index <= snapshot.index <=
  // LastIndex() and snapshot.term == Term(snapshot.index).
  Status Compact(const consensus::SnapshotMeta& snapshot);

  // Replaces the whole log by an installed snapshot (Ready::snapshot): drops
  // every entry and records `snapshot` as Snapshot(), so LastIndex() ==
  // snapshot.index, and, when set, stores `hard_state` in the same synced
  // batch. Pass the Ready's hard state here: a snapshot from a leader of a
  // newer term comes with a higher current_term, and a crash between two
  // writes would leave a snapshot term above the stored current_term, which
  // Open (and Raft::Create) refuse. InvalidArgument, with nothing written,
  // when exactly one of index and term is 0, snapshot.index <
  // Snapshot().index, snapshot.term > current_term, snapshot.index <
  // commit_index (the commit would point past the log), or `hard_state`
  // breaks the rules Save checks.
  Status InstallSnapshot(const consensus::SnapshotMeta& snapshot,
                         const std::optional<consensus::HardState>& hard_state = std::nullopt);

  // consensus::LogStorage. GetHardState, Snapshot and LastIndex answer from
  // memory. Term reads at most one entry; Entries(lo, hi) reads hi - lo
  // entries in one scan. A stored entry that fails to decode or carries
  // the wrong index is kCorruption naming the index.
  consensus::HardState GetHardState() const override { return hard_state_; }
  consensus::SnapshotMeta Snapshot() const override { return snapshot_; }
  uint64_t LastIndex() const override { return last_index_; }
  Result<uint64_t> Term(uint64_t index) const override;
  Result<std::vector<consensus::Entry>> Entries(uint64_t lo, uint64_t hi) const override;

  // A RocksDB checkpoint of the store (KvStore::CreateCheckpoint) in `dir`:
  // the log and hard state as of the call. May run while another thread
  // writes the store.
  Status CreateCheckpoint(const std::string& dir) const { return store_->CreateCheckpoint(dir); }

  // The directory the store was opened from.
  const std::string& dir() const { return store_->dir(); }
  // Call counters of the underlying KvStore (e.g. synced writes).
  KvStats stats() const { return store_->stats(); }

 private:
  RaftLogStore(std::unique_ptr<KvStore> store, consensus::HardState hard_state,
               consensus::SnapshotMeta snapshot, uint64_t last_index, uint64_t last_term);

  // OK when `next` may replace the stored hard state (Raft's monotonicity
  // and one-vote-per-term rules); InvalidArgument otherwise.
  Status CheckHardStateUpdate(const consensus::HardState& next) const;

  // Reads and decodes the entry at `index`. REQUIRES: FirstIndex() <= index
  // <= LastIndex().
  Result<consensus::Entry> ReadEntry(uint64_t index) const;

  std::unique_ptr<KvStore> store_;
  consensus::HardState hard_state_;   // == the stored one; current_term and commit_index monotonic.
  consensus::SnapshotMeta snapshot_;  // == the stored one; index monotonic.
  uint64_t last_index_;  // >= snapshot_.index; entries (snapshot_.index, last_index_] are stored.
  uint64_t last_term_;   // Term(last_index_): the last entry's, or snapshot_.term when none.
};

}  // namespace frontera::storage
