// The snapshots a validator holds on disk, and which of them may be deleted.
//
// Two threads use them: the apply thread takes a snapshot every
// snapshot_interval_entries; the raft thread compacts the log to the newest
// one that carries its majority-signed state note, after which the core
// advertises it to lagging followers. A snapshot is deleted only when it is
// neither the one the core advertises, nor the one a compaction in progress
// is about to advertise, nor the newest. The catalog only decides; the caller
// removes the directories, and holds its own lock around every call.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "consensus/types.h"

namespace frontera::node {

class SnapshotCatalog {
 public:
  // At most this many are kept while a compaction lags behind the snapshots
  // being taken: the advertised one, the compaction target and the newest.
  static constexpr size_t kKept = 3;

  SnapshotCatalog() = default;
  // The snapshots found on disk at start-up, in any order, and the index of
  // the one the Raft log was compacted to (0: none), which the core
  // advertises.
  SnapshotCatalog(std::vector<consensus::SnapshotMeta> on_disk, uint64_t advertised_index);

  const std::deque<consensus::SnapshotMeta>& all() const { return snapshots_; }
  std::optional<consensus::SnapshotMeta> newest() const;

  // Records a snapshot just taken (newer than every other); returns those
  // to delete now.
  std::vector<consensus::SnapshotMeta> Add(const consensus::SnapshotMeta& meta);

  // Marks the newest snapshot at or below `at_most_index` as the target of
  // a compaction about to run, so that no Add deletes it meanwhile; returns
  // it (nullopt: nothing to compact to). The caller passes its applied index
  // less the entries it keeps behind a snapshot: after a burst of applies the
  // newest is too recent to compact to, and one before it still is.
  std::optional<consensus::SnapshotMeta> PinTarget(uint64_t at_most_index);

  // The compaction ended (or was skipped); the core advertises the snapshot
  // at `advertised_index` (0: none). Unpins, and returns the snapshots older
  // than the advertised one, which nothing will send again.
  std::vector<consensus::SnapshotMeta> Compacted(uint64_t advertised_index);

  // A leader's snapshot replaced the state and the log now starts after it:
  // it is the one the core advertises, and every other is returned (the
  // raft thread, which compacts, waits for the install meanwhile).
  std::vector<consensus::SnapshotMeta> Installed(const consensus::SnapshotMeta& meta);

 private:
  bool Protected(const consensus::SnapshotMeta& meta) const;

  std::deque<consensus::SnapshotMeta> snapshots_;  // by index, oldest first
  uint64_t advertised_index_ = 0;
  std::optional<uint64_t> pinned_index_;
};

}  // namespace frontera::node
