#include "crypto/merkle.h"

#include <algorithm>
#include <bit>
#include <string>

namespace frontera::crypto {

namespace {

// The largest power of two strictly less than n (RFC 9162 §2.1.1's k).
// REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

bool IsAlignedPerfect(uint64_t begin, uint64_t size) {
  return std::has_single_bit(size) && begin % size == 0;
}

int LevelOf(uint64_t perfect_size) { return std::countr_zero(perfect_size); }

// RFC 9162 §2.1.3.1 PATH(m, D[begin:end]), appended bottom-up.
Status AppendPath(uint64_t m, uint64_t begin, uint64_t end, const PerfectSubtreeFn& perfect,
                  std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (n == 1) return Status::Ok();
  uint64_t k = SplitPoint(n);
  bool left = m < begin + k;
  FRONTERA_RETURN_IF_ERROR(left ? AppendPath(m, begin, begin + k, perfect, out)
                                : AppendPath(m, begin + k, end, perfect, out));
  Result<Hash> sibling =
      left ? SubtreeHash(begin + k, end, perfect) : SubtreeHash(begin, begin + k, perfect);
  if (!sibling.ok()) return sibling.status();
  out.push_back(*sibling);
  return Status::Ok();
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[begin:end], b), appended bottom-up.
Status AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool b,
                      const PerfectSubtreeFn& perfect, std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (m == n) {
    // The old tree is this whole subtree: the verifier knows its hash only
    // when it is the original old root (b is true).
    if (b) return Status::Ok();
    Result<Hash> hash = SubtreeHash(begin, end, perfect);
    if (!hash.ok()) return hash.status();
    out.push_back(*hash);
    return Status::Ok();
  }
  uint64_t k = SplitPoint(n);
  bool left = m <= k;
  FRONTERA_RETURN_IF_ERROR(left ? AppendSubproof(m, begin, begin + k, b, perfect, out)
                                : AppendSubproof(m - k, begin + k, end, false, perfect, out));
  Result<Hash> other =
      left ? SubtreeHash(begin + k, end, perfect) : SubtreeHash(begin, begin + k, perfect);
  if (!other.ok()) return other.status();
  out.push_back(*other);
  return Status::Ok();
}

}  // namespace

Hash LeafHash(ByteView leaf_data) {
  // RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)); the prefix separates
  // leaves from interior nodes (second-preimage resistance).
  Sha256Hasher hasher;
  const uint8_t prefix = 0x00;
  hasher.Update(ByteView(&prefix, 1));
  hasher.Update(leaf_data);
  return hasher.Finish();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  // RFC 9162 §2.1.1: HASH(0x01 || MTH(left) || MTH(right)).
  uint8_t buffer[1 + 32 + 32];
  buffer[0] = 0x01;
  std::copy(left.begin(), left.end(), buffer + 1);
  std::copy(right.begin(), right.end(), buffer + 33);
  return Sha256(ByteView(buffer, sizeof(buffer)));
}

Hash EmptyTreeHash() { return Sha256(ByteView()); }

Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyTreeHash();
  // Pairing level by level and promoting an odd last node unchanged is the
  // same tree as RFC 9162's split at the largest power of two below n.
  std::vector<Hash> level = leaf_hashes;
  while (level.size() > 1) {
    size_t pairs = level.size() / 2;
    for (size_t i = 0; i < pairs; ++i) level[i] = NodeHash(level[2 * i], level[2 * i + 1]);
    if (level.size() % 2 == 1) {
      level[pairs] = level.back();
      level.resize(pairs + 1);
    } else {
      level.resize(pairs);
    }
  }
  return level[0];
}

Result<Hash> SubtreeHash(uint64_t begin, uint64_t end, const PerfectSubtreeFn& perfect) {
  FRONTERA_CHECK(begin < end) << "SubtreeHash of an empty range [" << begin << ", " << end << ")";
  // MTH(D[begin:end]) splits at the largest power of two k below the size; the
  // left part is a perfect subtree whenever it is aligned, so the range is a
  // chain of perfect subtrees of decreasing size, combined right-to-left.
  // Ranges in RFC 9162 proofs always start aligned, giving O(log n) lookups;
  // an unaligned left part is split further (correct, only slower).
  std::vector<Hash> parts;
  uint64_t pos = begin;
  while (pos < end) {
    uint64_t n = end - pos;
    if (IsAlignedPerfect(pos, n)) {
      Result<Hash> hash = perfect(LevelOf(n), pos >> LevelOf(n));
      if (!hash.ok()) return hash.status();
      parts.push_back(*hash);
      break;
    }
    uint64_t k = n == 1 ? 1 : SplitPoint(n);
    Result<Hash> left = IsAlignedPerfect(pos, k) ? perfect(LevelOf(k), pos >> LevelOf(k))
                                                 : SubtreeHash(pos, pos + k, perfect);
    if (!left.ok()) return left.status();
    parts.push_back(*left);
    pos += k;
  }
  Hash acc = parts.back();
  for (size_t i = parts.size() - 1; i-- > 0;) acc = NodeHash(parts[i], acc);
  return acc;
}

Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size,
                                         const PerfectSubtreeFn& perfect) {
  FRONTERA_CHECK(index < tree_size)
      << "inclusion proof of leaf " << index << " in a tree of " << tree_size;
  std::vector<Hash> proof;
  FRONTERA_RETURN_IF_ERROR(AppendPath(index, 0, tree_size, perfect, proof));
  return proof;
}

Result<std::vector<Hash>> ConsistencyProof(uint64_t first, uint64_t second,
                                           const PerfectSubtreeFn& perfect) {
  FRONTERA_CHECK(0 < first && first <= second)
      << "consistency proof between " << first << " and " << second;
  // RFC 9162 §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true); for m == n
  // that is the empty list.
  std::vector<Hash> proof;
  FRONTERA_RETURN_IF_ERROR(AppendSubproof(first, 0, second, true, perfect, proof));
  return proof;
}

bool VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                     const std::vector<Hash>& proof, const Hash& root) {
  // RFC 9162 §2.1.3.2, step by step.
  if (index >= tree_size) return false;  // step 1
  uint64_t fn = index;                   // step 2
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;                 // step 3
  for (const Hash& p : proof) {       // step 4
    if (sn == 0) return false;        // 4a: the proof is longer than the path
    if ((fn & 1) == 1 || fn == sn) {  // 4b: p is a left sibling
      r = NodeHash(p, r);
      // A right-edge node with no right sibling is promoted: skip the levels
      // where it is a left child.
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {  // p is a right sibling
      r = NodeHash(r, p);
    }
    fn >>= 1;  // 4c
    sn >>= 1;
  }
  return sn == 0 && r == root;  // step 5
}

bool VerifyConsistency(uint64_t first, uint64_t second, const Hash& first_root,
                       const Hash& second_root, const std::vector<Hash>& proof) {
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  // RFC 9162 §2.1.4.2, step by step.
  if (proof.empty()) return false;  // step 1
  // Step 2: when the old tree is a perfect subtree of the new one, its root is
  // the implicit first element of the proof.
  bool prepend = std::has_single_bit(first);
  size_t next = 0;
  const Hash& head = prepend ? first_root : proof[next++];
  uint64_t fn = first - 1;  // step 3
  uint64_t sn = second - 1;
  while ((fn & 1) == 1) {  // step 4
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = head;  // step 5
  Hash sr = head;
  for (; next < proof.size(); ++next) {  // step 6
    const Hash& c = proof[next];
    if (sn == 0) return false;        // 6a
    if ((fn & 1) == 1 || fn == sn) {  // 6b
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;  // 6c
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;  // step 7
}

Result<MerkleFrontier> MerkleFrontier::Load(uint64_t tree_size, const PerfectSubtreeFn& perfect) {
  // The frontier of a tree of size n holds one perfect subtree per set bit of
  // n, largest (leftmost) first.
  MerkleFrontier frontier;
  uint64_t pos = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t size = uint64_t{1} << level;
    if ((tree_size & size) == 0) continue;
    Result<Hash> hash = perfect(level, pos >> level);
    if (!hash.ok()) return hash.status();
    frontier.nodes_.push_back(Node{level, pos >> level, *hash});
    pos += size;
  }
  frontier.tree_size_ = tree_size;
  return frontier;
}

void MerkleFrontier::Append(const Hash& leaf_hash, std::vector<Node>& completed) {
  FRONTERA_CHECK(tree_size_ < UINT64_MAX) << "Merkle tree is full";
  Node node{0, tree_size_, leaf_hash};
  completed.push_back(node);
  // Like a binary counter's carry: equal-sized neighbours merge into their
  // parent, which is a newly completed perfect subtree.
  while (!nodes_.empty() && nodes_.back().level == node.level) {
    const Node& left = nodes_.back();
    node = Node{node.level + 1, left.index >> 1, NodeHash(left.hash, node.hash)};
    nodes_.pop_back();
    completed.push_back(node);
  }
  nodes_.push_back(node);
  ++tree_size_;
}

Hash MerkleFrontier::Root() const {
  if (nodes_.empty()) return EmptyTreeHash();
  Hash acc = nodes_.back().hash;
  for (size_t i = nodes_.size() - 1; i-- > 0;) acc = NodeHash(nodes_[i].hash, acc);
  return acc;
}

}  // namespace frontera::crypto
