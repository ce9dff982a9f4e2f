// KvStore: the only door to RocksDB. Every persistent byte of a node (Raft log
// and hard state, ledger state and indexes, Merkle tree nodes, blocks) goes
// through this interface; RocksDB types never appear outside storage/*.cc.
//
// The store is split into column families (Column), one per kind of data, so
// that each can be tuned, scanned and truncated on its own. Column names, key
// encodings and the durability rules are in docs/storage.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace frontera::storage {

class FileFaults;

// One RocksDB column family each. The numeric values are not persisted (the
// column families are found by name, see ColumnName).
enum class Column {
  kMeta,    // small named values: tree size, hard state, schema version
  kLog,     // the Raft log, keyed by big-endian index
  kState,   // ledger state: credentials, parties, events
  kIndex,   // secondary indexes of the ledger state
  kMerkle,  // perfect subtree hashes of the ledger's Merkle log
  kBlocks,  // committed blocks, keyed by big-endian height
};
inline constexpr size_t kColumnCount = 6;

// The column family name of `column` on disk ("meta", "log", ...).
std::string_view ColumnName(Column column);

// How a store replays its write-ahead log when it opens after a crash
// (docs/storage.md, "Durability"). Both modes drop a torn last record (an
// unsynced write the crash cut short) and never apply a batch in part; they
// differ when a record that is not the last one is damaged (bit rot, a bad
// sector in an already synced part of the log).
enum class WalRecovery : uint8_t {
  // Replay up to the damaged record and silently drop it and every record
  // after it (RocksDB kPointInTimeRecovery): the store opens as it was at an
  // earlier moment. For data that is rebuilt from elsewhere when it rolls
  // back (the ledger state re-applies the Raft log).
  kPointInTime,
  // Refuse to open (kCorruption) unless the only damage is a torn last record
  // (RocksDB kTolerateCorruptedTailRecords): a synced write is never rolled
  // back. For data that must not roll back: the Raft log and hard state,
  // where a forgotten vote lets a node vote twice in one term.
  kTolerateCorruptedTail,
};

// Limits and tuning of a store. Every field has a validated range; the
// defaults suit a validator node (see docs/storage.md, "Tuning").
struct KvOptions {
  // Memtable size of each column family before it is flushed.
  // Range [64 KiB, 1 GiB].
  size_t write_buffer_bytes = 16u << 20;
  // Shared LRU block cache for all column families. Range [1 MiB, 64 GiB].
  size_t block_cache_bytes = 64u << 20;
  // Table files RocksDB keeps open; -1 = unlimited, else [16, 1,000,000].
  int max_open_files = 1024;
  // Bloom filter bits per key for point reads; 0 disables the filter.
  // Range [0, 32]; 10 gives about a 1% false-positive rate.
  int bloom_bits_per_key = 10;
  // Background flush and compaction threads. Range [1, 64].
  int max_background_jobs = 2;
  // Threads that open a column family's table files when the store opens
  // (RocksDB starts this many per column family, 16 unless told). Range [1, 64].
  int file_opening_threads = 2;
  // Largest WriteBatch that Write accepts: total key and value bytes, and
  // number of operations. Ranges [1 KiB, 1 GiB] and [1, 10,000,000].
  size_t max_batch_bytes = 64u << 20;
  size_t max_batch_ops = 1'000'000;
  // Write-ahead-log replay after a crash; one of the WalRecovery values.
  WalRecovery wal_recovery = WalRecovery::kPointInTime;
  // RocksDB's own diagnostic LOG file in the store directory (options dumps,
  // flush and compaction events). Off for tests that open stores thousands
  // of times: writing it is a third of the cost of an open.
  bool rocksdb_info_log = true;
  // Tests only: the store's files go through this fault-injecting seam
  // (file_faults.h). Null in production: the disk as it is.
  std::shared_ptr<FileFaults> faults;

  // OK when every field is within its range; otherwise kInvalidArgument naming
  // the field, its value and the range.
  Status Validate() const;
};

// A buffer of operations to apply atomically with KvStore::Write. Holds
// copies of keys and values; no RocksDB types. Operations apply in the order
// they were added (a Put after a Delete of the same key wins).
//
// Thread-safety: not thread-safe; one builder at a time.
class WriteBatch {
 public:
  enum class OpType { kPut, kDelete, kDeleteRange };
  struct Op {
    OpType type;
    Column column;
    std::string key;    // for kDeleteRange: the inclusive begin
    std::string value;  // for kDeleteRange: the exclusive end; empty for kDelete
  };

  void Put(Column column, std::string_view key, std::string_view value);
  void Delete(Column column, std::string_view key);
  // Deletes every key in [begin, end) of `column`.
  // REQUIRES: begin <= end (bytewise); begin == end deletes nothing.
  void DeleteRange(Column column, std::string_view begin, std::string_view end);
  void Clear();

  // Number of operations added.
  size_t ops() const { return ops_.size(); }
  // Total bytes of all keys and values (the payload, not RocksDB's encoding).
  size_t bytes() const { return bytes_; }
  bool empty() const { return ops_.empty(); }
  const std::vector<Op>& operations() const { return ops_; }

 private:
  std::vector<Op> ops_;
  size_t bytes_ = 0;
};

// Counters of the calls made on a store since it was opened (for /metrics and
// for tests that bound the number of reads of an algorithm).
struct KvStats {
  uint64_t gets = 0;
  uint64_t scans = 0;
  uint64_t scanned_entries = 0;
  uint64_t writes = 0;
  uint64_t synced_writes = 0;
  uint64_t written_bytes = 0;
};

// A RocksDB database with one column family per Column.
//
// Thread-safety: Get, Scan, CreateCheckpoint and stats may run concurrently
// with each other and with one thread calling Write. Each Get or Scan sees a
// consistent state: a Write is visible to it entirely or not at all.
class KvStore {
 public:
  // Pass as Scan's limit to visit every entry of the range.
  static constexpr size_t kNoLimit = static_cast<size_t>(-1);

  // Opens the store in `dir`, creating the directory, the database and any
  // missing column family. Errors:
  //   kInvalidArgument: options out of range.
  //   kUnavailable: the store is already open, in this process or another
  //     (RocksDB's LOCK file); the message names the directory.
  //   kFailedPrecondition: the directory holds column families this version
  //     does not know (written by a newer Frontera?).
  //   kIOError / kCorruption: the disk failed or the data does not verify.
  static Result<std::unique_ptr<KvStore>> Open(const std::string& dir, const KvOptions& options);

  // Closes the database (releases the lock). Synced writes are durable; an
  // unsynced write may survive or not, never partly.
  ~KvStore();
  KvStore(const KvStore&) = delete;
  KvStore& operator=(const KvStore&) = delete;

  // The value of `key`, nullopt when absent.
  Result<std::optional<std::string>> Get(Column column, std::string_view key) const;

  // Atomic: all operations of the batch or none, also across a crash.
  // sync=true → the write-ahead log is fsynced before return, so the batch
  // survives a power loss. sync=false → survives a process crash only.
  // kResourceExhausted when the batch exceeds max_batch_bytes/max_batch_ops.
  Status Write(const WriteBatch& batch, bool sync);

  // Calls fn(key, value) for the keys in [begin, end) of `column` in byte
  // order until fn returns false or `limit` entries were visited (limit 0
  // visits nothing; kNoLimit visits all). end empty = to the end of the column.
  // The views are valid only during the call. Sees one consistent state
  // (an implicit snapshot) for the whole scan.
  // kInvalidArgument when end is not empty and end < begin.
  Status Scan(Column column, std::string_view begin, std::string_view end, size_t limit,
              const std::function<bool(std::string_view key, std::string_view value)>& fn) const;

  // Writes a RocksDB checkpoint of the whole store (all columns) into `dir`,
  // which must not exist; its parent must. Table files are hard-linked when on
  // the same file system. The checkpoint opens with KvStore::Open as a store
  // holding every write that was visible when the call began.
  Status CreateCheckpoint(const std::string& dir) const;

  // The directory this store was opened from.
  const std::string& dir() const { return dir_; }
  // A snapshot of the call counters.
  KvStats stats() const;

 private:
  struct Impl;  // RocksDB handles, defined in kv_store.cc
  KvStore(std::string dir, KvOptions options, std::unique_ptr<Impl> impl);

  const std::string dir_;
  const KvOptions options_;
  std::unique_ptr<Impl> impl_;

  // Counters; relaxed atomics (statistics, no ordering implied).
  mutable std::atomic<uint64_t> gets_{0};
  mutable std::atomic<uint64_t> scans_{0};
  mutable std::atomic<uint64_t> scanned_entries_{0};
  std::atomic<uint64_t> writes_{0};
  std::atomic<uint64_t> synced_writes_{0};
  std::atomic<uint64_t> written_bytes_{0};
};

}  // namespace frontera::storage
