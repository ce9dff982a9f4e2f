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
  // Index of the last entry; 0 when the log is empty.
  virtual uint64_t LastIndex() const = 0;
  // Term of the entry at `index`; 0 for index 0. NotFound when index > LastIndex().
  virtual Result<uint64_t> Term(uint64_t index) const = 0;
  // Entries [lo, hi). InvalidArgument unless 1 <= lo <= hi <= LastIndex() + 1.
  virtual Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi) const = 0;
};

class MemoryStorage final : public LogStorage {
 public:
  HardState GetHardState() const override { return hard_state_; }
  uint64_t LastIndex() const override { return entries_.size(); }
  Result<uint64_t> Term(uint64_t index) const override;
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi) const override;

  void SetHardState(const HardState& hard_state) { hard_state_ = hard_state; }
  // Writes `entries` (contiguous indexes), first dropping every stored entry at
  // or after entries.front().index (a leader overwrote a conflicting suffix).
  // InvalidArgument when the entries would leave a gap or are not contiguous.
  Status Append(const std::vector<Entry>& entries);

 private:
  HardState hard_state_;
  std::vector<Entry> entries_;  // entries_[i].index == i + 1.
};

}  // namespace frontera::consensus
