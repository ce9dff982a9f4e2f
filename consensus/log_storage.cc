#include "consensus/log_storage.h"

#include <string>

namespace frontera::consensus {

Result<uint64_t> MemoryStorage::Term(uint64_t index) const {
  if (index == 0) return uint64_t{0};
  if (index > entries_.size()) {
    return Status::NotFound("no log entry at index " + std::to_string(index));
  }
  return entries_[index - 1].term;
}

Result<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi) const {
  if (lo < 1 || lo > hi || hi > entries_.size() + 1) {
    return Status::InvalidArgument("entry range [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + ") is outside the log [1, " +
                                   std::to_string(entries_.size() + 1) + ")");
  }
  return std::vector<Entry>(entries_.begin() + static_cast<std::ptrdiff_t>(lo - 1),
                            entries_.begin() + static_cast<std::ptrdiff_t>(hi - 1));
}

Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  const uint64_t first = entries.front().index;
  if (first < 1 || first > entries_.size() + 1) {
    return Status::InvalidArgument("append at index " + std::to_string(first) +
                                   " would leave a gap after last index " +
                                   std::to_string(entries_.size()));
  }
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != first + i) {
      return Status::InvalidArgument("appended entries are not contiguous at index " +
                                     std::to_string(entries[i].index));
    }
  }
  // Raft §5.3: a conflicting suffix is replaced by the leader's entries.
  entries_.resize(first - 1);
  entries_.insert(entries_.end(), entries.begin(), entries.end());
  return Status::Ok();
}

}  // namespace frontera::consensus
