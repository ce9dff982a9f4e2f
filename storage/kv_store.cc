#include "storage/kv_store.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

#include "common/check.h"
#include "storage/file_faults.h"
#include "storage/wal_scan.h"

namespace frontera::storage {
namespace {

constexpr std::array<Column, kColumnCount> kAllColumns = {
    Column::kMeta, Column::kLog, Column::kState, Column::kIndex, Column::kMerkle, Column::kBlocks,
};

size_t ColumnSlot(Column column) {
  const size_t slot = static_cast<size_t>(column);
  FRONTERA_CHECK(slot < kColumnCount) << "unknown column " << slot;
  return slot;
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

// RocksDB names its write-ahead-log files <number>.log.
bool IsWalFile(const std::filesystem::path& p) {
  const std::string name = p.filename().string();
  return name.size() > 4 && name.ends_with(".log") &&
         std::all_of(name.begin(), name.end() - 4, [](char c) { return c >= '0' && c <= '9'; });
}

// Refuses a store whose write-ahead log has damage that recovery would
// resolve by dropping intact records after it (wal_scan.h); sets *torn when
// a file ends in a torn record, which only a tolerant open recovers.
Status CheckWalTails(const std::string& dir, bool* torn) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || !IsWalFile(entry.path())) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return Status::IOError("store " + dir + ": cannot read " + entry.path().string());
    }
    const WalScan scan = ScanWal(bytes);
    if (scan.verdict == WalScan::Verdict::kTornTail) *torn = true;
    if (scan.verdict != WalScan::Verdict::kDamaged) continue;
    return Status::Corruption(
        "store " + dir + ": its write-ahead log " + entry.path().filename().string() +
        " is damaged at byte " + std::to_string(scan.damage_offset) + " (" + scan.reason +
        ") and intact records follow at byte " + std::to_string(scan.intact_after) +
        ": recovering would drop writes that were synced. Restore the directory from a "
        "copy, or remove it so that the node catches up from its peers");
  }
  if (ec) return Status::IOError("store " + dir + ": cannot list it: " + ec.message());
  return Status::Ok();
}

// The only place a rocksdb::Status becomes a frontera::Status (docs/storage.md
// "Durability rules", last paragraph; docs/architecture.md: a library's errors
// are translated in the folder that links it). The message says what was
// being done and where, so that an operator can act on it.
Status FromRocks(const rocksdb::Status& s, std::string_view what, const std::string& dir) {
  std::string msg = std::string(what) + " in store " + dir + ": " + s.ToString();
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsIOError()) return Status::IOError(msg);  // includes NoSpace and PathNotFound
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut() || s.IsShutdownInProgress()) {
    return Status::Unavailable(msg);
  }
  return Status::Internal(msg);
}

// RocksDB reports a held LOCK file as an IOError whose text names the lock:
// "While lock file: <dir>/LOCK: Resource temporarily unavailable" (another
// process holds the fcntl lock) or "lock hold by current process" (this
// process already opened the store; fcntl alone would not notice, since
// POSIX record locks are per process).
bool IsLockError(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  std::string text = s.ToString();
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text.find("lock") != std::string::npos;
}

// Discards RocksDB's diagnostics unformatted (KvOptions::rocksdb_info_log off).
class NullLogger : public rocksdb::Logger {
 public:
  using rocksdb::Logger::Logv;
  void Logv(const char* /*format*/, va_list /*ap*/) override {}
};

Status CheckRange(std::string_view field, uint64_t value, uint64_t min, uint64_t max) {
  if (value >= min && value <= max) return Status::Ok();
  return Status::InvalidArgument("storage option " + std::string(field) + " = " +
                                 std::to_string(value) + " is out of range [" +
                                 std::to_string(min) + ", " + std::to_string(max) + "]");
}

rocksdb::ColumnFamilyOptions MakeColumnOptions(const KvOptions& options,
                                               const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = options.write_buffer_bytes;
  // Values are SHA-256 hashes, signatures and small JSON documents: hashes do
  // not compress at all, and the rest too little to pay for CPU on the apply
  // path (docs/storage.md, "Compression").
  cf.compression = rocksdb::kNoCompression;
  cf.bottommost_compression = rocksdb::kNoCompression;
  // Keys are appended in increasing order for kLog, kMerkle and kBlocks; with
  // dynamic level sizes the tree stays small and space amplification bounded.
  cf.level_compaction_dynamic_level_bytes = true;

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Point reads dominate (a proof is O(log n) Gets, admission checks look up
  // ids that are mostly absent): a whole-key bloom filter lets a Get of an
  // absent key skip the table files.
  if (options.bloom_bits_per_key > 0) {
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(options.bloom_bits_per_key, false));
  }
  table.whole_key_filtering = true;
  // Keep index and filter blocks under the cache's memory bound instead of
  // an unbounded per-table heap allocation.
  table.cache_index_and_filter_blocks = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace

std::string_view ColumnName(Column column) {
  switch (column) {
    case Column::kMeta:
      return "meta";
    case Column::kLog:
      return "log";
    case Column::kState:
      return "state";
    case Column::kIndex:
      return "index";
    case Column::kMerkle:
      return "merkle";
    case Column::kBlocks:
      return "blocks";
  }
  FRONTERA_CHECK(false) << "unknown column " << static_cast<int>(column);
  return "";
}

Status KvOptions::Validate() const {
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("write_buffer_bytes", write_buffer_bytes, 64u << 10, 1u << 30));
  FRONTERA_RETURN_IF_ERROR(
      CheckRange("block_cache_bytes", block_cache_bytes, 1u << 20, uint64_t{64} << 30));
  if (max_open_files != -1) {
    if (max_open_files < 16 || max_open_files > 1'000'000) {
      return Status::InvalidArgument(
          "storage option max_open_files = " + std::to_string(max_open_files) +
          " is out of range: -1 (unlimited) or [16, 1000000]");
    }
  }
  if (bloom_bits_per_key < 0 || bloom_bits_per_key > 32) {
    return Status::InvalidArgument("storage option bloom_bits_per_key = " +
                                   std::to_string(bloom_bits_per_key) + " is out of range [0, 32]");
  }
  if (max_background_jobs < 1 || max_background_jobs > 64) {
    return Status::InvalidArgument(
        "storage option max_background_jobs = " + std::to_string(max_background_jobs) +
        " is out of range [1, 64]");
  }
  if (file_opening_threads < 1 || file_opening_threads > 64) {
    return Status::InvalidArgument(
        "storage option file_opening_threads = " + std::to_string(file_opening_threads) +
        " is out of range [1, 64]");
  }
  FRONTERA_RETURN_IF_ERROR(CheckRange("max_batch_bytes", max_batch_bytes, 1u << 10, 1u << 30));
  FRONTERA_RETURN_IF_ERROR(CheckRange("max_batch_ops", max_batch_ops, 1, 10'000'000));
  if (wal_recovery != WalRecovery::kPointInTime &&
      wal_recovery != WalRecovery::kTolerateCorruptedTail) {
    return Status::InvalidArgument(
        "storage option wal_recovery = " + std::to_string(static_cast<int>(wal_recovery)) +
        " is not a WalRecovery value");
  }
  return Status::Ok();
}

// ---- WriteBatch ----

void WriteBatch::Put(Column column, std::string_view key, std::string_view value) {
  ColumnSlot(column);
  ops_.push_back(Op{OpType::kPut, column, std::string(key), std::string(value)});
  bytes_ += key.size() + value.size();
}

void WriteBatch::Delete(Column column, std::string_view key) {
  ColumnSlot(column);
  ops_.push_back(Op{OpType::kDelete, column, std::string(key), std::string()});
  bytes_ += key.size();
}

void WriteBatch::DeleteRange(Column column, std::string_view begin, std::string_view end) {
  ColumnSlot(column);
  FRONTERA_CHECK(begin <= end) << "DeleteRange with end before begin";
  ops_.push_back(Op{OpType::kDeleteRange, column, std::string(begin), std::string(end)});
  bytes_ += begin.size() + end.size();
}

void WriteBatch::Clear() {
  ops_.clear();
  bytes_ = 0;
}

// ---- KvStore ----

struct KvStore::Impl {
  std::shared_ptr<rocksdb::Cache> cache;
  std::unique_ptr<rocksdb::DB> db;
  // Owned by db; destroyed before it. "default" is required by RocksDB and
  // holds nothing of ours.
  rocksdb::ColumnFamilyHandle* default_handle = nullptr;
  std::array<rocksdb::ColumnFamilyHandle*, kColumnCount> handles{};

  rocksdb::ColumnFamilyHandle* Handle(Column column) const { return handles[ColumnSlot(column)]; }

  void CloseAll() {
    if (!db) return;
    for (rocksdb::ColumnFamilyHandle*& h : handles) {
      if (h != nullptr) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      h = nullptr;
    }
    if (default_handle != nullptr) {
      db->DestroyColumnFamilyHandle(default_handle).PermitUncheckedError();
      default_handle = nullptr;
    }
    // Close() waits for background work and releases the LOCK file. Its
    // status cannot be returned from a destructor; synced writes are already
    // durable, and a failure here can only concern unsynced ones.
    db->Close().PermitUncheckedError();
    db.reset();
  }
};

KvStore::KvStore(std::string dir, KvOptions options, std::unique_ptr<Impl> impl)
    : dir_(std::move(dir)), options_(options), impl_(std::move(impl)) {}

KvStore::~KvStore() { impl_->CloseAll(); }

Result<std::unique_ptr<KvStore>> KvStore::Open(const std::string& dir, const KvOptions& options) {
  FRONTERA_RETURN_IF_ERROR(options.Validate());
  if (dir.empty()) return Status::InvalidArgument("storage directory is empty");

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::IOError("cannot create storage directory " + dir + ": " + ec.message());
  }

  auto impl = std::make_unique<Impl>();
  impl->cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = options.max_open_files;
  db_options.max_background_jobs = options.max_background_jobs;
  db_options.max_file_opening_threads = options.file_opening_threads;
  db_options.paranoid_checks = true;
  if (!options.rocksdb_info_log) db_options.info_log = std::make_shared<NullLogger>();
  if (options.faults) db_options.env = static_cast<rocksdb::Env*>(options.faults->env());
  // A crash can tear only the last unsynced WAL record; both modes recover
  // every record before it and drop the torn tail (docs/storage.md,
  // "Durability"). They differ on damage elsewhere in the log: point-in-time
  // stops there and drops the rest. kTolerateCorruptedTail recovers only a
  // torn tail (CheckWalTails, below), because RocksDB's
  // kTolerateCorruptedTailRecords alone takes a flipped length or type byte
  // for a torn tail and drops the synced records after it.
  db_options.wal_recovery_mode = options.wal_recovery == WalRecovery::kTolerateCorruptedTail
                                     ? rocksdb::WALRecoveryMode::kAbsoluteConsistency
                                     : rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // With six column families written at different rates, one WAL file stays
  // alive until every family that has data in it is flushed; bound the total
  // so a quiet family is flushed instead of pinning the WAL forever.
  db_options.max_total_wal_size = options.write_buffer_bytes * kColumnCount * 2;
  db_options.keep_log_file_num = 5;
  db_options.max_log_file_size = 8u << 20;

  // A database that exists must be opened with all its column families.
  // Refuse one we do not know rather than silently ignoring its data.
  std::vector<std::string> existing;
  if (std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
    if (!s.ok()) return FromRocks(s, "listing column families", dir);
    for (const std::string& name : existing) {
      if (name == rocksdb::kDefaultColumnFamilyName) continue;
      bool known = false;
      for (Column c : kAllColumns) known = known || name == ColumnName(c);
      if (!known) {
        return Status::FailedPrecondition("store " + dir + " has column family '" + name +
                                          "' unknown to this version of Frontera; was it "
                                          "written by a newer version?");
      }
    }
  }

  const rocksdb::ColumnFamilyOptions cf_options = MakeColumnOptions(options, impl->cache);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (Column c : kAllColumns) descriptors.emplace_back(std::string(ColumnName(c)), cf_options);

  // kTolerateCorruptedTail: RocksDB ends a log at some damage without any
  // error in every mode (a type byte flipped to a recyclable record reads
  // as the end of a reused file), so the log files are scanned first; the
  // open is strict, and tolerant only for a torn tail the scan found.
  bool torn = false;
  if (options.wal_recovery == WalRecovery::kTolerateCorruptedTail) {
    FRONTERA_RETURN_IF_ERROR(CheckWalTails(dir, &torn));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw_db);
  if (s.IsCorruption() && torn) {
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    handles.clear();
    s = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw_db);
  }
  if (!s.ok()) {
    if (IsLockError(s)) {
      return Status::Unavailable("store " + dir +
                                 " is already open (its LOCK file is held by this or another "
                                 "process); stop the other user of this directory first (" +
                                 s.ToString() + ")");
    }
    return FromRocks(s, "opening", dir);
  }
  impl->db.reset(raw_db);
  FRONTERA_CHECK(handles.size() == kColumnCount + 1) << "RocksDB returned " << handles.size();
  impl->default_handle = handles[0];
  for (size_t i = 0; i < kColumnCount; ++i) impl->handles[i] = handles[i + 1];

  return std::unique_ptr<KvStore>(new KvStore(dir, options, std::move(impl)));
}

Result<std::optional<std::string>> KvStore::Get(Column column, std::string_view key) const {
  gets_.fetch_add(1, std::memory_order_relaxed);
  std::string value;
  rocksdb::Status s =
      impl_->db->Get(rocksdb::ReadOptions(), impl_->Handle(column), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "Get from column " + std::string(ColumnName(column)), dir_);
  return std::optional<std::string>(std::move(value));
}

Status KvStore::Write(const WriteBatch& batch, bool sync) {
  if (batch.bytes() > options_.max_batch_bytes || batch.ops() > options_.max_batch_ops) {
    return Status::ResourceExhausted(
        "write batch of " + std::to_string(batch.ops()) + " operations and " +
        std::to_string(batch.bytes()) +
        " bytes exceeds the limits max_batch_ops = " + std::to_string(options_.max_batch_ops) +
        ", max_batch_bytes = " + std::to_string(options_.max_batch_bytes));
  }
  rocksdb::WriteBatch wb;
  for (const WriteBatch::Op& op : batch.operations()) {
    rocksdb::ColumnFamilyHandle* cf = impl_->Handle(op.column);
    rocksdb::Status s;
    switch (op.type) {
      case WriteBatch::OpType::kPut:
        s = wb.Put(cf, ToSlice(op.key), ToSlice(op.value));
        break;
      case WriteBatch::OpType::kDelete:
        s = wb.Delete(cf, ToSlice(op.key));
        break;
      case WriteBatch::OpType::kDeleteRange:
        s = wb.DeleteRange(cf, ToSlice(op.key), ToSlice(op.value));
        break;
    }
    if (!s.ok()) return FromRocks(s, "building write batch", dir_);
  }
  rocksdb::WriteOptions write_options;
  // sync=true fsyncs the WAL before returning: the batch then survives power
  // loss, which the Raft rule "durable before any dependent message is sent"
  // (docs/storage.md "Durability rules") relies on.
  write_options.sync = sync;
  rocksdb::Status s = impl_->db->Write(write_options, &wb);
  if (!s.ok()) return FromRocks(s, sync ? "synced write" : "write", dir_);
  writes_.fetch_add(1, std::memory_order_relaxed);
  if (sync) synced_writes_.fetch_add(1, std::memory_order_relaxed);
  written_bytes_.fetch_add(batch.bytes(), std::memory_order_relaxed);
  return Status::Ok();
}

Status KvStore::Scan(
    Column column, std::string_view begin, std::string_view end, size_t limit,
    const std::function<bool(std::string_view key, std::string_view value)>& fn) const {
  if (!end.empty() && end < begin) {
    return Status::InvalidArgument("Scan of column " + std::string(ColumnName(column)) +
                                   " with end before begin");
  }
  scans_.fetch_add(1, std::memory_order_relaxed);
  if (limit == 0) return Status::Ok();

  rocksdb::ReadOptions read_options;
  // The upper bound lets RocksDB stop at `end` without reading past it (and
  // skip range tombstones beyond it); the Slice must outlive the iterator.
  const rocksdb::Slice upper = ToSlice(end);
  if (!end.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(read_options, impl_->Handle(column)));
  size_t visited = 0;
  for (it->Seek(ToSlice(begin)); it->Valid() && visited < limit; it->Next()) {
    ++visited;
    if (!fn(ToView(it->key()), ToView(it->value()))) break;
  }
  scanned_entries_.fetch_add(visited, std::memory_order_relaxed);
  if (!it->status().ok()) {
    return FromRocks(it->status(), "Scan of column " + std::string(ColumnName(column)), dir_);
  }
  return Status::Ok();
}

Status KvStore::CreateCheckpoint(const std::string& dir) const {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return Status::AlreadyExists("checkpoint directory " + dir + " already exists");
  }
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  if (!s.ok()) return FromRocks(s, "preparing checkpoint", dir_);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // log_size_for_flush = 0: flush the memtables first, so the checkpoint is
  // made of table files only (hard links) plus a consistent MANIFEST.
  s = checkpoint->CreateCheckpoint(dir, /*log_size_for_flush=*/0);
  if (!s.ok()) return FromRocks(s, "creating checkpoint " + dir, dir_);
  return Status::Ok();
}

KvStats KvStore::stats() const {
  KvStats out;
  out.gets = gets_.load(std::memory_order_relaxed);
  out.scans = scans_.load(std::memory_order_relaxed);
  out.scanned_entries = scanned_entries_.load(std::memory_order_relaxed);
  out.writes = writes_.load(std::memory_order_relaxed);
  out.synced_writes = synced_writes_.load(std::memory_order_relaxed);
  out.written_bytes = written_bytes_.load(std::memory_order_relaxed);
  return out;
}

}  // namespace frontera::storage
