// What a ledger store commits to, and how to recompute it from the store
// (docs/ledger.md#state-root).
//
// Two roots describe a ledger after a block:
//   - the log root: the RFC 6962 root of the accepted documents' leaf hashes
//     (ledger/merkle_log.h);
//   - the state root: SHA-256("frontera-state-v2" ‖ LtHash16 of the state),
//     where the state is every entry of columns kState and kIndex, each one
//     element  column byte ‖ u32le key length ‖ key ‖ value  of the multiset.
// Every block carries both, and the block hash covers them, so a note that a
// majority of validators signed over (block height, block hash, tree size, log
// root, state root) vouches for a whole store: a validator that receives a
// store (a snapshot) recomputes the roots from it with RecomputeRoots and
// compares.
//
// The state's LtHash16 is kept incrementally: the state machine folds the
// kState/kIndex operations of each block's batch into a running value
// (FoldStateWrites) and persists it in kMeta with the block.
//
// Thread-safety: pure functions over a store; KvStore reads are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/lthash.h"
#include "crypto/merkle.h"
#include "storage/kv_store.h"

namespace frontera::ledger {

// kMeta keys (docs/ledger.md#state-layout).
inline constexpr std::string_view kMetaSummaryKey = "ledger/summary";
inline constexpr std::string_view kMetaStateLtHashKey = "ledger/state_lthash";  // 2048 bytes

// The ledger after its last applied block, as persisted in kMeta
// kMetaSummaryKey (JSON).
struct LedgerSummary {
  uint64_t applied_index = 0;  // log index of the last block
  uint64_t block_height = 0;
  crypto::Hash block_hash{};
  uint64_t tree_size = 0;
  crypto::Hash root{};
  crypto::Hash state_root{};
  uint64_t certificates = 0;
  uint64_t documents_accepted = 0;
  uint64_t documents_rejected = 0;
};

std::string EncodeSummary(const LedgerSummary& summary);
// kCorruption when `text` is not a summary EncodeSummary wrote. A summary
// written before state roots existed has none: `state_root` is then zero and
// `has_state_root` (when given) false.
Result<LedgerSummary> DecodeSummary(std::string_view text, bool* has_state_root = nullptr);

// True for the columns the state root covers (kState, kIndex).
bool IsStateColumn(storage::Column column);

// The multiset element of one state entry.
// REQUIRES: IsStateColumn(column); key.size() < 2^32.
std::string StateElement(storage::Column column, std::string_view key, std::string_view value);

// SHA-256("frontera-state-v2" ‖ lthash bytes).
crypto::Hash StateRoot(const crypto::LtHash16& lthash);

// Folds operations [first_op, batch.ops()) of `batch` on kState and kIndex
// into `lthash`, as if the batch were written on top of `store`: a Put
// removes the key's previous element (if any) and adds the new one; a Delete
// removes it. Several operations on one key in the range are folded in order.
// Operations on other columns are ignored.
// REQUIRES: no operation before first_op touches kState or kIndex, and none
// in the range is a kState/kIndex DeleteRange (the ledger never stages one;
// checked). Errors are the store's read errors.
Status FoldStateWrites(const storage::KvStore& store, const storage::WriteBatch& batch,
                       size_t first_op, crypto::LtHash16& lthash);

// The LtHash16 of every kState and kIndex entry of `store`, by one scan.
Result<crypto::LtHash16> ScanStateLtHash(const storage::KvStore& store);

// The roots of a ledger store after its last block.
struct LedgerRoots {
  uint64_t block_height = 0;
  crypto::Hash block_hash{};  // zero before the first block
  uint64_t tree_size = 0;
  crypto::Hash log_root{};
  crypto::Hash state_root{};
  bool operator==(const LedgerRoots&) const = default;
};

// Recomputes the roots of `store` from its contents and checks that its
// blocks, summary and running values agree with them:
//   - the log root from the stored leaf hashes (kMerkle level 0, which must be
//     exactly leaves 0 … tree_size - 1), and every stored perfect subtree
//     above them against the recomputed one;
//   - the state root from a scan of kState and kIndex, against the running
//     LtHash16 in kMeta;
//   - the blocks 1 … block_height as a hash chain ending at the summary's
//     block hash, the last one carrying the recomputed tree size, log root and
//     state root, and no block after it.
// Reads at most what the store holds and never trusts a stored value to be
// well formed: a store received from another node may be anything.
// kCorruption naming the first mismatch; the store's read errors otherwise.
// An empty store has height 0, the empty tree's root and the empty state's
// root.
Result<LedgerRoots> RecomputeRoots(const storage::KvStore& store);

}  // namespace frontera::ledger
