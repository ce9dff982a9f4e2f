// node::Validator, backups while it runs (POST /v1/backup on the operational
// listener): a directory that a validator restarts from as its data
// directory, written under [backup] dir, and the MANIFEST.json that says what
// it holds and what the operator keeps elsewhere. The procedure, and the
// restore, are in docs/operations.md#backups.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/encoding.h"
#include "common/files.h"
#include "node/applied_mark.h"
#include "node/log.h"
#include "node/validator.h"
#include "node/validator_internal.h"
#include "storage/kv_store.h"
#include "storage/raft_log_store.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::SnapshotMeta;
using validator_internal::kStatePointer;
using validator_internal::SyncTree;

namespace {

// A backup being written: renamed to its final name once complete, so a
// directory without the prefix is always a whole backup.
constexpr std::string_view kPartialPrefix = ".partial-";
const std::string kManifestFile = "MANIFEST.json";

// "20261207T231502.123Z": sorts by time.
std::string BackupName(int64_t unix_millis) {
  const std::string rfc = FormatRfc3339(unix_millis);  // 2026-12-07T23:15:02Z
  std::string compact;
  for (char c : rfc.substr(0, rfc.size() - 1)) {
    if (c != '-' && c != ':') compact.push_back(c);
  }
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(unix_millis % 1000));
  return compact + millis;
}

// Recreates the tree `from` in `to`, hard-linking files (a snapshot's table
// files never change) and copying when the link fails (another file system).
Status LinkTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return Status::IOError("cannot create " + to.string() + ": " + ec.message());
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path target = to / fs::relative(it->path(), from);
    if (it->is_directory()) {
      fs::create_directories(target, ec);
    } else {
      fs::create_hard_link(it->path(), target, ec);
      if (ec) fs::copy_file(it->path(), target, ec);
    }
    if (ec) return Status::IOError("cannot copy " + it->path().string() + ": " + ec.message());
  }
  if (ec) return Status::IOError("cannot read " + from.string() + ": " + ec.message());
  return Status::Ok();
}

}  // namespace

Result<api::Json> Validator::Backup() {
  bool idle = false;
  if (!backup_running_.compare_exchange_strong(idle, true)) {
    return Status::ResourceExhausted("a backup of " + config_.name +
                                     " is being written; ask again when it is done");
  }
  struct Done {
    std::atomic<bool>* running;
    ~Done() { *running = false; }
  } done{&backup_running_};

  const auto started = std::chrono::steady_clock::now();
  const fs::path data(config_.data_dir);
  const fs::path root =
      config_.backup.dir.empty() ? data / "backups" : fs::path(config_.backup.dir);
  const int64_t now_ms = clock_->NowUnixMillis();
  const std::string name = BackupName(now_ms);
  const fs::path partial = root / (std::string(kPartialPrefix) + name);
  const fs::path final_dir = root / name;
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::IOError("cannot create backup.dir " + root.string() + ": " + ec.message());
  if (fs::exists(final_dir, ec)) {
    return Status::ResourceExhausted("backup " + final_dir.string() +
                                     " exists already; ask again in a moment");
  }
  fs::remove_all(partial, ec);
  fs::create_directories(partial, ec);
  if (ec) return Status::IOError("cannot create " + partial.string() + ": " + ec.message());
  auto fail = [&](Status s) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    LogWarning(config_.name, "backup failed: " + s.ToString());
    return s;
  };

  // The ledger first, then the Raft log: the log then holds every entry the
  // ledger copy applied (applied <= commit <= last index, and the log only
  // grows at its end), so the copy restarts without any entry missing. What
  // can come between the two is a compaction or a snapshot install moving
  // the log's start past the ledger copy; that is checked below.
  const std::shared_ptr<Ledger> ledger = CurrentLedger();
  if (Status s = ledger->store->CreateCheckpoint((partial / "state").string()); !s.ok()) {
    return fail(s);
  }
  if (Status s = log_store_->CreateCheckpoint((partial / "raft").string()); !s.ok()) {
    return fail(s);
  }
  // The snapshots this node would send a follower far behind; held so that
  // none is removed while its files are linked.
  {
    MutexLock lock(snapshot_mu_);
    for (const SnapshotMeta& meta : snapshots_.all()) {
      const std::string dir = std::to_string(meta.index) + "-" + std::to_string(meta.term);
      if (Status s = LinkTree(data / "snapshots" / dir, partial / "snapshots" / dir); !s.ok()) {
        return fail(s);
      }
    }
  }
  if (Status s = audit_->CopyTo(partial / "audit"); !s.ok()) return fail(s);
  // Other files of the data directory (its format marker, ...), not the
  // pointer to the ledger in use: the copy's ledger is "state", the default.
  for (const fs::directory_entry& e : fs::directory_iterator(data, ec)) {
    std::error_code type_ec;
    if (!e.is_regular_file(type_ec) || e.path().filename() == kStatePointer) continue;
    fs::copy_file(e.path(), partial / e.path().filename(), ec);
    if (ec) return fail(Status::IOError("cannot copy " + e.path().string() + ": " + ec.message()));
  }

  // Open both copies as the node will, and check they fit together.
  SnapshotMeta applied;
  ledger::LedgerSummary summary;
  {
    auto store = storage::KvStore::Open((partial / "state").string(), config_.storage);
    if (!store.ok()) return fail(store.status());
    auto mark = ReadAppliedMark(**store);
    if (!mark.ok()) return fail(mark.status());
    applied = *mark;
    auto sm = ledger::StateMachine::Open(store->get(), genesis_, config_.ledger);
    if (!sm.ok()) return fail(sm.status());
    summary = (*sm)->Summary();
  }
  SnapshotMeta log_start;
  uint64_t log_last = 0;
  consensus::HardState hard_state;
  {
    auto log = storage::RaftLogStore::Open((partial / "raft").string(), config_.storage);
    if (!log.ok()) return fail(log.status());
    log_start = (*log)->Snapshot();
    log_last = (*log)->LastIndex();
    hard_state = (*log)->GetHardState();
  }
  if (applied.index < log_start.index) {
    return fail(Status::Unavailable(
        "the Raft log moved its start to index " + std::to_string(log_start.index) +
        " (a compaction or snapshot install) while the ledger was copied at index " +
        std::to_string(applied.index) + "; ask again"));
  }

  api::Json manifest = {
      {"format", 1},
      {"validator", config_.name},
      {"network", genesis_.network},
      {"genesis_hash", HexEncode(genesis_.hash)},
      {"created", FormatRfc3339(now_ms)},
      {"ledger",
       {{"applied_index", applied.index},
        {"applied_term", applied.term},
        {"block_height", summary.block_height},
        {"tree_size", summary.tree_size},
        {"root", HexEncode(summary.root)}}},
      {"raft_log",
       {{"snapshot_index", log_start.index},
        {"last_index", log_last},
        {"current_term", hard_state.current_term},
        {"commit_index", hard_state.commit_index}}},
      {"contents",
       {{"state", "the ledger (RocksDB checkpoint)"},
        {"raft", "the Raft log and hard state (RocksDB checkpoint)"},
        {"snapshots", "the ledger snapshots this node serves to followers behind it"},
        {"audit", "this node's audit trail of full-view reads"}}},
      {"keep_separately",
       {{"key_file", config_.key_file},
        {"genesis_file", config_.genesis_file},
        {"config_file", "the file given to fronterad --config"},
        {"tls_cert_file", config_.api.tls_cert_file},
        {"tls_key_file", config_.api.tls_key_file}}},
      {"restore",
       "stop the validator, move its data_dir away, copy this directory to data_dir (cp -a), "
       "start it with the same key, genesis and config: docs/operations.md#restore"},
  };
  if (Status s = ReplaceFile((partial / kManifestFile).string(), manifest.dump(2) + "\n", 0644);
      !s.ok()) {
    return fail(s);
  }
  if (Status s = SyncTree(partial.string()); !s.ok()) return fail(s);
  fs::rename(partial, final_dir, ec);
  if (ec) {
    return fail(Status::IOError("cannot rename " + partial.string() + " to " + final_dir.string() +
                                ": " + ec.message()));
  }

  // The newest backup.keep_max stay; names sort by time.
  std::vector<std::string> kept;
  std::vector<std::string> removed;
  for (const fs::directory_entry& e : fs::directory_iterator(root, ec)) {
    const std::string entry = e.path().filename().string();
    std::error_code type_ec;
    if (!e.is_directory(type_ec)) continue;
    if (entry.starts_with(kPartialPrefix)) {
      fs::remove_all(e.path(), ec);  // a backup a crash interrupted
    } else if (fs::exists(e.path() / kManifestFile)) {
      kept.push_back(entry);
    }
  }
  std::sort(kept.begin(), kept.end());
  while (kept.size() > static_cast<size_t>(config_.backup.keep_max)) {
    fs::remove_all(root / kept.front(), ec);
    removed.push_back((root / kept.front()).string());
    kept.erase(kept.begin());
  }
  const uint64_t took_ms =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - started)
                                .count());
  LogInfo(config_.name, "backup written to " + final_dir.string() + " (ledger at log index " +
                            std::to_string(applied.index) + ", block " +
                            std::to_string(summary.block_height) + "; Raft log to index " +
                            std::to_string(log_last) + ") in " + std::to_string(took_ms) + " ms" +
                            (removed.empty() ? ""
                                             : "; removed " + std::to_string(removed.size()) +
                                                   " older (backup.keep_max " +
                                                   std::to_string(config_.backup.keep_max) + ")"));
  api::Json answer = manifest;
  answer["path"] = final_dir.string();
  answer["took_ms"] = took_ms;
  answer["removed"] = removed;
  return answer;
}

}  // namespace frontera::node
