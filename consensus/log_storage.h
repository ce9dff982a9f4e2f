// LogStorage: the durable Raft log and hard state as the core reads them when
// it starts. MemoryStorage is an in-memory implementation for tests and the
// simulator; storage/ provides the RocksDB one.
//
// Thread-safety: LogStorage implementations need not be thread-safe; the core
// and its driver use one from a single thread. MemoryStorage is not
// thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "consensus/types.h"

namespace frontera::consensus {

class LogStorage {
 public:
  virtual ~LogStorage() = default;

  // The last durable hard state (all zero for a new node).
  virtual HardState GetHardState() const = 0;
  // The snapshot the log starts after: entries up to Snapshot().index were
  // compacted away (all zero when nothing was).
  virtual SnapshotMeta Snapshot() const = 0;
  // Index of the first stored entry: Snapshot().index + 1.
  uint64_t FirstIndex() const { return Snapshot().index + 1; }
  // Index of the last entry; Snapshot().index when no entry follows it.
  virtual uint64_t LastIndex() const = 0;
  // Term of the entry at `index`: Snapshot().term for Snapshot().index (0 for
  // index 0). FailedPrecondition when index < Snapshot().index (compacted);
  // NotFound when index > LastIndex().
  virtual Result<uint64_t> Term(uint64_t index) const = 0;
  // Entries [lo, hi). InvalidArgument unless FirstIndex() <= lo <= hi <=
  // LastIndex() + 1.
  virtual Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi) const = 0;
};

class MemoryStorage final : public LogStorage {
 public:
  HardState GetHardState() const override { return hard_state_; }
  SnapshotMeta Snapshot() const override { return snapshot_; }
  uint64_t LastIndex() const override { return snapshot_.index + entries_.size(); }
  Result<uint64_t> Term(uint64_t index) const override;
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi) const override;

  void SetHardState(const HardState& hard_state) { hard_state_ = hard_state; }
  // Writes `entries` (contiguous indexes), first dropping every stored entry at
  // or after entries.front().index (a leader overwrote a conflicting suffix).
  // InvalidArgument when the entries would leave a gap, are not contiguous or
  // start at or before Snapshot().index.
  Status Append(const std::vector<Entry>& entries);
  // Drops entries up to and including `snapshot.index` (which must be in
  // [Snapshot().index, LastIndex()] with the stored term). Raft::Compact.
  Status Compact(const SnapshotMeta& snapshot);
  // Replaces the whole log by an installed snapshot (Ready::snapshot): no
  // entries remain; the log continues after snapshot.index.
  void InstallSnapshot(const SnapshotMeta& snapshot);

 private:
  HardState hard_state_;
  SnapshotMeta snapshot_;
  std::vector<Entry> entries_;  // entries_[i].index == snapshot_.index + i + 1.
};

}  // namespace frontera::consensus
