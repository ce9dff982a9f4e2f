#include "storage/kv_store.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <rocksdb/db.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "storage/keys.h"
#include "tests/temp_dir.h"

namespace frontera::storage {
namespace {

// A temporary directory with this file's prefix.
class TempDir : public testing::TempDir {
 public:
  TempDir() : testing::TempDir("kv") {}
};

std::unique_ptr<KvStore> MustOpen(const std::string& dir, const KvOptions& options = {}) {
  auto store = KvStore::Open(dir, options);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  return std::move(store).value();
}

std::optional<std::string> MustGet(const KvStore& store, Column column, std::string_view key) {
  auto value = store.Get(column, key);
  REQUIRE_MESSAGE(value.ok(), value.status().ToString());
  return *value;
}

using Entries = std::vector<std::pair<std::string, std::string>>;

Entries MustScan(const KvStore& store, Column column, std::string_view begin, std::string_view end,
                 size_t limit = KvStore::kNoLimit) {
  Entries out;
  Status s = store.Scan(column, begin, end, limit, [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  });
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return out;
}

TEST_CASE("big-endian keys sort numerically and decode strictly") {
  CHECK(EncodeUint64(0x0102030405060708ull) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  const std::vector<uint64_t> numbers = {0, 1, 255, 256, 65535, 1ull << 32, ~0ull - 1, ~0ull};
  for (size_t i = 0; i + 1 < numbers.size(); ++i) {
    CHECK(EncodeUint64(numbers[i]) < EncodeUint64(numbers[i + 1]));
  }
  for (uint64_t n : numbers) {
    auto decoded = DecodeUint64(EncodeUint64(n));
    REQUIRE(decoded.ok());
    CHECK(*decoded == n);
  }
  std::string prefixed = "h";
  AppendUint64(prefixed, 7);
  CHECK(prefixed.size() == 9);
  CHECK(prefixed.substr(1) == EncodeUint64(7));
  CHECK(DecodeUint64("1234567").status().IsCorruption());
  CHECK(DecodeUint64("123456789").status().IsCorruption());
}

TEST_CASE("prefix successor bounds a prefix scan") {
  CHECK(PrefixSuccessor("abc") == "abd");
  CHECK(PrefixSuccessor(std::string("a\xff\xff", 3)) == "b");
  CHECK(PrefixSuccessor(std::string("\xff\xff", 2)).empty());
  CHECK(PrefixSuccessor("").empty());
  CHECK(PrefixSuccessor(std::string("a\x7f", 2)) == std::string("a\x80", 2));
}

TEST_CASE("options validation names the field and its range") {
  CHECK(KvOptions{}.Validate().ok());

  KvOptions small_buffer;
  small_buffer.write_buffer_bytes = 1000;
  Status s = small_buffer.Validate();
  CHECK(s.IsInvalidArgument());
  CHECK(s.message().find("write_buffer_bytes") != std::string::npos);

  KvOptions files;
  files.max_open_files = 3;
  CHECK(files.Validate().IsInvalidArgument());
  files.max_open_files = -1;
  CHECK(files.Validate().ok());

  KvOptions bloom;
  bloom.bloom_bits_per_key = 33;
  CHECK(bloom.Validate().message().find("bloom_bits_per_key") != std::string::npos);
  bloom.bloom_bits_per_key = 0;
  CHECK(bloom.Validate().ok());

  KvOptions jobs;
  jobs.max_background_jobs = 0;
  CHECK(jobs.Validate().IsInvalidArgument());
  KvOptions opening;
  opening.file_opening_threads = 65;
  CHECK(opening.Validate().message().find("file_opening_threads") != std::string::npos);

  KvOptions cache;
  cache.block_cache_bytes = 0;
  CHECK(cache.Validate().message().find("block_cache_bytes") != std::string::npos);

  KvOptions batch;
  batch.max_batch_ops = 0;
  CHECK(batch.Validate().message().find("max_batch_ops") != std::string::npos);
  batch.max_batch_ops = 10;
  batch.max_batch_bytes = 10;
  CHECK(batch.Validate().message().find("max_batch_bytes") != std::string::npos);

  TempDir tmp;
  auto store = KvStore::Open(tmp.Sub("db"), small_buffer);
  CHECK(store.status().IsInvalidArgument());
  CHECK_FALSE(std::filesystem::exists(tmp.Sub("db")));
}

TEST_CASE("write batch counts operations and payload bytes") {
  WriteBatch batch;
  CHECK(batch.empty());
  batch.Put(Column::kState, "key", "value");
  batch.Delete(Column::kIndex, "gone");
  batch.DeleteRange(Column::kLog, "a", "b");
  CHECK(batch.ops() == 3);
  CHECK(batch.bytes() == 3 + 5 + 4 + 1 + 1);
  CHECK(batch.operations()[1].type == WriteBatch::OpType::kDelete);
  CHECK(batch.operations()[2].value == "b");
  batch.Clear();
  CHECK(batch.empty());
  CHECK(batch.bytes() == 0);
}

TEST_CASE("put, get and delete are separate per column") {
  TempDir tmp;
  auto store = MustOpen(tmp.Sub("db"));
  CHECK(store->dir() == tmp.Sub("db"));

  WriteBatch batch;
  batch.Put(Column::kMeta, "k", "meta");
  batch.Put(Column::kLog, "k", "log");
  batch.Put(Column::kState, "k", "state");
  batch.Put(Column::kIndex, "k", "index");
  batch.Put(Column::kMerkle, "k", "merkle");
  batch.Put(Column::kBlocks, "k", std::string("bin\0ary", 7));
  REQUIRE(store->Write(batch, true).ok());

  CHECK(MustGet(*store, Column::kMeta, "k") == "meta");
  CHECK(MustGet(*store, Column::kLog, "k") == "log");
  CHECK(MustGet(*store, Column::kState, "k") == "state");
  CHECK(MustGet(*store, Column::kIndex, "k") == "index");
  CHECK(MustGet(*store, Column::kMerkle, "k") == "merkle");
  CHECK(MustGet(*store, Column::kBlocks, "k") == std::string("bin\0ary", 7));
  CHECK_FALSE(MustGet(*store, Column::kState, "absent").has_value());

  WriteBatch del;
  del.Delete(Column::kState, "k");
  REQUIRE(store->Write(del, false).ok());
  CHECK_FALSE(MustGet(*store, Column::kState, "k").has_value());
  CHECK(MustGet(*store, Column::kIndex, "k") == "index");

  // Later operations of a batch win over earlier ones on the same key.
  WriteBatch order;
  order.Put(Column::kState, "x", "first");
  order.Delete(Column::kState, "x");
  order.Put(Column::kState, "x", "second");
  REQUIRE(store->Write(order, false).ok());
  CHECK(MustGet(*store, Column::kState, "x") == "second");

  // An empty batch is a no-op that succeeds.
  CHECK(store->Write(WriteBatch(), true).ok());

  const KvStats stats = store->stats();
  CHECK(stats.gets == 10);
  CHECK(stats.writes == 4);
  CHECK(stats.synced_writes == 2);
}

TEST_CASE("a batch over the limits is rejected whole") {
  TempDir tmp;
  KvOptions options;
  options.max_batch_ops = 3;
  auto store = MustOpen(tmp.Sub("db"), options);

  WriteBatch batch;
  for (int i = 0; i < 4; ++i) batch.Put(Column::kState, "k" + std::to_string(i), "v");
  Status s = store->Write(batch, true);
  CHECK(s.IsResourceExhausted());
  CHECK(s.message().find("max_batch_ops") != std::string::npos);
  // Atomicity: none of the batch's operations is visible.
  CHECK(MustScan(*store, Column::kState, "", "").empty());

  KvOptions bytes_options;
  bytes_options.max_batch_bytes = 1024;
  auto small = MustOpen(tmp.Sub("small"), bytes_options);
  WriteBatch big;
  big.Put(Column::kState, "a", "ok");
  big.Put(Column::kState, "b", std::string(2000, 'x'));
  CHECK(small->Write(big, false).IsResourceExhausted());
  CHECK_FALSE(MustGet(*small, Column::kState, "a").has_value());
}

TEST_CASE("a batch is applied atomically across columns, with range deletes") {
  TempDir tmp;
  auto store = MustOpen(tmp.Sub("db"));
  WriteBatch fill;
  for (uint64_t i = 1; i <= 10; ++i) fill.Put(Column::kLog, EncodeUint64(i), "entry");
  REQUIRE(store->Write(fill, true).ok());

  // Truncate the log suffix [6, ∞) and record the new last index in one batch,
  // as the Raft storage does on a conflicting append.
  WriteBatch truncate;
  truncate.DeleteRange(Column::kLog, EncodeUint64(6), EncodeUint64(~0ull));
  truncate.Put(Column::kMeta, "raft/last_index", EncodeUint64(5));
  REQUIRE(store->Write(truncate, true).ok());

  Entries log = MustScan(*store, Column::kLog, "", "");
  REQUIRE(log.size() == 5);
  CHECK(log.back().first == EncodeUint64(5));
  CHECK(MustGet(*store, Column::kMeta, "raft/last_index") == EncodeUint64(5));

  // An empty range deletes nothing.
  WriteBatch empty_range;
  empty_range.DeleteRange(Column::kLog, EncodeUint64(3), EncodeUint64(3));
  REQUIRE(store->Write(empty_range, false).ok());
  CHECK(MustScan(*store, Column::kLog, "", "").size() == 5);
}

TEST_CASE("scan visits [begin, end) in byte order and honours limit and early stop") {
  TempDir tmp;
  auto store = MustOpen(tmp.Sub("db"));
  WriteBatch batch;
  // Written out of order; big-endian keys come back in numeric order.
  for (uint64_t i : {300u, 2u, 70000u, 1u, 256u, 255u}) {
    batch.Put(Column::kBlocks, EncodeUint64(i), "block " + std::to_string(i));
  }
  batch.Put(Column::kIndex, "gtin/0750", "a");
  batch.Put(Column::kIndex, "gtin/0751", "b");
  batch.Put(Column::kIndex, "gtio", "outside");
  batch.Put(Column::kIndex, "gtin", "prefix itself");
  REQUIRE(store->Write(batch, false).ok());

  Entries all = MustScan(*store, Column::kBlocks, "", "");
  std::vector<uint64_t> order;
  for (const auto& [k, v] : all) order.push_back(*DecodeUint64(k));
  CHECK(order == std::vector<uint64_t>{1, 2, 255, 256, 300, 70000});

  Entries middle = MustScan(*store, Column::kBlocks, EncodeUint64(2), EncodeUint64(300));
  REQUIRE(middle.size() == 3);
  CHECK(middle.front().second == "block 2");
  CHECK(middle.back().second == "block 256");

  Entries tail = MustScan(*store, Column::kBlocks, EncodeUint64(257), "");
  REQUIRE(tail.size() == 2);
  CHECK(tail.front().second == "block 300");

  CHECK(MustScan(*store, Column::kBlocks, "", "", 2).size() == 2);
  CHECK(MustScan(*store, Column::kBlocks, "", "", 0).empty());
  CHECK(MustScan(*store, Column::kBlocks, EncodeUint64(5), EncodeUint64(5)).empty());

  int calls = 0;
  REQUIRE(store
              ->Scan(Column::kBlocks, "", "", KvStore::kNoLimit,
                     [&](std::string_view, std::string_view) { return ++calls < 3; })
              .ok());
  CHECK(calls == 3);

  Entries gtin = MustScan(*store, Column::kIndex, "gtin/", PrefixSuccessor("gtin/"));
  REQUIRE(gtin.size() == 2);
  CHECK(gtin[0].first == "gtin/0750");
  CHECK(gtin[1].first == "gtin/0751");

  // Columns do not leak into each other's scans.
  CHECK(MustScan(*store, Column::kState, "", "").empty());

  Status bad = store->Scan(Column::kBlocks, "b", "a", KvStore::kNoLimit,
                           [](std::string_view, std::string_view) { return true; });
  CHECK(bad.IsInvalidArgument());
}

TEST_CASE("synced writes survive closing and reopening the store") {
  TempDir tmp;
  {
    auto store = MustOpen(tmp.Sub("db"));
    WriteBatch batch;
    batch.Put(Column::kMerkle, EncodeUint64(1), std::string(32, '\x5a'));
    batch.Put(Column::kMeta, "merkle/tree_size", EncodeUint64(1));
    REQUIRE(store->Write(batch, true).ok());
  }
  {
    auto store = MustOpen(tmp.Sub("db"));
    CHECK(MustGet(*store, Column::kMerkle, EncodeUint64(1)) == std::string(32, '\x5a'));
    CHECK(MustGet(*store, Column::kMeta, "merkle/tree_size") == EncodeUint64(1));
    // Enough data to force memtable flushes into table files, then reopen
    // and read back through the table files, the bloom filter and the cache.
    KvOptions options;
    options.write_buffer_bytes = 64 << 10;
    store.reset();
    store = MustOpen(tmp.Sub("db"), options);
    for (uint64_t b = 0; b < 20; ++b) {
      WriteBatch batch;
      for (uint64_t i = 0; i < 200; ++i) {
        batch.Put(Column::kState, EncodeUint64(b * 200 + i), std::string(100, 'a' + b % 26));
      }
      REQUIRE(store->Write(batch, true).ok());
    }
  }
  auto store = MustOpen(tmp.Sub("db"));
  CHECK(MustGet(*store, Column::kState, EncodeUint64(3999)) == std::string(100, 'a' + 19));
  CHECK(MustGet(*store, Column::kState, EncodeUint64(0)) == std::string(100, 'a'));
  CHECK_FALSE(MustGet(*store, Column::kState, EncodeUint64(4000)).has_value());
  CHECK(MustScan(*store, Column::kState, "", "").size() == 4000);
}

TEST_CASE("a store that is already open in this process cannot be opened again") {
  TempDir tmp;
  auto first = MustOpen(tmp.Sub("db"));
  auto second = KvStore::Open(tmp.Sub("db"), KvOptions{});
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().IsUnavailable());
  CHECK(second.status().message().find(tmp.Sub("db")) != std::string::npos);
  CHECK(second.status().message().find("already open") != std::string::npos);
  // The first handle is unaffected.
  WriteBatch batch;
  batch.Put(Column::kMeta, "still", "works");
  CHECK(first->Write(batch, true).ok());
  first.reset();
  // Once closed, the lock is released.
  CHECK(MustGet(*MustOpen(tmp.Sub("db")), Column::kMeta, "still") == "works");
}

TEST_CASE("a store locked by another process cannot be opened") {
  TempDir tmp;
  MustOpen(tmp.Sub("db")).reset();  // create it, then close

  // The child takes the same fcntl write lock on LOCK that RocksDB takes, and
  // holds it until the parent closes the pipe. Only async-signal-safe calls
  // run in the child (the parent has RocksDB threads).
  int ready[2];
  int release[2];
  REQUIRE(pipe(ready) == 0);
  REQUIRE(pipe(release) == 0);
  const std::string lock_path = tmp.Sub("db") + "/LOCK";
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(ready[0]);
    close(release[1]);
    int fd = open(lock_path.c_str(), O_RDWR);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    char ok = (fd >= 0 && fcntl(fd, F_SETLK, &lock) == 0) ? 1 : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(2);
    char byte;
    while (read(release[0], &byte, 1) > 0) {
    }
    _exit(0);
  }
  close(ready[1]);
  close(release[0]);
  char ok = 0;
  REQUIRE(read(ready[0], &ok, 1) == 1);
  REQUIRE(ok == 1);

  auto locked = KvStore::Open(tmp.Sub("db"), KvOptions{});
  CHECK(locked.status().IsUnavailable());
  CHECK(locked.status().message().find("LOCK") != std::string::npos);

  close(release[1]);
  close(ready[0]);
  int wstatus = 0;
  REQUIRE(waitpid(child, &wstatus, 0) == child);
  CHECK(WIFEXITED(wstatus));
  CHECK(KvStore::Open(tmp.Sub("db"), KvOptions{}).ok());
}

TEST_CASE("open fails clearly on a path that cannot be a directory") {
  TempDir tmp;
  const std::string file = tmp.Sub("file");
  {
    int fd = open(file.c_str(), O_CREAT | O_WRONLY, 0600);
    REQUIRE(fd >= 0);
    close(fd);
  }
  auto store = KvStore::Open(file + "/db", KvOptions{});
  CHECK(store.status().IsIOError());
  CHECK(store.status().message().find(file) != std::string::npos);
  CHECK(KvStore::Open("", KvOptions{}).status().IsInvalidArgument());
}

TEST_CASE("a checkpoint opens as a store with the same data") {
  TempDir tmp;
  auto store = MustOpen(tmp.Sub("db"));
  WriteBatch batch;
  for (uint64_t i = 0; i < 500; ++i) {
    batch.Put(Column::kLog, EncodeUint64(i), "entry " + std::to_string(i));
  }
  batch.Put(Column::kMeta, "merkle/tree_size", EncodeUint64(500));
  REQUIRE(store->Write(batch, true).ok());
  // An unsynced write that is visible is also in the checkpoint.
  WriteBatch late;
  late.Put(Column::kBlocks, EncodeUint64(9), "block nine");
  REQUIRE(store->Write(late, false).ok());

  REQUIRE(store->CreateCheckpoint(tmp.Sub("snap")).ok());
  CHECK(store->CreateCheckpoint(tmp.Sub("snap")).IsAlreadyExists());

  // Writes after the checkpoint do not reach it.
  WriteBatch after;
  after.Put(Column::kMeta, "merkle/tree_size", EncodeUint64(501));
  REQUIRE(store->Write(after, true).ok());

  auto copy = MustOpen(tmp.Sub("snap"));
  CHECK(MustGet(*copy, Column::kMeta, "merkle/tree_size") == EncodeUint64(500));
  CHECK(MustGet(*copy, Column::kBlocks, EncodeUint64(9)) == "block nine");
  Entries log = MustScan(*copy, Column::kLog, "", "");
  REQUIRE(log.size() == 500);
  CHECK(log[499].second == "entry 499");
  CHECK(MustGet(*store, Column::kMeta, "merkle/tree_size") == EncodeUint64(501));

  // The checkpoint is a store of its own, writable independently.
  WriteBatch own;
  own.Put(Column::kState, "only", "in copy");
  REQUIRE(copy->Write(own, true).ok());
  CHECK_FALSE(MustGet(*store, Column::kState, "only").has_value());

  CHECK(store->CreateCheckpoint(tmp.Sub("missing/parent/snap")).IsIOError());
}

TEST_CASE("a store with an unknown column family is refused, not half-opened") {
  TempDir tmp;
  MustOpen(tmp.Sub("db")).reset();
  {
    // Only this test touches RocksDB directly: it plays a newer version that
    // added a column family.
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "meta", "log", "state", "index", "merkle", "blocks"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, tmp.Sub("db"), families, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    REQUIRE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &extra).ok());
    handles.push_back(extra);
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
    delete db;
  }
  auto store = KvStore::Open(tmp.Sub("db"), KvOptions{});
  CHECK(store.status().IsFailedPrecondition());
  CHECK(store.status().message().find("'future'") != std::string::npos);
}

TEST_CASE("column names are stable") {
  CHECK(ColumnName(Column::kMeta) == "meta");
  CHECK(ColumnName(Column::kLog) == "log");
  CHECK(ColumnName(Column::kState) == "state");
  CHECK(ColumnName(Column::kIndex) == "index");
  CHECK(ColumnName(Column::kMerkle) == "merkle");
  CHECK(ColumnName(Column::kBlocks) == "blocks");
}

}  // namespace
}  // namespace frontera::storage
