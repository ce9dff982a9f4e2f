#include "node/snapshot_catalog.h"

#include <algorithm>

#include "common/check.h"

namespace frontera::node {

using consensus::SnapshotMeta;

SnapshotCatalog::SnapshotCatalog(std::vector<SnapshotMeta> on_disk, uint64_t advertised_index)
    : advertised_index_(advertised_index) {
  std::sort(on_disk.begin(), on_disk.end(),
            [](const SnapshotMeta& a, const SnapshotMeta& b) { return a.index < b.index; });
  snapshots_.assign(on_disk.begin(), on_disk.end());
}

std::optional<SnapshotMeta> SnapshotCatalog::newest() const {
  if (snapshots_.empty()) return std::nullopt;
  return snapshots_.back();
}

bool SnapshotCatalog::Protected(const SnapshotMeta& meta) const {
  return meta.index == advertised_index_ || meta.index == pinned_index_ ||
         meta.index == snapshots_.back().index;
}

std::vector<SnapshotMeta> SnapshotCatalog::Add(const SnapshotMeta& meta) {
  FRONTERA_CHECK(snapshots_.empty() || meta.index > snapshots_.back().index)
      << "snapshot " << meta.index << " is not newer than " << snapshots_.back().index;
  snapshots_.push_back(meta);
  std::vector<SnapshotMeta> removed;
  // Oldest first among those nothing needs; at most kKept are protected.
  for (auto it = snapshots_.begin(); snapshots_.size() > kKept && it != snapshots_.end();) {
    if (Protected(*it)) {
      ++it;
    } else {
      removed.push_back(*it);
      it = snapshots_.erase(it);
    }
  }
  return removed;
}

std::optional<SnapshotMeta> SnapshotCatalog::PinTarget(uint64_t at_most_index) {
  for (auto it = snapshots_.rbegin(); it != snapshots_.rend(); ++it) {
    if (it->index <= at_most_index) {
      pinned_index_ = it->index;
      return *it;
    }
  }
  return std::nullopt;
}

std::vector<SnapshotMeta> SnapshotCatalog::Compacted(uint64_t advertised_index) {
  pinned_index_.reset();
  advertised_index_ = advertised_index;
  std::vector<SnapshotMeta> removed;
  while (snapshots_.size() > 1 && snapshots_.front().index < advertised_index) {
    removed.push_back(snapshots_.front());
    snapshots_.pop_front();
  }
  return removed;
}

std::vector<SnapshotMeta> SnapshotCatalog::Installed(const SnapshotMeta& meta) {
  std::vector<SnapshotMeta> removed;
  for (const SnapshotMeta& s : snapshots_) {
    if (s.index != meta.index) removed.push_back(s);
  }
  snapshots_.assign(1, meta);
  advertised_index_ = meta.index;
  pinned_index_.reset();
  return removed;
}

}  // namespace frontera::node
