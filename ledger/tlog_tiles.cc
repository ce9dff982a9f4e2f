#include "ledger/tlog_tiles.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <vector>

#include "common/check.h"

namespace frontera::ledger {
namespace {

constexpr std::string_view kPointer = "/path/tile_path";

Status Malformed(std::string_view path, const std::string& reason) {
  return Status::InvalidArgument(
      "\"" + std::string(path.substr(0, 128)) + "\" is not a tile path of C2SP tlog-tiles",
      {{std::string(kPointer), reason}});
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return parts;
    path.remove_prefix(slash + 1);
  }
}

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal without leading zeros ("0" itself allowed) up to `max`.
bool ParseSmallDecimal(std::string_view text, uint32_t max, uint32_t& value) {
  if (!AllDigits(text) || text.size() > 3 || (text.size() > 1 && text[0] == '0')) return false;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value <= max;
}

}  // namespace

std::string TilePath(const TileAddress& tile) {
  FRONTERA_CHECK(tile.level >= 0 && tile.level <= kTileLevelMax) << "tile level " << tile.level;
  FRONTERA_CHECK(tile.width >= 1 && tile.width <= kTileWidth) << "tile width " << tile.width;
  FRONTERA_CHECK(!tile.entries || tile.level == 0) << "an entry bundle has level 0";
  // tlog-tiles: <N> in groups of three digits from the right, every group
  // zero-padded, all but the last prefixed "x" (1234067 → x001/x234/067).
  std::vector<uint32_t> groups;
  uint64_t n = tile.index;
  do {
    groups.push_back(static_cast<uint32_t>(n % 1000));
    n /= 1000;
  } while (n > 0);
  std::string path = tile.entries ? "tile/entries/" : "tile/" + std::to_string(tile.level) + "/";
  char group[8];
  for (size_t i = groups.size(); i-- > 0;) {
    std::snprintf(group, sizeof group, i > 0 ? "x%03u/" : "%03u", groups[i]);
    path += group;
  }
  if (!tile.full()) path += ".p/" + std::to_string(tile.width);
  return path;
}

Result<TileAddress> ParseTilePath(std::string_view path) {
  std::vector<std::string_view> parts = Split(path);
  if (parts.size() < 3 || parts[0] != "tile") {
    return Malformed(path, "expected tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]");
  }
  TileAddress tile;
  if (parts[1] == "entries") {
    tile.entries = true;
  } else {
    uint32_t level = 0;
    if (!ParseSmallDecimal(parts[1], kTileLevelMax, level)) {
      return Malformed(path, "<L> must be \"entries\" or a decimal 0 to 63 without leading zeros");
    }
    tile.level = static_cast<int>(level);
  }
  // A partial tile: the last group of <N> ends in ".p" and <W> follows.
  std::vector<std::string_view> groups(parts.begin() + 2, parts.end());
  if (groups.size() >= 2 && groups[groups.size() - 2].ends_with(".p")) {
    uint32_t width = 0;
    if (!ParseSmallDecimal(groups.back(), kTileWidth - 1, width) || width == 0) {
      return Malformed(path, "<W> after .p/ must be a decimal 1 to 255 without leading zeros");
    }
    tile.width = width;
    groups.pop_back();
    groups.back().remove_suffix(2);
  }
  uint64_t index = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    std::string_view group = groups[i];
    const bool last = i + 1 == groups.size();
    if (!last) {
      if (!group.starts_with('x')) {
        return Malformed(path, "every group of <N> but the last must start with \"x\"");
      }
      group.remove_prefix(1);
    }
    if (group.size() != 3 || !AllDigits(group)) {
      return Malformed(path, "<N> must be groups of exactly three digits (x001/x234/067)");
    }
    if (i == 0 && !last && group == "000") {
      return Malformed(path, "<N> must not start with a group x000 (not the canonical encoding)");
    }
    uint32_t value = 0;
    std::from_chars(group.data(), group.data() + group.size(), value);
    if (index > (UINT64_MAX - value) / 1000) {
      return Malformed(path, "<N> exceeds 18446744073709551615 (2^64 - 1)");
    }
    index = index * 1000 + value;
  }
  tile.index = index;
  return tile;
}

uint32_t TileWidthAt(int level, uint64_t index, uint64_t tree_size) {
  FRONTERA_CHECK(level >= 0 && level <= kTileLevelMax) << "tile level " << level;
  // Complete perfect subtrees of tree level 8·L: floor(tree_size / 256^L).
  const int shift = kTileHeight * level;
  const uint64_t nodes = shift < 64 ? tree_size >> shift : 0;
  if (index > nodes / kTileWidth) return 0;
  return static_cast<uint32_t>(std::min<uint64_t>(kTileWidth, nodes - index * kTileWidth));
}

Status AppendBundleEntry(std::string& bundle, std::string_view entry) {
  if (entry.size() > kBundleEntryBytesMax) {
    return Status::InvalidArgument("an entry of " + std::to_string(entry.size()) +
                                   " bytes is longer than an entry bundle can carry (" +
                                   std::to_string(kBundleEntryBytesMax) + " bytes)");
  }
  bundle.push_back(static_cast<char>(entry.size() >> 8));
  bundle.push_back(static_cast<char>(entry.size() & 0xff));
  bundle.append(entry);
  return Status::Ok();
}

}  // namespace frontera::ledger
