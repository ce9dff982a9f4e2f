// The applied mark: the (index, term) of the last Raft entry a ledger
// applied, kept in the ledger's own store (Column::kMeta "node/applied") and
// written in the same batch as the entry's changes, so that it always names
// the state the store holds. At start-up it tells how the Raft log must be
// brought in line with the ledger after a crash (ReconcileLog).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"
#include "consensus/types.h"

namespace frontera::storage {
class KvStore;
class RaftLogStore;
}  // namespace frontera::storage

namespace frontera::node {

inline constexpr std::string_view kAppliedMarkKey = "node/applied";

// index ‖ term, big-endian, 16 bytes.
std::string EncodeAppliedMark(const consensus::SnapshotMeta& applied);

// The mark in `ledger`; {0, 0} when the ledger applied nothing yet.
// kCorruption when it is malformed.
Result<consensus::SnapshotMeta> ReadAppliedMark(const storage::KvStore& ledger);

// Brings the Raft log in line with a ledger applied up to `applied`, after
// any crash:
//   - the ledger holds an installed snapshot the log does not record yet (a
//     crash between the two steps of an install): the log is replaced by it;
//   - the ledger applied entries whose commit index (not synced on its own,
//     raft_log_store.h) was lost: they were committed, the commit moves up.
// kCorruption, naming `ledger_dir` and `data_dir`, when the ledger is behind
// the start of the log (it lost writes the log no longer holds). Errors of
// the log store otherwise.
Status ReconcileLog(storage::RaftLogStore& log, const consensus::SnapshotMeta& applied,
                    const std::string& ledger_dir, const std::string& data_dir);

}  // namespace frontera::node
