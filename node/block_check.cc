#include "node/block_check.h"

#include <string>

#include "ledger/block.h"

namespace frontera::node {

Status CheckLeaderBlocks(const std::vector<consensus::Entry>& entries, uint64_t commit_index,
                         int64_t previous_block_time_ms, int64_t now_unix_ms,
                         const BlockCheckLimits& limits) {
  const int64_t latest = now_unix_ms + limits.time_skew_max_ms;
  int64_t previous = previous_block_time_ms;
  for (const consensus::Entry& e : entries) {
    if (e.type != consensus::EntryType::kNormal || e.index <= commit_index) continue;
    if (e.data.size() > limits.entry_bytes_max) {
      return Status::InvalidArgument("block at log index " + std::to_string(e.index) + " has " +
                                     std::to_string(e.data.size()) + " bytes; the limit is " +
                                     std::to_string(limits.entry_bytes_max));
    }
    Result<int64_t> t = ledger::ProposalTime(e.data);
    if (!t.ok()) continue;
    if (*t > latest) {
      return Status::InvalidArgument(
          "block at log index " + std::to_string(e.index) + " has time " + std::to_string(*t) +
          " ms, more than " + std::to_string(limits.time_skew_max_ms) +
          " ms (raft.block_time_skew_max_ms) ahead of this node's clock");
    }
    if (*t < previous) {
      return Status::InvalidArgument(
          "block at log index " + std::to_string(e.index) + " has time " + std::to_string(*t) +
          " ms, before the previous block's " + std::to_string(previous) + " ms");
    }
    previous = *t;
  }
  return Status::Ok();
}

}  // namespace frontera::node
