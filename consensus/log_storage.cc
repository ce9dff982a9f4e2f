#include "consensus/log_storage.h"

#include <string>

namespace frontera::consensus {

Result<uint64_t> MemoryStorage::Term(uint64_t index) const {
  if (index < snapshot_.index) {
    return Status::FailedPrecondition("log entry " + std::to_string(index) +
                                      " was compacted into the snapshot at index " +
                                      std::to_string(snapshot_.index));
  }
  if (index == snapshot_.index) return snapshot_.term;
  if (index > LastIndex()) {
    return Status::NotFound("no log entry at index " + std::to_string(index) + " (last index " +
                            std::to_string(LastIndex()) + ")");
  }
  return entries_[index - snapshot_.index - 1].term;
}

Result<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi) const {
  if (lo < FirstIndex() || lo > hi || hi > LastIndex() + 1) {
    return Status::InvalidArgument("entry range [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + ") is outside the log [" +
                                   std::to_string(FirstIndex()) + ", " +
                                   std::to_string(LastIndex() + 1) + ")");
  }
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(lo - FirstIndex());
  return std::vector<Entry>(begin, begin + static_cast<std::ptrdiff_t>(hi - lo));
}

Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  const uint64_t first = entries.front().index;
  if (first <= snapshot_.index) {
    return Status::InvalidArgument("append at index " + std::to_string(first) +
                                   " is inside the snapshot at index " +
                                   std::to_string(snapshot_.index));
  }
  if (first > LastIndex() + 1) {
    return Status::InvalidArgument("append at index " + std::to_string(first) +
                                   " would leave a gap after last index " +
                                   std::to_string(LastIndex()));
  }
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != first + i) {
      return Status::InvalidArgument("appended entries are not contiguous at index " +
                                     std::to_string(entries[i].index));
    }
  }
  // Raft §5.3: a conflicting suffix is replaced by the leader's entries.
  entries_.resize(first - snapshot_.index - 1);
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return Status::Ok();
}

Status MemoryStorage::Compact(const SnapshotMeta& snapshot) {
  if (snapshot.index < snapshot_.index || snapshot.index > LastIndex()) {
    return Status::FailedPrecondition(
        "cannot compact the log to index " + std::to_string(snapshot.index) + ": it must be in [" +
        std::to_string(snapshot_.index) + ", " + std::to_string(LastIndex()) + "]");
  }
  Result<uint64_t> term = Term(snapshot.index);
  if (!term.ok()) return term.status();
  if (*term != snapshot.term) {
    return Status::FailedPrecondition(
        "cannot compact the log to index " + std::to_string(snapshot.index) + " with term " +
        std::to_string(snapshot.term) + ": the stored entry has term " + std::to_string(*term));
  }
  // Raft §7: entries the snapshot covers are no longer needed.
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(snapshot.index - snapshot_.index));
  snapshot_ = snapshot;
  return Status::Ok();
}

void MemoryStorage::InstallSnapshot(const SnapshotMeta& snapshot) {
  // Raft §7: a snapshot from the leader replaces the whole log.
  entries_.clear();
  snapshot_ = snapshot;
}

}  // namespace frontera::consensus
