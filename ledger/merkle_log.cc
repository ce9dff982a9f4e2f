#include "ledger/merkle_log.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

#include "common/check.h"
#include "storage/keys.h"

namespace frontera::ledger {
namespace {

using storage::Column;

constexpr size_t kHashBytes = std::tuple_size_v<crypto::Hash>;

std::string_view HashView(const crypto::Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string NodeName(int level, uint64_t index) {
  return "merkle node (level " + std::to_string(level) + ", index " + std::to_string(index) + ")";
}

// The written tree size: what kMeta says, 0 when the log was never written.
Result<uint64_t> ReadWrittenSize(const storage::KvStore& store) {
  FRONTERA_ASSIGN_OR_RETURN(auto stored, store.Get(Column::kMeta, kMerkleTreeSizeKey));
  if (!stored.has_value()) return uint64_t{0};
  auto size = storage::DecodeUint64(*stored);
  if (!size.ok()) return size.status().WithContext("kMeta merkle/tree_size");
  return *size;
}

}  // namespace

std::string MerkleNodeKey(int level, uint64_t index) {
  // A tree of at most 2^64 leaves has perfect subtrees of levels 0..63; the
  // level byte first groups nodes by level, the big-endian index then keeps
  // each level in leaf order (docs/storage.md, "Merkle log").
  FRONTERA_CHECK(level >= 0 && level < 64) << "level " << level;
  std::string key(1, static_cast<char>(level));
  storage::AppendUint64(key, index);
  return key;
}

MerkleLog::MerkleLog(const storage::KvStore* store, crypto::MerkleFrontier frontier)
    : store_(store), frontier_(std::move(frontier)), appended_size_(frontier_.tree_size()) {}

Result<std::unique_ptr<MerkleLog>> MerkleLog::Open(const storage::KvStore* store) {
  FRONTERA_CHECK(store != nullptr) << "MerkleLog::Open without a store";
  FRONTERA_ASSIGN_OR_RETURN(uint64_t tree_size, ReadWrittenSize(*store));
  // The frontier of size n is the O(log n) perfect subtrees given by the one
  // bits of n; all of them were written with (or before) the tree size, so a
  // missing one is corruption (ReadNode says so).
  std::unique_ptr<MerkleLog> log(new MerkleLog(store, crypto::MerkleFrontier()));
  FRONTERA_ASSIGN_OR_RETURN(crypto::MerkleFrontier frontier,
                            crypto::MerkleFrontier::Load(tree_size, log->NodeReader()));
  FRONTERA_CHECK(frontier.tree_size() == tree_size)
      << "frontier of size " << frontier.tree_size() << " loaded for " << tree_size;
  log->frontier_ = std::move(frontier);
  log->appended_size_.store(tree_size, std::memory_order_release);
  return log;
}

uint64_t MerkleLog::Append(const crypto::Hash& leaf_hash, storage::WriteBatch& batch) {
  const uint64_t index = frontier_.tree_size();
  std::vector<crypto::MerkleFrontier::Node> completed;
  frontier_.Append(leaf_hash, completed);
  FRONTERA_CHECK(frontier_.tree_size() == index + 1) << "frontier did not grow by one leaf";
  // Node first, size last: the batch is atomic, so a reader never sees a size
  // whose nodes are missing; staging order only matters for clarity.
  for (const crypto::MerkleFrontier::Node& node : completed) {
    batch.Put(Column::kMerkle, MerkleNodeKey(node.level, node.index), HashView(node.hash));
  }
  // Appends sharing one batch each stage the size; the last Put wins.
  batch.Put(Column::kMeta, kMerkleTreeSizeKey, storage::EncodeUint64(index + 1));
  // Published for the const readers, which bound their arguments by it and
  // then read only the store.
  appended_size_.store(index + 1, std::memory_order_release);
  return index;
}

Status MerkleLog::CheckReadable(uint64_t size, std::string_view what) const {
  const uint64_t appended = appended_size_.load(std::memory_order_acquire);
  if (size > appended) {
    return Status::InvalidArgument(std::string(what) + ": tree size " + std::to_string(size) +
                                   " is larger than the log (" + std::to_string(appended) +
                                   " leaves)");
  }
  if (size == 0) return Status::Ok();
  // Nodes are staged in the applier's batch; until it is written the store
  // lacks them, and an answer would have to come from state no other node
  // has durably agreed on.
  FRONTERA_ASSIGN_OR_RETURN(uint64_t written, ReadWrittenSize(*store_));
  if (size > written) {
    return Status::FailedPrecondition(std::string(what) + ": tree size " + std::to_string(size) +
                                      " is not written yet (written tree size " +
                                      std::to_string(written) + ")");
  }
  return Status::Ok();
}

Result<crypto::Hash> MerkleLog::ReadNode(int level, uint64_t index) const {
  if (level < 0 || level >= 64) {
    return Status::Internal("merkle node level " + std::to_string(level) + " out of range");
  }
  FRONTERA_ASSIGN_OR_RETURN(auto stored, store_->Get(Column::kMerkle, MerkleNodeKey(level, index)));
  if (!stored.has_value()) {
    return Status::Corruption(NodeName(level, index) + " is missing from store " + store_->dir() +
                              " although its tree size was written");
  }
  if (stored->size() != kHashBytes) {
    return Status::Corruption(NodeName(level, index) + " in store " + store_->dir() + " has " +
                              std::to_string(stored->size()) + " bytes, expected 32");
  }
  crypto::Hash hash;
  std::copy(stored->begin(), stored->end(), reinterpret_cast<char*>(hash.data()));
  return hash;
}

crypto::PerfectSubtreeFn MerkleLog::NodeReader() const {
  return [this](int level, uint64_t index) { return ReadNode(level, index); };
}

Result<crypto::Hash> MerkleLog::RootAt(uint64_t tree_size) const {
  FRONTERA_RETURN_IF_ERROR(CheckReadable(tree_size, "RootAt"));
  // RFC 9162 §2.1.1: the hash of an empty list is the hash of an empty string.
  if (tree_size == 0) return crypto::EmptyTreeHash();
  return crypto::SubtreeHash(0, tree_size, NodeReader());
}

Result<crypto::Hash> MerkleLog::LeafHashAt(uint64_t index) const {
  const uint64_t appended = appended_size_.load(std::memory_order_acquire);
  if (index >= appended) {
    return Status::InvalidArgument("LeafHashAt: leaf index " + std::to_string(index) +
                                   " is not in the log (" + std::to_string(appended) + " leaves)");
  }
  FRONTERA_RETURN_IF_ERROR(CheckReadable(index + 1, "LeafHashAt"));
  return ReadNode(0, index);
}

Result<std::vector<crypto::Hash>> MerkleLog::Nodes(int level, uint64_t first,
                                                   uint64_t count) const {
  if (level < 0 || level >= 64) {
    return Status::InvalidArgument("Nodes: level " + std::to_string(level) + " is not 0..63");
  }
  std::vector<crypto::Hash> nodes;
  if (count == 0) return nodes;
  // The last node ends at leaf (first + count) << level: that many leaves
  // must be in the tree (checked without overflowing 64 bits).
  const uint64_t end = first + count;
  if (end < first || end > (UINT64_MAX >> level)) {
    return Status::InvalidArgument("Nodes: level " + std::to_string(level) + " nodes up to " +
                                   std::to_string(first) + " + " + std::to_string(count) +
                                   " cover more than 2^64 leaves");
  }
  FRONTERA_RETURN_IF_ERROR(CheckReadable(end << level, "Nodes"));
  nodes.reserve(count);
  Status malformed;
  FRONTERA_RETURN_IF_ERROR(store_->Scan(
      Column::kMerkle, MerkleNodeKey(level, first), MerkleNodeKey(level, end), count,
      [&](std::string_view /*key*/, std::string_view value) {
        if (value.size() != kHashBytes) {
          malformed = Status::Corruption("a merkle node of level " + std::to_string(level) +
                                         " in store " + store_->dir() + " has " +
                                         std::to_string(value.size()) + " bytes, expected 32");
          return false;
        }
        crypto::Hash hash;
        std::copy(value.begin(), value.end(), reinterpret_cast<char*>(hash.data()));
        nodes.push_back(hash);
        return true;
      }));
  FRONTERA_RETURN_IF_ERROR(malformed);
  if (nodes.size() != count) {
    return Status::Corruption(std::to_string(count - nodes.size()) + " merkle nodes of level " +
                              std::to_string(level) + ", indices " + std::to_string(first) +
                              " to " + std::to_string(end - 1) + ", are missing from store " +
                              store_->dir() + " although their tree size was written");
  }
  return nodes;
}

Result<std::vector<crypto::Hash>> MerkleLog::InclusionProof(uint64_t index,
                                                            uint64_t tree_size) const {
  if (index >= tree_size) {
    return Status::InvalidArgument("InclusionProof: leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(tree_size));
  }
  FRONTERA_RETURN_IF_ERROR(CheckReadable(tree_size, "InclusionProof"));
  return crypto::InclusionProof(index, tree_size, NodeReader());
}

Result<std::vector<crypto::Hash>> MerkleLog::ConsistencyProof(uint64_t first,
                                                              uint64_t second) const {
  // RFC 9162 §2.1.4: a consistency proof is defined for 0 < first <= second;
  // every tree is consistent with the empty tree, so first = 0 has no proof.
  if (first == 0) {
    return Status::InvalidArgument("ConsistencyProof: first tree size must be at least 1");
  }
  if (first > second) {
    return Status::InvalidArgument("ConsistencyProof: first tree size " + std::to_string(first) +
                                   " is larger than second " + std::to_string(second));
  }
  FRONTERA_RETURN_IF_ERROR(CheckReadable(second, "ConsistencyProof"));
  return crypto::ConsistencyProof(first, second, NodeReader());
}

}  // namespace frontera::ledger
