#include "ledger/state_root.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "common/binary.h"
#include "common/check.h"
#include "common/encoding.h"
#include "crypto/json.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/merkle_log.h"
#include "ledger/stored_json.h"
#include "storage/keys.h"

namespace frontera::ledger {

using crypto::Json;
using storage::Column;

namespace {

constexpr std::string_view kStateRootDomain = "frontera-state-v2";

// The column byte of an element: fixed here, not the enum's value, so that
// reordering Column never changes a root (docs/ledger.md#state-root).
uint8_t ColumnByte(Column column) {
  switch (column) {
    case Column::kState:
      return 1;
    case Column::kIndex:
      return 2;
    default:
      break;
  }
  FRONTERA_CHECK(false) << "column " << storage::ColumnName(column) << " is not ledger state";
  return 0;
}

std::string_view HashView(const crypto::Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string Short(const crypto::Hash& h) { return Base64Encode(h); }

// The log root recomputed from the stored leaf hashes (kMerkle level 0),
// checking every stored perfect subtree above them on the way.
Result<crypto::Hash> RecomputeLogRoot(const storage::KvStore& store, uint64_t tree_size) {
  crypto::MerkleFrontier frontier;
  std::vector<crypto::MerkleFrontier::Node> completed;
  Status failed;
  const std::string begin = MerkleNodeKey(0, 0);
  const std::string end = MerkleNodeKey(1, 0);  // level 1 starts where level 0 ends
  Status scanned = store.Scan(
      Column::kMerkle, begin, end, storage::KvStore::kNoLimit,
      [&](std::string_view key, std::string_view value) {
        const uint64_t index = frontier.tree_size();
        if (index >= tree_size) {
          failed = Status::Corruption(
              "the Merkle log holds more leaves than its tree "
              "size " +
              std::to_string(tree_size));
          return false;
        }
        if (key != MerkleNodeKey(0, index)) {
          failed = Status::Corruption("Merkle leaf " + std::to_string(index) +
                                      " is missing (the next stored leaf is another)");
          return false;
        }
        if (value.size() != std::tuple_size_v<crypto::Hash>) {
          failed = Status::Corruption("Merkle leaf " + std::to_string(index) + " is not 32 bytes");
          return false;
        }
        crypto::Hash leaf_hash;
        std::copy(value.begin(), value.end(), reinterpret_cast<char*>(leaf_hash.data()));
        completed.clear();
        frontier.Append(leaf_hash, completed);
        // Proofs are served from the stored subtrees: they must be
        // the ones these leaves make.
        for (const crypto::MerkleFrontier::Node& node : completed) {
          if (node.level == 0) continue;
          auto stored = store.Get(Column::kMerkle, MerkleNodeKey(node.level, node.index));
          if (!stored.ok()) {
            failed = stored.status();
            return false;
          }
          if (!stored->has_value() || **stored != HashView(node.hash)) {
            failed = Status::Corruption(
                "Merkle node (level " + std::to_string(node.level) + ", index " +
                std::to_string(node.index) + ") is " +
                (stored->has_value() ? "not the hash of its leaves" : "missing"));
            return false;
          }
        }
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scanned);
  FRONTERA_RETURN_IF_ERROR(failed);
  if (frontier.tree_size() != tree_size) {
    return Status::Corruption("the Merkle log holds " + std::to_string(frontier.tree_size()) +
                              " leaves but its tree size is " + std::to_string(tree_size));
  }
  return frontier.Root();
}

}  // namespace

std::string EncodeSummary(const LedgerSummary& s) {
  return Json{{"applied_index", s.applied_index},
              {"block_height", s.block_height},
              {"block_hash", Base64Encode(s.block_hash)},
              {"tree_size", s.tree_size},
              {"root", Base64Encode(s.root)},
              {"state_root", Base64Encode(s.state_root)},
              {"certificates", s.certificates},
              {"documents_accepted", s.documents_accepted},
              {"documents_rejected", s.documents_rejected}}
      .dump();
}

Result<LedgerSummary> DecodeSummary(std::string_view text, bool* has_state_root) {
  auto parsed = crypto::ParseJson(text);
  if (!parsed.ok() || !parsed->is_object()) {
    return Status::Corruption("ledger summary is not a JSON object");
  }
  const Json& j = *parsed;
  LedgerSummary s;
  FRONTERA_ASSIGN_OR_RETURN(s.applied_index, StoredUint(j, "applied_index", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.block_height, StoredUint(j, "block_height", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.block_hash, StoredHash(j, "block_hash", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.tree_size, StoredUint(j, "tree_size", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.root, StoredHash(j, "root", "ledger summary"));
  const bool state_root = j.contains("state_root");
  if (state_root) {
    FRONTERA_ASSIGN_OR_RETURN(s.state_root, StoredHash(j, "state_root", "ledger summary"));
  }
  if (has_state_root != nullptr) *has_state_root = state_root;
  FRONTERA_ASSIGN_OR_RETURN(s.certificates, StoredUint(j, "certificates", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.documents_accepted,
                            StoredUint(j, "documents_accepted", "ledger summary"));
  FRONTERA_ASSIGN_OR_RETURN(s.documents_rejected,
                            StoredUint(j, "documents_rejected", "ledger summary"));
  return s;
}

bool IsStateColumn(Column column) { return column == Column::kState || column == Column::kIndex; }

std::string StateElement(Column column, std::string_view key, std::string_view value) {
  FRONTERA_CHECK(key.size() <= UINT32_MAX) << "state key of " << key.size() << " bytes";
  const uint32_t key_bytes = static_cast<uint32_t>(key.size());
  std::string element;
  element.reserve(1 + 4 + key.size() + value.size());
  BinaryWriter w(element);
  w.U8(ColumnByte(column));
  w.U32(key_bytes);
  w.Raw(key);
  w.Raw(value);
  return element;
}

crypto::Hash StateRoot(const crypto::LtHash16& lthash) {
  crypto::Sha256Hasher hasher;
  hasher.Update(kStateRootDomain);
  hasher.Update(lthash.ToBytes());
  return hasher.Finish();
}

Status FoldStateWrites(const storage::KvStore& store, const storage::WriteBatch& batch,
                       size_t first_op, crypto::LtHash16& lthash) {
  const std::vector<storage::WriteBatch::Op>& ops = batch.operations();
  FRONTERA_CHECK(first_op <= ops.size()) << "fold from op " << first_op << " of " << ops.size();
  for (size_t i = 0; i < first_op; ++i) {
    FRONTERA_CHECK(!IsStateColumn(ops[i].column))
        << "ledger state staged before the block's writes (op " << i << ")";
  }
  // The value each touched key holds after the operations folded so far;
  // nullopt = absent. Seeded from the store on first touch.
  std::map<std::pair<Column, std::string_view>, std::optional<std::string>> current;
  for (size_t i = first_op; i < ops.size(); ++i) {
    const storage::WriteBatch::Op& op = ops[i];
    if (!IsStateColumn(op.column)) continue;
    FRONTERA_CHECK(op.type != storage::WriteBatch::OpType::kDeleteRange)
        << "a DeleteRange of ledger state cannot be folded into the state root";
    auto [it, inserted] = current.try_emplace({op.column, op.key});
    if (inserted) {
      FRONTERA_ASSIGN_OR_RETURN(it->second, store.Get(op.column, op.key));
    }
    if (it->second) lthash.Remove(StateElement(op.column, op.key, *it->second));
    if (op.type == storage::WriteBatch::OpType::kPut) {
      lthash.Add(StateElement(op.column, op.key, op.value));
      it->second = op.value;
    } else {
      it->second.reset();
    }
  }
  return Status::Ok();
}

Result<crypto::LtHash16> ScanStateLtHash(const storage::KvStore& store) {
  crypto::LtHash16 lthash;
  for (Column column : {Column::kState, Column::kIndex}) {
    FRONTERA_RETURN_IF_ERROR(store.Scan(column, "", "", storage::KvStore::kNoLimit,
                                        [&](std::string_view key, std::string_view value) {
                                          lthash.Add(StateElement(column, key, value));
                                          return true;
                                        }));
  }
  return lthash;
}

Result<LedgerRoots> RecomputeRoots(const storage::KvStore& store) {
  LedgerSummary summary;
  bool summary_has_state_root = false;
  FRONTERA_ASSIGN_OR_RETURN(auto summary_text, store.Get(Column::kMeta, kMetaSummaryKey));
  if (summary_text) {
    FRONTERA_ASSIGN_OR_RETURN(summary, DecodeSummary(*summary_text, &summary_has_state_root));
  } else {
    summary.root = crypto::EmptyTreeHash();
    summary.state_root = StateRoot(crypto::LtHash16());
    summary_has_state_root = true;
  }

  // The log, from its leaves.
  uint64_t tree_size = 0;
  FRONTERA_ASSIGN_OR_RETURN(auto tree_size_text, store.Get(Column::kMeta, kMerkleTreeSizeKey));
  if (tree_size_text) {
    auto decoded = storage::DecodeUint64(*tree_size_text);
    if (!decoded.ok()) return Status::Corruption("kMeta merkle/tree_size is not 8 bytes");
    tree_size = *decoded;
  }
  FRONTERA_ASSIGN_OR_RETURN(crypto::Hash log_root, RecomputeLogRoot(store, tree_size));

  // The state, from its entries.
  FRONTERA_ASSIGN_OR_RETURN(crypto::LtHash16 lthash, ScanStateLtHash(store));
  const crypto::Hash state_root = StateRoot(lthash);
  FRONTERA_ASSIGN_OR_RETURN(auto running_text, store.Get(Column::kMeta, kMetaStateLtHashKey));
  if (running_text) {
    auto running = crypto::LtHash16::FromBytes(*running_text);
    if (!running.ok()) return Status::Corruption("kMeta ledger/state_lthash is not 2048 bytes");
    if (!(*running == lthash)) {
      return Status::Corruption("state root mismatch: the kState/kIndex entries hash to " +
                                Short(state_root) + " but the running state hash in kMeta is " +
                                Short(StateRoot(*running)));
    }
  }

  // The blocks, as a hash chain.
  crypto::Hash previous_hash{};
  uint64_t height = 0;
  std::optional<BlockHeader> last;
  Status failed;
  Status scanned = store.Scan(
      Column::kBlocks, "", "", storage::KvStore::kNoLimit,
      [&](std::string_view key, std::string_view value) {
        const uint64_t expected = height + 1;
        if (key != storage::EncodeUint64(expected)) {
          failed = Status::Corruption("block " + std::to_string(expected) +
                                      " is missing (the next stored block has another key)");
          return false;
        }
        auto header = ParseBlockHeader(value);
        if (!header.ok()) {
          failed = Status::Corruption("block " + std::to_string(expected) + ": " +
                                      header.status().message());
          return false;
        }
        if (header->height != expected || header->previous_hash != previous_hash) {
          failed = Status::Corruption("block " + std::to_string(expected) +
                                      " does not chain to the block before it");
          return false;
        }
        previous_hash = crypto::Sha256(value);
        height = expected;
        last = std::move(header).value();
        return true;
      });
  FRONTERA_RETURN_IF_ERROR(scanned);
  FRONTERA_RETURN_IF_ERROR(failed);

  if (height != summary.block_height || previous_hash != summary.block_hash) {
    return Status::Corruption(
        "block hash mismatch: the stored blocks end at height " + std::to_string(height) +
        " with hash " + Short(previous_hash) + "; the ledger summary says height " +
        std::to_string(summary.block_height) + " with hash " + Short(summary.block_hash));
  }
  const crypto::Hash block_state_root =
      last ? last->state_root.value_or(crypto::Hash{}) : StateRoot(crypto::LtHash16());
  if (last && !last->state_root) {
    return Status::Corruption("block " + std::to_string(height) +
                              " has no state root (written before state roots existed)");
  }
  const uint64_t block_tree_size = last ? last->tree_size : 0;
  const crypto::Hash block_log_root = last ? last->root : crypto::EmptyTreeHash();
  if (tree_size != block_tree_size || tree_size != summary.tree_size) {
    return Status::Corruption("tree size mismatch: the Merkle log holds " +
                              std::to_string(tree_size) + " leaves, block " +
                              std::to_string(height) + " says " + std::to_string(block_tree_size) +
                              ", the ledger summary " + std::to_string(summary.tree_size));
  }
  if (log_root != block_log_root || log_root != summary.root) {
    return Status::Corruption("log root mismatch: the leaves hash to " + Short(log_root) +
                              ", block " + std::to_string(height) + " says " +
                              Short(block_log_root) + ", the ledger summary " +
                              Short(summary.root));
  }
  if (state_root != block_state_root ||
      (summary_has_state_root && state_root != summary.state_root)) {
    return Status::Corruption("state root mismatch: the kState/kIndex entries hash to " +
                              Short(state_root) + ", block " + std::to_string(height) + " says " +
                              Short(block_state_root) + ", the ledger summary " +
                              Short(summary.state_root));
  }
  if (last && last->log_index != summary.applied_index) {
    return Status::Corruption("block " + std::to_string(height) + " came from log index " +
                              std::to_string(last->log_index) +
                              " but the ledger summary says it applied " +
                              std::to_string(summary.applied_index));
  }
  return LedgerRoots{height, previous_hash, tree_size, log_root, state_root};
}

}  // namespace frontera::ledger
