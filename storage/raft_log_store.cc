#include "storage/raft_log_store.h"

#include <limits>
#include <string>
#include <string_view>
#include <utility>

#include "storage/keys.h"

namespace frontera::storage {
namespace {

using consensus::Entry;
using consensus::HardState;
using consensus::SnapshotMeta;

// Stored values were bounded by the batch limits when written and are already
// in memory when decoded; the codec's message-size bound does not apply.
const consensus::DecodeLimits kStoredValueLimits{1, std::numeric_limits<size_t>::max()};

// The largest index a store accepts: LastIndex() + 1 must still be a key.
constexpr uint64_t kMaxIndex = std::numeric_limits<uint64_t>::max() - 1;

constexpr std::string_view kOperatorAdvice =
    "; restore the data directory from a backup or remove it so the node catches up from its "
    "peers";

// Damage is never repaired here: truncating a log or forgetting a vote could
// break Raft's safety (a node that voted, or acknowledged an entry, must not
// act as if it had not). The operator decides.
Status DamagedAt(const std::string& dir, uint64_t index, std::string_view what) {
  return Status::Corruption("the raft log in " + dir + " is damaged at index " +
                            std::to_string(index) + ": " + std::string(what) +
                            std::string(kOperatorAdvice));
}

Status Damaged(const std::string& dir, std::string_view what) {
  return Status::Corruption("the raft log in " + dir + " is damaged: " + std::string(what) +
                            std::string(kOperatorAdvice));
}

std::string Describe(const SnapshotMeta& s) {
  return "{index " + std::to_string(s.index) + ", term " + std::to_string(s.term) + "}";
}

// A snapshot point is {0, 0} (none) or has both an index and a term: every
// entry has a term >= 1.
bool WellFormed(const SnapshotMeta& s) { return (s.index == 0) == (s.term == 0); }

}  // namespace

RaftLogStore::RaftLogStore(std::unique_ptr<KvStore> store, HardState hard_state,
                           SnapshotMeta snapshot, uint64_t last_index, uint64_t last_term)
    : store_(std::move(store)),
      hard_state_(hard_state),
      snapshot_(snapshot),
      last_index_(last_index),
      last_term_(last_term) {}

Result<std::unique_ptr<RaftLogStore>> RaftLogStore::Open(const std::string& dir,
                                                         const KvOptions& options) {
  KvOptions kv_options = options;
  kv_options.wal_recovery = WalRecovery::kTolerateCorruptedTail;
  FRONTERA_ASSIGN_OR_RETURN(std::unique_ptr<KvStore> store, KvStore::Open(dir, kv_options));

  HardState hard_state;
  FRONTERA_ASSIGN_OR_RETURN(auto hs_bytes, store->Get(Column::kMeta, kHardStateKey));
  if (hs_bytes.has_value()) {
    auto decoded = consensus::DecodeHardState(*hs_bytes);
    if (!decoded.ok()) {
      return Damaged(dir, "its hard state does not decode (" + decoded.status().message() + ")");
    }
    hard_state = *decoded;
  }
  SnapshotMeta snapshot;
  FRONTERA_ASSIGN_OR_RETURN(auto snapshot_bytes, store->Get(Column::kMeta, kSnapshotKey));
  if (snapshot_bytes.has_value()) {
    auto decoded = consensus::DecodeSnapshotMeta(*snapshot_bytes);
    if (!decoded.ok()) {
      return Damaged(dir,
                     "its snapshot point does not decode (" + decoded.status().message() + ")");
    }
    snapshot = *decoded;
    if (!WellFormed(snapshot) || snapshot.index > kMaxIndex) {
      return Damaged(dir, "its snapshot point " + Describe(snapshot) + " is impossible");
    }
    if (snapshot.term > hard_state.current_term) {
      return Damaged(dir, "its snapshot point " + Describe(snapshot) +
                              " has a term above the hard state's current_term " +
                              std::to_string(hard_state.current_term));
    }
  }

  // One pass over the whole log. Each check is an invariant Save, Compact and
  // InstallSnapshot keep (see the header); a violation means the disk or
  // something outside this class changed the data.
  uint64_t expected = snapshot.index + 1;
  uint64_t prev_term = snapshot.term;
  Status damage;
  Status scan = store->Scan(
      Column::kLog, "", "", KvStore::kNoLimit, [&](std::string_view key, std::string_view value) {
        auto index = DecodeUint64(key);
        if (!index.ok()) {
          damage = DamagedAt(
              dir, expected,
              "a log key of " + std::to_string(key.size()) + " bytes is not an 8-byte index");
          return false;
        }
        if (*index > kMaxIndex) {
          damage = DamagedAt(dir, *index, "the index is beyond the largest supported index");
          return false;
        }
        if (*index <= snapshot.index) {
          damage = DamagedAt(dir, *index,
                             "the entry is still stored although the snapshot " +
                                 Describe(snapshot) + " covers it");
          return false;
        }
        if (*index != expected) {
          damage = DamagedAt(
              dir, expected,
              "the entry is missing (the next stored entry is " + std::to_string(*index) + ")");
          return false;
        }
        auto entry = consensus::DecodeEntry(value, kStoredValueLimits);
        if (!entry.ok()) {
          damage = DamagedAt(dir, expected, entry.status().message());
          return false;
        }
        if (entry->index != expected) {
          damage = DamagedAt(dir, expected,
                             "the entry stored there says index " + std::to_string(entry->index));
          return false;
        }
        if (entry->term == 0) {
          damage = DamagedAt(dir, expected, "the entry has term 0");
          return false;
        }
        // Raft §5.3 Log Matching: terms never decrease along a log.
        if (entry->term < prev_term) {
          damage =
              DamagedAt(dir, expected,
                        "its term " + std::to_string(entry->term) + " is lower than the term " +
                            std::to_string(prev_term) + " before it");
          return false;
        }
        // An entry reaches this log only in a batch whose hard state already
        // has a current_term at least the entry's term (Raft §5.1).
        if (entry->term > hard_state.current_term) {
          damage = DamagedAt(dir, expected,
                             "its term " + std::to_string(entry->term) +
                                 " is above the hard state's current_term " +
                                 std::to_string(hard_state.current_term));
          return false;
        }
        prev_term = entry->term;
        ++expected;
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scan);
  FRONTERA_RETURN_IF_ERROR(damage);

  const uint64_t last_index = expected - 1;
  if (hard_state.commit_index > last_index) {
    return DamagedAt(dir, last_index + 1,
                     "the hard state's commit_index " + std::to_string(hard_state.commit_index) +
                         " is beyond the last stored entry " + std::to_string(last_index));
  }
  return std::unique_ptr<RaftLogStore>(
      new RaftLogStore(std::move(store), hard_state, snapshot, last_index, prev_term));
}

Status RaftLogStore::Save(const std::vector<Entry>& entries,
                          const std::optional<HardState>& hard_state) {
  if (entries.empty() && !hard_state.has_value()) return Status::Ok();
  const HardState next = hard_state.value_or(hard_state_);
  FRONTERA_RETURN_IF_ERROR(CheckHardStateUpdate(next));

  WriteBatch batch;
  uint64_t new_last_index = last_index_;
  uint64_t new_last_term = last_term_;
  if (!entries.empty()) {
    const uint64_t first = entries.front().index;
    if (first < FirstIndex() || first > last_index_ + 1) {
      return Status::InvalidArgument("entries starting at index " + std::to_string(first) +
                                     " do not attach to the log [" + std::to_string(FirstIndex()) +
                                     ", " + std::to_string(last_index_) + "]");
    }
    if (entries.size() - 1 > kMaxIndex - first) {
      return Status::InvalidArgument("entries would pass the largest supported index " +
                                     std::to_string(kMaxIndex));
    }
    // FirstIndex() - 1 <= first - 1 <= LastIndex(): the term is known (at
    // most one read, and only when a suffix is being replaced).
    FRONTERA_ASSIGN_OR_RETURN(uint64_t prev_term, Term(first - 1));
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      if (e.index != first + i) {
        return Status::InvalidArgument("entries are not contiguous: expected index " +
                                       std::to_string(first + i) + ", got " +
                                       std::to_string(e.index));
      }
      if (e.term == 0 || e.term < prev_term || e.term > next.current_term) {
        return Status::InvalidArgument(
            "entry " + std::to_string(e.index) + " has term " + std::to_string(e.term) +
            "; terms must be >= 1, >= the term " + std::to_string(prev_term) +
            " before it and <= current_term " + std::to_string(next.current_term));
      }
      prev_term = e.term;
      batch.Put(Column::kLog, EncodeUint64(e.index), consensus::EncodeEntry(e));
    }
    new_last_index = first + (entries.size() - 1);
    new_last_term = entries.back().term;
    // Raft §5.3: the new entries replace the conflicting suffix, including
    // any stored entry beyond the last new one. One range tombstone instead
    // of a delete per index.
    if (last_index_ > new_last_index) {
      batch.DeleteRange(Column::kLog, EncodeUint64(new_last_index + 1),
                        EncodeUint64(last_index_ + 1));
    }
  }
  // A committed entry is never removed (Raft §5.4, Leader Completeness).
  if (next.commit_index > new_last_index) {
    return Status::InvalidArgument("commit_index " + std::to_string(next.commit_index) +
                                   " would be beyond the last entry " +
                                   std::to_string(new_last_index));
  }
  if (hard_state.has_value()) {
    batch.Put(Column::kMeta, kHardStateKey, consensus::EncodeHardState(next));
  }
  // docs/consensus.md "Threads and the order of persistence": entries and
  // hard state are durable before any message that depends on them is sent,
  // so this write is synced. A change of
  // commit_index alone is not: commit_index is volatile state in Raft
  // (§5, Figure 2) that a restarted node learns again from the leader, and no
  // message depends on it being durable. It is the most frequent change (one
  // per committed block), so this saves an fsync per block.
  const bool sync = !entries.empty() || next.current_term != hard_state_.current_term ||
                    next.voted_for != hard_state_.voted_for;
  FRONTERA_RETURN_IF_ERROR(store_->Write(batch, sync));
  hard_state_ = next;
  last_index_ = new_last_index;
  last_term_ = new_last_term;
  return Status::Ok();
}

Status RaftLogStore::CheckHardStateUpdate(const HardState& next) const {
  // Raft §5.1: current_term only grows. Figure 2: commitIndex only grows.
  if (next.current_term < hard_state_.current_term) {
    return Status::InvalidArgument("hard state current_term " + std::to_string(next.current_term) +
                                   " is below the stored " +
                                   std::to_string(hard_state_.current_term));
  }
  if (next.commit_index < hard_state_.commit_index) {
    return Status::InvalidArgument("hard state commit_index " + std::to_string(next.commit_index) +
                                   " is below the stored " +
                                   std::to_string(hard_state_.commit_index));
  }
  // Raft §5.2: at most one vote per term.
  if (next.current_term == hard_state_.current_term && hard_state_.voted_for != 0 &&
      next.voted_for != hard_state_.voted_for) {
    return Status::InvalidArgument(
        "hard state changes the vote of term " + std::to_string(next.current_term) + " from " +
        std::to_string(hard_state_.voted_for) + " to " + std::to_string(next.voted_for));
  }
  return Status::Ok();
}

Status RaftLogStore::Compact(const SnapshotMeta& snapshot) {
  if (snapshot == snapshot_) return Status::Ok();
  if (snapshot.index < snapshot_.index || snapshot.index > last_index_) {
    return Status::InvalidArgument("cannot compact to " + Describe(snapshot) +
                                   ": the index must be in [" + std::to_string(snapshot_.index) +
                                   ", " + std::to_string(last_index_) + "]");
  }
  FRONTERA_ASSIGN_OR_RETURN(uint64_t term, Term(snapshot.index));
  if (term != snapshot.term) {
    return Status::InvalidArgument("cannot compact to " + Describe(snapshot) +
                                   ": the stored entry has term " + std::to_string(term));
  }
  WriteBatch batch;
  batch.DeleteRange(Column::kLog, EncodeUint64(snapshot_.index + 1),
                    EncodeUint64(snapshot.index + 1));
  batch.Put(Column::kMeta, kSnapshotKey, consensus::EncodeSnapshotMeta(snapshot));
  // Synced: the driver may drop the previous snapshot's data once this
  // returns, and the log must then never start before the new point.
  FRONTERA_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  snapshot_ = snapshot;
  return Status::Ok();
}

Status RaftLogStore::InstallSnapshot(const SnapshotMeta& snapshot,
                                     const std::optional<HardState>& hard_state) {
  if (!WellFormed(snapshot) || snapshot.index > kMaxIndex) {
    return Status::InvalidArgument("cannot install snapshot " + Describe(snapshot) +
                                   ": index and term must both be 0 or both be >= 1");
  }
  if (snapshot.index < snapshot_.index) {
    return Status::InvalidArgument("cannot install snapshot " + Describe(snapshot) +
                                   ": it is older than the current snapshot " +
                                   Describe(snapshot_));
  }
  const HardState next = hard_state.value_or(hard_state_);
  FRONTERA_RETURN_IF_ERROR(CheckHardStateUpdate(next));
  // The leader that sent the snapshot had a term >= snapshot.term, and this
  // node adopted it (Raft §5.1) before accepting anything from it.
  if (snapshot.term > next.current_term) {
    return Status::InvalidArgument(
        "cannot install snapshot " + Describe(snapshot) + ": its term is above current_term " +
        std::to_string(next.current_term) + " (pass the Ready's hard state in the same call)");
  }
  if (snapshot.index < next.commit_index) {
    return Status::InvalidArgument(
        "cannot install snapshot " + Describe(snapshot) + ": it ends before commit_index " +
        std::to_string(next.commit_index) + ", which would then point past the log");
  }
  WriteBatch batch;
  if (last_index_ > snapshot_.index) {
    batch.DeleteRange(Column::kLog, EncodeUint64(snapshot_.index + 1),
                      EncodeUint64(last_index_ + 1));
  }
  batch.Put(Column::kMeta, kSnapshotKey, consensus::EncodeSnapshotMeta(snapshot));
  if (hard_state.has_value()) {
    batch.Put(Column::kMeta, kHardStateKey, consensus::EncodeHardState(next));
  }
  // Synced: Ready::snapshot is recorded before the entries that follow it
  // are persisted and before anything is applied on top of it.
  FRONTERA_RETURN_IF_ERROR(store_->Write(batch, /*sync=*/true));
  hard_state_ = next;
  snapshot_ = snapshot;
  last_index_ = snapshot.index;
  last_term_ = snapshot.term;
  return Status::Ok();
}

Result<uint64_t> RaftLogStore::Term(uint64_t index) const {
  if (index == snapshot_.index) return snapshot_.term;
  if (index < snapshot_.index) {
    return Status::FailedPrecondition("entry " + std::to_string(index) +
                                      " was compacted into the snapshot " + Describe(snapshot_));
  }
  if (index > last_index_) {
    return Status::NotFound("no log entry at index " + std::to_string(index) + " (last index " +
                            std::to_string(last_index_) + ")");
  }
  if (index == last_index_) return last_term_;
  FRONTERA_ASSIGN_OR_RETURN(Entry entry, ReadEntry(index));
  return entry.term;
}

Result<std::vector<Entry>> RaftLogStore::Entries(uint64_t lo, uint64_t hi) const {
  if (lo < FirstIndex() || lo > hi || hi > last_index_ + 1) {
    return Status::InvalidArgument("entry range [" + std::to_string(lo) + ", " +
                                   std::to_string(hi) + ") is outside the log [" +
                                   std::to_string(FirstIndex()) + ", " +
                                   std::to_string(last_index_ + 1) + ")");
  }
  std::vector<Entry> out;
  if (lo == hi) return out;
  out.reserve(static_cast<size_t>(hi - lo));
  Status damage;
  Status scan = store_->Scan(
      Column::kLog, EncodeUint64(lo), EncodeUint64(hi), static_cast<size_t>(hi - lo),
      [&](std::string_view key, std::string_view value) {
        const uint64_t expected = lo + out.size();
        if (key != EncodeUint64(expected)) {
          damage = DamagedAt(dir(), expected, "the entry is missing");
          return false;
        }
        auto entry = consensus::DecodeEntry(value, kStoredValueLimits);
        if (!entry.ok()) {
          damage = DamagedAt(dir(), expected, entry.status().message());
          return false;
        }
        if (entry->index != expected) {
          damage = DamagedAt(dir(), expected,
                             "the entry stored there says index " + std::to_string(entry->index));
          return false;
        }
        out.push_back(std::move(entry).value());
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scan);
  FRONTERA_RETURN_IF_ERROR(damage);
  if (out.size() != hi - lo) {
    return DamagedAt(dir(), lo + out.size(), "the entry is missing");
  }
  return out;
}

Result<Entry> RaftLogStore::ReadEntry(uint64_t index) const {
  FRONTERA_ASSIGN_OR_RETURN(auto value, store_->Get(Column::kLog, EncodeUint64(index)));
  if (!value.has_value()) return DamagedAt(dir(), index, "the entry is missing");
  auto entry = consensus::DecodeEntry(*value, kStoredValueLimits);
  if (!entry.ok()) return DamagedAt(dir(), index, entry.status().message());
  if (entry->index != index) {
    return DamagedAt(dir(), index,
                     "the entry stored there says index " + std::to_string(entry->index));
  }
  return std::move(entry).value();
}

}  // namespace frontera::storage
