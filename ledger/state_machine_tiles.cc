// StateMachine::TlogTile: the Merkle log as C2SP tlog-tiles resources
// (ledger/tlog_tiles.h, docs/api.md "Transparency log tiles").
#include <string>
#include <vector>

#include "ledger/state_machine.h"
#include "ledger/state_machine_internal.h"

namespace frontera::ledger {

using storage::Column;

Result<std::string> StateMachine::TlogTile(const TileAddress& tile) const {
  // Only what a co-signed checkpoint covers: a client verifies every tile
  // against one, and a tree size beyond it is not yet agreed in public.
  const uint64_t tree_size = checkpoint_tree_size();
  const uint32_t available = TileWidthAt(tile.level, tile.index, tree_size);
  if (available < tile.width) {
    return Status::NotFound(TilePath(tile) + " is not in the tree of the latest checkpoint (" +
                            std::to_string(tree_size) + " leaves; it has " +
                            std::to_string(available) + " of its " + std::to_string(tile.width) +
                            (tile.entries ? " entries)" : " hashes)"));
  }
  const uint64_t first = tile.index * kTileWidth;
  std::string out;
  if (!tile.entries) {
    FRONTERA_ASSIGN_OR_RETURN(std::vector<crypto::Hash> nodes,
                              merkle_->Nodes(kTileHeight * tile.level, first, tile.width));
    out.reserve(nodes.size() * sizeof(crypto::Hash));
    for (const crypto::Hash& node : nodes) {
      out.append(reinterpret_cast<const char*>(node.data()), node.size());
    }
    return out;
  }
  // Leaf i's document is stored as kind ‖ canonical text under DocKey(i); the
  // leaf hash is RFC 6962's of the canonical text alone (state_machine_apply.cc).
  uint64_t expected = first;
  Status problem;
  FRONTERA_RETURN_IF_ERROR(store_->Scan(
      Column::kState, DocKey(first), DocKey(first + tile.width), tile.width,
      [&](std::string_view key, std::string_view value) {
        if (key != DocKey(expected) || value.empty()) {
          problem = Status::Corruption("the document of leaf " + std::to_string(expected) +
                                       " is missing from the ledger store");
          return false;
        }
        value.remove_prefix(1);
        if (Status s = AppendBundleEntry(out, value); !s.ok()) {
          problem = Status::NotFound(
              TilePath(tile) + " cannot be served: the document of leaf " +
              std::to_string(expected) + " has " + std::to_string(value.size()) +
              " bytes, more than the 65,535 an entry bundle can carry; read it with its "
              "certificate (GET /v1/certificates/{id})");
          return false;
        }
        ++expected;
        return true;
      }));
  FRONTERA_RETURN_IF_ERROR(problem);
  if (expected != first + tile.width) {
    return Status::Corruption("the document of leaf " + std::to_string(expected) +
                              " is missing from the ledger store");
  }
  return out;
}

}  // namespace frontera::ledger
