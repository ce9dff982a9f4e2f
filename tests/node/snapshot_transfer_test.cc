// Snapshot transfer (docs/consensus.md#snapshots): a snapshot directory is
// streamed as chunks and staged by the follower; only a whole, in-order,
// bounded transfer of regular files with safe names is ever complete.
#include "node/snapshot_transfer.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/sha256.h"
#include "node/peer_transport.h"
#include "tests/temp_dir.h"

namespace frontera::node {
namespace {

namespace fs = std::filesystem;

// The shared temporary directory, seen as a path.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("snapshot") {}
  fs::path path() const { return testing::TempDir::path(); }
};

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every regular file of `dir`, by name.
std::map<std::string, std::string> ReadDir(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    REQUIRE(e.is_regular_file());
    out[e.path().filename().string()] = ReadFile(e.path());
  }
  return out;
}

// Deterministic bytes covering every byte value (NUL and high bytes too).
std::string PatternBytes(size_t n, uint8_t salt) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>((i * 131 + salt) & 0xff);
  return out;
}

constexpr size_t kChunkBytes = 64;

// The files of a small RocksDB-like checkpoint: one empty, one spanning
// several chunks, one exactly one chunk long.
std::map<std::string, std::string> SnapshotFiles() {
  return {{"000007.sst", PatternBytes(kChunkBytes * 3 + 17, 7)},
          {"CURRENT", "MANIFEST-000005\n"},
          {"LOCK", ""},
          {"MANIFEST-000005", PatternBytes(kChunkBytes, 5)},
          {"OPTIONS-000009", PatternBytes(1, 9)}};
}

void WriteSnapshot(const fs::path& dir, const std::map<std::string, std::string>& files) {
  fs::create_directories(dir);
  for (const auto& [name, bytes] : files) WriteFile(dir / name, bytes);
}

// Streams `dir` and returns the encoded chunks in the order sent.
std::vector<std::string> Stream(const fs::path& dir, const consensus::SnapshotMeta& meta,
                                size_t chunk_bytes = kChunkBytes) {
  std::vector<std::string> sent;
  Status s = StreamSnapshot(dir.string(), meta, chunk_bytes, [&](std::string chunk) {
    sent.push_back(std::move(chunk));
    return true;
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return sent;
}

// The leader that every single-sender case below streams from, and its term
// (newer than every snapshot term used).
constexpr uint64_t kLeader = 2;
constexpr uint64_t kTerm = 9;

// A receiver that expects kLeader in kTerm.
SnapshotReceiver LeaderReceiver(const std::string& staging_root, uint64_t bytes_max) {
  SnapshotReceiver receiver(staging_root, bytes_max);
  receiver.Expect(kLeader, kTerm);
  return receiver;
}

// Decodes and stages every chunk from kLeader; all must be accepted.
void Deliver(SnapshotReceiver& receiver, const std::vector<std::string>& chunks) {
  for (const std::string& wire : chunks) {
    auto chunk = DecodeSnapshotChunk(wire);
    REQUIRE_MESSAGE(chunk.ok(), chunk.status().ToString());
    Status s = receiver.Add(kLeader, *chunk);
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
}

SnapshotChunk Decoded(const std::string& wire) {
  auto chunk = DecodeSnapshotChunk(wire);
  REQUIRE_MESSAGE(chunk.ok(), chunk.status().ToString());
  return *chunk;
}

size_t TotalBytes(const std::map<std::string, std::string>& files) {
  size_t total = 0;
  for (const auto& [name, bytes] : files) total += bytes.size();
  return total;
}

SnapshotChunk SampleChunk() {
  SnapshotChunk c;
  c.snapshot = {0x0102030405060708ULL, 0x1112131415161718ULL};
  c.file_number = 2;
  c.file_count = 5;
  c.file_name = "000123.sst";
  c.file_size = 1000;
  c.offset = 640;
  c.data = PatternBytes(300, 1);
  return c;
}

// The fixed part of an encoded chunk: version, index, term, file number,
// file count, file size, offset, name length.
constexpr size_t kHeaderBytes = 1 + 8 + 8 + 4 + 4 + 8 + 8 + 4;

TEST_CASE("EncodeSnapshotChunk and DecodeSnapshotChunk round trip") {
  const SnapshotChunk c = SampleChunk();
  const std::string wire = EncodeSnapshotChunk(c);
  CHECK(wire.size() == kHeaderBytes + c.file_name.size() + c.data.size());
  auto d = DecodeSnapshotChunk(wire);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  CHECK(d->snapshot == c.snapshot);
  CHECK(d->file_number == 2);
  CHECK(d->file_count == 5);
  CHECK(d->file_name == "000123.sst");
  CHECK(d->file_size == 1000);
  CHECK(d->offset == 640);
  CHECK(d->data == c.data);

  SUBCASE("an empty file's single chunk") {
    SnapshotChunk empty = c;
    empty.file_size = 0;
    empty.offset = 0;
    empty.data.clear();
    auto e = DecodeSnapshotChunk(EncodeSnapshotChunk(empty));
    REQUIRE(e.ok());
    CHECK(e->file_size == 0);
    CHECK(e->data.empty());
  }
  SUBCASE("the last chunk ends exactly at the end of the file") {
    SnapshotChunk last = c;
    last.offset = 700;
    auto e = DecodeSnapshotChunk(EncodeSnapshotChunk(last));
    REQUIRE(e.ok());
    CHECK(e->offset == 700);
  }
  SUBCASE("a 255-byte name") {
    SnapshotChunk named = c;
    named.file_name = std::string(255, 'f');
    auto e = DecodeSnapshotChunk(EncodeSnapshotChunk(named));
    REQUIRE(e.ok());
    CHECK(e->file_name == named.file_name);
  }
}

TEST_CASE("a chunk naming an unsafe file is refused") {
  const std::string names[] = {"",
                               ".",
                               "..",
                               "a/b",
                               "/etc",
                               "../CURRENT",
                               std::string("CURRENT\0.sst", 12),
                               std::string(1, '\0'),
                               std::string(256, 'f')};
  for (const std::string& name : names) {
    CAPTURE(name);
    SnapshotChunk c = SampleChunk();
    c.file_name = name;
    auto d = DecodeSnapshotChunk(EncodeSnapshotChunk(c));
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().IsInvalidArgument());
  }
}

TEST_CASE("a truncated chunk header, a wrong version or a bad file number is refused") {
  SnapshotChunk c = SampleChunk();
  const std::string wire = EncodeSnapshotChunk(c);
  // Every cut before the data starts loses part of the header or the name.
  for (size_t n = 0; n < kHeaderBytes + c.file_name.size(); ++n) {
    CAPTURE(n);
    auto d = DecodeSnapshotChunk(std::string_view(wire).substr(0, n));
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().IsInvalidArgument());
  }
  for (uint8_t version : {0, 2, 255}) {
    std::string bad = wire;
    bad[0] = static_cast<char>(version);
    CHECK(DecodeSnapshotChunk(bad).status().IsInvalidArgument());
  }
  SnapshotChunk no_files = c;
  no_files.file_count = 0;
  no_files.file_number = 0;
  CHECK(DecodeSnapshotChunk(EncodeSnapshotChunk(no_files)).status().IsInvalidArgument());
  SnapshotChunk past_last = c;
  past_last.file_number = past_last.file_count;
  CHECK(DecodeSnapshotChunk(EncodeSnapshotChunk(past_last)).status().IsInvalidArgument());
}

TEST_CASE("a chunk lying outside its file is refused") {
  struct Case {
    uint64_t file_size;
    uint64_t offset;
    size_t data_bytes;
  };
  const Case cases[] = {
      {1000, 1001, 0},                  // starts past the end
      {1000, 701, 300},                 // ends one byte past the end
      {0, 0, 1},                        // bytes of an empty file
      {UINT64_MAX, UINT64_MAX, 1},      // offset + size would wrap around
      {UINT64_MAX, UINT64_MAX - 1, 2},  // likewise
  };
  for (const Case& k : cases) {
    CAPTURE(k.file_size);
    CAPTURE(k.offset);
    CAPTURE(k.data_bytes);
    SnapshotChunk c = SampleChunk();
    c.file_size = k.file_size;
    c.offset = k.offset;
    c.data = PatternBytes(k.data_bytes, 3);
    auto d = DecodeSnapshotChunk(EncodeSnapshotChunk(c));
    REQUIRE_FALSE(d.ok());
    CHECK(d.status().IsInvalidArgument());
  }
}

TEST_CASE("a streamed snapshot is staged byte for byte and complete only at its end") {
  TempDir tmp;
  const auto files = SnapshotFiles();
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);

  // 4 + 1 + 1 (the empty LOCK) + 1 + 1 chunks, none over the chunk size, the
  // files in name order.
  REQUIRE(chunks.size() == 8);
  std::vector<std::string> order;
  for (const std::string& wire : chunks) {
    SnapshotChunk c = Decoded(wire);
    CHECK(c.snapshot == meta);
    CHECK(c.file_count == files.size());
    CHECK(c.data.size() <= kChunkBytes);
    CHECK(c.file_size == files.at(c.file_name).size());
    if (order.empty() || order.back() != c.file_name) order.push_back(c.file_name);
  }
  CHECK(order == std::vector<std::string>{"000007.sst", "CURRENT", "LOCK", "MANIFEST-000005",
                                          "OPTIONS-000009"});

  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);
  CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
  for (size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    Status s = receiver.Add(kLeader, Decoded(chunks[i]));
    REQUIRE_MESSAGE(s.ok(), s.ToString());
    if (i + 1 < chunks.size()) CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
  }
  std::optional<std::string> dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(fs::path(*dir).parent_path() == tmp.path() / "staging");
  CHECK(ReadDir(*dir) == files);

  // Complete answers only for the snapshot that was sent.
  CHECK_FALSE(receiver.Complete(kLeader, {1200, 5}).has_value());
  CHECK_FALSE(receiver.Complete(kLeader, {1201, 4}).has_value());
}

TEST_CASE("a large file is cut into chunks of at most chunk_bytes") {
  TempDir tmp;
  const std::map<std::string, std::string> files = {{"big.sst", PatternBytes(10000, 2)}};
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{50, 2};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta, 4096);
  REQUIRE(chunks.size() == 3);
  CHECK(Decoded(chunks[0]).data.size() == 4096);
  CHECK(Decoded(chunks[1]).offset == 4096);
  CHECK(Decoded(chunks[2]).data.size() == 10000 - 2 * 4096);

  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 10000);
  Deliver(receiver, chunks);
  auto dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == files);
}

TEST_CASE("a chunk out of order fails the transfer") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);

  SUBCASE("a chunk lost in the middle of a file") {
    REQUIRE(receiver.Add(kLeader, Decoded(chunks[0])).ok());
    CHECK(receiver.Add(kLeader, Decoded(chunks[2])).IsInvalidArgument());
  }
  SUBCASE("a chunk repeated") {
    REQUIRE(receiver.Add(kLeader, Decoded(chunks[0])).ok());
    REQUIRE(receiver.Add(kLeader, Decoded(chunks[1])).ok());
    CHECK(receiver.Add(kLeader, Decoded(chunks[1])).IsInvalidArgument());
  }
  SUBCASE("a whole file skipped") {
    for (size_t i = 0; i < 4; ++i) REQUIRE(receiver.Add(kLeader, Decoded(chunks[i])).ok());
    CHECK(receiver.Add(kLeader, Decoded(chunks[5])).IsInvalidArgument());
  }
  SUBCASE("a chunk claiming another file count") {
    REQUIRE(receiver.Add(kLeader, Decoded(chunks[0])).ok());
    SnapshotChunk c = Decoded(chunks[1]);
    c.file_count += 1;
    CHECK(receiver.Add(kLeader, c).IsInvalidArgument());
  }
  // The rest of the transfer is refused and it never completes.
  for (const std::string& wire : chunks) {
    SnapshotChunk c = Decoded(wire);
    if (c.file_number == 0 && c.offset == 0) continue;
    CHECK_FALSE(receiver.Add(kLeader, c).ok());
  }
  CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
}

TEST_CASE("a chunk cut short in its data leaves the transfer incomplete") {
  // The chunk format carries no data length, so a chunk shortened in its
  // data still decodes; the receiver's order check must catch it.
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);

  SUBCASE("in the middle of the transfer") {
    std::vector<std::string> cut = chunks;
    cut[1].pop_back();
    REQUIRE(receiver.Add(kLeader, Decoded(cut[0])).ok());
    REQUIRE(receiver.Add(kLeader, Decoded(cut[1])).ok());
    CHECK(receiver.Add(kLeader, Decoded(cut[2])).IsInvalidArgument());
  }
  SUBCASE("the last chunk") {
    std::vector<std::string> cut = chunks;
    cut.back().pop_back();
    Deliver(receiver, cut);
  }
  CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
}

TEST_CASE("a chunk of another snapshot restarts staging") {
  TempDir tmp;
  const auto old_files = SnapshotFiles();
  const std::map<std::string, std::string> new_files = {{"000011.sst", PatternBytes(150, 11)},
                                                        {"CURRENT", "MANIFEST-000010\n"}};
  WriteSnapshot(tmp.path() / "old", old_files);
  WriteSnapshot(tmp.path() / "new", new_files);
  const consensus::SnapshotMeta old_meta{1200, 4};
  const consensus::SnapshotMeta new_meta{2400, 5};
  const std::vector<std::string> old_chunks = Stream(tmp.path() / "old", old_meta);
  const std::vector<std::string> new_chunks = Stream(tmp.path() / "new", new_meta);
  const fs::path staging = tmp.path() / "staging";
  SnapshotReceiver receiver = LeaderReceiver(staging.string(), 1 << 20);

  // Half of the old snapshot, then the new one whole.
  for (size_t i = 0; i < 4; ++i) REQUIRE(receiver.Add(kLeader, Decoded(old_chunks[i])).ok());
  REQUIRE(fs::exists(staging / "1200-4"));
  Deliver(receiver, new_chunks);

  auto dir = receiver.Complete(kLeader, new_meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == new_files);
  CHECK_FALSE(receiver.Complete(kLeader, old_meta).has_value());
  // The old snapshot's partial files are gone.
  CHECK_FALSE(fs::exists(staging / "1200-4"));
  CHECK(std::distance(fs::directory_iterator(staging), fs::directory_iterator()) == 1);

  // A later chunk of the old snapshot cannot start a transfer.
  CHECK(receiver.Add(kLeader, Decoded(old_chunks[4])).IsInvalidArgument());
  CHECK(receiver.Complete(kLeader, new_meta).has_value());
}

TEST_CASE("a transfer must start with the first byte of the first file") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);

  CHECK(receiver.Add(kLeader, Decoded(chunks[1])).IsInvalidArgument());  // file 0, offset 64
  CHECK(receiver.Add(kLeader, Decoded(chunks[4])).IsInvalidArgument());  // file 1, offset 0
  CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());

  // The transfer from its start still succeeds.
  Deliver(receiver, chunks);
  auto dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == SnapshotFiles());
}

TEST_CASE("a snapshot larger than bytes_max is refused") {
  TempDir tmp;
  const auto files = SnapshotFiles();
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  const size_t total = TotalBytes(files);

  SUBCASE("one byte over") {
    SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), total - 1);
    Status last;
    for (const std::string& wire : chunks) {
      last = receiver.Add(kLeader, Decoded(wire));
      if (!last.ok()) break;
    }
    CHECK(last.IsResourceExhausted());
    CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
  }
  SUBCASE("exactly at the limit") {
    SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), total);
    Deliver(receiver, chunks);
    CHECK(receiver.Complete(kLeader, meta).has_value());
  }
}

TEST_CASE("send returning false aborts the stream with kUnavailable") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  int calls = 0;
  Status s = StreamSnapshot((tmp.path() / "source").string(), {1200, 4}, kChunkBytes,
                            [&](std::string) { return ++calls < 3; });
  CHECK(s.IsUnavailable());
  CHECK(calls == 3);  // nothing sent after the refused chunk
}

TEST_CASE("a snapshot directory that cannot be streamed is refused before sending") {
  TempDir tmp;
  int calls = 0;
  auto count = [&](std::string) {
    ++calls;
    return true;
  };

  SUBCASE("a subdirectory") {
    WriteSnapshot(tmp.path() / "source", SnapshotFiles());
    fs::create_directories(tmp.path() / "source" / "archive");
    Status s = StreamSnapshot((tmp.path() / "source").string(), {1, 1}, kChunkBytes, count);
    CHECK(s.IsFailedPrecondition());
    CHECK(s.message().find("archive") != std::string::npos);
  }
  SUBCASE("a missing directory") {
    Status s = StreamSnapshot((tmp.path() / "missing").string(), {1, 1}, kChunkBytes, count);
    CHECK(s.IsIOError());
  }
  CHECK(calls == 0);
}

// The header promises "the leader resends it whole" after a failed transfer,
// and the driver streams the same snapshot again when the follower's core
// asks again (node/validator_snapshots.cc). The receiver must accept that resend.
TEST_CASE("the same snapshot resent whole after a failed transfer completes") {
  TempDir tmp;
  const auto files = SnapshotFiles();
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);

  REQUIRE(receiver.Add(kLeader, Decoded(chunks[0])).ok());
  REQUIRE(receiver.Add(kLeader, Decoded(chunks[2])).IsInvalidArgument());  // chunk 1 was lost
  for (size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    Status s = receiver.Add(kLeader, Decoded(chunks[i]));
    CHECK_MESSAGE(s.ok(), s.ToString());
  }
  auto dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == files);
}

// A complete transfer whose kSnapshot message was lost (a reset connection
// drops queued frames) is streamed again by the leader.
TEST_CASE("the same snapshot streamed again after a complete transfer completes again") {
  TempDir tmp;
  const auto files = SnapshotFiles();
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);
  Deliver(receiver, chunks);
  REQUIRE(receiver.Complete(kLeader, meta).has_value());

  for (size_t i = 0; i < chunks.size(); ++i) {
    CAPTURE(i);
    Status s = receiver.Add(kLeader, Decoded(chunks[i]));
    CHECK_MESSAGE(s.ok(), s.ToString());
  }
  auto dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == files);
}

TEST_CASE(
    "a chunk from a validator other than the expected leader is refused and changes nothing") {
  TempDir tmp;
  const auto files = SnapshotFiles();
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  WriteSnapshot(tmp.path() / "forged", {{"CURRENT", "MANIFEST-666\n"}});
  const std::vector<std::string> forged = Stream(tmp.path() / "forged", {1300, 4});
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);
  constexpr uint64_t kOther = 3;

  // Half of the leader's transfer, then another validator's first chunk
  // (file 0, offset 0), which used to restart staging.
  for (size_t i = 0; i < 4; ++i) REQUIRE(receiver.Add(kLeader, Decoded(chunks[i])).ok());
  Status s = receiver.Add(kOther, Decoded(forged[0]));
  CHECK(s.IsPermissionDenied());
  CHECK(s.message().find("from validator 3") != std::string::npos);
  CHECK(s.message().find("only the leader (validator 2)") != std::string::npos);
  // Nor may it continue the leader's transfer with the leader's own bytes.
  CHECK(receiver.Add(kOther, Decoded(chunks[4])).IsPermissionDenied());
  CHECK_FALSE(fs::exists(tmp.path() / "staging" / "1300-4"));

  for (size_t i = 4; i < chunks.size(); ++i) {
    REQUIRE(receiver.Add(kLeader, Decoded(chunks[i])).ok());
  }
  CHECK_FALSE(receiver.Complete(kOther, meta).has_value());
  auto dir = receiver.Complete(kLeader, meta);
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == files);
}

TEST_CASE("with no leader known, every chunk is refused") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", {1200, 4});
  SnapshotReceiver receiver((tmp.path() / "staging").string(), 1 << 20);
  receiver.Expect(0, kTerm);
  Status s = receiver.Add(kLeader, Decoded(chunks[0]));
  CHECK(s.IsPermissionDenied());
  CHECK(s.message().find("no leader is known") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path() / "staging"));
}

TEST_CASE("a snapshot whose term is newer than the leader's term is refused") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver((tmp.path() / "staging").string(), 1 << 20);
  receiver.Expect(kLeader, 3);
  Status s = receiver.Add(kLeader, Decoded(chunks[0]));
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find("term 4 is newer than the leader's term 3") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path() / "staging"));
  // A snapshot of an OLDER term than the leader's is the normal case.
  receiver.Expect(kLeader, 7);
  Deliver(receiver, chunks);
  CHECK(receiver.Complete(kLeader, meta).has_value());
}

TEST_CASE("a new leader or a new term deletes what was staged") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  const fs::path staging = tmp.path() / "staging";
  SnapshotReceiver receiver = LeaderReceiver(staging.string(), 1 << 20);

  SUBCASE("a newer term, after a complete transfer") {
    Deliver(receiver, chunks);
    REQUIRE(receiver.Complete(kLeader, meta).has_value());
    receiver.Expect(kLeader, kTerm);  // no change: nothing is deleted
    REQUIRE(receiver.Complete(kLeader, meta).has_value());
    receiver.Expect(kLeader, kTerm + 1);
    CHECK_FALSE(fs::exists(staging / "1200-4"));
    CHECK_FALSE(receiver.Complete(kLeader, meta).has_value());
  }
  SUBCASE("another leader, during a transfer") {
    for (size_t i = 0; i < 4; ++i) REQUIRE(receiver.Add(kLeader, Decoded(chunks[i])).ok());
    REQUIRE(fs::exists(staging / "1200-4"));
    receiver.Expect(3, kTerm);
    CHECK_FALSE(fs::exists(staging / "1200-4"));
    // The old leader's remaining chunks are refused; the new one starts over.
    CHECK(receiver.Add(kLeader, Decoded(chunks[4])).IsPermissionDenied());
    for (const std::string& wire : chunks) REQUIRE(receiver.Add(3, Decoded(wire)).ok());
    CHECK(receiver.Complete(3, meta).has_value());
  }
}

TEST_CASE("leftovers under the staging root are deleted at construction") {
  TempDir tmp;
  const fs::path staging = tmp.path() / "staging";
  WriteSnapshot(staging / "1200-4", SnapshotFiles());
  SnapshotReceiver receiver(staging.string(), 1 << 20);
  CHECK_FALSE(fs::exists(staging / "1200-4"));
}

TEST_CASE("a snapshot of more than files_max files is refused") {
  TempDir tmp;
  WriteSnapshot(tmp.path() / "source", SnapshotFiles());  // 5 files
  const consensus::SnapshotMeta meta{1200, 4};
  const std::vector<std::string> chunks = Stream(tmp.path() / "source", meta);
  SnapshotReceiver receiver((tmp.path() / "staging").string(), 1 << 20, /*files_max=*/4);
  receiver.Expect(kLeader, kTerm);
  Status s = receiver.Add(kLeader, Decoded(chunks[0]));
  CHECK(s.IsResourceExhausted());
  CHECK(s.message().find("more than files_max 4") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp.path() / "staging"));

  SnapshotReceiver five((tmp.path() / "staging").string(), 1 << 20, /*files_max=*/5);
  five.Expect(kLeader, kTerm);
  Deliver(five, chunks);
  CHECK(five.Complete(kLeader, meta).has_value());
}

TEST_CASE("a file size over bytes_max is refused before its data arrives") {
  TempDir tmp;
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1000);
  SnapshotChunk c;
  c.snapshot = {1200, 4};
  c.file_count = 1;
  c.file_name = "000001.sst";
  c.file_size = 1001;
  c.data = "x";
  CHECK(receiver.Add(kLeader, c).IsResourceExhausted());
  CHECK_FALSE(fs::exists(tmp.path() / "staging"));
}

TEST_CASE("a repeated file name, or a name or size changed mid-file, fails the transfer") {
  TempDir tmp;
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 20);
  SnapshotChunk first;
  first.snapshot = {1200, 4};
  first.file_count = 2;
  first.file_name = "CURRENT";
  first.file_size = 4;
  first.data = "ab";
  REQUIRE(receiver.Add(kLeader, first).ok());

  SUBCASE("a name changed mid-file") {
    SnapshotChunk c = first;
    c.file_name = "OTHER";
    c.offset = 2;
    c.data = "cd";
    CHECK(receiver.Add(kLeader, c).message().find("changes its name or size") != std::string::npos);
  }
  SUBCASE("a size changed mid-file") {
    SnapshotChunk c = first;
    c.file_size = 3;
    c.offset = 2;
    c.data = "c";
    CHECK(receiver.Add(kLeader, c).IsInvalidArgument());
  }
  SUBCASE("the same name again as the next file") {
    SnapshotChunk c = first;
    c.offset = 2;
    c.data = "cd";
    REQUIRE(receiver.Add(kLeader, c).ok());
    SnapshotChunk again = first;
    again.file_number = 1;
    again.file_size = 1;
    again.data = "z";
    CHECK(receiver.Add(kLeader, again).message().find("is not after") != std::string::npos);
    CHECK_FALSE(receiver.Complete(kLeader, first.snapshot).has_value());
    CHECK(ReadFile(tmp.path() / "staging" / "1200-4" / "CURRENT") == "abcd");
  }
}

// A loopback port nobody listens on right now.
uint16_t UnusedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed on return
}

TEST_CASE("a snapshot ten times the send queue streams whole through real transports") {
  TempDir tmp;
  // 3 files, 400 KiB in all, through a 32 KiB send queue.
  const std::map<std::string, std::string> files = {{"000001.sst", PatternBytes(250 << 10, 1)},
                                                    {"000002.sst", PatternBytes(150 << 10, 2)},
                                                    {"CURRENT", "MANIFEST-000003\n"}};
  WriteSnapshot(tmp.path() / "source", files);
  const consensus::SnapshotMeta meta{1200, 4};
  constexpr size_t kQueueBytes = 32 << 10;
  REQUIRE(TotalBytes(files) > 10 * kQueueBytes);

  const crypto::KeyPair leader_key = crypto::KeyPair::Generate();
  const crypto::KeyPair follower_key = crypto::KeyPair::Generate();
  const crypto::Sha256Digest network_id = crypto::Sha256(std::string_view("snapshot test"));
  auto options = [&](uint64_t self, const std::string& name, const crypto::KeyPair& key,
                     PeerEndpoint peer) {
    PeerTransportOptions o;
    o.self_id = self;
    o.self_name = name;
    o.key = &key;
    o.network_id = network_id;
    o.frame_bytes_max = 16 << 10;
    o.send_queue_bytes_max = kQueueBytes;
    o.send_queue_frames_max = 64;
    o.reconnect_backoff_min_ms = 5;
    o.reconnect_backoff_max_ms = 100;
    o.peers.push_back(std::move(peer));
    return o;
  };

  std::mutex mu;
  SnapshotReceiver receiver = LeaderReceiver((tmp.path() / "staging").string(), 1 << 30);
  std::vector<Status> refused;
  // The follower dials nothing useful (the leader's port is unknown yet):
  // only leader → follower carries frames.
  auto follower = PeerTransport::Start(
      options(kLeader + 1, "follower", follower_key,
              {kLeader, "leader", "127.0.0.1", UnusedPort(), leader_key.public_key()}),
      [&](uint64_t from, std::string payload) {
        auto chunk = DecodeSnapshotChunk(payload);
        std::lock_guard<std::mutex> lock(mu);
        Status s = chunk.ok() ? receiver.Add(from, *chunk) : chunk.status();
        if (!s.ok()) refused.push_back(s);
      });
  REQUIRE_MESSAGE(follower.ok(), follower.status().ToString());
  auto leader =
      PeerTransport::Start(options(kLeader, "leader", leader_key,
                                   {kLeader + 1, "follower", "127.0.0.1",
                                    (*follower)->listen_port(), follower_key.public_key()}),
                           [](uint64_t, std::string) {});
  REQUIRE_MESSAGE(leader.ok(), leader.status().ToString());

  Status s =
      StreamSnapshot((tmp.path() / "source").string(), meta, 8 << 10, [&](std::string chunk) {
        return (*leader)->SendWhenRoom(kLeader + 1, std::move(chunk), std::chrono::seconds(10));
      });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  std::optional<std::string> dir;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard<std::mutex> lock(mu);
      dir = receiver.Complete(kLeader, meta);
      if (dir || !refused.empty()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK_MESSAGE(refused.empty(), (refused.empty() ? "" : refused[0].ToString()));
  }
  REQUIRE(dir.has_value());
  CHECK(ReadDir(*dir) == files);
  CHECK((*leader)->Peers()[0].frames_dropped == 0);
}

}  // namespace
}  // namespace frontera::node
