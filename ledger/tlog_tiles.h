// The Merkle log as C2SP tlog-tiles (docs/api.md, "Transparency log tiles"):
// the resource paths of tiles and entry bundles, which of them a tree of a
// given size has, and the entry bundle encoding. Reading the hashes is
// MerkleLog::Nodes; the documents are the StateMachine's.
//
// A tile at level L holds the perfect subtrees of tree level 8·L (each the
// MTH of 256^L leaves), 256 of them when full: exactly the nodes MerkleLog
// stores at level 8·L, indices N·256 to N·256 + W - 1.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/status.h"

namespace frontera::ledger {

// Tree levels per tile (the spec fixes it at 8), and hashes in a full tile
// or entries in a full bundle.
inline constexpr int kTileHeight = 8;
inline constexpr uint32_t kTileWidth = 256;
// <L> is 0..63 in a path; a tree of at most 2^64 leaves has tiles of level
// 0..7 only, so a higher level is well-formed but never served.
inline constexpr int kTileLevelMax = 63;
// An entry's length is a big-endian uint16 in a bundle.
inline constexpr size_t kBundleEntryBytesMax = 65535;

// One resource below tile/: a hash tile (tile/<L>/<N>[.p/<W>]) or an entry
// bundle (tile/entries/<N>[.p/<W>]).
struct TileAddress {
  bool entries = false;         // an entry bundle; then level is 0
  int level = 0;                // 0..kTileLevelMax
  uint64_t index = 0;           // <N>
  uint32_t width = kTileWidth;  // 1..256; 256 is a full tile (no .p/<W>)

  bool full() const { return width == kTileWidth; }
  bool operator==(const TileAddress&) const = default;
};

// The path below the log's prefix, e.g. {level 0, index 1234067, width 8}
// is "tile/0/x001/x234/067.p/8". REQUIRES: the fields in their ranges.
std::string TilePath(const TileAddress& tile);

// The inverse of TilePath, accepting only the spec's canonical form: <L>
// decimal 0..63 without leading zeros, or "entries"; <N> as 3-digit groups,
// all but the last prefixed "x", the first group not "x000"; <W> decimal
// 1..255 without leading zeros. kInvalidArgument saying what is wrong
// otherwise (at "/path/tile_path").
Result<TileAddress> ParseTilePath(std::string_view path);

// How many hashes tile `index` of `level` holds in a tree of `tree_size`
// leaves: floor(tree_size / 256^level) - index·256, clamped to 0..256 (256:
// the full tile exists; 0: no tile of that index yet). For entry bundles,
// level 0. A tile of width W may be served once this is at least W.
uint32_t TileWidthAt(int level, uint64_t index, uint64_t tree_size);

// Appends one entry to an entry bundle: its length as a big-endian uint16,
// then its bytes. kInvalidArgument when the entry is longer than
// kBundleEntryBytesMax (the encoding cannot carry it).
Status AppendBundleEntry(std::string& bundle, std::string_view entry);

}  // namespace frontera::ledger
