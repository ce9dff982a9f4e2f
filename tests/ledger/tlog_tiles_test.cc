// ledger/tlog_tiles.h and MerkleLog::Nodes: tile paths against the examples
// of C2SP tlog-tiles, which tiles a tree of a given size has, and the tiles
// and entry bundles of real trees against an independent RFC 6962
// computation (tests/ledger/tlog_tiles_check.py, python3 hashlib only).
#include "ledger/tlog_tiles.h"

#include <doctest/doctest.h>
#include <stdio.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "common/encoding.h"
#include "crypto/merkle.h"
#include "ledger/merkle_log.h"
#include "storage/kv_store.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/temp_dir.h"

namespace frontera::ledger {
namespace {

TileAddress Tile(int level, uint64_t index, uint32_t width = kTileWidth) {
  TileAddress tile;
  tile.level = level;
  tile.index = index;
  tile.width = width;
  return tile;
}

TileAddress Bundle(uint64_t index, uint32_t width = kTileWidth) {
  TileAddress tile = Tile(0, index, width);
  tile.entries = true;
  return tile;
}

TEST_CASE("tile paths: the spec's example index 1234067 is x001/x234/067, .p/<W> for partials") {
  CHECK(TilePath(Tile(0, 1234067)) == "tile/0/x001/x234/067");
  CHECK(TilePath(Tile(3, 1234067, 8)) == "tile/3/x001/x234/067.p/8");
  CHECK(TilePath(Bundle(1234067)) == "tile/entries/x001/x234/067");
  CHECK(TilePath(Bundle(1234067, 8)) == "tile/entries/x001/x234/067.p/8");
  CHECK(TilePath(Tile(0, 0)) == "tile/0/000");
  CHECK(TilePath(Tile(1, 0, 1)) == "tile/1/000.p/1");
  CHECK(TilePath(Tile(0, 999, 255)) == "tile/0/999.p/255");
  CHECK(TilePath(Tile(0, 1000)) == "tile/0/x001/000");
  CHECK(TilePath(Tile(63, 1000000)) == "tile/63/x001/x000/000");
  CHECK(TilePath(Tile(0, UINT64_MAX)) == "tile/0/x018/x446/x744/x073/x709/x551/615");

  for (const TileAddress& tile :
       {Tile(0, 1234067), Tile(3, 1234067, 8), Bundle(1234067), Bundle(1234067, 8), Tile(0, 0),
        Tile(1, 0, 1), Tile(0, 999, 255), Tile(0, 1000), Tile(63, 1000000), Tile(0, UINT64_MAX),
        Bundle(272, 112)}) {
    CAPTURE(TilePath(tile));
    Result<TileAddress> parsed = ParseTilePath(TilePath(tile));
    REQUIRE_MESSAGE(parsed.ok(), parsed.status().ToString());
    CHECK(*parsed == tile);
  }
}

TEST_CASE("a path that is not the spec's canonical form is refused, naming /path/tile_path") {
  for (const char* path : {
           "tile/0/1234067",                            // N not in 3-digit groups
           "tile/0/x001/234/067",                       // a group without its x
           "tile/0/001/x234/067",                       // the first group without its x
           "tile/0/x001/x234/x067",                     // the last group with an x
           "tile/0/x000/067",                           // a leading zero group
           "tile/0/x01/067",                            // a short group
           "tile/0/0067",                               // a long group
           "tile/0/06a",                                // not digits
           "tile/00/000",                               // L with a leading zero
           "tile/64/000",                               // L above 63
           "tile/-1/000",                               // a negative L
           "tile/data/000",                             // neither a level nor entries
           "tile/0/000.p/0",                            // W 0
           "tile/0/000.p/256",                          // W 256 (a full tile has no .p)
           "tile/0/000.p/08",                           // W with a leading zero
           "tile/0/000.p",                              // .p without W
           "tile/0/000.p/5/6",                          // something after W
           "tile/0/000/",                               // a trailing slash
           "tile/0/",                                   // no N
           "tile/0",                                    // no N
           "tile/entries/0",                            // an entries N not in groups
           "tiles/0/000",                               // not tile/
           "tile/0/x018/x446/x744/x073/x709/x551/616",  // 2^64
       }) {
    CAPTURE(path);
    Result<TileAddress> parsed = ParseTilePath(path);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().IsInvalidArgument());
    REQUIRE(parsed.status().field_errors().size() == 1);
    CHECK(parsed.status().field_errors()[0].pointer == "/path/tile_path");
  }
}

TEST_CASE("which tiles a tree has: the spec's trees of 70,000 and 256 leaves") {
  // "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
  // partial level 0 tile of width 112, one full level 1 tile, one partial
  // level 1 tile of width 17, and one partial level 2 tile of width 1."
  for (uint64_t n = 0; n < 273; ++n) CHECK(TileWidthAt(0, n, 70000) == 256);
  CHECK(TileWidthAt(0, 273, 70000) == 112);
  CHECK(TileWidthAt(0, 274, 70000) == 0);
  CHECK(TileWidthAt(1, 0, 70000) == 256);
  CHECK(TileWidthAt(1, 1, 70000) == 17);
  CHECK(TileWidthAt(1, 2, 70000) == 0);
  CHECK(TileWidthAt(2, 0, 70000) == 1);
  CHECK(TileWidthAt(2, 1, 70000) == 0);
  CHECK(TileWidthAt(3, 0, 70000) == 0);
  // "a tree of size 256 will be represented by a full level 0 tile and a
  // partial level 1 tile of width 1."
  CHECK(TileWidthAt(0, 0, 256) == 256);
  CHECK(TileWidthAt(0, 1, 256) == 0);
  CHECK(TileWidthAt(1, 0, 256) == 1);
  CHECK(TileWidthAt(2, 0, 256) == 0);
  // Empty trees have no tiles; huge indices and levels neither overflow nor
  // exist.
  CHECK(TileWidthAt(0, 0, 0) == 0);
  CHECK(TileWidthAt(0, UINT64_MAX, UINT64_MAX) == 0);
  CHECK(TileWidthAt(0, UINT64_MAX / 256, UINT64_MAX) == 255);
  CHECK(TileWidthAt(7, 0, UINT64_MAX) == 255);
  CHECK(TileWidthAt(8, 0, UINT64_MAX) == 0);
  CHECK(TileWidthAt(63, 0, UINT64_MAX) == 0);
}

TEST_CASE("an entry bundle entry is a big-endian uint16 length, then the bytes") {
  std::string bundle;
  REQUIRE(AppendBundleEntry(bundle, "abc").ok());
  REQUIRE(AppendBundleEntry(bundle, "").ok());
  REQUIRE(AppendBundleEntry(bundle, std::string(0x1234, 'x')).ok());
  CHECK(bundle.substr(0, 7) == std::string("\x00\x03"
                                           "abc"
                                           "\x00\x00",
                                           7));
  CHECK(bundle.substr(7, 2) == "\x12\x34");
  CHECK(bundle.size() == 9 + 0x1234);
  REQUIRE(AppendBundleEntry(bundle, std::string(kBundleEntryBytesMax, 'y')).ok());
  CHECK(bundle.substr(9 + 0x1234, 2) == "\xff\xff");
  const size_t before = bundle.size();
  Status too_long = AppendBundleEntry(bundle, std::string(kBundleEntryBytesMax + 1, 'z'));
  CHECK(too_long.IsInvalidArgument());
  CHECK(too_long.message().find("65535") != std::string::npos);
  CHECK(bundle.size() == before);  // nothing appended
}

// ---------------------------------------------------------------------------
// Real trees against the independent computation.

std::string Entry(uint64_t i) {
  // Lengths vary from empty to the largest a bundle carries.
  if (i == 5) return "";
  if (i == 300) return std::string(kBundleEntryBytesMax, 'm');
  return "entry " + std::to_string(i) + std::string(i * 37 % 300, 'a' + i % 26);
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  REQUIRE(out.good());
}

// Writes, below `dir`, the checkpoint body of the first `size` leaves and
// every tile and bundle TileWidthAt says that tree has, read from `log`.
void WriteTree(const MerkleLog& log, uint64_t size, const std::string& dir) {
  Result<crypto::Hash> root = log.RootAt(size);
  REQUIRE(root.ok());
  WriteFile(dir + "/checkpoint",
            "frontera.test/tiles\n" + std::to_string(size) + "\n" + Base64Encode(*root) + "\n");
  for (int level = 0; TileWidthAt(level, 0, size) > 0; ++level) {
    for (uint64_t n = 0; TileWidthAt(level, n, size) > 0; ++n) {
      const uint32_t width = TileWidthAt(level, n, size);
      Result<std::vector<crypto::Hash>> nodes =
          log.Nodes(kTileHeight * level, n * kTileWidth, width);
      REQUIRE_MESSAGE(nodes.ok(), nodes.status().ToString());
      std::string bytes;
      for (const crypto::Hash& h : *nodes)
        bytes.append(reinterpret_cast<const char*>(h.data()), 32);
      WriteFile(dir + "/" + TilePath(Tile(level, n, width)), bytes);
      if (level != 0) continue;
      std::string bundle;
      Status appended;
      for (uint64_t i = n * kTileWidth; i < n * kTileWidth + width && appended.ok(); ++i) {
        appended = AppendBundleEntry(bundle, Entry(i));
      }
      REQUIRE_MESSAGE(appended.ok(), appended.ToString());
      WriteFile(dir + "/" + TilePath(Bundle(n, width)), bundle);
    }
  }
}

std::string RunCheck(const std::vector<std::string>& dirs, int& exit_code) {
  std::string command =
      "python3 " + std::string(FRONTERA_SOURCE_DIR) + "/tests/ledger/tlog_tiles_check.py";
  for (const std::string& d : dirs) command += " " + d;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  exit_code = WEXITSTATUS(status);
  return output;
}

TEST_CASE("tiles and bundles of trees of 1 to 70,000 leaves match an independent RFC 6962 tree") {
  testing::TempDir tmp("tlog-tiles");
  auto store = storage::KvStore::Open(tmp.Sub("store"), storage::KvOptions{});
  REQUIRE(store.ok());
  auto opened = MerkleLog::Open(store->get());
  REQUIRE(opened.ok());
  MerkleLog& log = **opened;
  constexpr uint64_t kLeaves = 70000;
  while (log.tree_size() < kLeaves) {
    storage::WriteBatch batch;
    for (int i = 0; i < 5000 && log.tree_size() < kLeaves; ++i) {
      log.Append(crypto::LeafHash(AsBytes(Entry(log.tree_size()))), batch);
    }
    REQUIRE((*store)->Write(batch, /*sync=*/false).ok());
  }
  // Every size from the one tree: a tile of an older size is the first W
  // hashes of what the grown tree stores, as a node serves it. Level-1 tiles
  // appear at 256, level 2 at 65,536; 70,000 is the spec's example.
  std::vector<std::string> dirs;
  for (uint64_t size :
       {uint64_t{1}, uint64_t{255}, uint64_t{256}, uint64_t{257}, uint64_t{65536}, kLeaves}) {
    dirs.push_back(tmp.Sub("size-" + std::to_string(size)));
    WriteTree(log, size, dirs.back());
  }
  int code = 0;
  std::string output = RunCheck(dirs, code);
  CHECK_MESSAGE(code == 0, output);
  CHECK(output.find("70000 leaves: 551 resources match RFC 6962") != std::string::npos);

  SUBCASE("the check itself fails on a wrong hash, a missing tile and an extra one") {
    // The tree of 257 leaves: one flipped byte in its first tile's second hash.
    const std::string dir = dirs[3];
    const std::string tile = dir + "/tile/0/000";
    std::string bytes;
    {
      std::ifstream in(tile, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    bytes[40] ^= 1;
    WriteFile(tile, bytes);
    CHECK(RunCheck({dir}, code).find("tile/0/000: hash 1 differs") != std::string::npos);
    CHECK(code == 1);
    std::filesystem::remove(tile);
    CHECK(RunCheck({dir}, code).find("missing ['tile/0/000']") != std::string::npos);
    CHECK(code == 1);
    WriteFile(dirs[0] + "/tile/0/000.p/2", std::string(64, '\0'));
    CHECK(RunCheck({dirs[0]}, code).find("unexpected ['tile/0/000.p/2']") != std::string::npos);
    CHECK(code == 1);
  }
}

TEST_CASE("MerkleLog::Nodes reads a row of stored subtrees and refuses what the tree lacks") {
  testing::TempDir tmp("tlog-nodes");
  auto store = storage::KvStore::Open(tmp.Sub("store"), storage::KvOptions{});
  REQUIRE(store.ok());
  auto opened = MerkleLog::Open(store->get());
  REQUIRE(opened.ok());
  MerkleLog& log = **opened;
  storage::WriteBatch batch;
  std::vector<crypto::Hash> leaves;
  for (uint64_t i = 0; i < 600; ++i) {
    leaves.push_back(crypto::LeafHash(AsBytes(Entry(i))));
    log.Append(leaves.back(), batch);
  }
  // Staged, not written: nothing may be read yet.
  CHECK(log.Nodes(0, 0, 1).status().IsFailedPrecondition());
  REQUIRE((*store)->Write(batch, false).ok());

  Result<std::vector<crypto::Hash>> row = log.Nodes(0, 256, 256);
  REQUIRE(row.ok());
  CHECK(std::vector<crypto::Hash>(leaves.begin() + 256, leaves.begin() + 512) == *row);
  row = log.Nodes(8, 0, 2);  // two perfect subtrees of 256 leaves
  REQUIRE(row.ok());
  CHECK((*row)[0] == crypto::RootFromLeafHashes({leaves.begin(), leaves.begin() + 256}));
  CHECK((*row)[1] == crypto::RootFromLeafHashes({leaves.begin() + 256, leaves.begin() + 512}));
  CHECK(log.Nodes(8, 0, 0)->empty());
  CHECK(log.Nodes(8, 0, 3).status().IsInvalidArgument());  // 768 leaves > 600
  CHECK(log.Nodes(0, 599, 2).status().IsInvalidArgument());
  CHECK(log.Nodes(64, 0, 1).status().IsInvalidArgument());
  CHECK(log.Nodes(-1, 0, 1).status().IsInvalidArgument());
  CHECK(log.Nodes(1, UINT64_MAX, 2).status().IsInvalidArgument());  // wraps
  CHECK(log.Nodes(63, 1, 1).status().IsInvalidArgument());          // 2^64 leaves
}

// The entries of a bundle, or a failed check when it is not one.
std::vector<std::string> DecodeBundle(const std::string& bundle) {
  std::vector<std::string> entries;
  size_t at = 0;
  while (at < bundle.size()) {
    REQUIRE(at + 2 <= bundle.size());
    const size_t length =
        static_cast<uint8_t>(bundle[at]) << 8 | static_cast<uint8_t>(bundle[at + 1]);
    REQUIRE(at + 2 + length <= bundle.size());
    entries.push_back(bundle.substr(at + 2, length));
    at += 2 + length;
  }
  return entries;
}

std::string LeafHashBytes(const std::string& entry) {
  const crypto::Hash h = crypto::LeafHash(AsBytes(entry));
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

TEST_CASE(
    "StateMachine::TlogTile serves the documents and leaf hashes of the co-signed tree only") {
  crypto::InitCrypto();
  TempStore store;
  auto opened = StateMachine::Open(store.get(), ExampleGenesis(), {});
  REQUIRE(opened.ok());
  StateMachine& sm = **opened;
  const Proposal p1{kNov30,
                    {Doc(DocumentKind::kCredential, Fixture("pharma-credential.json")),
                     Doc(DocumentKind::kCredential, Fixture("precursor-credential.json"))}};
  REQUIRE(ApplyAndWrite(sm, store.get(), 1, p1).tree_size == 2);  // co-signed at 2
  // The next block is written and published, its checkpoint not co-signed yet.
  const Proposal p2{kNov30 + 1000,
                    {Doc(DocumentKind::kEvent, Fixture("shipping-event.json"),
                         "urn:uuid:0b6f3c1e-5d2a-4c8e-9f1a-2b3c4d5e6f70")}};
  storage::WriteBatch batch;
  REQUIRE(sm.Apply(2, p2, nullptr, batch).tree_size == 3);
  REQUIRE(store.get()->Write(batch, true).ok());
  sm.Publish();

  // Each entry is the document's canonical text; the tile its leaf hash.
  Result<std::string> bundle = sm.TlogTile(Bundle(0, 2));
  REQUIRE_MESSAGE(bundle.ok(), bundle.status().ToString());
  const std::vector<std::string> entries = DecodeBundle(*bundle);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0] == p1.documents[0].canonical);
  CHECK(entries[1] == p1.documents[1].canonical);
  Result<std::string> tile = sm.TlogTile(Tile(0, 0, 2));
  REQUIRE(tile.ok());
  CHECK(*tile == LeafHashBytes(entries[0]) + LeafHashBytes(entries[1]));

  // Leaf 2 is written but no checkpoint covers it: not served yet.
  for (const TileAddress& beyond : {Tile(0, 0, 3), Bundle(0, 3), Tile(0, 0), Bundle(0),
                                    Tile(1, 0, 1), Tile(0, 1, 1), Tile(8, 0, 1)}) {
    CAPTURE(TilePath(beyond));
    Result<std::string> answer = sm.TlogTile(beyond);
    CHECK(answer.status().IsNotFound());
    CHECK(answer.status().message().find("(2 leaves") != std::string::npos);
  }
  sm.PublishCheckpoint(3, "note 3\n", "revocations\n");
  tile = sm.TlogTile(Tile(0, 0, 3));
  REQUIRE(tile.ok());
  CHECK(tile->substr(0, 64) == LeafHashBytes(entries[0]) + LeafHashBytes(entries[1]));
  CHECK(tile->substr(64) == LeafHashBytes(p2.documents[0].canonical));
  bundle = sm.TlogTile(Bundle(0, 3));
  REQUIRE(bundle.ok());
  CHECK(DecodeBundle(*bundle).back() == p2.documents[0].canonical);
  // The older checkpoint's partial tile stays available.
  CHECK(sm.TlogTile(Tile(0, 0, 2)).ok());
}

}  // namespace
}  // namespace frontera::ledger
