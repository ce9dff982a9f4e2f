// node::Validator, snapshots: taking one every raft.snapshot_interval_entries
// (a RocksDB checkpoint of the ledger, with its majority-signed state note
// written in once complete), compacting the Raft log to one, streaming one
// to a follower, verifying a received one against its state note, and
// installing it in place of the ledger.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "common/check.h"
#include "common/files.h"
#include "consensus/codec.h"
#include "ledger/state_machine.h"
#include "ledger/state_root.h"
#include "ledger/voter_chain.h"
#include "node/applied_mark.h"
#include "node/log.h"
#include "node/peer_transport.h"
#include "node/validator.h"
#include "node/validator_internal.h"

namespace frontera::node {

namespace fs = std::filesystem;
using consensus::Message;
using consensus::SnapshotMeta;
using storage::Column;
using validator_internal::Envelope;
using validator_internal::kLocalSnapshotReport;
using validator_internal::kStatePointer;
using validator_internal::PeerKind;
using validator_internal::SyncTree;

namespace {

// In a snapshot directory: the majority-signed state note of its block.
const std::string kSnapshotNoteFile = "FRONTERA-STATE-NOTE";
// In a snapshot directory: the links of the voter chain the sender held
// (a JSON array, ledger/voter_chain.h), at most this many bytes.
const std::string kSnapshotVoterChangesFile = "FRONTERA-VOTER-CHANGES";
constexpr uintmax_t kVoterChangesFileBytesMax = 8 << 20;

std::string SnapshotDir(const std::string& data_dir, const SnapshotMeta& s) {
  return (fs::path(data_dir) / "snapshots" /
          (std::to_string(s.index) + "-" + std::to_string(s.term)))
      .string();
}

}  // namespace

// A snapshot before the log is compacted to it or installed from it; a
// backup before it is named done.
Status validator_internal::SyncTree(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Status::IOError("cannot open " + dir + " to sync it");
  int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return Status::IOError("cannot sync " + dir);
  return Status::Ok();
}

bool Validator::SnapshotDue(uint64_t index) {
  MutexLock lock(snapshot_mu_);
  const uint64_t last = snapshots_.newest() ? snapshots_.newest()->index : 0;
  return index >= last + config_.raft.snapshot_interval_entries;
}

void Validator::TakeSnapshot(uint64_t index, uint64_t term, uint64_t height) {
  std::shared_ptr<Ledger> ledger = CurrentLedger();
  const SnapshotMeta meta{index, term};
  const std::string dir = SnapshotDir(config_.data_dir, meta);
  std::error_code ec;
  fs::create_directories(fs::path(dir).parent_path(), ec);
  fs::remove_all(dir, ec);
  // The checkpoint flushes the ledger: once it exists the ledger is durable
  // up to `index`, so the log may be compacted to it (once its state note
  // is in it: MaybeCompact).
  Status s = ledger->store->CreateCheckpoint(dir);
  if (s.ok()) s = SyncTree(dir);
  if (!s.ok()) {
    // The log keeps growing until the next try; say so.
    LogError(config_.name,
             "snapshot at log index " + std::to_string(index) +
                 " failed (the log is not compacted until one succeeds): " + s.message());
    fs::remove_all(dir, ec);
    return;
  }
  ++snapshots_taken_;
  LogInfo(config_.name, "took a snapshot at log index " + std::to_string(index) + " (block " +
                            std::to_string(height) + ")");
  std::vector<SnapshotMeta> removed;
  {
    MutexLock lock(snapshot_mu_);
    removed = snapshots_.Add(meta);
    snapshot_heights_[index] = height;
    for (const SnapshotMeta& gone : removed) snapshot_heights_.erase(gone.index);
  }
  RemoveSnapshots(removed);
  WriteStateNotes();
}

void Validator::WriteStateNotes() {
  // Taken before snapshot_mu_: the cosigner's lock is never held inside ours.
  std::vector<std::pair<uint64_t, std::string>> taken = cosigner_->TakePinnedStateNotes();
  MutexLock lock(snapshot_mu_);
  for (auto& [height, note] : taken) completed_notes_[height] = std::move(note);
  for (const SnapshotMeta& meta : snapshots_.all()) {
    auto h = snapshot_heights_.find(meta.index);
    if (h == snapshot_heights_.end()) continue;
    auto note = completed_notes_.find(h->second);
    if (note == completed_notes_.end()) continue;
    const std::string path = SnapshotDir(config_.data_dir, meta) + "/" + kSnapshotNoteFile;
    if (Status s = ReplaceFile(path, note->second, 0644); !s.ok()) {
      LogError(config_.name, "cannot write the state note of snapshot " +
                                 std::to_string(meta.index) + ": " + s.message());
      continue;
    }
    completed_notes_.erase(note);
    snapshot_heights_.erase(h);
  }
  // Notes whose snapshot is gone are of no use; keep the map small.
  while (completed_notes_.size() > 8) completed_notes_.erase(completed_notes_.begin());
}

void Validator::WriteVoterChangesToSnapshots(const Ledger& ledger) {
  Result<std::vector<ledger::VoterChange>> links = ledger.sm->VoterChanges();
  if (!links.ok()) {
    LogError(config_.name, "cannot read the voter chain: " + links.status().ToString());
    return;
  }
  api::Json json = api::Json::array();
  for (const ledger::VoterChange& link : *links) json.push_back(ledger::VoterChangeJson(link));
  const std::string text = json.dump();
  MutexLock lock(snapshot_mu_);
  for (const SnapshotMeta& meta : snapshots_.all()) {
    const std::string path = SnapshotDir(config_.data_dir, meta) + "/" + kSnapshotVoterChangesFile;
    if (Status s = ReplaceFile(path, text, 0644); !s.ok()) {
      LogError(config_.name, "cannot write the voter chain into snapshot " +
                                 std::to_string(meta.index) + ": " + s.message());
    }
  }
}

Result<ledger::NoteQuorum> Validator::SnapshotQuorum(const std::string& dir,
                                                     storage::KvStore& store, uint64_t height) {
  FRONTERA_ASSIGN_OR_RETURN(std::vector<ledger::ValidatorRecord> records,
                            ledger::ReadValidators(store, genesis_));
  FRONTERA_ASSIGN_OR_RETURN(std::vector<ledger::VoterChange> held, ledger::ReadVoterChanges(store));
  // Links co-signed after the sender took the snapshot come in a file.
  const fs::path file = fs::path(dir) / kSnapshotVoterChangesFile;
  std::error_code ec;
  if (fs::exists(file, ec)) {
    if (fs::file_size(file, ec) > kVoterChangesFileBytesMax || ec) {
      return Status::InvalidArgument("the snapshot's " + kSnapshotVoterChangesFile +
                                     " is larger than " +
                                     std::to_string(kVoterChangesFileBytesMax) + " bytes");
    }
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto json = crypto::ParseJson(text);
    if (!json.ok() || !json->is_array() || json->size() > ledger::kVoterChangesMax) {
      return Status::InvalidArgument("the snapshot's " + kSnapshotVoterChangesFile +
                                     " is not a JSON array of voter changes");
    }
    for (size_t i = 0; i < json->size(); ++i) {
      FRONTERA_ASSIGN_OR_RETURN(
          ledger::VoterChange link,
          ledger::VoterChangeFromJson((*json)[i],
                                      kSnapshotVoterChangesFile + "/" + std::to_string(i)));
      held.push_back(std::move(link));
    }
  }
  // The chain to the snapshot's block: a link for each block up to it that
  // changed the voters, naming the voters its records give after it.
  std::vector<ledger::VoterChange> chain;
  for (uint64_t h : ledger::VoterChangeHeights(records)) {
    if (h > height) break;
    auto link = std::find_if(held.begin(), held.end(),
                             [&](const ledger::VoterChange& c) { return c.height == h; });
    if (link == held.end()) {
      return Status::PermissionDenied(
          "the snapshot lacks the co-signed note of block " + std::to_string(h) +
          ", which changed the voters (its sender may not have it yet)");
    }
    if (!ledger::SameVoters(link->voters, ledger::VotersAfter(records, h))) {
      return Status::InvalidArgument("the snapshot's link of block " + std::to_string(h) +
                                     " names voters its validator set does not give");
    }
    chain.push_back(*link);
  }
  FRONTERA_ASSIGN_OR_RETURN(ledger::Voters after,
                            ledger::FollowVoterChanges(genesis_, chain, "the voter chain"));
  ledger::Voters before = after;
  if (!chain.empty() && chain.back().height == height) {
    before = chain.size() >= 2 ? chain[chain.size() - 2].voters : genesis_.validators;
  }
  // Keep the verified links with the ledger: this node serves them in trust
  // bundles and sends them with its own snapshots.
  storage::WriteBatch batch;
  FRONTERA_RETURN_IF_ERROR(ledger::StageVoterChanges(store, chain, batch));
  if (!batch.empty()) FRONTERA_RETURN_IF_ERROR(store.Write(batch, /*sync=*/true));
  return ledger::NoteQuorum{std::move(before), std::move(after)};
}

Status Validator::VerifySnapshot(const std::string& dir, const SnapshotMeta& meta) {
  std::ifstream in(fs::path(dir) / kSnapshotNoteFile, std::ios::binary);
  if (!in) return Status::PermissionDenied("the snapshot carries no state note");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Read first, checked once the voters of its block are known (below).
  FRONTERA_ASSIGN_OR_RETURN(ParsedStateNote note, ParseStateNote(text, genesis_.network));
  const StateNoteBody& body = note.body;
  if (body.log_index != meta.index || body.log_term != meta.term) {
    return Status::InvalidArgument(
        "the snapshot is for log index " + std::to_string(meta.index) + " term " +
        std::to_string(meta.term) + " but its state note is for index " +
        std::to_string(body.log_index) + " term " + std::to_string(body.log_term));
  }
  // Recompute both roots from the received state itself: a majority
  // signed these roots, so a state that reproduces them is the one a
  // majority applied.
  ledger::LedgerRoots roots;
  {
    FRONTERA_ASSIGN_OR_RETURN(auto store, storage::KvStore::Open(dir, config_.storage));
    FRONTERA_ASSIGN_OR_RETURN(ledger::NoteQuorum quorum, SnapshotQuorum(dir, *store, body.height));
    Result<std::vector<std::string>> signers = ledger::VerifyNoteQuorum(note.note, quorum);
    if (!signers.ok()) {
      return Status::PermissionDenied("the snapshot's state note is " + signers.status().message());
    }
    FRONTERA_ASSIGN_OR_RETURN(roots, ledger::RecomputeRoots(*store));
  }
  if (roots.block_height != body.height || roots.block_hash != body.block_hash ||
      roots.tree_size != body.tree_size || roots.log_root != body.log_root ||
      roots.state_root != body.state_root) {
    return Status::InvalidArgument(
        "the snapshot's recomputed roots (height " + std::to_string(roots.block_height) +
        ", tree size " + std::to_string(roots.tree_size) +
        ") differ from the majority-signed state note (height " + std::to_string(body.height) +
        ", tree size " + std::to_string(body.tree_size) + ")");
  }
  LogInfo(config_.name, "verified a snapshot at log index " + std::to_string(meta.index) +
                            " (block " + std::to_string(body.height) +
                            ") against a state note its voters signed");
  return Status::Ok();
}

void Validator::InstallSnapshot(const SnapshotMeta& snapshot, const std::string& staged) {
  const fs::path root(config_.data_dir);
  const std::string name =
      "state-" + std::to_string(snapshot.index) + "-" + std::to_string(snapshot.term);
  std::error_code ec;
  fs::remove_all(root / name, ec);
  fs::rename(staged, root / name, ec);
  FRONTERA_CHECK(!ec) << "cannot move the received snapshot into place: " << ec.message();
  auto ledger = std::make_shared<Ledger>();
  ledger->dir = (root / name).string();
  auto store = storage::KvStore::Open(ledger->dir, config_.storage);
  FRONTERA_CHECK(store.ok()) << "the received snapshot does not open: "
                             << store.status().ToString();
  ledger->store = std::move(store).value();
  auto sm = ledger::StateMachine::Open(ledger->store.get(), genesis_, config_.ledger);
  FRONTERA_CHECK(sm.ok()) << "the received snapshot is not a ledger: " << sm.status().ToString();
  ledger->sm = std::move(sm).value();
  // Make it durable, then switch the pointer: a crash before the switch
  // keeps the old ledger (the log still holds what it needs).
  storage::WriteBatch batch;
  batch.Put(Column::kMeta, kAppliedMarkKey, EncodeAppliedMark(snapshot));
  Status s = ledger->store->Write(batch, /*sync=*/true);
  FRONTERA_CHECK(s.ok()) << s.ToString();
  s = SyncTree(ledger->dir);
  if (s.ok()) s = ReplaceFile((root / kStatePointer).string(), name + "\n", 0644);
  FRONTERA_CHECK(s.ok()) << "installing the snapshot failed: " << s.ToString();
  std::shared_ptr<Ledger> old;
  {
    MutexLock lock(ledger_mu_);
    old = std::move(ledger_);
    ledger_ = ledger;
  }
  last_block_time_ = 0;
  applied_height_ = ledger->sm->Summary().block_height;
  if (auto summary = ledger->sm->Summary(); summary.block_height > 0) {
    auto block = ledger->sm->BlockJson(summary.block_height);
    if (block.ok()) last_block_time_ = (*block)["time_unix_ms"].get<int64_t>();
  }
  ++snapshots_installed_;
  // The core now names this snapshot as the start of its log: should this
  // node lead, it is what a follower behind it must be sent. Keep a copy
  // among the local snapshots (a checkpoint: hard links, cheap).
  {
    const std::string dir = SnapshotDir(config_.data_dir, snapshot);
    fs::create_directories(fs::path(dir).parent_path(), ec);
    fs::remove_all(dir, ec);
    Status copied = ledger->store->CreateCheckpoint(dir);
    if (copied.ok()) {
      // With the majority-signed state note it came with, so that a
      // follower this node sends it to can verify it too.
      fs::copy_file(root / name / kSnapshotNoteFile, fs::path(dir) / kSnapshotNoteFile,
                    fs::copy_options::overwrite_existing, ec);
      if (ec) copied = Status::IOError("cannot copy the snapshot's state note: " + ec.message());
    }
    if (copied.ok()) copied = SyncTree(dir);
    if (copied.ok()) {
      std::vector<SnapshotMeta> removed;
      {
        MutexLock lock(snapshot_mu_);
        removed = snapshots_.Installed(snapshot);
      }
      RemoveSnapshots(removed);
    } else {
      fs::remove_all(dir, ec);
    }
  }
  {
    MutexLock lock(apply_mu_);
    applied_index_ = snapshot.index;
  }
  applied_cv_.notify_all();
  // The old directory goes now if no reader holds it, else at the next start.
  if (old.use_count() == 1) {
    const std::string old_dir = old->dir;
    old.reset();
    fs::remove_all(old_dir, ec);
  }
}

void Validator::StreamSnapshotTo(const Message& m) {
  if (!transport_) return;
  ++snapshots_sent_;
  const std::string dir = SnapshotDir(config_.data_dir, m.snapshot);
  // The previous sender for this follower has reported (the driver hands
  // out one stream per follower at a time), so it is done or about to be.
  if (auto old = snapshot_threads_.find(m.to); old != snapshot_threads_.end()) {
    old->second.join();
    snapshot_threads_.erase(old);
  }
  snapshot_threads_[m.to] = std::thread([this, m, dir] {
    const size_t chunk_bytes = config_.raft.snapshot_chunk_bytes;
    // Flow control: each chunk waits for room in the follower's queue
    // (leaving room for Raft traffic), so a snapshot of any size streams at
    // the link's pace instead of overflowing the queue.
    const auto wait = std::chrono::milliseconds(config_.raft.snapshot_timeout_ms);
    Status s = StreamSnapshot(dir, m.snapshot, chunk_bytes, [&](std::string chunk) {
      return transport_->SendWhenRoom(m.to, Envelope(PeerKind::kSnapshotChunk, chunk), wait);
    });
    if (s.ok()) {
      s = transport_->Send(m.to, Envelope(PeerKind::kRaft, consensus::EncodeMessage(m)))
              ? Status::Ok()
              : Status::Unavailable("snapshot message dropped");
    }
    MutexLock lock(mu_);
    std::string report(1, static_cast<char>(kLocalSnapshotReport));
    report.push_back(s.ok() ? 1 : 0);
    inbox_.push_back({m.to, std::move(report)});
    raft_cv_.notify_one();
  });
}

void Validator::MaybeCompact() {
  std::optional<SnapshotMeta> newest;
  const uint64_t applied = applied_index_.load();
  const uint64_t retain = config_.proposer.log_retain_entries;
  {
    // Pinned: snapshots the apply thread takes meanwhile do not delete it.
    MutexLock lock(snapshot_mu_);
    if (applied >= retain) newest = snapshots_.PinTarget(applied - retain);
  }
  if (!newest) return;
  // Only to a snapshot a follower can verify: one holding its
  // majority-signed state note (WriteStateNotes).
  std::error_code exists_ec;
  const bool verifiable =
      fs::exists(fs::path(SnapshotDir(config_.data_dir, *newest)) / kSnapshotNoteFile, exists_ec);
  Result<bool> compacted = driver_->Compact(*newest, verifiable);
  FRONTERA_CHECK(compacted.ok()) << "raft log compaction failed: " << compacted.status().ToString();
  if (*compacted) {
    ++compactions_;
    LogInfo(config_.name, "compacted the Raft log up to the snapshot at log index " +
                              std::to_string(newest->index));
  }
  // The snapshot the core now names is the one it sends; older ones go.
  std::vector<SnapshotMeta> removed;
  {
    MutexLock lock(snapshot_mu_);
    removed = snapshots_.Compacted(driver_->raft().snapshot().index);
  }
  RemoveSnapshots(removed);
}

void Validator::RemoveSnapshots(const std::vector<SnapshotMeta>& removed) {
  for (const SnapshotMeta& meta : removed) {
    std::error_code ec;
    fs::remove_all(SnapshotDir(config_.data_dir, meta), ec);
  }
}

}  // namespace frontera::node
