// RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
//   leaf hash = SHA-256(0x00 ‖ leaf data)
//   node hash = SHA-256(0x01 ‖ left ‖ right)
//   MTH({}) = SHA-256("")
// Proof generation works over any source of subtree hashes, so the ledger can
// answer in O(log n) reads from stored perfect subtrees (no full rebuild).
//
// Thread-safety: pure functions; MerkleFrontier is a value type, not
// thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/bytes.h"
#include "common/result.h"
#include "crypto/sha256.h"

namespace frontera::crypto {

using Hash = Sha256Digest;

Hash LeafHash(ByteView leaf_data);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyTreeHash();

// MTH of the given leaf hashes (RFC 9162 §2.1.1). O(n); for tests and small trees.
Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes);

// Hash of the perfect subtree at `level` (0 = leaves) and `index`, covering
// leaves [index << level, (index + 1) << level). Returns kNotFound or an I/O
// error when the source lacks it.
using PerfectSubtreeFn = std::function<Result<Hash>(int level, uint64_t index)>;

// MTH of leaves [begin, end) of a tree, computed from O(log n) perfect
// subtrees when begin is a multiple of the largest power of two not above
// end - begin (true of every range in an RFC 9162 proof); other ranges are
// split further. REQUIRES: begin < end.
Result<Hash> SubtreeHash(uint64_t begin, uint64_t end, const PerfectSubtreeFn& perfect);

// RFC 9162 §2.1.3.1: inclusion proof of leaf `index` in the tree of `tree_size`.
// REQUIRES: index < tree_size.
Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size,
                                         const PerfectSubtreeFn& perfect);
// RFC 9162 §2.1.4.1: consistency proof between sizes first and second.
// REQUIRES: 0 < first <= second.
Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const PerfectSubtreeFn& perfect);

// RFC 9162 §2.1.3.2. False on any mismatch, including index >= tree_size.
bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<Hash>& proof, const Hash& root);
// RFC 9162 §2.1.4.2. first == second requires an empty proof and equal roots.
// False when first == 0 or first > second.
bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                       const Hash& second_root, const std::vector<Hash>& proof);

// The right edge of an append-only tree: the roots of its perfect subtrees,
// largest first (at most 64). Appending a leaf yields the perfect subtrees
// completed by it, which a store keeps to answer proofs later.
class MerkleFrontier {
 public:
  struct Node {
    int level;
    uint64_t index;
    Hash hash;
  };

  MerkleFrontier() = default;
  // Rebuilds the frontier of a tree of `tree_size` leaves from its stored
  // perfect subtrees.
  static Result<MerkleFrontier> Load(uint64_t tree_size, const PerfectSubtreeFn& perfect);

  uint64_t tree_size() const { return tree_size_; }
  // Appends a leaf hash; appends to `completed` every perfect subtree that this
  // leaf completes (level 0 = the leaf itself, then its parents).
  void Append(const Hash& leaf_hash, std::vector<Node>& completed);
  // MTH of the whole tree.
  Hash Root() const;

 private:
  uint64_t tree_size_ = 0;
  std::vector<Node> nodes_;  // perfect subtree roots, largest (leftmost) first
};

}  // namespace frontera::crypto
