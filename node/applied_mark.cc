#include "node/applied_mark.h"

#include <algorithm>

#include "storage/keys.h"
#include "storage/kv_store.h"
#include "storage/raft_log_store.h"

namespace frontera::node {

std::string EncodeAppliedMark(const consensus::SnapshotMeta& applied) {
  return storage::EncodeUint64(applied.index) + storage::EncodeUint64(applied.term);
}

Result<consensus::SnapshotMeta> ReadAppliedMark(const storage::KvStore& ledger) {
  consensus::SnapshotMeta applied;
  FRONTERA_ASSIGN_OR_RETURN(auto text,
                            ledger.Get(storage::Column::kMeta, std::string(kAppliedMarkKey)));
  if (!text) return applied;
  if (text->size() != 16) {
    return Status::Corruption("the applied mark in " + ledger.dir() + " is malformed");
  }
  FRONTERA_ASSIGN_OR_RETURN(applied.index, storage::DecodeUint64(text->substr(0, 8)));
  FRONTERA_ASSIGN_OR_RETURN(applied.term, storage::DecodeUint64(text->substr(8)));
  return applied;
}

Status ReconcileLog(storage::RaftLogStore& log, const consensus::SnapshotMeta& applied,
                    const std::string& ledger_dir, const std::string& data_dir) {
  // A crash between installing a snapshot's ledger and recording it in the
  // log leaves the ledger ahead of the log: finish recording it.
  if (applied.index > log.LastIndex() ||
      (applied.index >= log.FirstIndex() && log.Term(applied.index).ok() &&
       *log.Term(applied.index) != applied.term)) {
    consensus::HardState hs = log.GetHardState();
    hs.commit_index = std::max(hs.commit_index, applied.index);
    if (applied.term > hs.current_term) {
      hs.current_term = applied.term;
      hs.voted_for = consensus::kNoNode;
    }
    FRONTERA_RETURN_IF_ERROR(log.InstallSnapshot(applied, hs));
  }
  // The ledger may have applied entries whose commit_index write was lost:
  // they were committed.
  if (consensus::HardState hs = log.GetHardState();
      applied.index > hs.commit_index && applied.index <= log.LastIndex()) {
    hs.commit_index = applied.index;
    FRONTERA_RETURN_IF_ERROR(log.Save({}, hs));
  }
  if (applied.index < log.Snapshot().index) {
    return Status::Corruption("the ledger in " + ledger_dir + " was applied up to log index " +
                              std::to_string(applied.index) + " but the raft log starts after " +
                              std::to_string(log.Snapshot().index) + "; remove " + data_dir +
                              " so the node catches up from its peers");
  }
  return Status::Ok();
}

}  // namespace frontera::node
