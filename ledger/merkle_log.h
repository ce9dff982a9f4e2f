// MerkleLog: the ledger's single append-only RFC 6962 / RFC 9162 Merkle tree,
// persisted in storage Column::kMerkle as the hashes of its perfect subtrees.
//
// Every leaf completes one or more perfect subtrees (the leaf itself, then
// each parent whose right child it finishes); their hashes never change once
// written, so a node is stored exactly once and the tree of n leaves holds
// fewer than 2n nodes. Any root, leaf hash or proof of any earlier size is
// then O(log n) point reads (crypto::SubtreeHash and friends), never a
// rebuild. Stored layout (docs/storage.md, "Merkle log"):
//   kMerkle  key = 1 byte level ‖ 8 bytes big-endian index, value = 32-byte hash
//            (the subtree of leaves [index << level, (index + 1) << level))
//   kMeta    key "merkle/tree_size", value = 8 bytes big-endian
//
// Thread-safety. Append, tree_size() and root() belong to one thread (the
// ledger's applier) and are not thread-safe. RootAt, LeafHashAt,
// InclusionProof and ConsistencyProof are const, read only the store and an
// atomic copy of the appended size, and may be called from any number of
// threads concurrently with each other and with Append. They answer only for
// tree sizes whose batch was written to the store (committed state);
// asking about a size that is appended but not yet written is
// kFailedPrecondition.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/merkle.h"
#include "storage/kv_store.h"

namespace frontera::ledger {

// kMeta key of the written tree size.
inline constexpr std::string_view kMerkleTreeSizeKey = "merkle/tree_size";

// kMerkle key of the perfect subtree at `level` (0 = leaf) and `index`.
// REQUIRES: 0 <= level < 64.
std::string MerkleNodeKey(int level, uint64_t index);

class MerkleLog {
 public:
  // Loads the tree size from kMeta and rebuilds the in-memory frontier from
  // the stored perfect subtrees (O(log n) reads). An empty store gives an
  // empty tree. kCorruption when a node the size requires is missing or not
  // 32 bytes. `store` is not owned and must outlive the MerkleLog.
  // REQUIRES: store != nullptr.
  static Result<std::unique_ptr<MerkleLog>> Open(const storage::KvStore* store);

  MerkleLog(const MerkleLog&) = delete;
  MerkleLog& operator=(const MerkleLog&) = delete;

  // Number of leaves appended, including those staged in a batch not yet
  // written. Applier thread only.
  uint64_t tree_size() const { return frontier_.tree_size(); }
  // MTH of all appended leaves (RFC 9162 §2.1.1), from memory. Applier thread
  // only.
  crypto::Hash root() const { return frontier_.Root(); }

  // Appends a leaf: updates the in-memory frontier and stages into `batch`
  // every perfect subtree node it completes and the new tree size. Returns
  // the leaf's index (the tree size before the call). Several Appends may
  // stage into one batch. The caller writes the batch (synced) before
  // relying on the result or asking for proofs at the new size; if the batch
  // is dropped instead, this MerkleLog no longer matches the store and must be
  // reopened.
  uint64_t Append(const crypto::Hash& leaf_hash, storage::WriteBatch& batch);

  // MTH of the first `tree_size` leaves, from stored nodes in O(log n) reads.
  // tree_size 0 gives SHA-256("").
  // kInvalidArgument: tree_size > this->tree_size().
  // kFailedPrecondition: tree_size not yet written to the store.
  Result<crypto::Hash> RootAt(uint64_t tree_size) const;

  // The hash of leaf `index`.
  // kInvalidArgument: index >= tree_size(). kFailedPrecondition: not written.
  Result<crypto::Hash> LeafHashAt(uint64_t index) const;

  // The stored perfect subtrees of `level` with indices [first, first +
  // count), in index order: node i is the MTH of leaves [i << level,
  // (i + 1) << level). One range scan (a tlog tile is 256 of them,
  // ledger/tlog_tiles.h). kInvalidArgument: level outside 0..63, or a node
  // not complete in a tree of tree_size() leaves. kFailedPrecondition: the
  // tree size that completes them is not written yet.
  Result<std::vector<crypto::Hash>> Nodes(int level, uint64_t first, uint64_t count) const;

  // RFC 9162 §2.1.3.1 inclusion proof of leaf `index` in the tree of
  // `tree_size` leaves. kInvalidArgument: index >= tree_size or
  // tree_size > this->tree_size(). kFailedPrecondition: not written.
  Result<std::vector<crypto::Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;

  // RFC 9162 §2.1.4.1 consistency proof from `first` to `second` leaves
  // (empty when first == second). kInvalidArgument: first == 0,
  // first > second, or second > tree_size(). kFailedPrecondition: not written.
  Result<std::vector<crypto::Hash>> ConsistencyProof(uint64_t first, uint64_t second) const;

 private:
  MerkleLog(const storage::KvStore* store, crypto::MerkleFrontier frontier);

  // kInvalidArgument when size > appended; kFailedPrecondition when the
  // written tree size (read from kMeta) is below `size`.
  Status CheckReadable(uint64_t size, std::string_view what) const;
  // Reads a stored perfect subtree; a missing or malformed node is
  // kCorruption (callers first check that the size covering it is written).
  Result<crypto::Hash> ReadNode(int level, uint64_t index) const;
  crypto::PerfectSubtreeFn NodeReader() const;

  const storage::KvStore* const store_;  // not owned
  crypto::MerkleFrontier frontier_;      // applier thread only
  // == frontier_.tree_size(), published for the const readers. Monotonic.
  std::atomic<uint64_t> appended_size_;
};

}  // namespace frontera::ledger
