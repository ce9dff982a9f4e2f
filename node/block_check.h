// A follower's check of the blocks in a leader's Append, before the Raft
// core sees it (docs/security.md#block-time). A follower that refuses an
// append does not acknowledge it, so a block is committed only when a
// majority of validators accepted its size and its time: one leader with a
// clock in 2031 cannot commit a 2031 block.
//
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/status.h"
#include "consensus/types.h"

namespace frontera::node {

struct BlockCheckLimits {
  size_t entry_bytes_max = 0;    // the largest entry an honest leader makes
  int64_t time_skew_max_ms = 0;  // how far ahead of this node's clock a block may be
};

// Checks the normal entries after `commit_index` (entries up to it are final
// and not judged again): each at most entry_bytes_max bytes, its block time
// at most now + time_skew_max_ms and not before the block before it (the
// first compared with `previous_block_time_ms`, this node's last applied
// block). An entry that is no proposal passes: every node skips it alike.
// OK, or kInvalidArgument naming the entry and the limit.
Status CheckLeaderBlocks(const std::vector<consensus::Entry>& entries, uint64_t commit_index,
                         int64_t previous_block_time_ms, int64_t now_unix_ms,
                         const BlockCheckLimits& limits);

}  // namespace frontera::node
