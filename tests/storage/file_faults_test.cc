// The fault-injecting file seam under KvStore (storage/file_faults.h): what a
// power loss, a failing sync and a flipped bit leave of a real store.
#include "storage/file_faults.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "storage/kv_store.h"
#include "storage/raft_log_store.h"
#include "tests/temp_dir.h"

namespace frontera::storage {
namespace {

KvOptions FaultyOptions(const std::shared_ptr<FileFaults>& faults) {
  KvOptions options;
  options.write_buffer_bytes = 256u << 10;
  options.block_cache_bytes = 1u << 20;
  options.faults = faults;
  return options;
}

Status Put(KvStore& store, const std::string& key, bool sync) {
  WriteBatch batch;
  batch.Put(Column::kState, key, "value of " + key);
  return store.Write(batch, sync);
}

bool Has(const KvStore& store, const std::string& key) {
  auto value = store.Get(Column::kState, key);
  REQUIRE(value.ok());
  return value->has_value();
}

TEST_CASE("a power loss keeps synced writes and loses the unsynced ones") {
  testing::TempDir tmp("faults");
  auto faults = std::make_shared<FileFaults>();
  const std::string dir = tmp.Sub("store");
  {
    auto store = KvStore::Open(dir, FaultyOptions(faults));
    REQUIRE(store.ok());
    REQUIRE(Put(**store, "synced", true).ok());
    REQUIRE(Put(**store, "unsynced", false).ok());
    faults->CutPower(dir);
  }
  auto loss = faults->Restore(dir, /*torn=*/false, 1);
  REQUIRE(loss.ok());
  CHECK(loss->bytes_lost > 0);
  auto store = KvStore::Open(dir, FaultyOptions(faults));
  REQUIRE(store.ok());
  CHECK(Has(**store, "synced"));
  CHECK_FALSE(Has(**store, "unsynced"));
}

TEST_CASE("without a power loss, closing keeps the unsynced writes (a process crash)") {
  testing::TempDir tmp("faults");
  auto faults = std::make_shared<FileFaults>();
  const std::string dir = tmp.Sub("store");
  {
    auto store = KvStore::Open(dir, FaultyOptions(faults));
    REQUIRE(store.ok());
    REQUIRE(Put(**store, "unsynced", false).ok());
  }
  auto store = KvStore::Open(dir, FaultyOptions(faults));
  REQUIRE(store.ok());
  CHECK(Has(**store, "unsynced"));
}

TEST_CASE("a torn last write is dropped whole by the Raft log's strict recovery") {
  testing::TempDir tmp("faults");
  auto faults = std::make_shared<FileFaults>();
  const std::string dir = tmp.Sub("raft");
  {
    auto log = RaftLogStore::Open(dir, FaultyOptions(faults));
    REQUIRE(log.ok());
    consensus::HardState hs{1, 1, 0};
    REQUIRE((*log)->Save({{1, 1, consensus::EntryType::kNoop, ""}}, hs).ok());
    // A commit-only change is not synced (raft_log_store.h): it is the
    // unsynced tail a power loss tears.
    hs.commit_index = 1;
    REQUIRE((*log)->Save({}, hs).ok());
    faults->CutPower(dir);
  }
  auto loss = faults->Restore(dir, /*torn=*/true, 7);
  REQUIRE(loss.ok());
  CHECK(loss->torn);
  auto log = RaftLogStore::Open(dir, FaultyOptions(faults));
  REQUIRE_MESSAGE(log.ok(), log.status().ToString());
  CHECK((*log)->LastIndex() == 1);
  CHECK((*log)->GetHardState().current_term == 1);
  CHECK((*log)->GetHardState().commit_index == 0);
}

TEST_CASE("a failing sync fails the synced write, and the store refuses to go on") {
  testing::TempDir tmp("faults");
  auto faults = std::make_shared<FileFaults>();
  const std::string dir = tmp.Sub("raft");
  auto log = RaftLogStore::Open(dir, FaultyOptions(faults));
  REQUIRE(log.ok());
  faults->FailSyncs(dir, true);
  Status s = (*log)->Save({{1, 1, consensus::EntryType::kNoop, ""}}, consensus::HardState{1, 0, 0});
  CHECK(s.IsIOError());
  faults->FailSyncs(dir, false);
}

TEST_CASE("a flipped bit in the synced part of the Raft log's WAL refuses the open") {
  testing::TempDir tmp("faults");
  auto faults = std::make_shared<FileFaults>();
  const std::string dir = tmp.Sub("raft");
  {
    auto log = RaftLogStore::Open(dir, FaultyOptions(faults));
    REQUIRE(log.ok());
    for (uint64_t i = 1; i <= 40; ++i) {
      REQUIRE((*log)
                  ->Save({{1, i, consensus::EntryType::kNormal, std::string(100, 'x')}},
                         consensus::HardState{1, 1, 0})
                  .ok());
    }
  }
  std::string wal;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".log") && e.file_size() > 2048) wal = e.path().string();
  }
  REQUIRE(!wal.empty());
  REQUIRE(FileFaults::FlipBit(wal, 1000, 0x10).ok());
  auto damaged = RaftLogStore::Open(dir, FaultyOptions(faults));
  REQUIRE_FALSE(damaged.ok());
  CHECK(damaged.status().IsCorruption());
  // Restored, it opens with every entry.
  REQUIRE(FileFaults::FlipBit(wal, 1000, 0x10).ok());
  auto restored = RaftLogStore::Open(dir, FaultyOptions(faults));
  REQUIRE(restored.ok());
  CHECK((*restored)->LastIndex() == 40);
}

}  // namespace
}  // namespace frontera::storage
